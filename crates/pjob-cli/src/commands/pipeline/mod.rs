//! `--pipeline NAME`: a set handed to SageMaker Pipelines (SPEC section 9).
//! [`build`] compiles the set into the pipeline's definition and the
//! artifacts its steps read; `render`, `plan`, `apply` and `status` print
//! it, compare it with what SageMaker holds, or run it.

pub(crate) mod apply;
pub(crate) mod plan;
pub(crate) mod render;
pub(crate) mod status;

use std::path::PathBuf;
use std::sync::Arc;

use pjob_compiler::CompiledJob;
use pjob_executor_aws::AwsExecutor;
use pjob_jobset::{CompileSettings, Job};
use pjob_pipeline::{Declared, ParameterDefaults, Pipeline, Step};
use pjob_source::SourceFile;
use serde_json::Value;

use crate::exit::Exit;
use crate::settings::{PipelineSettings, Settings};

/// A set compiled as a pipeline.
pub(crate) struct Built {
    /// The pipeline's name.
    pub name: String,
    /// The definition document.
    pub definition: Value,
    /// The role the pipeline runs as (`--pipeline-role`, or the first job's).
    pub role: String,
    /// The default bucket: artifacts and default outputs go there.
    pub bucket: String,
    /// The compiled jobs, upstream first: their artifacts are uploaded before the pipeline runs.
    pub jobs: Vec<CompiledJob>,
}

impl Built {
    /// Every artifact of every step, as `render` prints them.
    pub fn artifacts(&self) -> Vec<Value> {
        self.jobs.iter().flat_map(|job| job.artifacts.iter().map(|a| serde_json::to_value(a).unwrap_or_default())).collect()
    }
}

/// One job as the set hands it over: its step, the parameter defaults its
/// `vars:` gives, and the compiled job.
struct StepJob {
    step: Step,
    file: Arc<SourceFile>,
    declared: Vec<Declared>,
    compiled: CompiledJob,
}

/// Compiles the set the paths name into `pipeline`. Problems (in a
/// manifest, between jobs, with a parameter) are printed and end the
/// command with exit 2.
pub(crate) fn build(settings: &Settings, pipeline: &PipelineSettings, paths: &[PathBuf], compile: &CompileSettings) -> Result<Built, Exit> {
    let bucket = compile.bucket();
    let per_job = |job: &Job, compiled: &CompiledJob| {
        let prefix = job.manifest.spec.common().default_bucket_prefix.clone().or_else(|| compile.default_bucket_prefix.clone());
        StepJob {
            step: Step::new(job.name(), compiled, job.manifest.metadata.depends_on.clone(), (bucket.clone(), prefix)),
            file: job.file.clone(),
            declared: pjob_pipeline::declared(&job.doc, &pipeline.parameters),
            compiled: compiled.clone(),
        }
    };
    let mut defaults = ParameterDefaults::new(&pipeline.parameters, pipeline.command_line.iter().map(|(k, v)| (k, v)));
    let (mut steps, mut jobs, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    super::aws::compile_set(settings, paths, compile, per_job, |job| {
        let StepJob { step, file, declared, compiled } = job.compiled;
        problems.extend(defaults.observe(&file, declared));
        steps.push(step);
        jobs.push(compiled);
    })?;
    if !problems.is_empty() {
        crate::report::print_all(&problems);
        return Err(Exit::Invalid);
    }
    let parameters = defaults.finish().map_err(|e| {
        crate::report::error(None, &e);
        Exit::Invalid
    })?;
    let set = Pipeline { name: pipeline.name.clone(), parameters, steps };
    let role = pipeline.role.clone().or_else(|| set.default_role().map(str::to_string)).unwrap_or_default();
    let definition = set.definition();
    let size = definition.to_string().len();
    if size > pjob_pipeline::MAX_DEFINITION_BYTES {
        eprintln!(
            "error: the pipeline definition is {size} bytes; SageMaker takes at most {} inline: split the set into smaller pipelines",
            pjob_pipeline::MAX_DEFINITION_BYTES
        );
        return Err(Exit::Invalid);
    }
    Ok(Built { name: set.name, definition, role, bucket, jobs })
}

/// [`build`] for the executor's account and region (the default bucket
/// `sagemaker-<region>-<account>` unless `--default-bucket` is given).
pub(crate) async fn build_for(
    settings: &Settings,
    pipeline: &PipelineSettings,
    executor: &AwsExecutor,
    paths: &[PathBuf],
) -> Result<Built, Exit> {
    let (compile, _) = crate::commands::aws::account_settings(settings, executor, false).await?;
    build(settings, pipeline, paths, &compile)
}
