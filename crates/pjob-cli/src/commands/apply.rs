//! `pjob apply` (to SageMaker): upload, create once, wait with streamed
//! logs. A set runs as a DAG (SPEC section 8): each job starts when the
//! jobs it depends on have completed, up to `--max-concurrent` at once;
//! the jobs downstream of one that fails are skipped. A failed job is
//! started again under a new attempt name with `--retry-failed`, or
//! automatically as its `spec.retry` says.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pjob_compiler::CompiledJob;
use pjob_executor_aws::{AwsExecutor, ExecutorError, JobInfo, JobStatus, Observer, StopOutcome, Submission, uses_bucket};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::aws::{SetJob, check_offline, compile_for, exit_for, with_executor};
use super::schedule::Schedule;
use crate::args::{ApplyArgs, OutputFormat};
use crate::exit::Exit;
use crate::progress::{Progress, clock};
use crate::settings::Settings;
use crate::stop_signals::StopSignals;

/// Runs `pjob apply` against SageMaker.
pub fn run(settings: &Settings, args: &ApplyArgs) -> Exit {
    if let Err(exit) = check_offline(settings, &args.paths, args.new) {
        return exit;
    }
    with_executor(settings, |executor| async move {
        let (jobs, bucket) = match compile_for(settings, &executor, &args.paths, args.new).await {
            Ok(c) => c,
            Err(exit) => return exit,
        };
        apply_set(executor, jobs, &bucket, args, settings.output).await
    })
}

/// Where a job is, for Ctrl-C.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Submitting,
    Running,
}

/// How one job ended for this command.
enum Outcome {
    /// The job (attempt `attempt`) ended, or had ended, as `info` says.
    Ended { info: Box<JobInfo>, existed: bool, attempt: u32 },
    /// Created or found running, not waited for (`--detach`).
    Detached { existed: bool, status: JobStatus, name: String },
    /// Never created: a job it depends on did not complete (`pending`: it
    /// is still running under `--detach`).
    Skipped { because: String, pending: bool },
    /// An error.
    Error(ExecutorError),
}

/// What one job's task needs, shared by every task.
#[derive(Clone)]
struct Shared {
    executor: AwsExecutor,
    progress: Arc<Progress>,
    phases: Arc<Mutex<BTreeMap<String, Phase>>>,
    permits: Arc<Semaphore>,
    bucket: String,
    detach: bool,
    retry_failed: bool,
}

/// How one job of the set ended for this command, and how long it took.
struct Applied {
    outcome: Outcome,
    took: Option<Duration>,
}

async fn apply_set(executor: AwsExecutor, jobs: Vec<SetJob>, bucket: &str, args: &ApplyArgs, output: Option<OutputFormat>) -> Exit {
    let mut stop = StopSignals::listen();
    let structured = matches!(output, Some(OutputFormat::Json | OutputFormat::Yaml));
    let shared = Shared {
        executor,
        progress: Arc::new(Progress::new(jobs.len() > 1, structured)),
        phases: Arc::default(),
        permits: Arc::new(Semaphore::new(args.jobs_at_once())),
        bucket: bucket.to_string(),
        detach: args.detach,
        retry_failed: args.retry_failed,
    };
    let mut schedule = Schedule::new(&jobs.iter().map(|j| (j.job.clone(), j.depends_on.clone())).collect::<Vec<_>>());
    let jobs: Vec<Arc<SetJob>> = jobs.into_iter().map(Arc::new).collect();
    let mut applied: Vec<Option<Applied>> = jobs.iter().map(|_| None).collect();
    let drive = async {
        let mut running = JoinSet::new();
        loop {
            for i in schedule.ready() {
                let (shared, job) = (shared.clone(), jobs[i].clone());
                running.spawn(async move { (i, apply_queued(&shared, &job).await) });
            }
            for (i, job) in jobs.iter().enumerate() {
                shared.progress.waiting(job.compiled.name(), &schedule.waiting_for(i));
            }
            let Some(done) = running.join_next().await else { break };
            let Ok((i, done)) = done else { continue };
            report(&shared.progress, jobs[i].compiled.name(), &done.outcome);
            let (ok, how) = done.outcome.completed();
            for (d, because) in schedule.ended(i, ok, &how) {
                let pending = matches!(done.outcome, Outcome::Detached { .. });
                let outcome = Outcome::Skipped { because, pending };
                report(&shared.progress, jobs[d].compiled.name(), &outcome);
                applied[d] = Some(Applied { outcome, took: None });
            }
            applied[i] = Some(done);
        }
    };
    tokio::select! {
        () = drive => {},
        _ = stop.next() => {
            shared.progress.clear();
            interrupt(&shared.executor, &shared.phases, args.stop_on_interrupt, &shared.progress).await;
            return Exit::Interrupted;
        }
    };
    let throttled = shared.executor.throttled();
    if throttled > 0 && crate::report::verbose() {
        shared.progress.eprint(&format!("note: AWS throttled {throttled} call(s); pjob waited and sent each again"));
    }
    let rows: Vec<(&SetJob, &Applied)> = jobs.iter().zip(&applied).filter_map(|(j, a)| Some((&**j, a.as_ref()?))).collect();
    match output {
        Some(format @ (OutputFormat::Json | OutputFormat::Yaml)) => {
            let jobs: Vec<_> = rows.iter().map(|(job, applied)| summary(job, applied)).collect();
            crate::output::print(&serde_json::json!({ "jobs": jobs }), format);
        }
        _ if rows.len() > 1 => print_table(&rows),
        _ => {}
    }
    rows.iter().map(|(_, a)| exit_of(&a.outcome)).fold(Exit::Success, Exit::worst)
}

/// Applies one job once a slot is free, timing it.
async fn apply_queued(shared: &Shared, job: &SetJob) -> Applied {
    let _permit = shared.permits.acquire().await;
    let started = Instant::now();
    let compiled = &job.compiled;
    set_phase(&shared.phases, compiled.name(), Some(Phase::Submitting));
    let bucket = uses_bucket(compiled, &shared.bucket).then_some(shared.bucket.as_str());
    let outcome = apply_one(shared, compiled, bucket).await;
    set_phase(&shared.phases, compiled.name(), None);
    let took = match &outcome {
        Outcome::Ended { info, existed: true, .. } => info.created.zip(info.ended).and_then(|(c, e)| e.duration_since(c).ok()),
        _ => Some(started.elapsed()),
    };
    Applied { outcome, took }
}

/// Creates the job (or finds it, or the newest attempt of it) and waits for
/// it, starting new attempts as `--retry-failed` and `spec.retry` say.
async fn apply_one(shared: &Shared, job: &CompiledJob, bucket: Option<&str>) -> Outcome {
    let (executor, observer) = (&shared.executor, &*shared.progress);
    let (mut attempt, mut info, existed) = match executor.submit(job, bucket, observer).await {
        Err(e) => return Outcome::Error(e),
        Ok(Submission::Existing(info)) => match newest_attempt(executor, job, *info).await {
            Ok((attempt, info)) => (attempt, Some(info), true),
            Err(e) => return Outcome::Error(e),
        },
        Ok(Submission::Created { .. }) => {
            observer.note(job.name(), "created");
            (0, None, false)
        }
    };
    if let Some(found) = &info {
        let status = &found.processing_job_status;
        observer.note(&found.processing_job_name, &format!("already exists ({status}); not creating it again"));
        if is_failure(status) && shared.retry_failed {
            attempt += 1;
            match start_attempt(shared, job, attempt, bucket, "--retry-failed").await {
                Ok(()) => info = None,
                Err(e) => return Outcome::Error(e),
            }
        } else if status.is_terminal() {
            return Outcome::Ended { info: Box::new(found.clone()), existed, attempt };
        }
    }
    let name = attempt_name(job, attempt);
    if shared.detach {
        let status = info.map_or(JobStatus::InProgress, |i| i.processing_job_status);
        return Outcome::Detached { existed, status, name };
    }
    wait_with_retries(shared, job, attempt, bucket, existed).await
}

/// Waits for the job's current attempt; while it fails for a reason its
/// `spec.retry` covers, waits as it says and starts the next attempt.
async fn wait_with_retries(shared: &Shared, job: &CompiledJob, mut attempt: u32, bucket: Option<&str>, existed: bool) -> Outcome {
    let mut automatic = 0;
    loop {
        let name = attempt_name(job, attempt);
        set_phase(&shared.phases, &name, Some(Phase::Running));
        let info = match shared.executor.wait(&name, &*shared.progress, true).await {
            Ok(info) => info,
            Err(e) => return Outcome::Error(e),
        };
        set_phase(&shared.phases, &name, None);
        let reason = info.failure_reason.clone().unwrap_or_default();
        let retry =
            job.retry.as_ref().filter(|p| info.processing_job_status == JobStatus::Failed && automatic < p.attempts && p.covers(&reason));
        let Some(policy) = retry else { return Outcome::Ended { info: Box::new(info), existed, attempt } };
        automatic += 1;
        let wait = policy.wait_before(automatic);
        shared.progress.note(&name, &format!("failed: {reason}; spec.retry starts attempt {} in {}", attempt + 2, clock(wait)));
        tokio::time::sleep(wait).await;
        attempt += 1;
        if let Err(e) = start_attempt(shared, job, attempt, bucket, "spec.retry").await {
            return Outcome::Error(e);
        }
    }
}

/// Creates attempt `attempt` of the job.
async fn start_attempt(shared: &Shared, job: &CompiledJob, attempt: u32, bucket: Option<&str>, why: &str) -> Result<(), ExecutorError> {
    let next = job.attempt(attempt);
    set_phase(&shared.phases, next.name(), Some(Phase::Submitting));
    match shared.executor.submit(&next, bucket, &*shared.progress).await? {
        Submission::Created { .. } => {
            shared.progress.note(next.name(), &format!("created: attempt {} of {} ({why})", attempt + 1, job.name()))
        }
        Submission::Existing(_) => shared.progress.note(next.name(), "already exists; following it"),
    }
    Ok(())
}

/// The newest attempt of a job that exists: the job itself (attempt 0), or
/// the last of `<name>-r1`, `<name>-r2`, ... that SageMaker has.
async fn newest_attempt(executor: &AwsExecutor, job: &CompiledJob, first: JobInfo) -> Result<(u32, JobInfo), ExecutorError> {
    let (mut attempt, mut info) = (0, first);
    if !is_failure(&info.processing_job_status) {
        return Ok((attempt, info));
    }
    while let Some(next) = executor.describe(&attempt_name(job, attempt + 1)).await? {
        attempt += 1;
        info = next;
    }
    Ok((attempt, info))
}

/// The SageMaker name of attempt `attempt` of a job (0: the job's own name).
fn attempt_name(job: &CompiledJob, attempt: u32) -> String {
    if attempt == 0 { job.name().to_string() } else { pjob_compiler::naming::attempt_name(job.name(), attempt) }
}

/// Whether a job ended without completing.
fn is_failure(status: &JobStatus) -> bool {
    matches!(status, JobStatus::Failed | JobStatus::Stopped)
}

fn set_phase(phases: &Mutex<BTreeMap<String, Phase>>, name: &str, phase: Option<Phase>) {
    let mut phases = phases.lock().unwrap_or_else(|e| e.into_inner());
    match phase {
        Some(p) => phases.insert(name.to_string(), p),
        None => phases.remove(name),
    };
}

/// Ctrl-C: detach from every job (saying how to reattach), or stop them.
async fn interrupt(executor: &AwsExecutor, phases: &Mutex<BTreeMap<String, Phase>>, stop: bool, progress: &Progress) {
    let jobs: Vec<(String, Phase)> = phases.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(n, p)| (n.clone(), *p)).collect();
    for (name, phase) in jobs {
        if stop {
            match executor.stop(&name).await {
                Ok(StopOutcome::Stopping) => progress.eprint(&format!("{name}: interrupted; stopping the job")),
                Ok(StopOutcome::AlreadyEnded(status)) => {
                    progress.eprint(&format!("{name}: interrupted; the job had already ended ({status})"))
                }
                Err(ExecutorError::NotFound { .. }) => progress.eprint(&format!("{name}: interrupted before the job was created")),
                Err(e) => progress.eprint(&format!("{name}: interrupted; could not stop the job: {e}")),
            }
        } else if phase == Phase::Running {
            progress.eprint(&format!("{name}: detached; the job keeps running. Reattach with `pjob logs {name} -f`"));
        } else {
            progress.eprint(&format!(
                "{name}: interrupted while submitting; check with `pjob status {name}` (reattach with `pjob logs {name} -f`)"
            ));
        }
    }
}

fn report(progress: &Progress, name: &str, outcome: &Outcome) {
    match outcome {
        Outcome::Ended { info, .. } => {
            let mut text = info.processing_job_status.to_string();
            if let Some(reason) = &info.failure_reason {
                text.push_str(&format!(": {reason}"));
            }
            progress.finish(&info.processing_job_name, &text);
        }
        Outcome::Detached { name, .. } => progress.finish(name, &format!("running; follow it with `pjob logs {name} -f`")),
        Outcome::Skipped { because, pending: true } => {
            progress.finish(name, &format!("not started: {because}; apply again once it has completed"))
        }
        Outcome::Skipped { because, pending: false } => progress.finish(name, &format!("skipped: {because}")),
        Outcome::Error(e) => {
            progress.finish(name, "error");
            crate::report::error(Some(name), e);
        }
    }
}

impl Outcome {
    /// Whether the job completed, and how it ended otherwise (for its dependents).
    fn completed(&self) -> (bool, String) {
        match self {
            Outcome::Ended { info, .. } => (info.processing_job_status == JobStatus::Completed, info.processing_job_status.to_string()),
            Outcome::Detached { .. } => (false, "is still running (--detach)".into()),
            Outcome::Skipped { .. } => (false, "was skipped".into()),
            Outcome::Error(_) => (false, "could not be applied".into()),
        }
    }

    /// The SageMaker name the outcome is about, and its status as the table shows it.
    fn name_and_status(&self, job: &CompiledJob) -> (String, String) {
        match self {
            Outcome::Ended { info, .. } => (info.processing_job_name.clone(), info.processing_job_status.to_string()),
            Outcome::Detached { name, status, .. } => (name.clone(), status.to_string()),
            Outcome::Skipped { pending: true, .. } => (job.name().to_string(), "not started".into()),
            Outcome::Skipped { .. } => (job.name().to_string(), "skipped".into()),
            Outcome::Error(_) => (job.name().to_string(), "error".into()),
        }
    }
}

/// The closing table: job, SageMaker name, status, time (on stderr, with
/// the other status lines: stdout holds the jobs' logs).
fn print_table(rows: &[(&SetJob, &Applied)]) {
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|(job, applied)| {
            let (name, status) = applied.outcome.name_and_status(&job.compiled);
            [job.job.clone(), name, status, applied.took.map(clock).unwrap_or_else(|| "-".into())]
        })
        .collect();
    eprint!("{}", crate::output::table(["JOB", "NAME", "STATUS", "TIME"], &cells));
}

fn summary(job: &SetJob, applied: &Applied) -> serde_json::Value {
    let (name, status) = applied.outcome.name_and_status(&job.compiled);
    let mut value = serde_json::json!({
        "file": job.file, "job": job.job, "name": name, "status": status, "depends_on": job.depends_on,
        "seconds": applied.took.map(|t| t.as_secs()),
    });
    let extra = match &applied.outcome {
        Outcome::Ended { info, existed, attempt } => serde_json::json!({
            "action": if *existed { "exists" } else { "created" }, "failure_reason": info.failure_reason, "attempt": attempt + 1,
        }),
        Outcome::Detached { existed, .. } => serde_json::json!({"action": if *existed { "exists" } else { "created" }}),
        Outcome::Skipped { because, .. } => serde_json::json!({"action": "skipped", "reason": because}),
        Outcome::Error(e) => serde_json::json!({"action": "error", "error": e.to_string()}),
    };
    if let (Some(v), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
        v.extend(extra.clone());
    }
    value
}

/// The exit code of a job's status (SPEC.md section 6).
pub fn exit_of_status(status: &JobStatus) -> Exit {
    match status {
        JobStatus::Completed | JobStatus::InProgress | JobStatus::Stopping => Exit::Success,
        JobStatus::Failed | JobStatus::Stopped => Exit::JobFailed,
        JobStatus::Other(_) => Exit::Aws,
    }
}

fn exit_of(outcome: &Outcome) -> Exit {
    match outcome {
        Outcome::Ended { info, .. } => exit_of_status(&info.processing_job_status),
        Outcome::Detached { .. } | Outcome::Skipped { pending: true, .. } => Exit::Success,
        Outcome::Skipped { .. } => Exit::JobFailed,
        Outcome::Error(e) => exit_for(e),
    }
}
