//! Byte-for-byte reproducible `sourcedir.tar.gz`, laid out as the SageMaker Python SDK's
//! `fw_utils.tar_and_upload_dir` lays it out.
//!
//! The SDK adds every entry of `source_dir` under its own name (`os.listdir`, recursively,
//! following symlinks) and then each dependency under its base name, so a dependency folder
//! `deps/lib` becomes `lib/...` and a dependency file `deps/util.py` becomes `util.py`. Where a
//! dependency has the same path as a `source_dir` file, the SDK's archive holds both and the
//! later one (the dependency) wins on extraction; [`collect_entries`] keeps only that one.
//! The SDK's archive also lists every folder as a member (`lib`, `lib/pkg`); [`build_tar_gz`]
//! writes the folders that hold files, so [`member_names`] matches `tarfile.getnames()` except
//! for empty folders, which carry nothing and are left out.
//!
//! Unlike the SDK's (which records mtimes, owners and the temp file name in the gzip header),
//! the archive here depends only on the paths, contents and executable bits of the files.
//!
//! Folders are listed by [`pjob_walk`], so symlinks follow its policy, and any entry it does
//! not follow is refused with an error naming it: a link to a file inside the folder is
//! archived under the link's name with the file's contents (as the SDK archives it); a link to
//! a folder (which the SDK would archive a second time, and which loops when it points up),
//! a link leading outside the folder, a dangling link, a socket or FIFO, and a name that is
//! not UTF-8 are errors. Each dependency folder is its own boundary.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// One file to put in the archive: the path inside it and where its bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveEntry {
    /// Relative path inside the archive, `/`-separated (e.g. `lib/pkg/__init__.py`).
    pub path: String,
    /// The file on disk whose bytes (and executable bit) go in.
    pub source: PathBuf,
}

/// Why the archive could not be collected or built; each variant names the path at fault.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A file or folder could not be read.
    #[error("cannot read {}: {error}", .path.display())]
    Io {
        /// The path being read.
        path: PathBuf,
        /// The underlying error.
        #[source]
        error: io::Error,
    },
    /// `source_dir` exists but is not a folder.
    #[error("source_dir {} is not a directory", .path.display())]
    NotADirectory {
        /// The path given as `source_dir`.
        path: PathBuf,
    },
    /// A folder could not be walked, or holds an entry the walk does not follow (a symlink
    /// to a folder or out of it, a dangling link, a name that is not UTF-8).
    #[error(transparent)]
    Walk(#[from] pjob_walk::WalkError),
    /// Neither a regular file, a folder nor a symlink to one (a socket, FIFO or device).
    #[error("{} is not a regular file or folder", .path.display())]
    UnsupportedFileType {
        /// The path.
        path: PathBuf,
    },
    /// A dependency path has no final name to put it under (`.`, `..`, `/`).
    #[error("dependency {} has no file or folder name to archive it under", .path.display())]
    InvalidDependency {
        /// The dependency as given.
        path: PathBuf,
    },
    /// A file name is not valid UTF-8.
    #[error("file name of {} is not valid UTF-8", .path.display())]
    NonUtf8Path {
        /// The path.
        path: PathBuf,
    },
    /// An entry's path is empty, absolute, or has an empty, `.` or `..` component.
    #[error("archive path `{path}` must be relative, without empty, `.` or `..` components")]
    InvalidEntryPath {
        /// The entry path.
        path: String,
    },
    /// Two entries have the same path.
    #[error("archive path `{path}` appears twice ({} and {})", .first.display(), .second.display())]
    DuplicateEntry {
        /// The entry path.
        path: String,
        /// The first source.
        first: PathBuf,
        /// The second source.
        second: PathBuf,
    },
    /// A path is both a file and the folder of another entry.
    #[error("archive path `{path}` is a file ({}) and also a folder of `{child}`", .source_path.display())]
    PathConflict {
        /// The path that is both.
        path: String,
        /// The file given for it.
        source_path: PathBuf,
        /// An entry below it.
        child: String,
    },
    /// Writing the archive failed.
    #[error("cannot write archive member `{path}`: {error}")]
    Write {
        /// The member being written.
        path: String,
        /// The underlying error.
        #[source]
        error: io::Error,
    },
}

/// Walks `source_dir` (all files, recursively) plus each of `dependencies` (a file is added by its file name; a folder is added under its own folder name, recursively), as the SDK's tar_and_upload_dir does. Symlinks follow [`pjob_walk`]'s policy (see the module docs); what it does not follow is refused with an error naming it. Entries sorted by path; no absolute paths or `..`.
///
/// Each dependency folder is its own boundary for symlinks. A dependency entry with the same
/// path as an earlier entry replaces it, as extracting the SDK's archive would.
pub fn collect_entries(source_dir: &Path, dependencies: &[PathBuf]) -> Result<Vec<ArchiveEntry>, ArchiveError> {
    let mut entries: BTreeMap<String, PathBuf> = BTreeMap::new();

    let meta = fs::metadata(source_dir).map_err(|error| io_error(source_dir, error))?;
    if !meta.is_dir() {
        return Err(ArchiveError::NotADirectory { path: source_dir.to_path_buf() });
    }
    add_folder(source_dir, "", &mut entries)?;
    finish_entries(entries, dependencies)
}

/// The archive of a single script (`code` without `source_dir`): the script under its file
/// name, then `dependencies` as [`collect_entries`] adds them.
pub fn collect_script_entries(script: &Path, dependencies: &[PathBuf]) -> Result<Vec<ArchiveEntry>, ArchiveError> {
    let name = script.file_name().ok_or_else(|| ArchiveError::InvalidDependency { path: script.to_path_buf() })?;
    let name = utf8(name, script)?;
    let meta = fs::metadata(script).map_err(|error| io_error(script, error))?;
    if !meta.is_file() {
        return Err(ArchiveError::UnsupportedFileType { path: script.to_path_buf() });
    }
    let mut entries = BTreeMap::new();
    entries.insert(name.to_string(), script.to_path_buf());
    finish_entries(entries, dependencies)
}

/// Adds the dependencies to the collected entries and checks the layout.
fn finish_entries(mut entries: BTreeMap<String, PathBuf>, dependencies: &[PathBuf]) -> Result<Vec<ArchiveEntry>, ArchiveError> {
    for dependency in dependencies {
        let name = dependency.file_name().ok_or_else(|| ArchiveError::InvalidDependency { path: dependency.clone() })?;
        let name = utf8(name, dependency)?;
        let meta = fs::metadata(dependency).map_err(|error| io_error(dependency, error))?;
        if meta.is_dir() {
            add_folder(dependency, name, &mut entries)?;
        } else if meta.is_file() {
            entries.insert(name.to_string(), dependency.clone());
        } else {
            return Err(ArchiveError::UnsupportedFileType { path: dependency.clone() });
        }
    }

    let entries: Vec<ArchiveEntry> = entries.into_iter().map(|(path, source)| ArchiveEntry { path, source }).collect();
    check_layout(&entries)?;
    Ok(entries)
}

/// gzip'd tar of the entries, in memory (see [`write_tar_gz`]).
pub fn build_tar_gz(entries: &[ArchiveEntry]) -> Result<Vec<u8>, ArchiveError> {
    write_tar_gz(entries, Vec::new())
}

/// Writes the gzip'd tar of the entries to `out` as it reads them, file by
/// file in pieces, so memory does not follow the archive's size: sorted,
/// mtime 0, uid/gid 0, empty owner names, mode 0644 (0755 if the source
/// file is executable), no gzip header timestamp or file name, so the same
/// inputs always give the same bytes. The gzip stream is compressed on
/// every core in independent members ([`crate::gz`]).
///
/// The folders holding the files are written as members too (mode 0755), as in the SDK's
/// archive; see [`member_names`]. A file whose size changes while it is
/// read is an error: the archive would not be the one hashed.
pub fn write_tar_gz<W: Write>(entries: &[ArchiveEntry], out: W) -> Result<W, ArchiveError> {
    let members = members(entries)?;
    let mut builder = tar::Builder::new(crate::gz::ParallelGz::new(out));
    for member in &members {
        match member {
            Member::Dir(path) => append(&mut builder, &format!("{path}/"), 0o755, 0, io::empty())?,
            Member::File(entry) => {
                let file = fs::File::open(&entry.source).map_err(|error| io_error(&entry.source, error))?;
                let meta = file.metadata().map_err(|error| io_error(&entry.source, error))?;
                let mode = if is_executable(&meta) { 0o755 } else { 0o644 };
                let mut reader = ExactSize { inner: file, left: meta.len(), path: &entry.source };
                append(&mut builder, &entry.path, mode, meta.len(), &mut reader)?;
                if reader.left != 0 {
                    return Err(changed(&entry.source));
                }
            }
        }
    }
    let finish_error = |error| ArchiveError::Write { path: String::new(), error };
    let gz = builder.into_inner().map_err(finish_error)?;
    gz.finish().map_err(finish_error)
}

/// Appends one member with a fixed header.
fn append<W: Write>(builder: &mut tar::Builder<W>, name: &str, mode: u32, size: u64, data: impl io::Read) -> Result<(), ArchiveError> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(if name.ends_with('/') { tar::EntryType::Directory } else { tar::EntryType::Regular });
    header.set_mode(mode);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_size(size);
    let write_error = |error| ArchiveError::Write { path: name.to_string(), error };
    let name_field = &mut header.as_old_mut().name;
    if name.len() <= name_field.len() {
        // Short names go in verbatim (keeping a folder's trailing `/`).
        name_field[..name.len()].copy_from_slice(name.as_bytes());
        header.set_cksum();
        builder.append(&header, data).map_err(write_error)
    } else {
        // Long names get a GNU long-name record.
        builder.append_data(&mut header, name, data).map_err(write_error)
    }
}

/// A file read up to the size its header gives; one that grew is cut
/// there, and one that shrank leaves `left` above zero (an error).
struct ExactSize<'a> {
    inner: fs::File,
    left: u64,
    path: &'a Path,
}

impl io::Read for ExactSize<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = self.inner.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, format!("{} shrank while it was archived", self.path.display())));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn changed(path: &Path) -> ArchiveError {
    io_error(path, io::Error::other("the file changed while it was archived; run again"))
}

/// The member names [`build_tar_gz`] writes, in order: the files' folders and the files, as
/// Python's `tarfile.getnames()` lists them (folders without a trailing `/`).
pub fn member_names(entries: &[ArchiveEntry]) -> Result<Vec<String>, ArchiveError> {
    Ok(members(entries)?
        .into_iter()
        .map(|m| match m {
            Member::Dir(path) => path,
            Member::File(entry) => entry.path.clone(),
        })
        .collect())
}

enum Member<'a> {
    Dir(String),
    File(&'a ArchiveEntry),
}

/// Entries and their folders, sorted by path, after checking the layout.
fn members(entries: &[ArchiveEntry]) -> Result<Vec<Member<'_>>, ArchiveError> {
    check_layout(entries)?;
    let mut dirs = BTreeSet::new();
    for entry in entries {
        let mut end = 0;
        while let Some(i) = entry.path[end..].find('/') {
            end += i;
            dirs.insert(entry.path[..end].to_string());
            end += 1;
        }
    }
    let mut members: Vec<(&str, Member<'_>)> = entries.iter().map(|e| (e.path.as_str(), Member::File(e))).collect();
    let dirs: Vec<String> = dirs.into_iter().collect();
    members.extend(dirs.iter().map(|d| (d.as_str(), Member::Dir(d.clone()))));
    members.sort_by(|a, b| a.0.cmp(b.0));
    Ok(members.into_iter().map(|(_, m)| m).collect())
}

/// Paths are relative and plain, unique, and no file is also a folder of another entry.
fn check_layout(entries: &[ArchiveEntry]) -> Result<(), ArchiveError> {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for entry in entries {
        let path = entry.path.as_str();
        if path.is_empty() || path.starts_with('/') || path.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
            return Err(ArchiveError::InvalidEntryPath { path: path.to_string() });
        }
        if let Some(first) = seen.insert(path, &entry.source) {
            return Err(ArchiveError::DuplicateEntry { path: path.to_string(), first: first.to_path_buf(), second: entry.source.clone() });
        }
    }
    for (path, source) in &seen {
        let folder = format!("{path}/");
        if let Some((child, _)) = seen.range(folder.as_str()..).next().filter(|(c, _)| c.starts_with(&folder)) {
            return Err(ArchiveError::PathConflict { path: path.to_string(), source_path: source.to_path_buf(), child: child.to_string() });
        }
    }
    Ok(())
}

/// Adds the files under `dir` as `prefix/...` (or at their relative path, without a prefix).
fn add_folder(dir: &Path, prefix: &str, entries: &mut BTreeMap<String, PathBuf>) -> Result<(), ArchiveError> {
    for file in pjob_walk::Walker::new(dir).list()?.refuse_skipped()? {
        let path = if prefix.is_empty() { file.relative } else { format!("{prefix}/{}", file.relative) };
        entries.insert(path, file.path);
    }
    Ok(())
}

fn utf8<'a>(name: &'a std::ffi::OsStr, path: &Path) -> Result<&'a str, ArchiveError> {
    name.to_str().ok_or_else(|| ArchiveError::NonUtf8Path { path: path.to_path_buf() })
}

fn io_error(path: &Path, error: io::Error) -> ArchiveError {
    ArchiveError::Io { path: path.to_path_buf(), error }
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &fs::Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A scratch folder removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new() -> TempDir {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, Ordering::SeqCst);
            let path = std::env::temp_dir().join(format!("pjob-archive-test-{}-{n}", std::process::id()));
            let _ = fs::remove_dir_all(&path);
            fs::create_dir_all(&path).unwrap();
            TempDir(path)
        }

        fn file(&self, rel: &str, content: &str) -> PathBuf {
            let path = self.0.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, content).unwrap();
            path
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    struct Member {
        name: String,
        mode: u32,
        dir: bool,
        content: String,
    }

    fn read_back(bytes: &[u8]) -> Vec<Member> {
        let mut archive = tar::Archive::new(flate2::read::MultiGzDecoder::new(bytes));
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let header = e.header().clone();
                assert_eq!(header.mtime().unwrap(), 0);
                assert_eq!(header.uid().unwrap(), 0);
                assert_eq!(header.gid().unwrap(), 0);
                assert_eq!(header.username().unwrap(), Some(""));
                assert_eq!(header.groupname().unwrap(), Some(""));
                let mut content = String::new();
                e.read_to_string(&mut content).unwrap();
                let dir = header.entry_type().is_dir();
                let raw = e.path().unwrap().to_str().unwrap().to_string();
                // Folders are stored with a trailing `/`, as tar and Python's tarfile write them.
                assert_eq!(raw.ends_with('/'), dir, "{raw}");
                Member { name: raw.trim_end_matches('/').to_string(), mode: header.mode().unwrap(), dir, content }
            })
            .collect()
    }

    fn paths(entries: &[ArchiveEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.path.as_str()).collect()
    }

    fn sample(tmp: &TempDir) -> (PathBuf, Vec<PathBuf>) {
        tmp.file("src/train.py", "print('train')\n");
        tmp.file("src/requirements.txt", "numpy\n");
        tmp.file("src/sub/deeper/y.py", "y = 1\n");
        tmp.file("src/sub/x.py", "x = 1\n");
        tmp.file("src/b-a.py", "# sorts between sub and sub/\n");
        tmp.file("deps/lib/pkg/__init__.py", "");
        tmp.file("deps/lib/pkg/mod.py", "m = 1\n");
        let one = tmp.file("deps/one.py", "one = 1\n");
        (tmp.0.join("src"), vec![tmp.0.join("deps/lib"), one])
    }

    #[test]
    fn same_input_gives_identical_bytes() {
        let tmp = TempDir::new();
        let (src, deps) = sample(&tmp);
        let first = build_tar_gz(&collect_entries(&src, &deps).unwrap()).unwrap();
        // Touching mtimes changes nothing.
        let file = fs::File::options().write(true).open(src.join("train.py")).unwrap();
        file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(3600)).unwrap();
        drop(file);
        let second = build_tar_gz(&collect_entries(&src, &deps).unwrap()).unwrap();
        assert_eq!(first, second);
        // gzip header: no FNAME flag, zero mtime.
        assert_eq!(&first[..4], &[0x1f, 0x8b, 8, 0]);
        assert_eq!(&first[4..8], &[0, 0, 0, 0]);
        // A content change does change the bytes.
        fs::write(src.join("train.py"), "print('changed')\n").unwrap();
        let third = build_tar_gz(&collect_entries(&src, &deps).unwrap()).unwrap();
        assert_ne!(first, third);
    }

    #[test]
    fn members_are_sorted_relative_with_their_folders() {
        let tmp = TempDir::new();
        let (src, deps) = sample(&tmp);
        let entries = collect_entries(&src, &deps).unwrap();
        assert_eq!(
            paths(&entries),
            ["b-a.py", "lib/pkg/__init__.py", "lib/pkg/mod.py", "one.py", "requirements.txt", "sub/deeper/y.py", "sub/x.py", "train.py",]
        );
        let expected = [
            "b-a.py",
            "lib",
            "lib/pkg",
            "lib/pkg/__init__.py",
            "lib/pkg/mod.py",
            "one.py",
            "requirements.txt",
            "sub",
            "sub/deeper",
            "sub/deeper/y.py",
            "sub/x.py",
            "train.py",
        ];
        assert_eq!(member_names(&entries).unwrap(), expected);
        let members = read_back(&build_tar_gz(&entries).unwrap());
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, expected);
        for m in &members {
            assert!(!m.name.starts_with('/') && !m.name.split('/').any(|c| c == ".."), "{}", m.name);
            assert_eq!(m.mode, if m.dir { 0o755 } else { 0o644 }, "{}", m.name);
        }
        let one = members.iter().find(|m| m.name == "one.py").unwrap();
        assert_eq!(one.content, "one = 1\n");
    }

    #[test]
    fn dependency_file_and_folder_naming() {
        let tmp = TempDir::new();
        tmp.file("proj/src/main.py", "main\n");
        tmp.file("proj/src/util.py", "from source_dir\n");
        tmp.file("shared/common/helpers/h.py", "h\n");
        let dep_file = tmp.file("shared/extra/util.py", "from dependency\n");
        // A trailing slash names the same folder.
        let deps = vec![PathBuf::from(format!("{}/", tmp.0.join("shared/common/helpers").display())), dep_file];
        let entries = collect_entries(&tmp.0.join("proj/src"), &deps).unwrap();
        assert_eq!(paths(&entries), ["helpers/h.py", "main.py", "util.py"]);
        // The dependency replaces the source_dir file of the same name, as extraction would.
        let util = entries.iter().find(|e| e.path == "util.py").unwrap();
        assert_eq!(fs::read_to_string(&util.source).unwrap(), "from dependency\n");

        let err = collect_entries(&tmp.0.join("proj/src"), &[PathBuf::from("..")]).unwrap_err();
        assert!(matches!(err, ArchiveError::InvalidDependency { .. }), "{err:?}");
        let err = collect_entries(&tmp.0.join("proj/src"), &[tmp.0.join("missing")]).unwrap_err();
        assert!(err.to_string().contains("missing"), "{err}");
    }

    /// The entry the walk refused, when `err` is such an error.
    fn refused(err: &ArchiveError) -> Option<&pjob_walk::Skipped> {
        match err {
            ArchiveError::Walk(pjob_walk::WalkError::NotFollowed(skipped)) => Some(skipped),
            _ => None,
        }
    }

    #[cfg(unix)]
    #[test]
    fn escaping_symlink_is_refused() {
        let tmp = TempDir::new();
        tmp.file("src/main.py", "main\n");
        tmp.file("secret.txt", "secret\n");
        std::os::unix::fs::symlink("../secret.txt", tmp.0.join("src/leak.txt")).unwrap();
        let err = collect_entries(&tmp.0.join("src"), &[]).unwrap_err();
        assert!(matches!(refused(&err).map(|s| &s.reason), Some(pjob_walk::SkipReason::LeavesRoot { .. })), "{err:?}");
        assert!(err.to_string().contains("leak.txt"), "{err}");

        fs::remove_file(tmp.0.join("src/leak.txt")).unwrap();
        std::os::unix::fs::symlink(&tmp.0, tmp.0.join("src/up")).unwrap();
        let err = collect_entries(&tmp.0.join("src"), &[]).unwrap_err();
        assert!(refused(&err).is_some() && err.to_string().contains("up"), "{err}");

        fs::remove_file(tmp.0.join("src/up")).unwrap();
        std::os::unix::fs::symlink("nowhere.py", tmp.0.join("src/broken.py")).unwrap();
        let err = collect_entries(&tmp.0.join("src"), &[]).unwrap_err();
        assert!(matches!(refused(&err).map(|s| &s.reason), Some(pjob_walk::SkipReason::Broken { .. })), "{err:?}");
        assert!(err.to_string().contains("broken.py"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn inside_file_links_are_archived_and_folder_links_refused() {
        let tmp = TempDir::new();
        tmp.file("src/main.py", "main\n");
        tmp.file("src/pkg/a.py", "a\n");
        std::os::unix::fs::symlink("main.py", tmp.0.join("src/alias.py")).unwrap();
        let entries = collect_entries(&tmp.0.join("src"), &[]).unwrap();
        assert_eq!(paths(&entries), ["alias.py", "main.py", "pkg/a.py"]);
        let members = read_back(&build_tar_gz(&entries).unwrap());
        let alias = members.iter().find(|m| m.name == "alias.py").unwrap();
        assert!(!alias.dir);
        assert_eq!(alias.content, "main\n");

        // A folder link would archive its files twice, or loop when it points up.
        for (target, link) in [("pkg", "src/pkg2"), ("..", "src/pkg/loop")] {
            std::os::unix::fs::symlink(target, tmp.0.join(link)).unwrap();
            let err = collect_entries(&tmp.0.join("src"), &[]).unwrap_err();
            assert!(matches!(refused(&err).map(|s| &s.reason), Some(pjob_walk::SkipReason::FolderLink { .. })), "{err:?}");
            assert!(err.to_string().contains(link), "{err}");
            fs::remove_file(tmp.0.join(link)).unwrap();
        }
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_are_refused() {
        use std::os::unix::ffi::OsStrExt;
        let tmp = TempDir::new();
        tmp.file("src/main.py", "main\n");
        fs::write(tmp.0.join("src").join(std::ffi::OsStr::from_bytes(b"caf\xe9.py")), "x\n").unwrap();
        let err = collect_entries(&tmp.0.join("src"), &[]).unwrap_err();
        assert!(matches!(err, ArchiveError::Walk(pjob_walk::WalkError::NonUtf8Name { .. })), "{err:?}");
    }

    #[cfg(unix)]
    #[test]
    fn executable_files_keep_0755() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = TempDir::new();
        let script = tmp.file("src/run.sh", "#!/bin/sh\n");
        fs::set_permissions(&script, fs::Permissions::from_mode(0o700)).unwrap();
        tmp.file("src/data.txt", "d\n");
        let members = read_back(&build_tar_gz(&collect_entries(&tmp.0.join("src"), &[]).unwrap()).unwrap());
        let modes: Vec<(&str, u32)> = members.iter().map(|m| (m.name.as_str(), m.mode)).collect();
        assert_eq!(modes, [("data.txt", 0o644), ("run.sh", 0o755)]);
    }

    #[test]
    fn long_paths_round_trip() {
        let tmp = TempDir::new();
        let long = format!("{}/{}.py", "d".repeat(80), "f".repeat(60));
        tmp.file(&format!("src/{long}"), "long\n");
        let entries = collect_entries(&tmp.0.join("src"), &[]).unwrap();
        let bytes = build_tar_gz(&entries).unwrap();
        assert_eq!(bytes, build_tar_gz(&entries).unwrap());
        let names: Vec<String> = read_back(&bytes).into_iter().map(|m| m.name).collect();
        assert_eq!(names, ["d".repeat(80), long]);
    }

    #[test]
    fn bad_entries_are_refused() {
        let tmp = TempDir::new();
        let f = tmp.file("a.py", "a\n");
        let entry = |p: &str| ArchiveEntry { path: p.to_string(), source: f.clone() };
        for bad in ["", "/abs.py", "../up.py", "a/../b.py", "a//b.py", "./a.py"] {
            let err = build_tar_gz(&[entry(bad)]).unwrap_err();
            assert!(matches!(err, ArchiveError::InvalidEntryPath { .. }), "{bad}: {err:?}");
        }
        let err = build_tar_gz(&[entry("a.py"), entry("a.py")]).unwrap_err();
        assert!(matches!(err, ArchiveError::DuplicateEntry { .. }), "{err:?}");
        let err = build_tar_gz(&[entry("lib"), entry("lib/x.py")]).unwrap_err();
        assert!(matches!(err, ArchiveError::PathConflict { .. }), "{err:?}");
        // Unsorted input comes out sorted.
        let names = member_names(&[entry("z.py"), entry("a/b.py")]).unwrap();
        assert_eq!(names, ["a", "a/b.py", "z.py"]);
    }

    #[test]
    fn source_dir_must_be_a_folder() {
        let tmp = TempDir::new();
        let f = tmp.file("a.py", "a\n");
        assert!(matches!(collect_entries(&f, &[]), Err(ArchiveError::NotADirectory { .. })));
        let err = collect_entries(&tmp.0.join("nope"), &[]).unwrap_err();
        assert!(matches!(err, ArchiveError::Io { .. }) && err.to_string().contains("nope"), "{err:?}");
    }
}
