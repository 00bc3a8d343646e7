//! Artifacts: the objects a compiled job needs in S3 before it can run.

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::archive::{self, ArchiveEntry};

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
    /// An archive pjob builds from local files: never held in memory,
    /// built again (and checked against its hash) when it is written.
    Archive {
        /// Member paths in the archive.
        members: Vec<String>,
        /// The files that go in.
        #[serde(skip)]
        entries: Arc<Vec<ArchiveEntry>>,
    },
}

/// The size and SHA-256 of some bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentDigest {
    /// Hex SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

impl Artifact {
    /// An artifact for a local file, reading it to hash it.
    pub fn file(uri: String, source: PathBuf) -> io::Result<Artifact> {
        let mut hashing = HashingWriter::new(io::sink());
        io::copy(&mut std::fs::File::open(&source)?, &mut hashing)?;
        let digest = hashing.finish().1;
        Ok(Artifact { uri, bytes: digest.bytes, sha256: digest.sha256, body: ArtifactBody::File { source } })
    }

    /// An artifact for generated text.
    pub fn generated(uri: String, content: String) -> Artifact {
        Artifact { uri, bytes: content.len() as u64, sha256: sha256_hex(content.as_bytes()), body: ArtifactBody::Generated { content } }
    }

    /// An archive of `entries`, whose bytes have `digest`.
    pub fn archive(uri: String, members: Vec<String>, entries: Vec<ArchiveEntry>, digest: ContentDigest) -> Artifact {
        Artifact { uri, bytes: digest.bytes, sha256: digest.sha256, body: ArtifactBody::Archive { members, entries: Arc::new(entries) } }
    }

    /// Writes the artifact's bytes to `out`, streaming: a file is copied,
    /// an archive built. Bytes that no longer have the artifact's hash (a
    /// source file changed since the job was compiled) are an error.
    pub fn write_to<W: Write>(&self, out: W) -> io::Result<W> {
        let mut hashing = HashingWriter::new(out);
        match &self.body {
            ArtifactBody::File { source } => {
                io::copy(&mut std::fs::File::open(source)?, &mut hashing)?;
            }
            ArtifactBody::Generated { content } => hashing.write_all(content.as_bytes())?,
            ArtifactBody::Archive { entries, .. } => {
                hashing = archive::write_tar_gz(entries, hashing).map_err(io::Error::other)?;
            }
        }
        let (out, digest) = hashing.finish();
        if digest.sha256 != self.sha256 {
            return Err(io::Error::other(format!(
                "{} changed since the job was compiled (its files are not the ones hashed into the job's name); run again",
                self.uri
            )));
        }
        Ok(out)
    }

    /// The artifact's bytes, in memory (for small artifacts and local runs).
    pub fn read_bytes(&self) -> io::Result<Vec<u8>> {
        self.write_to(Vec::new())
    }
}

/// A writer that hashes and counts what passes through it.
pub struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    /// Hashes what is written to `inner`.
    pub fn new(inner: W) -> HashingWriter<W> {
        HashingWriter { inner, hasher: Sha256::new(), bytes: 0 }
    }

    /// The inner writer, and the digest of everything written.
    pub fn finish(self) -> (W, ContentDigest) {
        (self.inner, ContentDigest { sha256: hex::encode(self.hasher.finalize()), bytes: self.bytes })
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Hex SHA-256 of bytes.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_archive_is_built_again_when_written_and_must_match_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("main.py");
        std::fs::write(&file, "print(1)\n").unwrap();
        let entries = vec![ArchiveEntry { path: "main.py".into(), source: file.clone() }];
        let digest = crate::archive_digest(&entries, None, std::time::SystemTime::now()).unwrap();
        let artifact = Artifact::archive("s3://b/sourcedir.tar.gz".into(), vec!["main.py".into()], entries.clone(), digest.clone());
        let bytes = artifact.read_bytes().unwrap();
        assert_eq!((sha256_hex(&bytes), bytes.len() as u64), (digest.sha256, digest.bytes));
        assert_eq!(bytes, archive::build_tar_gz(&entries).unwrap());
        std::fs::write(&file, "print(2)\n").unwrap();
        let error = artifact.read_bytes().unwrap_err();
        assert!(error.to_string().contains("changed since the job was compiled"), "{error}");
    }
}
