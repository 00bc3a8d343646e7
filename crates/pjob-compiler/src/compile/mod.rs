//! The compiler proper: one module per processor class, sharing the parts
//! every class has.

mod analysis_config;
mod bootstrap;
mod clarify;
mod common;
mod framework;
mod script;
mod spark;

use pjob_manifest::{JobSpec, Manifest};
use sha2::{Digest, Sha256};

use crate::request::{AppSpecification, CreateProcessingJobRequest, ProcessingInput, ProcessingOutput};
use crate::{Artifact, CompileError, CompileOptions, CompiledJob, JobNaming, naming};

/// Stands for the job name until it is known (it may hash the request).
pub(crate) const JOB_NAME: &str = "\u{0}pjob-job-name\u{0}";

/// What a processor class adds to the common request.
pub(crate) struct KindParts {
    /// The image to run.
    pub image_uri: String,
    /// The container entrypoint.
    pub entrypoint: Option<Vec<String>>,
    /// Arguments (overrides the manifest's `arguments` when set).
    pub arguments: Option<Vec<String>>,
    /// Inputs the class adds before the user's.
    pub inputs_before: Vec<ProcessingInput>,
    /// Inputs the class adds after the user's (code, entrypoint, ...).
    pub inputs_after: Vec<ProcessingInput>,
    /// Outputs the class adds after the user's (named like the user's).
    pub extra_outputs: Vec<pjob_manifest::ProcessingOutput>,
    /// Objects to upload.
    pub artifacts: Vec<Artifact>,
}

/// A compiled request whose name is still [`JOB_NAME`].
pub(crate) struct Draft {
    request: CreateProcessingJobRequest,
    artifacts: Vec<Artifact>,
}

/// Compiles everything but the job name.
pub(crate) fn draft(manifest: &Manifest, options: &CompileOptions) -> Result<Draft, CompileError> {
    let ctx = common::Ctx::new(manifest, options);
    let parts = match &manifest.spec {
        JobSpec::Processor(spec) => script::processor(spec),
        JobSpec::ScriptProcessor(spec) => script::script_processor(&ctx, spec)?,
        JobSpec::FrameworkProcessor(spec) => framework::framework_processor(&ctx, spec)?,
        JobSpec::PySparkProcessor(spec) => spark::pyspark_processor(&ctx, spec)?,
        JobSpec::SparkJarProcessor(spec) => spark::spark_jar_processor(&ctx, spec)?,
        JobSpec::ClarifyProcessor(spec) => clarify::clarify_processor(&ctx, spec)?,
    };
    let common_spec = manifest.spec.common();
    let mut artifacts = parts.artifacts;
    let (user_inputs, input_artifacts) = ctx.inputs(&common_spec.inputs)?;
    artifacts.extend(input_artifacts);
    let mut inputs = parts.inputs_before;
    inputs.extend(user_inputs);
    inputs.extend(parts.inputs_after);
    let mut outputs_spec = common_spec.outputs.clone();
    outputs_spec.extend(parts.extra_outputs);
    let outputs: Vec<ProcessingOutput> = ctx.outputs(&outputs_spec);
    let arguments = parts.arguments.unwrap_or_else(|| common_spec.arguments.clone());
    let request = CreateProcessingJobRequest {
        processing_job_name: JOB_NAME.to_string(),
        processing_inputs: inputs,
        processing_output_config: ctx.output_config(outputs),
        processing_resources: ctx.resources(),
        stopping_condition: ctx.stopping_condition(),
        app_specification: AppSpecification {
            image_uri: parts.image_uri,
            container_entrypoint: parts.entrypoint,
            container_arguments: (!arguments.is_empty()).then_some(arguments),
        },
        environment: common_spec.env.clone(),
        network_config: ctx.network_config(),
        role_arn: common_spec.role.clone(),
        experiment_config: ctx.experiment_config(),
        tags: ctx.tags(),
    };
    crate::limits::check(&request)?;
    Ok(Draft { request, artifacts })
}

/// Names the draft and fills the name in everywhere it stands.
pub(crate) fn finish(manifest: &Manifest, draft: Draft, naming: JobNaming, options: &CompileOptions) -> CompiledJob {
    let request_json = serde_json::to_string(&draft.request).expect("requests always serialize");
    let mut hasher = Sha256::new();
    hasher.update(request_json.as_bytes());
    for a in &draft.artifacts {
        hasher.update(b"\n");
        hasher.update(a.uri.as_bytes());
        hasher.update(b" ");
        hasher.update(a.sha256.as_bytes());
    }
    for upstream in &options.upstream {
        hasher.update(b"\nupstream ");
        hasher.update(upstream.as_bytes());
    }
    let content_hash = hex::encode(hasher.finalize());
    let common = manifest.spec.common();
    let name = match naming {
        JobNaming::Fixed => common.job_name.clone().unwrap_or_default(),
        JobNaming::ContentHash => naming::hashed_name(&manifest.metadata.name, &content_hash),
        JobNaming::Timestamp => naming::timestamped_name(&manifest.metadata.name, options.now),
    };
    let mut request = draft.request;
    let filled = fill_job_name(&mut request, &name);
    if filled != request_json.matches(escaped_placeholder()).count() {
        // The placeholder stands somewhere the compiler does not usually put
        // it: fill it in everywhere through a JSON round trip.
        let named = request_json.replace(escaped_placeholder(), &name);
        request = serde_json::from_str(&named).expect("a request with its name filled in still parses");
    }
    let artifacts = draft
        .artifacts
        .into_iter()
        .map(|mut a| {
            a.uri = a.uri.replace(JOB_NAME, &name);
            if let crate::ArtifactBody::Generated { content } = &a.body
                && content.contains(JOB_NAME)
            {
                a = Artifact::generated(a.uri, content.replace(JOB_NAME, &name));
            }
            a
        })
        .collect();
    CompiledJob {
        request,
        artifacts,
        kind: manifest.kind(),
        upload_kms_key: common.kms_key.clone(),
        content_hash,
        naming,
        retry: common.retry.clone(),
        cache: common.cache.clone(),
        default_outputs: common
            .outputs
            .iter()
            .enumerate()
            .filter(|(_, o)| o.destination.is_none() && o.feature_store_output.is_none())
            .map(|(i, o)| o.name.clone().unwrap_or_else(|| format!("output-{}", i + 1)))
            .collect(),
        keep_alive: None,
    }
}

/// The placeholder as it appears inside a JSON string.
fn escaped_placeholder() -> &'static str {
    static ESCAPED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let quoted = serde_json::to_string(JOB_NAME).expect("strings serialize");
        quoted[1..quoted.len() - 1].to_string()
    });
    &ESCAPED
}

/// Puts `name` where the compiler leaves the placeholder (the job name, S3
/// URIs of inputs and outputs, the entrypoint and arguments) and returns
/// how many placeholders it replaced.
fn fill_job_name(request: &mut CreateProcessingJobRequest, name: &str) -> usize {
    let mut filled = 0;
    let mut fill = |s: &mut String| {
        if s.contains(JOB_NAME) {
            filled += s.matches(JOB_NAME).count();
            *s = s.replace(JOB_NAME, name);
        }
    };
    fill(&mut request.processing_job_name);
    for input in &mut request.processing_inputs {
        if let Some(s3) = &mut input.s3_input {
            fill(&mut s3.s3_uri);
        }
    }
    for output in request.processing_output_config.iter_mut().flat_map(|c| c.outputs.iter_mut()) {
        if let Some(s3) = &mut output.s3_output {
            fill(&mut s3.s3_uri);
        }
    }
    let app = &mut request.app_specification;
    for arg in app.container_entrypoint.iter_mut().chain(app.container_arguments.iter_mut()).flatten() {
        fill(arg);
    }
    filled
}
