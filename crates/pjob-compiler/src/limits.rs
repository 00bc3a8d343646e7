//! The limits `CreateProcessingJob` puts on its lists, maps and strings
//! (the API reference's "Array Members" and "Length Constraints"), checked
//! on the compiled request, so that what the compiler adds (a ScriptProcessor's
//! code input, Spark's arguments) counts too. A request past a limit is a
//! compile error at the manifest field behind it, never a call AWS refuses.

use crate::CompileError;
use crate::request::CreateProcessingJobRequest;

/// `ProcessingInputs`: at most 10.
pub const MAX_INPUTS: usize = 10;
/// `ProcessingOutputConfig.Outputs`: at most 10.
pub const MAX_OUTPUTS: usize = 10;
/// `Environment`: at most 100 entries.
pub const MAX_ENVIRONMENT: usize = 100;
/// `Tags`: at most 50.
pub const MAX_TAGS: usize = 50;
/// `ContainerEntrypoint` and `ContainerArguments`: at most 100 items each.
pub const MAX_CONTAINER_ITEMS: usize = 100;
/// Each entrypoint item, argument, environment key and value, local path: at most 256 characters.
pub const MAX_ITEM_CHARS: usize = 256;
/// `VpcConfig.SecurityGroupIds`: at most 5.
pub const MAX_SECURITY_GROUPS: usize = 5;
/// `VpcConfig.Subnets`: at most 16.
pub const MAX_SUBNETS: usize = 16;
/// An `S3Uri`: at most 1024 characters.
pub const MAX_S3_URI_CHARS: usize = 1024;

/// Checks every limit; the first one passed is the error.
pub(crate) fn check(request: &CreateProcessingJobRequest) -> Result<(), CompileError> {
    let inputs = &request.processing_inputs;
    let outputs = request.processing_output_config.as_ref().map_or(&[][..], |c| &c.outputs[..]);
    count("/spec/inputs", "inputs (with those the processor adds)", inputs.len(), MAX_INPUTS)?;
    count("/spec/outputs", "outputs (with those the processor adds)", outputs.len(), MAX_OUTPUTS)?;
    count("/spec/env", "environment variables", request.environment.len(), MAX_ENVIRONMENT)?;
    count("/metadata/tags", "tags", request.tags.len(), MAX_TAGS)?;
    let app = &request.app_specification;
    let entrypoint = app.container_entrypoint.as_deref().unwrap_or_default();
    let arguments = app.container_arguments.as_deref().unwrap_or_default();
    count("/spec", "entrypoint items", entrypoint.len(), MAX_CONTAINER_ITEMS)?;
    count("/spec/arguments", "container arguments (with those the processor adds)", arguments.len(), MAX_CONTAINER_ITEMS)?;
    let strings = entrypoint
        .iter()
        .map(|s| ("/spec", "an entrypoint item", s.as_str()))
        .chain(arguments.iter().map(|s| ("/spec/arguments", "an argument", s.as_str())));
    let env = request.environment.iter().flat_map(|(k, v)| {
        [("/spec/env", "an environment variable's name", k.as_str()), ("/spec/env", "an environment variable's value", v.as_str())]
    });
    for (pointer, what, text) in strings.chain(env) {
        length(pointer, what, text, MAX_ITEM_CHARS)?;
    }
    for input in inputs.iter().filter_map(|i| i.s3_input.as_ref()) {
        length("/spec/inputs", "an input's source URI", &input.s3_uri, MAX_S3_URI_CHARS)?;
    }
    for output in outputs.iter().filter_map(|o| o.s3_output.as_ref()) {
        length("/spec/outputs", "an output's destination URI", &output.s3_uri, MAX_S3_URI_CHARS)?;
    }
    if let Some(vpc) = request.network_config.as_ref().and_then(|n| n.vpc_config.as_ref()) {
        count("/spec/network_config/security_group_ids", "security groups", vpc.security_group_ids.len(), MAX_SECURITY_GROUPS)?;
        count("/spec/network_config/subnets", "subnets", vpc.subnets.len(), MAX_SUBNETS)?;
    }
    Ok(())
}

fn count(pointer: &str, what: &str, n: usize, max: usize) -> Result<(), CompileError> {
    if n <= max {
        return Ok(());
    }
    Err(CompileError::Limit {
        pointer: pointer.into(),
        message: format!("the job has {n} {what}; SageMaker's CreateProcessingJob takes at most {max}"),
        help: format!("use at most {max}"),
        too_long: false,
    })
}

fn length(pointer: &str, what: &str, text: &str, max: usize) -> Result<(), CompileError> {
    // Characters are never more than bytes: most texts need no counting.
    if text.len() <= max {
        return Ok(());
    }
    let n = text.chars().count();
    if n <= max {
        return Ok(());
    }
    Err(CompileError::Limit {
        pointer: pointer.into(),
        message: format!("{what} has {n} characters; SageMaker's CreateProcessingJob takes at most {max}"),
        help: format!("shorten it to at most {max} characters"),
        too_long: true,
    })
}

#[cfg(test)]
mod tests {
    use super::{MAX_ITEM_CHARS, length};

    #[test]
    fn lengths_count_characters_not_bytes() {
        let within = |text: &str| length("/spec/env", "a value", text, MAX_ITEM_CHARS).is_ok();
        assert!(within(&"a".repeat(MAX_ITEM_CHARS)));
        assert!(!within(&"a".repeat(MAX_ITEM_CHARS + 1)));
        // Two bytes a character: twice the bytes of the limit, and within it.
        assert!(within(&"é".repeat(MAX_ITEM_CHARS)));
        assert!(!within(&"é".repeat(MAX_ITEM_CHARS + 1)));
    }
}
