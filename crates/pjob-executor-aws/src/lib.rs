//! Runs compiled pjob jobs on Amazon SageMaker Processing.
//!
//! [`AwsExecutor`] owns the AWS clients (set up through the standard chain
//! with pjob's `--region`, `--profile` and `--endpoint-url`) and does what
//! `pjob apply` and the job commands need:
//!
//! - [`AwsExecutor::submit`]: upload a [`CompiledJob`]'s artifacts (an
//!   object already in S3 with the same SHA-256 is not uploaded again) and
//!   create the job exactly once: for content-hash and fixed names an
//!   existing job is reported instead, and a create call whose outcome is
//!   unknown is checked with a describe before it is retried;
//! - [`AwsExecutor::wait`]: poll the job with backoff and a bounded number
//!   of calls, streaming its CloudWatch logs to an [`Observer`];
//! - every SageMaker and CloudWatch Logs call waits for its API's rate limit
//!   ([`ApiLimits`], shared by clones, so by every job of a run) and is
//!   retried through it when AWS throttles it: throttling slows a run down
//!   but never fails it;
//! - [`AwsExecutor::plan`], [`AwsExecutor::describe`], [`AwsExecutor::stop`],
//!   [`AwsExecutor::list`], [`AwsExecutor::logs`];
//! - [`AwsExecutor::describe_request`] and [`AwsExecutor::changes_since`]:
//!   the request an earlier job was created with, and what changed since
//!   (fields, and artifacts by their stored SHA-256), for `pjob plan`;
//! - SageMaker Pipelines: [`AwsExecutor::put_pipeline`] (create, or update
//!   only when the definition changed), [`AwsExecutor::start_execution`],
//!   [`AwsExecutor::describe_execution`], [`AwsExecutor::execution_steps`]
//!   and [`AwsExecutor::latest_execution`].
//!
//! The request conversion to the SDK's types is in [`convert`].

mod changes;
pub mod convert;
mod error;
mod limits;
mod logs;
mod manage;
mod monitor;
mod pipeline;
mod retry;
mod status;
mod submit;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_sagemaker::error::{ProvideErrorMetadata, SdkError};
use pjob_compiler::CompiledJob;
use pjob_s3::RefusedConnectionFailsFast;
pub use pjob_s3::{AwsConfig, AwsError, AwsOptions, Call, CallContext, S3Transfer, Service};

pub use error::ExecutorError;
pub use limits::{Api, ApiLimits};
pub use logs::{LOG_GROUP, LogLine};
pub use manage::{ListFilter, PlanAction, StopOutcome};
pub use monitor::{Observer, PollPolicy};
pub use pipeline::{ExecutionInfo, INLINE_DEFINITION_BYTES, PipelineChange, PipelineInfo, StepInfo};
pub use status::{JobInfo, JobStatus, JobSummary};
pub use submit::{Submission, Uploads, uses_bucket};

/// Runs and manages processing jobs in one account and region.
#[derive(Debug, Clone)]
pub struct AwsExecutor {
    sagemaker: aws_sdk_sagemaker::Client,
    logs: aws_sdk_cloudwatchlogs::Client,
    sts: aws_sdk_sts::Client,
    s3: S3Transfer,
    region: String,
    context: CallContext,
    poll: PollPolicy,
    limits: ApiLimits,
    throttled: Arc<AtomicU64>,
}

impl AwsExecutor {
    /// Sets up the clients from the standard AWS chain and `options`.
    /// Makes no AWS call.
    pub async fn connect(options: &AwsOptions) -> Result<AwsExecutor, ExecutorError> {
        Ok(AwsExecutor::new(&pjob_s3::aws_config(options).await?))
    }

    /// Clients over shared AWS configuration (S3 with path-style addressing
    /// when an endpoint URL is set).
    pub fn new(config: &AwsConfig) -> AwsExecutor {
        let sdk = &config.sdk;
        let sagemaker = aws_sdk_sagemaker::config::Builder::from(sdk)
            .retry_classifier(retry::ThrottlingLeftToPjob)
            .retry_classifier(RefusedConnectionFailsFast)
            .build();
        let logs = aws_sdk_cloudwatchlogs::config::Builder::from(sdk)
            .retry_classifier(retry::ThrottlingLeftToPjob)
            .retry_classifier(RefusedConnectionFailsFast)
            .build();
        let sts = aws_sdk_sts::config::Builder::from(sdk).retry_classifier(RefusedConnectionFailsFast).build();
        AwsExecutor {
            sagemaker: aws_sdk_sagemaker::Client::from_conf(sagemaker),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(logs),
            sts: aws_sdk_sts::Client::from_conf(sts),
            s3: S3Transfer::from_config(config),
            region: sdk.region().map(|r| r.to_string()).unwrap_or_default(),
            context: config.context.clone(),
            poll: PollPolicy::default(),
            limits: ApiLimits::default(),
            throttled: Arc::default(),
        }
    }

    /// Plays time `speed` times faster: API rates times `speed`, poll and
    /// retry intervals divided by it (for emulators; 1 is AWS).
    pub fn with_speed(mut self, speed: f64) -> AwsExecutor {
        let speed = if speed.is_finite() && speed > 0.0 { speed } else { 1.0 };
        self.limits = ApiLimits::new(speed);
        self.poll = self.poll.faster(speed);
        self
    }

    /// How many calls AWS has answered with throttling so far (each was
    /// retried after a wait).
    pub fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }

    fn count_throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    /// Sets how jobs are polled while waiting.
    pub fn with_poll_policy(mut self, poll: PollPolicy) -> AwsExecutor {
        self.poll = poll;
        self
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The S3 transfer the executor uploads with.
    pub fn s3(&self) -> &S3Transfer {
        &self.s3
    }

    /// The account the credentials belong to (STS `GetCallerIdentity`).
    pub async fn account_id(&self) -> Result<String, ExecutorError> {
        let identity = self.sts.get_caller_identity().send().await.map_err(|e| self.failed(Service::Sts, "GetCallerIdentity", e))?;
        let no_account = || AwsError::failed(Call::new(Service::Sts, "GetCallerIdentity"), "the answer names no account");
        Ok(identity.account().ok_or_else(no_account)?.to_string())
    }

    /// The SageMaker SDK's default bucket, `sagemaker-<region>-<account>`.
    pub async fn default_bucket(&self) -> Result<String, ExecutorError> {
        Ok(format!("sagemaker-{}-{}", self.region, self.account_id().await?))
    }

    /// A failed SDK call of this executor's, classified.
    pub(crate) fn failed<E>(&self, service: Service, operation: &'static str, error: SdkError<E>) -> ExecutorError
    where
        E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
    {
        ExecutorError::aws(service, operation, &self.context, error)
    }

    /// Creates a bucket in the executor's region unless it exists.
    pub async fn ensure_bucket(&self, bucket: &str) -> Result<(), ExecutorError> {
        Ok(self.s3.ensure_bucket(bucket, &self.region).await?)
    }
}

/// The job-name prefix a content-hash name was made from
/// (`churn-0123456789` → `churn`).
pub fn base_name(job: &CompiledJob) -> Option<&str> {
    if job.naming != pjob_compiler::JobNaming::ContentHash {
        return None;
    }
    let hash = job.content_hash.get(..pjob_compiler::naming::HASH_LEN)?;
    job.name().strip_suffix(hash)?.strip_suffix('-')
}
