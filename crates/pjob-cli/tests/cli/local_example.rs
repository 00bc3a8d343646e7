//! The README's first command: `pjob apply --local examples/local/job.pjob.yaml`
//! runs on a machine with nothing but pjob and python3. (It runs on a copy
//! of the example, so the tree stays clean.)

use crate::support::local::{host_lines, pjob_local};
use crate::support::{Run, copy_dir, pjob_command, repo_root};

#[test]
fn the_local_example_runs_and_writes_its_summary() {
    let example = repo_root().join("examples/local");
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&example, copy.path());
    let run = pjob_local(&copy.path().join("job.pjob.yaml"), &[]).expect(0);

    // The output's default destination: the local default bucket, pjob-output/<job name>/output/summary.
    let jobs: Vec<_> = std::fs::read_dir(copy.path().join("pjob-output")).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let out = jobs[0].join("output/summary");
    assert_eq!(
        std::fs::read_to_string(out.join("totals-by-region.csv")).unwrap(),
        "region,total_eur\r\neast,229.15\r\nnorth,292.75\r\nsouth,244.00\r\nwest,365.00\r\n"
    );
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report, serde_json::json!({"host": "algo-1", "rows": 10, "groups": 4, "currency": "EUR"}));
    assert_eq!(
        host_lines(&run, "algo-1"),
        ["read sales-2024-q1.csv", "read sales-2024-q2.csv", "10 rows in 4 groups on algo-1"],
        "{}",
        run.all()
    );
}

#[test]
fn every_example_validates_as_the_readme_says() {
    let root = repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(readme.contains("pjob validate examples/"), "the README tells users to run `pjob validate examples/`");
    let run = Run::of(pjob_command(["validate", "examples/"]).current_dir(&root)).expect(0);
    assert!(run.stdout.starts_with("ok: "), "{}", run.stderr);
}
