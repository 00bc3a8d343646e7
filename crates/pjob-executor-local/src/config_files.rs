//! `/opt/ml/config/processingjobconfig.json` and `resourceconfig.json`, as
//! SageMaker writes them into a processing container.
//!
//! `processingjobconfig.json` is the `CreateProcessingJob` request plus the
//! job's ARN, with every optional field SageMaker always writes present
//! (`null` when unset), `S3DownloadMode: StartOfJob` on S3 inputs and the
//! default `MaxRuntimeInSeconds` of one day. `resourceconfig.json` names the
//! host and its cluster as the platform does for every job type.

use std::path::Path;

use pjob_compiler::CreateProcessingJobRequest;
use serde_json::{Map, Value, json};

use crate::{DEFAULT_MAX_RUNTIME, LocalError};

/// The account in local jobs' ARNs.
const LOCAL_ACCOUNT: &str = "000000000000";

/// The job's ARN (SageMaker lowercases the name in it).
pub(crate) fn job_arn(region: &str, job_name: &str) -> String {
    format!("arn:aws:sagemaker:{region}:{LOCAL_ACCOUNT}:processing-job/{}", job_name.to_lowercase())
}

/// The content of `processingjobconfig.json`.
pub(crate) fn processing_job_config(request: &CreateProcessingJobRequest, arn: &str) -> Value {
    let app = &request.app_specification;
    let inputs: Vec<Value> = request
        .processing_inputs
        .iter()
        .map(|input| {
            let mut value = to_object(input);
            if let Some(Value::Object(s3)) = value.get_mut("S3Input") {
                s3.insert("S3DownloadMode".into(), json!("StartOfJob"));
            }
            Value::Object(value)
        })
        .collect();
    let outputs = request.processing_output_config.as_ref().map(|config| {
        json!({
            "Outputs": config.outputs.iter().map(|o| Value::Object(to_object(o))).collect::<Vec<_>>(),
            "KmsKeyId": config.kms_key_id,
        })
    });
    let cluster = &request.processing_resources.cluster_config;
    let max_runtime = request.stopping_condition.as_ref().map_or(DEFAULT_MAX_RUNTIME.as_secs(), |s| u64::from(s.max_runtime_in_seconds));
    let mut config = json!({
        "ProcessingJobArn": arn,
        "ProcessingJobName": request.processing_job_name,
        "AppSpecification": {
            "ImageUri": app.image_uri,
            "ContainerEntrypoint": app.container_entrypoint,
            "ContainerArguments": app.container_arguments,
        },
        "Environment": request.environment,
        "ProcessingInputs": inputs,
        "ProcessingOutputConfig": outputs,
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": cluster.instance_count,
                "InstanceType": cluster.instance_type,
                "VolumeSizeInGB": cluster.volume_size_in_gb,
                "VolumeKmsKeyId": cluster.volume_kms_key_id,
            }
        },
        "RoleArn": request.role_arn,
        "StoppingCondition": { "MaxRuntimeInSeconds": max_runtime },
    });
    if let Value::Object(map) = &mut config {
        if let Some(network) = &request.network_config {
            map.insert("NetworkConfig".into(), Value::Object(to_object(network)));
        }
        if let Some(experiment) = &request.experiment_config {
            map.insert("ExperimentConfig".into(), Value::Object(to_object(experiment)));
        }
    }
    config
}

/// The content of `resourceconfig.json` for one host.
pub(crate) fn resource_config(current_host: &str, hosts: &[String], instance_type: &str) -> Value {
    json!({
        "current_host": current_host,
        "current_instance_type": instance_type,
        "current_group_name": "homogeneousCluster",
        "hosts": hosts,
        "instance_groups": [{
            "instance_group_name": "homogeneousCluster",
            "instance_type": instance_type,
            "hosts": hosts,
        }],
        "network_interface_name": "eth0",
    })
}

/// Writes both files into a host's config folder.
pub(crate) fn write(dir: &Path, job_config: &Value, resource_config: &Value) -> Result<(), LocalError> {
    for (name, value) in [("processingjobconfig.json", job_config), ("resourceconfig.json", resource_config)] {
        let path = dir.join(name);
        let text = serde_json::to_string_pretty(value).unwrap_or_default();
        std::fs::write(&path, text).map_err(|e| LocalError::io(&path, e))?;
    }
    Ok(())
}

fn to_object<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: Value) -> CreateProcessingJobRequest {
        serde_json::from_value(json).unwrap()
    }

    fn minimal() -> Value {
        json!({
            "ProcessingJobName": "Churn-abc",
            "ProcessingResources": {"ClusterConfig": {"InstanceCount": 2, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}},
            "AppSpecification": {"ImageUri": "img:1"},
            "RoleArn": "arn:aws:iam::123456789012:role/R",
        })
    }

    #[test]
    fn unset_fields_are_written_as_sagemaker_writes_them() {
        let config = processing_job_config(&request(minimal()), &job_arn("eu-west-1", "Churn-abc"));
        assert_eq!(config["ProcessingJobArn"], "arn:aws:sagemaker:eu-west-1:000000000000:processing-job/churn-abc");
        assert_eq!(config["ProcessingJobName"], "Churn-abc");
        assert_eq!(config["AppSpecification"]["ContainerEntrypoint"], Value::Null);
        assert_eq!(config["AppSpecification"]["ContainerArguments"], Value::Null);
        assert_eq!(config["Environment"], json!({}));
        assert_eq!(config["ProcessingInputs"], json!([]));
        assert_eq!(config["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"], Value::Null);
        assert_eq!(config["StoppingCondition"]["MaxRuntimeInSeconds"], 86_400);
        assert!(config.get("Tags").is_none());
    }

    #[test]
    fn s3_inputs_carry_their_download_mode() {
        let mut r = minimal();
        r["ProcessingInputs"] = json!([{"InputName": "raw", "AppManaged": false, "S3Input": {
            "S3Uri": "s3://b/raw/", "LocalPath": "/opt/ml/processing/input/raw", "S3DataType": "S3Prefix",
            "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated", "S3CompressionType": "None"}}]);
        r["StoppingCondition"] = json!({"MaxRuntimeInSeconds": 60});
        let config = processing_job_config(&request(r), "arn");
        assert_eq!(config["ProcessingInputs"][0]["S3Input"]["S3DownloadMode"], "StartOfJob");
        assert_eq!(config["ProcessingInputs"][0]["S3Input"]["S3Uri"], "s3://b/raw/");
        assert_eq!(config["StoppingCondition"]["MaxRuntimeInSeconds"], 60);
    }

    #[test]
    fn every_host_sees_itself_in_its_cluster() {
        let hosts = vec!["algo-1".to_string(), "algo-2".to_string()];
        let config = resource_config("algo-2", &hosts, "ml.m5.xlarge");
        assert_eq!(config["current_host"], "algo-2");
        assert_eq!(config["hosts"], json!(["algo-1", "algo-2"]));
        assert_eq!(config["instance_groups"][0]["hosts"], json!(["algo-1", "algo-2"]));
        assert_eq!(config["current_group_name"], "homogeneousCluster");
        assert_eq!(config["network_interface_name"], "eth0");
    }
}
