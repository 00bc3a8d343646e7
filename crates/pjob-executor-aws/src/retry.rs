//! Which failed calls may be retried, and how long to wait first; and
//! throttling, which pjob retries itself through its shared rate limits.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_sagemaker::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction, RetryClassifierPriority, RetryReason};
use aws_smithy_types::retry::ErrorKind;

use crate::AwsExecutor;
use crate::limits::Api;

/// What a failed call means for the operation it tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Refused for now (throttling): nothing happened, retry later.
    Throttled,
    /// The outcome is unknown (server error, timeout, dropped
    /// connection): check before retrying.
    Unknown,
    /// The resource already exists.
    AlreadyExists,
    /// A definite answer that retrying will not change.
    Fatal,
}

/// Error codes AWS services use for throttling.
const THROTTLING: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
    "SlowDown",
];

/// Classifies a failed call.
pub(crate) fn classify<E: ProvideErrorMetadata>(error: &SdkError<E>) -> Failure {
    match error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => Failure::Unknown,
        SdkError::ServiceError(service) => {
            let code = error.code().unwrap_or_default();
            let status = service.raw().status().as_u16();
            if THROTTLING.contains(&code) || status == 429 {
                Failure::Throttled
            } else if code == "ResourceInUse" {
                Failure::AlreadyExists
            } else if status >= 500 {
                Failure::Unknown
            } else {
                Failure::Fatal
            }
        }
        _ => Failure::Fatal,
    }
}

/// Whether a describe call failed because the job does not exist
/// (SageMaker answers `ValidationException: Could not find ...`).
pub(crate) fn is_not_found<E: ProvideErrorMetadata>(error: &SdkError<E>) -> bool {
    let SdkError::ServiceError(_) = error else { return false };
    let message = error.message().unwrap_or_default();
    match error.code() {
        Some("ValidationException") => message.contains("Could not find") || message.contains("does not exist"),
        Some("ResourceNotFound") | Some("ResourceNotFoundException") => true,
        _ => false,
    }
}

/// Longest wait before retrying a throttled call.
const THROTTLE_BACKOFF_MAX: Duration = Duration::from_secs(20);

/// Leaves throttled calls to pjob: the SDK's classifiers mark them
/// retryable, and this one (running after them) forbids the SDK's own
/// retry, so the retry waits for pjob's shared rate limit and backoff
/// (the SDK's retries would bypass both). Other retries (server errors,
/// timeouts, dropped connections) stay with the SDK.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ThrottlingLeftToPjob;

impl ClassifyRetry for ThrottlingLeftToPjob {
    fn classify_retry(&self, _ctx: &InterceptorContext) -> RetryAction {
        RetryAction::NoActionIndicated
    }

    fn classify_retry_v2(&self, _ctx: &InterceptorContext, previous: &RetryAction) -> RetryAction {
        match previous {
            RetryAction::RetryIndicated(RetryReason::RetryableError { kind: ErrorKind::ThrottlingError, .. }) => {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "pjob: throttling is retried through pjob's rate limits"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

impl AwsExecutor {
    /// Sends a call of `api` when its shared rate limit allows, and again,
    /// after a backoff with jitter and the rate limit, for as long as AWS
    /// answers with throttling: throttling slows pjob down but never fails
    /// a call. Every throttled answer is counted ([`AwsExecutor::throttled`]).
    pub(crate) async fn call<T, E, F, Fut>(&self, api: Api, mut send: F) -> Result<T, SdkError<E>>
    where
        E: ProvideErrorMetadata,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E>>>,
    {
        let mut attempt = 0;
        loop {
            self.limits.until_ready(api).await;
            match send().await {
                Err(e) if classify(&e) == Failure::Throttled => {
                    attempt += 1;
                    self.wait_after_throttling(attempt).await;
                }
                answer => return answer,
            }
        }
    }

    /// Counts a throttled answer and waits before the `attempt`th retry
    /// (exponential backoff with jitter, up to [`THROTTLE_BACKOFF_MAX`]).
    pub(crate) async fn wait_after_throttling(&self, attempt: u32) {
        self.count_throttled();
        tokio::time::sleep(backoff(attempt, self.poll.retry_base, THROTTLE_BACKOFF_MAX.min(self.poll.max_interval))).await;
    }
}

/// Exponential backoff with jitter: about `base * 2^attempt`, at most `max`,
/// randomly shortened by up to half so that parallel clients spread out.
pub(crate) fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let full = base.saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX)).min(max);
    full.mul_f64(0.5 + jitter_fraction() / 2.0)
}

/// A number in `[0, 1)` that differs from call to call (from the clock's
/// nanoseconds: enough to spread parallel waits).
pub(crate) fn jitter_fraction() -> f64 {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    f64::from(nanos % 1000) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_within_its_cap() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(2);
        for attempt in 0..40 {
            let d = backoff(attempt, base, max);
            let full = (base * 2u32.pow(attempt.min(16))).min(max);
            assert!(d <= full && d >= full / 2, "attempt {attempt}: {d:?}");
        }
    }
}
