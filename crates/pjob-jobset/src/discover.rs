//! Which files a command line names: files as given, folders searched for
//! manifest files with the one folder walk ([`pjob_walk`]).

use std::path::{Path, PathBuf};

use pjob_walk::{Found, WalkError, Walker};

/// A path from the command line, resolved to the files to read.
#[derive(Debug)]
pub enum Discovered {
    /// A file named on the command line: it is meant to be a manifest.
    File(PathBuf),
    /// A folder and the candidate files below it, in a stable order; those
    /// that turn out not to be pjob manifests are ignored.
    Folder {
        /// The folder as given.
        path: PathBuf,
        /// `*.yaml`, `*.yml` and `*.toml` files below it.
        files: Vec<PathBuf>,
        /// What could not be walked: an unreadable folder, a manifest file
        /// whose name is not UTF-8.
        errors: Vec<WalkError>,
    },
}

/// Resolves command-line paths. Folders are searched recursively for
/// `*.yaml`, `*.yml` and `*.toml` files, by `pjob_walk`'s rules: each real
/// file once, symlinks to folders and out of the folder not followed (so
/// links can neither loop nor reach outside), and hidden folders, `target`
/// and `node_modules` skipped.
pub fn discover(paths: &[PathBuf]) -> Vec<Discovered> {
    paths.iter().map(|path| if path.is_dir() { search(path) } else { Discovered::File(path.clone()) }).collect()
}

fn search(dir: &Path) -> Discovered {
    let (mut files, mut errors) = (Vec::new(), Vec::new());
    let walk = Walker::new(dir).skip_folders(|name| name.starts_with('.') || name == "target" || name == "node_modules").walk();
    match walk {
        Err(e) => errors.push(e),
        Ok(walk) => {
            for found in walk {
                match found {
                    // A link to a file inside the folder lists that file a second time.
                    // Named as the user named the folder, for messages and `-o json`.
                    Ok(Found::File(file)) if file.link.is_none() && is_manifest_name(&file.path) => files.push(dir.join(&file.relative)),
                    Ok(_) => {}
                    Err(WalkError::NonUtf8Name { path }) if !is_manifest_name(&path) => {}
                    Err(e) => errors.push(e),
                }
            }
        }
    }
    Discovered::Folder { path: dir.to_path_buf(), files, errors }
}

/// Whether a file name ends in `.yaml`, `.yml` or `.toml`.
fn is_manifest_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "toml")
}
