//! Waiting for a job: polling with backoff, a bounded number of calls, and
//! its logs streamed as it runs.

use std::time::Duration;

use crate::logs::LogTail;
use crate::{AwsExecutor, ExecutorError, JobInfo, LogLine};

/// How a running job is polled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    /// The first interval, and the interval after anything new (a status
    /// change or log lines).
    pub initial_interval: Duration,
    /// The longest interval: quiet jobs are polled ever less often, up to
    /// this.
    pub max_interval: Duration,
    /// Most `DescribeProcessingJob` calls one wait makes.
    pub max_calls: u32,
    /// First wait before retrying a throttled or failed create call.
    pub retry_base: Duration,
}

impl Default for PollPolicy {
    /// 2 s growing by half each quiet poll to 30 s; at most 20,000 status
    /// calls (a week at 30 s, longer than SageMaker's 5-day limit).
    fn default() -> PollPolicy {
        PollPolicy {
            initial_interval: Duration::from_secs(2),
            max_interval: Duration::from_secs(30),
            max_calls: 20_000,
            retry_base: Duration::from_millis(500),
        }
    }
}

impl PollPolicy {
    /// The same policy with every interval divided by `speed`.
    pub fn faster(self, speed: f64) -> PollPolicy {
        PollPolicy {
            initial_interval: self.initial_interval.div_f64(speed),
            max_interval: self.max_interval.div_f64(speed),
            retry_base: self.retry_base.div_f64(speed),
            ..self
        }
    }
}

/// Receives what happens to jobs (the command line draws it).
pub trait Observer: Send + Sync {
    /// A job's status was seen for the first time or changed.
    fn status(&self, job: &JobInfo) {
        let _ = job;
    }
    /// A log line of a job.
    fn log(&self, job: &str, line: &LogLine) {
        let _ = (job, line);
    }
    /// Something worth telling the user.
    fn note(&self, job: &str, message: &str) {
        let _ = (job, message);
    }
    /// Something only a user asking for detail (`-v`) wants to hear.
    fn detail(&self, job: &str, message: &str) {
        let _ = (job, message);
    }
    /// A pipeline step was seen for the first time or its status changed.
    fn step(&self, step: &crate::StepInfo) {
        let _ = step;
    }
}

/// Reads of a finished job's last log lines when they fail for now.
const LAST_READS: u32 = 5;

impl AwsExecutor {
    /// Shows a job's new log lines and says how many there were; `None`
    /// when its logs cannot be read at all (access denied and the like:
    /// the job goes on without them). A passing failure (its retries used
    /// up) is read again at the next poll, or, once the job has `ended`,
    /// a few times more now, so that its last lines are not lost.
    pub(crate) async fn follow(&self, tail: &mut LogTail, name: &str, observer: &dyn Observer, ended: bool) -> Option<usize> {
        let mut failures = 0;
        loop {
            match tail.poll().await {
                Ok(new) => {
                    for line in &new {
                        observer.log(name, line);
                    }
                    return Some(new.len());
                }
                Err(e) if e.is_definite() => {
                    observer.note(name, &format!("cannot read the job's logs: {e}"));
                    return None;
                }
                Err(e) => {
                    observer.detail(name, &format!("reading the job's logs failed for now, trying again: {e}"));
                    failures += 1;
                    if !ended || failures >= LAST_READS {
                        return Some(0);
                    }
                    tokio::time::sleep(crate::retry::backoff(failures, self.poll.retry_base, self.poll.max_interval)).await;
                }
            }
        }
    }
}

/// `interval` lengthened by up to a tenth at random, so that jobs started
/// together do not poll together.
pub(crate) fn jittered(interval: Duration) -> Duration {
    interval.mul_f64(1.0 + crate::retry::jitter_fraction() / 10.0)
}

/// Describes that may say "not found" right after a create (SageMaker's
/// reads are eventually consistent).
const NOT_FOUND_GRACE: u32 = 5;

impl AwsExecutor {
    /// Waits until a job ends, reporting each status change and (with
    /// `stream_logs`) every log line of every instance to `observer`.
    /// Returns the final description.
    pub async fn wait(&self, name: &str, observer: &dyn Observer, stream_logs: bool) -> Result<JobInfo, ExecutorError> {
        let mut tail = stream_logs.then(|| LogTail::new(self, name));
        let mut interval = self.poll.initial_interval;
        let mut last_status = None;
        let mut calls = 0u32;
        let mut not_found = 0u32;
        loop {
            calls += 1;
            let info = match self.describe(name).await? {
                Some(info) => info,
                None if not_found < NOT_FOUND_GRACE => {
                    not_found += 1;
                    tokio::time::sleep(interval).await;
                    continue;
                }
                None => return Err(ExecutorError::NotFound { name: name.to_string() }),
            };
            let changed = last_status.as_ref() != Some(&info.processing_job_status);
            if changed {
                observer.status(&info);
                last_status = Some(info.processing_job_status.clone());
            }
            let ended = info.processing_job_status.is_terminal();
            let lines = match tail.as_mut() {
                Some(t) => {
                    t.expect_streams(info.request.processing_resources.cluster_config.instance_count as usize);
                    match self.follow(t, name, observer, ended).await {
                        Some(lines) => lines,
                        None => {
                            tail = None;
                            0
                        }
                    }
                }
                None => 0,
            };
            if ended {
                return Ok(info);
            }
            if calls >= self.poll.max_calls {
                return Err(ExecutorError::WaitBudget { name: name.to_string(), calls });
            }
            interval = if changed || lines > 0 { self.poll.initial_interval } else { interval.mul_f64(1.5).min(self.poll.max_interval) };
            tokio::time::sleep(jittered(interval)).await;
        }
    }
}
