//! What the commands that talk to SageMaker share: the runtime, the
//! executor, compiling manifests for the real account (streaming: a set
//! is checked offline first, then compiled again keeping only the requests),
//! and exit codes for executor errors.

use std::path::PathBuf;

use pjob_compiler::CompiledJob;
use pjob_executor_aws::{AwsExecutor, ExecutorError};
use pjob_jobset::{CompileSettings, SetItem};
use pjob_manifest::Target;

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

/// A compiled job of the set, with its file and the jobs it depends on.
pub type SetJob = pjob_jobset::SetJob<CompiledJob>;

/// Checks and compiles every manifest offline, streaming (nothing is
/// kept): any problem is reported and ends the command with exit 2 before
/// anything is sent to AWS.
pub fn check_offline(settings: &Settings, paths: &[PathBuf], new: bool) -> Result<(), Exit> {
    compile_set(settings, paths, &settings.compile_settings(new), |_, _| (), |_| {})?;
    load::unused_variables(settings)
}

/// Compiles the set for the executor's account and region: the bucket is
/// `--default-bucket`, or `sagemaker-<region>-<account>` (STS). Streams
/// the manifests again, keeping only the compiled jobs. Returns the jobs
/// in dependency order (otherwise file order) and the bucket.
pub async fn compile_for(settings: &Settings, executor: &AwsExecutor, paths: &[PathBuf], new: bool) -> Result<(Vec<SetJob>, String), Exit> {
    let (compile, bucket) = account_settings(settings, executor, new).await?;
    let mut jobs = Vec::new();
    compile_set(settings, paths, &compile, |_, c| c.clone(), |job| jobs.push(job))?;
    Ok((jobs, bucket))
}

/// Compile settings for the executor's account and region, and the bucket:
/// `--default-bucket`, or `sagemaker-<region>-<account>` (STS).
pub async fn account_settings(settings: &Settings, executor: &AwsExecutor, new: bool) -> Result<(CompileSettings, String), Exit> {
    let bucket = match &settings.compile.default_bucket {
        Some(b) => b.clone(),
        None => executor.default_bucket().await.map_err(|e| fail(None, &e))?,
    };
    let compile = CompileSettings {
        region: Some(executor.region().to_string()),
        default_bucket: Some(bucket.clone()),
        ..settings.compile_settings(new)
    };
    Ok((compile, bucket))
}

/// One pass over the set (see [`Loader::compile_set`](pjob_jobset::Loader::compile_set)):
/// problems are printed as they come, in file order; each compiled job is
/// made into a `T` by `per_job` (on a worker thread) and handed to `keep`.
/// Any problem ends the command with exit 2.
pub fn compile_set<T: Send>(
    settings: &Settings,
    paths: &[PathBuf],
    compile: &CompileSettings,
    per_job: impl Fn(&pjob_jobset::Job, &CompiledJob) -> T + Sync,
    mut keep: impl FnMut(pjob_jobset::SetJob<T>),
) -> Result<(), Exit> {
    let mut invalid = false;
    load::loader(settings, Target::Aws).compile_set(paths, compile, per_job, |item| match item {
        SetItem::Problems { errors, diagnostics } => {
            invalid = true;
            for e in &errors {
                crate::report::error(None, e);
            }
            crate::report::print_all(&diagnostics);
        }
        SetItem::Job(job) if !invalid => keep(job),
        SetItem::Job(_) => {}
    });
    if invalid { Err(Exit::Invalid) } else { Ok(()) }
}
