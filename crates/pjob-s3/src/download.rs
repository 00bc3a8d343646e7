//! Downloads and listings.

use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;
use tokio::task::JoinSet;

use crate::{AwsError, Call, S3Error, S3Transfer, S3Uri};

impl S3Transfer {
    /// Downloads one object to a local file (parent folders created).
    pub async fn download_object(&self, uri: &str, dest: &Path) -> Result<(), S3Error> {
        let source = S3Uri::parse(uri)?;
        let answer = self.client.get_object().bucket(&source.bucket).key(&source.key).send().await;
        let answer = match answer {
            Ok(a) => a,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => {
                return Err(S3Error::NotFound { uri: uri.to_string() });
            }
            Err(e) => return Err(S3Error::request(&self.context, "GetObject", uri, e)),
        };
        if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent).await.map_err(|e| S3Error::io(parent, e))?;
        }
        let mut file = tokio::fs::File::create(dest).await.map_err(|e| S3Error::io(dest, e))?;
        let mut body = answer.body;
        while let Some(chunk) = body.try_next().await.map_err(|e| S3Error::from(AwsError::other(Call::s3("GetObject", uri), e)))? {
            file.write_all(&chunk).await.map_err(|e| S3Error::io(dest, e))?;
        }
        file.flush().await.map_err(|e| S3Error::io(dest, e))?;
        Ok(())
    }

    /// Downloads every object under a prefix into `dest_dir`, as SageMaker's
    /// `S3Prefix` inputs do: the prefix is a plain string prefix; each
    /// object lands at its key relative to the prefix (relative to the
    /// prefix's last `/` when the prefix ends inside a name; an object whose
    /// key is the prefix itself lands under its file name). Folder markers
    /// (keys ending in `/`) are skipped; keys with `..` are refused.
    /// Returns the files written, in key order.
    pub async fn download_prefix(&self, uri: &str, dest_dir: &Path) -> Result<Vec<PathBuf>, S3Error> {
        let prefix = S3Uri::parse(uri)?;
        let mut targets = Vec::new();
        for key in self.list_keys(&prefix).await? {
            if let Some(rel) = relative_path(&prefix.key, &key)? {
                targets.push((prefix.with_key(key).to_string(), dest_dir.join(rel)));
            }
        }
        let written: Vec<PathBuf> = targets.iter().map(|(_, path)| path.clone()).collect();
        let mut pending = targets.into_iter();
        let mut running = JoinSet::new();
        loop {
            while running.len() < self.concurrency {
                let Some((uri, path)) = pending.next() else { break };
                let transfer = self.clone();
                running.spawn(async move { transfer.download_object(&uri, &path).await });
            }
            match running.join_next().await {
                None => return Ok(written),
                Some(Ok(Ok(()))) => {}
                Some(Ok(Err(e))) => return Err(e),
                Some(Err(e)) => return Err(S3Error::io(dest_dir, std::io::Error::other(e))),
            }
        }
    }

    /// Lists the URIs of every object under a prefix, in key order.
    pub async fn list(&self, uri: &str) -> Result<Vec<String>, S3Error> {
        let prefix = S3Uri::parse(uri)?;
        Ok(self.list_keys(&prefix).await?.into_iter().map(|k| prefix.with_key(k).to_string()).collect())
    }

    /// Creates a bucket unless it exists (and is ours). Outside
    /// `us-east-1` the bucket is created in `region`.
    pub async fn ensure_bucket(&self, bucket: &str, region: &str) -> Result<(), S3Error> {
        let uri = format!("s3://{bucket}");
        match self.client.head_bucket().bucket(bucket).send().await {
            Ok(_) => return Ok(()),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {}
            Err(e) => return Err(S3Error::request(&self.context, "HeadBucket", &uri, e)),
        }
        let mut create = self.client.create_bucket().bucket(bucket);
        if region != "us-east-1" {
            use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder().location_constraint(BucketLocationConstraint::from(region)).build(),
            );
        }
        match create.send().await {
            Ok(_) => Ok(()),
            // Another pjob (or a retried call) created it first.
            Err(e) if e.as_service_error().is_some_and(|s| s.is_bucket_already_owned_by_you()) => Ok(()),
            Err(e) => Err(S3Error::request(&self.context, "CreateBucket", &uri, e)),
        }
    }

    /// Every key under a prefix, in key order.
    async fn list_keys(&self, prefix: &S3Uri) -> Result<Vec<String>, S3Error> {
        let mut keys = Vec::new();
        let mut pages = self.client.list_objects_v2().bucket(&prefix.bucket).prefix(&prefix.key).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(p) => p,
                Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_bucket()) => {
                    return Err(S3Error::NotFound { uri: format!("s3://{}", prefix.bucket) });
                }
                Err(e) => return Err(S3Error::request(&self.context, "ListObjectsV2", &prefix.to_string(), e)),
            };
            keys.extend(page.contents().iter().filter_map(|o| o.key().map(str::to_string)));
        }
        Ok(keys)
    }
}

/// Where an object under an `S3Prefix` lands, relative to the destination
/// folder; `None` for folder markers, an error for keys that would escape it.
pub fn relative_path(prefix: &str, key: &str) -> Result<Option<PathBuf>, S3Error> {
    if key.ends_with('/') {
        return Ok(None);
    }
    let rest = key.strip_prefix(prefix).unwrap_or(key);
    let rel = if prefix.is_empty() || prefix.ends_with('/') {
        rest
    } else if rest.is_empty() {
        key.rsplit('/').next().unwrap_or(key)
    } else if let Some(below) = rest.strip_prefix('/') {
        below
    } else {
        // The prefix ends inside a name (`data/tr` matching `data/train/a`).
        prefix.rfind('/').map_or(key, |slash| &key[slash + 1..])
    };
    let mut path = PathBuf::new();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        if part == ".." || part == "." || part.contains('\\') || part.contains('\0') {
            return Err(S3Error::UnsafeKey { key: key.to_string(), reason: "it would land outside the destination folder" });
        }
        path.push(part);
    }
    Ok((!path.as_os_str().is_empty()).then_some(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(prefix: &str, key: &str) -> Option<String> {
        relative_path(prefix, key).unwrap().map(|p| p.to_string_lossy().into_owned())
    }

    #[test]
    fn keys_land_relative_to_the_prefix() {
        assert_eq!(rel("data/", "data/a/b.csv").as_deref(), Some("a/b.csv"));
        assert_eq!(rel("data", "data/a/b.csv").as_deref(), Some("a/b.csv"));
        assert_eq!(rel("", "x/y").as_deref(), Some("x/y"));
        assert_eq!(rel("data/file.csv", "data/file.csv").as_deref(), Some("file.csv"));
        assert_eq!(rel("data/tr", "data/train/a.csv").as_deref(), Some("train/a.csv"));
        assert_eq!(rel("tr", "train/a.csv").as_deref(), Some("train/a.csv"));
    }

    #[test]
    fn folder_markers_are_skipped() {
        assert_eq!(rel("data/", "data/sub/"), None);
        assert_eq!(rel("data/", "data/"), None);
    }

    #[test]
    fn keys_that_escape_the_folder_are_refused() {
        for key in ["data/../../etc/passwd", "data/./x", "data/a\\..\\b"] {
            assert!(matches!(relative_path("data/", key), Err(S3Error::UnsafeKey { .. })), "{key}");
        }
    }
}
