//! Running a set on this machine the way `apply` runs it on SageMaker:
//! each job once every job it depends on has completed, up to
//! `--max-concurrent` at once. A job that depends on others is compiled just
//! before it runs, with each reference filled in from what its upstream
//! jobs did (SPEC section 8): `jobs.X.outputs.Y` is the folder (or S3 URI)
//! X delivered output Y to, `jobs.X.job_name` is X's name. When a job
//! fails or stops, every job downstream of it is skipped and the others go
//! on; a stop signal stops the running jobs and starts no more.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pjob_compiler::CompiledJob;
use pjob_executor_local::{Engine, JobStatus, LocalError, Outcome};
use pjob_jobset::{Job, Upstream};
use pjob_source::Diagnostic;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::printer::Printer;
use super::{LocalJob, Step};
use crate::args::ApplyArgs;
use crate::commands::schedule::Schedule;
use crate::exit::Exit;
use crate::settings::Settings;
use crate::stop_signals::StopSignals;

/// Status of a job that did not run because of another.
const SKIPPED: &str = "skipped";
/// Status of a job that could not be compiled or run.
const ERROR: &str = "error";
/// Why the jobs a stop signal kept from starting did not run.
const INTERRUPTED: &str = "interrupted";

/// How one job of the set ended.
struct Ended {
    /// Its place in the set.
    index: usize,
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

/// A job that ran, as its task hands it back.
struct Ran {
    index: usize,
    local: LocalJob,
    printer: Arc<Printer>,
    time: Duration,
    outcome: Result<Outcome, LocalError>,
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
    /// The jobs not started yet, by index.
    steps: Vec<Option<Step>>,
    ended: Vec<Ended>,
    exit: Exit,
}

/// Runs the steps, each after the steps it depends on and at most
/// `--max-concurrent` at once, and reports how each ended in set order.
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
    let several = steps.len() > 1;
    let steps = steps.into_iter().map(Some).collect();
    let mut set = SetRun { settings, args, several, interrupt, schedule, steps, ended: Vec::new(), exit: Exit::Success };
    let (mut ready, mut running) = (VecDeque::new(), JoinSet::new());
    loop {
        ready.extend(set.schedule.ready());
        while running.len() < args.jobs_at_once() && !set.interrupted_now() {
            let Some(i) = ready.pop_front() else { break };
            if let Some(local) = set.prepare(i) {
                running.spawn(set.start(i, local));
            }
        }
        match running.join_next().await {
            Some(Ok(ran)) => set.finish(ran),
            Some(Err(e)) => std::panic::resume_unwind(e.into_panic()),
            None => break,
        }
    }
    for i in 0..set.steps.len() {
        set.skip(i, INTERRUPTED.to_string());
    }
    set.report();
    set.exit
}

impl SetRun<'_> {
    /// Whether a stop signal has arrived.
    fn interrupted_now(&self) -> bool {
        self.exit == Exit::Interrupted || self.interrupt.borrow().is_some()
    }

    /// Takes job `i` to start it: compiled already, or compiled now from
    /// its completed upstream jobs (`None`, recorded, when that fails).
    fn prepare(&mut self, i: usize) -> Option<LocalJob> {
        match self.steps[i].take()? {
            Step::Free(local) => Some(*local),
            Step::Linked(job, upstream) => match self.compile_linked(&job, &upstream) {
                Ok(local) => Some(local),
                Err(d) => {
                    self.not_compiled(i, &job, &d);
                    None
                }
            },
        }
    }

    /// The task that runs a compiled job to its end.
    fn start(&self, index: usize, local: LocalJob) -> impl Future<Output = Ran> + Send + 'static {
        let name = local.compiled.name().to_string();
        let printer = Arc::new(Printer { job: name, name_logs: self.several, logs_to_stderr: self.settings.structured() });
        if local.options.engine == Engine::Host {
            printer.note(&format!(
                "running locally with this machine's programs (--engine host): the image {} is not pulled",
                local.compiled.request.app_specification.image_uri
            ));
        }
        let interrupted = self.interrupted();
        async move {
            let started = Instant::now();
            let outcome = pjob_executor_local::run(&local.compiled, &local.options, printer.clone(), interrupted).await;
            Ran { index, local, printer, time: started.elapsed(), outcome }
        }
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

    /// Records how a job that ran ended, and skips the jobs downstream of
    /// it when it did not complete.
    fn finish(&mut self, ran: Ran) {
        let Ran { index, local, printer, time, outcome } = ran;
        let (name, time) = (local.compiled.name().to_string(), Some(time));
        let ended = match outcome {
            Ok(outcome) => {
                printer.outcome(&outcome);
                self.exit = self.exit.worst(exit_of(&outcome));
                let upstream = (outcome.status == JobStatus::Completed).then(|| delivered(&local.compiled, &outcome));
                let status = outcome.status.as_str().to_string();
                Ended { index, job: local.job, name: Some(name), status, time, upstream, summary: summary(&outcome) }
            }
            Err(e) => {
                crate::report::error(Some(&name), &e);
                self.exit = self.exit.worst(if e.is_usage() { Exit::Invalid } else { Exit::Aws });
                let summary = json!({"name": name, "status": ERROR, "error": e.to_string()});
                Ended { index, job: local.job, name: Some(name), status: ERROR.into(), time, upstream: None, summary }
            }
        };
        let (ok, status) = (ended.upstream.is_some(), ended.status.clone());
        self.ended.push(ended);
        self.ended_as(index, ok, &status);
    }

    /// Tells the schedule how job `i` ended, and records the jobs that
    /// skips (after a stop signal, they are left for the closing sweep).
    fn ended_as(&mut self, i: usize, ok: bool, status: &str) {
        for (d, because) in self.schedule.ended(i, ok, status) {
            if !self.interrupted_now() {
                self.skip(d, because);
            }
        }
    }

    /// Resolves once a stop signal arrives, with the signal's name.
    fn interrupted(&self) -> impl Future<Output = &'static str> + use<> {
        let mut rx = self.interrupt.clone();
        async move {
            // The guard `wait_for` hands back is dropped before any other await.
            let cause = rx.wait_for(Option::is_some).await.ok().map(|cause| cause.unwrap_or("Ctrl-C"));
            match cause {
                Some(cause) => cause,
                None => std::future::pending().await,
            }
        }
    }

    /// Records job `i`, if it has not started, as never run, and says why.
    fn skip(&mut self, i: usize, reason: String) {
        let Some(step) = self.steps[i].take() else { return };
        let (job, name) = match &step {
            Step::Free(local) => (local.job.clone(), Some(local.compiled.name().to_string())),
            Step::Linked(job, _) => (job.name().to_string(), None),
        };
        eprintln!("{job}: {SKIPPED}: {reason}");
        let summary = json!({"name": name, "status": SKIPPED, "reason": reason});
        self.ended.push(Ended { index: i, job, name, status: SKIPPED.into(), time: None, upstream: None, summary });
    }

    /// Records a job that could not be compiled once its references were filled in.
    fn not_compiled(&mut self, i: usize, job: &Job, problem: &Diagnostic) {
        crate::report::print_all(std::slice::from_ref(problem));
        self.exit = self.exit.worst(Exit::Invalid);
        let summary = json!({"name": null, "status": ERROR, "error": problem.to_string()});
        let job = job.name().to_string();
        self.ended.push(Ended { index: i, job, name: None, status: ERROR.into(), time: None, upstream: None, summary });
        self.ended_as(i, false, ERROR);
    }

    /// Prints every job's ending in set order: `-o json`/`yaml` as
    /// `{"jobs": [...]}`, otherwise a table when the set has more than one job.
    fn report(&mut self) {
        self.ended.sort_by_key(|e| e.index);
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
    for output in &outcome.outputs {
        upstream.set_output(&output.name, &place(&output.destination));
    }
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
