//! CloudWatch Logs for running jobs, played by the proxy (moto holds only
//! what a test puts in it, and its jobs never run): each job writes
//! `lines` lines to each of `instances` streams `<job>/algo-<i>-1700000000`,
//! a share of them per status poll while it runs and all of them once it
//! has ended. `GetLogEvents` pages through them with forward tokens as
//! CloudWatch does (the same token back once a stream is read to its end).

use serde_json::{Value, json};

/// Log lines a job writes, and how they are paged.
#[derive(Debug, Clone, Copy)]
pub struct LogPlay {
    /// Lines per stream.
    pub lines: usize,
    /// Streams (instances) per job.
    pub instances: usize,
    /// Most events in one `GetLogEvents` answer.
    pub page: usize,
}

/// When the played lines are stamped (a fixed moment: CloudWatch keeps
/// order by timestamp, then by arrival).
const T0: i64 = 1_700_000_000_000;

/// The message of line `k` of a stream.
pub fn message(k: usize) -> String {
    format!("line {k}")
}

impl LogPlay {
    /// `DescribeLogStreams`: the streams of the job named by the prefix,
    /// once it has started (`started`).
    pub fn describe_streams(&self, request: &Value, started: impl Fn(&str) -> bool) -> Value {
        let prefix = request["logStreamNamePrefix"].as_str().unwrap_or_default();
        let job = prefix.trim_end_matches('/');
        let streams: Vec<Value> = if prefix.ends_with('/') && started(job) {
            (1..=self.instances).map(|i| json!({ "logStreamName": format!("{job}/algo-{i}-1700000000"), "creationTime": T0 })).collect()
        } else {
            Vec::new()
        };
        json!({ "logStreams": streams })
    }

    /// `GetLogEvents`: the next page of a stream after its forward token,
    /// among the `visible` lines its job has written so far.
    pub fn get_events(&self, request: &Value, visible: impl Fn(&str) -> usize) -> Value {
        let stream = request["logStreamName"].as_str().unwrap_or_default();
        let job = stream.split('/').next().unwrap_or_default();
        let from: usize = request["nextToken"].as_str().and_then(|t| t.strip_prefix("f/")).and_then(|n| n.parse().ok()).unwrap_or(0);
        let until = visible(job).min(self.lines).min(from + self.page).max(from);
        let events: Vec<Value> =
            (from..until).map(|k| json!({ "timestamp": T0 + k as i64, "message": message(k), "ingestionTime": T0 + k as i64 })).collect();
        json!({ "events": events, "nextForwardToken": format!("f/{until}"), "nextBackwardToken": format!("b/{from}") })
    }
}
