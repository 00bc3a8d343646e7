//! A job's CloudWatch logs: every instance's stream, in order.

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_sagemaker::error::ProvideErrorMetadata;

use crate::{AwsExecutor, CallContext, ExecutorError, Observer, Service};

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
    client: Client,
    context: CallContext,
    job: String,
    streams: Vec<Stream>,
}

/// One stream and how far it has been read.
struct Stream {
    name: String,
    instance: String,
    next_token: Option<String>,
}

impl LogTail {
    pub(crate) fn new(executor: &AwsExecutor, job: &str) -> LogTail {
        LogTail { client: executor.logs.clone(), context: executor.context.clone(), job: job.to_string(), streams: Vec::new() }
    }

    /// Lines written since the last poll, across instances in time order
    /// (each instance's lines in the order it wrote them).
    pub(crate) async fn poll(&mut self) -> Result<Vec<LogLine>, ExecutorError> {
        self.discover().await?;
        let mut lines = Vec::new();
        for stream in &mut self.streams {
            for _ in 0..MAX_PAGES {
                let answer = self
                    .client
                    .get_log_events()
                    .log_group_name(LOG_GROUP)
                    .log_stream_name(&stream.name)
                    .start_from_head(true)
                    .set_next_token(stream.next_token.clone())
                    .send()
                    .await
                    .map_err(|e| ExecutorError::aws(Service::CloudWatchLogs, "GetLogEvents", &self.context, e))?;
                let events = answer.events();
                let token = answer.next_forward_token().map(str::to_string);
                let moved = token.is_some() && token != stream.next_token;
                if token.is_some() {
                    stream.next_token = token;
                }
                lines.extend(events.iter().map(|e| LogLine {
                    instance: stream.instance.clone(),
                    timestamp: e.timestamp().unwrap_or_default(),
                    message: e.message().unwrap_or_default().trim_end_matches(['\r', '\n']).to_string(),
                }));
                if events.is_empty() || !moved {
                    break;
                }
            }
        }
        // Stable: lines of one instance keep their order.
        lines.sort_by_key(|l| l.timestamp);
        Ok(lines)
    }

    /// Adds streams that appeared since the last poll.
    async fn discover(&mut self) -> Result<(), ExecutorError> {
        let prefix = format!("{}/", self.job);
        let mut pages =
            self.client.describe_log_streams().log_group_name(LOG_GROUP).log_stream_name_prefix(&prefix).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                // No job has logged in this region yet.
                Err(e) if e.code() == Some("ResourceNotFoundException") => return Ok(()),
                Err(e) => return Err(ExecutorError::aws(Service::CloudWatchLogs, "DescribeLogStreams", &self.context, e)),
            };
            for s in page.log_streams() {
                let Some(name) = s.log_stream_name() else { continue };
                if self.streams.iter().all(|known| known.name != name) {
                    let instance = instance_of(name.strip_prefix(&prefix).unwrap_or(name)).to_string();
                    self.streams.push(Stream { name: name.to_string(), instance, next_token: None });
                }
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
