//! `pjob graph`: a set drawn as Mermaid or Graphviz DOT, as snapshots a
//! reviewer reads (a hyphenated name, edges that carry outputs and one that
//! only orders); a set that breaks the set's rules draws nothing.

use crate::support::{JobFolder, Run, pjob_command};

/// `churn-prep` writes `train`; `featurize` reads it; `report` reads it
/// too and runs after `featurize` (`depends_on`, no data).
fn churn_set() -> JobFolder {
    let folder = JobFolder::new();
    let output = |name: &str| format!("  outputs:\n    - name: {name}\n      source: /opt/ml/processing/output/{name}\n");
    let train_input = "  inputs:\n    - name: train\n      source: \"{{ jobs['churn-prep'].outputs.train }}\"\n      destination: /opt/ml/processing/input/train\n";
    folder.processor_job("report", ", depends_on: [featurize]", "pass", train_input);
    folder.processor_job("featurize", "", "pass", &format!("{train_input}{}", output("features")));
    folder.processor_job("churn-prep", "", "pass", &output("train"));
    folder
}

fn graph(folder: &JobFolder, args: &[&str]) -> Run {
    Run::of(pjob_command(["graph"]).arg(folder.dir.path()).args(args))
}

#[test]
fn graph_draws_a_mermaid_flowchart_by_default() {
    let run = graph(&churn_set(), &[]).expect(0);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn graph_draws_a_graphviz_digraph_with_format_dot() {
    let run = graph(&churn_set(), &["--format", "dot"]).expect(0);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn graph_of_a_set_with_an_unknown_job_draws_nothing_and_locates_it() {
    let folder = JobFolder::new();
    folder.processor_job("lonely", ", depends_on: [nobody]", "pass", "");
    let run = graph(&folder, &[]).expect(2);
    assert_eq!(run.stdout, "", "nothing drawn");
    assert!(run.stderr.contains("no job named `nobody` in this set"), "{}", run.all());
    assert!(run.stderr.contains("lonely.pjob.yaml:3:39"), "at `nobody`\n{}", run.all());
}
