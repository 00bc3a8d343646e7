//! The `CreateProcessingJob` request, in the API's own field names.
//!
//! These types serialize to exactly what `aws sagemaker
//! create-processing-job --cli-input-json` takes. The AWS executor converts
//! them to the SDK's builders; nothing here depends on the AWS SDK. The
//! API's enums are the manifest's own: their serde names are the API's values.

use std::collections::BTreeMap;

pub use pjob_manifest::{
    AthenaOutputCompression, AthenaOutputFormat, RedshiftOutputCompression, RedshiftOutputFormat, S3CompressionType,
    S3DataDistributionType, S3DataType, S3InputMode, S3UploadMode,
};
use serde::{Deserialize, Serialize};

/// A `CreateProcessingJob` request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateProcessingJobRequest {
    /// The job's name, unique in the account and region.
    pub processing_job_name: String,
    /// Data the job reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub processing_inputs: Vec<ProcessingInput>,
    /// Data the job writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_output_config: Option<ProcessingOutputConfig>,
    /// Instances and storage.
    pub processing_resources: ProcessingResources,
    /// Time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopping_condition: Option<StoppingCondition>,
    /// Image, entrypoint and arguments.
    pub app_specification: AppSpecification,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// Network settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_config: Option<NetworkConfig>,
    /// IAM role the job runs as.
    pub role_arn: String,
    /// SageMaker Experiments association.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment_config: Option<ExperimentConfig>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
}

/// `ProcessingInput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessingInput {
    /// Name of the input.
    pub input_name: String,
    /// Whether the job manages the input itself.
    pub app_managed: bool,
    /// An S3 source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3_input: Option<S3Input>,
    /// A query source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset_definition: Option<DatasetDefinition>,
}

/// `ProcessingS3Input`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct S3Input {
    /// Source URI.
    #[serde(rename = "S3Uri")]
    pub s3_uri: String,
    /// Container path.
    #[serde(rename = "LocalPath", default, skip_serializing_if = "Option::is_none")]
    pub local_path: Option<String>,
    /// `S3Prefix` or `ManifestFile`.
    #[serde(rename = "S3DataType")]
    pub s3_data_type: S3DataType,
    /// `File` or `Pipe`.
    #[serde(rename = "S3InputMode", default, skip_serializing_if = "Option::is_none")]
    pub s3_input_mode: Option<S3InputMode>,
    /// `FullyReplicated` or `ShardedByS3Key`.
    #[serde(rename = "S3DataDistributionType", default, skip_serializing_if = "Option::is_none")]
    pub s3_data_distribution_type: Option<S3DataDistributionType>,
    /// `None` or `Gzip`.
    #[serde(rename = "S3CompressionType", default, skip_serializing_if = "Option::is_none")]
    pub s3_compression_type: Option<S3CompressionType>,
}

/// `DatasetDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DatasetDefinition {
    /// An Athena query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub athena_dataset_definition: Option<AthenaDatasetDefinition>,
    /// A Redshift query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redshift_dataset_definition: Option<RedshiftDatasetDefinition>,
    /// Container path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_path: Option<String>,
    /// `FullyReplicated` or `ShardedByS3Key`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_distribution_type: Option<S3DataDistributionType>,
    /// `File` or `Pipe`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_mode: Option<S3InputMode>,
}

/// `AthenaDatasetDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AthenaDatasetDefinition {
    /// Data catalog.
    pub catalog: String,
    /// Database.
    pub database: String,
    /// SQL query.
    pub query_string: String,
    /// Workgroup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_group: Option<String>,
    /// Result location.
    #[serde(rename = "OutputS3Uri")]
    pub output_s3_uri: String,
    /// KMS key for the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// Result format.
    pub output_format: AthenaOutputFormat,
    /// Result compression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_compression: Option<AthenaOutputCompression>,
}

/// `RedshiftDatasetDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RedshiftDatasetDefinition {
    /// Cluster identifier.
    pub cluster_id: String,
    /// Database.
    pub database: String,
    /// Database user.
    pub db_user: String,
    /// SQL query.
    pub query_string: String,
    /// Role Redshift assumes.
    pub cluster_role_arn: String,
    /// Result location.
    #[serde(rename = "OutputS3Uri")]
    pub output_s3_uri: String,
    /// KMS key for the result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// Result format.
    pub output_format: RedshiftOutputFormat,
    /// Result compression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_compression: Option<RedshiftOutputCompression>,
}

/// `ProcessingOutputConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessingOutputConfig {
    /// The outputs.
    pub outputs: Vec<ProcessingOutput>,
    /// KMS key for the outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

/// `ProcessingOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessingOutput {
    /// Name of the output.
    pub output_name: String,
    /// Whether the job manages the output itself.
    pub app_managed: bool,
    /// An S3 destination.
    #[serde(rename = "S3Output", default, skip_serializing_if = "Option::is_none")]
    pub s3_output: Option<S3Output>,
    /// A feature group destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_store_output: Option<FeatureStoreOutput>,
}

/// `ProcessingS3Output`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct S3Output {
    /// Destination URI.
    #[serde(rename = "S3Uri")]
    pub s3_uri: String,
    /// Container path.
    #[serde(rename = "LocalPath", default, skip_serializing_if = "Option::is_none")]
    pub local_path: Option<String>,
    /// `EndOfJob` or `Continuous`.
    #[serde(rename = "S3UploadMode")]
    pub s3_upload_mode: S3UploadMode,
}

/// `ProcessingFeatureStoreOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct FeatureStoreOutput {
    /// Feature group.
    pub feature_group_name: String,
}

/// `ProcessingResources`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessingResources {
    /// The cluster.
    pub cluster_config: ClusterConfig,
}

/// `ProcessingClusterConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClusterConfig {
    /// Instances.
    pub instance_count: u32,
    /// Instance type.
    pub instance_type: String,
    /// Volume size in GB.
    #[serde(rename = "VolumeSizeInGB")]
    pub volume_size_in_gb: u32,
    /// Volume KMS key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_kms_key_id: Option<String>,
}

/// `ProcessingStoppingCondition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StoppingCondition {
    /// Time limit in seconds.
    pub max_runtime_in_seconds: u32,
}

/// `AppSpecification`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AppSpecification {
    /// Image URI.
    pub image_uri: String,
    /// Entrypoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_entrypoint: Option<Vec<String>>,
    /// Arguments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_arguments: Option<Vec<String>>,
}

/// `NetworkConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkConfig {
    /// Encrypt traffic between instances.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_inter_container_traffic_encryption: Option<bool>,
    /// Block network access.
    pub enable_network_isolation: bool,
    /// VPC placement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_config: Option<VpcConfig>,
}

/// `VpcConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VpcConfig {
    /// Security groups.
    pub security_group_ids: Vec<String>,
    /// Subnets.
    pub subnets: Vec<String>,
}

/// `ExperimentConfig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExperimentConfig {
    /// Experiment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment_name: Option<String>,
    /// Trial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_name: Option<String>,
    /// Trial component display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_component_display_name: Option<String>,
    /// Run name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_name: Option<String>,
}

/// `Tag`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}
