//! Archive digests remembered on disk between runs ([`ArchiveCache`] for
//! the compiler): one small file per archive key, in pjob's cache folder.

use std::path::{Path, PathBuf};

use pjob_compiler::{ArchiveCache, ContentDigest};

/// A folder of remembered archive digests.
#[derive(Debug, Clone)]
pub struct DiskArchiveCache {
    dir: PathBuf,
}

impl DiskArchiveCache {
    /// A cache in `dir` (created when first written).
    pub fn new(dir: impl Into<PathBuf>) -> DiskArchiveCache {
        DiskArchiveCache { dir: dir.into() }
    }

    /// The cache in pjob's cache folder: `$PJOB_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/pjob`, else `~/.cache/pjob`, each with `archives/`
    /// below; `None` when none of them is set.
    pub fn at_default_location() -> Option<DiskArchiveCache> {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let root = var("PJOB_CACHE_DIR")
            .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("pjob")))
            .or_else(|| var("HOME").map(|d| d.join(".cache").join("pjob")))?;
        Some(DiskArchiveCache::new(root.join("archives")))
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl ArchiveCache for DiskArchiveCache {
    fn get(&self, key: &str) -> Option<ContentDigest> {
        let text = std::fs::read_to_string(self.dir.join(key)).ok()?;
        let (sha256, bytes) = text.trim().split_once(' ')?;
        let valid = sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit());
        valid.then(|| Some(ContentDigest { sha256: sha256.to_string(), bytes: bytes.parse().ok()? })).flatten()
    }

    fn put(&self, key: &str, digest: &ContentDigest) {
        // Written whole and renamed into place, so a reader never sees half of it.
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let mut temp = tempfile::NamedTempFile::new_in(&self.dir)?;
            std::io::Write::write_all(&mut temp, format!("{} {}\n", digest.sha256, digest.bytes).as_bytes())?;
            temp.persist(self.dir.join(key))?;
            Ok(())
        };
        let _ = write();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_survive_a_round_trip_and_garbage_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = DiskArchiveCache::new(dir.path().join("archives"));
        let digest = ContentDigest { sha256: "ab".repeat(32), bytes: 42 };
        assert_eq!(cache.get("k"), None);
        cache.put("k", &digest);
        assert_eq!(cache.get("k"), Some(digest));
        std::fs::write(dir.path().join("archives/bad"), "not a digest").unwrap();
        assert_eq!(cache.get("bad"), None);
    }
}
