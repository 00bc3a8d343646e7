//! What can go wrong running jobs on SageMaker.

use std::path::PathBuf;

use aws_sdk_sagemaker::error::{ProvideErrorMetadata, SdkError};
use pjob_s3::{AwsError, Call, CallContext, Service};

/// An executor error.
#[derive(Debug, thiserror::Error)]
pub enum ExecutorError {
    /// AWS could not be set up (no region, ...).
    #[error(transparent)]
    Setup(#[from] pjob_s3::SetupError),
    /// An AWS call failed (after retries).
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// An S3 transfer failed.
    #[error(transparent)]
    S3(#[from] pjob_s3::S3Error),
    /// A local artifact could not be read.
    #[error("cannot read {path}: {source}")]
    Artifact {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No processing job has this name.
    #[error("no processing job named `{name}` in this account and region")]
    NotFound {
        /// The name.
        name: String,
    },
    /// No pipeline has this name.
    #[error("no pipeline named `{name}` in this account and region (create it with pjob apply --pipeline {name} PATH...)")]
    PipelineNotFound {
        /// The name.
        name: String,
    },
    /// A request SageMaker cannot hold.
    #[error("the request cannot be sent: {field}: {message}")]
    Convert {
        /// The field.
        field: &'static str,
        /// Why.
        message: String,
    },
    /// A job description with a value pjob cannot read.
    #[error("DescribeProcessingJob answered an unreadable {field}: {message}")]
    Describe {
        /// The field.
        field: &'static str,
        /// What it held.
        message: String,
    },
    /// Waiting used up its budget of API calls while the job still ran.
    #[error("stopped waiting for `{name}` after {calls} status calls; it is still running (reattach with `pjob logs {name} -f`)")]
    WaitBudget {
        /// The job.
        name: String,
        /// Calls made.
        calls: u32,
    },
}

impl ExecutorError {
    /// Whether trying the same call again later would fail the same way
    /// (credentials, access denied, an error the service answered);
    /// `false` for passing failures (unreachable, timed out).
    pub fn is_definite(&self) -> bool {
        !matches!(self, ExecutorError::Aws(AwsError::Unreachable { .. } | AwsError::TimedOut { .. } | AwsError::Other { .. }))
    }

    /// A failed SDK call, classified (no credentials, access denied, ...).
    pub(crate) fn aws<E>(service: Service, operation: &'static str, context: &CallContext, error: SdkError<E>) -> ExecutorError
    where
        E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
    {
        ExecutorError::Aws(AwsError::from_sdk(Call::new(service, operation), context, error))
    }
}
