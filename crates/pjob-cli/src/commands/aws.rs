//! What the commands that talk to SageMaker share: the runtime, the
//! executor, compiling manifests for the real account (streaming: a set
//! is checked offline first, then compiled again keeping only the requests),
//! and exit codes for executor errors.

use std::path::PathBuf;

use pjob_compiler::CompiledJob;
use pjob_executor_aws::{AwsExecutor, ExecutorError};
use pjob_jobset::{CompileSettings, LoadError, Loaded};
use pjob_manifest::Target;
use pjob_source::Diagnostic;

use crate::exit::Exit;
use crate::load;
use crate::settings::Settings;

/// A tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, Exit> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| {
        eprintln!("error: cannot start the async runtime: {e}");
        Exit::Aws
    })
}

/// The executor for the global options (`--region`, `--profile`,
/// `--endpoint-url`); makes no AWS call.
pub async fn connect(settings: &Settings) -> Result<AwsExecutor, Exit> {
    let executor = AwsExecutor::connect(&settings.aws).await.map_err(|e| fail(None, &e))?;
    Ok(match emulator_speed() {
        Some(speed) => executor.with_speed(speed),
        None => executor,
    })
}

/// `PJOB_EMULATOR_SPEED`: for tests against an emulator that plays AWS
/// time faster, API rates times this and poll intervals divided by it.
/// Not for AWS itself (undocumented on purpose).
fn emulator_speed() -> Option<f64> {
    std::env::var("PJOB_EMULATOR_SPEED").ok()?.trim().parse().ok().filter(|s: &f64| s.is_finite() && *s > 0.0)
}

/// Runs `body` with the executor for the global options, on a runtime of
/// its own; a runtime or setup failure ends the command first.
pub fn with_executor<F, Fut>(settings: &Settings, body: F) -> Exit
where
    F: FnOnce(AwsExecutor) -> Fut,
    Fut: std::future::Future<Output = Exit>,
{
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    rt.block_on(async {
        match connect(settings).await {
            Ok(executor) => body(executor).await,
            Err(exit) => exit,
        }
    })
}

/// Prints an executor error (for a job, when named) and says how pjob ends.
pub fn fail(job: Option<&str>, e: &ExecutorError) -> Exit {
    crate::report::error(job, e);
    exit_for(e)
}

/// The exit code for an executor error: 2 for what the manifest gets wrong
/// (an unreadable file, a request SageMaker cannot hold), 3 for the AWS
/// environment (no region, an unknown profile, no credentials, access
/// denied) and for AWS and network errors.
pub fn exit_for(e: &ExecutorError) -> Exit {
    match e {
        ExecutorError::Artifact { .. } | ExecutorError::Convert { .. } => Exit::Invalid,
        _ => Exit::Aws,
    }
}

/// A compiled job and the manifest file it came from.
pub struct SetJob {
    /// The manifest file, as named on the command line.
    pub file: String,
    /// The manifest's `metadata.name`.
    pub job: String,
    /// The job.
    pub compiled: CompiledJob,
}

/// One file's share of a pass over the set.
struct FilePass {
    errors: Vec<LoadError>,
    problems: Vec<Diagnostic>,
    jobs: Vec<SetJob>,
}

/// Checks and compiles every manifest offline, streaming (nothing is
/// kept): any problem is reported and ends the command with exit 2 before
/// anything is sent to AWS.
pub fn check_offline(settings: &Settings, paths: &[PathBuf], new: bool) -> Result<(), Exit> {
    compile_set(settings, paths, &settings.compile_settings(new), false)?;
    load::unused_variables(settings)
}

/// Compiles the set for the executor's account and region: the bucket is
/// `--default-bucket`, or `sagemaker-<region>-<account>` (STS). Streams
/// the manifests again, keeping only the compiled jobs. Returns the jobs
/// in file order and the bucket.
pub async fn compile_for(settings: &Settings, executor: &AwsExecutor, paths: &[PathBuf], new: bool) -> Result<(Vec<SetJob>, String), Exit> {
    let bucket = match &settings.compile.default_bucket {
        Some(b) => b.clone(),
        None => executor.default_bucket().await.map_err(|e| fail(None, &e))?,
    };
    let compile = CompileSettings {
        region: Some(executor.region().to_string()),
        default_bucket: Some(bucket.clone()),
        ..settings.compile_settings(new)
    };
    Ok((compile_set(settings, paths, &compile, true)?, bucket))
}

/// One pass over the set: each file loaded and compiled on a worker
/// thread, its problems printed in file order; the compiled jobs kept when
/// `keep` says so.
fn compile_set(settings: &Settings, paths: &[PathBuf], compile: &CompileSettings, keep: bool) -> Result<Vec<SetJob>, Exit> {
    let mut jobs = Vec::new();
    let mut invalid = false;
    load::loader(settings, Target::Aws).stream(
        paths,
        |loaded| compile_file(loaded, compile, keep),
        |file| {
            invalid |= !file.errors.is_empty() || !file.problems.is_empty();
            for e in &file.errors {
                crate::report::error(None, e);
            }
            crate::report::print_all(&file.problems);
            jobs.extend(file.jobs);
        },
    );
    if invalid { Err(Exit::Invalid) } else { Ok(jobs) }
}

fn compile_file(loaded: Loaded, compile: &CompileSettings, keep: bool) -> FilePass {
    let mut pass = FilePass { errors: loaded.errors, problems: loaded.diagnostics, jobs: Vec::new() };
    for job in &loaded.jobs {
        match job.compile(compile) {
            Ok(compiled) if keep => {
                pass.jobs.push(SetJob { file: job.file.path().display().to_string(), job: job.manifest.metadata.name.clone(), compiled })
            }
            Ok(_) => {}
            Err(d) => pass.problems.push(*d),
        }
    }
    pass
}
