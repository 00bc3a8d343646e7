//! `pjob init KIND` writes a starter manifest that `pjob validate` accepts,
//! for every kind, and never overwrites a file unless told to.

use std::path::Path;

use crate::support::{Run, pjob_command};

const KINDS: [&str; 6] =
    ["Processor", "ScriptProcessor", "FrameworkProcessor", "PySparkProcessor", "SparkJarProcessor", "ClarifyProcessor"];

fn pjob(dir: &Path, args: &[&str]) -> Run {
    Run::of(pjob_command(args).current_dir(dir))
}

#[test]
fn every_starter_manifest_validates() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut problems = Vec::new();
    for kind in KINDS {
        let file = format!("{kind}.pjob.yaml");
        let init = pjob(dir.path(), &["init", kind, "--file", &file]);
        assert_eq!(init.code, 0, "pjob init {kind}: {}", init.stderr);
        let written = std::fs::read_to_string(dir.path().join(&file)).expect("init wrote the file");
        assert!(written.contains(&format!("kind: {kind}")), "pjob init {kind} wrote another kind:\n{written}");
        // With a region, validation also resolves images and checks versions.
        let validate = pjob(dir.path(), &["validate", &file, "--region", "us-west-2"]);
        if validate.code != 0 {
            problems.push(format!("pjob init {kind} writes a manifest pjob validate refuses:\n{}", validate.stderr));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn init_keeps_an_existing_file_unless_forced() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("job.pjob.yaml"), "mine\n").expect("write");
    let refused = pjob(dir.path(), &["init", "Processor"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("job.pjob.yaml")).expect("read"), "mine\n");
    let forced = pjob(dir.path(), &["init", "Processor", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(std::fs::read_to_string(dir.path().join("job.pjob.yaml")).expect("read").contains("kind: Processor"));
}

#[test]
fn init_names_the_kinds_when_it_does_not_know_one() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = pjob(dir.path(), &["init", "Trainer", "--file", "-"]);
    assert_eq!(out.code, 2);
    for kind in KINDS {
        assert!(out.stderr.contains(kind), "the error should list {kind}: {}", out.stderr);
    }
}
