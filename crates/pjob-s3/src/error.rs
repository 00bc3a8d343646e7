//! What can go wrong moving objects.

use std::path::PathBuf;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use crate::{AwsError, Call, CallContext};

/// An S3 transfer error.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    /// A string that is not an `s3://bucket/key` URI.
    #[error("`{0}` is not an S3 URI (expected s3://bucket/key)")]
    InvalidUri(String),
    /// An object or bucket that does not exist.
    #[error("{uri} does not exist")]
    NotFound {
        /// The object or bucket.
        uri: String,
    },
    /// An S3 call failed (after the SDK's retries).
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// A local file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A key that would land outside the destination folder (`..`, an
    /// absolute path).
    #[error("refusing to map `{key}` to a local path: {reason}")]
    UnsafeKey {
        /// The key or file name.
        key: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A local folder could not be listed (a name that is not UTF-8, an
    /// unreadable folder).
    #[error(transparent)]
    Walk(#[from] pjob_walk::WalkError),
    /// A file changed size while it was uploaded.
    #[error("{path} changed while it was uploaded")]
    Changed {
        /// The file.
        path: PathBuf,
    },
}

impl S3Error {
    /// A failed S3 call about `uri`.
    pub(crate) fn request<E>(context: &CallContext, operation: &'static str, uri: &str, error: SdkError<E>) -> S3Error
    where
        E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
    {
        S3Error::Aws(AwsError::from_sdk(Call::s3(operation, uri), context, error))
    }

    /// An I/O error on a local path.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> S3Error {
        S3Error::Io { path: path.into(), source }
    }
}
