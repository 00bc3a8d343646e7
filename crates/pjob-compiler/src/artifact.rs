//! Artifacts: the objects a compiled job needs in S3 before it can run.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// One object pjob uploads for a job.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Artifact {
    /// Where it goes (`s3://bucket/key`).
    pub uri: String,
    /// Its size.
    pub bytes: u64,
    /// Hex SHA-256 of its bytes.
    pub sha256: String,
    /// Where its bytes come from.
    #[serde(flatten)]
    pub body: ArtifactBody,
}

/// Where an artifact's bytes come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ArtifactBody {
    /// A local file uploaded as it is.
    File {
        /// The file's path.
        source: PathBuf,
    },
    /// A text file pjob generates (bootstrap script, JSON configuration).
    Generated {
        /// The text.
        content: String,
    },
    /// An archive pjob builds.
    Archive {
        /// Member paths in the archive.
        members: Vec<String>,
        /// The archive's bytes.
        #[serde(skip)]
        data: Arc<Vec<u8>>,
    },
}

impl Artifact {
    /// An artifact for a local file, reading it to hash it.
    pub fn file(uri: String, source: PathBuf) -> std::io::Result<Artifact> {
        let data = std::fs::read(&source)?;
        Ok(Artifact { uri, bytes: data.len() as u64, sha256: sha256_hex(&data), body: ArtifactBody::File { source } })
    }

    /// An artifact for generated text.
    pub fn generated(uri: String, content: String) -> Artifact {
        Artifact { uri, bytes: content.len() as u64, sha256: sha256_hex(content.as_bytes()), body: ArtifactBody::Generated { content } }
    }

    /// An artifact for a built archive.
    pub fn archive(uri: String, members: Vec<String>, data: Vec<u8>) -> Artifact {
        Artifact { uri, bytes: data.len() as u64, sha256: sha256_hex(&data), body: ArtifactBody::Archive { members, data: Arc::new(data) } }
    }

    /// The artifact's bytes (read from disk for a local file).
    pub fn read_bytes(&self) -> std::io::Result<Vec<u8>> {
        match &self.body {
            ArtifactBody::File { source } => std::fs::read(source),
            ArtifactBody::Generated { content } => Ok(content.clone().into_bytes()),
            ArtifactBody::Archive { data, .. } => Ok(data.as_ref().clone()),
        }
    }
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}
