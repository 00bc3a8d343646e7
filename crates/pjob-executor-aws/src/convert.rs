//! pjob's [`CreateProcessingJobRequest`] to and from the AWS SDK's types,
//! field for field.

use std::collections::BTreeMap;

use aws_sdk_sagemaker::operation::create_processing_job::CreateProcessingJobInput;
use aws_sdk_sagemaker::operation::create_processing_job::builders::CreateProcessingJobFluentBuilder;
use aws_sdk_sagemaker::operation::describe_processing_job::DescribeProcessingJobOutput;
use aws_sdk_sagemaker::types as sdk;
use pjob_compiler::request::{
    AppSpecification, AthenaDatasetDefinition, AthenaOutputCompression, AthenaOutputFormat, ClusterConfig, CreateProcessingJobRequest,
    DatasetDefinition, ExperimentConfig, FeatureStoreOutput, NetworkConfig, ProcessingInput, ProcessingOutput, ProcessingOutputConfig,
    ProcessingResources, RedshiftDatasetDefinition, RedshiftOutputCompression, RedshiftOutputFormat, S3CompressionType,
    S3DataDistributionType, S3DataType, S3Input, S3InputMode, S3Output, S3UploadMode, StoppingCondition, VpcConfig,
};

use crate::ExecutorError;

/// The SDK's input for a request.
pub fn to_sdk(request: &CreateProcessingJobRequest) -> Result<CreateProcessingJobInput, ExecutorError> {
    let r = request;
    CreateProcessingJobInput::builder()
        .processing_job_name(&r.processing_job_name)
        .set_processing_inputs((!r.processing_inputs.is_empty()).then(|| r.processing_inputs.iter().map(input).collect()))
        .set_processing_output_config(r.processing_output_config.as_ref().map(output_config))
        .processing_resources(resources(&r.processing_resources)?)
        .set_stopping_condition(r.stopping_condition.as_ref().map(stopping_condition).transpose()?)
        .app_specification(app_specification(&r.app_specification))
        .set_environment((!r.environment.is_empty()).then(|| r.environment.iter().map(|(k, v)| (k.clone(), v.clone())).collect()))
        .set_network_config(r.network_config.as_ref().map(network_config))
        .role_arn(&r.role_arn)
        .set_experiment_config(r.experiment_config.as_ref().map(experiment_config))
        .set_tags((!r.tags.is_empty()).then(|| r.tags.iter().map(|t| sdk::Tag::builder().key(&t.key).value(&t.value).build()).collect()))
        .build()
        .map_err(|e| ExecutorError::Convert { field: "CreateProcessingJob", message: e.to_string() })
}

/// A `CreateProcessingJob` call carrying every field of `input`.
pub fn create_call(call: CreateProcessingJobFluentBuilder, input: CreateProcessingJobInput) -> CreateProcessingJobFluentBuilder {
    call.set_processing_job_name(input.processing_job_name)
        .set_processing_inputs(input.processing_inputs)
        .set_processing_output_config(input.processing_output_config)
        .set_processing_resources(input.processing_resources)
        .set_stopping_condition(input.stopping_condition)
        .set_app_specification(input.app_specification)
        .set_environment(input.environment)
        .set_network_config(input.network_config)
        .set_role_arn(input.role_arn)
        .set_experiment_config(input.experiment_config)
        .set_tags(input.tags)
}

/// The request a described job was created with (tags are not part of a
/// description; text fields the answer lacks are left empty). A value of
/// one of the API's enums that pjob does not know, or a required one the
/// answer lacks, is an error.
pub fn from_describe(d: &DescribeProcessingJobOutput) -> Result<CreateProcessingJobRequest, ExecutorError> {
    Ok(CreateProcessingJobRequest {
        processing_job_name: d.processing_job_name().unwrap_or_default().to_string(),
        processing_inputs: d.processing_inputs().iter().map(input_back).collect::<Result<_, _>>()?,
        processing_output_config: d.processing_output_config().map(output_config_back).transpose()?,
        processing_resources: resources_back(d.processing_resources()),
        stopping_condition: d.stopping_condition().map(|s| StoppingCondition {
            max_runtime_in_seconds: u32::try_from(s.max_runtime_in_seconds().unwrap_or_default()).unwrap_or_default(),
        }),
        app_specification: app_specification_back(d.app_specification()),
        environment: d.environment().map(|e| e.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<BTreeMap<_, _>>()).unwrap_or_default(),
        network_config: d.network_config().map(network_config_back),
        role_arn: d.role_arn().unwrap_or_default().to_string(),
        experiment_config: d.experiment_config().map(experiment_config_back),
        tags: Vec::new(),
    })
}

/// Converts between a request enum and the SDK's, variant for variant:
/// `$to` for sending, `$back` for reading a description, where a value
/// without a request variant is an error rather than a guess.
macro_rules! enum_conversions {
    ($to:ident, $back:ident, $field:literal, $ours:ident => sdk::$sdk:ident { $($v:ident => $s:ident),+ $(,)? }) => {
        fn $to(value: $ours) -> sdk::$sdk {
            match value {
                $($ours::$v => sdk::$sdk::$s,)+
            }
        }

        fn $back(value: &sdk::$sdk) -> Result<$ours, ExecutorError> {
            match value {
                $(sdk::$sdk::$s => Ok($ours::$v),)+
                other => Err(ExecutorError::Describe { field: $field, message: format!("`{}`, a value pjob does not know", other.as_str()) }),
            }
        }
    };
}

enum_conversions!(s3_data_type, s3_data_type_back, "S3DataType", S3DataType => sdk::ProcessingS3DataType {
    S3Prefix => S3Prefix,
    ManifestFile => ManifestFile,
});
enum_conversions!(s3_input_mode, s3_input_mode_back, "S3InputMode", S3InputMode => sdk::ProcessingS3InputMode {
    File => File,
    Pipe => Pipe,
});
enum_conversions!(
    s3_data_distribution_type,
    s3_data_distribution_type_back,
    "S3DataDistributionType",
    S3DataDistributionType => sdk::ProcessingS3DataDistributionType {
        FullyReplicated => Fullyreplicated,
        ShardedByS3Key => Shardedbys3Key,
    }
);
enum_conversions!(s3_compression_type, s3_compression_type_back, "S3CompressionType", S3CompressionType => sdk::ProcessingS3CompressionType {
    None => None,
    Gzip => Gzip,
});
enum_conversions!(s3_upload_mode, s3_upload_mode_back, "S3UploadMode", S3UploadMode => sdk::ProcessingS3UploadMode {
    EndOfJob => EndOfJob,
    Continuous => Continuous,
});
enum_conversions!(
    data_distribution_type,
    data_distribution_type_back,
    "DataDistributionType",
    S3DataDistributionType => sdk::DataDistributionType {
        FullyReplicated => Fullyreplicated,
        ShardedByS3Key => Shardedbys3Key,
    }
);
enum_conversions!(input_mode, input_mode_back, "InputMode", S3InputMode => sdk::InputMode {
    File => File,
    Pipe => Pipe,
});
enum_conversions!(athena_format, athena_format_back, "AthenaDatasetDefinition.OutputFormat", AthenaOutputFormat => sdk::AthenaResultFormat {
    Parquet => Parquet,
    Orc => Orc,
    Avro => Avro,
    Json => Json,
    Textfile => Textfile,
});
enum_conversions!(
    athena_compression,
    athena_compression_back,
    "AthenaDatasetDefinition.OutputCompression",
    AthenaOutputCompression => sdk::AthenaResultCompressionType {
        Gzip => Gzip,
        Snappy => Snappy,
        Zlib => Zlib,
    }
);
enum_conversions!(
    redshift_format,
    redshift_format_back,
    "RedshiftDatasetDefinition.OutputFormat",
    RedshiftOutputFormat => sdk::RedshiftResultFormat {
        Parquet => Parquet,
        Csv => Csv,
    }
);
enum_conversions!(
    redshift_compression,
    redshift_compression_back,
    "RedshiftDatasetDefinition.OutputCompression",
    RedshiftOutputCompression => sdk::RedshiftResultCompressionType {
        None => None,
        GZIP => Gzip,
        BZIP2 => Bzip2,
        ZSTD => Zstd,
        SNAPPY => Snappy,
    }
);

/// A value the API requires, or an error naming it.
fn required<T>(field: &'static str, value: Option<T>) -> Result<T, ExecutorError> {
    value.ok_or_else(|| ExecutorError::Describe { field, message: "none, though the API requires one".into() })
}

fn int(field: &'static str, value: u32) -> Result<i32, ExecutorError> {
    i32::try_from(value).map_err(|_| ExecutorError::Convert { field, message: format!("{value} is too large") })
}

fn input(i: &ProcessingInput) -> sdk::ProcessingInput {
    sdk::ProcessingInput::builder()
        .input_name(&i.input_name)
        .app_managed(i.app_managed)
        .set_s3_input(i.s3_input.as_ref().map(|s| {
            sdk::ProcessingS3Input::builder()
                .s3_uri(&s.s3_uri)
                .set_local_path(s.local_path.clone())
                .s3_data_type(s3_data_type(s.s3_data_type))
                .set_s3_input_mode(s.s3_input_mode.map(s3_input_mode))
                .set_s3_data_distribution_type(s.s3_data_distribution_type.map(s3_data_distribution_type))
                .set_s3_compression_type(s.s3_compression_type.map(s3_compression_type))
                .build()
        }))
        .set_dataset_definition(i.dataset_definition.as_ref().map(dataset_definition))
        .build()
}

fn dataset_definition(d: &DatasetDefinition) -> sdk::DatasetDefinition {
    sdk::DatasetDefinition::builder()
        .set_athena_dataset_definition(d.athena_dataset_definition.as_ref().map(|a| {
            sdk::AthenaDatasetDefinition::builder()
                .catalog(&a.catalog)
                .database(&a.database)
                .query_string(&a.query_string)
                .set_work_group(a.work_group.clone())
                .output_s3_uri(&a.output_s3_uri)
                .set_kms_key_id(a.kms_key_id.clone())
                .output_format(athena_format(a.output_format))
                .set_output_compression(a.output_compression.map(athena_compression))
                .build()
        }))
        .set_redshift_dataset_definition(d.redshift_dataset_definition.as_ref().map(|r| {
            sdk::RedshiftDatasetDefinition::builder()
                .cluster_id(&r.cluster_id)
                .database(&r.database)
                .db_user(&r.db_user)
                .query_string(&r.query_string)
                .cluster_role_arn(&r.cluster_role_arn)
                .output_s3_uri(&r.output_s3_uri)
                .set_kms_key_id(r.kms_key_id.clone())
                .output_format(redshift_format(r.output_format))
                .set_output_compression(r.output_compression.map(redshift_compression))
                .build()
        }))
        .set_local_path(d.local_path.clone())
        .set_data_distribution_type(d.data_distribution_type.map(data_distribution_type))
        .set_input_mode(d.input_mode.map(input_mode))
        .build()
}

fn output_config(c: &ProcessingOutputConfig) -> sdk::ProcessingOutputConfig {
    sdk::ProcessingOutputConfig::builder()
        .set_outputs(Some(c.outputs.iter().map(output).collect()))
        .set_kms_key_id(c.kms_key_id.clone())
        .build()
}

fn output(o: &ProcessingOutput) -> sdk::ProcessingOutput {
    sdk::ProcessingOutput::builder()
        .output_name(&o.output_name)
        .app_managed(o.app_managed)
        .set_s3_output(o.s3_output.as_ref().map(|s| {
            sdk::ProcessingS3Output::builder()
                .s3_uri(&s.s3_uri)
                .set_local_path(s.local_path.clone())
                .s3_upload_mode(s3_upload_mode(s.s3_upload_mode))
                .build()
        }))
        .set_feature_store_output(
            o.feature_store_output
                .as_ref()
                .map(|f| sdk::ProcessingFeatureStoreOutput::builder().feature_group_name(&f.feature_group_name).build()),
        )
        .build()
}

fn resources(r: &ProcessingResources) -> Result<sdk::ProcessingResources, ExecutorError> {
    let c = &r.cluster_config;
    Ok(sdk::ProcessingResources::builder()
        .cluster_config(
            sdk::ProcessingClusterConfig::builder()
                .instance_count(int("InstanceCount", c.instance_count)?)
                .instance_type(sdk::ProcessingInstanceType::from(c.instance_type.as_str()))
                .volume_size_in_gb(int("VolumeSizeInGB", c.volume_size_in_gb)?)
                .set_volume_kms_key_id(c.volume_kms_key_id.clone())
                .build(),
        )
        .build())
}

fn stopping_condition(s: &StoppingCondition) -> Result<sdk::ProcessingStoppingCondition, ExecutorError> {
    Ok(sdk::ProcessingStoppingCondition::builder().max_runtime_in_seconds(int("MaxRuntimeInSeconds", s.max_runtime_in_seconds)?).build())
}

fn app_specification(a: &AppSpecification) -> sdk::AppSpecification {
    sdk::AppSpecification::builder()
        .image_uri(&a.image_uri)
        .set_container_entrypoint(a.container_entrypoint.clone())
        .set_container_arguments(a.container_arguments.clone())
        .build()
}

fn network_config(n: &NetworkConfig) -> sdk::NetworkConfig {
    sdk::NetworkConfig::builder()
        .set_enable_inter_container_traffic_encryption(n.enable_inter_container_traffic_encryption)
        .enable_network_isolation(n.enable_network_isolation)
        .set_vpc_config(n.vpc_config.as_ref().map(|v| {
            sdk::VpcConfig::builder()
                .set_security_group_ids(Some(v.security_group_ids.clone()))
                .set_subnets(Some(v.subnets.clone()))
                .build()
        }))
        .build()
}

fn experiment_config(e: &ExperimentConfig) -> sdk::ExperimentConfig {
    sdk::ExperimentConfig::builder()
        .set_experiment_name(e.experiment_name.clone())
        .set_trial_name(e.trial_name.clone())
        .set_trial_component_display_name(e.trial_component_display_name.clone())
        .set_run_name(e.run_name.clone())
        .build()
}

fn text(s: Option<&str>) -> String {
    s.unwrap_or_default().to_string()
}

fn input_back(i: &sdk::ProcessingInput) -> Result<ProcessingInput, ExecutorError> {
    Ok(ProcessingInput {
        input_name: text(i.input_name()),
        app_managed: i.app_managed().unwrap_or_default(),
        s3_input: i.s3_input().map(s3_input_back).transpose()?,
        dataset_definition: i.dataset_definition().map(dataset_definition_back).transpose()?,
    })
}

fn s3_input_back(s: &sdk::ProcessingS3Input) -> Result<S3Input, ExecutorError> {
    Ok(S3Input {
        s3_uri: text(s.s3_uri()),
        local_path: s.local_path().map(str::to_string),
        s3_data_type: s3_data_type_back(required("S3DataType", s.s3_data_type())?)?,
        s3_input_mode: s.s3_input_mode().map(s3_input_mode_back).transpose()?,
        s3_data_distribution_type: s.s3_data_distribution_type().map(s3_data_distribution_type_back).transpose()?,
        s3_compression_type: s.s3_compression_type().map(s3_compression_type_back).transpose()?,
    })
}

fn dataset_definition_back(d: &sdk::DatasetDefinition) -> Result<DatasetDefinition, ExecutorError> {
    Ok(DatasetDefinition {
        athena_dataset_definition: d.athena_dataset_definition().map(athena_back).transpose()?,
        redshift_dataset_definition: d.redshift_dataset_definition().map(redshift_back).transpose()?,
        local_path: d.local_path().map(str::to_string),
        data_distribution_type: d.data_distribution_type().map(data_distribution_type_back).transpose()?,
        input_mode: d.input_mode().map(input_mode_back).transpose()?,
    })
}

fn athena_back(a: &sdk::AthenaDatasetDefinition) -> Result<AthenaDatasetDefinition, ExecutorError> {
    Ok(AthenaDatasetDefinition {
        catalog: text(a.catalog()),
        database: text(a.database()),
        query_string: text(a.query_string()),
        work_group: a.work_group().map(str::to_string),
        output_s3_uri: text(a.output_s3_uri()),
        kms_key_id: a.kms_key_id().map(str::to_string),
        output_format: athena_format_back(required("AthenaDatasetDefinition.OutputFormat", a.output_format())?)?,
        output_compression: a.output_compression().map(athena_compression_back).transpose()?,
    })
}

fn redshift_back(r: &sdk::RedshiftDatasetDefinition) -> Result<RedshiftDatasetDefinition, ExecutorError> {
    Ok(RedshiftDatasetDefinition {
        cluster_id: text(r.cluster_id()),
        database: text(r.database()),
        db_user: text(r.db_user()),
        query_string: text(r.query_string()),
        cluster_role_arn: text(r.cluster_role_arn()),
        output_s3_uri: text(r.output_s3_uri()),
        kms_key_id: r.kms_key_id().map(str::to_string),
        output_format: redshift_format_back(required("RedshiftDatasetDefinition.OutputFormat", r.output_format())?)?,
        output_compression: r.output_compression().map(redshift_compression_back).transpose()?,
    })
}

fn output_config_back(c: &sdk::ProcessingOutputConfig) -> Result<ProcessingOutputConfig, ExecutorError> {
    Ok(ProcessingOutputConfig {
        outputs: c.outputs().iter().map(output_back).collect::<Result<_, _>>()?,
        kms_key_id: c.kms_key_id().map(str::to_string),
    })
}

fn output_back(o: &sdk::ProcessingOutput) -> Result<ProcessingOutput, ExecutorError> {
    Ok(ProcessingOutput {
        output_name: text(o.output_name()),
        app_managed: o.app_managed().unwrap_or_default(),
        s3_output: o.s3_output().map(s3_output_back).transpose()?,
        feature_store_output: o.feature_store_output().map(|f| FeatureStoreOutput { feature_group_name: text(f.feature_group_name()) }),
    })
}

fn s3_output_back(s: &sdk::ProcessingS3Output) -> Result<S3Output, ExecutorError> {
    Ok(S3Output {
        s3_uri: text(s.s3_uri()),
        local_path: s.local_path().map(str::to_string),
        s3_upload_mode: s3_upload_mode_back(required("S3UploadMode", s.s3_upload_mode())?)?,
    })
}

fn resources_back(r: Option<&sdk::ProcessingResources>) -> ProcessingResources {
    let c = r.and_then(|r| r.cluster_config());
    ProcessingResources {
        cluster_config: ClusterConfig {
            instance_count: c.and_then(|c| c.instance_count()).and_then(|n| u32::try_from(n).ok()).unwrap_or_default(),
            instance_type: c.and_then(|c| c.instance_type()).map(|t| t.as_str().to_string()).unwrap_or_default(),
            volume_size_in_gb: c.and_then(|c| c.volume_size_in_gb()).and_then(|n| u32::try_from(n).ok()).unwrap_or_default(),
            volume_kms_key_id: c.and_then(|c| c.volume_kms_key_id()).map(str::to_string),
        },
    }
}

fn app_specification_back(a: Option<&sdk::AppSpecification>) -> AppSpecification {
    AppSpecification {
        image_uri: text(a.and_then(|a| a.image_uri())),
        container_entrypoint: a.and_then(|a| a.container_entrypoint.clone()),
        container_arguments: a.and_then(|a| a.container_arguments.clone()),
    }
}

fn network_config_back(n: &sdk::NetworkConfig) -> NetworkConfig {
    NetworkConfig {
        enable_inter_container_traffic_encryption: n.enable_inter_container_traffic_encryption(),
        enable_network_isolation: n.enable_network_isolation().unwrap_or_default(),
        vpc_config: n
            .vpc_config()
            .map(|v| VpcConfig { security_group_ids: v.security_group_ids().to_vec(), subnets: v.subnets().to_vec() }),
    }
}

fn experiment_config_back(e: &sdk::ExperimentConfig) -> ExperimentConfig {
    ExperimentConfig {
        experiment_name: e.experiment_name().map(str::to_string),
        trial_name: e.trial_name().map(str::to_string),
        trial_component_display_name: e.trial_component_display_name().map(str::to_string),
        run_name: e.run_name().map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pjob_compiler::request::Tag;
    use std::collections::HashMap;

    /// Tags of an SDK input, in pjob's type.
    fn tags_of(input: &CreateProcessingJobInput) -> Vec<Tag> {
        input.tags().iter().map(|t| Tag { key: text(t.key()), value: text(t.value()) }).collect()
    }

    /// A request with every field set.
    fn full_request() -> CreateProcessingJobRequest {
        let json = serde_json::json!({
            "ProcessingJobName": "full-0123456789",
            "ProcessingInputs": [
                {"InputName": "raw", "AppManaged": false, "S3Input": {"S3Uri": "s3://b/raw/", "LocalPath": "/opt/ml/processing/input/raw",
                  "S3DataType": "ManifestFile", "S3InputMode": "Pipe", "S3DataDistributionType": "ShardedByS3Key", "S3CompressionType": "Gzip"}},
                {"InputName": "athena", "AppManaged": true, "DatasetDefinition": {
                  "AthenaDatasetDefinition": {"Catalog": "c", "Database": "d", "QueryString": "select 1", "WorkGroup": "w",
                    "OutputS3Uri": "s3://b/athena/", "KmsKeyId": "k1", "OutputFormat": "PARQUET", "OutputCompression": "SNAPPY"},
                  "LocalPath": "/opt/ml/processing/input/athena", "DataDistributionType": "FullyReplicated", "InputMode": "File"}},
                {"InputName": "redshift", "AppManaged": false, "DatasetDefinition": {
                  "RedshiftDatasetDefinition": {"ClusterId": "cl", "Database": "db", "DbUser": "u", "QueryString": "select 2",
                    "ClusterRoleArn": "arn:aws:iam::1:role/r", "OutputS3Uri": "s3://b/rs/", "KmsKeyId": "k2", "OutputFormat": "CSV", "OutputCompression": "GZIP"},
                  "LocalPath": "/opt/ml/processing/input/rs", "DataDistributionType": "ShardedByS3Key", "InputMode": "Pipe"}}
            ],
            "ProcessingOutputConfig": {"Outputs": [
                {"OutputName": "train", "AppManaged": false, "S3Output": {"S3Uri": "s3://b/train/", "LocalPath": "/opt/ml/processing/output/train", "S3UploadMode": "Continuous"}},
                {"OutputName": "fs", "AppManaged": true, "FeatureStoreOutput": {"FeatureGroupName": "fg"}}
            ], "KmsKeyId": "k3"},
            "ProcessingResources": {"ClusterConfig": {"InstanceCount": 2, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 50, "VolumeKmsKeyId": "k4"}},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
            "AppSpecification": {"ImageUri": "img:1", "ContainerEntrypoint": ["python3", "x.py"], "ContainerArguments": ["--a", "1"]},
            "Environment": {"A": "1", "B": "two"},
            "NetworkConfig": {"EnableInterContainerTrafficEncryption": true, "EnableNetworkIsolation": true,
              "VpcConfig": {"SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-1", "subnet-2"]}},
            "RoleArn": "arn:aws:iam::123456789012:role/R",
            "ExperimentConfig": {"ExperimentName": "e", "TrialName": "t", "TrialComponentDisplayName": "tc", "RunName": "r"},
            "Tags": [{"Key": "team", "Value": "ml"}]
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn every_field_survives_the_trip_through_the_sdk() {
        let request = full_request();
        let input = to_sdk(&request).unwrap();
        assert_eq!(tags_of(&input), request.tags);
        let described = DescribeProcessingJobOutput::builder()
            .set_processing_job_name(input.processing_job_name.clone())
            .set_processing_inputs(input.processing_inputs.clone())
            .set_processing_output_config(input.processing_output_config.clone())
            .set_processing_resources(input.processing_resources.clone())
            .set_stopping_condition(input.stopping_condition.clone())
            .set_app_specification(input.app_specification.clone())
            .set_environment(input.environment.clone())
            .set_network_config(input.network_config.clone())
            .set_role_arn(input.role_arn.clone())
            .set_experiment_config(input.experiment_config.clone())
            .build();
        let back = from_describe(&described).unwrap();
        let mut expected = request.clone();
        expected.tags.clear();
        assert_eq!(back, expected);
    }

    /// Every value the SDK knows for an enum is a request value of the same
    /// spelling, and converts to that SDK value and back.
    fn same_values<T, S>(values: &[&'static str], to: fn(T) -> S, back: fn(&S) -> Result<T, ExecutorError>)
    where
        T: serde::de::DeserializeOwned + serde::Serialize + Copy + PartialEq + std::fmt::Debug,
        S: From<&'static str> + PartialEq + std::fmt::Debug,
    {
        for &value in values {
            let ours: T = serde_json::from_value(value.into()).unwrap_or_else(|e| panic!("`{value}`: {e}"));
            assert_eq!(serde_json::to_value(ours).unwrap(), value);
            assert_eq!(to(ours), S::from(value));
            assert_eq!(back(&S::from(value)).unwrap(), ours);
        }
    }

    #[test]
    fn enums_have_the_apis_values() {
        same_values(sdk::ProcessingS3DataType::values(), s3_data_type, s3_data_type_back);
        same_values(sdk::ProcessingS3InputMode::values(), s3_input_mode, s3_input_mode_back);
        same_values(sdk::ProcessingS3DataDistributionType::values(), s3_data_distribution_type, s3_data_distribution_type_back);
        same_values(sdk::ProcessingS3CompressionType::values(), s3_compression_type, s3_compression_type_back);
        same_values(sdk::ProcessingS3UploadMode::values(), s3_upload_mode, s3_upload_mode_back);
        same_values(sdk::DataDistributionType::values(), data_distribution_type, data_distribution_type_back);
        same_values(sdk::InputMode::values(), input_mode, input_mode_back);
        same_values(sdk::AthenaResultFormat::values(), athena_format, athena_format_back);
        same_values(sdk::AthenaResultCompressionType::values(), athena_compression, athena_compression_back);
        same_values(sdk::RedshiftResultFormat::values(), redshift_format, redshift_format_back);
        same_values(sdk::RedshiftResultCompressionType::values(), redshift_compression, redshift_compression_back);
    }

    #[test]
    fn a_described_value_pjob_does_not_know_is_an_error() {
        let input = to_sdk(&full_request()).unwrap();
        let mut inputs = input.processing_inputs.clone().unwrap();
        let s3 = inputs[0].s3_input.as_mut().unwrap();
        s3.s3_compression_type = Some(sdk::ProcessingS3CompressionType::from("Zstd"));
        let described = DescribeProcessingJobOutput::builder().set_processing_inputs(Some(inputs)).build();
        let err = from_describe(&described).unwrap_err();
        assert!(matches!(err, ExecutorError::Describe { field: "S3CompressionType", .. }), "{err:?}");
        assert!(err.to_string().contains("`Zstd`"), "{err}");
    }

    #[test]
    fn a_described_output_without_its_upload_mode_is_an_error() {
        let output = sdk::ProcessingOutput::builder()
            .output_name("o")
            .s3_output(sdk::ProcessingS3Output::builder().s3_uri("s3://b/o").build())
            .build();
        let config = sdk::ProcessingOutputConfig::builder().outputs(output).build();
        let described = DescribeProcessingJobOutput::builder().processing_output_config(config).build();
        let err = from_describe(&described).unwrap_err();
        assert!(matches!(err, ExecutorError::Describe { field: "S3UploadMode", .. }), "{err:?}");
    }

    #[test]
    fn absent_optional_fields_stay_absent() {
        let mut request = full_request();
        request.processing_inputs.clear();
        request.processing_output_config = None;
        request.stopping_condition = None;
        request.environment.clear();
        request.network_config = None;
        request.experiment_config = None;
        request.tags.clear();
        let input = to_sdk(&request).unwrap();
        assert!(input.processing_inputs.is_none() && input.environment.is_none() && input.tags.is_none());
        assert!(input.network_config.is_none() && input.stopping_condition.is_none() && input.experiment_config.is_none());
    }

    #[test]
    fn numbers_sagemaker_cannot_hold_are_refused() {
        let mut request = full_request();
        request.processing_resources.cluster_config.instance_count = u32::MAX;
        assert!(matches!(to_sdk(&request), Err(ExecutorError::Convert { field: "InstanceCount", .. })));
    }

    #[test]
    fn environment_keeps_every_pair() {
        let input = to_sdk(&full_request()).unwrap();
        let env: HashMap<String, String> = input.environment.unwrap();
        assert_eq!(env.len(), 2);
        assert_eq!(env["B"], "two");
    }
}
