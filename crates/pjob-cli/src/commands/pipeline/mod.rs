//! `--pipeline NAME`: a set handed to SageMaker Pipelines (SPEC section 9).
//! [`build`] compiles the set into the pipeline's definition and the
//! artifacts its steps read (`pjob_pipeline::build`); `render`, `plan`,
//! `apply` and `status` print it, compare it with what SageMaker holds, or
//! run it.

pub(crate) mod apply;
pub(crate) mod plan;
pub(crate) mod render;
pub(crate) mod status;

use std::path::PathBuf;

use pjob_executor_aws::AwsExecutor;
use pjob_jobset::CompileSettings;
use pjob_manifest::Target;
use pjob_pipeline::{BuildError, Built, PipelineOptions};

use crate::exit::Exit;
use crate::settings::Settings;

/// Compiles the set the paths name into the pipeline. Problems (in a
/// manifest, between jobs, with a parameter) are printed and end the
/// command with exit 2.
pub(crate) fn build(settings: &Settings, pipeline: &PipelineOptions, paths: &[PathBuf], compile: &CompileSettings) -> Result<Built, Exit> {
    let loader = crate::load::loader(settings, Target::Aws);
    let printed = |errors: Vec<pjob_jobset::LoadError>, diagnostics: Vec<pjob_source::Diagnostic>| {
        for e in &errors {
            crate::report::error(None, e);
        }
        crate::report::print_all(&diagnostics);
    };
    pjob_pipeline::build(&loader, paths, compile, pipeline, printed).map_err(|e| {
        if !matches!(e, BuildError::Invalid) {
            crate::report::error(None, &e);
        }
        Exit::Invalid
    })
}

/// [`build`] with the offline settings (`--region`, `--default-bucket`),
/// and a `--var` that no template named refused: no AWS call.
pub(crate) fn build_offline(settings: &Settings, pipeline: &PipelineOptions, paths: &[PathBuf]) -> Result<Built, Exit> {
    let built = build(settings, pipeline, paths, &settings.compile_settings(false))?;
    crate::load::unused_variables(settings)?;
    Ok(built)
}

/// Runs `body` with the executor and the set built for its account and
/// region (the default bucket `sagemaker-<region>-<account>` unless
/// `--default-bucket` is given). The set is built offline first, so that
/// every problem is found before anything is sent to AWS.
pub(crate) fn with_built<F, Fut>(settings: &Settings, pipeline: &PipelineOptions, paths: &[PathBuf], body: F) -> Exit
where
    F: FnOnce(AwsExecutor, Built) -> Fut,
    Fut: std::future::Future<Output = Exit>,
{
    if let Err(exit) = build_offline(settings, pipeline, paths) {
        return exit;
    }
    crate::commands::aws::with_executor(settings, |executor| async move {
        let built = match crate::commands::aws::account_settings(settings, &executor, false).await {
            Ok((compile, _)) => build(settings, pipeline, paths, &compile),
            Err(exit) => Err(exit),
        };
        match built {
            Ok(built) => body(executor, built).await,
            Err(exit) => exit,
        }
    })
}
