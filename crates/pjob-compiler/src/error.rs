//! What can stop a manifest from compiling.

use std::path::PathBuf;

use pjob_source::Code;

/// A compile error, located by the JSON pointer of the manifest value at fault
/// (`/spec/code`), so the caller can show it in the file.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    /// A local file the job needs cannot be read.
    #[error("cannot read {path}: {source}")]
    ReadFile {
        /// The manifest value naming the file.
        pointer: String,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The job needs a region (for an image URI or the default bucket) and none is set.
    #[error("no AWS region is set, and this job's image depends on it")]
    MissingRegion {
        /// The value that needs it.
        pointer: String,
    },
    /// An image could not be resolved from the SDK's tables.
    #[error("{source}")]
    ImageUri {
        /// The value at fault.
        pointer: String,
        /// Why (boxed: the error lists known values and would make every result large).
        source: Box<crate::image_uri::ImageUriError>,
    },
    /// The source folder could not be packed.
    #[error("{source}")]
    Archive {
        /// The value at fault.
        pointer: String,
        /// Why.
        source: crate::archive::ArchiveError,
    },
    /// A job with `git_config` was compiled without its repository's
    /// work tree ([`crate::CompileOptions::git_work_tree`]): the compiler
    /// never fetches anything itself.
    #[error("the `git_config` repository {repo} was not fetched")]
    GitNotFetched {
        /// The `git_config` value.
        pointer: String,
        /// The repository.
        repo: String,
    },
    /// A value that must be an `s3://` URI is not one.
    #[error("`{uri}` is not an s3:// URI")]
    BadUri {
        /// The value at fault.
        pointer: String,
        /// The value.
        uri: String,
    },
    /// The request passes one of the API's limits on a list, map or string.
    #[error("{message}")]
    Limit {
        /// The manifest field behind it.
        pointer: String,
        /// Which limit, and by how much.
        message: String,
        /// What to do.
        help: String,
        /// A string too long (rather than a list too long).
        too_long: bool,
    },
    /// A combination the SDK refuses.
    #[error("{message}")]
    Refused {
        /// The value at fault.
        pointer: String,
        /// What is wrong.
        message: String,
        /// What to do.
        help: String,
    },
}

impl CompileError {
    /// JSON pointer of the manifest value at fault.
    pub fn pointer(&self) -> &str {
        match self {
            CompileError::ReadFile { pointer, .. }
            | CompileError::MissingRegion { pointer }
            | CompileError::ImageUri { pointer, .. }
            | CompileError::Archive { pointer, .. }
            | CompileError::GitNotFetched { pointer, .. }
            | CompileError::BadUri { pointer, .. }
            | CompileError::Limit { pointer, .. }
            | CompileError::Refused { pointer, .. } => pointer,
        }
    }

    /// What the user can do about it.
    pub fn help(&self) -> String {
        match self {
            CompileError::ReadFile { .. } => "check the path; relative paths resolve against the manifest's folder".into(),
            CompileError::MissingRegion { .. } => "pass --region, or set AWS_REGION".into(),
            CompileError::ImageUri { .. } => "use one of the known values, or set `image_uri` yourself".into(),
            CompileError::Archive { .. } => "keep every file of the source folder inside it".into(),
            CompileError::GitNotFetched { .. } => "`pjob render`, `plan` and `apply` fetch the repository; `validate` does not".into(),
            CompileError::BadUri { .. } => "write s3://bucket/prefix".into(),
            CompileError::Limit { help, .. } | CompileError::Refused { help, .. } => help.clone(),
        }
    }

    /// A stable code for the kind of error.
    pub fn code(&self) -> Code {
        match self {
            CompileError::ReadFile { .. } => Code::MissingFile,
            CompileError::MissingRegion { .. } => Code::MissingRegion,
            CompileError::ImageUri { .. } => Code::UnknownImage,
            CompileError::Archive { .. } => Code::Archive,
            CompileError::GitNotFetched { .. } => Code::Git,
            CompileError::BadUri { .. } => Code::BadUri,
            CompileError::Limit { too_long: true, .. } => Code::TooLong,
            CompileError::Limit { too_long: false, .. } => Code::TooMany,
            CompileError::Refused { .. } => Code::Refused,
        }
    }
}
