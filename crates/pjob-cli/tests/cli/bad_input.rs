//! The bad-input suite: every manifest under `tests/bad-input/` is invalid,
//! and its first lines say what `pjob validate` must report:
//!
//! ```text
//! # expect: 7:19 pjob::wrong-type
//! # expect: 9:3 pjob::unknown-field
//! ```
//!
//! (line numbers count those header lines). A last line
//! `# pending: REASON` marks a known gap in the engine.
//!
//! For every file, `pjob validate FILE -o json` must exit 2, print valid JSON
//! and report every `expect:` line's `line:col` and code; `pjob validate FILE`
//! must show each as `FILE:line:col`; `pjob render FILE` must exit 2 and print
//! nothing on stdout; and nothing may panic. A `pending:` file must still
//! fail validation, and once pjob reports everything it expects, the
//! `pending:` line must go (the test says so).

use std::path::Path;

use crate::support::{Run, pjob_command, repo_root};

/// At least this many malformed manifests (issue 2 asks for 40).
const MIN_FILES: usize = 45;

/// An environment variable the suite's `env.*` template case relies on being unset.
const UNSET_VARIABLE: &str = "PJOB_BAD_INPUT_UNSET_ROLE";

#[derive(Debug, Clone, PartialEq, Eq)]
struct Expected {
    line: u64,
    column: u64,
    code: String,
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{} {}", self.line, self.column, self.code)
    }
}

struct Case {
    /// Path relative to the repository root, as the user would type it.
    path: String,
    expected: Vec<Expected>,
    pending: Option<String>,
}

/// Reads the leading `# expect:` and `# pending:` lines of a file.
fn read_case(root: &Path, name: &str) -> Result<Case, String> {
    let path = format!("tests/bad-input/{name}");
    let text = std::fs::read_to_string(root.join(&path)).map_err(|e| format!("cannot read: {e}"))?;
    let mut expected = Vec::new();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        let comment = line.trim_start_matches('#').trim();
        if let Some(rest) = comment.strip_prefix("expect:") {
            let mut words = rest.split_whitespace();
            let (Some(position), Some(code)) = (words.next(), words.next()) else {
                return Err(format!("bad header line `{line}`: write `# expect: LINE:COL CODE`"));
            };
            let (l, c) = position.split_once(':').ok_or_else(|| format!("bad position in `{line}`"))?;
            let parse = |n: &str| n.parse::<u64>().map_err(|_| format!("bad position in `{line}`"));
            expected.push(Expected { line: parse(l)?, column: parse(c)?, code: code.to_string() });
        }
    }
    // At the end of the file, so that removing it moves no line.
    let pending = text.lines().find_map(|l| l.strip_prefix("# pending:")).map(|reason| reason.trim().to_string());
    if expected.is_empty() {
        return Err("no `# expect: LINE:COL CODE` line at the top".into());
    }
    Ok(Case { path, expected, pending })
}

fn cases(root: &Path) -> Vec<Result<Case, (String, String)>> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("tests/bad-input"))
        .expect("tests/bad-input exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml") || n.ends_with(".toml"))
        .collect();
    names.sort();
    names.into_iter().map(|n| read_case(root, &n).map_err(|e| (n, e))).collect()
}

fn pjob(root: &Path, args: &[&str]) -> Run {
    Run::of(pjob_command(args).current_dir(root).env_remove(UNSET_VARIABLE))
}

fn looks_like_panic(run: &Run) -> bool {
    let text = format!("{}{}", run.stdout, run.stderr);
    text.contains("panicked at") || text.contains("RUST_BACKTRACE") || run.code == 101
}

/// Every `(line, column, code)` reported, as `line:col code` lines for messages.
fn reported(json: &serde_json::Value) -> Vec<(Option<u64>, Option<u64>, String, String)> {
    json["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["line"].as_u64(),
                        e["column"].as_u64(),
                        e["code"].as_str().unwrap_or_default().to_string(),
                        e["message"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn describe_reported(errors: &[(Option<u64>, Option<u64>, String, String)]) -> String {
    if errors.is_empty() {
        return "    (nothing)".into();
    }
    errors
        .iter()
        .map(|(l, c, code, message)| {
            let at = match (l, c) {
                (Some(l), Some(c)) => format!("{l}:{c}"),
                _ => "-".into(),
            };
            format!("    {at} {code}: {message}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What is wrong with one case: hard failures (always errors) and missing
/// expectations (allowed while the case is pending).
fn check(root: &Path, case: &Case) -> (Vec<String>, Vec<String>) {
    let mut failures = Vec::new();
    let mut missing = Vec::new();

    let json_run = pjob(root, &["validate", &case.path, "-o", "json"]);
    if looks_like_panic(&json_run) {
        failures.push(format!("`validate -o json` panicked:\n{}", json_run.stderr));
    }
    if json_run.code != 2 {
        failures.push(format!("`validate -o json` exited with {}, not 2", json_run.code));
    }
    let errors = match serde_json::from_str::<serde_json::Value>(&json_run.stdout) {
        Ok(json) => {
            if json["valid"] != serde_json::Value::Bool(false) {
                failures.push(format!("`validate -o json` says \"valid\": {}", json["valid"]));
            }
            reported(&json)
        }
        Err(e) => {
            failures.push(format!("`validate -o json` printed no valid JSON ({e}):\n{}", json_run.stdout));
            Vec::new()
        }
    };
    for want in &case.expected {
        let found = errors.iter().any(|(l, c, code, _)| *l == Some(want.line) && *c == Some(want.column) && *code == want.code);
        if !found {
            missing.push(format!("expected {want}, pjob reported:\n{}", describe_reported(&errors)));
        }
    }

    let text_run = pjob(root, &["validate", &case.path]);
    let stderr = &text_run.stderr;
    if looks_like_panic(&text_run) {
        failures.push(format!("`validate` panicked:\n{stderr}"));
    }
    if text_run.code != 2 {
        failures.push(format!("`validate` exited with {}, not 2", text_run.code));
    }
    for want in &case.expected {
        let located = format!("{}:{}:{}", case.path, want.line, want.column);
        if !stderr.contains(&located) && errors.iter().any(|(l, c, _, _)| *l == Some(want.line) && *c == Some(want.column)) {
            failures.push(format!("`validate` (text) does not show `{located}`:\n{stderr}"));
        }
    }

    let render_run = pjob(root, &["render", &case.path]);
    if looks_like_panic(&render_run) {
        failures.push(format!("`render` panicked:\n{}", render_run.stderr));
    }
    if render_run.code != 2 {
        failures.push(format!("`render` exited with {}, not 2", render_run.code));
    }
    if !render_run.stdout.is_empty() {
        failures.push(format!("`render` printed a result for an invalid manifest:\n{}", render_run.stdout));
    }
    (failures, missing)
}

#[test]
fn every_bad_input_is_refused_where_it_is_wrong() {
    let root = repo_root();
    let all = cases(&root);
    assert!(all.len() >= MIN_FILES, "tests/bad-input holds {} manifests; the suite wants at least {MIN_FILES}", all.len());

    // Each case runs three short processes; run cases on a few threads.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    let chunk = all.len().div_ceil(workers);
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = all
            .chunks(chunk)
            .map(|cases| {
                let root = &root;
                scope.spawn(move || cases.iter().map(|case| case.as_ref().map(|c| (c, check(root, c)))).collect::<Vec<_>>())
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("a checking thread finished")).collect()
    });

    let mut report = Vec::new();
    let mut pending = Vec::new();
    for result in results {
        let (case, (failures, missing)) = match result {
            Ok(checked) => checked,
            Err((name, problem)) => {
                report.push(format!("tests/bad-input/{name}: {problem}"));
                continue;
            }
        };
        for f in failures {
            report.push(format!("{}: {f}", case.path));
        }
        match (&case.pending, missing.is_empty()) {
            (None, _) => report.extend(missing.into_iter().map(|m| format!("{}: {m}", case.path))),
            (Some(_), true) => report.push(format!("{}: reports everything it expects now; remove its `# pending:` line", case.path)),
            (Some(reason), false) => pending.push(format!("{}: {reason}", case.path)),
        }
    }
    for p in &pending {
        eprintln!("pending: {p}");
    }
    assert!(report.is_empty(), "{} problem(s) in the bad-input suite:\n\n{}", report.len(), report.join("\n\n"));
}
