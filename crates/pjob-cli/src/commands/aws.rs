//! What the commands that talk to SageMaker share: the runtime, the
//! executor, compiling manifests for the real account, and exit codes for
//! executor errors.

use std::path::PathBuf;

use pjob_compiler::CompiledJob;
use pjob_executor_aws::{AwsExecutor, AwsOptions, ExecutorError};
use pjob_manifest::Target;

use crate::args::GlobalArgs;
use crate::commands::render::{compile_all, compile_options};
use crate::exit::Exit;
use crate::load::{self, Job};
use crate::report;

/// A tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Exit> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| {
        eprintln!("error: cannot start the async runtime: {e}");
        Exit::Aws
    })
}

/// The executor for the global options (`--region`, `--profile`,
/// `--endpoint-url`); makes no AWS call.
pub async fn connect(global: &GlobalArgs) -> Result<AwsExecutor, Exit> {
    let options = AwsOptions {
        region: global.region.clone().filter(|r| !r.is_empty()),
        profile: global.profile.clone().filter(|p| !p.is_empty()),
        endpoint_url: global.endpoint_url.clone().filter(|e| !e.is_empty()),
        max_attempts: None,
    };
    AwsExecutor::connect(&options).await.map_err(|e| fail(None, &e))
}

/// Runs `body` with the executor for the global options, on a runtime of
/// its own; a runtime or setup failure ends the command first.
pub fn with_executor<F, Fut>(global: &GlobalArgs, body: F) -> Exit
where
    F: FnOnce(AwsExecutor) -> Fut,
    Fut: std::future::Future<Output = Exit>,
{
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    rt.block_on(async {
        match connect(global).await {
            Ok(executor) => body(executor).await,
            Err(exit) => exit,
        }
    })
}

/// Prints an executor error (for a job, when named) and says how pjob ends.
pub fn fail(job: Option<&str>, e: &ExecutorError) -> Exit {
    match job {
        Some(job) => eprintln!("error: {job}: {e}"),
        None => eprintln!("error: {e}"),
    }
    exit_for(e)
}

/// The exit code for an executor error: 2 for what the user can fix
/// locally (no region, an unreadable file, a request SageMaker cannot
/// hold), 3 for AWS and network errors.
pub fn exit_for(e: &ExecutorError) -> Exit {
    match e {
        ExecutorError::Setup(_) | ExecutorError::Artifact { .. } | ExecutorError::Convert { .. } => Exit::Invalid,
        _ => Exit::Aws,
    }
}

/// Loads, validates and compiles manifests without AWS: any problem is
/// reported as `pjob render` reports it and ends the command with exit 2
/// before anything is sent.
pub fn load_offline(global: &GlobalArgs, paths: &[PathBuf], new: bool) -> Result<Vec<Job>, Exit> {
    let renderer = super::renderer(global)?;
    let loaded = load::load(paths, &renderer, Target::Aws);
    if loaded.has_problems() {
        for e in &loaded.errors {
            eprintln!("error: {e}");
        }
        report::print_all(&loaded.diagnostics);
        return Err(Exit::Invalid);
    }
    if let Err(problems) = compile_all(&loaded.jobs, |job| compile_options(global, job, new, None)) {
        report::print_all(&problems);
        return Err(Exit::Invalid);
    }
    Ok(loaded.jobs)
}

/// Compiles jobs for the executor's account and region: the bucket is
/// `--default-bucket`, or `sagemaker-<region>-<account>` (STS). Returns the
/// jobs and the bucket.
pub async fn compile_for(global: &GlobalArgs, executor: &AwsExecutor, jobs: &[Job], new: bool) -> Result<(Vec<CompiledJob>, String), Exit> {
    let bucket = match &global.default_bucket {
        Some(b) => b.clone(),
        None => executor.default_bucket().await.map_err(|e| fail(None, &e))?,
    };
    let region = executor.region().to_string();
    let compiled = compile_all(jobs, |job| {
        let mut options = compile_options(global, job, new, Some(&bucket));
        options.region = Some(region.clone());
        options
    });
    match compiled {
        Ok(compiled) => Ok((compiled, bucket)),
        Err(problems) => {
            report::print_all(&problems);
            Err(Exit::Invalid)
        }
    }
}
