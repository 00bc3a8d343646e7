//! A document with thousands of problems lists the first hundred, then
//! says how many more there are.

use std::sync::Arc;

use pjob_jobset::{Loaded, Loader, MAX_PROBLEMS_PER_DOCUMENT};
use pjob_manifest::Target;
use pjob_source::{Code, SourceFile};
use pjob_template::{Renderer, Variables};

#[test]
fn twenty_thousand_bad_inputs_are_a_hundred_problems_and_a_count() {
    let mut text = String::from(
        "apiVersion: pjob/v1\nkind: Processor\nmetadata:\n  name: x\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  image_uri: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1\n  entrypoint: [python3]\n  instance_count: 1\n  instance_type: ml.m5.large\n  inputs:\n",
    );
    for i in 0..20_000 {
        text.push_str(&format!(
            "    - {{name: i{i}, source: s3://b/{i}/, destination: /opt/ml/processing/in/{i}, s3_input_mode: Bogus}}\n"
        ));
    }
    let renderer = Renderer::new(Variables::new());
    let mut loaded = Loaded::default();
    Loader::new(&renderer, Target::Aws).load_file(Arc::new(SourceFile::new("many.yaml", text)), true, &mut loaded);
    let problems = &loaded.diagnostics;
    assert_eq!(problems.len(), MAX_PROBLEMS_PER_DOCUMENT + 1);
    let codes: Vec<String> = problems.iter().take(4).map(|d| format!("{} {}", d.code(), d.message())).collect();
    assert!(problems[..MAX_PROBLEMS_PER_DOCUMENT].iter().all(|d| d.code() != Code::MoreProblems), "{codes:?}");
    let last = problems.last().unwrap();
    assert_eq!(last.code(), Code::MoreProblems);
    assert_eq!(last.message(), "... and 39900 more problem(s) in this document, from here on", "{codes:?}");
    // Two problems on each input's line: the first unlisted one is on input 50's, line 62.
    assert_eq!(last.location().line, 12 + MAX_PROBLEMS_PER_DOCUMENT / 2, "the count stands where the first unlisted problem is");
}
