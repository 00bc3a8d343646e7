//! `pjob apply --local` of a FrameworkProcessor: the bootstrap script
//! unpacks the source folder and runs the entry script, and installs
//! requirements only when the code has a requirements.txt.

use std::os::unix::fs::PermissionsExt;

use crate::support::local::{host_lines, local_command};
use crate::support::{JobFolder, Run};

/// A FrameworkProcessor job over `src/`, run with a `python` first on PATH
/// that records how it was called (the bootstrap calls `python -m pip` to
/// install requirements); returns the run and what that `python` recorded.
fn run_framework_job(job: &JobFolder, name: &str) -> (Run, String) {
    job.write("src/process.py", "import helper\nhelper.greet()\n");
    job.write("src/helper.py", "import sys\ndef greet():\n    print('hello from', sys.argv[1:])\n");
    let manifest = job.write(
        "job.pjob.yaml",
        format!(
            "apiVersion: pjob/v1\nkind: FrameworkProcessor\nmetadata:\n  name: {name}\nspec:\n  \
             role: arn:aws:iam::123456789012:role/R\n  framework: sklearn\n  framework_version: \"1.2-1\"\n  \
             command: [python3]\n  code: process.py\n  source_dir: src\n  instance_count: 1\n  \
             instance_type: ml.m5.large\n  arguments: [--day, \"2024-06-01\"]\n"
        ),
    );
    let bin = job.path("fake-bin");
    let record = job.path("python-calls.txt");
    let fake =
        job.write("fake-bin/python", format!("#!/bin/sh\necho \"$@\" >> '{}'\necho 'fake python: nothing installed'\n", record.display()));
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let run = Run::of(local_command(&manifest, &[]).env("PATH", path));
    let calls = std::fs::read_to_string(record).unwrap_or_default();
    (run, calls)
}

#[test]
fn without_a_requirements_file_the_bootstrap_installs_nothing() {
    let job = JobFolder::new();
    let (run, calls) = run_framework_job(&job, "framework-bare");
    let run = run.expect(0);
    assert_eq!(host_lines(&run, "algo-1"), ["hello from ['--day', '2024-06-01']"], "{}", run.all());
    assert_eq!(calls, "", "pip was not called");
}

#[test]
fn with_a_requirements_file_the_bootstrap_installs_it_first() {
    let job = JobFolder::new();
    job.write("src/requirements.txt", "# nothing really\n");
    let (run, calls) = run_framework_job(&job, "framework-reqs");
    let run = run.expect(0);
    assert!(calls.lines().any(|l| l == "-m pip install -r requirements.txt"), "{calls}");
    let lines = host_lines(&run, "algo-1");
    assert_eq!(lines.last(), Some(&"hello from ['--day', '2024-06-01']"), "{}", run.all());
    assert!(lines.contains(&"fake python: nothing installed"), "{}", run.all());
}
