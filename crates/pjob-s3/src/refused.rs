//! A refused connection fails the call at once: nothing listens where it
//! went (a wrong `--endpoint-url`, a proxy that is down), and retrying with
//! the SDK's backoff made the user wait half a minute for the same answer.

use aws_sdk_s3::error::ConnectorError;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction, RetryClassifierPriority};

use crate::aws_error::io_error_kind;

/// Forbids the SDK's retry of a call whose connection was refused; other
/// failed connections (reset, timed out) are still retried. Runs after the
/// SDK's own classifiers, which mark every I/O failure retryable.
#[derive(Debug, Clone, Copy, Default)]
pub struct RefusedConnectionFailsFast;

impl ClassifyRetry for RefusedConnectionFailsFast {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let connector = ctx.output_or_error().and_then(Result::err).and_then(|e| e.as_connector_error());
        if connector.is_some_and(is_refused) { RetryAction::RetryForbidden } else { RetryAction::NoActionIndicated }
    }

    fn name(&self) -> &'static str {
        "pjob: a refused connection is not retried"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// Whether the connection was refused: what the error message calls
/// "connection refused" (see `aws_error`), by the same test.
fn is_refused(connector: &ConnectorError) -> bool {
    connector.is_io() && io_error_kind(connector) == Some(std::io::ErrorKind::ConnectionRefused)
}

#[cfg(test)]
mod tests {
    use aws_sdk_s3::error::ConnectorError;
    use aws_smithy_runtime_api::client::interceptors::context::{Error, Input, InterceptorContext};
    use aws_smithy_runtime_api::client::orchestrator::OrchestratorError;
    use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};

    use super::RefusedConnectionFailsFast;

    fn after(kind: std::io::ErrorKind) -> RetryAction {
        let mut ctx = InterceptorContext::new(Input::doesnt_matter());
        ctx.set_output_or_error(Err(OrchestratorError::<Error>::connector(ConnectorError::io(Box::new(std::io::Error::from(kind))))));
        RefusedConnectionFailsFast.classify_retry(&ctx)
    }

    #[test]
    fn only_a_refused_connection_is_not_retried() {
        assert_eq!(after(std::io::ErrorKind::ConnectionRefused), RetryAction::RetryForbidden);
        assert_eq!(after(std::io::ErrorKind::ConnectionReset), RetryAction::NoActionIndicated, "left to the SDK, which retries it");
        assert_eq!(after(std::io::ErrorKind::TimedOut), RetryAction::NoActionIndicated);
    }
}
