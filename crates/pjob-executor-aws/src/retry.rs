//! Which failed calls may be retried, and how long to wait first.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_sagemaker::error::{ProvideErrorMetadata, SdkError};

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

/// Exponential backoff with jitter: about `base * 2^attempt`, at most `max`,
/// randomly shortened by up to half so that parallel clients spread out.
pub(crate) fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let full = base.saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX)).min(max);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let fraction = 0.5 + f64::from(nanos % 1000) / 2000.0;
    full.mul_f64(fraction)
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
