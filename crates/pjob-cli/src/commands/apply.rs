//! `pjob apply` (to SageMaker): upload, create once, wait with streamed
//! logs; several jobs at once up to `--max-concurrent`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use pjob_compiler::CompiledJob;
use pjob_executor_aws::{AwsExecutor, ExecutorError, JobInfo, JobStatus, Observer, StopOutcome, Submission, uses_bucket};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::aws::{check_offline, compile_for, exit_for, with_executor};
use crate::args::{ApplyArgs, OutputFormat};
use crate::exit::Exit;
use crate::progress::Progress;
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
        let compiled = jobs.into_iter().map(|j| j.compiled).collect();
        apply_all(executor, compiled, &bucket, args, settings.output).await
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
    /// The job ended (or had ended) with this description.
    Ended { info: Box<JobInfo>, existed: bool },
    /// Created or found running, not waited for (`--detach`).
    Detached { existed: bool, status: JobStatus },
    /// An error.
    Error(ExecutorError),
}

async fn apply_all(
    executor: AwsExecutor,
    compiled: Vec<CompiledJob>,
    bucket: &str,
    args: &ApplyArgs,
    output: Option<OutputFormat>,
) -> Exit {
    let mut stop = StopSignals::listen();
    // Manifests that compile to the same job name are the same job.
    let mut unique: BTreeMap<String, CompiledJob> = BTreeMap::new();
    let mut order = Vec::new();
    for job in compiled {
        if !unique.contains_key(job.name()) {
            order.push(job.name().to_string());
            unique.insert(job.name().to_string(), job);
        }
    }
    let structured = matches!(output, Some(OutputFormat::Json | OutputFormat::Yaml));
    let progress = Arc::new(Progress::new(order.len() > 1, structured));
    let phases: Arc<Mutex<BTreeMap<String, Phase>>> = Arc::default();
    let permits = Arc::new(Semaphore::new(args.max_concurrent as usize));
    let mut running = JoinSet::new();
    for name in &order {
        let Some(job) = unique.remove(name) else { continue };
        let (executor, progress, phases, permits) = (executor.clone(), progress.clone(), phases.clone(), permits.clone());
        let detach = args.detach;
        let bucket = uses_bucket(&job, bucket).then(|| bucket.to_string());
        running.spawn(async move {
            let _permit = permits.acquire_owned().await;
            set_phase(&phases, job.name(), Some(Phase::Submitting));
            let outcome = apply_one(&executor, &job, bucket.as_deref(), detach, &*progress, &phases).await;
            set_phase(&phases, job.name(), None);
            (job.name().to_string(), outcome)
        });
    }
    let collect = async {
        let mut outcomes = BTreeMap::new();
        while let Some(done) = running.join_next().await {
            if let Ok((name, outcome)) = done {
                report(&progress, &name, &outcome);
                outcomes.insert(name, outcome);
            }
        }
        outcomes
    };
    let outcomes = tokio::select! {
        outcomes = collect => outcomes,
        _ = stop.next() => {
            progress.clear();
            interrupt(&executor, &phases, args.stop_on_interrupt, &progress).await;
            return Exit::Interrupted;
        }
    };
    let throttled = executor.throttled();
    if throttled > 0 && crate::report::verbose() {
        progress.eprint(&format!("note: AWS throttled {throttled} call(s); pjob waited and sent each again"));
    }
    if structured {
        let jobs: Vec<_> = order.iter().filter_map(|name| outcomes.get(name).map(|o| summary(name, o))).collect();
        crate::output::print(&serde_json::json!({ "jobs": jobs }), output.unwrap_or(OutputFormat::Json));
    }
    outcomes.values().map(exit_of).fold(Exit::Success, Exit::worst)
}

async fn apply_one(
    executor: &AwsExecutor,
    job: &CompiledJob,
    bucket: Option<&str>,
    detach: bool,
    observer: &dyn Observer,
    phases: &Mutex<BTreeMap<String, Phase>>,
) -> Outcome {
    let name = job.name();
    let existed = match executor.submit(job, bucket, observer).await {
        Err(e) => return Outcome::Error(e),
        Ok(Submission::Existing(info)) => {
            observer.note(name, &format!("already exists ({}); not creating it again", info.processing_job_status));
            if info.processing_job_status.is_terminal() {
                return Outcome::Ended { info, existed: true };
            }
            if detach {
                return Outcome::Detached { existed: true, status: info.processing_job_status };
            }
            true
        }
        Ok(Submission::Created { .. }) => {
            observer.note(name, "created");
            if detach {
                return Outcome::Detached { existed: false, status: JobStatus::InProgress };
            }
            false
        }
    };
    set_phase(phases, name, Some(Phase::Running));
    match executor.wait(name, observer, true).await {
        Ok(info) => Outcome::Ended { info: Box::new(info), existed },
        Err(e) => Outcome::Error(e),
    }
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
            progress.finish(name, &text);
        }
        Outcome::Detached { .. } => progress.finish(name, &format!("running; follow it with `pjob logs {name} -f`")),
        Outcome::Error(e) => {
            progress.finish(name, "error");
            crate::report::error(Some(name), e);
        }
    }
}

fn summary(name: &str, outcome: &Outcome) -> serde_json::Value {
    match outcome {
        Outcome::Ended { info, existed } => serde_json::json!({
            "name": name,
            "action": if *existed { "exists" } else { "created" },
            "status": info.processing_job_status,
            "failure_reason": info.failure_reason,
        }),
        Outcome::Detached { existed, status } => serde_json::json!({
            "name": name,
            "action": if *existed { "exists" } else { "created" },
            "status": status,
        }),
        Outcome::Error(e) => serde_json::json!({ "name": name, "action": "error", "error": e.to_string() }),
    }
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
        Outcome::Detached { .. } => Exit::Success,
        Outcome::Error(e) => exit_for(e),
    }
}
