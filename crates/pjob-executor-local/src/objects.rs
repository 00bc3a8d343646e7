//! Where a job's S3 objects come from in a local run: the job's own
//! artifacts (objects pjob would have uploaded: read from their local
//! bytes), a [`LocalBucket`] folder, or S3 itself.

use std::io::Read;
use std::path::{Path, PathBuf};

use pjob_compiler::Artifact;
use pjob_s3::{S3Transfer, S3Uri};
use tokio::sync::OnceCell;

use crate::{LocalBucket, LocalError};

/// Where one object's bytes are.
#[derive(Debug, Clone)]
pub(crate) enum Body<'a> {
    /// An artifact of the job.
    Artifact(&'a Artifact),
    /// A file of a local bucket.
    File(PathBuf),
    /// An object in S3 (its URI).
    S3(String),
}

/// One object.
#[derive(Debug, Clone)]
pub(crate) struct Object<'a> {
    /// Its key (without the bucket).
    pub key: String,
    /// Its bytes.
    pub body: Body<'a>,
}

/// The objects a local run can see.
pub(crate) struct ObjectStore<'a> {
    artifacts: &'a [Artifact],
    local_bucket: Option<&'a LocalBucket>,
    aws: &'a pjob_s3::AwsOptions,
    s3: OnceCell<S3Transfer>,
}

impl<'a> ObjectStore<'a> {
    pub fn new(artifacts: &'a [Artifact], local_bucket: Option<&'a LocalBucket>, aws: &'a pjob_s3::AwsOptions) -> ObjectStore<'a> {
        ObjectStore { artifacts, local_bucket, aws, s3: OnceCell::new() }
    }

    /// The S3 client, set up on first use (jobs without S3 data never need AWS).
    pub async fn s3(&self) -> Result<&S3Transfer, LocalError> {
        self.s3
            .get_or_try_init(|| async {
                let config = pjob_s3::aws_config(self.aws).await?;
                Ok::<_, LocalError>(S3Transfer::from_config(&config))
            })
            .await
    }

    /// The local bucket folder standing for `uri`'s bucket, if any.
    pub fn local_root(&self, uri: &S3Uri) -> Option<&'a Path> {
        self.local_bucket.filter(|b| b.bucket == uri.bucket).map(|b| b.root.as_path())
    }

    /// Every object under a prefix (folder markers left out), in key order.
    pub async fn list(&self, uri: &str) -> Result<Vec<Object<'a>>, LocalError> {
        let parsed = S3Uri::parse(uri)?;
        let from_artifacts: Vec<Object<'a>> = self
            .artifacts
            .iter()
            .filter(|a| a.uri.starts_with(uri))
            .filter_map(|a| Some(Object { key: S3Uri::parse(&a.uri).ok()?.key, body: Body::Artifact(a) }))
            .collect();
        let mut objects = if !from_artifacts.is_empty() {
            from_artifacts
        } else if let Some(root) = self.local_root(&parsed) {
            list_folder(root, &parsed.key)?
        } else {
            let mut objects = Vec::new();
            for object_uri in self.s3().await?.list(uri).await? {
                let key = S3Uri::parse(&object_uri)?.key;
                objects.push(Object { key, body: Body::S3(object_uri) });
            }
            objects
        };
        objects.retain(|o| !o.key.ends_with('/'));
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(objects)
    }

    /// The object at exactly `uri` (its existence is checked when it is fetched).
    pub fn object(&self, uri: &str) -> Result<Object<'a>, LocalError> {
        let parsed = S3Uri::parse(uri)?;
        let body = if let Some(a) = self.artifacts.iter().find(|a| a.uri == uri) {
            Body::Artifact(a)
        } else if let Some(root) = self.local_root(&parsed) {
            Body::File(root.join(&parsed.key))
        } else {
            Body::S3(uri.to_string())
        };
        Ok(Object { key: parsed.key, body })
    }

    /// Writes an object to `dest` (parent folders created), decompressing it
    /// when `gunzip` is set.
    pub async fn fetch(&self, object: &Object<'a>, dest: &Path, gunzip: bool) -> Result<(), LocalError> {
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| LocalError::io(parent, e))?;
        }
        match &object.body {
            Body::Artifact(a) => {
                let source = match &a.body {
                    pjob_compiler::ArtifactBody::File { source } => source.clone(),
                    _ => PathBuf::from(&a.uri),
                };
                let bytes = a.read_bytes().map_err(|e| LocalError::io(source, e))?;
                write_bytes(&bytes, dest, gunzip)
            }
            Body::File(path) => {
                if gunzip {
                    let bytes = std::fs::read(path).map_err(|e| LocalError::io(path, e))?;
                    write_bytes(&bytes, dest, true)
                } else {
                    std::fs::copy(path, dest).map(drop).map_err(|e| LocalError::io(path, e))
                }
            }
            Body::S3(uri) => {
                let s3 = self.s3().await?;
                if gunzip {
                    let download = dest.with_extension("pjob-download");
                    s3.download_object(uri, &download).await?;
                    let bytes = std::fs::read(&download).map_err(|e| LocalError::io(&download, e))?;
                    let _ = std::fs::remove_file(&download);
                    write_bytes(&bytes, dest, true)
                } else {
                    Ok(s3.download_object(uri, dest).await?)
                }
            }
        }
    }

    /// An object's bytes (for manifest files).
    pub async fn bytes(&self, object: &Object<'a>, scratch: &Path) -> Result<Vec<u8>, LocalError> {
        let dest = scratch.join("object");
        self.fetch(object, &dest, false).await?;
        let bytes = std::fs::read(&dest).map_err(|e| LocalError::io(&dest, e))?;
        let _ = std::fs::remove_file(&dest);
        Ok(bytes)
    }
}

fn write_bytes(bytes: &[u8], dest: &Path, gunzip: bool) -> Result<(), LocalError> {
    let data = if gunzip {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|e| LocalError::io(dest, std::io::Error::new(e.kind(), format!("the object is not valid gzip data: {e}"))))?;
        out
    } else {
        bytes.to_vec()
    };
    std::fs::write(dest, data).map_err(|e| LocalError::io(dest, e))
}

/// The files of a local bucket folder whose keys start with `prefix`. The
/// deepest folder the prefix names is listed by [`pjob_walk`]; an entry under
/// the prefix that the walk does not follow (a link to a folder or out of the
/// folder, a dangling link) is refused.
fn list_folder<'a>(root: &Path, prefix: &str) -> Result<Vec<Object<'a>>, LocalError> {
    let dir_part = prefix.rfind('/').map_or("", |i| &prefix[..i]);
    let start = root.join(dir_part);
    if !start.is_dir() {
        return Ok(Vec::new());
    }
    let key = |relative: &str| if dir_part.is_empty() { relative.to_string() } else { format!("{dir_part}/{relative}") };
    let listing = pjob_walk::Walker::new(&start).list()?;
    if let Some(skipped) = listing.skipped.into_iter().find(|s| key(&s.relative).starts_with(prefix)) {
        return Err(pjob_walk::WalkError::NotFollowed(Box::new(skipped)).into());
    }
    Ok(listing
        .files
        .into_iter()
        .map(|file| Object { key: key(&file.relative), body: Body::File(file.path) })
        .filter(|object| object.key.starts_with(prefix))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_bucket_lists_by_key_prefix() {
        let root = tempfile::tempdir().unwrap();
        for f in ["data/a.csv", "data/sub/b.csv", "data2/c.csv", "other/d.csv"] {
            let p = root.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f).unwrap();
        }
        let keys = |prefix: &str| {
            let mut k: Vec<String> = list_folder(root.path(), prefix).unwrap().into_iter().map(|o| o.key).collect();
            k.sort();
            k
        };
        assert_eq!(keys("data/"), ["data/a.csv", "data/sub/b.csv"]);
        assert_eq!(keys("data"), ["data/a.csv", "data/sub/b.csv", "data2/c.csv"]);
        assert_eq!(keys("data/a.csv"), ["data/a.csv"]);
        assert!(keys("nothing/").is_empty());
    }

    #[test]
    fn a_local_bucket_refuses_links_under_the_prefix_only() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("data")).unwrap();
        std::fs::create_dir_all(root.path().join("other")).unwrap();
        std::fs::write(root.path().join("data/a.csv"), "a").unwrap();
        std::os::unix::fs::symlink("a.csv", root.path().join("data/b.csv")).unwrap();
        std::os::unix::fs::symlink(".", root.path().join("other/loop")).unwrap();
        let keys: Vec<String> = list_folder(root.path(), "data").unwrap().into_iter().map(|o| o.key).collect();
        assert_eq!(keys, ["data/a.csv", "data/b.csv"]);

        std::os::unix::fs::symlink("/etc/passwd", root.path().join("data/pw")).unwrap();
        let err = list_folder(root.path(), "data/").unwrap_err();
        assert!(err.to_string().contains("data/pw") && err.to_string().contains("/etc/passwd"), "{err}");
        assert_eq!(list_folder(root.path(), "other/x").unwrap().len(), 0);
    }

    #[tokio::test]
    async fn artifacts_are_listed_and_fetched_without_s3() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.csv");
        std::fs::write(&file, "1,2\n").unwrap();
        let artifacts = vec![
            Artifact::file("s3://bkt/job/input/raw/x.csv".into(), file).unwrap(),
            Artifact::generated("s3://bkt/job/input/conf/c.json".into(), "{}".into()),
        ];
        let aws = pjob_s3::AwsOptions::default();
        let store = ObjectStore::new(&artifacts, None, &aws);
        let listed = store.list("s3://bkt/job/input/raw").await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].key, "job/input/raw/x.csv");
        let dest = dir.path().join("out/x.csv");
        store.fetch(&listed[0], &dest, false).await.unwrap();
        assert_eq!(std::fs::read_to_string(dest).unwrap(), "1,2\n");
    }

    #[test]
    fn gzip_objects_are_decompressed_and_other_bytes_refused() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"hello\n").unwrap();
        let dest = dir.path().join("h.txt");
        write_bytes(&gz.finish().unwrap(), &dest, true).unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "hello\n");
        let err = write_bytes(b"plain text", &dest, true).unwrap_err();
        assert!(err.to_string().contains("not valid gzip"), "{err}");
    }
}
