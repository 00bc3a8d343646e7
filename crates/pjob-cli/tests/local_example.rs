//! The README's first command: `pjob apply --local examples/local/job.pjob.yaml`
//! runs on a machine with nothing but pjob and python3. (It runs on a copy
//! of the example, so the tree stays clean.)

mod local_support;

use std::path::Path;

use local_support::{host_lines, pjob_local};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        if name == "out" || name == "pjob-output" {
            continue;
        }
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to.join(name));
        } else {
            std::fs::copy(entry.path(), to.join(name)).unwrap();
        }
    }
}

#[test]
fn the_local_example_runs_and_writes_its_summary() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/local");
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&example, copy.path());
    let run = pjob_local(&copy.path().join("job.pjob.yaml"), &[]).expect(0);

    let out = copy.path().join("out");
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
