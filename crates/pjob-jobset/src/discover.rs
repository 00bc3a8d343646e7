//! Which files a command line names: files as given, folders searched for
//! manifest files.

use std::path::{Path, PathBuf};

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
    },
}

/// Resolves command-line paths. Folders are searched recursively for
/// `*.yaml`, `*.yml` and `*.toml` files; hidden folders, `target` and
/// `node_modules` are skipped.
pub fn discover(paths: &[PathBuf]) -> Vec<Discovered> {
    paths
        .iter()
        .map(|path| {
            if path.is_dir() {
                let mut files = Vec::new();
                walk(path, &mut files);
                files.sort();
                Discovered::Folder { path: path.clone(), files }
            } else {
                Discovered::File(path.clone())
            }
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&path, out);
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".toml") {
            out.push(path);
        }
    }
}
