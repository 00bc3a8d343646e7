//! Opening the files of a folder relative to the folder, held open.
//!
//! The kernel resolves a path one component at a time on every open: a
//! file named relative to its folder's open descriptor costs one lookup
//! where `manifests/team/job.yaml` costs three. Files are loaded a folder
//! at a time, so each worker thread keeps the folder it opened last, for
//! one load: a folder renamed and made again between two loads of a
//! long-lived process is opened again by its path.

use std::cell::RefCell;
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use pjob_source::FileEnd;
use rustix::fs::{Mode, OFlags};

/// Which load this is: a folder held from an earlier one is not used.
static LOAD: AtomicU64 = AtomicU64::new(0);

/// A folder a thread holds open: the load it was opened for, its path, its
/// descriptor, and how the end of its files shows.
type Held = (u64, PathBuf, OwnedFd, FileEnd);

/// File systems (`statfs`'s `f_type`) that keep data on a local disk or in
/// memory, where a read of a file stops short only at its end or before a
/// page it could not read: ext2/3/4, XFS, Btrfs, F2FS, tmpfs, ramfs and
/// overlayfs (whose reads are those of the file system below).
const LOCAL_FILE_SYSTEMS: [u32; 7] = [0xEF53, 0x5846_5342, 0x9123_683E, 0xF2F5_2010, 0x0102_1994, 0x8584_58F6, 0x794C_7630];

/// How the end of the files in the folder `dir` holds shows.
fn file_end_in(dir: &OwnedFd) -> FileEnd {
    match rustix::fs::fstatfs(dir) {
        // `f_type` is a C long: the magic numbers are its low 32 bits.
        Ok(fs) if LOCAL_FILE_SYSTEMS.contains(&(fs.f_type as u32)) => FileEnd::ShortRead,
        _ => FileEnd::EmptyRead,
    }
}

thread_local! {
    /// The folder this thread opened a file in last.
    static FOLDER: RefCell<Option<Held>> = const { RefCell::new(None) };
}

/// Starts a new load: folders held open from earlier ones are opened again.
pub(crate) fn new_load() {
    LOAD.fetch_add(1, Ordering::Relaxed);
}

/// Opens `path` for reading, relative to its folder's descriptor when this
/// thread holds it (or can open it), else by its whole path; with how the
/// file's end will show (found once per folder). Errors are those of
/// opening the whole path, so messages do not depend on the route.
pub(crate) fn open(path: &Path) -> io::Result<(File, FileEnd)> {
    let by_path = || File::open(path).map(|file| (file, FileEnd::EmptyRead));
    let (Some(folder), Some(name)) = (path.parent(), path.file_name()) else { return by_path() };
    let load = LOAD.load(Ordering::Relaxed);
    let opened = FOLDER.with_borrow_mut(|held| {
        if held.as_ref().is_none_or(|(when, at, _, _)| *when != load || at != folder) {
            *held = None;
            // `O_PATH`: a handle to look names up in, which needs no permission to
            // list the folder (opening its files by path needs none either).
            let dir = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
            let fd = rustix::fs::open(dir, OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty()).ok()?;
            let end = file_end_in(&fd);
            *held = Some((load, folder.to_path_buf(), fd, end));
        }
        let (_, _, fd, end) = held.as_ref()?;
        let file = rustix::fs::openat(fd, name, OFlags::RDONLY | OFlags::CLOEXEC, Mode::empty()).ok()?;
        Some((File::from(file), *end))
    });
    match opened {
        Some(opened) => Ok(opened),
        None => by_path(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use pjob_source::FileEnd;

    use super::{new_load, open};

    fn read(path: &std::path::Path) -> std::io::Result<String> {
        let mut text = String::new();
        open(path)?.0.read_to_string(&mut text)?;
        Ok(text)
    }

    #[test]
    fn files_of_one_folder_and_then_another_are_each_read() {
        let dir = tempfile::tempdir().unwrap();
        for folder in ["a", "b"] {
            std::fs::create_dir(dir.path().join(folder)).unwrap();
            for file in ["x.yaml", "y.yaml"] {
                std::fs::write(dir.path().join(folder).join(file), format!("{folder}/{file}")).unwrap();
            }
        }
        for (folder, file) in [("a", "x.yaml"), ("a", "y.yaml"), ("b", "x.yaml"), ("a", "y.yaml")] {
            assert_eq!(read(&dir.path().join(folder).join(file)).unwrap(), format!("{folder}/{file}"));
        }
    }

    #[test]
    fn a_folder_replaced_by_another_of_the_same_name_is_read_by_name_after_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("f");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("old.yaml"), "old").unwrap();
        assert_eq!(read(&folder.join("old.yaml")).unwrap(), "old");
        std::fs::remove_dir_all(&folder).unwrap();
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("new.yaml"), "new").unwrap();
        assert_eq!(read(&folder.join("new.yaml")).unwrap(), "new");
    }

    #[test]
    fn a_folder_renamed_and_made_again_is_read_anew_in_the_next_load() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("f");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("job.yaml"), "before").unwrap();
        assert_eq!(read(&folder.join("job.yaml")).unwrap(), "before");
        std::fs::rename(&folder, dir.path().join("f-old")).unwrap();
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("job.yaml"), "after").unwrap();
        new_load();
        assert_eq!(read(&folder.join("job.yaml")).unwrap(), "after");
    }

    #[test]
    fn a_missing_file_fails_as_opening_its_path_does() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.yaml");
        let error = open(&missing).unwrap_err();
        assert_eq!(error.kind(), std::fs::File::open(&missing).unwrap_err().kind());
        let in_missing_folder = dir.path().join("none").join("x.yaml");
        assert_eq!(open(&in_missing_folder).unwrap_err().kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn only_a_local_file_system_is_trusted_to_end_a_file_at_a_short_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("job.yaml"), "x").unwrap();
        // This machine's temporary folder is on ext4, tmpfs or overlayfs.
        assert_eq!(open(&dir.path().join("job.yaml")).unwrap().1, FileEnd::ShortRead);
        // procfs answers a read with a part of the file (a page, or a line) at a time.
        let (file, end) = open(std::path::Path::new("/proc/self/maps")).unwrap();
        assert_eq!(end, FileEnd::EmptyRead);
        let text = pjob_source::SourceFile::read_opened(std::path::Path::new("/proc/self/maps"), file, end).unwrap();
        assert!(text.text().ends_with('\n') && text.text().lines().count() > 5, "{}", text.text());
    }

    #[test]
    fn a_file_named_without_a_folder_is_found_in_the_working_directory() {
        // `Cargo.toml` of this crate: tests run in the crate's folder.
        assert!(read(std::path::Path::new("Cargo.toml")).unwrap().contains("pjob-jobset"));
    }
}
