//! The SDK's pipeline definitions, one test per case of
//! `tests/conformance/pipelines/`: each case's manifests are built as the
//! pipeline `pjob render --pipeline NAME --pipeline-parameter ...
//! --region us-west-2 --default-bucket pjob-default-bucket` builds, and
//! the definition is held against what `Pipeline(...).definition()`
//! returned (`expected.json`): steps by name, each step's `Arguments` as a
//! request is held in the single-job cases, and every upload the SDK made
//! among the artifacts.
//!
//! `cargo test -p pjob-pipeline --test conformance -- <filter>` runs some of them.

// The comparison is the single-job cases' (pjob-jobset's conformance test).
#[path = "../../pjob-jobset/tests/conformance/artifacts.rs"]
mod artifacts;
#[path = "../../pjob-jobset/tests/conformance/json_diff.rs"]
mod json_diff;
#[path = "../../pjob-jobset/tests/conformance/normalize.rs"]
mod normalize;

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use pjob_jobset::{CompileSettings, Loader};
use pjob_manifest::Target;
use pjob_pipeline::{Built, PipelineOptions};
use pjob_template::{Renderer, Variables};
use serde_json::{Value, json};

use json_diff::{Numbers, diff};
use normalize::{DEFAULT_BUCKET, normalize};

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).expect("the crate sits in <repository>/crates/");
    let folder = root.join("tests/conformance/pipelines");
    let entries = std::fs::read_dir(&folder).unwrap_or_else(|e| panic!("cannot read {}: {e}", folder.display()));
    let mut cases: Vec<PathBuf> = entries.map(|e| e.expect("a folder entry").path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(!cases.is_empty(), "{} holds no case", folder.display());
    let trials = cases
        .into_iter()
        .map(|dir| {
            let name = dir.file_name().expect("a case folder has a name").to_string_lossy().into_owned();
            Trial::test(name, move || check(&dir))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}

/// Passes when the case holds; otherwise fails with every difference.
fn check(dir: &Path) -> Result<(), Failed> {
    let problems = problems(dir);
    if problems.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = problems.iter().take(20).map(|p| format!("\n    {p}")).collect();
    Err(format!("pjob differs from the SDK's {}:{}", dir.join("expected.json").display(), shown.concat()).into())
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Every way pjob's pipeline differs from the SDK's.
fn problems(dir: &Path) -> Vec<String> {
    let case = read_json(&dir.join("case.json"));
    let expected = read_json(&dir.join("expected.json"));
    let built = build(dir, &case);
    if let Some(error) = expected.get("error") {
        return match built {
            Ok(_) => vec![format!("expected a refusal (the SDK: {error}), but pjob builds the pipeline")],
            Err(_) => Vec::new(),
        };
    }
    let built = match built {
        Ok(built) => built,
        Err(refusal) => return std::iter::once("pjob refuses the set:".to_owned()).chain(refusal).collect(),
    };
    let mut problems = definition_problems(&expected["pipeline"]["definition"], &built.definition);
    if expected["pipeline"]["name"] != json!(built.name) {
        problems.push(format!("pipeline name {} , expected {}", built.name, expected["pipeline"]["name"]));
    }
    problems.extend(artifacts::problems(dir, &expected, &json!({ "artifacts": built.artifacts() })));
    problems
}

/// The case's folder built as its pipeline, or every problem pjob reports.
fn build(dir: &Path, case: &Value) -> Result<Built, Vec<String>> {
    let parameters: Vec<String> =
        case["parameters"].as_array().into_iter().flatten().filter_map(|p| p.as_str().map(String::from)).collect();
    let renderer = Renderer::new(Variables::new()).with_pipeline_parameters(parameters.clone());
    let loader = Loader::new(&renderer, Target::Aws);
    let settings =
        CompileSettings { region: Some("us-west-2".into()), default_bucket: Some(DEFAULT_BUCKET.into()), ..CompileSettings::default() };
    let options = PipelineOptions { name: case["pipeline"].as_str().unwrap_or_default().into(), parameters, ..PipelineOptions::default() };
    let mut reported = Vec::new();
    let built = pjob_pipeline::build(&loader, &[dir.to_path_buf()], &settings, &options, |errors, diagnostics| {
        reported.extend(errors.iter().map(ToString::to_string));
        reported.extend(diagnostics.iter().map(|d| format!("{}: {}", d.location(), d.message())));
    });
    built.map_err(|e| {
        reported.push(e.to_string());
        reported
    })
}

/// The definitions' differences: the document's own fields exactly, the
/// steps matched by name, each step's `Arguments` normalized as a request.
fn definition_problems(expected: &Value, actual: &Value) -> Vec<String> {
    let (expected_steps, expected_rest) = steps_and_rest(expected);
    let (actual_steps, actual_rest) = steps_and_rest(actual);
    let mut problems = diff(&expected_rest, &actual_rest, Numbers::Typed);
    for (name, expected_step) in &expected_steps {
        let Some(actual_step) = actual_steps.iter().find(|(n, _)| n == name).map(|(_, s)| s) else {
            problems.push(format!("step {name}: missing"));
            continue;
        };
        let (mut expected_step, mut actual_step) = (expected_step.clone(), actual_step.clone());
        let (expected_arguments, actual_arguments) = (take(&mut expected_step, "Arguments"), take(&mut actual_step, "Arguments"));
        let arguments = diff(&normalize(&expected_arguments), &normalize(&actual_arguments), Numbers::Typed);
        problems.extend(arguments.into_iter().map(|p| format!("step {name}: Arguments{}", &p[1..])));
        problems.extend(diff(&expected_step, &actual_step, Numbers::ByValue).into_iter().map(|p| format!("step {name}: {p}")));
    }
    let unexpected = actual_steps.iter().filter(|(name, _)| expected_steps.iter().all(|(n, _)| n != name));
    problems.extend(unexpected.map(|(name, _)| format!("step {name}: not in the SDK's definition")));
    problems
}

/// The steps by name, and the document without them.
fn steps_and_rest(definition: &Value) -> (Vec<(String, Value)>, Value) {
    let mut rest = definition.clone();
    let steps = take(&mut rest, "Steps");
    let named = steps.as_array().into_iter().flatten().map(|s| (s["Name"].as_str().unwrap_or_default().to_string(), s.clone())).collect();
    (named, rest)
}

fn take(value: &mut Value, field: &str) -> Value {
    value.as_object_mut().and_then(|o| o.remove(field)).unwrap_or(Value::Null)
}
