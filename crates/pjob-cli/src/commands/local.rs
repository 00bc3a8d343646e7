//! `pjob apply --local`: run a set of jobs on this machine the way
//! SageMaker runs their container (see `pjob_executor_local`). The set is
//! checked as a whole first (SPEC section 8); its jobs then run as `apply`
//! runs them on SageMaker, each once the jobs it depends on have completed
//! and up to `--max-concurrent` at once, and each job's hosts run at once.
//! A reference to an upstream job's output is the folder that output was
//! delivered to, staged as the dependent job's input: nothing is uploaded.
//! When a job fails or stops, the jobs downstream of it are skipped and the
//! others go on. A stop signal (Ctrl-C, `SIGTERM`, `SIGHUP`) stops the
//! running jobs, removes their folders and starts no more.
//!
//! Without `--default-bucket`, the default bucket is a local folder,
//! `pjob-output/` beside the manifest: outputs without a `destination`
//! land in `pjob-output/<job name>/output/<output name>/`, as they would
//! under `s3://<default bucket>/` on SageMaker.

mod printer;
mod set_run;

use pjob_compiler::{CompileError, CompileOptions, CompiledJob};
use pjob_executor_local::{Engine, LocalBucket, LocalOptions};
use pjob_jobset::Job;
use pjob_manifest::Target;
use pjob_source::{Code, Diagnostic};

use super::aws::runtime;
use crate::args::{self, ApplyArgs};
use crate::exit::Exit;
use crate::settings::Settings;
use crate::{load, report};

/// Folder, beside the manifest, that stands for the default bucket in
/// local runs without `--default-bucket`.
pub const LOCAL_BUCKET_FOLDER: &str = "pjob-output";

/// Region used to resolve images when none is set (the host engine does not
/// run the image; it only appears in `processingjobconfig.json`).
const FALLBACK_REGION: &str = "us-east-1";

/// A compiled job and what running it locally needs.
struct LocalJob {
    /// Its `metadata.name`.
    job: String,
    compiled: CompiledJob,
    options: LocalOptions,
}

/// A job of the set, waiting for its turn.
enum Step {
    /// A job that depends on no other, compiled before anything runs.
    Free(Box<LocalJob>),
    /// A job that depends on others (the `metadata.name`s): compiled once
    /// they have completed.
    Linked(Box<Job>, Vec<String>),
}

impl Step {
    /// The job's `metadata.name` and the names of the jobs it depends on.
    fn dependencies(&self) -> (String, Vec<String>) {
        match self {
            Step::Free(local) => (local.job.clone(), Vec::new()),
            Step::Linked(job, upstream) => (job.name().to_string(), upstream.clone()),
        }
    }
}

/// `pjob apply --local`.
pub fn apply(settings: &Settings, args: &ApplyArgs) -> Exit {
    let steps = match prepare(settings, args) {
        Ok(steps) => steps,
        Err(exit) => return exit,
    };
    match runtime() {
        Ok(rt) => rt.block_on(set_run::run(settings, args, steps)),
        Err(exit) => exit,
    }
}

/// Loads and checks the set (for a local run), compiles every job that
/// depends on no other, and puts the rest after them in dependency order
/// (each checked by the compiler as written): any problem runs nothing.
fn prepare(settings: &Settings, args: &ApplyArgs) -> Result<Vec<Step>, Exit> {
    let mut free = Vec::new();
    let ordered = load::load_checked_set(settings, &args.paths, Target::Local, |job| free.push(job))?;
    let mut steps = Vec::new();
    let mut problems = Vec::new();
    for job in &free {
        match compile(settings, args, job, Vec::new()) {
            Ok(local) => steps.push(Step::Free(Box::new(local))),
            Err(d) => problems.push(*d),
        }
    }
    problems.extend(ordered.jobs.iter().filter_map(|(job, _)| precheck(settings, args, job)));
    if !problems.is_empty() {
        report::print_all(&problems);
        return Err(Exit::Invalid);
    }
    steps.extend(ordered.jobs.into_iter().map(|(job, upstream)| Step::Linked(Box::new(job), upstream)));
    Ok(steps)
}

/// Compiles a job (the job names of its upstream jobs in its hash) for a
/// local run; with the host engine, an image that needs a region that is
/// not set is resolved for us-east-1 (the image is not run).
fn compile(settings: &Settings, args: &ApplyArgs, job: &Job, upstream: Vec<String>) -> Result<LocalJob, Box<Diagnostic>> {
    let engine = engine(args.engine);
    let mut compile = settings.compile_settings(args.new);
    let compiled = match job.compile_after(&compile, upstream.clone()) {
        Err(d) if d.code() == Code::MissingRegion && engine == Engine::Host && compile.region.is_none() => {
            compile.region = Some(FALLBACK_REGION.to_string());
            job.compile_after(&compile, upstream)?
        }
        other => other?,
    };
    let options = local_options(settings, args, job, engine, &compile.options_for(job));
    Ok(LocalJob { job: job.name().to_string(), compiled, options })
}

/// What compiling a job that depends on others finds with its references
/// as written (as `validate` compiles it: offline, nothing fetched, an
/// image resolved for us-east-1 when no region is set, as
/// [`compile`] does), so that a mistake
/// only the compiler catches stops the run before its upstream jobs run.
fn precheck(settings: &Settings, args: &ApplyArgs, job: &Job) -> Option<Diagnostic> {
    let mut options = settings.compile_settings(args.new).options_for(job);
    if engine(args.engine) == Engine::Host {
        options.region.get_or_insert_with(|| FALLBACK_REGION.to_string());
    }
    match job.check_with(&options) {
        Ok(()) | Err(CompileError::GitNotFetched { .. }) => None,
        Err(e) => Some(job.compile_diagnostic(&e)),
    }
}

/// The executor's engine for `--engine`.
fn engine(engine: args::Engine) -> Engine {
    match engine {
        args::Engine::Host => Engine::Host,
        args::Engine::Docker => Engine::Docker,
        args::Engine::Podman => Engine::Podman,
    }
}

fn local_options(settings: &Settings, args: &ApplyArgs, job: &Job, engine: Engine, compiled_with: &CompileOptions) -> LocalOptions {
    let base_dir = job.base_dir();
    let mut options = LocalOptions::new(engine, base_dir.clone());
    options.work_dir = args.work_dir.clone();
    if settings.compile.default_bucket.is_none() {
        options.local_bucket = Some(LocalBucket { bucket: compiled_with.default_bucket.clone(), root: base_dir.join(LOCAL_BUCKET_FOLDER) });
    }
    options.aws = settings.aws.clone();
    options.region = compiled_with.region.clone();
    options
}
