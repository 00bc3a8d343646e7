//! A local run from start to end, and how it ended: SageMaker's job
//! statuses and failure reasons.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pjob_compiler::CompiledJob;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::delivery::{self, Which};
use crate::layout::{self, CONFIG_ROOT, HostDir, JobDir, PROCESSING_ROOT};
use crate::objects::ObjectStore;
use crate::process::{Launcher, StartError, StopReason};
use crate::sandbox::{Mode, MountPlan};
use crate::staging::{self, StageError};
use crate::{DEFAULT_MAX_RUNTIME, Engine, Event, LocalError, LocalOptions, Observer, config_files};

/// How a job ended, in SageMaker's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Every host's entrypoint exited with 0.
    Completed,
    /// A host's entrypoint exited with another code, or could not start, or
    /// an input could not be staged.
    Failed,
    /// The job was stopped: `MaxRuntimeInSeconds` passed, or Ctrl-C.
    Stopped,
}

impl JobStatus {
    /// The status as SageMaker spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Completed => "Completed",
            JobStatus::Failed => "Failed",
            JobStatus::Stopped => "Stopped",
        }
    }
}

/// How one host's process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostResult {
    /// The host (`algo-1`).
    pub host: String,
    /// Its exit code (128 + N when killed by signal N); `None` if it never ran.
    pub exit_code: Option<i32>,
    /// Why it could not start.
    pub start_error: Option<String>,
    /// Whether pjob stopped it (timeout, Ctrl-C, another host failing).
    pub stopped: bool,
    /// The last lines it printed.
    pub last_lines: Vec<String>,
}

impl HostResult {
    fn failed(&self) -> bool {
        self.start_error.is_some() || self.exit_code.is_some_and(|c| c != 0)
    }
}

/// An output that was delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredOutput {
    /// The output's name.
    pub name: String,
    /// Where it went (S3 URI or folder).
    pub destination: String,
    /// Files delivered, all hosts together.
    pub files: usize,
}

/// How a local run ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The job's name.
    pub job_name: String,
    /// `Completed`, `Failed` or `Stopped`.
    pub status: JobStatus,
    /// Why it failed or stopped, as SageMaker's `FailureReason` (at most 1024 bytes).
    pub failure_reason: Option<String>,
    /// Whether Ctrl-C stopped it.
    pub interrupted: bool,
    /// Each host's result, in host order (empty when no process ran).
    pub hosts: Vec<HostResult>,
    /// Outputs delivered.
    pub outputs: Vec<DeliveredOutput>,
    /// The job folder, when it is kept (`work_dir`).
    pub job_folder: Option<PathBuf>,
}

/// SageMaker's limit on `FailureReason`.
const FAILURE_REASON_MAX: usize = 1024;

pub(crate) async fn run_job(
    job: &CompiledJob,
    options: &LocalOptions,
    observer: Arc<dyn Observer>,
    interrupt: impl Future<Output = &'static str>,
) -> Result<Outcome, LocalError> {
    let request = &job.request;
    staging::preflight(&request.processing_inputs)?;
    delivery::preflight(request.processing_output_config.as_ref())?;
    let entrypoint = request.app_specification.container_entrypoint.clone().filter(|e| !e.is_empty());
    if options.engine == Engine::Host && entrypoint.is_none() {
        return Err(LocalError::Unsupported {
            what: "this job".into(),
            reason: "it has no ContainerEntrypoint, so SageMaker would run its image's own ENTRYPOINT, which \
                     --engine host cannot know: set `spec.entrypoint`, or run the image with --engine docker"
                .into(),
        });
    }
    crate::check_engine(options.engine).await?;

    let job_dir = JobDir::create(options.work_dir.as_deref(), job.name())?;
    observer.event(Event::JobFolder { path: job_dir.path(), kept: job_dir.kept() });
    let cluster = &request.processing_resources.cluster_config;
    let names = layout::host_names(cluster.instance_count);
    let hosts: Vec<HostDir> = names.iter().map(|n| job_dir.host(n)).collect::<Result<_, _>>()?;
    let region = options.region.as_deref().unwrap_or("us-east-1");
    let job_config = config_files::processing_job_config(request, &config_files::job_arn(region, job.name()));
    let outputs = request.processing_output_config.as_ref().map(|c| c.outputs.as_slice()).unwrap_or_default();
    for host in &hosts {
        let resources = config_files::resource_config(&host.name, &names, &cluster.instance_type);
        config_files::write(&host.config, &job_config, &resources)?;
        // SageMaker creates every output folder before the job starts.
        for source in outputs.iter().filter_map(|o| o.s3_output.as_ref()?.local_path.as_deref()) {
            if let Some(dir) = host.processing_path(source) {
                std::fs::create_dir_all(&dir).map_err(|e| LocalError::io(&dir, e))?;
            }
        }
    }

    let mut ending = Ending::new(job, &job_dir);
    tokio::pin!(interrupt);
    let store = ObjectStore::new(&job.artifacts, options.local_bucket.as_ref(), &options.aws);
    let staged = tokio::select! {
        staged = staging::stage(&request.processing_inputs, &store, &job_dir, &hosts, &*observer) => staged,
        cause = &mut interrupt => return Ok(ending.interrupted(cause)),
    };
    match staged {
        Ok(()) => {}
        Err(StageError::Job(reason)) => return Ok(ending.failed(reason)),
        Err(StageError::Local(e)) => return Err(e),
    }

    let plan = match options.engine {
        Engine::Host => MountPlan::prepare(&[PROCESSING_ROOT.as_ref(), CONFIG_ROOT.as_ref()], &job_dir.scratch("mounts")?)?,
        Engine::Docker | Engine::Podman => MountPlan::default(),
    };
    let launcher = Launcher {
        engine: options.engine,
        job_name: job.name().to_string(),
        image: request.app_specification.image_uri.clone(),
        entrypoint,
        arguments: request.app_specification.container_arguments.clone().unwrap_or_default(),
        environment: request.environment.clone(),
        plan,
        mode: Mutex::new(Mode::first()),
        observer: Arc::clone(&observer),
    };
    let max_runtime = request
        .stopping_condition
        .as_ref()
        .map_or(DEFAULT_MAX_RUNTIME, |s| std::time::Duration::from_secs(u64::from(s.max_runtime_in_seconds)));
    let (stop_tx, stop_rx) = watch::channel(None);
    let mut running = JoinSet::new();
    let mut results: Vec<Option<HostResult>> = vec![None; hosts.len()];
    let mut sandbox_error = None;
    let command = launcher.command_line();
    for (i, host) in hosts.iter().enumerate() {
        match launcher.start(host) {
            Ok(process) => {
                observer.event(Event::Started { host: &host.name, command: &command });
                let (rx, obs, grace) = (stop_rx.clone(), Arc::clone(&observer), options.stop_grace);
                running.spawn(async move { (i, process.watch(rx, grace, &*obs).await) });
            }
            Err(StartError::Program(message)) => {
                results[i] = Some(HostResult {
                    host: host.name.clone(),
                    exit_code: None,
                    start_error: Some(message),
                    stopped: false,
                    last_lines: Vec::new(),
                });
                stop_tx.send_replace(Some(StopReason::PeerFailed));
                break;
            }
            Err(StartError::Local(e)) => {
                stop_tx.send_replace(Some(StopReason::PeerFailed));
                sandbox_error = Some(e);
                break;
            }
        }
    }

    let deadline = tokio::time::sleep(max_runtime);
    tokio::pin!(deadline);
    let (mut timed_out, mut interrupted) = (false, None);
    while !running.is_empty() {
        tokio::select! {
            joined = running.join_next() => {
                if let Some(Ok((i, result))) = joined {
                    if result.failed() && !result.stopped && stop_tx.borrow().is_none() {
                        stop_tx.send_replace(Some(StopReason::PeerFailed));
                    }
                    results[i] = Some(result);
                }
            }
            () = &mut deadline, if !timed_out && interrupted.is_none() => {
                timed_out = true;
                stop_tx.send_replace(Some(StopReason::Timeout));
            }
            cause = &mut interrupt, if interrupted.is_none() => {
                interrupted = Some(cause);
                stop_tx.send_replace(Some(StopReason::Interrupted));
            }
        }
    }
    if let Some(e) = sandbox_error {
        return Err(e);
    }
    ending.hosts = results.into_iter().flatten().collect();

    let (status, reason) = if let Some(cause) = interrupted {
        (JobStatus::Stopped, Some(interrupted_reason(cause)))
    } else if timed_out {
        let secs = max_runtime.as_secs();
        (
            JobStatus::Stopped,
            Some(format!("MaxRuntimeExceeded: the job ran longer than its MaxRuntimeInSeconds ({secs} s) and was stopped")),
        )
    } else if let Some(failed) = ending.hosts.iter().find(|h| h.failed() && !h.stopped) {
        (JobStatus::Failed, Some(algorithm_error(failed)))
    } else {
        (JobStatus::Completed, None)
    };
    if interrupted.is_none() {
        let which = if status == JobStatus::Completed { Which::All } else { Which::ContinuousOnly };
        let config = request.processing_output_config.as_ref();
        let delivering = delivery::deliver(config, which, &hosts, &store, &options.base_dir, &*observer);
        ending.outputs = tokio::select! {
            delivered = delivering => delivered?,
            cause = &mut interrupt => return Ok(ending.interrupted(cause)),
        };
    }
    Ok(ending.finish(status, reason, interrupted.is_some()))
}

/// What an outcome carries however the run ends.
struct Ending<'a> {
    job_name: String,
    job_dir: &'a JobDir,
    hosts: Vec<HostResult>,
    outputs: Vec<crate::DeliveredOutput>,
}

impl<'a> Ending<'a> {
    fn new(job: &CompiledJob, job_dir: &'a JobDir) -> Ending<'a> {
        Ending { job_name: job.name().to_string(), job_dir, hosts: Vec::new(), outputs: Vec::new() }
    }

    fn finish(self, status: JobStatus, failure_reason: Option<String>, interrupted: bool) -> Outcome {
        Outcome {
            job_name: self.job_name,
            status,
            failure_reason: failure_reason.map(|r| truncate_front_lines(&r, FAILURE_REASON_MAX)),
            interrupted,
            hosts: self.hosts,
            outputs: self.outputs,
            job_folder: self.job_dir.kept().then(|| self.job_dir.path().to_path_buf()),
        }
    }

    fn failed(self, reason: String) -> Outcome {
        self.finish(JobStatus::Failed, Some(reason), false)
    }

    fn interrupted(self, cause: &str) -> Outcome {
        self.finish(JobStatus::Stopped, Some(interrupted_reason(cause)), true)
    }
}

/// The failure reason of a run that `cause` (`Ctrl-C`, `SIGTERM`) stopped.
fn interrupted_reason(cause: &str) -> String {
    format!("interrupted ({cause}) before the job ended")
}

/// SageMaker's `AlgorithmError` reason for a host that failed, with its last lines.
fn algorithm_error(host: &HostResult) -> String {
    let what = match (&host.start_error, host.exit_code) {
        (Some(error), _) => format!("the entrypoint could not start on {}: {error}", host.host),
        (None, Some(code)) => format!("the entrypoint exited with code {code} on {}", host.host),
        (None, None) => format!("the entrypoint ended without an exit code on {}", host.host),
    };
    if host.last_lines.is_empty() {
        format!("AlgorithmError: {what}")
    } else {
        format!("AlgorithmError: {what}. Last log lines:\n{}", host.last_lines.join("\n"))
    }
}

/// Keeps the first line and as many of the last lines as fit in `max` bytes.
fn truncate_front_lines(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut lines = text.lines();
    let head = lines.next().unwrap_or_default();
    let mut head: String = head.chars().take(max.saturating_sub(4)).collect();
    let mut tail: Vec<&str> = Vec::new();
    let mut size = head.len() + "\n...".len();
    for line in lines.rev() {
        if size + 1 + line.len() > max {
            break;
        }
        size += 1 + line.len();
        tail.push(line);
    }
    tail.reverse();
    head.push_str("\n...");
    for line in tail {
        head.push('\n');
        head.push_str(line);
    }
    head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_reasons_name_the_host_code_and_last_lines() {
        let host = HostResult {
            host: "algo-2".into(),
            exit_code: Some(3),
            start_error: None,
            stopped: false,
            last_lines: vec!["Traceback".into(), "ValueError: bad".into()],
        };
        assert_eq!(
            algorithm_error(&host),
            "AlgorithmError: the entrypoint exited with code 3 on algo-2. Last log lines:\nTraceback\nValueError: bad"
        );
    }

    #[test]
    fn long_reasons_keep_their_head_and_latest_lines() {
        let lines: Vec<String> = (0..200).map(|i| format!("line {i}")).collect();
        let text = format!("AlgorithmError: boom\n{}", lines.join("\n"));
        let cut = truncate_front_lines(&text, 100);
        assert!(cut.len() <= 100, "{}", cut.len());
        assert!(cut.starts_with("AlgorithmError: boom\n..."));
        assert!(cut.ends_with("line 199"));
    }
}
