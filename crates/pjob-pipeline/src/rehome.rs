//! Where a step's artifacts live. A compiled job keeps its uploads under
//! its job name, whose hash covers every setting and its upstream jobs'
//! names; in a pipeline that would move a step's code to a new key (and
//! change the definition) whenever an argument or an upstream step
//! changed. So a step's artifacts move to `<pipeline>/<step>-<hash>/`,
//! the hash covering only the artifacts themselves, as the SDK keys a
//! pipeline's code by its content.

use pjob_compiler::{Artifact, ArtifactBody, CompiledJob};
use sha2::{Digest, Sha256};

/// Hex digits of the artifacts' hash in their folder's name.
const HASH_LEN: usize = 16;

/// `compiled` with its artifacts, and every mention of their place in its
/// request, under `<pipeline>/<step>-<hash of the artifacts>/` instead of
/// its job name.
pub fn rehome(compiled: &CompiledJob, pipeline: &str, step: &str) -> CompiledJob {
    let name = compiled.name();
    if compiled.artifacts.is_empty() || name.is_empty() {
        return compiled.clone();
    }
    let from = format!("/{name}/");
    let to = format!("/{pipeline}/{step}-{}/", artifacts_hash(&compiled.artifacts, &from));
    // The job's folders: each artifact's URI up to the job name. Only what
    // starts with one of them moves (a fixed `spec.job_name` may be a word
    // that other URIs hold too).
    let mut folders: Vec<(String, String)> = compiled
        .artifacts
        .iter()
        .filter_map(|a| a.uri.find(&from).map(|at| a.uri[..at + from.len()].to_string()))
        .map(|folder| (folder.clone(), folder.replacen(&from, &to, 1)))
        .collect();
    folders.sort();
    folders.dedup();
    let moved = |text: &str| folders.iter().fold(text.to_string(), |text, (old, new)| text.replace(old.as_str(), new));
    let mut job = compiled.clone();
    let request = moved(&serde_json::to_string(&job.request).expect("a request serializes"));
    job.request = serde_json::from_str(&request).expect("a request with its artifacts moved still parses");
    job.artifacts = job
        .artifacts
        .into_iter()
        .map(|artifact| {
            let uri = moved(&artifact.uri);
            match artifact.body {
                ArtifactBody::Generated { content } => Artifact::generated(uri, moved(&content)),
                body => Artifact { uri, body, ..artifact },
            }
        })
        .collect();
    job
}

/// The artifacts' places (below the job's folder `from`) and contents, hashed.
fn artifacts_hash(artifacts: &[Artifact], from: &str) -> String {
    let mut entries: Vec<(String, String)> = artifacts
        .iter()
        .map(|a| {
            let content = match &a.body {
                ArtifactBody::Generated { content } => hex::encode(Sha256::digest(content.replace(from, "/"))),
                _ => a.sha256.clone(),
            };
            (a.uri.replace(from, "/"), content)
        })
        .collect();
    entries.sort();
    let mut hasher = Sha256::new();
    for (uri, content) in entries {
        hasher.update(uri.as_bytes());
        hasher.update(b"\n");
        hasher.update(content.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())[..HASH_LEN].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(name: &str, argument: &str, code: &str) -> CompiledJob {
        let request = serde_json::json!({
            "ProcessingJobName": name,
            "RoleArn": "arn:aws:iam::123456789012:role/R",
            "AppSpecification": {"ImageUri": "img", "ContainerArguments": [argument]},
            "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 30}},
            "ProcessingInputs": [{"InputName": "code", "AppManaged": false, "S3Input": {"S3Uri": format!("s3://b/{name}/input/code/run.py"), "LocalPath": "/opt/ml/processing/input/code", "S3DataType": "S3Prefix"}}],
        });
        CompiledJob {
            request: serde_json::from_value(request).unwrap(),
            artifacts: vec![Artifact::generated(format!("s3://b/{name}/input/code/run.py"), code.to_string())],
            kind: pjob_manifest::Kind::ScriptProcessor,
            upload_kms_key: None,
            content_hash: String::new(),
            naming: pjob_compiler::JobNaming::ContentHash,
            retry: None,
            cache: None,
            default_outputs: Vec::new(),
            keep_alive: None,
        }
    }

    fn code_uri(job: &CompiledJob) -> String {
        serde_json::to_value(&job.request).unwrap()["ProcessingInputs"][0]["S3Input"]["S3Uri"].as_str().unwrap().to_string()
    }

    #[test]
    fn code_keeps_its_place_until_it_changes() {
        let first = rehome(&job("prep-0123456789", "a", "print(1)"), "demo", "prep");
        let argument_changed = rehome(&job("prep-abcdef0123", "b", "print(1)"), "demo", "prep");
        let code_changed = rehome(&job("prep-9876543210", "a", "print(2)"), "demo", "prep");
        assert!(code_uri(&first).starts_with("s3://b/demo/prep-"), "{}", code_uri(&first));
        assert_eq!(code_uri(&first), code_uri(&argument_changed));
        assert_eq!(first.artifacts[0].uri, code_uri(&first));
        assert_ne!(code_uri(&first), code_uri(&code_changed));
    }

    #[test]
    fn only_the_jobs_own_folder_moves() {
        // A fixed job name (`spec.job_name: prep`) that an argument's URI holds too.
        let moved = rehome(&job("prep", "s3://data/prep/raw", "print(1)"), "demo", "prep");
        assert!(code_uri(&moved).starts_with("s3://b/demo/prep-"), "{}", code_uri(&moved));
        assert_eq!(moved.request.app_specification.container_arguments, Some(vec!["s3://data/prep/raw".to_string()]));
    }
}
