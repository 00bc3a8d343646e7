//! A job's CloudWatch logs: every instance's stream, in order.

use aws_sdk_sagemaker::error::ProvideErrorMetadata;

use crate::{Api, AwsExecutor, ExecutorError, Observer, Service};

/// The log group SageMaker writes processing jobs' logs to.
pub const LOG_GROUP: &str = "/aws/sagemaker/ProcessingJobs";

/// Most pages read from one stream in one poll.
const MAX_PAGES: usize = 100;

/// One log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// The instance that wrote it (`algo-1`).
    pub instance: String,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    /// The text.
    pub message: String,
}

/// Follows the streams `<job>/<instance>` of one job.
pub(crate) struct LogTail {
    executor: AwsExecutor,
    job: String,
    streams: Vec<Stream>,
    /// How many streams the job will write (one per instance), once known:
    /// the streams are looked for (`DescribeLogStreams`) until all are found.
    expected_streams: Option<usize>,
    /// Lines read but not yet returned: a stream's token moves only with its
    /// lines, so a poll that fails part-way loses and repeats nothing.
    pending: Vec<LogLine>,
}

/// One stream and how far it has been read.
struct Stream {
    name: String,
    instance: String,
    next_token: Option<String>,
}

impl LogTail {
    pub(crate) fn new(executor: &AwsExecutor, job: &str) -> LogTail {
        LogTail { executor: executor.clone(), job: job.to_string(), streams: Vec::new(), expected_streams: None, pending: Vec::new() }
    }

    /// Stops looking for streams once this many are found (0: unknown,
    /// keep looking).
    pub(crate) fn expect_streams(&mut self, count: usize) {
        self.expected_streams = (count > 0).then_some(count);
    }

    /// Lines written since the last poll, across instances in time order
    /// (each instance's lines in the order it wrote them). Lines read by a
    /// poll that failed part-way come with the next one.
    pub(crate) async fn poll(&mut self) -> Result<Vec<LogLine>, ExecutorError> {
        if self.expected_streams.is_none_or(|n| self.streams.len() < n) {
            self.discover().await?;
        }
        for index in 0..self.streams.len() {
            self.read_stream(index).await?;
        }
        let mut lines = std::mem::take(&mut self.pending);
        // Stable: lines of one instance keep their order.
        lines.sort_by_key(|l| l.timestamp);
        Ok(lines)
    }

    /// Reads one stream's new lines into `pending`, page by page.
    async fn read_stream(&mut self, index: usize) -> Result<(), ExecutorError> {
        for _ in 0..MAX_PAGES {
            let stream = &self.streams[index];
            let (name, token) = (stream.name.as_str(), stream.next_token.clone());
            let client = &self.executor.logs;
            let answer = self
                .executor
                .call(Api::GetLogEvents, || {
                    client
                        .get_log_events()
                        .log_group_name(LOG_GROUP)
                        .log_stream_name(name)
                        .start_from_head(true)
                        .set_next_token(token.clone())
                        .send()
                })
                .await
                .map_err(|e| ExecutorError::aws(Service::CloudWatchLogs, "GetLogEvents", &self.executor.context, e))?;
            let stream = &mut self.streams[index];
            let events = answer.events();
            let next = answer.next_forward_token().map(str::to_string);
            let moved = next.is_some() && next != stream.next_token;
            if next.is_some() {
                stream.next_token = next;
            }
            self.pending.extend(events.iter().map(|e| LogLine {
                instance: stream.instance.clone(),
                timestamp: e.timestamp().unwrap_or_default(),
                message: e.message().unwrap_or_default().trim_end_matches(['\r', '\n']).to_string(),
            }));
            if events.is_empty() || !moved {
                break;
            }
        }
        Ok(())
    }

    /// Adds streams that appeared since the last poll.
    async fn discover(&mut self) -> Result<(), ExecutorError> {
        let prefix = format!("{}/", self.job);
        let client = &self.executor.logs;
        let mut next_token: Option<String> = None;
        loop {
            let answer = self
                .executor
                .call(Api::DescribeLogStreams, || {
                    client
                        .describe_log_streams()
                        .log_group_name(LOG_GROUP)
                        .log_stream_name_prefix(&prefix)
                        .set_next_token(next_token.clone())
                        .send()
                })
                .await;
            let page = match answer {
                Ok(p) => p,
                // No job has logged in this region yet.
                Err(e) if e.code() == Some("ResourceNotFoundException") => return Ok(()),
                Err(e) => return Err(ExecutorError::aws(Service::CloudWatchLogs, "DescribeLogStreams", &self.executor.context, e)),
            };
            for s in page.log_streams() {
                let Some(name) = s.log_stream_name() else { continue };
                if self.streams.iter().all(|known| known.name != name) {
                    let instance = instance_of(name.strip_prefix(&prefix).unwrap_or(name)).to_string();
                    self.streams.push(Stream { name: name.to_string(), instance, next_token: None });
                }
            }
            next_token = page.next_token().filter(|t| !t.is_empty() && next_token.as_deref() != Some(*t)).map(str::to_string);
            if next_token.is_none() {
                break;
            }
        }
        self.streams.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(())
    }
}

/// The instance of a stream suffix: `algo-1-1700000000` → `algo-1`.
fn instance_of(suffix: &str) -> &str {
    match suffix.rsplit_once('-') {
        Some((instance, stamp)) if !instance.is_empty() && stamp.len() >= 9 && stamp.bytes().all(|b| b.is_ascii_digit()) => instance,
        _ => suffix,
    }
}

impl AwsExecutor {
    /// Sends every log line a job has written so far to `observer`.
    pub async fn logs(&self, name: &str, observer: &dyn Observer) -> Result<usize, ExecutorError> {
        let mut tail = LogTail::new(self, name);
        let lines = tail.poll().await?;
        for line in &lines {
            observer.log(name, line);
        }
        Ok(lines.len())
    }
}

#[cfg(test)]
mod tests {
    use super::instance_of;

    #[test]
    fn instances_are_named_without_their_start_time() {
        assert_eq!(instance_of("algo-1-1700000000"), "algo-1");
        assert_eq!(instance_of("algo-12-1700000000"), "algo-12");
        assert_eq!(instance_of("algo-1"), "algo-1");
        assert_eq!(instance_of("custom"), "custom");
        assert_eq!(instance_of("-1700000000"), "-1700000000");
    }
}
