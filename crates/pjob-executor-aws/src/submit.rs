//! Uploads and create-exactly-once submission.

use aws_sdk_sagemaker::config::retry::RetryConfig;
use pjob_compiler::{Artifact, ArtifactBody, CompiledJob, JobNaming};
use pjob_s3::{ObjectBody, S3Uri};
use tokio::task::JoinSet;

use crate::retry::{Failure, backoff, classify, is_not_found};
use crate::{Api, AwsError, AwsExecutor, Call, ExecutorError, JobInfo, Observer, Service, convert};

/// Most `CreateProcessingJob` attempts.
const CREATE_ATTEMPTS: u32 = 8;

/// Artifacts uploaded at once.
const UPLOAD_CONCURRENCY: usize = 4;

/// What submitting a job did.
#[derive(Debug, Clone)]
pub enum Submission {
    /// This call created the job.
    Created {
        /// Artifacts uploaded (and skipped because they were already there).
        uploads: Uploads,
    },
    /// The job already existed; nothing was uploaded or created.
    Existing(Box<JobInfo>),
}

/// Artifact uploads of one job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uploads {
    /// Objects uploaded.
    pub uploaded: usize,
    /// Objects already in S3 with the same content.
    pub unchanged: usize,
}

/// Whether a job writes to or reads from `bucket` through pjob (its
/// artifacts, or its default output destinations).
pub fn uses_bucket(job: &CompiledJob, bucket: &str) -> bool {
    let in_bucket = |uri: &str| S3Uri::parse(uri).is_ok_and(|u| u.bucket == bucket);
    job.artifacts.iter().any(|a| in_bucket(&a.uri))
        || job
            .request
            .processing_output_config
            .iter()
            .flat_map(|c| &c.outputs)
            .filter_map(|o| o.s3_output.as_ref())
            .any(|o| in_bucket(&o.s3_uri))
}

impl AwsExecutor {
    /// Describes a job; `None` when there is no job with this name.
    /// Throttling is waited out (see [`AwsExecutor::throttled`]).
    pub async fn describe(&self, name: &str) -> Result<Option<JobInfo>, ExecutorError> {
        match self.call(Api::DescribeProcessingJob, || self.sagemaker.describe_processing_job().processing_job_name(name).send()).await {
            Ok(d) => JobInfo::from_describe(&d).map(Some),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(self.failed(Service::SageMaker, "DescribeProcessingJob", e)),
        }
    }

    /// Uploads every artifact of a job (each URI once), skipping objects
    /// already in S3 with the same SHA-256; SSE-KMS with the job's
    /// `kms_key`.
    pub async fn upload_artifacts(&self, job: &CompiledJob) -> Result<Uploads, ExecutorError> {
        let mut seen = std::collections::HashSet::new();
        let mut pending = job.artifacts.iter().filter(|a| seen.insert(a.uri.clone())).map(|a| (a.uri.clone(), a.clone(), a.sha256.clone()));
        let mut running = JoinSet::new();
        let mut uploads = Uploads::default();
        loop {
            while running.len() < UPLOAD_CONCURRENCY {
                let Some((uri, artifact, sha)) = pending.next() else { break };
                let s3 = self.s3.clone();
                let kms = job.upload_kms_key.clone();
                running.spawn(async move {
                    let (body, _built) = object_body(artifact).await?;
                    s3.put_if_changed(&uri, body, &sha, kms.as_deref()).await
                });
            }
            match running.join_next().await {
                None => return Ok(uploads),
                Some(Ok(Ok(true))) => uploads.uploaded += 1,
                Some(Ok(Ok(false))) => uploads.unchanged += 1,
                Some(Ok(Err(pjob_s3::S3Error::Io { path, source }))) => return Err(ExecutorError::Artifact { path, source }),
                Some(Ok(Err(e))) => return Err(e.into()),
                Some(Err(e)) => return Err(AwsError::other(Call::new(Service::S3, "PutObject"), e).into()),
            }
        }
    }

    /// Submits a job: with a content-hash or fixed name, an existing job of
    /// that name is reported and nothing is uploaded or created; otherwise
    /// `bucket` (the default bucket, when the job uses it) is created if
    /// missing, the artifacts are uploaded and the job created exactly once.
    pub async fn submit(&self, job: &CompiledJob, bucket: Option<&str>, observer: &dyn Observer) -> Result<Submission, ExecutorError> {
        if job.naming != JobNaming::Timestamp
            && let Some(info) = self.describe(job.name()).await?
        {
            return Ok(Submission::Existing(Box::new(info)));
        }
        if let Some(bucket) = bucket {
            self.ensure_bucket(bucket).await?;
        }
        let uploads = self.upload_artifacts(job).await?;
        if !job.artifacts.is_empty() {
            observer.note(job.name(), &format!("uploaded {} artifact(s), {} already in S3 unchanged", uploads.uploaded, uploads.unchanged));
        }
        match self.create_once(job).await? {
            Created::New => Ok(Submission::Created { uploads }),
            Created::Existing(info) => Ok(Submission::Existing(info)),
        }
    }

    /// Sends `CreateProcessingJob` within its rate limit, retrying
    /// throttling with backoff for as long as it lasts (a throttled call made
    /// nothing); when a call's outcome is unknown (server error, an attempt
    /// that outlived the call timeout, dropped connection) the job is
    /// described before any retry, so one call never makes two jobs.
    async fn create_once(&self, job: &CompiledJob) -> Result<Created, ExecutorError> {
        let input = convert::to_sdk(&job.request)?;
        let name = job.name();
        let mut outcome_unknown = false;
        let mut attempt = 0;
        let mut throttled = 0;
        loop {
            self.limits.until_ready(Api::CreateProcessingJob).await;
            let call = convert::create_call(self.sagemaker.create_processing_job(), input.clone())
                .customize()
                .config_override(aws_sdk_sagemaker::config::Builder::default().retry_config(RetryConfig::disabled()));
            let error = match call.send().await {
                Ok(_) => return Ok(Created::New),
                Err(e) => e,
            };
            match classify(&error) {
                Failure::Fatal => return Err(self.failed(Service::SageMaker, "CreateProcessingJob", error)),
                Failure::AlreadyExists => {
                    return match self.describe(name).await? {
                        Some(_) if outcome_unknown => Ok(Created::New),
                        Some(info) => Ok(Created::Existing(Box::new(info))),
                        None => Err(self.failed(Service::SageMaker, "CreateProcessingJob", error)),
                    };
                }
                Failure::Unknown => {
                    outcome_unknown = true;
                    if self.describe(name).await?.is_some() {
                        return Ok(Created::New);
                    }
                }
                Failure::Throttled => {
                    throttled += 1;
                    self.wait_after_throttling(throttled).await;
                    continue;
                }
            }
            attempt += 1;
            if attempt >= CREATE_ATTEMPTS {
                return Err(self.failed(Service::SageMaker, "CreateProcessingJob", error));
            }
            tokio::time::sleep(backoff(attempt, self.poll.retry_base, self.poll.max_interval)).await;
        }
    }
}

/// What `create_once` found.
enum Created {
    New,
    Existing(Box<JobInfo>),
}

/// What to upload for an artifact. An archive is built into a temporary
/// file (returned, to live as long as the upload) and uploaded from disk in
/// parts: no archive is ever whole in memory.
async fn object_body(artifact: Artifact) -> Result<(ObjectBody, Option<tempfile::TempPath>), pjob_s3::S3Error> {
    match artifact.body {
        ArtifactBody::File { source } => Ok((ObjectBody::File(source), None)),
        ArtifactBody::Generated { content } => Ok((ObjectBody::Bytes(content.into_bytes()), None)),
        ArtifactBody::Archive { .. } => {
            let uri = artifact.uri.clone();
            let built = tokio::task::spawn_blocking(move || -> std::io::Result<tempfile::TempPath> {
                let file = tempfile::Builder::new().prefix("pjob-archive-").tempfile()?;
                let (file, path) = file.into_parts();
                artifact.write_to(std::io::BufWriter::new(file))?.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                Ok(path)
            })
            .await
            .map_err(std::io::Error::other)
            .and_then(|r| r)
            .map_err(|source| pjob_s3::S3Error::Io { path: uri.into(), source })?;
            Ok((ObjectBody::File(built.to_path_buf()), Some(built)))
        }
    }
}
