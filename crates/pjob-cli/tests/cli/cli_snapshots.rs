//! What the command line prints, as snapshots a reviewer reads: help,
//! validation reports (for people and for CI), rendered requests and the
//! starter manifests of `pjob init`. The snapshots live in `tests/cli/snapshots/`;
//! after a deliberate change, run with `INSTA_UPDATE=always` and review every
//! changed `.snap` file before keeping it.

use std::path::Path;

use crate::support::{Run, pjob_command, repo_root};

/// `pjob ARGS` from the repository root, with no colour, no AWS settings
/// from the environment and a fixed terminal width.
fn pjob(args: &[&str]) -> Run {
    pjob_in(&repo_root(), args)
}

/// [`pjob`], run in `dir` (for folders made by a test).
fn pjob_in(dir: &Path, args: &[&str]) -> Run {
    Run::of(pjob_command(args).current_dir(dir).env("COLUMNS", "100"))
}

#[test]
fn help() {
    let out = pjob(&["--help"]);
    assert_eq!(out.code, 0);
    insta::assert_snapshot!(out.stdout);
}

/// `pjob validate FILE` for people: exit 2, nothing on stdout, the report on stderr.
fn validate_text(file: &str) -> String {
    let out = pjob(&["validate", file]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stdout, "", "validation problems go to stderr");
    out.stderr
}

#[test]
fn validate_reports_every_schema_problem() {
    insta::assert_snapshot!(validate_text("tests/bad-input/multi-schema-errors.yaml"));
}

#[test]
fn validate_reports_every_rule_problem() {
    insta::assert_snapshot!(validate_text("tests/bad-input/multi-semantic-errors.yaml"));
}

#[test]
fn validate_reports_a_yaml_syntax_error() {
    insta::assert_snapshot!(validate_text("tests/bad-input/yaml-tab-indentation.yaml"));
}

#[test]
fn validate_reports_an_undefined_template_variable() {
    insta::assert_snapshot!(validate_text("tests/bad-input/template-several-undefined.yaml"));
}

#[test]
fn validate_reports_a_toml_problem() {
    insta::assert_snapshot!(validate_text("tests/bad-input/multi-errors.toml"));
}

#[test]
fn validate_json_for_ci() {
    let out = pjob(&["validate", "-o", "json", "tests/bad-input/multi-errors.toml", "tests/conformance/processor_minimal/job.yaml"]);
    assert_eq!(out.code, 2);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("valid JSON");
    insta::assert_snapshot!(serde_json::to_string_pretty(&json).expect("JSON prints"));
}

#[test]
fn validate_says_when_all_is_well() {
    let out = pjob(&["validate", "tests/conformance/processor_minimal/job.yaml", "tests/conformance/script_processor_full/job.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(format!("stdout:\n{}\nstderr:\n{}", out.stdout, out.stderr));
}

/// `pjob render MANIFEST` (us-west-2, a fixed default bucket) as JSON.
fn render_json(manifest: &str) -> serde_json::Value {
    let out = pjob(&["render", manifest, "--region", "us-west-2", "--default-bucket", "sagemaker-us-west-2-123456789012"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).expect("render prints JSON")
}

#[test]
fn render_script_processor_with_local_code_as_json() {
    let json = render_json("tests/conformance/script_processor_full/job.yaml");
    insta::assert_snapshot!(serde_json::to_string_pretty(&json).expect("JSON prints"));
}

#[test]
fn default_bucket_prefix_flag_places_default_uris_and_the_manifest_wins() {
    let destinations = |manifest: &str| -> Vec<String> {
        let out = pjob(&["render", manifest, "--region", "us-west-2", "--default-bucket", "bkt", "--default-bucket-prefix", "/flag//p/"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("render prints JSON");
        let outputs = json["jobs"][0]["request"]["ProcessingOutputConfig"]["Outputs"].as_array().expect("outputs").clone();
        outputs.iter().map(|o| o["S3Output"]["S3Uri"].as_str().expect("an S3 URI").to_string()).collect()
    };
    assert_eq!(
        destinations("tests/conformance/processor_output_default_destination/job.yaml"),
        [
            "s3://bkt/flag/p/proc-out-default-1/output/train",
            "s3://bkt/flag/p/proc-out-default-1/output/output-2",
            "s3://data-bucket/explicit/"
        ]
    );
    assert_eq!(
        destinations("tests/conformance/processor_default_bucket_prefix/job.yaml")[0],
        "s3://bkt/team/ml/proc-prefix-1/output/train"
    );
}

#[test]
fn render_processor_as_yaml() {
    let out = pjob(&[
        "render",
        "tests/conformance/processor_env_tags_network/job.yaml",
        "-o",
        "yaml",
        "--region",
        "us-west-2",
        "--default-bucket",
        "sagemaker-us-west-2-123456789012",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn init_prints_a_script_processor_starter() {
    let out = pjob(&["init", "ScriptProcessor", "--file", "-"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    insta::assert_snapshot!(out.stdout);
}

#[test]
fn validate_refuses_a_folder_without_manifests() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir_all(dir.path().join("ci/nested")).expect("make folders");
    std::fs::write(dir.path().join("ci/workflow.yaml"), "on: push\njobs: {}\n").expect("write a file");
    std::fs::write(dir.path().join("ci/nested/notes.txt"), "apiVersion: pjob/v1\n").expect("write a file");
    let text = pjob_in(dir.path(), &["validate", "ci"]);
    assert_eq!(text.code, 2, "a CI step pointed at the wrong folder must fail");
    assert_eq!(text.stdout, "");
    insta::assert_snapshot!(text.stderr);

    let json = pjob_in(dir.path(), &["validate", "ci", "-o", "json"]);
    assert_eq!(json.code, 2);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    assert_eq!(json["valid"], false);
    assert_eq!(json["files"], 0);
    let message = json["errors"][0]["message"].as_str().expect("an error message");
    assert!(message.starts_with("ci: no pjob manifest found in this folder"), "{message}");
    assert!(message.contains("*.yaml, *.yml and *.toml") && message.contains("apiVersion: pjob/"), "{message}");
}

#[test]
fn validate_names_only_the_folder_without_manifests() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir_all(dir.path().join("jobs")).expect("make a folder");
    std::fs::create_dir_all(dir.path().join("empty")).expect("make a folder");
    let job = std::fs::read_to_string(repo_root().join("tests/conformance/processor_minimal/job.yaml")).expect("read a manifest");
    std::fs::write(dir.path().join("jobs/job.yaml"), job).expect("write a manifest");
    let ok = pjob_in(dir.path(), &["validate", "jobs"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let out = pjob_in(dir.path(), &["validate", "jobs", "empty", "-o", "json"]);
    assert_eq!(out.code, 2);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("valid JSON");
    let messages: Vec<&str> = json["errors"].as_array().expect("errors").iter().filter_map(|e| e["message"].as_str()).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].starts_with("empty: no pjob manifest found"), "{messages:?}");
    assert_eq!(json["files"], 1);
}

#[test]
fn render_keeps_tags_in_the_order_written() {
    // The manifest writes `team` before `cost-center`, as the SDK sends them.
    let json = render_json("tests/conformance/processor_env_tags_network/job.yaml");
    let keys: Vec<&str> = json["jobs"][0]["request"]["Tags"].as_array().expect("Tags").iter().filter_map(|t| t["Key"].as_str()).collect();
    assert_eq!(keys, ["team", "cost-center"]);
}

#[test]
fn validate_reports_a_name_taken_twice_at_both_manifests() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::create_dir_all(dir.path().join("jobs")).expect("make a folder");
    let job = std::fs::read_to_string(repo_root().join("tests/conformance/processor_minimal/job.yaml")).expect("read a manifest");
    std::fs::write(dir.path().join("jobs/a.yaml"), &job).expect("write a manifest");
    std::fs::write(dir.path().join("jobs/b.yaml"), format!("# the same job again\n{job}")).expect("write a manifest");
    let out = pjob_in(dir.path(), &["validate", "jobs"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let name_line = job.lines().position(|l| l.trim_start().starts_with("name:")).expect("a name") + 1;
    for (file, line) in [("jobs/b.yaml", name_line + 1), ("jobs/a.yaml", name_line)] {
        let place = format!("{file}:{line}:");
        assert!(out.stderr.contains(&place), "the problem is shown at {place}: {}", out.stderr);
    }
    assert_eq!(out.stderr.matches("pjob::duplicate-job").count(), 2, "{}", out.stderr);
    assert!(out.stderr.contains("two jobs are named"), "{}", out.stderr);
}
