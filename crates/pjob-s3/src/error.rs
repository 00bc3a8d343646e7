//! What can go wrong moving objects.

use std::path::PathBuf;

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
    #[error("S3 {operation} on {uri} failed: {message}")]
    Request {
        /// The S3 operation (`PutObject`, ...).
        operation: &'static str,
        /// The object, prefix or bucket.
        uri: String,
        /// The error, with its causes.
        message: String,
    },
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
    /// An error from a failed SDK call, with its whole cause chain.
    pub(crate) fn request<E>(operation: &'static str, uri: &str, error: E) -> S3Error
    where
        E: std::error::Error + 'static,
    {
        S3Error::Request { operation, uri: uri.to_string(), message: aws_sdk_s3::error::DisplayErrorContext(error).to_string() }
    }

    /// An I/O error on a local path.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> S3Error {
        S3Error::Io { path: path.into(), source }
    }
}
