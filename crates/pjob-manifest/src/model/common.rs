//! Fields every kind shares: the SDK processor constructor's and `run()`'s.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ProcessingInput, ProcessingOutput};

/// The settings of the SDK's processor constructor and `run()` that every kind takes.
///
/// `Default` is the placeholder a kind's spec holds until these fields are
/// read (see [`JobSpec::from_json`](super::JobSpec::from_json)), not a valid spec.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CommonSpec {
    /// IAM role ARN the job runs as (`RoleArn`).
    #[schemars(regex(pattern = r"^arn:aws[a-z\-]*:iam::\d{12}:role/.+$"))]
    pub role: String,
    /// Number of instances (`ClusterConfig.InstanceCount`).
    #[schemars(range(min = 1, max = 100))]
    pub instance_count: u32,
    /// ML compute instance type, such as `ml.m5.xlarge` (`ClusterConfig.InstanceType`).
    #[schemars(regex(pattern = r"^ml\.[a-z0-9]+\.[a-z0-9]+$"))]
    pub instance_type: String,
    /// Size of each instance's ML storage volume in GB (`ClusterConfig.VolumeSizeInGB`).
    #[serde(default = "default_volume_size")]
    #[schemars(range(min = 1, max = 16384))]
    pub volume_size_in_gb: u32,
    /// KMS key that encrypts the instances' storage volumes (`ClusterConfig.VolumeKmsKeyId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_kms_key: Option<String>,
    /// KMS key that encrypts the job's outputs (`ProcessingOutputConfig.KmsKeyId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_kms_key: Option<String>,
    /// Time limit for the job in seconds (`StoppingCondition.MaxRuntimeInSeconds`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 777600))]
    pub max_runtime_in_seconds: Option<u32>,
    /// Environment variables for the container (`Environment`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// VPC and network isolation settings (`NetworkConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_config: Option<NetworkConfig>,
    /// Data the job reads (`ProcessingInputs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<ProcessingInput>,
    /// Data the job writes (`ProcessingOutputConfig.Outputs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<ProcessingOutput>,
    /// Arguments passed to the entrypoint (`AppSpecification.ContainerArguments`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<String>,
    /// SageMaker Experiments association (`ExperimentConfig`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment_config: Option<ExperimentConfig>,
    /// A fixed job name; overrides the naming policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$"), length(min = 1, max = 63))]
    pub job_name: Option<String>,
    /// How the job name is made when `job_name` is not set: `hash` (default,
    /// `<name>-<content hash>`, so an unchanged manifest is never run twice)
    /// or `timestamp` (the SDK's `<name>-YYYY-MM-DD-HH-MM-SS-mmm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub naming: Option<NamingPolicy>,
    /// S3 prefix under which pjob uploads local code and artifacts (default: the default bucket).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^s3://"))]
    pub code_location: Option<String>,
    /// KMS key for the artifacts pjob uploads (SSE-KMS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    /// Key prefix in the default bucket (the SDK session's
    /// `default_bucket_prefix`): every default S3 URI becomes
    /// `s3://<default bucket>/<prefix>/<job>/...`: local inputs and code,
    /// outputs without `destination`, Spark uploads without a location.
    /// Wins over `--default-bucket-prefix`; `code_location` and the Spark
    /// locations do not take it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_bucket_prefix: Option<String>,
    /// Automatic new attempts of a job that fails for a passing reason:
    /// at most `attempts` after the first run, when the failure reason
    /// starts with one of the `on` categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryPolicy>,
    /// In a SageMaker Pipeline (`--pipeline`), reuse the result of an
    /// earlier execution's identical step for this long (the step's
    /// `CacheConfig`). Outside a pipeline it changes nothing: a job of the
    /// same content is already reused by its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<StepCache>,
}

/// `spec.cache`: how long a pipeline step's result may be reused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepCache {
    /// An ISO 8601 duration, such as `P30D` (30 days) or `PT12H` (12 hours).
    #[schemars(regex(pattern = r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$"), length(min = 3))]
    pub expire_after: String,
}

/// `spec.retry`: when and how often a failed job is started again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// New attempts after the first run, at most.
    #[schemars(range(min = 1, max = 20))]
    pub attempts: u32,
    /// Failure categories worth another attempt (the start of SageMaker's failure reason).
    #[schemars(length(min = 1))]
    pub on: Vec<RetryCategory>,
    /// Seconds before the first new attempt.
    #[serde(default = "default_retry_interval")]
    #[schemars(range(min = 1, max = 3600))]
    pub interval_seconds: u32,
    /// Factor by which each wait grows.
    #[serde(default = "default_backoff_rate")]
    #[schemars(range(min = 1.0, max = 10.0))]
    pub backoff_rate: f64,
}

/// A failure category a job may be retried on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RetryCategory {
    /// SageMaker could not provision the instances.
    CapacityError,
    /// An internal error of SageMaker.
    InternalServerError,
    /// An account quota was reached.
    ResourceLimitExceeded,
}

impl RetryCategory {
    /// The exception type a SageMaker Pipeline step's retry policy names
    /// for this category.
    pub fn pipeline_exception_type(self) -> &'static str {
        match self {
            RetryCategory::CapacityError => "SageMaker.CAPACITY_ERROR",
            RetryCategory::InternalServerError => "SageMaker.JOB_INTERNAL_ERROR",
            RetryCategory::ResourceLimitExceeded => "SageMaker.RESOURCE_LIMIT",
        }
    }

    /// The category as SageMaker's failure reasons start with it.
    pub fn as_str(self) -> &'static str {
        match self {
            RetryCategory::CapacityError => "CapacityError",
            RetryCategory::InternalServerError => "InternalServerError",
            RetryCategory::ResourceLimitExceeded => "ResourceLimitExceeded",
        }
    }
}

impl RetryPolicy {
    /// Whether a job that failed with `reason` should be started again.
    pub fn covers(&self, reason: &str) -> bool {
        self.on.iter().any(|c| reason.trim_start().starts_with(c.as_str()))
    }

    /// The wait before new attempt `attempt` (1 for the first new attempt).
    pub fn wait_before(&self, attempt: u32) -> std::time::Duration {
        let factor = self.backoff_rate.powi(attempt.saturating_sub(1).min(30) as i32);
        std::time::Duration::from_secs_f64((f64::from(self.interval_seconds) * factor).min(3600.0))
    }
}

fn default_retry_interval() -> u32 {
    1
}

fn default_backoff_rate() -> f64 {
    2.0
}

fn default_volume_size() -> u32 {
    30
}

/// How a job is named when no `job_name` is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NamingPolicy {
    /// `<metadata.name>-<hash of the request and artifacts>`.
    Hash,
    /// `<metadata.name>-YYYY-MM-DD-HH-MM-SS-mmm`, a new job on every apply.
    Timestamp,
}

/// The SDK's `NetworkConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Block all network access from the containers (`EnableNetworkIsolation`).
    #[serde(default)]
    pub enable_network_isolation: bool,
    /// VPC security groups (`VpcConfig.SecurityGroupIds`); needs `subnets`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<String>,
    /// VPC subnets (`VpcConfig.Subnets`); needs `security_group_ids`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<String>,
    /// Encrypt traffic between instances (`EnableInterContainerTrafficEncryption`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypt_inter_container_traffic: Option<bool>,
}

/// The SDK's `experiment_config` dict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperimentConfig {
    /// Experiment to associate the job with (`ExperimentName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment_name: Option<String>,
    /// Trial to associate the job with (`TrialName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_name: Option<String>,
    /// Display name of the job's trial component (`TrialComponentDisplayName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_component_display_name: Option<String>,
    /// Run name within the experiment (`RunName`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_name: Option<String>,
}
