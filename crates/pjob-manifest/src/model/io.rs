//! Inputs and outputs: the SDK's `ProcessingInput` and `ProcessingOutput`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Data a job reads: an S3 (or local) source copied to a container path, or
/// a dataset definition (Athena or Redshift query).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessingInput {
    /// Input name (`InputName`); `input-1`, `input-2`, ... when omitted.
    /// Letters, digits, `.`, `_` and `-` (it names a folder and a part of an S3 key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$"))]
    pub name: Option<String>,
    /// `s3://` URI, or a local file or folder that pjob uploads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Container path under `/opt/ml/processing/` (`S3Input.LocalPath`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Whether `source` is a prefix or a manifest file listing objects.
    #[serde(default)]
    pub s3_data_type: S3DataType,
    /// `File` copies the data before the job starts; `Pipe` streams it.
    #[serde(default)]
    pub s3_input_mode: S3InputMode,
    /// `FullyReplicated` gives every instance all data; `ShardedByS3Key` splits it.
    #[serde(default)]
    pub s3_data_distribution_type: S3DataDistributionType,
    /// Whether objects are gzip-compressed (`Pipe` mode only decompresses).
    #[serde(default)]
    pub s3_compression_type: S3CompressionType,
    /// The job manages the input itself (`AppManaged`).
    #[serde(default)]
    pub app_managed: bool,
    /// Data from an Athena or Redshift query instead of `source`/`destination`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset_definition: Option<DatasetDefinition>,
}

/// `S3Input.S3DataType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum S3DataType {
    /// Every object under the prefix.
    #[default]
    S3Prefix,
    /// The objects a manifest file lists.
    ManifestFile,
}

/// `S3Input.S3InputMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum S3InputMode {
    /// Copied to the volume before the job starts.
    #[default]
    File,
    /// Streamed through a named pipe.
    Pipe,
}

/// `S3Input.S3DataDistributionType` and `DatasetDefinition.DataDistributionType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum S3DataDistributionType {
    /// Every instance gets all the data.
    #[default]
    FullyReplicated,
    /// Objects are split across instances by key.
    ShardedByS3Key,
}

/// `S3Input.S3CompressionType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum S3CompressionType {
    /// Not compressed.
    #[default]
    None,
    /// Gzip-compressed.
    Gzip,
}

/// The SDK's `DatasetDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatasetDefinition {
    /// Container path the query result lands in (`LocalPath`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_path: Option<String>,
    /// How the result is spread across instances (the SDK's default: `ShardedByS3Key`).
    #[serde(default = "sharded")]
    pub data_distribution_type: S3DataDistributionType,
    /// `File` or `Pipe`.
    #[serde(default)]
    pub input_mode: S3InputMode,
    /// An Athena query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub athena_dataset_definition: Option<AthenaDatasetDefinition>,
    /// A Redshift query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redshift_dataset_definition: Option<RedshiftDatasetDefinition>,
}

fn sharded() -> S3DataDistributionType {
    S3DataDistributionType::ShardedByS3Key
}

/// The SDK's `AthenaDatasetDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AthenaDatasetDefinition {
    /// Data catalog (`Catalog`), usually `AwsDataCatalog`.
    pub catalog: String,
    /// Database (`Database`).
    pub database: String,
    /// SQL query (`QueryString`).
    pub query_string: String,
    /// S3 location for the query result (`OutputS3Uri`).
    pub output_s3_uri: String,
    /// Athena workgroup (`WorkGroup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_group: Option<String>,
    /// Result format (`OutputFormat`).
    pub output_format: AthenaOutputFormat,
    /// Result compression (`OutputCompression`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_compression: Option<AthenaOutputCompression>,
    /// KMS key for the result (`KmsKeyId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
}

/// `AthenaDatasetDefinition.OutputFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum AthenaOutputFormat {
    /// Apache Parquet.
    Parquet,
    /// Apache ORC.
    Orc,
    /// Apache Avro.
    Avro,
    /// JSON lines.
    Json,
    /// Plain text.
    Textfile,
}

/// `AthenaDatasetDefinition.OutputCompression`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum AthenaOutputCompression {
    /// Gzip.
    Gzip,
    /// Snappy.
    Snappy,
    /// Zlib.
    Zlib,
}

/// The SDK's `RedshiftDatasetDefinition`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedshiftDatasetDefinition {
    /// Redshift cluster identifier (`ClusterId`).
    pub cluster_id: String,
    /// Database (`Database`).
    pub database: String,
    /// Database user (`DbUser`).
    pub db_user: String,
    /// SQL query (`QueryString`).
    pub query_string: String,
    /// IAM role Redshift assumes to unload (`ClusterRoleArn`).
    pub cluster_role_arn: String,
    /// S3 location for the unloaded result (`OutputS3Uri`).
    pub output_s3_uri: String,
    /// KMS key for the result (`KmsKeyId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    /// Result format (`OutputFormat`).
    pub output_format: RedshiftOutputFormat,
    /// Result compression (`OutputCompression`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_compression: Option<RedshiftOutputCompression>,
}

/// `RedshiftDatasetDefinition.OutputFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum RedshiftOutputFormat {
    /// Apache Parquet.
    Parquet,
    /// Comma-separated values.
    Csv,
}

/// `RedshiftDatasetDefinition.OutputCompression`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RedshiftOutputCompression {
    /// Not compressed.
    None,
    /// Gzip.
    GZIP,
    /// Bzip2.
    BZIP2,
    /// Zstandard.
    ZSTD,
    /// Snappy.
    SNAPPY,
}

/// Data a job writes: a container path uploaded to S3, or a feature group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProcessingOutput {
    /// Output name (`OutputName`); `output-1`, `output-2`, ... when omitted.
    /// Letters, digits, `.`, `_` and `-` (it names a folder and a part of an S3 key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$"))]
    pub name: Option<String>,
    /// Container path the job writes to (`S3Output.LocalPath`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `s3://` destination; default `s3://<bucket>/<job-name>/output/<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// `EndOfJob` uploads when the job ends; `Continuous` as files appear.
    #[serde(default)]
    pub s3_upload_mode: S3UploadMode,
    /// The job manages the output itself (`AppManaged`).
    #[serde(default)]
    pub app_managed: bool,
    /// Ingest into a SageMaker Feature Store feature group instead of S3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_store_output: Option<FeatureStoreOutput>,
}

/// `S3Output.S3UploadMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum S3UploadMode {
    /// Uploaded when the job ends.
    #[default]
    EndOfJob,
    /// Uploaded continuously while the job runs.
    Continuous,
}

/// The SDK's `FeatureStoreOutput`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeatureStoreOutput {
    /// Feature group to ingest into (`FeatureGroupName`).
    pub feature_group_name: String,
}
