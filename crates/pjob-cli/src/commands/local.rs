//! `pjob apply --local`: run jobs on this machine the way SageMaker runs
//! their container (see `pjob_executor_local`). Jobs run one after another;
//! each job's hosts run at once. A stop signal (Ctrl-C, `SIGTERM`,
//! `SIGHUP`) stops the running job and removes its folder.
//!
//! Without `--default-bucket`, the default bucket is a local folder,
//! `pjob-output/` beside the manifest: outputs without a `destination`
//! land in `pjob-output/<job name>/output/<output name>/`, as they would
//! under `s3://<default bucket>/` on SageMaker.

use std::sync::Arc;

use pjob_compiler::{CompileError, CompileOptions, CompiledJob};
use pjob_executor_local::{Engine, Event, JobStatus, LocalBucket, LocalOptions, Observer, Outcome};
use pjob_jobset::Job;
use pjob_manifest::Target;
use tokio::sync::watch;

use super::aws::runtime;
use crate::args::{self, ApplyArgs};
use crate::exit::Exit;
use crate::settings::Settings;
use crate::stop_signals::StopSignals;
use crate::{load, report};

/// Folder, beside the manifest, that stands for the default bucket in
/// local runs without `--default-bucket`.
pub const LOCAL_BUCKET_FOLDER: &str = "pjob-output";

/// Region used to resolve images when none is set (the host engine does not
/// run the image; it only appears in `processingjobconfig.json`).
const FALLBACK_REGION: &str = "us-east-1";

/// A compiled job and what running it locally needs.
struct LocalJob {
    compiled: CompiledJob,
    options: LocalOptions,
}

/// `pjob apply --local`.
pub fn apply(settings: &Settings, args: &ApplyArgs) -> Exit {
    let jobs = match prepare(settings, args) {
        Ok(jobs) => jobs,
        Err(exit) => return exit,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    let structured = settings.structured();
    rt.block_on(async {
        // One listener for the whole command, registered before any job folder
        // exists: a job started later still sees the signal.
        let mut stop = StopSignals::listen();
        let (interrupt_tx, interrupt_rx) = watch::channel(None);
        tokio::spawn(async move {
            let cause = stop.next().await;
            eprintln!("pjob: {cause} received: stopping");
            let _ = interrupt_tx.send(Some(cause));
        });
        let several = jobs.len() > 1;
        let mut exit = Exit::Success;
        let mut summaries = Vec::new();
        for job in &jobs {
            let name = job.compiled.name().to_string();
            let printer = Arc::new(Printer { job: name.clone(), name_logs: several, logs_to_stderr: structured });
            if job.options.engine == Engine::Host {
                printer.note(&format!(
                    "running locally with this machine's programs (--engine host): the image {} is not pulled",
                    job.compiled.request.app_specification.image_uri
                ));
            }
            let mut rx = interrupt_rx.clone();
            let interrupt = async move {
                match rx.wait_for(Option::is_some).await {
                    Ok(cause) => cause.unwrap_or("Ctrl-C"),
                    Err(_) => std::future::pending().await,
                }
            };
            let outcome = pjob_executor_local::run(&job.compiled, &job.options, printer.clone(), interrupt).await;
            let job_exit = match &outcome {
                Ok(outcome) => {
                    report_outcome(&printer, outcome);
                    summaries.push(summary(outcome));
                    match outcome.status {
                        _ if outcome.interrupted => Exit::Interrupted,
                        JobStatus::Completed => Exit::Success,
                        JobStatus::Failed | JobStatus::Stopped => Exit::JobFailed,
                    }
                }
                Err(e) => {
                    crate::report::error(Some(&name), e);
                    summaries.push(serde_json::json!({"name": name, "error": e.to_string()}));
                    if e.is_usage() { Exit::Invalid } else { Exit::Aws }
                }
            };
            exit = exit.worst(job_exit);
            if exit == Exit::Interrupted {
                break;
            }
        }
        if let Some(format) = settings.output.filter(|_| structured) {
            crate::output::print(&serde_json::json!({ "jobs": summaries }), format);
        }
        exit
    })
}

/// Loads, validates (for a local run) and compiles every job.
fn prepare(settings: &Settings, args: &ApplyArgs) -> Result<Vec<LocalJob>, Exit> {
    let loaded = load::load(settings, &args.paths, Target::Local)?;
    let engine = match args.engine {
        args::Engine::Host => Engine::Host,
        args::Engine::Docker => Engine::Docker,
        args::Engine::Podman => Engine::Podman,
    };
    let mut jobs = Vec::new();
    let mut problems = Vec::new();
    for job in &loaded {
        match compile(settings, args, job, engine) {
            Ok((compiled, compiled_with)) => {
                let options = local_options(settings, args, job, engine, &compiled_with);
                jobs.push(LocalJob { compiled, options });
            }
            Err(e) => problems.push(job.compile_diagnostic(&e)),
        }
    }
    if !problems.is_empty() {
        report::print_all(&problems);
        return Err(Exit::Invalid);
    }
    Ok(jobs)
}

/// Compiles a job; with the host engine, an image that needs a region that
/// is not set is resolved for us-east-1 (the image is not run).
fn compile(settings: &Settings, args: &ApplyArgs, job: &Job, engine: Engine) -> Result<(CompiledJob, CompileOptions), CompileError> {
    let mut options = settings.compile_settings(args.new).options_for(job);
    match job.compile_with(&options) {
        Err(CompileError::MissingRegion { .. }) if engine == Engine::Host && options.region.is_none() => {
            options.region = Some(FALLBACK_REGION.to_string());
            let compiled = job.compile_with(&options)?;
            Ok((compiled, options))
        }
        other => other.map(|compiled| (compiled, options)),
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

/// Prints what happens during a local run: log lines on stdout (stderr when
/// stdout holds a JSON or YAML result), everything else on stderr.
struct Printer {
    job: String,
    name_logs: bool,
    logs_to_stderr: bool,
}

impl Printer {
    fn note(&self, message: &str) {
        eprintln!("{}: {message}", self.job);
    }
}

impl Observer for Printer {
    fn event(&self, event: Event<'_>) {
        match event {
            Event::JobFolder { path, kept: true } => self.note(&format!("job folder {}", path.display())),
            Event::JobFolder { kept: false, .. } => {}
            Event::Staged { input, host, files } => self.note(&format!("staged input `{input}` for {host} ({files} file(s))")),
            Event::Notice(text) => self.note(&format!("note: {text}")),
            Event::Started { host, command } => self.note(&format!("{host} started: {}", command.join(" "))),
            Event::Log { host, line } => {
                let text = if self.name_logs { format!("{} [{host}] {line}", self.job) } else { format!("[{host}] {line}") };
                if self.logs_to_stderr {
                    eprintln!("{text}");
                } else {
                    crate::output::line(&text);
                }
            }
            Event::Exited { host, code } => self.note(&format!("{host} exited with code {code}")),
            Event::Delivered { output, destination, files } => {
                self.note(&format!("output `{output}` delivered to {destination} ({files} file(s))"));
            }
        }
    }
}

fn report_outcome(printer: &Printer, outcome: &Outcome) {
    match &outcome.failure_reason {
        None => printer.note(outcome.status.as_str()),
        Some(reason) => printer.note(&format!("{}: {reason}", outcome.status.as_str())),
    }
    if let Some(folder) = &outcome.job_folder {
        printer.note(&format!("the job folder stays at {}", folder.display()));
    }
}

fn summary(outcome: &Outcome) -> serde_json::Value {
    serde_json::json!({
        "name": outcome.job_name,
        "status": outcome.status.as_str(),
        "failure_reason": outcome.failure_reason,
        "hosts": outcome.hosts.iter().map(|h| serde_json::json!({
            "host": h.host, "exit_code": h.exit_code, "start_error": h.start_error,
        })).collect::<Vec<_>>(),
        "outputs": outcome.outputs.iter().map(|o| serde_json::json!({
            "name": o.name, "destination": o.destination, "files": o.files,
        })).collect::<Vec<_>>(),
        "job_folder": outcome.job_folder,
    })
}
