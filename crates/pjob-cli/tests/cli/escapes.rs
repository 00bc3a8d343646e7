//! Nothing a manifest names is written outside the documented folders: an
//! input or output name is a plain name, and `file://localhost/` is this
//! machine.

use crate::support::JobFolder;
use crate::support::local::pjob_local;

const WRITE: &str = "open('/opt/ml/processing/output/f.txt', 'w').write('hi')\n";

#[test]
fn an_output_name_with_dot_dot_is_refused_before_anything_runs() {
    let job = JobFolder::new();
    let outputs = "  outputs:\n    - name: x/../../../../ESCAPED\n      source: /opt/ml/processing/output\n";
    let manifest = job.script_job("escape", 1, WRITE, outputs);
    let run = pjob_local(&manifest, &[]).expect(2);
    assert!(run.stderr.contains("x/../../../../ESCAPED"), "{}", run.all());
    assert!(run.stderr.contains("job.pjob.yaml:13:13]"), "the error names the line and column: {}", run.all());
    assert!(!job.path("ESCAPED").exists() && !job.path("../ESCAPED").exists(), "{}", run.all());
    assert!(!job.path("pjob-output").exists(), "nothing ran: {}", run.all());
}

#[test]
fn file_localhost_is_this_machine() {
    let job = JobFolder::new();
    let target = job.path("delivered-here");
    let outputs = format!(
        "  outputs:\n    - name: o\n      source: /opt/ml/processing/output\n      destination: file://localhost{}\n",
        target.display()
    );
    let manifest = job.script_job("localhost", 1, WRITE, &outputs);
    let run = pjob_local(&manifest, &[]).expect(0);
    assert_eq!(job.read("delivered-here/f.txt"), "hi", "{}", run.all());
    assert!(!job.path("localhost").exists(), "not a folder named localhost: {}", run.all());
}
