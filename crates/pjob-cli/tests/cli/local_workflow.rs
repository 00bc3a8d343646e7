//! `pjob apply --local` of a set whose jobs depend on each other (SPEC
//! section 8): jobs run after what they depend on, read their upstream
//! jobs' local output folders, and are skipped when an upstream job fails;
//! a set that breaks the set's rules runs nothing.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::local::{local_command, pjob_local};
use crate::support::{JobFolder, Run, copy_dir, repo_root};

/// `spec` lines: an output `o`.
const OUTPUT: &str = "  outputs:\n    - name: o\n      source: /opt/ml/processing/output/o\n";
/// Code that writes `x` to output `o`.
const WRITE_OUTPUT: &str =
    "import os; os.makedirs('/opt/ml/processing/output/o', exist_ok=True); open('/opt/ml/processing/output/o/x', 'w').write('x')";

/// `spec` lines: input `i` from job `a`'s output `o`.
fn input_from_a() -> String {
    "  inputs:\n    - name: i\n      source: \"{{ jobs.a.outputs.o }}\"\n      destination: /opt/ml/processing/input/i\n".to_string()
}

/// Each job's `-o json` entry, by `metadata.name`, in run order.
fn jobs(run: &Run) -> Vec<(String, Value)> {
    let all = run.json()["jobs"].as_array().unwrap_or_else(|| panic!("no jobs\n{}", run.all())).clone();
    all.into_iter().map(|j| (j["job"].as_str().unwrap().to_string(), j)).collect()
}

/// Where a job's output was delivered, from its `-o json` entry.
fn destination(job: &Value, output: &str) -> PathBuf {
    let found = job["outputs"].as_array().unwrap().iter().find(|o| o["name"] == output);
    PathBuf::from(found.unwrap_or_else(|| panic!("no output {output} in {job}"))["destination"].as_str().unwrap())
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_workflow_example_runs_each_job_on_its_upstream_jobs_local_folders() {
    // Run as the README says, from the repository's root with a relative path.
    let root = tempfile::tempdir().unwrap();
    let copy = root.path().join("examples/workflow");
    std::fs::create_dir_all(&copy).unwrap();
    copy_dir(&repo_root().join("examples/workflow"), &copy);
    let run = Run::of(local_command(Path::new("examples/workflow/"), &["-o", "json"]).current_dir(root.path())).expect(0);
    let jobs = jobs(&run);
    let order: Vec<&str> = jobs.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(order, ["prepare", "featurize", "evaluate"], "upstream first\n{}", run.all());
    assert!(jobs.iter().all(|(_, j)| j["status"] == "Completed"), "{}", run.all());

    // Outputs without a destination land in the local default bucket beside the manifests.
    let bucket = canonical(&copy.join("pjob-output"));
    let delivered = |job: usize, output: &str, file: &str| {
        let path = canonical(&root.path().join(destination(&jobs[job].1, output)).join(file));
        assert!(path.starts_with(&bucket), "{} is not under {}", path.display(), bucket.display());
        std::fs::read_to_string(path).unwrap()
    };
    let train = delivered(0, "train", "train.csv");
    let test = delivered(0, "test", "test.csv");
    assert_eq!((train.lines().count(), test.lines().count()), (16, 6), "a header and 15 train rows, a header and 5 test rows");
    let model: Value = serde_json::from_str(&delivered(1, "features", "model.json")).unwrap();
    assert_eq!(model["label"], "churned");
    let report: Value = serde_json::from_str(&delivered(2, "report", "report.json")).unwrap();
    assert_eq!(report, json!({"test_rows": 5, "correct": 4, "accuracy": 0.8}));
}

/// `a` writes an output that `b` reads and fails on; `c` depends on `b`,
/// `d` on `c`; `e` reads `a`'s output too.
fn set_with_a_failing_middle_job() -> JobFolder {
    let folder = JobFolder::new();
    folder.processor_job("a", "", WRITE_OUTPUT, OUTPUT);
    folder.processor_job("b", "", "import sys; sys.exit(3)", &format!("{}{OUTPUT}", input_from_a()));
    folder.processor_job("c", ", depends_on: [b]", "print('c ran')", "");
    folder.processor_job("d", ", depends_on: [c]", "print('d ran')", "");
    folder.processor_job("e", "", "import os; print(os.listdir('/opt/ml/processing/input/i'))", &input_from_a());
    folder
}

#[test]
fn a_failed_job_skips_the_jobs_downstream_of_it_and_the_others_go_on() {
    let folder = set_with_a_failing_middle_job();
    let run = pjob_local(folder.dir.path(), &["-o", "json"]).expect(1);
    let statuses: Vec<(String, Value, Value)> =
        jobs(&run).into_iter().map(|(name, j)| (name, j["status"].clone(), j["reason"].clone())).collect();
    let skipped = json!("upstream b Failed");
    assert_eq!(
        statuses,
        [
            ("a".to_string(), json!("Completed"), Value::Null),
            ("b".to_string(), json!("Failed"), Value::Null),
            ("c".to_string(), json!("skipped"), skipped.clone()),
            ("d".to_string(), json!("skipped"), skipped),
            ("e".to_string(), json!("Completed"), Value::Null),
        ],
        "{}",
        run.all()
    );
    assert!(run.stderr.contains("c: skipped: upstream b Failed"), "{}", run.all());
    assert!(!run.stderr.contains("c ran") && !run.stdout.contains("c ran"), "{}", run.all());
}

#[test]
fn a_set_run_ends_with_a_table_of_its_jobs() {
    let folder = set_with_a_failing_middle_job();
    let run = pjob_local(folder.dir.path(), &[]).expect(1);
    let table: Vec<Vec<&str>> = run.stderr.lines().skip_while(|l| !l.starts_with("JOB ")).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(table.first().map(Vec::as_slice), Some(&["JOB", "NAME", "STATUS", "TIME"][..]), "{}", run.all());
    let rows: Vec<(&str, &str)> = table[1..].iter().map(|r| (r[0], r[2])).collect();
    assert_eq!(rows, [("a", "Completed"), ("b", "Failed"), ("c", "skipped"), ("d", "skipped"), ("e", "Completed")], "{}", run.all());
    assert_eq!(table[3][1], "-", "a skipped job that depends on others was never compiled, so it has no name");
    assert!(table[1][1].starts_with("a-") && table[1][3].ends_with('s'), "{:?}", table[1]);
}

#[test]
fn a_cycle_runs_nothing_and_is_located() {
    let folder = JobFolder::new();
    folder.processor_job("a", ", depends_on: [b]", WRITE_OUTPUT, OUTPUT);
    folder.processor_job("b", "", "print('b ran')", &input_from_a());
    let run = pjob_local(folder.dir.path(), &[]).expect(2);
    assert!(run.stderr.contains("jobs `a`, `b` depend on each other in a cycle"), "{}", run.all());
    assert!(run.stderr.contains("a.pjob.yaml:3:34"), "at `b` in a's depends_on\n{}", run.all());
    assert!(run.stderr.contains("b.pjob.yaml:12:15"), "at b's reference to a\n{}", run.all());
    assert!(!folder.path("pjob-output").exists() && run.stdout.is_empty(), "nothing ran\n{}", run.all());
}

#[test]
fn an_unknown_reference_runs_nothing_and_is_located() {
    let folder = JobFolder::new();
    folder.processor_job("a", "", WRITE_OUTPUT, OUTPUT);
    let spec = "  inputs:\n    - name: i\n      source: \"{{ jobs.a.outputs.missing }}\"\n      destination: /opt/ml/processing/input/i\n";
    folder.processor_job("b", "", "print('b ran')", spec);
    let run = pjob_local(folder.dir.path(), &[]).expect(2);
    assert!(run.stderr.contains("job `a` has no output named `missing`"), "{}", run.all());
    assert!(run.stderr.contains("b.pjob.yaml:12:15"), "at the input's source\n{}", run.all());
    assert!(!folder.path("pjob-output").exists() && run.stdout.is_empty(), "nothing ran\n{}", run.all());
}

#[test]
fn a_dependent_job_the_compiler_refuses_runs_nothing() {
    let folder = JobFolder::new();
    folder.processor_job("a", "", WRITE_OUTPUT, OUTPUT);
    folder.write(
        "b.pjob.yaml",
        format!(
            "apiVersion: pjob/v1\nkind: FrameworkProcessor\nmetadata: {{name: b}}\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  \
             framework: sklearn\n  framework_version: \"0.1-9\"\n  code: run.py\n  source_dir: src\n  instance_count: 1\n  \
             instance_type: ml.m5.large\n{}",
            input_from_a()
        ),
    );
    folder.write("src/run.py", "print('b ran')\n");
    let run = pjob_local(folder.dir.path(), &[]).expect(2);
    assert!(run.stderr.contains("0.1-9") && run.stderr.contains("b.pjob.yaml:"), "{}", run.all());
    assert!(!folder.path("pjob-output").exists() && run.stdout.is_empty(), "a did not run\n{}", run.all());
}

/// Code that leaves `<name>` in `meeting` and completes once `<other>` is
/// there too: it completes only while the other job runs beside it (it
/// gives up, failing, after a minute).
fn meet(meeting: &Path, name: &str, other: &str) -> String {
    format!(
        "import os, sys, time; d = {dir:?}; open(os.path.join(d, '{name}'), 'w').close(); \
         sys.exit(0 if any(os.path.exists(os.path.join(d, '{other}')) or time.sleep(0.1) for _ in range(600)) else 1)",
        dir = meeting.display().to_string()
    )
}

#[test]
fn jobs_that_depend_on_nothing_run_at_once() {
    let folder = JobFolder::new();
    let meeting = folder.path("meeting");
    std::fs::create_dir(&meeting).unwrap();
    folder.processor_job("a", "", &meet(&meeting, "a", "b"), "");
    folder.processor_job("b", "", &meet(&meeting, "b", "a"), "");
    folder.processor_job("c", ", depends_on: [a, b]", "print('c ran')", "");
    let run = pjob_local(folder.dir.path(), &["-o", "json"]).expect(0);
    let statuses: Vec<(String, Value)> = jobs(&run).into_iter().map(|(name, j)| (name, j["status"].clone())).collect();
    let completed = json!("Completed");
    assert_eq!(statuses, [("a".into(), completed.clone()), ("b".into(), completed.clone()), ("c".into(), completed)], "{}", run.all());
}

#[test]
fn max_concurrent_bounds_the_jobs_running_at_once() {
    let folder = JobFolder::new();
    let lock = folder.path("running");
    // Each job holds `running` while it runs: it fails if another job holds it.
    let code = format!(
        "import os, sys, time; p = {path:?}\ntry: fd = os.open(p, os.O_CREAT | os.O_EXCL)\nexcept FileExistsError: sys.exit(1)\n\
         time.sleep(0.5); os.close(fd); os.remove(p)",
        path = lock.display().to_string()
    );
    for name in ["a", "b", "c"] {
        folder.processor_job(name, "", &code, "");
    }
    let run = pjob_local(folder.dir.path(), &["--max-concurrent", "1", "-o", "json"]).expect(0);
    assert!(jobs(&run).iter().all(|(_, j)| j["status"] == "Completed"), "{}", run.all());
}
