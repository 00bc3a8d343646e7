//! Uploads: single or multipart, skipped when the stored SHA-256 matches.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_sdk_s3::operation::head_object::HeadObjectOutput;
use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ServerSideEncryption};
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;

use crate::{AwsError, Call, LEGACY_SHA256_METADATA_KEY, ObjectBody, S3Error, S3Transfer, S3Uri, SHA256_METADATA_KEY};

/// S3's most parts per upload.
const MAX_PARTS: u64 = 10_000;

impl S3Transfer {
    /// Uploads `body` to `uri` unless an object whose stored SHA-256 is
    /// `sha256_hex` is already there (and, when `kms_key` is set, is
    /// SSE-KMS encrypted). Bodies from the multipart threshold up go in
    /// concurrent parts. Returns whether it uploaded.
    pub async fn put_if_changed(&self, uri: &str, body: ObjectBody, sha256_hex: &str, kms_key: Option<&str>) -> Result<bool, S3Error> {
        let target = S3Uri::parse(uri)?;
        if self.is_current(&target, sha256_hex, kms_key).await? {
            return Ok(false);
        }
        let size = match &body {
            ObjectBody::Bytes(data) => data.len() as u64,
            ObjectBody::File(path) => std::fs::metadata(path).map_err(|e| S3Error::io(path, e))?.len(),
        };
        if size >= self.multipart_threshold {
            self.put_multipart(&target, body, size, sha256_hex, kms_key).await?;
        } else {
            self.put_single(&target, body, sha256_hex, kms_key).await?;
        }
        Ok(true)
    }

    /// Uploads every file under `dir` to `prefix_uri` (relative layout
    /// kept, `/` separators), skipping files already there unchanged.
    /// The folder is listed by [`pjob_walk`]: what it does not follow (a
    /// link to a folder or out of `dir`, a dangling link) is not uploaded;
    /// to report those, list the folder yourself and call
    /// [`upload_files`](Self::upload_files). Returns how many files it uploaded.
    pub async fn upload_dir(&self, dir: &Path, prefix_uri: &str, kms_key: Option<&str>) -> Result<usize, S3Error> {
        let listing = pjob_walk::Walker::new(dir).list()?;
        self.upload_files(&listing.files, prefix_uri, kms_key).await
    }

    /// Uploads each of `files` (a [`pjob_walk`] listing) to
    /// `prefix_uri/<its relative path>`, skipping files already there
    /// unchanged. Returns how many files it uploaded.
    pub async fn upload_files(&self, files: &[pjob_walk::FileEntry], prefix_uri: &str, kms_key: Option<&str>) -> Result<usize, S3Error> {
        let prefix = S3Uri::parse(prefix_uri)?;
        let base = prefix.key.trim_end_matches('/').to_string();
        let mut jobs = files.iter().map(|file| {
            let key = if base.is_empty() { file.relative.clone() } else { format!("{base}/{}", file.relative) };
            (prefix.with_key(key).to_string(), file.path.clone())
        });
        let kms_key = kms_key.map(str::to_string);
        let mut running = JoinSet::new();
        let mut uploaded = 0;
        loop {
            while running.len() < self.concurrency {
                let Some((uri, path)) = jobs.next() else { break };
                let transfer = self.clone();
                let kms_key = kms_key.clone();
                running.spawn(async move {
                    let hash_path = path.clone();
                    let sha = tokio::task::spawn_blocking(move || file_sha256(&hash_path))
                        .await
                        .map_err(|e| S3Error::io(&path, std::io::Error::other(e)))??;
                    transfer.put_if_changed(&uri, ObjectBody::File(path), &sha, kms_key.as_deref()).await
                });
            }
            match running.join_next().await {
                None => return Ok(uploaded),
                Some(Ok(Ok(true))) => uploaded += 1,
                Some(Ok(Ok(false))) => {}
                Some(Ok(Err(e))) => return Err(e),
                // An upload task that panicked or was cancelled: the upload did not happen.
                Some(Err(e)) => return Err(S3Error::io(prefix_uri, std::io::Error::other(e))),
            }
        }
    }

    /// The SHA-256 stored with the object at `uri` (`HeadObject`).
    pub async fn stored_sha256(&self, uri: &str) -> Result<StoredHash, S3Error> {
        let Some(head) = self.head(&S3Uri::parse(uri)?).await? else { return Ok(StoredHash::Absent) };
        Ok(match stored_sha256(&head) {
            Some(sha) => StoredHash::Sha256(sha.to_string()),
            None => StoredHash::Unknown,
        })
    }

    /// Whether the object is there with this content (and encryption).
    async fn is_current(&self, target: &S3Uri, sha256_hex: &str, kms_key: Option<&str>) -> Result<bool, S3Error> {
        let Some(head) = self.head(target).await? else { return Ok(false) };
        let encrypted_as_asked = kms_key.is_none() || head.server_side_encryption() == Some(&ServerSideEncryption::AwsKms);
        Ok(stored_sha256(&head).is_some_and(|s| s.eq_ignore_ascii_case(sha256_hex)) && encrypted_as_asked)
    }

    /// The object's `HeadObject` answer; `None` when there is no object.
    async fn head(&self, target: &S3Uri) -> Result<Option<HeadObjectOutput>, S3Error> {
        match self.client.head_object().bucket(&target.bucket).key(&target.key).send().await {
            Ok(head) => Ok(Some(head)),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) => Err(S3Error::request(&self.context, "HeadObject", &target.to_string(), e)),
        }
    }

    async fn put_single(&self, target: &S3Uri, body: ObjectBody, sha256_hex: &str, kms_key: Option<&str>) -> Result<(), S3Error> {
        let stream = match body {
            ObjectBody::Bytes(data) => ByteStream::from(data),
            ObjectBody::File(path) => ByteStream::from_path(&path).await.map_err(|e| S3Error::io(&path, std::io::Error::other(e)))?,
        };
        let mut put =
            self.client.put_object().bucket(&target.bucket).key(&target.key).metadata(SHA256_METADATA_KEY, sha256_hex).body(stream);
        if let Some(key) = kms_key {
            put = put.server_side_encryption(ServerSideEncryption::AwsKms).ssekms_key_id(key);
        }
        put.send().await.map_err(|e| S3Error::request(&self.context, "PutObject", &target.to_string(), e))?;
        Ok(())
    }

    async fn put_multipart(
        &self,
        target: &S3Uri,
        body: ObjectBody,
        size: u64,
        sha256_hex: &str,
        kms_key: Option<&str>,
    ) -> Result<(), S3Error> {
        let uri = target.to_string();
        let mut create =
            self.client.create_multipart_upload().bucket(&target.bucket).key(&target.key).metadata(SHA256_METADATA_KEY, sha256_hex);
        if let Some(key) = kms_key {
            create = create.server_side_encryption(ServerSideEncryption::AwsKms).ssekms_key_id(key);
        }
        let created = create.send().await.map_err(|e| S3Error::request(&self.context, "CreateMultipartUpload", &uri, e))?;
        let Some(upload_id) = created.upload_id().map(str::to_string) else {
            return Err(AwsError::failed(Call::s3("CreateMultipartUpload", uri), "the answer has no upload id").into());
        };
        match self.upload_parts(target, body, size, &upload_id).await {
            Ok(parts) => {
                let complete = self
                    .client
                    .complete_multipart_upload()
                    .bucket(&target.bucket)
                    .key(&target.key)
                    .upload_id(&upload_id)
                    .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
                    .send()
                    .await;
                if let Err(e) = complete {
                    self.abort(target, &upload_id).await;
                    return Err(S3Error::request(&self.context, "CompleteMultipartUpload", &uri, e));
                }
                Ok(())
            }
            Err(e) => {
                self.abort(target, &upload_id).await;
                Err(e)
            }
        }
    }

    /// Uploads the parts, `concurrency` at a time, in part-number order.
    async fn upload_parts(&self, target: &S3Uri, body: ObjectBody, size: u64, upload_id: &str) -> Result<Vec<CompletedPart>, S3Error> {
        let part_size = self.part_size.max(size.div_ceil(MAX_PARTS));
        let count = size.div_ceil(part_size).max(1);
        let source = match body {
            ObjectBody::Bytes(data) => PartSource::Bytes(Arc::new(data)),
            ObjectBody::File(path) => PartSource::File(path),
        };
        let mut parts = Vec::with_capacity(count as usize);
        let mut next = 0u64;
        let mut running = JoinSet::new();
        loop {
            while running.len() < self.concurrency && next < count {
                let offset = next * part_size;
                let len = part_size.min(size - offset);
                let number = (next + 1) as i32;
                next += 1;
                let client = self.client.clone();
                let (bucket, key, upload_id, source) = (target.bucket.clone(), target.key.clone(), upload_id.to_string(), source.clone());
                let (uri, context) = (target.to_string(), self.context.clone());
                running.spawn(async move {
                    let stream = source.part(offset, len).await?;
                    let answer = client
                        .upload_part()
                        .bucket(bucket)
                        .key(key)
                        .upload_id(upload_id)
                        .part_number(number)
                        .body(stream)
                        .send()
                        .await
                        .map_err(|e| S3Error::request(&context, "UploadPart", &uri, e))?;
                    Ok::<_, S3Error>(CompletedPart::builder().set_e_tag(answer.e_tag().map(str::to_string)).part_number(number).build())
                });
            }
            match running.join_next().await {
                None => break,
                Some(Ok(Ok(part))) => parts.push(part),
                Some(Ok(Err(e))) => return Err(e),
                Some(Err(e)) => return Err(AwsError::other(Call::s3("UploadPart", target.to_string()), e).into()),
            }
        }
        parts.sort_by_key(|p| p.part_number());
        Ok(parts)
    }

    /// Abandons a multipart upload (best effort: S3 lifecycle rules clean up
    /// what this cannot).
    async fn abort(&self, target: &S3Uri, upload_id: &str) {
        let _ = self.client.abort_multipart_upload().bucket(&target.bucket).key(&target.key).upload_id(upload_id).send().await;
    }
}

/// What S3 holds at a URI, by content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredHash {
    /// No object.
    Absent,
    /// An object without a stored SHA-256 (not uploaded by pjob).
    Unknown,
    /// An object with this stored hex SHA-256.
    Sha256(String),
}

/// The hex SHA-256 stored in an object's metadata, under pjob's key or
/// the one earlier versions used.
fn stored_sha256(head: &HeadObjectOutput) -> Option<&str> {
    let metadata = head.metadata()?;
    metadata.get(SHA256_METADATA_KEY).or_else(|| metadata.get(LEGACY_SHA256_METADATA_KEY)).map(String::as_str)
}

/// Where parts are read from.
#[derive(Clone)]
enum PartSource {
    Bytes(Arc<Vec<u8>>),
    File(PathBuf),
}

impl PartSource {
    async fn part(&self, offset: u64, len: u64) -> Result<ByteStream, S3Error> {
        match self {
            PartSource::Bytes(data) => {
                let (start, end) = (offset as usize, (offset + len) as usize);
                Ok(ByteStream::from(data.get(start..end).unwrap_or_default().to_vec()))
            }
            PartSource::File(path) => ByteStream::read_from()
                .path(path)
                .offset(offset)
                .length(Length::Exact(len))
                .build()
                .await
                .map_err(|_| S3Error::Changed { path: path.clone() }),
        }
    }
}

/// Hex SHA-256 of a file, read in chunks.
pub(crate) fn file_sha256(path: &Path) -> Result<String, S3Error> {
    let mut file = std::fs::File::open(path).map_err(|e| S3Error::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf).map_err(|e| S3Error::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}
