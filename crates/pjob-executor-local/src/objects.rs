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

/// The files of a local bucket folder whose keys start with `prefix`.
fn list_folder<'a>(root: &Path, prefix: &str) -> Result<Vec<Object<'a>>, LocalError> {
    // Walk only the deepest folder the prefix names.
    let dir_part = prefix.rfind('/').map_or("", |i| &prefix[..i]);
    let start = root.join(dir_part);
    let mut out = Vec::new();
    if start.is_dir() {
        walk(root, &start, &mut out)?;
    } else if root.join(prefix).is_file() {
        out.push(Object { key: prefix.to_string(), body: Body::File(root.join(prefix)) });
    }
    out.retain(|o| o.key.starts_with(prefix));
    Ok(out)
}

fn walk<'a>(root: &Path, dir: &Path, out: &mut Vec<Object<'a>>) -> Result<(), LocalError> {
    for entry in std::fs::read_dir(dir).map_err(|e| LocalError::io(dir, e))? {
        let path = entry.map_err(|e| LocalError::io(dir, e))?.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if path.is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let key = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            out.push(Object { key, body: Body::File(path) });
        }
    }
    Ok(())
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
