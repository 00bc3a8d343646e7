//! Which files a command line names: files as given, folders searched for
//! manifest files with the one folder walk ([`pjob_walk`]).

use std::path::{Path, PathBuf};

use pjob_walk::{Found, Walk, WalkError, Walker};

/// A path from the command line, resolved to the files to read.
#[derive(Debug)]
pub enum Discovered {
    /// A file named on the command line: it is meant to be a manifest.
    File(PathBuf),
    /// A folder and the candidate files below it; those that turn out not
    /// to be pjob manifests are ignored.
    Folder {
        /// The folder as given.
        path: PathBuf,
        /// `*.yaml`, `*.yml` and `*.toml` files below it, found as the walk goes.
        candidates: Candidates,
    },
}

/// The candidate manifest files below a folder, in a stable order, each
/// found as the walk reaches it, and in its place what could not be walked
/// (an unreadable folder, a manifest file whose name is not UTF-8).
pub struct Candidates {
    /// The folder as the user named it: the files are named under it.
    dir: PathBuf,
    /// The walk (boxed: it is large), or why it could not start (yielded once).
    walk: Option<Result<Box<Walk>, WalkError>>,
}

impl std::fmt::Debug for Candidates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Candidates").field("dir", &self.dir).finish_non_exhaustive()
    }
}

impl Iterator for Candidates {
    type Item = Result<PathBuf, WalkError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let found = match self.walk.as_mut()? {
                Ok(walk) => walk.next()?,
                Err(_) => return self.walk.take().and_then(Result::err).map(Err),
            };
            match found {
                // A link to a file inside the folder lists that file a second time.
                // Named as the user named the folder, for messages and `-o json`.
                Ok(Found::File(file)) if file.link.is_none() && is_manifest_name(&file.path) => {
                    return Some(Ok(self.dir.join(&file.relative)));
                }
                Ok(_) => {}
                Err(WalkError::NonUtf8Name { path }) if !is_manifest_name(&path) => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Resolves command-line paths. Folders are searched recursively for
/// `*.yaml`, `*.yml` and `*.toml` files, by `pjob_walk`'s rules: each real
/// file once, symlinks to folders and out of the folder not followed (so
/// links can neither loop nor reach outside), and hidden folders, `target`
/// and `node_modules` skipped. A folder is walked only as its
/// [`Candidates`] are taken, so the first files can be read while the walk
/// goes on.
pub fn discover(paths: &[PathBuf]) -> impl Iterator<Item = Discovered> + '_ {
    paths.iter().map(|path| if path.is_dir() { search(path) } else { Discovered::File(path.clone()) })
}

fn search(dir: &Path) -> Discovered {
    let walk =
        Walker::new(dir).skip_folders(|name| name.starts_with('.') || name == "target" || name == "node_modules").walk().map(Box::new);
    Discovered::Folder { path: dir.to_path_buf(), candidates: Candidates { dir: dir.to_path_buf(), walk: Some(walk) } }
}

/// Whether a file name ends in `.yaml`, `.yml` or `.toml`.
fn is_manifest_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "toml")
}
