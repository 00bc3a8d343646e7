//! S3 object transfer for pjob.
//!
//! [`S3Transfer`] moves the objects pjob needs: job artifacts up (skipping
//! objects whose stored SHA-256 already matches, multipart with concurrent
//! parts for large bodies, SSE-KMS on request), and job inputs and outputs
//! down or up by prefix. [`AwsOptions`] and [`aws_config`] build the AWS
//! configuration every pjob client shares (the standard credential chain,
//! `--region`, `--profile`, `--endpoint-url`), and [`AwsError`] says why
//! an AWS call failed (no credentials, access denied, an endpoint that
//! cannot be reached, ...) in terms a person can act on.

mod aws_error;
mod download;
mod error;
mod refused;
mod setup;
mod upload;
mod uri;

use std::path::PathBuf;
use std::sync::Arc;

pub use aws_error::{AwsError, Call, Service};
pub use aws_sdk_s3;
pub use download::relative_path;
pub use error::S3Error;
pub use refused::RefusedConnectionFailsFast;
pub use setup::{
    AwsConfig, AwsOptions, CallContext, CallTimeouts, DEFAULT_CALL_TIMEOUT, DEFAULT_OPERATION_TIMEOUT, S3_ATTEMPT_FACTOR, SetupError,
    aws_config,
};
pub use upload::StoredHash;
pub use uri::S3Uri;

/// Object metadata key (`x-amz-meta-pjob-sha256`) holding the hex SHA-256
/// of an object's bytes, written on every upload (multipart ones too) and
/// read to skip unchanged ones and to compare artifacts in `pjob plan`.
pub const SHA256_METADATA_KEY: &str = "pjob-sha256";

/// The key earlier versions of pjob stored the SHA-256 under
/// (`x-amz-meta-sha256`), still read.
pub const LEGACY_SHA256_METADATA_KEY: &str = "sha256";

/// Moves objects between this machine and S3.
#[derive(Debug, Clone)]
pub struct S3Transfer {
    client: aws_sdk_s3::Client,
    context: Arc<CallContext>,
    multipart_threshold: u64,
    part_size: u64,
    concurrency: usize,
}

/// The bytes of an object to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectBody {
    /// Bytes in memory.
    Bytes(Vec<u8>),
    /// A local file, read as it is uploaded.
    File(PathBuf),
}

impl S3Transfer {
    /// A transfer over a client (bodies from 16 MiB up go multipart, in 8 MiB
    /// parts, four at a time).
    pub fn new(client: aws_sdk_s3::Client) -> S3Transfer {
        let context = CallContext { region: client.config().region().map(|r| r.to_string()), ..CallContext::default() };
        S3Transfer { client, context: Arc::new(context), multipart_threshold: 16 * MIB, part_size: 8 * MIB, concurrency: 4 }
    }

    /// A transfer over a client built from shared AWS configuration, with
    /// path-style addressing when the configuration names an endpoint URL
    /// (emulators such as moto or MinIO need it), and S3's own timeouts
    /// ([`CallTimeouts::s3`]: large parts need longer than a control-plane
    /// answer).
    pub fn from_config(config: &AwsConfig) -> S3Transfer {
        let sdk = &config.sdk;
        let s3_config = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(sdk.endpoint_url().is_some())
            .timeout_config(config.context.timeouts.s3())
            .retry_classifier(RefusedConnectionFailsFast)
            .build();
        S3Transfer { context: Arc::new(config.context.clone()), ..S3Transfer::new(aws_sdk_s3::Client::from_conf(s3_config)) }
    }

    /// Sets the size from which uploads go multipart and the part size
    /// (S3's minimum part size, 5 MiB, is enforced).
    pub fn with_multipart(mut self, threshold: u64, part_size: u64) -> S3Transfer {
        self.part_size = part_size.max(5 * MIB);
        self.multipart_threshold = threshold.max(self.part_size);
        self
    }

    /// Sets how many parts or files move at once (at least 1).
    pub fn with_concurrency(mut self, concurrency: usize) -> S3Transfer {
        self.concurrency = concurrency.max(1);
        self
    }

    /// The underlying client.
    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }
}

const MIB: u64 = 1024 * 1024;
