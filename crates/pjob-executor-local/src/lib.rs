//! Runs a compiled pjob job on this machine, the way SageMaker Processing
//! runs its container (`pjob apply --local`).
//!
//! [`run`] takes a [`CompiledJob`] and:
//!
//! 1. creates a job folder with one subfolder per simulated host
//!    (`algo-1` .. `algo-N`, N = `InstanceCount`);
//! 2. stages every input into each host's folder: objects pjob would upload
//!    (the job's [`Artifact`](pjob_compiler::Artifact)s) straight from their
//!    local bytes, everything else from S3 or a [`LocalBucket`], honouring
//!    `S3DataType`, `S3CompressionType` and `S3DataDistributionType`;
//! 3. writes `/opt/ml/config/processingjobconfig.json` and
//!    `resourceconfig.json` as SageMaker writes them;
//! 4. runs `ContainerEntrypoint + ContainerArguments` with `Environment`,
//!    one process per host, all at once: with [`Engine::Host`] this
//!    machine's programs run in a private mount namespace where the host's
//!    folder is mounted at `/opt/ml` (the real `/opt/ml` is never touched);
//!    with [`Engine::Docker`] or [`Engine::Podman`] the job's image runs with
//!    the same mounts;
//! 5. streams every line the processes print, enforces
//!    `MaxRuntimeInSeconds`, and decides `Completed`, `Failed` or `Stopped`
//!    from the exit codes as SageMaker does;
//! 6. delivers outputs to S3 or local folders.

mod config_files;
mod delivery;
mod engine;
mod error;
mod init;
mod layout;
mod objects;
mod outcome;
mod process;
mod sandbox;
mod staging;

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pjob_compiler::CompiledJob;

pub use engine::{Engine, EngineError, check_engine};
pub use error::LocalError;
pub use outcome::{DeliveredOutput, HostResult, JobStatus, Outcome};
pub use sandbox::SandboxError;

/// SageMaker's `MaxRuntimeInSeconds` when a job sets none: one day.
pub const DEFAULT_MAX_RUNTIME: Duration = Duration::from_secs(86_400);

/// How a local run is set up.
#[derive(Debug, Clone)]
pub struct LocalOptions {
    /// What runs the entrypoint.
    pub engine: Engine,
    /// Keep the job folder at `<work_dir>/<job name>` instead of a temporary
    /// folder removed after the run.
    pub work_dir: Option<PathBuf>,
    /// Folder relative local output destinations resolve against (the
    /// manifest's folder).
    pub base_dir: PathBuf,
    /// A bucket that stands for a local folder (the default bucket when no
    /// AWS account is in play).
    pub local_bucket: Option<LocalBucket>,
    /// AWS settings for S3 inputs and outputs (used only when the job has some).
    pub aws: pjob_s3::AwsOptions,
    /// Region written into the job's ARN (`us-east-1` when `None`).
    pub region: Option<String>,
    /// How long a stopped job's processes get between `SIGTERM` and `SIGKILL`.
    pub stop_grace: Duration,
}

impl LocalOptions {
    /// Options for a run with `engine` whose relative paths resolve against
    /// `base_dir`: temporary job folder, no local bucket, AWS from the
    /// standard chain, ten seconds' grace on stop.
    pub fn new(engine: Engine, base_dir: PathBuf) -> LocalOptions {
        LocalOptions {
            engine,
            work_dir: None,
            base_dir,
            local_bucket: None,
            aws: pjob_s3::AwsOptions::default(),
            region: None,
            stop_grace: Duration::from_secs(10),
        }
    }
}

/// An S3 bucket whose objects live in a local folder: `s3://<bucket>/<key>`
/// is the file `<root>/<key>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalBucket {
    /// The bucket name as the compiled request spells it.
    pub bucket: String,
    /// The folder standing for it.
    pub root: PathBuf,
}

/// Something that happened during a run, for the caller to show.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// The job folder is ready.
    JobFolder {
        /// Its path.
        path: &'a std::path::Path,
        /// Whether it is kept after the run.
        kept: bool,
    },
    /// An input was staged for a host.
    Staged {
        /// The input's name.
        input: &'a str,
        /// The host.
        host: &'a str,
        /// Files written.
        files: usize,
    },
    /// Something the user should know (a setting a local run treats differently).
    Notice(&'a str),
    /// A host's process started.
    Started {
        /// The host.
        host: &'a str,
        /// The command line.
        command: &'a [String],
    },
    /// A line a host's process printed (stdout and stderr, in order).
    Log {
        /// The host.
        host: &'a str,
        /// The line, without its line break.
        line: &'a str,
    },
    /// A host's process ended.
    Exited {
        /// The host.
        host: &'a str,
        /// Its exit code (128 + N when killed by signal N).
        code: i32,
    },
    /// An output was delivered.
    Delivered {
        /// The output's name.
        output: &'a str,
        /// Where it went.
        destination: &'a str,
        /// Files delivered (all hosts).
        files: usize,
    },
}

/// Receives [`Event`]s as they happen (from several tasks at once).
pub trait Observer: Send + Sync {
    /// Called for every event.
    fn event(&self, event: Event<'_>);
}

/// An observer that ignores everything.
impl Observer for () {
    fn event(&self, _: Event<'_>) {}
}

/// Runs a compiled job on this machine. `interrupt` resolving to its cause
/// (`"Ctrl-C"`, `"SIGTERM"`: shown in the failure reason) stops the job:
/// its processes get `SIGTERM`, then `SIGKILL` after
/// [`LocalOptions::stop_grace`], and the outcome is `Stopped` with
/// [`Outcome::interrupted`] set. With the host engine, nothing a host
/// started outlives the run, even when pjob is killed (see `init.rs`).
///
/// A job that runs and fails is an `Ok` [`Outcome`]; an `Err` means the job
/// could not be run at all (see [`LocalError`]).
pub async fn run(
    job: &CompiledJob,
    options: &LocalOptions,
    observer: Arc<dyn Observer>,
    interrupt: impl Future<Output = &'static str>,
) -> Result<Outcome, LocalError> {
    outcome::run_job(job, options, observer, interrupt).await
}
