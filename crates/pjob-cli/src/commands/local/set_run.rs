//! Running a set on this machine: its jobs one after another, each after
//! the jobs it depends on. A job that depends on others is compiled just
//! before it runs, with each reference filled in from what its upstream
//! jobs did (SPEC section 8): `jobs.X.outputs.Y` is the folder (or S3 URI)
//! X delivered output Y to, `jobs.X.job_name` is X's name. When a job
//! fails or stops, every job downstream of it is skipped and the others go
//! on; a stop signal ends the run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use pjob_compiler::CompiledJob;
use pjob_executor_local::{Engine, JobStatus, Outcome};
use pjob_jobset::{Job, Upstream};
use pjob_source::Diagnostic;
use serde_json::{Value, json};
use tokio::sync::watch;

use super::printer::Printer;
use super::{LocalJob, Step};
use crate::args::ApplyArgs;
use crate::commands::schedule::{Schedule, State};
use crate::exit::Exit;
use crate::settings::Settings;
use crate::stop_signals::StopSignals;

/// Status of a job that did not run because of another.
const SKIPPED: &str = "skipped";
/// Status of a job that could not be compiled or run.
const ERROR: &str = "error";

/// How one job of the set ended.
struct Ended {
    /// Its `metadata.name`.
    job: String,
    /// Its compiled name, when it was compiled.
    name: Option<String>,
    /// `Completed`, `Failed`, `Stopped`, `error` or `skipped`.
    status: String,
    /// How long it ran.
    time: Option<Duration>,
    /// What references to it stand for, when it completed.
    upstream: Option<Upstream>,
    /// Its entry in `-o json`.
    summary: Value,
}

/// A set's run so far.
struct SetRun<'a> {
    settings: &'a Settings,
    args: &'a ApplyArgs,
    /// Whether log lines name their job.
    several: bool,
    /// Set to the signal's name once a stop signal arrives.
    interrupt: watch::Receiver<Option<&'static str>>,
    /// Which jobs may still run.
    schedule: Schedule,
    ended: Vec<Ended>,
    exit: Exit,
}

/// Runs the steps in order and reports how each ended.
pub(super) async fn run(settings: &Settings, args: &ApplyArgs, steps: Vec<Step>) -> Exit {
    // One listener for the whole command, registered before any job folder
    // exists: a job started later still sees the signal.
    let mut stop = StopSignals::listen();
    let (interrupt_tx, interrupt) = watch::channel(None);
    tokio::spawn(async move {
        let cause = stop.next().await;
        eprintln!("pjob: {cause} received: stopping");
        let _ = interrupt_tx.send(Some(cause));
    });
    let schedule = Schedule::new(&steps.iter().map(Step::dependencies).collect::<Vec<_>>());
    let mut set = SetRun { settings, args, several: steps.len() > 1, interrupt, schedule, ended: Vec::new(), exit: Exit::Success };
    for (i, step) in steps.into_iter().enumerate() {
        set.step(i, step).await;
    }
    set.report();
    set.exit
}

impl SetRun<'_> {
    /// Runs job `i`, or skips it when the run was stopped or an upstream
    /// job did not complete; records how it ended for the jobs after it.
    async fn step(&mut self, i: usize, step: Step) {
        let reason = match self.schedule.state(i) {
            _ if self.exit == Exit::Interrupted => Some("interrupted".to_string()),
            State::Skipped { because } => Some(because.clone()),
            _ => None,
        };
        if let Some(reason) = reason {
            let (job, name) = match &step {
                Step::Free(local) => (local.job.clone(), Some(local.compiled.name().to_string())),
                Step::Linked(job, _) => (job.name().to_string(), None),
            };
            return self.skip(job, name, reason);
        }
        let local = match step {
            Step::Free(local) => *local,
            Step::Linked(job, upstream) => match self.compile_linked(&job, &upstream) {
                Ok(local) => local,
                Err(d) => return self.not_compiled(i, &job, &d),
            },
        };
        self.run_job(local).await;
        let ended = self.ended.last().expect("a job that ran has ended");
        let (ok, status) = (ended.upstream.is_some(), ended.status.clone());
        self.schedule.ended(i, ok, &status);
    }

    /// What references to a completed job of the set stand for.
    fn upstream(&self, job: &str) -> Option<&Upstream> {
        self.ended.iter().find(|e| e.job == job)?.upstream.as_ref()
    }

    /// Fills in a job's references from its completed upstream jobs and
    /// compiles it, their names in its hash.
    fn compile_linked(&self, job: &Job, upstream: &[String]) -> Result<LocalJob, Box<Diagnostic>> {
        let resolved = job.resolve(|r| self.upstream(&r.job)?.value(&r.target).map(str::to_string))?;
        let names = upstream.iter().filter_map(|n| Some(self.upstream(n)?.job_name.clone())).collect();
        super::compile(self.settings, self.args, &resolved, names)
    }

    /// Runs a compiled job to its end.
    async fn run_job(&mut self, local: LocalJob) {
        let name = local.compiled.name().to_string();
        let printer = Arc::new(Printer { job: name.clone(), name_logs: self.several, logs_to_stderr: self.settings.structured() });
        if local.options.engine == Engine::Host {
            printer.note(&format!(
                "running locally with this machine's programs (--engine host): the image {} is not pulled",
                local.compiled.request.app_specification.image_uri
            ));
        }
        let started = Instant::now();
        let outcome = pjob_executor_local::run(&local.compiled, &local.options, printer.clone(), self.interrupted()).await;
        let time = Some(started.elapsed());
        let ended = match outcome {
            Ok(outcome) => {
                printer.outcome(&outcome);
                self.exit = self.exit.worst(exit_of(&outcome));
                let upstream = (outcome.status == JobStatus::Completed).then(|| delivered(&local.compiled, &outcome));
                let status = outcome.status.as_str().to_string();
                Ended { job: local.job, name: Some(name), status, time, upstream, summary: summary(&outcome) }
            }
            Err(e) => {
                crate::report::error(Some(&name), &e);
                self.exit = self.exit.worst(if e.is_usage() { Exit::Invalid } else { Exit::Aws });
                let summary = json!({"name": name, "status": ERROR, "error": e.to_string()});
                Ended { job: local.job, name: Some(name), status: ERROR.into(), time, upstream: None, summary }
            }
        };
        self.ended.push(ended);
    }

    /// Resolves once a stop signal arrives, with the signal's name.
    fn interrupted(&self) -> impl Future<Output = &'static str> + use<> {
        let mut rx = self.interrupt.clone();
        async move {
            match rx.wait_for(Option::is_some).await {
                Ok(cause) => cause.unwrap_or("Ctrl-C"),
                Err(_) => std::future::pending().await,
            }
        }
    }

    /// Records a job that did not run, and says why.
    fn skip(&mut self, job: String, name: Option<String>, reason: String) {
        eprintln!("{job}: {SKIPPED}: {reason}");
        let summary = json!({"name": name, "status": SKIPPED, "reason": reason});
        self.ended.push(Ended { job, name, status: SKIPPED.into(), time: None, upstream: None, summary });
    }

    /// Records a job that could not be compiled once its references were filled in.
    fn not_compiled(&mut self, i: usize, job: &Job, problem: &Diagnostic) {
        crate::report::print_all(std::slice::from_ref(problem));
        self.exit = self.exit.worst(Exit::Invalid);
        self.schedule.ended(i, false, ERROR);
        let summary = json!({"name": null, "status": ERROR, "error": problem.to_string()});
        let job = job.name().to_string();
        self.ended.push(Ended { job, name: None, status: ERROR.into(), time: None, upstream: None, summary });
    }

    /// Prints every job's ending: `-o json`/`yaml` as `{"jobs": [...]}`,
    /// otherwise a table when the set has more than one job.
    fn report(&self) {
        if let Some(format) = self.settings.output.filter(|_| self.settings.structured()) {
            let jobs: Vec<Value> = self.ended.iter().map(Ended::json).collect();
            crate::output::print(&json!({ "jobs": jobs }), format);
        } else if self.ended.len() > 1 {
            let rows: Vec<[String; 4]> = self.ended.iter().map(Ended::row).collect();
            // On stderr with the other status lines: stdout holds the jobs' logs.
            eprint!("{}", crate::output::table(["JOB", "NAME", "STATUS", "TIME"], &rows));
        }
    }
}

impl Ended {
    /// Its `-o json` entry: the job's `metadata.name` first.
    fn json(&self) -> Value {
        let mut entry = serde_json::Map::new();
        entry.insert("job".into(), self.job.clone().into());
        if let Value::Object(summary) = &self.summary {
            entry.extend(summary.clone());
        }
        if let Some(time) = self.time {
            entry.insert("seconds".into(), json!((time.as_secs_f64() * 1000.0).round() / 1000.0));
        }
        Value::Object(entry)
    }

    /// Its row in the closing table.
    fn row(&self) -> [String; 4] {
        let time = self.time.map_or_else(|| "-".to_string(), |t| format!("{:.1}s", t.as_secs_f64()));
        [self.job.clone(), self.name.clone().unwrap_or_else(|| "-".into()), self.status.clone(), time]
    }
}

/// The exit a job's outcome gives.
fn exit_of(outcome: &Outcome) -> Exit {
    match outcome.status {
        _ if outcome.interrupted => Exit::Interrupted,
        JobStatus::Completed => Exit::Success,
        JobStatus::Failed | JobStatus::Stopped => Exit::JobFailed,
    }
}

/// What references to a job that completed locally stand for: each output
/// is where it was delivered (a local folder, made absolute since the
/// manifest that reads it may sit in another folder; or its S3 URI).
fn delivered(compiled: &CompiledJob, outcome: &Outcome) -> Upstream {
    let mut upstream = Upstream::of(compiled);
    let place = |destination: &str| match destination.starts_with("s3://") {
        true => destination.to_string(),
        false => std::path::absolute(destination).map_or_else(|_| destination.to_string(), |p| p.display().to_string()),
    };
    upstream.outputs.extend(outcome.outputs.iter().map(|o| (o.name.clone(), place(&o.destination))));
    upstream
}

/// A job's outcome, as `-o json` shows it.
fn summary(outcome: &Outcome) -> Value {
    json!({
        "name": outcome.job_name,
        "status": outcome.status.as_str(),
        "failure_reason": outcome.failure_reason,
        "hosts": outcome.hosts.iter().map(|h| json!({
            "host": h.host, "exit_code": h.exit_code, "start_error": h.start_error,
        })).collect::<Vec<_>>(),
        "outputs": outcome.outputs.iter().map(|o| json!({
            "name": o.name, "destination": o.destination, "files": o.files,
        })).collect::<Vec<_>>(),
        "job_folder": outcome.job_folder,
    })
}
