//! `Processor` and `ScriptProcessor`.

use pjob_manifest::{ProcessorSpec, ScriptProcessorSpec};

use super::KindParts;
use super::common::Ctx;
use crate::request::{ProcessingInput, S3CompressionType, S3DataDistributionType, S3DataType, S3Input, S3InputMode};
use crate::{CompileError, s3_uri};

/// Where the SDK mounts a `ScriptProcessor`'s code.
pub(crate) const CODE_DIR: &str = "/opt/ml/processing/input/code";

/// `Processor`: the image and entrypoint as written.
pub(crate) fn processor(spec: &ProcessorSpec) -> KindParts {
    KindParts {
        image_uri: spec.image_uri.clone(),
        entrypoint: spec.entrypoint.clone(),
        arguments: None,
        inputs_before: Vec::new(),
        inputs_after: Vec::new(),
        extra_outputs: Vec::new(),
        artifacts: Vec::new(),
    }
}

/// `ScriptProcessor`: the script becomes input `code`; the entrypoint is
/// `command + [/opt/ml/processing/input/code/<file>]`.
pub(crate) fn script_processor(ctx: &Ctx<'_>, spec: &ScriptProcessorSpec) -> Result<KindParts, CompileError> {
    let file_name = s3_uri::basename(&spec.code).to_string();
    let mut artifacts = Vec::new();
    let code_uri = if s3_uri::is_s3(&spec.code) {
        spec.code.clone()
    } else {
        let uri = ctx.code_uri(&["input", "code", &file_name]);
        artifacts.push(ctx.file_artifact("/spec/code", uri.clone(), &ctx.local_path(&spec.code))?);
        uri
    };
    let mut entrypoint = spec.command.clone();
    entrypoint.push(format!("{CODE_DIR}/{file_name}"));
    Ok(KindParts {
        image_uri: spec.image_uri.clone(),
        entrypoint: Some(entrypoint),
        arguments: None,
        inputs_before: Vec::new(),
        inputs_after: vec![code_input("code", code_uri, CODE_DIR)],
        extra_outputs: Vec::new(),
        artifacts,
    })
}

/// An input the SDK adds for code: S3 prefix, file mode, fully replicated.
pub(crate) fn code_input(name: &str, s3_uri: String, local_path: &str) -> ProcessingInput {
    ProcessingInput {
        input_name: name.to_string(),
        app_managed: false,
        s3_input: Some(S3Input {
            s3_uri,
            local_path: Some(local_path.to_string()),
            s3_data_type: S3DataType::S3Prefix,
            s3_input_mode: Some(S3InputMode::File),
            s3_data_distribution_type: Some(S3DataDistributionType::FullyReplicated),
            s3_compression_type: Some(S3CompressionType::None),
        }),
        dataset_definition: None,
    }
}
