//! Archive digests remembered between runs, keyed as git's index keys its
//! entries: by each file's path, size, modification and change times,
//! inode, device and mode. An unchanged `source_dir` is then hashed without
//! being read or compressed again. The store itself is the caller's (the
//! compiler writes nothing): see [`ArchiveCache`].

use std::io;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use crate::archive::{self, ArchiveEntry, ArchiveError};
use crate::artifact::{ContentDigest, HashingWriter};

/// Where archive digests are remembered (a folder on disk, in pjob).
pub trait ArchiveCache: Send + Sync + std::fmt::Debug {
    /// The digest stored under `key`, if any.
    fn get(&self, key: &str) -> Option<ContentDigest>;
    /// Stores a digest under `key` (failures are ignored: it is only a cache).
    fn put(&self, key: &str, digest: &ContentDigest);
}

/// What changes the archive's bytes besides its files: bump it when
/// [`archive::write_tar_gz`] or the gzip framing changes.
const FORMAT: &str = "pjob-archive-v2";

/// A file changed this recently may change again within the file system's
/// time resolution without its times showing it ("racily clean" in git):
/// such an archive is hashed, not remembered.
const SETTLE: Duration = Duration::from_secs(2);

/// The digest of the archive of `entries`: remembered in `cache` when every
/// file is as it was, otherwise computed by building the archive into a
/// hasher (nothing is kept in memory) and remembered.
pub fn archive_digest(entries: &[ArchiveEntry], cache: Option<&dyn ArchiveCache>, now: SystemTime) -> Result<ContentDigest, ArchiveError> {
    let key = cache.and_then(|_| stat_key(entries, now));
    if let (Some(cache), Some(key)) = (cache, &key)
        && let Some(digest) = cache.get(key)
    {
        return Ok(digest);
    }
    let (_, digest) = archive::write_tar_gz(entries, HashingWriter::new(io::sink()))?.finish();
    if let (Some(cache), Some(key)) = (cache, &key) {
        cache.put(key, &digest);
    }
    Ok(digest)
}

/// The key of an archive, or `None` when a file cannot be examined or
/// changed too recently to be trusted.
pub fn stat_key(entries: &[ArchiveEntry], now: SystemTime) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let mut hasher = Sha256::new();
    hasher.update(FORMAT.as_bytes());
    for entry in entries {
        let meta = std::fs::metadata(&entry.source).ok()?;
        let modified = meta.modified().ok()?;
        if now.duration_since(modified).map_or(true, |age| age < SETTLE) {
            return None;
        }
        let source = entry.source.to_str()?;
        let fields = [
            meta.len(),
            meta.mtime() as u64,
            meta.mtime_nsec() as u64,
            meta.ctime() as u64,
            meta.ctime_nsec() as u64,
            meta.ino(),
            meta.dev(),
            u64::from(meta.mode()),
        ];
        hasher.update((entry.path.len() as u64).to_le_bytes());
        hasher.update(entry.path.as_bytes());
        hasher.update((source.len() as u64).to_le_bytes());
        hasher.update(source.as_bytes());
        for field in fields {
            hasher.update(field.to_le_bytes());
        }
    }
    Some(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;

    #[derive(Debug, Default)]
    struct Memory(Mutex<HashMap<String, ContentDigest>>, Mutex<usize>);

    impl ArchiveCache for Memory {
        fn get(&self, key: &str) -> Option<ContentDigest> {
            self.0.lock().unwrap().get(key).cloned()
        }
        fn put(&self, key: &str, digest: &ContentDigest) {
            *self.1.lock().unwrap() += 1;
            self.0.lock().unwrap().insert(key.to_string(), digest.clone());
        }
    }

    #[test]
    fn an_unchanged_folder_is_remembered_and_a_changed_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.py");
        std::fs::write(&file, "print(1)\n").unwrap();
        let entries = vec![ArchiveEntry { path: "a.py".into(), source: file.clone() }];
        let later = SystemTime::now() + Duration::from_secs(10);
        let cache = Memory::default();
        let first = archive_digest(&entries, Some(&cache), later).unwrap();
        assert_eq!(first, archive_digest(&entries, Some(&cache), later).unwrap());
        assert_eq!(*cache.1.lock().unwrap(), 1, "the second digest came from the cache");
        std::fs::write(&file, "print(2)\n").unwrap();
        let changed = archive_digest(&entries, Some(&cache), later).unwrap();
        assert_ne!(changed, first, "a changed file has a new key");
        assert_eq!(changed, archive_digest(&entries, None, later).unwrap(), "the cache gives what building gives");
    }

    #[test]
    fn files_changed_just_now_are_not_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.py");
        std::fs::write(&file, "x").unwrap();
        let entries = vec![ArchiveEntry { path: "a.py".into(), source: file }];
        assert_eq!(stat_key(&entries, SystemTime::now()), None);
        assert!(stat_key(&entries, SystemTime::now() + Duration::from_secs(10)).is_some());
    }
}
