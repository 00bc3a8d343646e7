//! What a problem says, and where it points: the value at fault, with what
//! to do about it.

use std::path::Path;

use pjob_manifest::{Target, ValidationContext};
use pjob_source::SourceFile;

/// `(line, column, code, message, help)` of every problem of `text`, with
/// relative paths resolving in `base_dir`.
fn problems_in(base_dir: &Path, text: &str) -> Vec<(usize, usize, String, String, String)> {
    let file = SourceFile::new("job.yaml", text);
    let docs = pjob_source::parse(&file).expect("the test manifests are YAML");
    let ctx = ValidationContext { base_dir: base_dir.to_path_buf(), target: Target::Aws };
    match pjob_manifest::validate(&file, &docs[0], &ctx) {
        Ok(_) => Vec::new(),
        Err(ds) => ds
            .iter()
            .map(|d| {
                let help = d.help().map(str::to_string).unwrap_or_default();
                (d.location().line, d.location().column, d.code().to_string(), d.message().to_string(), help)
            })
            .collect(),
    }
}

fn problems(text: &str) -> Vec<(usize, usize, String, String, String)> {
    problems_in(Path::new("."), text)
}

const ROLE: &str = "arn:aws:iam::123456789012:role/R";

#[test]
fn a_number_in_spark_properties_is_pointed_at_with_the_quoted_value() {
    let text = format!(
        "apiVersion: pjob/v1\nkind: PySparkProcessor\nmetadata:\n  name: sp\nspec:\n  role: {ROLE}\n  \
         submit_app: s3://b-1/app.py\n  instance_count: 1\n  instance_type: ml.m5.large\n  configuration:\n    \
         - Classification: spark-defaults\n      Properties:\n        spark.executor.cores: 4\n        \
         spark.dynamicAllocation.enabled: true\n"
    );
    let found = problems(&text);
    let at: Vec<(usize, usize, &str, &str)> = found.iter().map(|(l, c, code, _, help)| (*l, *c, code.as_str(), help.as_str())).collect();
    assert_eq!(at, [(13, 31, "pjob::wrong-type", "quote the value: \"4\""), (14, 42, "pjob::wrong-type", "quote the value: \"true\"")]);
    assert!(found[0].3.contains("`spec.configuration[0].Properties.spark.executor.cores` must be a string"), "{found:?}");
}

#[test]
fn a_folder_named_as_code_is_called_a_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("scripts")).expect("mkdir");
    let text = format!(
        "apiVersion: pjob/v1\nkind: ScriptProcessor\nmetadata:\n  name: s\nspec:\n  role: {ROLE}\n  image_uri: img\n  \
         command: [python3]\n  code: scripts\n  instance_count: 1\n  instance_type: ml.m5.large\n"
    );
    let found = problems_in(dir.path(), &text);
    assert_eq!(found.len(), 1, "{found:?}");
    let (line, column, code, message, help) = &found[0];
    assert_eq!((*line, *column, code.as_str()), (9, 9, "pjob::missing-file"));
    assert_eq!(message, "`scripts` is a folder, but `code` names a file");
    assert!(help.contains("scripts/main.py") && help.contains("source_dir"), "{help}");
}

fn framework(framework: &str, version: &str, extra: &str) -> String {
    format!(
        "apiVersion: pjob/v1\nkind: FrameworkProcessor\nmetadata:\n  name: f\nspec:\n  role: {ROLE}\n  \
         framework: {framework}\n  framework_version: \"{version}\"\n  code: s3://b-1/code.py\n  instance_count: 1\n  \
         instance_type: ml.m5.large\n{extra}"
    )
}

#[test]
fn xgboost_runs_on_py3_only_even_with_an_image() {
    let found = problems(&framework("xgboost", "1.7-1", "  py_version: py310\n  image_uri: img\n"));
    let at: Vec<(usize, usize, &str)> = found.iter().map(|(l, c, code, _, _)| (*l, *c, code.as_str())).collect();
    assert_eq!(at, [(12, 15, "pjob::refused")]);
    assert!(found[0].3.starts_with("Unsupported Python version: py310"), "{found:?}");
    assert!(problems(&framework("xgboost", "1.7-1", "  py_version: py3\n")).is_empty());
}

#[test]
fn tensorflow_legacy_mode_needs_an_image() {
    let found = problems(&framework("tensorflow", "1.10", "  py_version: py2\n"));
    let at: Vec<(usize, usize, &str)> = found.iter().map(|(l, c, code, _, _)| (*l, *c, code.as_str())).collect();
    assert_eq!(at, [(8, 22, "pjob::refused")]);
    assert!(found[0].3.contains("supports only legacy mode"), "{found:?}");
    assert!(problems(&framework("tensorflow", "1.10", "  py_version: py2\n  image_uri: img\n")).is_empty());
    assert!(problems(&framework("tensorflow", "1.11", "  py_version: py3\n")).is_empty());
}

#[test]
fn python_2_ends_with_tensorflow_2_1_1() {
    let found = problems(&framework("tensorflow", "2.2", "  py_version: py2\n  image_uri: img\n"));
    let at: Vec<(usize, usize, &str)> = found.iter().map(|(l, c, code, _, _)| (*l, *c, code.as_str())).collect();
    assert_eq!(at, [(12, 15, "pjob::refused")]);
    assert!(problems(&framework("tensorflow", "2.1.1", "  py_version: py2\n  image_uri: img\n")).is_empty());
}
