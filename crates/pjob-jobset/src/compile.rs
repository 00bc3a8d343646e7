//! Compiling checked jobs to requests, with settings taken once per command.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use pjob_compiler::{ArchiveCache, CompileError, CompileOptions, CompiledJob};
use pjob_manifest::{GitConfig, JobSpec};
use pjob_source::{Code, Diagnostic};

use crate::Job;
use crate::git::{self, Checkout};

/// How long one `git` run fetching a `git_config` repository may take, by default.
pub const DEFAULT_GIT_TIMEOUT: Duration = Duration::from_secs(300);

/// What compiling a set needs besides the manifests: the same for every job
/// of one command.
#[derive(Debug, Clone)]
pub struct CompileSettings {
    /// AWS region, for image URIs; `None` when unknown.
    pub region: Option<String>,
    /// Bucket for uploaded artifacts and default output destinations; when
    /// `None`, the SDK's `sagemaker-<region>-<account>` with placeholders
    /// for what is not known offline.
    pub default_bucket: Option<String>,
    /// Key prefix in the default bucket (`--default-bucket-prefix`; a
    /// manifest's `spec.default_bucket_prefix` wins over it).
    pub default_bucket_prefix: Option<String>,
    /// Name every job with the SDK's timestamp (`--new`).
    pub force_timestamp_name: bool,
    /// The time timestamp names use.
    pub now: SystemTime,
    /// How long one `git` run fetching a `git_config` repository may take.
    pub git_timeout: Duration,
    /// Where archive digests are remembered between runs.
    pub archive_cache: Option<Arc<dyn ArchiveCache>>,
    /// Leave each reference to another job as its marker instead of what
    /// the upstream compiled to: a pipeline definition makes expressions of
    /// them, which SageMaker resolves as the pipeline runs.
    pub keep_references: bool,
}

impl Default for CompileSettings {
    fn default() -> CompileSettings {
        CompileSettings {
            region: None,
            default_bucket: None,
            default_bucket_prefix: None,
            force_timestamp_name: false,
            now: SystemTime::now(),
            git_timeout: DEFAULT_GIT_TIMEOUT,
            archive_cache: None,
            keep_references: false,
        }
    }
}

impl CompileSettings {
    /// The default bucket these settings give.
    pub fn bucket(&self) -> String {
        match &self.default_bucket {
            Some(bucket) => bucket.clone(),
            None => format!("sagemaker-{}-<account>", self.region.as_deref().unwrap_or("<region>")),
        }
    }

    /// The compiler's options for one job.
    pub fn options_for(&self, job: &Job) -> CompileOptions {
        CompileOptions {
            region: self.region.clone(),
            default_bucket: self.bucket(),
            default_bucket_prefix: self.default_bucket_prefix.clone(),
            base_dir: job.base_dir(),
            force_timestamp_name: self.force_timestamp_name,
            now: self.now,
            git_work_tree: None,
            archive_cache: self.archive_cache.clone(),
            upstream: Vec::new(),
        }
    }
}

impl Job {
    /// Compiles the job, fetching its `git_config` repository first if it
    /// has one; an error is located at the manifest value it concerns.
    pub fn compile(&self, settings: &CompileSettings) -> Result<CompiledJob, Box<Diagnostic>> {
        self.compile_after(settings, Vec::new())
    }

    /// Compiles the job as [`Job::compile`] does, with the job names of the
    /// jobs it depends on in its content hash.
    pub fn compile_after(&self, settings: &CompileSettings, upstream: Vec<String>) -> Result<CompiledJob, Box<Diagnostic>> {
        let mut options = settings.options_for(self);
        options.upstream = upstream;
        let checkout = self.fetch_sources(settings.git_timeout)?;
        options.git_work_tree = checkout.as_ref().map(|c| c.path().to_path_buf());
        let mut compiled = self.compile_with(&options).map_err(|e| Box::new(self.compile_diagnostic(&e)))?;
        // The archive is built from the checkout when it is uploaded.
        compiled.keep_alive = checkout.map(|c| pjob_compiler::KeepAlive(Arc::new(c)));
        Ok(compiled)
    }

    /// The job's `git_config`, if it has one.
    pub fn git_config(&self) -> Option<&GitConfig> {
        match &self.manifest.spec {
            JobSpec::FrameworkProcessor(spec) => spec.git_config.as_ref(),
            _ => None,
        }
    }

    /// Checks out the job's `git_config` repository (`None` without one).
    fn fetch_sources(&self, timeout: Duration) -> Result<Option<Checkout>, Box<Diagnostic>> {
        const POINTER: &str = "/spec/git_config";
        let Some(config) = self.git_config() else { return Ok(None) };
        pjob_compiler::check_git_config(config, POINTER).map_err(|e| Box::new(self.compile_diagnostic(&e)))?;
        git::fetch(config, &self.base_dir(), timeout).map(Some).map_err(|e| {
            let help = "check `git_config`: the repository URL, branch, commit and credentials, and that this machine can reach it";
            Box::new(self.diagnostic_at(POINTER, Code::Git, config.mask(&e.to_string()), help.into()))
        })
    }

    /// Compiles the job with explicit compiler options.
    pub fn compile_with(&self, options: &CompileOptions) -> Result<CompiledJob, CompileError> {
        pjob_compiler::compile(&self.manifest, options)
    }

    /// Checks that the job compiles with explicit compiler options, as
    /// [`Job::compile_with`] would, without building the named request.
    pub fn check_with(&self, options: &CompileOptions) -> Result<(), CompileError> {
        pjob_compiler::check(&self.manifest, options)
    }

    /// A compile error as a diagnostic at the value it concerns, with the
    /// `git_config` secrets masked.
    pub fn compile_diagnostic(&self, e: &CompileError) -> Diagnostic {
        let message = match self.git_config() {
            Some(config) => config.mask(&e.to_string()),
            None => e.to_string(),
        };
        self.diagnostic_at(e.pointer(), e.code(), message, e.help())
    }
}

/// Compiles every job, or returns every compile error as a diagnostic.
pub fn compile_all(jobs: &[Job], settings: &CompileSettings) -> Result<Vec<CompiledJob>, Vec<Diagnostic>> {
    let mut compiled = Vec::new();
    let mut problems = Vec::new();
    for job in jobs {
        match job.compile(settings) {
            Ok(c) => compiled.push(c),
            Err(d) => problems.push(*d),
        }
    }
    if problems.is_empty() { Ok(compiled) } else { Err(problems) }
}
