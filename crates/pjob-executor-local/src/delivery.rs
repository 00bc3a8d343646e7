//! Delivering outputs: each host's output folder goes to the output's
//! destination (S3, a local bucket folder, or for local runs a `file://`
//! URI or plain path, relative ones resolving against the manifest's
//! folder). Hosts deliver in turn to the same destination, as SageMaker
//! instances upload to the same prefix.

use std::path::{Path, PathBuf};

use pjob_compiler::request::{ProcessingOutput, ProcessingOutputConfig, S3UploadMode};

use crate::layout::{HostDir, relative_to_processing};
use crate::objects::ObjectStore;
use crate::{DeliveredOutput, Event, LocalError, Observer};

/// Where an output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Destination {
    /// An S3 prefix.
    S3(String),
    /// A local folder.
    Folder(PathBuf),
}

/// Which outputs to deliver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    /// Every output (the job completed).
    All,
    /// Only `Continuous` ones (uploaded while the job ran, so there even
    /// when it failed).
    ContinuousOnly,
}

/// Checks what a local run cannot deliver before anything is done.
pub(crate) fn preflight(config: Option<&ProcessingOutputConfig>) -> Result<(), LocalError> {
    for output in config.map(|c| c.outputs.as_slice()).unwrap_or_default() {
        let Some(s3) = &output.s3_output else { continue };
        let what = || format!("output `{}`", output.output_name);
        if s3.local_path.as_deref().and_then(relative_to_processing).is_none() {
            return Err(LocalError::Unsupported {
                what: what(),
                reason: format!("its source {:?} is not a folder under /opt/ml/processing", s3.local_path.as_deref().unwrap_or("")),
            });
        }
        if s3.s3_uri.contains("://") && !s3.s3_uri.starts_with("s3://") && !s3.s3_uri.starts_with("file://") {
            return Err(LocalError::Unsupported {
                what: what(),
                reason: format!("its destination `{}` is neither an s3:// URI nor a local folder (file:// or a path)", s3.s3_uri),
            });
        }
    }
    Ok(())
}

/// Where an output's destination URI points.
pub(crate) fn destination(uri: &str, base_dir: &Path, store: &ObjectStore<'_>) -> Result<Destination, LocalError> {
    if uri.starts_with("s3://") {
        let parsed = pjob_s3::S3Uri::parse(uri)?;
        return Ok(match store.local_root(&parsed) {
            Some(root) => Destination::Folder(root.join(&parsed.key)),
            None => Destination::S3(uri.to_string()),
        });
    }
    let path = uri.strip_prefix("file://").unwrap_or(uri);
    Ok(Destination::Folder(crate::layout::absolute(&base_dir.join(path))))
}

/// Delivers the outputs `which` selects from every host.
pub(crate) async fn deliver(
    config: Option<&ProcessingOutputConfig>,
    which: Which,
    hosts: &[HostDir],
    store: &ObjectStore<'_>,
    base_dir: &Path,
    observer: &dyn Observer,
) -> Result<Vec<DeliveredOutput>, LocalError> {
    let Some(config) = config else { return Ok(Vec::new()) };
    let mut delivered = Vec::new();
    for output in &config.outputs {
        if let Some(result) = deliver_one(output, config.kms_key_id.as_deref(), which, hosts, store, base_dir, observer).await? {
            observer.event(Event::Delivered { output: &result.name, destination: &result.destination, files: result.files });
            delivered.push(result);
        }
    }
    Ok(delivered)
}

async fn deliver_one(
    output: &ProcessingOutput,
    kms_key: Option<&str>,
    which: Which,
    hosts: &[HostDir],
    store: &ObjectStore<'_>,
    base_dir: &Path,
    observer: &dyn Observer,
) -> Result<Option<DeliveredOutput>, LocalError> {
    let name = &output.output_name;
    if output.app_managed {
        observer.event(Event::Notice(&format!("output `{name}` is app-managed: the job delivers it itself")));
        return Ok(None);
    }
    if let Some(fs) = &output.feature_store_output {
        observer.event(Event::Notice(&format!(
            "output `{name}` goes to feature group `{}`, which local runs do not ingest into",
            fs.feature_group_name
        )));
        return Ok(None);
    }
    let Some(s3) = &output.s3_output else { return Ok(None) };
    if which == Which::ContinuousOnly && s3.s3_upload_mode != S3UploadMode::Continuous {
        return Ok(None);
    }
    let local_path = s3.local_path.as_deref().unwrap_or_default();
    let dest = destination(&s3.s3_uri, base_dir, store)?;
    let mut files = 0;
    for host in hosts {
        let Some(dir) = host.processing_path(local_path) else { continue };
        if !dir.is_dir() {
            continue;
        }
        files += match &dest {
            Destination::S3(uri) => store.s3().await?.upload_dir(&dir, uri, kms_key).await?,
            Destination::Folder(folder) => copy_tree(&dir, folder)?,
        };
    }
    let destination = match dest {
        Destination::S3(uri) => uri,
        Destination::Folder(folder) => folder.display().to_string(),
    };
    Ok(Some(DeliveredOutput { name: name.clone(), destination, files }))
}

/// Copies every file under `from` to the same place under `to` (merging
/// with what is there); returns the number of files.
fn copy_tree(from: &Path, to: &Path) -> Result<usize, LocalError> {
    std::fs::create_dir_all(to).map_err(|e| LocalError::io(to, e))?;
    let mut count = 0;
    for entry in std::fs::read_dir(from).map_err(|e| LocalError::io(from, e))? {
        let entry = entry.map_err(|e| LocalError::io(from, e))?;
        let source = entry.path();
        let target = to.join(entry.file_name());
        if source.is_dir() {
            count += copy_tree(&source, &target)?;
        } else if source.is_file() {
            std::fs::copy(&source, &target).map_err(|e| LocalError::io(&target, e))?;
            count += 1;
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_destinations_resolve_against_the_manifest_folder() {
        let aws = pjob_s3::AwsOptions::default();
        let bucket = crate::LocalBucket { bucket: "sagemaker-x-<account>".into(), root: "/tmp/lb".into() };
        let store = ObjectStore::new(&[], Some(&bucket), &aws);
        let base = Path::new("/work/m");
        assert_eq!(destination("out/train", base, &store).unwrap(), Destination::Folder("/work/m/out/train".into()));
        assert_eq!(destination("file://out", base, &store).unwrap(), Destination::Folder("/work/m/out".into()));
        assert_eq!(destination("file:///abs/out", base, &store).unwrap(), Destination::Folder("/abs/out".into()));
        assert_eq!(destination("s3://real/out/", base, &store).unwrap(), Destination::S3("s3://real/out/".into()));
        assert_eq!(
            destination("s3://sagemaker-x-<account>/job/output/o", base, &store).unwrap(),
            Destination::Folder("/tmp/lb/job/output/o".into())
        );
    }

    #[test]
    fn trees_are_merged_into_the_destination() {
        let from = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(from.path().join("sub")).unwrap();
        std::fs::write(from.path().join("a.txt"), "new").unwrap();
        std::fs::write(from.path().join("sub/b.txt"), "b").unwrap();
        std::fs::write(to.path().join("a.txt"), "old").unwrap();
        std::fs::write(to.path().join("keep.txt"), "k").unwrap();
        assert_eq!(copy_tree(from.path(), to.path()).unwrap(), 2);
        assert_eq!(std::fs::read_to_string(to.path().join("a.txt")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(to.path().join("sub/b.txt")).unwrap(), "b");
        assert!(to.path().join("keep.txt").exists());
    }

    #[test]
    fn other_schemes_are_refused_up_front() {
        let config: ProcessingOutputConfig = serde_json::from_value(serde_json::json!({"Outputs": [
            {"OutputName": "o", "AppManaged": false, "S3Output": {"S3Uri": "https://x/y", "LocalPath": "/opt/ml/processing/o", "S3UploadMode": "EndOfJob"}}
        ]}))
        .unwrap();
        let err = preflight(Some(&config)).unwrap_err();
        assert!(err.is_usage() && err.to_string().contains("https://x/y"), "{err}");
    }
}
