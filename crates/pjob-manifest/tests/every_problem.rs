//! Validation reports every problem of a document once: schema problems
//! and rule problems together, and a misspelt field as one mistake.

use std::path::PathBuf;

use pjob_manifest::{Target, ValidationContext};
use pjob_source::SourceFile;

/// `(line, column, code)` of every problem `validate` reports for `text`.
fn problems(text: &str) -> Vec<(usize, usize, String)> {
    let file = SourceFile::new("job.yaml", text);
    let docs = pjob_source::parse(&file).expect("the test manifests are YAML");
    let ctx = ValidationContext { base_dir: PathBuf::from("."), target: Target::Aws };
    match pjob_manifest::validate(&file, &docs[0], &ctx) {
        Ok(_) => Vec::new(),
        Err(ds) => ds.iter().map(|d| (d.location().line, d.location().column, d.code().to_string())).collect(),
    }
}

const HEAD: &str =
    "apiVersion: pjob/v1\nkind: Processor\nmetadata:\n  name: job\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  image_uri: img\n";

#[test]
fn a_misspelt_required_field_is_one_problem() {
    let found = problems(&format!("{HEAD}  instance_count: 1\n  instance_typ: ml.m5.large\n"));
    assert_eq!(found, vec![(9, 3, "pjob::unknown-field".to_string())]);
}

#[test]
fn a_missing_field_with_no_near_miss_is_still_reported() {
    let found = problems(&format!("{HEAD}  instance_count: 1\n  volume_size: 30\n"));
    let codes: Vec<&str> = found.iter().map(|(_, _, c)| c.as_str()).collect();
    assert!(codes.contains(&"pjob::missing-field"), "{found:?}");
    assert!(codes.contains(&"pjob::unknown-field"), "{found:?}");
}

#[test]
fn rules_still_run_beside_schema_problems() {
    let text = format!(
        "{HEAD}  instance_count: \"2\"\n  instance_type: ml.m5.large\n  code_location: s3://Bad_Bucket/x\n  inputs:\n    - source: s3://b-1/raw/\n      destination: /data/raw\n"
    );
    assert_eq!(
        problems(&text),
        vec![(8, 19, "pjob::wrong-type".to_string()), (10, 18, "pjob::bad-uri".to_string()), (13, 20, "pjob::bad-path".to_string()),]
    );
}

#[test]
fn rules_say_nothing_of_a_value_the_schema_refused() {
    // The missing `instance_type` gets a placeholder for the rules; nothing
    // is said of it but that it is missing.
    let found = problems(&format!("{HEAD}  instance_count: 1\n"));
    assert_eq!(found, vec![(5, 1, "pjob::missing-field".to_string())]);
}

#[test]
fn without_a_kind_no_rules_of_some_kind_are_guessed() {
    // The bad bucket would be a rule problem of any kind; with no `kind`
    // the rules do not run, and only the schema speaks.
    let text = "apiVersion: pjob/v1\nmetadata:\n  name: job\nspec:\n  code_location: s3://Bad_Bucket/x\n";
    assert_eq!(problems(text), vec![(1, 1, "pjob::missing-field".to_string())]);
}
