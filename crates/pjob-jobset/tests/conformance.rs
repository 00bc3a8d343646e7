//! The SDK conformance cases, one test per case.
//!
//! Every folder of `tests/conformance/` holds a manifest and `expected.json`,
//! what the SageMaker Python SDK made of the same settings (a request and its
//! uploads, or a refusal). Each case runs in-process through the pipeline
//! `pjob render --region <region> --default-bucket pjob-default-bucket` runs,
//! and its `{"jobs": [...]}` document is held against `expected.json` the way
//! `shared/conformance/compare.py` holds it. When the folder
//! `../shared/conformance/` exists beside the repository, its cases run too,
//! named `shared/<case>`; without it nothing is missing.
//!
//! `cargo test -p pjob-jobset --test conformance -- <filter>` runs some of them.

#[path = "conformance/artifacts.rs"]
mod artifacts;
#[path = "conformance/case.rs"]
mod case;
#[path = "conformance/json_diff.rs"]
mod json_diff;
#[path = "conformance/normalize.rs"]
mod normalize;

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("the crate sits in <repository>/crates/");
    let mut trials = trials(&root.join("tests/conformance"), "");
    let shared = root.join("../shared/conformance");
    if shared.is_dir() {
        trials.extend(trials_of(&shared, "shared/"));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// The repository's own cases: the folder must exist and hold some.
fn trials(folder: &Path, prefix: &str) -> Vec<Trial> {
    let trials = trials_of(folder, prefix);
    assert!(!trials.is_empty(), "{} holds no conformance case", folder.display());
    trials
}

/// One test per case folder, named `<prefix><folder name>`.
fn trials_of(folder: &Path, prefix: &str) -> Vec<Trial> {
    case_folders(folder)
        .into_iter()
        .map(|dir| {
            let name = format!("{prefix}{}", dir.file_name().expect("a case folder has a name").to_string_lossy());
            Trial::test(name, move || check(&dir))
        })
        .collect()
}

/// Every folder in `folder` (files beside them, such as a README, are not
/// cases; nor is `pipelines/`, whose cases `pjob-pipeline`'s tests hold).
fn case_folders(folder: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(folder).unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display()));
    let mut dirs: Vec<PathBuf> =
        entries.map(|e| e.expect("a folder entry").path()).filter(|p| p.is_dir() && !p.ends_with("pipelines")).collect();
    dirs.sort();
    dirs
}

/// Passes when the case holds; otherwise fails with every difference found.
fn check(dir: &Path) -> Result<(), Failed> {
    const SHOWN: usize = 20;
    let problems = case::problems(dir);
    if problems.is_empty() {
        return Ok(());
    }
    let mut report = format!("pjob differs from the SDK's {}:", dir.join("expected.json").display());
    for problem in problems.iter().take(SHOWN) {
        report.push_str("\n    ");
        report.push_str(problem);
    }
    if problems.len() > SHOWN {
        report.push_str(&format!("\n    ... and {} more", problems.len() - SHOWN));
    }
    Err(report.into())
}
