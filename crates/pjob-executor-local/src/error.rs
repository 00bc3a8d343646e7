//! What can keep a job from running locally at all.

use std::path::PathBuf;

use crate::{EngineError, SandboxError};

/// A local run could not be carried out. (A job that runs and fails is not
/// an error: see [`Outcome`](crate::Outcome).)
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    /// The job needs something a local run cannot provide.
    #[error("{what} cannot run locally: {reason}")]
    Unsupported {
        /// The part of the job (`input \`q\``, `the entrypoint`).
        what: String,
        /// Why, and what to do instead.
        reason: String,
    },
    /// The job folder cannot be used.
    #[error("cannot use {path} as the job folder: {reason}")]
    WorkDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The private mount namespace that provides `/opt/ml` could not be set up.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// The container engine cannot run containers here.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// AWS could not be set up for the job's S3 inputs or outputs.
    #[error("S3 is needed for this job, but {0}")]
    AwsSetup(#[from] pjob_s3::SetupError),
    /// An S3 transfer failed.
    #[error(transparent)]
    S3(#[from] pjob_s3::S3Error),
    /// A local folder could not be listed, or holds what a local run refuses
    /// to read (see [`pjob_walk`]).
    #[error(transparent)]
    Walk(#[from] pjob_walk::WalkError),
    /// A local file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

impl LocalError {
    /// Whether the job itself asks for what cannot be done (exit code 2),
    /// rather than this machine or AWS failing (exit code 3).
    pub fn is_usage(&self) -> bool {
        matches!(self, LocalError::Unsupported { .. } | LocalError::WorkDir { .. })
    }

    /// An I/O error on a path.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> LocalError {
        LocalError::Io { path: path.into(), source }
    }
}
