//! Why an AWS call failed, in one or two lines that say what happened and
//! what to do; the SDK's own error stays below as the `source()`.

use std::error::Error as StdError;
use std::fmt;
use std::io::ErrorKind;

use aws_config::imds::client::error::ImdsError;
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_s3::error::{BoxError, ConnectorError, ProvideErrorMetadata, SdkError};

use crate::setup::CallContext;

/// Error codes of credentials AWS no longer accepts.
const EXPIRED: &[&str] = &["ExpiredToken", "ExpiredTokenException", "TokenRefreshRequired"];

/// Error codes of credentials AWS does not know or whose signature is wrong.
const INVALID: &[&str] = &[
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "InvalidAccessKeyId",
    "AuthFailure",
];

/// Error codes of a call the identity has no permission for.
const DENIED: &[&str] = &["AccessDenied", "AccessDeniedException"];

/// An AWS service pjob calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Amazon S3.
    S3,
    /// Amazon SageMaker.
    SageMaker,
    /// Amazon CloudWatch Logs.
    CloudWatchLogs,
    /// AWS STS.
    Sts,
}

impl Service {
    /// The service's name, as AWS writes it.
    pub fn name(self) -> &'static str {
        match self {
            Service::S3 => "S3",
            Service::SageMaker => "SageMaker",
            Service::CloudWatchLogs => "CloudWatch Logs",
            Service::Sts => "STS",
        }
    }

    /// The IAM action an operation needs (`sagemaker:CreateProcessingJob`;
    /// S3 operations map to the actions S3 checks, `HeadObject` to `s3:GetObject`).
    pub fn iam_action(self, operation: &str) -> String {
        let prefix = match self {
            Service::S3 => "s3",
            Service::SageMaker => "sagemaker",
            Service::CloudWatchLogs => "logs",
            Service::Sts => "sts",
        };
        let action = match (self, operation) {
            (Service::S3, "HeadObject") => "GetObject",
            (Service::S3, "HeadBucket" | "ListObjectsV2") => "ListBucket",
            (Service::S3, "CreateMultipartUpload" | "UploadPart" | "CompleteMultipartUpload") => "PutObject",
            _ => operation,
        };
        format!("{prefix}:{action}")
    }
}

/// One AWS call: the service, the operation and what it was about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The service.
    pub service: Service,
    /// The API operation (`PutObject`, `CreateProcessingJob`, ...).
    pub operation: &'static str,
    /// The object, bucket or prefix it was about, if any.
    pub resource: Option<String>,
}

impl Call {
    /// A call about nothing in particular.
    pub fn new(service: Service, operation: &'static str) -> Call {
        Call { service, operation, resource: None }
    }

    /// An S3 call about an object, prefix or bucket.
    pub fn s3(operation: &'static str, uri: impl Into<String>) -> Call {
        Call { service: Service::S3, operation, resource: Some(uri.into()) }
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.service.name(), self.operation)?;
        match &self.resource {
            Some(resource) => write!(f, " on {resource}"),
            None => Ok(()),
        }
    }
}

/// An AWS call failed. Each message is a line saying what happened and a
/// line saying what to do; the SDK's error is the `source()`.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// The credential chain found no credentials.
    #[error("no AWS credentials found{}\n  run `aws configure{}`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", for_profile(.profile), profile_arg(.profile))]
    NoCredentials {
        /// The profile named with `--profile` or `AWS_PROFILE`.
        profile: Option<String>,
        /// The SDK's error.
        source: BoxError,
    },
    /// The profile signs in through AWS SSO and has no valid session.
    #[error("the AWS SSO session{} has expired or was never started\n  run `aws sso login{}`", for_profile(.profile), profile_arg(.profile))]
    SsoLogin {
        /// The profile named with `--profile` or `AWS_PROFILE`.
        profile: Option<String>,
        /// The SDK's error.
        source: BoxError,
    },
    /// AWS answered that the credentials have expired.
    #[error(
        "the AWS credentials have expired ({code})\n  run `aws sso login --profile {}` if it signs in through SSO, or get new keys for AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN",
        .profile.as_deref().unwrap_or("PROFILE")
    )]
    ExpiredCredentials {
        /// The error code.
        code: String,
        /// The profile named with `--profile` or `AWS_PROFILE`.
        profile: Option<String>,
        /// The SDK's error.
        source: BoxError,
    },
    /// AWS does not know the access key, or the signature is wrong.
    #[error("AWS does not accept the credentials ({code}): the access key is unknown or the secret key does not match\n  run `aws configure{}`, or check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", profile_arg(.profile))]
    InvalidCredentials {
        /// The error code.
        code: String,
        /// The profile named with `--profile` or `AWS_PROFILE`.
        profile: Option<String>,
        /// The SDK's error.
        source: BoxError,
    },
    /// The credential chain failed for another reason (a broken profile,
    /// a failing `credential_process`, a role that cannot be assumed).
    #[error("cannot load AWS credentials{}: {reason}\n  check the profile in ~/.aws/config, or run `aws configure{}` (-v shows the cause)", for_profile(.profile), profile_arg(.profile))]
    CredentialsFailed {
        /// What went wrong, briefly.
        reason: &'static str,
        /// The profile named with `--profile` or `AWS_PROFILE`.
        profile: Option<String>,
        /// The SDK's error.
        source: BoxError,
    },
    /// The identity has no permission for the call.
    #[error(
        "access denied: AWS refused {call} ({code})\n  the AWS identity pjob runs as needs the `{action}` permission in its IAM policy (-v shows AWS's message)"
    )]
    AccessDenied {
        /// The call.
        call: Call,
        /// The error code (or HTTP status).
        code: String,
        /// The IAM action it needs.
        action: String,
        /// The SDK's error.
        source: BoxError,
    },
    /// The endpoint could not be reached.
    #[error("cannot reach {endpoint} for {call}: {reason}\n  {hint}")]
    Unreachable {
        /// The call.
        call: Call,
        /// The endpoint URL, or the service and region.
        endpoint: String,
        /// Connection refused, name not resolved, timed out, ...
        reason: &'static str,
        /// What to check.
        hint: &'static str,
        /// The SDK's error.
        source: BoxError,
    },
    /// The endpoint took the call but did not answer in time.
    #[error(
        "no answer from {endpoint} to {call} within {limit}\n  the server did not answer in time: try again later, or allow longer with --call-timeout or --operation-timeout"
    )]
    TimedOut {
        /// The call.
        call: Call,
        /// The endpoint URL, or the service and region.
        endpoint: String,
        /// The timeout that ended it, with its value and flag.
        limit: String,
        /// The SDK's error.
        source: BoxError,
    },
    /// Any other error the service answered with.
    #[error("{call} failed: {code}: {message}")]
    Service {
        /// The call.
        call: Call,
        /// The error code.
        code: String,
        /// The service's message.
        message: String,
        /// The SDK's error.
        source: BoxError,
    },
    /// Any other failure.
    #[error("{call} failed: {summary}")]
    Other {
        /// The call.
        call: Call,
        /// What went wrong, in one line.
        summary: String,
        /// The underlying error, if any.
        source: Option<BoxError>,
    },
}

impl AwsError {
    /// Classifies a failed SDK call.
    pub fn from_sdk<E>(call: Call, context: &CallContext, error: SdkError<E>) -> AwsError
    where
        E: StdError + ProvideErrorMetadata + Send + Sync + 'static,
    {
        match &error {
            SdkError::ServiceError(service) => {
                let answer = Answer {
                    code: error.code().map(str::to_string),
                    message: error.message().unwrap_or_default().to_string(),
                    status: service.raw().status().as_u16(),
                };
                service_error(call, context, answer, Box::new(error))
            }
            SdkError::TimeoutError(_) => timed_out(call, context, Box::new(error)),
            SdkError::DispatchFailure(_) => connection_error(call, context, false, Box::new(error)),
            _ => AwsError::other(call, error),
        }
    }

    /// Any other failure of a call, summarised by its innermost cause.
    pub fn other(call: Call, error: impl Into<BoxError>) -> AwsError {
        let source = error.into();
        AwsError::Other { call, summary: summary(source.as_ref()), source: Some(source) }
    }

    /// A failure of a call that is not an error of the SDK's (an answer
    /// that lacks something).
    pub fn failed(call: Call, summary: impl Into<String>) -> AwsError {
        AwsError::Other { call, summary: summary.into(), source: None }
    }
}

/// What a service answered with.
struct Answer {
    code: Option<String>,
    message: String,
    status: u16,
}

/// An error the service answered with: credentials, permission, or other.
fn service_error(call: Call, context: &CallContext, answer: Answer, source: BoxError) -> AwsError {
    let profile = context.profile.clone();
    let code_is = |list: &[&str]| answer.code.as_deref().is_some_and(|c| list.contains(&c));
    let code = answer.code.clone().unwrap_or_else(|| format!("HTTP {}", answer.status));
    if (code_is(EXPIRED) || code_is(INVALID)) && context.sso {
        AwsError::SsoLogin { profile, source }
    } else if code_is(EXPIRED) {
        AwsError::ExpiredCredentials { code, profile, source }
    } else if code_is(INVALID) {
        AwsError::InvalidCredentials { code, profile, source }
    } else if code_is(DENIED) || answer.status == 403 {
        let action = call.service.iam_action(call.operation);
        AwsError::AccessDenied { call, code, action, source }
    } else {
        let message = answer.message.lines().next().unwrap_or_default().to_string();
        AwsError::Service { call, code, message, source }
    }
}

/// A call that got no answer: credentials that could not be loaded, or an
/// endpoint that could not be reached.
fn connection_error(call: Call, context: &CallContext, timed_out: bool, source: BoxError) -> AwsError {
    if let Some(reason) = find::<CredentialsError>(source.as_ref()).map(credentials_failure) {
        return credentials_error(reason, context, source);
    }
    let reason = if timed_out { Some("timed out") } else { unreachable_reason(source.as_ref()) };
    let Some(reason) = reason else {
        return AwsError::Other { call, summary: summary(source.as_ref()), source: Some(source) };
    };
    let hint = match &context.endpoint_url {
        Some(_) => "check that the endpoint URL is right and that its server is running",
        None => "check the network connection, the proxy settings (HTTPS_PROXY) and the region",
    };
    AwsError::Unreachable { endpoint: endpoint(&call, context), call, reason, hint, source }
}

/// A call that the SDK's attempt or operation timeout ended.
fn timed_out(call: Call, context: &CallContext, source: BoxError) -> AwsError {
    if let Some(reason) = find::<CredentialsError>(source.as_ref()).map(credentials_failure) {
        return credentials_error(reason, context, source);
    }
    let timeouts = &context.timeouts;
    // The SDK says which timeout it was only in its message.
    let overall = chain(source.as_ref()).any(|e| e.to_string().starts_with("operation timeout"));
    let limit = if overall {
        format!("the operation timeout ({:?} in all, --operation-timeout)", timeouts.operation)
    } else if call.service == Service::S3 {
        format!("the S3 attempt timeout ({:?}, {} times --call-timeout)", timeouts.s3_attempt(), crate::setup::S3_ATTEMPT_FACTOR)
    } else {
        format!("the call timeout ({:?} per attempt, --call-timeout)", timeouts.attempt)
    };
    AwsError::TimedOut { endpoint: endpoint(&call, context), call, limit, source }
}

/// Where a call went: the endpoint URL, or the service and region.
fn endpoint(call: &Call, context: &CallContext) -> String {
    match &context.endpoint_url {
        Some(url) => url.clone(),
        None => format!("AWS {} in {}", call.service.name(), context.region.as_deref().unwrap_or("the default region")),
    }
}

/// Why the credential chain failed: `None` when it found no credentials.
fn credentials_failure(credentials: &CredentialsError) -> Option<&'static str> {
    match credentials {
        CredentialsError::CredentialsNotLoaded(_) => None,
        // The instance metadata service is the chain's last resort: when it
        // is what failed, nothing before it had credentials.
        _ if find::<ImdsError>(credentials).is_some() => None,
        CredentialsError::ProviderTimedOut(_) => Some("loading them timed out"),
        CredentialsError::InvalidConfiguration(_) => Some("the AWS configuration is invalid"),
        _ => Some("the credential provider failed"),
    }
}

/// The credentials case for a failure of the chain (see [`credentials_failure`]).
fn credentials_error(failure: Option<&'static str>, context: &CallContext, source: BoxError) -> AwsError {
    let profile = context.profile.clone();
    match failure {
        _ if context.sso => AwsError::SsoLogin { profile, source },
        None => AwsError::NoCredentials { profile, source },
        Some(reason) => AwsError::CredentialsFailed { reason, profile, source },
    }
}

/// Why a connection failed (`None` when the failure was not the connection's).
fn unreachable_reason(error: &(dyn StdError + 'static)) -> Option<&'static str> {
    let connector = find::<ConnectorError>(error)?;
    if connector.is_timeout() {
        return Some("timed out");
    }
    if !connector.is_io() {
        return None;
    }
    // hyper's connector says "dns error" when the host name did not resolve.
    if chain(error).any(|e| e.to_string().starts_with("dns error")) {
        return Some("the host name does not resolve");
    }
    Some(match io_error_kind(error) {
        Some(ErrorKind::ConnectionRefused) => "connection refused",
        Some(ErrorKind::TimedOut) => "timed out",
        Some(ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::UnexpectedEof) => {
            "the connection was closed before an answer came"
        }
        _ => "the connection failed",
    })
}

/// The kind of the first I/O error among an error's causes.
pub(crate) fn io_error_kind(error: &(dyn StdError + 'static)) -> Option<ErrorKind> {
    find::<std::io::Error>(error).map(std::io::Error::kind)
}

/// An error and its causes, outermost first.
fn chain<'a>(error: &'a (dyn StdError + 'static)) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |e: &&'a (dyn StdError + 'static)| (*e).source())
}

/// The first error of type `T` in a chain of causes.
fn find<'a, T: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    chain(error).find_map(|e| e.downcast_ref::<T>())
}

/// An error and its innermost cause, first line only (the SDK's own
/// messages say only "dispatch failure" or "response error").
fn summary(error: &(dyn StdError + 'static)) -> String {
    let first_line = |e: &dyn StdError| e.to_string().lines().next().unwrap_or_default().trim().to_string();
    match chain(error).skip(1).last() {
        Some(innermost) => format!("{}: {}", first_line(error), first_line(innermost)),
        None => first_line(error),
    }
}

/// ` for profile `P`` when a profile was named.
fn for_profile(profile: &Option<String>) -> String {
    profile.as_deref().map(|p| format!(" for profile `{p}`")).unwrap_or_default()
}

/// ` --profile P` when a profile was named.
fn profile_arg(profile: &Option<String>) -> String {
    profile.as_deref().map(|p| format!(" --profile {p}")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use aws_sdk_s3::config::http::HttpResponse;
    use aws_sdk_s3::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_s3::operation::head_object::HeadObjectError;
    use aws_sdk_s3::primitives::SdkBody;

    use super::*;

    fn context() -> CallContext {
        CallContext { region: Some("eu-west-1".into()), ..CallContext::default() }
    }

    fn call() -> Call {
        Call::s3("HeadObject", "s3://b/k")
    }

    fn answered(status: u16, code: Option<&str>) -> SdkError<HeadObjectError> {
        let mut meta = ErrorMetadata::builder().message("the service's message");
        if let Some(code) = code {
            meta = meta.code(code);
        }
        let raw = HttpResponse::new(status.try_into().unwrap(), SdkBody::empty());
        SdkError::service_error(HeadObjectError::generic(meta.build()), raw)
    }

    fn dispatch(error: ConnectorError) -> SdkError<HeadObjectError> {
        SdkError::dispatch_failure(error)
    }

    fn no_credentials(error: CredentialsError) -> SdkError<HeadObjectError> {
        dispatch(ConnectorError::other(Box::new(error), None))
    }

    /// An error whose message is `text`, caused by `source`.
    #[derive(Debug)]
    struct Wrapped(&'static str, std::io::Error);

    impl fmt::Display for Wrapped {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Wrapped {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.1)
        }
    }

    /// Every message is one line of what happened and one of what to do,
    /// and none repeats the SDK's error.
    fn assert_two_lines(error: &AwsError) {
        let text = error.to_string();
        assert_eq!(text.lines().count(), 2, "{text}");
        if let Some(source) = error.source() {
            assert!(!text.contains(&source.to_string()), "{text}");
        }
    }

    #[test]
    fn credential_chain_failures_are_told_apart() {
        let sso = CallContext { profile: Some("dev".into()), sso: true, ..context() };
        let cases = [
            (CredentialsError::not_loaded("nothing"), context(), "no AWS credentials found\n  run `aws configure`"),
            (CredentialsError::not_loaded("nothing"), sso.clone(), "SSO session for profile `dev`"),
            (CredentialsError::provider_error("no cached token"), sso, "run `aws sso login --profile dev`"),
            (CredentialsError::provider_timed_out(Duration::from_secs(5)), context(), "loading them timed out"),
            (CredentialsError::invalid_configuration("bad file"), context(), "the AWS configuration is invalid"),
            (CredentialsError::provider_error("process failed"), context(), "the credential provider failed"),
        ];
        for (credentials, context, wanted) in cases {
            let error = AwsError::from_sdk(call(), &context, no_credentials(credentials));
            assert!(error.to_string().contains(wanted), "{error}");
            assert_two_lines(&error);
            assert!(error.source().is_some(), "the SDK's error stays below");
        }
    }

    #[test]
    fn a_named_profile_is_in_the_advice() {
        let context = CallContext { profile: Some("ci".into()), ..context() };
        let error = AwsError::from_sdk(call(), &context, no_credentials(CredentialsError::not_loaded("nothing")));
        assert_eq!(
            error.to_string(),
            "no AWS credentials found for profile `ci`\n  run `aws configure --profile ci`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        );
    }

    /// A timeout as the SDK reports it: its message says which one.
    #[derive(Debug)]
    struct SdkTimeout(&'static str);

    impl fmt::Display for SdkTimeout {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for SdkTimeout {}

    #[test]
    fn timeouts_name_the_limit_that_ended_the_call() {
        let timeouts = crate::CallTimeouts { attempt: Duration::from_secs(2), operation: Duration::from_secs(7) };
        let context = CallContext { endpoint_url: Some("http://127.0.0.1:9".into()), timeouts, ..context() };
        let sagemaker = || Call::new(Service::SageMaker, "DescribeProcessingJob");
        let cases = [
            (sagemaker(), "operation attempt timeout occurred after 2s", "within the call timeout (2s per attempt, --call-timeout)"),
            (sagemaker(), "operation timeout occurred after 7s", "within the operation timeout (7s in all, --operation-timeout)"),
            (call(), "operation attempt timeout occurred after 20s", "within the S3 attempt timeout (20s, 10 times --call-timeout)"),
        ];
        for (call, sdk_message, wanted) in cases {
            let error = AwsError::from_sdk(call, &context, SdkError::<HeadObjectError>::timeout_error(SdkTimeout(sdk_message)));
            let text = error.to_string();
            assert!(text.starts_with("no answer from http://127.0.0.1:9 to "), "{text}");
            assert!(text.contains(wanted), "{text}");
            assert_two_lines(&error);
        }
    }

    #[test]
    fn connection_failures_say_why_and_where() {
        let refused = || ConnectorError::io(Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)));
        let dns = ConnectorError::io(Box::new(Wrapped("dns error", std::io::Error::other("Name or service not known"))));
        let timeout = ConnectorError::timeout(Box::new(std::io::Error::from(std::io::ErrorKind::TimedOut)));
        let cases = [(refused(), "connection refused"), (dns, "the host name does not resolve"), (timeout, "timed out")];
        for (connector, reason) in cases {
            let error = AwsError::from_sdk(call(), &context(), dispatch(connector));
            assert!(
                error.to_string().starts_with(&format!("cannot reach AWS S3 in eu-west-1 for S3 HeadObject on s3://b/k: {reason}\n")),
                "{error}"
            );
            assert_two_lines(&error);
        }
        let emulator = CallContext { endpoint_url: Some("http://127.0.0.1:9".into()), ..context() };
        let error = AwsError::from_sdk(call(), &emulator, dispatch(refused()));
        assert!(error.to_string().starts_with("cannot reach http://127.0.0.1:9 for S3 HeadObject"), "{error}");
    }

    #[test]
    fn service_answers_are_classified_by_code_then_status() {
        let cases = [
            (403, Some("ExpiredToken"), "the AWS credentials have expired (ExpiredToken)"),
            (400, Some("InvalidClientTokenId"), "AWS does not accept the credentials (InvalidClientTokenId)"),
            (403, Some("SignatureDoesNotMatch"), "AWS does not accept the credentials (SignatureDoesNotMatch)"),
            (400, Some("AccessDeniedException"), "access denied: AWS refused S3 HeadObject on s3://b/k (AccessDeniedException)"),
            (
                403,
                None,
                "access denied: AWS refused S3 HeadObject on s3://b/k (HTTP 403)\n  the AWS identity pjob runs as needs the `s3:GetObject` permission",
            ),
        ];
        for (status, code, wanted) in cases {
            let error = AwsError::from_sdk(call(), &context(), answered(status, code));
            assert!(error.to_string().starts_with(wanted), "{error}");
            assert_two_lines(&error);
        }
        let other = AwsError::from_sdk(call(), &context(), answered(400, Some("InvalidRequest")));
        assert_eq!(other.to_string(), "S3 HeadObject on s3://b/k failed: InvalidRequest: the service's message");
        let sso = CallContext { sso: true, profile: Some("dev".into()), ..context() };
        let expired = AwsError::from_sdk(call(), &sso, answered(400, Some("ExpiredTokenException")));
        assert!(expired.to_string().contains("aws sso login --profile dev"), "{expired}");
    }

    #[test]
    fn iam_actions_are_the_ones_aws_checks() {
        assert_eq!(Service::SageMaker.iam_action("CreateProcessingJob"), "sagemaker:CreateProcessingJob");
        assert_eq!(Service::CloudWatchLogs.iam_action("GetLogEvents"), "logs:GetLogEvents");
        assert_eq!(Service::S3.iam_action("UploadPart"), "s3:PutObject");
        assert_eq!(Service::S3.iam_action("ListObjectsV2"), "s3:ListBucket");
        assert_eq!(Service::S3.iam_action("HeadObject"), "s3:GetObject");
    }

    #[test]
    fn other_failures_keep_their_innermost_cause_on_one_line() {
        let error = AwsError::other(call(), Wrapped("the body broke off", std::io::Error::other("reset\nby peer")));
        assert_eq!(error.to_string(), "S3 HeadObject on s3://b/k failed: the body broke off: reset");
    }
}
