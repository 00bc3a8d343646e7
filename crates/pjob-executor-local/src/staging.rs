//! Staging inputs into each simulated host's folder, as SageMaker downloads
//! them before the container starts.
//!
//! - `S3DataType: S3Prefix`: every object under the prefix lands at its key
//!   relative to the prefix (the rule of
//!   [`S3Transfer::download_prefix`](pjob_s3::S3Transfer::download_prefix)).
//! - `S3DataType: ManifestFile`: the URI names a JSON manifest
//!   `[{"prefix": "s3://b/p/"}, "rel/key1", ...]`; each listed object lands
//!   at its relative key.
//! - `S3CompressionType: Gzip`: objects are decompressed (a `.gz` suffix is
//!   dropped from the file name).
//! - `S3DataDistributionType: ShardedByS3Key`: objects, in key order, go to
//!   the hosts in turn; `FullyReplicated` gives every host everything.
//! - `S3InputMode: Pipe` is staged as files (a notice says so).
//! - `AppManaged` inputs are left to the job: their folder is created empty.

use std::path::{Path, PathBuf};

use pjob_compiler::request::{ProcessingInput, S3CompressionType, S3DataDistributionType, S3DataType, S3Input, S3InputMode};

use crate::layout::{HostDir, JobDir};
use crate::objects::{Object, ObjectStore};
use crate::{Event, LocalError, Observer};

/// Why staging stopped.
#[derive(Debug)]
pub(crate) enum StageError {
    /// SageMaker would fail the job (no objects, a bad manifest file): the
    /// `FailureReason`.
    Job(String),
    /// The run cannot go on.
    Local(LocalError),
}

impl From<LocalError> for StageError {
    fn from(e: LocalError) -> StageError {
        StageError::Local(e)
    }
}

/// Checks what a local run cannot stage before anything is done.
pub(crate) fn preflight(inputs: &[ProcessingInput]) -> Result<(), LocalError> {
    for input in inputs {
        let what = || format!("input `{}`", input.input_name);
        if input.dataset_definition.is_some() {
            return Err(LocalError::Unsupported {
                what: what(),
                reason: "Athena and Redshift dataset definitions are queries SageMaker runs in AWS; \
                         run the query yourself and use its S3 result as the input's `source`"
                    .into(),
            });
        }
        let Some(s3) = &input.s3_input else {
            return Err(LocalError::Unsupported { what: what(), reason: "it has neither an S3 source nor a dataset definition".into() });
        };
        let valid = s3.local_path.as_deref().and_then(crate::layout::relative_to_processing);
        if valid.is_none() {
            return Err(LocalError::Unsupported {
                what: what(),
                reason: format!("its destination {:?} is not a folder under /opt/ml/processing", s3.local_path.as_deref().unwrap_or("")),
            });
        }
    }
    Ok(())
}

/// Stages every input into every host's folder.
pub(crate) async fn stage(
    inputs: &[ProcessingInput],
    store: &ObjectStore<'_>,
    job_dir: &JobDir,
    hosts: &[HostDir],
    observer: &dyn Observer,
) -> Result<(), StageError> {
    for input in inputs {
        let Some(s3) = &input.s3_input else { continue };
        let local_path = s3.local_path.as_deref().unwrap_or_default();
        let dests: Vec<PathBuf> = hosts.iter().filter_map(|h| h.processing_path(local_path)).collect();
        for dest in &dests {
            std::fs::create_dir_all(dest).map_err(|e| LocalError::io(dest, e))?;
        }
        if input.app_managed {
            observer.event(Event::Notice(&format!(
                "input `{}` is app-managed: the job fetches it itself (its folder is left empty)",
                input.input_name
            )));
            continue;
        }
        if s3.s3_input_mode == Some(S3InputMode::Pipe) {
            observer.event(Event::Notice(&format!(
                "input `{}` uses Pipe mode; local runs stage it as files in {local_path}",
                input.input_name
            )));
        }
        let scratch = job_dir.scratch(&format!("input-{}", input.input_name))?;
        let placed = objects_of(s3, store, &scratch).await?;
        if placed.is_empty() {
            return Err(StageError::Job(format!(
                "ClientError: No S3 objects found under S3 URL \"{}\" given in input data source. \
                 Please ensure that the bucket exists, and that objects exist under that S3 prefix.",
                s3.s3_uri
            )));
        }
        let gunzip = s3.s3_compression_type == Some(S3CompressionType::Gzip);
        let sharded = s3.s3_data_distribution_type == Some(S3DataDistributionType::ShardedByS3Key);
        let mut first_copy: Vec<Option<PathBuf>> = vec![None; placed.len()];
        for (h, (host, dest)) in hosts.iter().zip(&dests).enumerate() {
            let mut files = 0;
            for (i, (object, rel)) in placed.iter().enumerate() {
                if sharded && i % hosts.len() != h {
                    continue;
                }
                let rel = if gunzip { strip_gz(rel) } else { rel.clone() };
                let target = dest.join(&rel);
                match &first_copy[i] {
                    // Fetch each object once; replicas are copies.
                    Some(done) => {
                        if let Some(parent) = target.parent() {
                            std::fs::create_dir_all(parent).map_err(|e| LocalError::io(parent, e))?;
                        }
                        std::fs::copy(done, &target).map_err(|e| LocalError::io(&target, e))?;
                    }
                    None => {
                        store.fetch(object, &target, gunzip).await.map_err(|e| not_found_is_job_error(e, &s3.s3_uri))?;
                        first_copy[i] = Some(target.clone());
                    }
                }
                files += 1;
            }
            observer.event(Event::Staged { input: &input.input_name, host: &host.name, files });
        }
        let _ = std::fs::remove_dir_all(&scratch);
    }
    Ok(())
}

/// The input's objects with the path each lands at (relative to the input's folder).
async fn objects_of<'a>(s3: &S3Input, store: &ObjectStore<'a>, scratch: &Path) -> Result<Vec<(Object<'a>, PathBuf)>, StageError> {
    if s3.s3_data_type == S3DataType::ManifestFile {
        let manifest = store.object(&s3.s3_uri)?;
        let bytes = store.bytes(&manifest, scratch).await.map_err(|e| not_found_is_job_error(e, &s3.s3_uri))?;
        let (prefix, keys) = parse_manifest(&bytes)
            .map_err(|problem| StageError::Job(format!("ClientError: the manifest file {} is not valid: {problem}", s3.s3_uri)))?;
        let mut out = Vec::new();
        for key in keys {
            let rel = safe_relative(&key).ok_or_else(|| {
                StageError::Job(format!(
                    "ClientError: the manifest file {} lists `{key}`, which would land outside the input folder",
                    s3.s3_uri
                ))
            })?;
            out.push((store.object(&format!("{prefix}{key}"))?, rel));
        }
        return Ok(out);
    }
    let prefix = pjob_s3::S3Uri::parse(&s3.s3_uri).map_err(LocalError::from)?.key;
    let mut out = Vec::new();
    for object in store.list(&s3.s3_uri).await? {
        match pjob_s3::relative_path(&prefix, &object.key) {
            Ok(Some(rel)) => out.push((object, rel)),
            Ok(None) => {}
            Err(_) => {
                return Err(StageError::Job(format!(
                    "ClientError: the object key `{}` under {} would land outside the input folder",
                    object.key, s3.s3_uri
                )));
            }
        }
    }
    Ok(out)
}

/// A missing object is the job's failure (as on SageMaker), not pjob's.
fn not_found_is_job_error(e: LocalError, input_uri: &str) -> StageError {
    match e {
        LocalError::S3(pjob_s3::S3Error::NotFound { uri }) => {
            StageError::Job(format!("ClientError: {uri} (for input {input_uri}) does not exist"))
        }
        LocalError::Io { path, source } if source.kind() == std::io::ErrorKind::NotFound => {
            StageError::Job(format!("ClientError: {} (for input {input_uri}) does not exist", path.display()))
        }
        other => StageError::Local(other),
    }
}

/// Parses a SageMaker manifest file: `[{"prefix": "s3://b/p/"}, "key", ...]`.
pub(crate) fn parse_manifest(bytes: &[u8]) -> Result<(String, Vec<String>), String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON ({e})"))?;
    let items = value.as_array().ok_or("it is not a JSON array")?;
    let prefix = items
        .first()
        .and_then(|first| first.get("prefix"))
        .and_then(|p| p.as_str())
        .ok_or("its first element must be {\"prefix\": \"s3://bucket/prefix/\"}")?;
    if !prefix.starts_with("s3://") {
        return Err(format!("its prefix `{prefix}` is not an s3:// URI"));
    }
    let keys = items[1..]
        .iter()
        .map(|k| k.as_str().map(str::to_string).ok_or_else(|| format!("`{k}` is not a key (a string)")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((prefix.to_string(), keys))
}

/// A `/`-separated relative key as a path, refusing `..`, `.`, `\` and NUL.
fn safe_relative(rel: &str) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        if part == ".." || part == "." || part.contains('\\') || part.contains('\0') {
            return None;
        }
        path.push(part);
    }
    Some(path)
}

/// `a/b.csv.gz` -> `a/b.csv`.
fn strip_gz(rel: &Path) -> PathBuf {
    match rel.to_str().and_then(|s| s.strip_suffix(".gz")) {
        Some(stripped) if !stripped.ends_with('/') && !stripped.is_empty() => PathBuf::from(stripped),
        _ => rel.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_files_name_a_prefix_and_keys() {
        let (prefix, keys) = parse_manifest(br#"[{"prefix": "s3://b/p/"}, "a.csv", "sub/b.csv"]"#).unwrap();
        assert_eq!(prefix, "s3://b/p/");
        assert_eq!(keys, ["a.csv", "sub/b.csv"]);
        for bad in [&b"{}"[..], b"[]", br#"[{"prefix": "/local"}]"#, br#"[{"prefix": "s3://b/"}, 3]"#, b"not json"] {
            assert!(parse_manifest(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn gzip_suffixes_are_dropped() {
        assert_eq!(strip_gz(Path::new("a/b.csv.gz")), PathBuf::from("a/b.csv"));
        assert_eq!(strip_gz(Path::new("b.csv")), PathBuf::from("b.csv"));
        assert_eq!(strip_gz(Path::new(".gz")), PathBuf::from(".gz"));
    }

    #[test]
    fn dataset_definitions_and_paths_outside_processing_are_refused_up_front() {
        let input: ProcessingInput = serde_json::from_value(serde_json::json!({
            "InputName": "q", "AppManaged": false,
            "DatasetDefinition": {"LocalPath": "/opt/ml/processing/input/q", "AthenaDatasetDefinition": {
                "Catalog": "c", "Database": "d", "QueryString": "select 1", "OutputS3Uri": "s3://b/q/", "OutputFormat": "PARQUET"}}
        }))
        .unwrap();
        let err = preflight(&[input]).unwrap_err();
        assert!(err.is_usage() && err.to_string().contains("input `q`"), "{err}");
        let input: ProcessingInput = serde_json::from_value(serde_json::json!({
            "InputName": "x", "AppManaged": false,
            "S3Input": {"S3Uri": "s3://b/x", "LocalPath": "/etc/x", "S3DataType": "S3Prefix"}
        }))
        .unwrap();
        assert!(preflight(&[input]).unwrap_err().to_string().contains("/opt/ml/processing"));
    }
}
