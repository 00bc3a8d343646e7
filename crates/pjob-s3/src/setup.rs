//! The AWS configuration every pjob client shares.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

/// Where pjob's AWS settings come from besides the standard chain
/// (environment, profiles, SSO, instance roles); each `Some` wins over it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    /// `--region`.
    pub region: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--endpoint-url`: one endpoint for every service (emulators).
    pub endpoint_url: Option<String>,
    /// Most attempts per call, retries of throttling, 5xx and dropped
    /// connections included (default `AWS_MAX_ATTEMPTS`, else 8).
    pub max_attempts: Option<u32>,
    /// `--call-timeout`: how long one attempt of a control-plane call may
    /// take, answer included (default [`DEFAULT_CALL_TIMEOUT`]).
    pub call_timeout: Option<Duration>,
    /// `--operation-timeout`: how long a control-plane call may take in all,
    /// retries included (default [`DEFAULT_OPERATION_TIMEOUT`]).
    pub operation_timeout: Option<Duration>,
}

/// How long one attempt of a control-plane call may take by default.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// How long a control-plane call may take in all by default.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(300);

/// How many call timeouts one S3 attempt may take: an upload of a large part
/// needs longer than a control-plane answer (at the default, 10 minutes for
/// an 8 MiB part); S3 calls have no overall bound beyond their attempts.
pub const S3_ATTEMPT_FACTOR: u32 = 10;

/// How long pjob's AWS calls may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallTimeouts {
    /// One attempt of a control-plane call (`--call-timeout`).
    pub attempt: Duration,
    /// A control-plane call in all, retries included (`--operation-timeout`).
    pub operation: Duration,
}

impl Default for CallTimeouts {
    fn default() -> CallTimeouts {
        CallTimeouts { attempt: DEFAULT_CALL_TIMEOUT, operation: DEFAULT_OPERATION_TIMEOUT }
    }
}

impl CallTimeouts {
    /// One attempt of an S3 call: [`S3_ATTEMPT_FACTOR`] call timeouts.
    pub fn s3_attempt(&self) -> Duration {
        self.attempt.saturating_mul(S3_ATTEMPT_FACTOR)
    }

    /// The SDK's timeouts for control-plane calls.
    fn control_plane(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
    }

    /// The SDK's timeouts for S3 calls: a longer attempt, no overall bound.
    pub fn s3(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .operation_attempt_timeout(self.s3_attempt())
            .disable_operation_timeout()
            .build()
    }
}

/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where pjob's AWS calls go and whose credentials they use, as the
/// messages about failed calls name them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallContext {
    /// The region.
    pub region: Option<String>,
    /// The one endpoint URL every call goes to (`--endpoint-url`), if set.
    pub endpoint_url: Option<String>,
    /// The profile named with `--profile` or `AWS_PROFILE`.
    pub profile: Option<String>,
    /// Whether the profile in use signs in through AWS SSO.
    pub sso: bool,
    /// How long calls may take (for messages about calls that timed out).
    pub timeouts: CallTimeouts,
}

impl CallContext {
    /// The region and endpoint of shared configuration (no profile).
    pub fn of(config: &SdkConfig) -> CallContext {
        CallContext {
            region: config.region().map(|r| r.to_string()),
            endpoint_url: config.endpoint_url().map(str::to_string),
            ..CallContext::default()
        }
    }
}

/// The AWS configuration every pjob client shares, and what messages about
/// failed calls need to know of it.
#[derive(Debug, Clone)]
pub struct AwsConfig {
    /// The SDK's configuration.
    pub sdk: SdkConfig,
    /// The region, endpoint and profile, for messages.
    pub context: CallContext,
}

/// AWS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// No region in the options, the environment or the profile.
    #[error("no AWS region is set\n  pass --region, or set AWS_REGION (or `region` in the AWS profile)")]
    NoRegion,
    /// The named profile is in neither AWS file.
    #[error(
        "AWS profile `{profile}` is not in ~/.aws/config or ~/.aws/credentials\n  run `aws configure --profile {profile}` (or `aws configure sso`), or pick one of `aws configure list-profiles`"
    )]
    UnknownProfile {
        /// The profile.
        profile: String,
    },
}

/// Loads the shared AWS configuration: the standard chain, overridden by
/// `options`, with retries (exponential backoff with jitter) for throttling,
/// server errors, dropped connections and timed-out attempts, and the
/// control-plane timeouts of [`CallTimeouts`] (S3 clients take
/// [`CallTimeouts::s3`] instead). A named profile must exist.
pub async fn aws_config(options: &AwsOptions) -> Result<AwsConfig, SetupError> {
    let profile = SelectedProfile::load(options.profile.as_deref()).await;
    if let Some(name) = profile.named.as_ref().filter(|_| profile.missing) {
        return Err(SetupError::UnknownProfile { profile: name.clone() });
    }
    let timeouts = CallTimeouts {
        attempt: options.call_timeout.unwrap_or(DEFAULT_CALL_TIMEOUT),
        operation: options.operation_timeout.unwrap_or(DEFAULT_OPERATION_TIMEOUT),
    };
    let sdk = load_sdk_config(options, &timeouts).await?;
    let context = CallContext { profile: profile.named, sso: profile.sso, timeouts, ..CallContext::of(&sdk) };
    Ok(AwsConfig { sdk, context })
}

/// The profile in use, as the AWS files describe it.
struct SelectedProfile {
    /// Its name, when one was named (`--profile`, `AWS_PROFILE`).
    named: Option<String>,
    /// Whether the files were read and it is not in them.
    missing: bool,
    /// Whether it signs in through AWS SSO.
    sso: bool,
}

impl SelectedProfile {
    /// Reads the AWS files (`~/.aws/config`, `~/.aws/credentials`, or where
    /// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` point). Files that
    /// cannot be parsed are left for the SDK to report.
    async fn load(named: Option<&str>) -> SelectedProfile {
        let env = aws_types::os_shim_internal::Env::real();
        let named = named.map(str::to_string).or_else(|| env.get("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
        let files = aws_runtime::env_config::file::EnvConfigFiles::default();
        let fs = aws_types::os_shim_internal::Fs::real();
        let Ok(profiles) = aws_config::profile::load(&fs, &env, &files, named.clone().map(Into::into)).await else {
            return SelectedProfile { named, missing: false, sso: false };
        };
        let profile = profiles.get_profile(profiles.selected_profile());
        let sso = profile.is_some_and(|p| p.get("sso_start_url").is_some() || p.get("sso_session").is_some());
        SelectedProfile { missing: profile.is_none(), named, sso }
    }
}

/// Loads the SDK's configuration.
async fn load_sdk_config(options: &AwsOptions, timeouts: &CallTimeouts) -> Result<SdkConfig, SetupError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(options.max_attempts.or_else(max_attempts_from_env).unwrap_or(8).max(1))
                .with_initial_backoff(Duration::from_millis(500))
                .with_max_backoff(Duration::from_secs(20)),
        )
        .timeout_config(timeouts.control_plane());
    if let Some(region) = &options.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &options.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(SetupError::NoRegion);
    }
    Ok(config)
}

/// `AWS_MAX_ATTEMPTS`, the standard setting the SDK would read had pjob not
/// set its own retry policy.
fn max_attempts_from_env() -> Option<u32> {
    std::env::var("AWS_MAX_ATTEMPTS").ok()?.trim().parse().ok()
}
