use pjob_manifest::{RetryCategory, RetryPolicy, StepCache};
use pjob_template::reference::{Reference, Target, parameter_marker};
use serde_json::json;

use super::*;

fn step(name: &str, request: Value) -> Step {
    Step {
        name: name.into(),
        request,
        default_outputs: Vec::new(),
        depends_on: Vec::new(),
        retry: None,
        cache: None,
        bucket: ("bkt".into(), None),
    }
}

fn prep() -> Step {
    let request = json!({
        "ProcessingJobName": "prep-0123456789",
        "RoleArn": "arn:aws:iam::123456789012:role/Prep",
        "AppSpecification": {"ImageUri": "img", "ContainerArguments": ["--rate", parameter_marker("rate", None)]},
        "ProcessingOutputConfig": {"Outputs": [
            {"OutputName": "train", "S3Output": {"S3Uri": "s3://bkt/prep-0123456789/output/train", "LocalPath": "/opt/ml/processing/train"}},
            {"OutputName": "kept", "S3Output": {"S3Uri": "s3://mine/kept", "LocalPath": "/opt/ml/processing/kept"}},
        ]},
    });
    Step {
        default_outputs: vec!["train".into()],
        retry: Some(RetryPolicy {
            attempts: 3,
            on: vec![RetryCategory::CapacityError, RetryCategory::ResourceLimitExceeded],
            interval_seconds: 5,
            backoff_rate: 1.5,
        }),
        cache: Some(StepCache { expire_after: "P30D".into() }),
        ..step("prep", request)
    }
}

fn eval() -> Step {
    let train = Reference { job: "prep".into(), target: Target::Output("train".into()) }.marker();
    let request = json!({
        "ProcessingJobName": "eval-0123456789",
        "RoleArn": "arn:aws:iam::123456789012:role/Eval",
        "ProcessingInputs": [{"InputName": "train", "S3Input": {"S3Uri": train}}],
    });
    Step { depends_on: vec!["prep".into()], ..step("eval", request) }
}

#[test]
fn a_definition_holds_parameters_steps_and_their_settings() {
    let rate = Parameter { name: "rate".into(), kind: ParameterType::Float, default: json!(0.2) };
    let pipeline = Pipeline { name: "demo".into(), parameters: vec![rate], steps: vec![prep(), eval()] };
    insta::assert_json_snapshot!(pipeline.definition());
    assert_eq!(pipeline.default_role(), Some("arn:aws:iam::123456789012:role/Prep"));
}

#[test]
fn a_default_output_keeps_the_bucket_prefix() {
    let pipeline = Pipeline {
        name: "demo".into(),
        parameters: Vec::new(),
        steps: vec![Step { bucket: ("bkt".into(), Some("team/a".into())), ..prep() }],
    };
    let definition = pipeline.definition();
    let values = &definition["Steps"][0]["Arguments"]["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3Uri"]["Std:Join"]["Values"];
    assert_eq!(values.as_array().unwrap()[..3], [json!("s3:/"), json!("bkt"), json!("team/a")]);
}

#[test]
fn pipeline_names_follow_sagemakers_pattern() {
    assert!(is_valid_name("churn-weekly-2"));
    for bad in ["", "-a", "a-", "a_b", "a.b", &"a".repeat(257)] {
        assert!(!is_valid_name(bad), "{bad}");
    }
}
