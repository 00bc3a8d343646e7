//! Typed manifests in, exact `CreateProcessingJob` requests plus artifacts out.
//!
//! The compiler is pure and offline: it reads the local files a manifest
//! names (to hash and pack them) and nothing else. It produces what the
//! SageMaker Python SDK would send for the same settings: generated input
//! and output names, default output destinations, the code inputs and
//! bootstrap scripts of each processor class, and the image URIs of the
//! SDK's tables. The executors upload the [`Artifact`]s and send the
//! [`CreateProcessingJobRequest`].

pub mod archive;
mod archive_cache;
mod artifact;
mod compile;
mod error;
mod git;
mod gz;
pub mod image_uri;
pub mod limits;
pub mod naming;
pub mod py_json;
pub mod request;
pub mod request_diff;
pub mod s3_uri;

use std::path::PathBuf;
use std::time::SystemTime;

use pjob_manifest::{Kind, Manifest, NamingPolicy};
use serde::Serialize;

pub use archive_cache::{ArchiveCache, archive_digest, stat_key};
pub use artifact::{Artifact, ArtifactBody, ContentDigest, HashingWriter, sha256_hex};
pub use error::CompileError;
pub use git::check_git_config;
pub use request::CreateProcessingJobRequest;

/// What compilation needs besides the manifest.
#[derive(Debug, Clone)]
pub struct CompileOptions {
    /// AWS region (for image URIs); `None` when unknown.
    pub region: Option<String>,
    /// Bucket for uploaded artifacts and default output destinations.
    pub default_bucket: String,
    /// Key prefix in the default bucket (the SDK session's
    /// `default_bucket_prefix`, `--default-bucket-prefix`); the manifest's
    /// `spec.default_bucket_prefix` wins over it.
    pub default_bucket_prefix: Option<String>,
    /// Folder relative paths in the manifest resolve against.
    pub base_dir: PathBuf,
    /// Force the SDK's timestamp naming (`--new`), whatever the manifest says.
    pub force_timestamp_name: bool,
    /// The time used for timestamp names.
    pub now: SystemTime,
    /// The work tree of the job's `git_config` repository, checked out by
    /// the caller; without it, a job with `git_config` does not compile
    /// ([`CompileError::GitNotFetched`]). The compiler never fetches.
    pub git_work_tree: Option<PathBuf>,
    /// Where archive digests are remembered between runs (see
    /// [`ArchiveCache`]); without one, every archive is built to be hashed.
    pub archive_cache: Option<std::sync::Arc<dyn ArchiveCache>>,
    /// The job names of the jobs of its set this job depends on: they are
    /// part of its content hash, so a changed upstream renames it.
    pub upstream: Vec<String>,
}

/// A compiled job: the request and the artifacts it needs uploaded first.
#[derive(Debug, Clone, Serialize)]
pub struct CompiledJob {
    /// The request, in the API's field names.
    pub request: CreateProcessingJobRequest,
    /// Objects to upload before the request is sent.
    pub artifacts: Vec<Artifact>,
    /// The kind of job.
    #[serde(skip)]
    pub kind: Kind,
    /// KMS key the artifacts are uploaded with (`spec.kms_key`).
    #[serde(skip)]
    pub upload_kms_key: Option<String>,
    /// Hex SHA-256 of the request (before naming) and every artifact.
    #[serde(skip)]
    pub content_hash: String,
    /// How the job name was chosen.
    #[serde(skip)]
    pub naming: JobNaming,
    /// When a failed run is tried again (`spec.retry`); not part of the request.
    #[serde(skip)]
    pub retry: Option<pjob_manifest::RetryPolicy>,
    /// How long a pipeline step's result may be reused (`spec.cache`); not part of the request.
    #[serde(skip)]
    pub cache: Option<pjob_manifest::StepCache>,
    /// The outputs (by name) whose destination the compiler chose: inside a
    /// pipeline they go where the SDK puts them, under the execution's id.
    #[serde(skip)]
    pub default_outputs: Vec<String>,
    /// What the artifacts read from that the caller made and must outlive
    /// them (a `git_config` checkout): released with the last clone of the job.
    #[serde(skip)]
    pub keep_alive: Option<KeepAlive>,
}

/// A resource kept alive as long as a compiled job (see [`CompiledJob::keep_alive`]).
#[derive(Clone)]
pub struct KeepAlive(pub std::sync::Arc<dyn std::any::Any + Send + Sync>);

impl std::fmt::Debug for KeepAlive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeepAlive")
    }
}

/// How a compiled job's name was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobNaming {
    /// `spec.job_name`.
    Fixed,
    /// `<name>-<content hash>`: re-applying finds the same job.
    ContentHash,
    /// `<name>-<timestamp>`: every apply is a new job.
    Timestamp,
}

impl CompiledJob {
    /// The job's name.
    pub fn name(&self) -> &str {
        &self.request.processing_job_name
    }

    /// New attempt `attempt` (1, 2, ...) of this job: the same request
    /// under [`naming::attempt_name`] (its outputs go where the first
    /// attempt's would, so the jobs that read them need no change).
    pub fn attempt(&self, attempt: u32) -> CompiledJob {
        let mut job = self.clone();
        job.request.processing_job_name = naming::attempt_name(self.name(), attempt);
        job
    }
}

/// The names of the outputs a manifest's job writes, as its request will
/// name them: `outputs` (`output-<n>` for one without a `name`), then the
/// outputs the kind adds (Clarify's `analysis_result`, a Spark job's event
/// logs). What `jobs.<name>.outputs.<output>` may name.
pub fn output_names(manifest: &Manifest) -> Vec<String> {
    let outputs = &manifest.spec.common().outputs;
    let mut names: Vec<String> =
        outputs.iter().enumerate().map(|(i, o)| o.name.clone().unwrap_or_else(|| format!("output-{}", i + 1))).collect();
    let spark = match &manifest.spec {
        pjob_manifest::JobSpec::ClarifyProcessor(_) => {
            names.push("analysis_result".to_string());
            None
        }
        pjob_manifest::JobSpec::PySparkProcessor(spec) => Some(&spec.spark),
        pjob_manifest::JobSpec::SparkJarProcessor(spec) => Some(&spec.spark),
        _ => None,
    };
    if spark.is_some_and(|spark| spark.spark_event_logs_s3_uri.is_some()) {
        names.push(format!("output-{}", outputs.len() + 1));
    }
    names
}

/// Whether a validated manifest compiles: fails exactly when [`compile`]
/// does, with the same error, but stops short of naming the job (which
/// serializes and hashes the request), for callers that only check.
pub fn check(manifest: &Manifest, options: &CompileOptions) -> Result<(), CompileError> {
    compile::draft(manifest, options).map(drop)
}

/// Compiles a validated manifest.
pub fn compile(manifest: &Manifest, options: &CompileOptions) -> Result<CompiledJob, CompileError> {
    let draft = compile::draft(manifest, options)?;
    let common = manifest.spec.common();
    let naming = match (&common.job_name, common.naming) {
        (Some(_), _) => JobNaming::Fixed,
        _ if options.force_timestamp_name => JobNaming::Timestamp,
        (None, Some(NamingPolicy::Timestamp)) => JobNaming::Timestamp,
        (None, _) => JobNaming::ContentHash,
    };
    Ok(compile::finish(manifest, draft, naming, options))
}
