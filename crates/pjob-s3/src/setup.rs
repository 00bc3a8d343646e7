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
    /// connections included (default 8).
    pub max_attempts: Option<u32>,
}

/// AWS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// No region in the options, the environment or the profile.
    #[error("no AWS region: pass --region, set AWS_REGION, or set a region in the AWS profile")]
    NoRegion,
}

/// Loads the shared AWS configuration: the standard chain, overridden by
/// `options`, with retries (exponential backoff with jitter) for throttling,
/// server errors and dropped connections.
pub async fn sdk_config(options: &AwsOptions) -> Result<SdkConfig, SetupError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(options.max_attempts.unwrap_or(8).max(1))
                .with_initial_backoff(Duration::from_millis(500))
                .with_max_backoff(Duration::from_secs(20)),
        )
        .timeout_config(TimeoutConfig::builder().connect_timeout(Duration::from_secs(10)).build());
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
