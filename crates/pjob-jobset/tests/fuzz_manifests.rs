//! Mutation fuzzing of the whole offline pipeline: every manifest pjob
//! ships or tests (examples, conformance cases, the bad-input suite; YAML
//! and TOML) is mutated at random, and each mutant goes through loading,
//! templates, validation and the offline compile as `pjob validate` runs
//! them. For each mutant: no panic, an answer (a hang is reported with the
//! mutant), and every problem located at a line and column inside the text.
//!
//! `cargo test -p pjob-jobset --test fuzz_manifests` runs a short pass with
//! a fixed seed (the same mutants every time); `tests/fuzz.sh` runs a long
//! one. `PJOB_FUZZ_MUTANTS` and `PJOB_FUZZ_SEED` set the count and seed; a
//! failing mutant is written to `target/fuzz-failures/` to replay.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use pjob_jobset::{CompileSettings, Loaded, Loader};
use pjob_manifest::Target;
use pjob_source::SourceFile;
use pjob_template::{Renderer, Variables};

/// Mutants in the short pass.
const SHORT_PASS: usize = 3_000;
/// The fixed seed of the short pass.
const SEED: u64 = 0x5eed_f00d_b0b5;
/// The stack of a Linux program's main thread (`ulimit -s`), where `pjob` runs the pipeline.
const MAIN_THREAD_STACK: usize = 8 * 1024 * 1024;
/// Longer than any mutant takes: past it, the mutant is reported as a hang.
const HANG: Duration = Duration::from_secs(60);

/// Fragments that reach the parsers', templates' and validators' corners.
const TOKENS: &[&str] = &[
    "{{",
    "}}",
    "{%",
    "%}",
    "{{ x }}",
    "{{ [1] * 100000000 }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{{ \"x\" | indent(4000000000) }}",
    "{% include \"job.yaml\" %}",
    "99999999999999999999999",
    "-1",
    "1e309",
    "\t",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "&a ",
    "*a",
    "!!binary ",
    "---\n",
    "\n",
    "\u{feff}",
    "\u{0}",
    "#",
    "|\n",
    ">\n",
    "=",
    "[[spec.inputs]]\n",
    "s3://",
    "file://localhost/",
    "../",
    "apiVersion: pjob/v1\n",
    "kind: ClarifyProcessor\n",
    "null",
    "true",
    "~",
];

/// A small, fast, seedable generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every manifest of the seed corpus: (path, text).
fn corpus() -> Vec<(PathBuf, String)> {
    let root = repo_root();
    let mut files = Vec::new();
    let mut add_dir = |dir: PathBuf, depth: usize| {
        let mut stack = vec![(dir, 0)];
        while let Some((dir, d)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() && d < depth {
                    stack.push((path, d + 1));
                } else if path.extension().is_some_and(|e| e == "yaml" || e == "toml")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    files.push((path, text));
                }
            }
        }
    };
    add_dir(root.join("examples"), 1);
    add_dir(root.join("tests/conformance"), 1);
    add_dir(root.join("tests/bad-input"), 0);
    files.sort();
    files
}

/// One random edit of the text: bytes flipped, cut, repeated or spliced with tokens.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(6) {
            0 if !bytes.is_empty() => {
                let i = rng.below(bytes.len());
                bytes[i] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(256)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                for _ in 0..1 + rng.below(8) {
                    bytes.splice(at..at, copy.iter().copied());
                }
            }
            3 => {
                let i = rng.below(bytes.len().max(1));
                bytes.truncate(i);
            }
            // A very long key or value: up to 100,000 of one character.
            4 if rng.below(8) == 0 => {
                let byte = b"k9 {-:\"'"[rng.below(8)];
                bytes.splice(at..at, std::iter::repeat_n(byte, 1 + rng.below(100_000)));
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(at..at, token.bytes());
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Runs one text through the pipeline; `Err` says what went wrong.
fn check(path: &Path, text: &str) -> Result<(), String> {
    let renderer = Renderer::new(Variables::new());
    let file = Arc::new(SourceFile::new(path, text));
    let mut loaded = Loaded::default();
    Loader::new(&renderer, Target::Aws).load_file(file.clone(), true, &mut loaded);
    let settings = CompileSettings { region: Some("us-west-2".into()), default_bucket: Some("bkt".into()), ..CompileSettings::default() };
    for job in &loaded.jobs {
        // As validate compiles: nothing is fetched.
        if let Err(e) = job.compile_with(&settings.options_for(job)) {
            loaded.diagnostics.push(job.compile_diagnostic(&e));
        }
    }
    let lines = text.lines().count().max(1) + 1;
    for d in &loaded.diagnostics {
        let at = d.location();
        if at.line == 0 || at.column == 0 || at.line > lines {
            return Err(format!("a problem without a place in the text: {}:{} `{}`", at.line, at.column, d.message()));
        }
        let _ = d.to_json();
        // The report users see, as the CLI draws it.
        let mut report = String::new();
        let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor()).with_width(100);
        handler.render_report(&mut report, d).map_err(|e| format!("the report of `{}` cannot be drawn: {e}", d.message()))?;
    }
    Ok(())
}

/// The mutant that failed, written where it can be replayed.
fn keep_failure(index: usize, source: &Path, text: &str, why: &str) -> String {
    let dir = repo_root().join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let ext = source.extension().and_then(|e| e.to_str()).unwrap_or("yaml");
    let kept = dir.join(format!("mutant-{index}.{ext}"));
    let _ = std::fs::write(&kept, text);
    format!("mutant {index} of {}: {why} (kept as {})", source.display(), kept.display())
}

#[test]
fn mutated_manifests_never_panic_hang_or_lose_their_place() {
    let count = std::env::var("PJOB_FUZZ_MUTANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(SHORT_PASS);
    let seed = std::env::var("PJOB_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(SEED);
    let corpus = corpus();
    assert!(corpus.len() > 150, "the seed corpus is every shipped and tested manifest: {} found", corpus.len());
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let mut failures = Vec::new();
    for index in 0..count {
        let (path, text) = &corpus[rng.below(corpus.len())];
        let mutant = mutate(&mut rng, text);
        // What a crash that takes the process down (a stack overflow) leaves to replay.
        let _ = std::fs::write(repo_root().join("target/fuzz-current"), &mutant);
        let (done, answer) = mpsc::channel();
        let (worker_path, worker_text) = (path.clone(), mutant.clone());
        // The stack `pjob`'s main thread has, where the pipeline runs.
        let worker = std::thread::Builder::new().stack_size(MAIN_THREAD_STACK).spawn(move || {
            let result = panic::catch_unwind(AssertUnwindSafe(|| check(&worker_path, &worker_text)));
            let _ = done.send(result.unwrap_or_else(|p| Err(format!("panic: {}", panic_text(&*p)))));
        });
        worker.expect("a worker thread starts");
        match answer.recv_timeout(HANG) {
            Ok(Ok(())) => {}
            Ok(Err(why)) => failures.push(keep_failure(index, path, &mutant, &why)),
            Err(_) => {
                failures.push(keep_failure(index, path, &mutant, "no answer: a hang"));
                break;
            }
        }
    }
    panic::set_hook(default_hook);
    // Bounded memory: the whole run's peak, far below what one template bomb used to take (7 GB).
    if let Some(peak) = peak_memory_kib() {
        assert!(peak < 2 * 1024 * 1024, "the run peaked at {peak} KiB");
    }
    assert!(failures.is_empty(), "{} of {count} mutants (seed {seed}) failed:\n{}", failures.len(), failures.join("\n"));
    println!("{count} mutants (seed {seed}) of {} manifests: no panic, no hang, every problem located", corpus.len());
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| payload.downcast_ref::<String>().cloned()).unwrap_or_default()
}

/// This process's peak resident memory (`VmHWM`), where Linux tells it.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
