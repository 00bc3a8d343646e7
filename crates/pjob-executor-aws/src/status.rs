//! What SageMaker says about a job.

use std::fmt;
use std::time::SystemTime;

use aws_sdk_sagemaker::operation::describe_processing_job::DescribeProcessingJobOutput;
use aws_sdk_sagemaker::primitives::{DateTime, DateTimeFormat};
use aws_sdk_sagemaker::types::{ProcessingJobStatus, ProcessingJobSummary};
use pjob_compiler::CreateProcessingJobRequest;
use serde::{Serialize, Serializer};

use crate::ExecutorError;

/// A processing job's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobStatus {
    /// Running (or starting).
    InProgress,
    /// Finished with exit code 0.
    Completed,
    /// Finished with an error.
    Failed,
    /// Being stopped.
    Stopping,
    /// Stopped before it finished.
    Stopped,
    /// A status this version of pjob does not know.
    Other(String),
}

impl JobStatus {
    /// Parses the API's spelling.
    pub fn parse(s: &str) -> JobStatus {
        match s {
            "InProgress" => JobStatus::InProgress,
            "Completed" => JobStatus::Completed,
            "Failed" => JobStatus::Failed,
            "Stopping" => JobStatus::Stopping,
            "Stopped" => JobStatus::Stopped,
            other => JobStatus::Other(other.to_string()),
        }
    }

    /// The API's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            JobStatus::InProgress => "InProgress",
            JobStatus::Completed => "Completed",
            JobStatus::Failed => "Failed",
            JobStatus::Stopping => "Stopping",
            JobStatus::Stopped => "Stopped",
            JobStatus::Other(s) => s,
        }
    }

    /// Whether the job has ended (it will not change again).
    pub fn is_terminal(&self) -> bool {
        matches!(self, JobStatus::Completed | JobStatus::Failed | JobStatus::Stopped)
    }

    fn from_sdk(s: Option<&ProcessingJobStatus>) -> JobStatus {
        JobStatus::parse(s.map(ProcessingJobStatus::as_str).unwrap_or("Unknown"))
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for JobStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A described job.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct JobInfo {
    /// Its name.
    pub processing_job_name: String,
    /// Its ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_job_arn: Option<String>,
    /// Its status.
    pub processing_job_status: JobStatus,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// The container's exit message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_message: Option<String>,
    /// When it was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<String>,
    /// When it started running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_start_time: Option<String>,
    /// When it ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_end_time: Option<String>,
    /// When it last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_time: Option<String>,
    /// The request it was created with, as SageMaker reports it.
    pub request: CreateProcessingJobRequest,
    /// When it was created, for elapsed times.
    #[serde(skip)]
    pub created: Option<SystemTime>,
    /// When it ended, for how long it took.
    #[serde(skip)]
    pub ended: Option<SystemTime>,
}

impl JobInfo {
    /// From a `DescribeProcessingJob` answer.
    pub(crate) fn from_describe(d: &DescribeProcessingJobOutput) -> Result<JobInfo, ExecutorError> {
        Ok(JobInfo {
            processing_job_name: d.processing_job_name().unwrap_or_default().to_string(),
            processing_job_arn: d.processing_job_arn().map(str::to_string),
            processing_job_status: JobStatus::from_sdk(d.processing_job_status()),
            failure_reason: d.failure_reason().map(str::to_string),
            exit_message: d.exit_message().map(str::to_string),
            creation_time: d.creation_time().and_then(rfc3339),
            processing_start_time: d.processing_start_time().and_then(rfc3339),
            processing_end_time: d.processing_end_time().and_then(rfc3339),
            last_modified_time: d.last_modified_time().and_then(rfc3339),
            request: crate::convert::from_describe(d)?,
            created: d.creation_time().and_then(|t| SystemTime::try_from(*t).ok()),
            ended: d.processing_end_time().and_then(|t| SystemTime::try_from(*t).ok()),
        })
    }
}

/// One job of a listing.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct JobSummary {
    /// Its name.
    pub processing_job_name: String,
    /// Its ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_job_arn: Option<String>,
    /// Its status.
    pub processing_job_status: JobStatus,
    /// When it was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_time: Option<String>,
    /// When it ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processing_end_time: Option<String>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// The container's exit message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_message: Option<String>,
    /// When it was created, for ordering.
    #[serde(skip)]
    pub created: Option<SystemTime>,
}

impl JobSummary {
    pub(crate) fn from_sdk(s: &ProcessingJobSummary) -> JobSummary {
        JobSummary {
            processing_job_name: s.processing_job_name().unwrap_or_default().to_string(),
            processing_job_arn: s.processing_job_arn().map(str::to_string),
            processing_job_status: JobStatus::from_sdk(s.processing_job_status()),
            creation_time: s.creation_time().and_then(rfc3339),
            processing_end_time: s.processing_end_time().and_then(rfc3339),
            failure_reason: s.failure_reason().map(str::to_string),
            exit_message: s.exit_message().map(str::to_string),
            created: s.creation_time().and_then(|t| SystemTime::try_from(*t).ok()),
        }
    }
}

pub(crate) fn rfc3339(t: &DateTime) -> Option<String> {
    t.fmt(DateTimeFormat::DateTime).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_know_when_they_are_final() {
        for s in ["InProgress", "Completed", "Failed", "Stopping", "Stopped", "Paused"] {
            assert_eq!(JobStatus::parse(s).as_str(), s);
        }
        let terminal: Vec<_> = ["InProgress", "Completed", "Failed", "Stopping", "Stopped"]
            .into_iter()
            .filter(|s| JobStatus::parse(s).is_terminal())
            .collect();
        assert_eq!(terminal, ["Completed", "Failed", "Stopped"]);
    }
}
