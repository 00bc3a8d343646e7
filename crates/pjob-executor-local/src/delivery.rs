//! Delivering outputs: each host's output folder goes to the output's
//! destination (S3, a local bucket folder, or for local runs a `file://`
//! URI or plain path, relative ones resolving against the manifest's
//! folder). Hosts deliver in turn to the same destination, as SageMaker
//! instances upload to the same prefix.
//!
//! An output folder is listed by [`pjob_walk`]: the job's files are
//! delivered, links to files inside the folder as copies of those files,
//! each real file once. What the walk does not follow (a link to a folder,
//! a link out of the output folder such as `pw -> /etc/passwd`, a dangling
//! link) is left out with a notice, as is an output folder the job replaced
//! with a link out of `/opt/ml/processing`: nothing outside the job's
//! output folder is ever copied, and links cannot loop or multiply files.

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
            // A key is a path below the local bucket folder, never a way out of it.
            Some(_) if parsed.key.split('/').any(|part| part == ".." || part == ".") => {
                return Err(LocalError::Unsupported {
                    what: format!("the destination `{uri}`"),
                    reason: "its key has a `.` or `..` part, which would leave the local bucket folder".into(),
                });
            }
            Some(root) => Destination::Folder(root.join(&parsed.key)),
            None => Destination::S3(uri.to_string()),
        });
    }
    Ok(Destination::Folder(crate::layout::absolute(&base_dir.join(pjob_manifest::local_path(uri)))))
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
        let Some(listing) = list_output(&dir, host, local_path, name, observer)? else { continue };
        files += match &dest {
            Destination::S3(uri) => store.s3().await?.upload_files(&listing.files, uri, kms_key).await?,
            Destination::Folder(folder) => copy_files(&listing.files, folder)?,
        };
    }
    let destination = match dest {
        Destination::S3(uri) => uri,
        Destination::Folder(folder) => folder.display().to_string(),
    };
    Ok(Some(DeliveredOutput { name: name.clone(), destination, files }))
}

/// The files of one host's output folder (`None` when there is none), with a
/// notice for each entry not delivered.
fn list_output(
    dir: &Path,
    host: &HostDir,
    local_path: &str,
    name: &str,
    observer: &dyn Observer,
) -> Result<Option<pjob_walk::Listing>, LocalError> {
    if std::fs::symlink_metadata(dir).is_err() {
        return Ok(None);
    }
    if !resolves_inside(dir, &host.processing) {
        observer.event(Event::Notice(&format!(
            "output `{name}`: {local_path} on {} is not a folder inside /opt/ml/processing (the job replaced it with a link?); it is not delivered",
            host.name
        )));
        return Ok(None);
    }
    let listing = pjob_walk::Walker::new(dir).list()?;
    for skipped in &listing.skipped {
        observer.event(Event::Notice(&format!(
            "output `{name}`: {local_path}/{} on {} {}; it is not delivered",
            skipped.relative, host.name, skipped.reason
        )));
    }
    Ok(Some(listing))
}

/// Whether `dir`, once every link is resolved, is a folder inside `processing`.
fn resolves_inside(dir: &Path, processing: &Path) -> bool {
    match (std::fs::canonicalize(dir), std::fs::canonicalize(processing)) {
        (Ok(dir), Ok(processing)) => dir.starts_with(processing) && dir.is_dir(),
        _ => false,
    }
}

/// Copies each file to its relative path under `to` (merging with what is
/// there); returns the number of files.
fn copy_files(files: &[pjob_walk::FileEntry], to: &Path) -> Result<usize, LocalError> {
    std::fs::create_dir_all(to).map_err(|e| LocalError::io(to, e))?;
    for file in files {
        let target = to.join(&file.relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| LocalError::io(parent, e))?;
        }
        std::fs::copy(&file.path, &target).map_err(|e| LocalError::io(&target, e))?;
    }
    Ok(files.len())
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
        // `localhost` is this machine, not a folder named so.
        assert_eq!(destination("file://localhost/abs/out", base, &store).unwrap(), Destination::Folder("/abs/out".into()));
        // A key never leads out of the local bucket folder.
        for escaping in ["s3://sagemaker-x-<account>/job/output/x/../../../../ESCAPED", "s3://sagemaker-x-<account>/./x"] {
            assert!(matches!(destination(escaping, base, &store), Err(LocalError::Unsupported { .. })), "{escaping}");
        }
    }

    /// Keeps the notices it is sent.
    #[derive(Default)]
    struct Notices(std::sync::Mutex<Vec<String>>);

    impl Observer for Notices {
        fn event(&self, event: Event<'_>) {
            if let Event::Notice(text) = event {
                self.0.lock().unwrap().push(text.to_string());
            }
        }
    }

    fn host(root: &Path) -> HostDir {
        HostDir { name: "algo-1".into(), processing: root.join("processing"), config: root.join("config") }
    }

    /// Delivers `/opt/ml/processing/output` of `host` to `to` as `deliver_one` does.
    fn deliver_output(host: &HostDir, to: &Path, notices: &Notices) -> usize {
        let dir = host.processing_path("/opt/ml/processing/output").unwrap();
        match list_output(&dir, host, "/opt/ml/processing/output", "out", notices).unwrap() {
            Some(listing) => copy_files(&listing.files, to).unwrap(),
            None => 0,
        }
    }

    #[test]
    fn trees_are_merged_into_the_destination() {
        let job = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        let host = host(job.path());
        let from = host.processing.join("output");
        std::fs::create_dir_all(from.join("sub")).unwrap();
        std::fs::write(from.join("a.txt"), "new").unwrap();
        std::fs::write(from.join("sub/b.txt"), "b").unwrap();
        std::fs::write(to.path().join("a.txt"), "old").unwrap();
        std::fs::write(to.path().join("keep.txt"), "k").unwrap();
        assert_eq!(deliver_output(&host, to.path(), &Notices::default()), 2);
        assert_eq!(std::fs::read_to_string(to.path().join("a.txt")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(to.path().join("sub/b.txt")).unwrap(), "b");
        assert!(to.path().join("keep.txt").exists());
    }

    #[test]
    fn links_a_job_leaves_are_never_followed_out_of_its_output_folder() {
        let job = tempfile::tempdir().unwrap();
        let to = tempfile::tempdir().unwrap();
        let host = host(job.path());
        let from = host.processing.join("output");
        std::fs::create_dir_all(from.join("sub")).unwrap();
        std::fs::write(from.join("sub/b.txt"), "b").unwrap();
        for (target, link) in [(".", "a"), (".", "b"), ("/etc/passwd", "pw"), ("sub/b.txt", "b-copy.txt")] {
            std::os::unix::fs::symlink(target, from.join(link)).unwrap();
        }
        let notices = Notices::default();
        assert_eq!(deliver_output(&host, to.path(), &notices), 2);
        assert_eq!(walk_names(to.path()), ["b-copy.txt", "sub/b.txt"]);
        assert_eq!(std::fs::read_to_string(to.path().join("b-copy.txt")).unwrap(), "b");
        let notices = notices.0.into_inner().unwrap();
        assert_eq!(notices.len(), 3, "{notices:?}");
        assert!(
            notices[2].starts_with("output `out`: /opt/ml/processing/output/pw on algo-1 is a symlink out of the folder"),
            "{notices:?}"
        );
    }

    #[test]
    fn an_output_folder_replaced_by_a_link_out_is_not_delivered() {
        let job = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::write(elsewhere.path().join("secret.txt"), "s").unwrap();
        let to = tempfile::tempdir().unwrap();
        let host = host(job.path());
        std::fs::create_dir_all(&host.processing).unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), host.processing.join("output")).unwrap();
        let notices = Notices::default();
        assert_eq!(deliver_output(&host, to.path(), &notices), 0);
        assert!(walk_names(to.path()).is_empty());
        assert_eq!(notices.0.into_inner().unwrap().len(), 1);
    }

    /// The files under `dir`, relative; asserts that it holds no link.
    fn walk_names(dir: &Path) -> Vec<String> {
        let listing = pjob_walk::Walker::new(dir).list().unwrap();
        assert!(listing.skipped.is_empty(), "{:?}", listing.skipped);
        assert!(listing.files.iter().all(|f| f.link.is_none()), "{:?}", listing.files);
        listing.files.into_iter().map(|f| f.relative).collect()
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
