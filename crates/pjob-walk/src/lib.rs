//! The one folder walk of pjob: every folder pjob reads file by file (a job's `source_dir` and
//! `dependencies`, local input folders, a local bucket folder, a local run's output folders,
//! and the folders manifest discovery searches) is listed by [`Walker`], with one policy.
//!
//! # The policy
//!
//! - **Order.** Depth first, the entries of each folder sorted by name (byte order): the files
//!   come in the order of their relative paths compared component by component (as
//!   [`Path`]'s `Ord` compares them). The same tree always gives the same sequence.
//! - **Names.** Each file's path relative to the root is a UTF-8 `String` with `/` separators.
//!   A name that is not valid UTF-8 is an error naming the path ([`WalkError::NonUtf8Name`]),
//!   never renamed lossily: S3 keys and archive members are UTF-8, and a renamed file would
//!   be another file.
//! - **Folders are entered once, under their real path.** A symlink to a folder is never
//!   followed ([`SkipReason::FolderLink`]). Inside the root, the folder it names is walked
//!   under its own path anyway; following the link would list those files again, and two
//!   self-links (`ln -s . a; ln -s . b`) would multiply them without end. So no loop is
//!   possible and the walk lists at most one entry per entry of the real tree.
//! - **Symlinks to files inside the root are followed.** A link whose target, once every link
//!   on the way is resolved ([`std::fs::canonicalize`]), is a regular file inside the
//!   (resolved) root is listed under the link's own name, with the target's contents, as
//!   `tar --dereference` and the SageMaker SDK's archive list it. [`FileEntry::link`] says
//!   so: a caller counting real files once (discovery) leaves such entries out.
//! - **Nothing outside the root is read.** A symlink that leads outside the root
//!   ([`SkipReason::LeavesRoot`]) or cannot be resolved (dangling, a link loop such as
//!   `a -> b -> a`, no permission: [`SkipReason::Broken`]) is not followed.
//! - Sockets, FIFOs and devices are not files to read ([`SkipReason::NotAFile`]).
//! - The root itself may be a symlink: it is the folder the caller named, and is resolved.
//!   Folders may be skipped by name ([`Walker::skip_folders`]), e.g. hidden folders,
//!   `target` and `node_modules` for discovery.
//!
//! Entries not followed are reported as [`Skipped`] (never silently dropped), and each
//! caller decides: folders packed or uploaded when a job is compiled (`source_dir`,
//! `dependencies`, local input folders) and a local bucket folder refuse them with an error
//! naming the link ([`Listing::refuse_skipped`]), since what is sent must be exactly what
//! the folder holds; a local run's output delivery leaves them out with a notice, so a job
//! cannot make pjob copy anything from outside its output folder.

use std::fmt;
use std::fs::Metadata;
use std::io;
use std::path::{Path, PathBuf};

use walkdir::{DirEntry, FilterEntry, IntoIter, WalkDir};

/// Lists the files below a root folder, by the policy of the [crate docs](crate).
pub struct Walker {
    root: PathBuf,
    skip_folder: Box<dyn Fn(&str) -> bool>,
}

impl Walker {
    /// A walk of everything below `root`.
    pub fn new(root: impl Into<PathBuf>) -> Walker {
        Walker { root: root.into(), skip_folder: Box::new(|_| false) }
    }

    /// Leaves out every folder (below the root) whose name `skip` accepts, with all it holds.
    pub fn skip_folders(mut self, skip: impl Fn(&str) -> bool + 'static) -> Walker {
        self.skip_folder = Box::new(skip);
        self
    }

    /// Starts the walk; fails when the root is not a folder or cannot be resolved.
    pub fn walk(self) -> Result<Walk, WalkError> {
        let io_error = |source| WalkError::Io { path: self.root.clone(), source };
        if !std::fs::metadata(&self.root).map_err(io_error)?.is_dir() {
            return Err(WalkError::NotAFolder { path: self.root });
        }
        let resolved_root = std::fs::canonicalize(&self.root).map_err(io_error)?;
        let root = std::path::absolute(&self.root).map_err(io_error)?;
        let skip_folder = self.skip_folder;
        let keep: KeepEntry = Box::new(move |entry| !(entry.file_type().is_dir() && entry.file_name().to_str().is_some_and(&skip_folder)));
        let entries = WalkDir::new(&root).min_depth(1).follow_links(false).sort_by(by_name).into_iter().filter_entry(keep);
        Ok(Walk { root, resolved_root, entries })
    }

    /// Walks to the end: the files and the entries not followed, in walk order.
    pub fn list(self) -> Result<Listing, WalkError> {
        let mut listing = Listing::default();
        for found in self.walk()? {
            match found? {
                Found::File(file) => listing.files.push(file),
                Found::Skipped(skipped) => listing.skipped.push(skipped),
            }
        }
        Ok(listing)
    }
}

/// A walk under way: yields each file, and each entry not followed, in order.
pub struct Walk {
    /// The root as given, made absolute (symlinks in it kept).
    root: PathBuf,
    /// The root with every symlink resolved: the boundary for links.
    resolved_root: PathBuf,
    entries: FilterEntry<IntoIter, KeepEntry>,
}

/// Whether walkdir goes into (or yields) an entry: false for the folders skipped by name.
type KeepEntry = Box<dyn FnMut(&DirEntry) -> bool>;

/// One thing a walk found.
#[derive(Debug)]
pub enum Found {
    /// A file to read.
    File(FileEntry),
    /// An entry the policy does not follow.
    Skipped(Skipped),
}

/// A file below the root.
#[derive(Debug)]
pub struct FileEntry {
    /// Its path relative to the root, `/`-separated (`sub/data.csv`).
    pub relative: String,
    /// The file to read: the root (made absolute) joined with `relative`, or for a symlink the
    /// resolved target (inside the root).
    pub path: PathBuf,
    /// For a symlink, the resolved target it was listed for; `None` for a regular file.
    pub link: Option<PathBuf>,
}

impl FileEntry {
    /// The file's metadata (the target's, for a symlink), read when asked
    /// for: the walk itself stats only symlinks.
    pub fn metadata(&self) -> io::Result<Metadata> {
        std::fs::metadata(&self.path)
    }
}

/// An entry the walk did not follow, for the caller to refuse or report.
#[derive(Debug)]
pub struct Skipped {
    /// Its path relative to the root, `/`-separated.
    pub relative: String,
    /// The entry itself (the root, made absolute, joined with `relative`).
    pub path: PathBuf,
    /// Why it was not followed.
    pub reason: SkipReason,
}

/// Why an entry was not followed.
#[derive(Debug)]
pub enum SkipReason {
    /// A symlink to a folder (inside the root, that folder is walked under its own path).
    FolderLink {
        /// Where it resolves to.
        target: PathBuf,
    },
    /// A symlink that leads outside the root.
    LeavesRoot {
        /// Where it resolves to.
        target: PathBuf,
        /// The root, resolved.
        root: PathBuf,
    },
    /// A symlink that cannot be resolved: dangling, a loop of links, or unreadable.
    Broken {
        /// Why it cannot be resolved.
        error: io::Error,
    },
    /// A socket, FIFO or device (or a symlink to one).
    NotAFile,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.path.display(), self.reason)
    }
}

/// Says what the entry is and why it is not followed, after its path
/// ("is a symlink to a folder (...), and links to folders are not followed").
impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::FolderLink { target } => {
                write!(f, "is a symlink to a folder ({}), and links to folders are not followed", target.display())
            }
            SkipReason::LeavesRoot { target, .. } => {
                write!(f, "is a symlink out of the folder (to {}), and links are followed only within it", target.display())
            }
            SkipReason::Broken { error } => write!(f, "is a symlink that cannot be resolved ({error})"),
            SkipReason::NotAFile => write!(f, "is neither a regular file nor a folder"),
        }
    }
}

/// What a finished walk found.
#[derive(Debug, Default)]
pub struct Listing {
    /// The files, in walk order.
    pub files: Vec<FileEntry>,
    /// The entries not followed, in walk order.
    pub skipped: Vec<Skipped>,
}

impl Listing {
    /// The files, or an error naming the first entry not followed.
    pub fn refuse_skipped(mut self) -> Result<Vec<FileEntry>, WalkError> {
        if self.skipped.is_empty() { Ok(self.files) } else { Err(WalkError::NotFollowed(Box::new(self.skipped.swap_remove(0)))) }
    }
}

/// Why a walk failed.
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// The root is not a folder.
    #[error("{} is not a folder", .path.display())]
    NotAFolder {
        /// The root as given.
        path: PathBuf,
    },
    /// A file or folder could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        /// The path being read.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A name below the root is not valid UTF-8.
    #[error("the name of {} is not valid UTF-8; rename it", .path.display())]
    NonUtf8Name {
        /// The path with that name.
        path: PathBuf,
    },
    /// An entry was not followed and the caller refuses such entries
    /// ([`Listing::refuse_skipped`]).
    #[error("{0}")]
    NotFollowed(Box<Skipped>),
}

impl Iterator for Walk {
    type Item = Result<Found, WalkError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let entry = match self.entries.next()? {
                Ok(entry) => entry,
                Err(error) => return Some(Err(walkdir_error(error, &self.root))),
            };
            let Some(relative) = relative_name(&self.root, entry.path()) else {
                if entry.file_type().is_dir() {
                    self.entries.skip_current_dir();
                }
                return Some(Err(WalkError::NonUtf8Name { path: entry.into_path() }));
            };
            let file_type = entry.file_type();
            if file_type.is_dir() {
                continue;
            }
            return Some(if file_type.is_file() {
                Ok(Found::File(FileEntry { relative, path: entry.into_path(), link: None }))
            } else if file_type.is_symlink() {
                self.resolve_link(relative, entry.into_path())
            } else {
                Ok(Found::Skipped(Skipped { relative, path: entry.into_path(), reason: SkipReason::NotAFile }))
            });
        }
    }
}

impl Walk {
    /// A symlink: its target's file if that is a regular file inside the root, else why not.
    fn resolve_link(&self, relative: String, path: PathBuf) -> Result<Found, WalkError> {
        let skipped = |relative, path, reason| Ok(Found::Skipped(Skipped { relative, path, reason }));
        let target = match std::fs::canonicalize(&path) {
            Ok(target) => target,
            Err(error) => return skipped(relative, path, SkipReason::Broken { error }),
        };
        if !target.starts_with(&self.resolved_root) {
            return skipped(relative, path, SkipReason::LeavesRoot { target, root: self.resolved_root.clone() });
        }
        let metadata = std::fs::metadata(&target).map_err(|source| WalkError::Io { path: target.clone(), source })?;
        if metadata.is_dir() {
            skipped(relative, path, SkipReason::FolderLink { target })
        } else if metadata.is_file() {
            Ok(Found::File(FileEntry { relative, path: target.clone(), link: Some(target) }))
        } else {
            skipped(relative, path, SkipReason::NotAFile)
        }
    }
}

/// The order of the entries of one folder: by name, byte by byte. Siblings' paths
/// differ only in their names, so the paths are compared as they are, without
/// taking each name out of its path again for every comparison.
fn by_name(a: &DirEntry, b: &DirEntry) -> std::cmp::Ordering {
    a.path().as_os_str().cmp(b.path().as_os_str())
}

/// `path` relative to `root`, `/`-separated; `None` if a name is not UTF-8.
/// walkdir makes each path by joining names onto the root, so the names are
/// the bytes after the root's (asked of every file: no component parsing).
fn relative_name(root: &Path, path: &Path) -> Option<String> {
    let rest = path.as_os_str().as_encoded_bytes().strip_prefix(root.as_os_str().as_encoded_bytes())?;
    let rest = std::str::from_utf8(rest).ok()?.trim_start_matches(std::path::is_separator);
    Some(if std::path::MAIN_SEPARATOR == '/' { rest.to_owned() } else { rest.replace(std::path::MAIN_SEPARATOR, "/") })
}

fn walkdir_error(error: walkdir::Error, root: &Path) -> WalkError {
    let path = error.path().unwrap_or(root).to_path_buf();
    let source = error.into_io_error().unwrap_or_else(|| io::Error::other("walk failed"));
    WalkError::Io { path, source }
}

#[cfg(test)]
mod tests;
