//! The uploads a case expects, found among the rendered artifacts and held
//! as compare.py holds them: an archive by its members, a generated `*.json`
//! by its JSON value, the FrameworkProcessor bootstrap (`runproc.sh`) by
//! what it runs, and any other file by its local source.

use std::path::Path;

use serde_json::Value;

use crate::json_diff::{Numbers, diff};
use crate::normalize::{in_default_bucket, last_segment};

/// Every expected upload that is missing or differs, as `artifact URI: ...`.
pub fn problems(dir: &Path, expected: &Value, job: &Value) -> Vec<String> {
    let Some(uploads) = expected.get("s3").and_then(Value::as_object) else { return Vec::new() };
    let artifacts = job["artifacts"].as_array().map_or(&[][..], Vec::as_slice);
    let mut problems = Vec::new();
    for (uri, upload) in uploads.iter().filter(|(uri, _)| *uri != "_error") {
        problems.extend(upload_problems(dir, artifacts, uri, upload).into_iter().map(|p| format!("artifact {uri}: {p}")));
    }
    problems
}

fn upload_problems(dir: &Path, artifacts: &[Value], uri: &str, upload: &Value) -> Vec<String> {
    let Some(artifact) = find(artifacts, uri) else {
        let uris: Vec<&str> = artifacts.iter().filter_map(|a| a["uri"].as_str()).collect();
        return vec![format!("not among {uris:?}")];
    };
    let text = upload["text"].as_str().unwrap_or_default();
    if let Some(members) = upload.get("tar_members") {
        members_problems(artifact, members)
    } else if uri.ends_with(".json") {
        json_problems(artifact, text)
    } else if uri.ends_with("runproc.sh") {
        bootstrap_problems(artifact, text)
    } else {
        source_problems(dir, artifact)
    }
}

/// The artifact for an expected upload: the same URI or, in the default
/// bucket, the same last path segment (the SDK's keys hold its own job name).
fn find<'a>(artifacts: &'a [Value], uri: &str) -> Option<&'a Value> {
    artifacts.iter().find(|artifact| {
        let candidate = artifact["uri"].as_str().unwrap_or_default();
        candidate == uri || (in_default_bucket(uri) && in_default_bucket(candidate) && last_segment(candidate) == last_segment(uri))
    })
}

/// An archive holds the members the SDK's held (in any order).
fn members_problems(artifact: &Value, expected: &Value) -> Vec<String> {
    let mut members: Vec<&str> = artifact["members"].as_array().map(|m| m.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    members.sort_unstable();
    let actual = Value::from(members);
    if actual == *expected { Vec::new() } else { vec![format!("members {actual}, expected {expected}")] }
}

/// Generated JSON holds the SDK's value (key order and number spelling aside).
fn json_problems(artifact: &Value, expected: &str) -> Vec<String> {
    let content = artifact["content"].as_str().unwrap_or_default();
    match (serde_json::from_str::<Value>(expected), serde_json::from_str::<Value>(content)) {
        (Ok(expected), Ok(actual)) => diff(&expected, &actual, Numbers::ByValue),
        (Err(e), _) | (_, Err(e)) => vec![format!("content is not JSON: {e}")],
    }
}

/// The bootstrap unpacks the source folder, installs its requirements and
/// runs the script the SDK's runs (the line passing `"$@"` names it).
fn bootstrap_problems(artifact: &Value, expected: &str) -> Vec<String> {
    let content = artifact["content"].as_str().unwrap_or_default();
    let Some(script) = expected.lines().find(|l| l.contains("\"$@\"")).and_then(|l| l.split_whitespace().nth(1)) else {
        return vec!["the SDK's bootstrap names no script".to_owned()];
    };
    if [script, "requirements.txt", "sourcedir.tar.gz"].iter().all(|part| content.contains(part)) {
        Vec::new()
    } else {
        vec![format!("bootstrap does not unpack, install and run {script}")]
    }
}

/// A file uploaded as it is comes from a file of the case.
fn source_problems(dir: &Path, artifact: &Value) -> Vec<String> {
    match artifact["source"].as_str() {
        Some(source) if !source.is_empty() && dir.join(source).exists() => Vec::new(),
        source => vec![format!("no local source file ({source:?})")],
    }
}
