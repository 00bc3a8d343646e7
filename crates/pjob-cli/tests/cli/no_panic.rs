//! No input makes pjob panic.
//!
//! Every manifest pjob ships or tests (`examples/`, `tests/conformance/`,
//! `../shared/conformance/`, `tests/bad-input/`) is cut short at every
//! character (files over 2 KB: at every line end and 200 evenly spaced
//! places), and each cut goes through the whole pipeline in-process: parse,
//! templates, validation, compilation, and the diagnostics' rendering.
//! Hostile inputs (deep nesting, alias bombs, huge numbers, control
//! characters, invalid UTF-8, binary files, empty files and folders) go
//! through the binary as well.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};
use std::time::SystemTime;

use pjob_jobset::{CompileSettings, Loaded, Loader};
use pjob_manifest::Target;
use pjob_source::SourceFile;
use pjob_template::{Renderer, Variables};

use crate::support::{Run, pjob_command, repo_root};

/// Files up to this size are cut at every character.
const SMALL_FILE: usize = 2048;
/// Evenly spaced cuts in a larger file (besides its line ends).
const SPACED_CUTS: usize = 200;
/// Threads whose panics are expected to be caught, and kept quiet.
const WORKER_PREFIX: &str = "no-panic-worker";

/// Panics on the worker threads are caught and reported by the test; keep
/// the default hook from printing each of them.
fn quiet_worker_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !std::thread::current().name().is_some_and(|n| n.starts_with(WORKER_PREFIX)) {
                default(info);
            }
        }));
    });
}

fn is_manifest_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e, "yaml" | "yml" | "toml"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else if is_manifest_name(&path) {
            out.push(path);
        }
    }
}

/// `job.yaml` / `job.toml` of every case folder under `dir`.
fn case_manifests(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        for name in ["job.yaml", "job.toml"] {
            let path = entry.path().join(name);
            if path.is_file() {
                out.push(path);
            }
        }
    }
}

/// Every manifest the suite cuts, as paths relative to the repository root.
fn manifests(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    walk(&root.join("examples"), &mut out);
    case_manifests(&root.join("tests/conformance"), &mut out);
    let shared = root.join("../shared/conformance");
    if shared.is_dir() {
        case_manifests(&shared, &mut out);
    } else {
        eprintln!("note: {} does not exist; its cases are skipped", shared.display());
    }
    walk(&root.join("tests/bad-input"), &mut out);
    out.sort();
    out
}

/// Where to cut a text: every character boundary of a small file; the line
/// ends and evenly spaced places of a larger one.
fn cut_points(text: &str) -> Vec<usize> {
    let mut cuts: Vec<usize> = if text.len() <= SMALL_FILE {
        text.char_indices().map(|(i, _)| i).collect()
    } else {
        let mut cuts: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
        cuts.extend((0..SPACED_CUTS).map(|k| {
            let mut at = k * text.len() / SPACED_CUTS;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        }));
        cuts
    };
    cuts.push(text.len());
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

/// Runs one text through the whole pipeline, as `pjob validate` and
/// `pjob render` do, and renders the diagnostics for JSON and for people.
fn run_pipeline(renderer: &Renderer, path: &Path, text: &str) {
    let mut loaded = Loaded::default();
    Loader::new(renderer, Target::Aws).load_file(Arc::new(SourceFile::new(path, text)), true, &mut loaded);
    let settings = CompileSettings {
        region: Some("us-west-2".into()),
        default_bucket: Some("sagemaker-us-west-2-123456789012".into()),
        now: SystemTime::UNIX_EPOCH,
        ..CompileSettings::default()
    };
    for job in &loaded.jobs {
        // Compiled as `validate` compiles: a git_config repository is not
        // fetched thousands of times, nor over the network.
        if let Err(e) = job.compile_with(&settings.options_for(job)) {
            loaded.diagnostics.push(job.compile_diagnostic(&e));
        }
    }
    for d in &loaded.diagnostics {
        let _ = d.to_json();
        // miette's report is the costly part; draw the ones whose snippet
        // reaches the end of the cut text, where a cut can surprise it.
        if d.span().end() + 1 >= text.len() {
            let _ = pjob_cli::report::render(d);
        }
    }
}

/// A text cut short that made pjob panic.
struct PanicCase {
    path: PathBuf,
    cut: usize,
    message: String,
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// Runs every cut of every `(path, text)` on a few threads; returns the panics and the number of runs.
fn cut_and_run(inputs: &[(PathBuf, String)]) -> (Vec<PanicCase>, usize) {
    quiet_worker_panics();
    let jobs: Vec<(usize, usize)> =
        inputs.iter().enumerate().flat_map(|(i, (_, text))| cut_points(text).into_iter().map(move |cut| (i, cut))).collect();
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 8);
    let chunk = jobs.len().div_ceil(workers).max(1);
    let panics = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .enumerate()
            .map(|(w, jobs)| {
                std::thread::Builder::new()
                    .name(format!("{WORKER_PREFIX}-{w}"))
                    .spawn_scoped(scope, move || {
                        let renderer = Renderer::new(Variables::new());
                        let mut panics = Vec::new();
                        for &(i, cut) in jobs {
                            let (path, text) = &inputs[i];
                            let result = panic::catch_unwind(AssertUnwindSafe(|| run_pipeline(&renderer, path, &text[..cut])));
                            if let Err(payload) = result {
                                panics.push(PanicCase { path: path.clone(), cut, message: panic_message(payload.as_ref()) });
                            }
                        }
                        panics
                    })
                    .expect("a worker thread starts")
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a worker thread finished")).collect::<Vec<_>>()
    });
    (panics, jobs.len())
}

fn assert_no_panics(panics: &[PanicCase]) {
    if panics.is_empty() {
        return;
    }
    let shown: Vec<String> =
        panics.iter().take(20).map(|p| format!("  {} cut at byte {}: {}", p.path.display(), p.cut, p.message)).collect();
    panic!("{} input(s) made the pipeline panic (first {} shown):\n{}", panics.len(), shown.len(), shown.join("\n"));
}

#[test]
fn no_truncation_of_any_known_manifest_panics() {
    let root = repo_root();
    let inputs: Vec<(PathBuf, String)> = manifests(&root)
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            (path, text)
        })
        .collect();
    let bad_inputs = inputs.iter().filter(|(p, _)| p.to_string_lossy().contains("bad-input")).count();
    assert!(bad_inputs >= 45, "expected the bad-input suite among the inputs, found {bad_inputs} of its files");
    assert!(inputs.len() > bad_inputs, "expected examples and conformance cases among the inputs");
    let (panics, runs) = cut_and_run(&inputs);
    eprintln!("{runs} truncations of {} manifests went through the pipeline", inputs.len());
    assert_no_panics(&panics);
}

/// Text inputs no one should write, run in-process (whole and cut short).
fn hostile_texts() -> Vec<(PathBuf, String)> {
    let manifest = "apiVersion: pjob/v1\nkind: Processor\nmetadata:\n  name: hostile\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  image_uri: img\n  instance_count: 1\n  instance_type: ml.m5.large\n";
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let many_documents: String = std::iter::repeat_n(format!("---\n{manifest}"), 200).collect();
    let yaml = |name: &str| PathBuf::from(format!("hostile/{name}.yaml"));
    let toml = |name: &str| PathBuf::from(format!("hostile/{name}.toml"));
    vec![
        (yaml("deep-flow-sequence"), "[".repeat(10_000)),
        (yaml("deep-flow-closed"), format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000))),
        (yaml("deep-flow-mapping"), format!("a: {}1{}\n", "{a: ".repeat(10_000), "}".repeat(10_000))),
        (yaml("deep-block"), (0..400).map(|i| format!("{}- \n", " ".repeat(i))).collect()),
        (yaml("alias-bomb"), bomb),
        (yaml("alias-cycle"), "a: &a [*a]\n".into()),
        (yaml("merge-of-scalar"), "a: &a 1\nb:\n  <<: *a\n".into()),
        (
            yaml("huge-numbers"),
            manifest.replace(
                "instance_count: 1",
                "instance_count: 99999999999999999999999999999\n  volume_size_in_gb: -9223372036854775809\n  max_runtime_in_seconds: 1e400",
            ),
        ),
        (yaml("special-floats"), manifest.replace("instance_count: 1", "instance_count: .nan\n  volume_size_in_gb: -.inf")),
        (yaml("control-characters"), format!("{manifest}\u{0}\u{1}\u{7f}\u{1b}[31m\n")),
        (
            yaml("unicode"),
            manifest.replace("hostile", "hös🙂tile").replace("img", "ïmg\u{202e}") + "  arguments: [\"日本語\", \"é\u{301}\"]\n",
        ),
        (yaml("byte-order-mark"), format!("\u{feff}{manifest}")),
        (yaml("crlf"), manifest.replace('\n', "\r\n")),
        (yaml("many-documents"), many_documents),
        (yaml("long-line"), format!("{manifest}  job_name: {}\n", "x".repeat(100_000))),
        (yaml("template-recursion"), manifest.replace("img", "\"{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}\"")),
        (yaml("template-huge-output"), manifest.replace("img", "\"{{ 'x' * 100000 }}\"")),
        (yaml("template-in-key"), manifest.replace("image_uri: img", "\"{{ k }}\": img")),
        (toml("deep-arrays"), format!("a = {}{}\n", "[".repeat(10_000), "]".repeat(10_000))),
        (toml("deep-inline-tables"), format!("a = {}1{}\n", "{b = ".repeat(5_000), "}".repeat(5_000))),
        (toml("deep-dotted-table"), format!("[{}]\nx = 1\n", vec!["a"; 5_000].join("."))),
        (
            toml("huge-integer"),
            "apiVersion = \"pjob/v1\"\n[spec]\ninstance_count = 99999999999999999999\nvolume_size_in_gb = 0x7fffffffffffffffff\n".into(),
        ),
    ]
}

#[test]
fn hostile_texts_do_not_panic_in_process() {
    let inputs = hostile_texts();
    // The small ones are cut everywhere; the big ones, and the alias bomb
    // (each cut would expand it to the limit again), run whole.
    let (small, big): (Vec<_>, Vec<_>) =
        inputs.into_iter().partition(|(path, text)| text.len() <= SMALL_FILE && !path.ends_with("alias-bomb.yaml"));
    let (mut panics, _) = cut_and_run(&small);
    quiet_worker_panics();
    let whole = std::thread::Builder::new()
        .name(format!("{WORKER_PREFIX}-whole"))
        .spawn(move || {
            let renderer = Renderer::new(Variables::new());
            let mut panics = Vec::new();
            for (path, text) in &big {
                if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| run_pipeline(&renderer, path, text))) {
                    panics.push(PanicCase { path: path.clone(), cut: text.len(), message: panic_message(payload.as_ref()) });
                }
            }
            panics
        })
        .expect("a worker thread starts")
        .join()
        .expect("the worker thread finished");
    panics.extend(whole);
    assert_no_panics(&panics);
}

/// Checks that a `pjob validate -o json` run ended on its own, without a
/// panic, with valid JSON; returns its exit code and JSON.
fn validate_json(path: &Path) -> (i32, serde_json::Value) {
    let out = Run::of(&mut pjob_command(["validate".as_ref(), path.as_os_str(), "-o".as_ref(), "json".as_ref()]));
    let (code, stderr) = (out.code, &out.stderr);
    assert_ne!(code, -1, "pjob validate {} was killed by a signal:\n{stderr}", path.display());
    assert!(!stderr.contains("panicked") && code != 101, "pjob validate {} panicked:\n{stderr}", path.display());
    let json = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("pjob validate {} printed no valid JSON ({e}):\n{}", path.display(), out.stdout));
    (code, json)
}

fn first_error_message(json: &serde_json::Value) -> String {
    json["errors"][0]["message"].as_str().unwrap_or_default().to_string()
}

#[test]
fn hostile_files_are_refused_by_the_binary() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write a test file");
        path
    };
    // Every file here is refused with exit 2 and a message, never a crash.
    let mut binary = Vec::with_capacity(65_536);
    let mut state: u32 = 0x2545_f491;
    for _ in 0..65_536 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        binary.push(state.to_le_bytes()[0]);
    }
    let refused = [
        (write("invalid-utf8.yaml", b"apiVersion: pjob/v1\nkind: \xff\xfe\x80Processor\n"), "UTF-8"),
        (write("binary.yaml", &binary), "UTF-8"),
        (write("empty.yaml", b""), "no pjob manifest"),
        (write("only-comments.toml", b"# nothing here\n"), ""),
        (write("deep.yaml", "[".repeat(10_000).as_bytes()), "invalid YAML"),
        (write("deep-closed.yaml", format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)).as_bytes()), "invalid YAML"),
        (write("deep.toml", format!("a = {}{}\n", "[".repeat(10_000), "]".repeat(10_000)).as_bytes()), "invalid TOML"),
        (write("nul.yaml", b"apiVersion: pjob/v1\n\x00\x01kind: x\n"), "invalid YAML"),
    ];
    for (path, wanted) in &refused {
        let (code, json) = validate_json(path);
        assert_eq!(code, 2, "pjob validate {} exited with {code}:\n{json:#}", path.display());
        assert!(
            first_error_message(&json).contains(wanted),
            "pjob validate {}: expected a message about {wanted}:\n{json:#}",
            path.display()
        );
        let render = Run::of(&mut pjob_command(["render".as_ref(), path.as_os_str()]));
        assert_eq!(render.code, 2, "pjob render {}:\n{}", path.display(), render.stderr);
        assert!(render.stdout.is_empty(), "pjob render {} printed a result", path.display());
    }
}

#[test]
fn a_folder_without_manifests_is_searched_without_a_crash() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir_all(dir.path().join("sub/.hidden")).expect("create folders");
    std::fs::write(dir.path().join("ci.yaml"), "steps: [build]\n").expect("write");
    std::fs::write(dir.path().join("broken.yaml"), "a: [\n").expect("write");
    std::fs::write(dir.path().join("sub/notes.txt"), "not a manifest").expect("write");
    std::fs::write(dir.path().join("sub/.hidden/x.yaml"), "apiVersion: pjob/v1\n").expect("write");
    let (code, json) = validate_json(dir.path());
    assert_eq!(json["files"], 0, "no file there is a pjob manifest:\n{json:#}");
    // Files that are not manifests are not pjob's to judge; the one error is
    // that the folder holds no manifest at all.
    let errors = json["errors"].as_array().expect("an errors list");
    assert_eq!(errors.len(), 1, "{json:#}");
    assert!(errors[0]["file"].is_null(), "no file is judged:\n{json:#}");
    assert!(first_error_message(&json).contains("no pjob manifest found in this folder"), "{json:#}");
    assert_eq!(code, 2, "a folder with no manifest fails validation");
}
