//! `ClarifyProcessor`: the SDK's `SageMakerClarifyProcessor` runs. The
//! analysis configuration is uploaded next to the results; the job reads the
//! dataset (input `dataset`) and the configuration (input `analysis_config`)
//! and writes to `data_config.s3_output_path` (output `analysis_result`).

use pjob_manifest::{ClarifyProcessorSpec, DatasetType, ProcessingOutput, S3UploadMode};

use super::KindParts;
use super::analysis_config::analysis_config;
use super::common::Ctx;
use crate::request::{ProcessingInput, S3DataType, S3Input, S3InputMode};
use crate::{Artifact, CompileError, image_uri, py_json, s3_uri};

/// Where the Clarify container reads the dataset.
const DATA_DIR: &str = "/opt/ml/processing/input/data";
/// Where the Clarify container reads `analysis_config.json`.
const CONFIG_DIR: &str = "/opt/ml/processing/input/config";
/// Where the Clarify container writes its results.
const OUTPUT_DIR: &str = "/opt/ml/processing/output";
/// The configuration's file name.
const CONFIG_NAME: &str = "analysis_config.json";

/// `ClarifyProcessor`.
pub(crate) fn clarify_processor(ctx: &Ctx<'_>, spec: &ClarifyProcessorSpec) -> Result<KindParts, CompileError> {
    let common = &spec.common;
    for (set, field) in [
        (!common.inputs.is_empty(), "inputs"),
        (!common.outputs.is_empty(), "outputs"),
        (!common.arguments.is_empty(), "arguments"),
        (common.code_location.is_some(), "code_location"),
    ] {
        if set {
            return Err(CompileError::Refused {
                pointer: format!("/spec/{field}"),
                message: format!("a ClarifyProcessor job takes no `{field}`"),
                help: "Clarify reads `data_config.s3_data_input_path` and writes to `data_config.s3_output_path`; remove this field".into(),
            });
        }
    }
    let dc = &spec.data_config;
    let config = analysis_config(spec)?;
    let (config_base, config_pointer) = match &dc.s3_analysis_config_output_path {
        Some(path) => (path.as_str(), "/spec/data_config/s3_analysis_config_output_path"),
        None => (dc.s3_output_path.as_str(), "/spec/data_config/s3_output_path"),
    };
    let config_uri = upload_uri(config_base, CONFIG_NAME)
        .ok_or_else(|| CompileError::BadUri { pointer: config_pointer.into(), uri: config_base.into() })?;
    let dataset = ProcessingInput {
        input_name: "dataset".into(),
        app_managed: false,
        s3_input: Some(S3Input {
            s3_uri: dc.s3_data_input_path.clone(),
            local_path: Some(DATA_DIR.into()),
            s3_data_type: S3DataType::S3Prefix,
            s3_input_mode: Some(S3InputMode::File),
            s3_data_distribution_type: Some(dc.s3_data_distribution_type),
            s3_compression_type: Some(dc.s3_compression_type),
        }),
        dataset_definition: None,
    };
    let result = ProcessingOutput {
        name: Some("analysis_result".into()),
        source: Some(OUTPUT_DIR.into()),
        destination: Some(dc.s3_output_path.clone()),
        // Image explanations are uploaded as they are written.
        s3_upload_mode: if dc.dataset_type == DatasetType::Image { S3UploadMode::Continuous } else { S3UploadMode::EndOfJob },
        app_managed: false,
        feature_store_output: None,
    };
    let image_uri = ctx.resolve_image(image_uri::clarify_image_uri, |_| "/kind".into())?;
    Ok(KindParts {
        image_uri,
        entrypoint: None,
        arguments: None,
        inputs_before: Vec::new(),
        inputs_after: vec![dataset, super::script::code_input("analysis_config", config_uri.clone(), CONFIG_DIR)],
        extra_outputs: vec![result],
        artifacts: vec![Artifact::generated(config_uri, py_json::to_string(&serde_json::Value::Object(config)))],
    })
}

/// Where the SDK's `S3Uploader.upload` puts a file under a prefix:
/// `s3://bucket/<key prefix>/<name>`, keeping a trailing slash of the prefix
/// (`s3://b/out/` gives `s3://b/out//name`, as the SDK does).
fn upload_uri(prefix: &str, name: &str) -> Option<String> {
    let (bucket, key) = s3_uri::split(prefix)?;
    Some(format!("s3://{bucket}/{}/{name}", key.trim_start_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::upload_uri;

    #[test]
    fn config_lands_where_the_sdk_uploads_it() {
        assert_eq!(upload_uri("s3://b/out", "a.json").as_deref(), Some("s3://b/out/a.json"));
        assert_eq!(upload_uri("s3://b/out/", "a.json").as_deref(), Some("s3://b/out//a.json"));
        assert_eq!(upload_uri("s3://b", "a.json").as_deref(), Some("s3://b//a.json"));
        assert_eq!(upload_uri("b/out", "a.json"), None);
    }
}
