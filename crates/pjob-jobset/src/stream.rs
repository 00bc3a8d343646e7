//! Loading that streams: files are read, parsed, rendered and validated on
//! every core, a bounded batch at a time, and each file's result is handed
//! on in file order and then dropped, so memory does not grow with the
//! number of manifests.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::check::Loader;
use crate::discover::{Discovered, discover};
use crate::{LoadError, Loaded};

/// Files loaded at once: enough to keep every core busy, few enough that a
/// batch's results stay small.
const BATCH: usize = 512;

/// One unit of work: a file, and whether it was named on its own.
struct Work {
    path: PathBuf,
    explicit: bool,
}

impl Loader<'_> {
    /// Loads every manifest the paths name, as [`Loader::load`] does, but
    /// hands each file's share of the result (its jobs and problems, as a
    /// [`Loaded`]) to `per_file` on a worker thread, and what that returns
    /// to `sink` on this thread, in file order. Problems that belong to no
    /// one file (a folder that could not be walked, or holds no manifest)
    /// reach `per_file` as a `Loaded` of their own, in order too.
    pub fn stream<T: Send>(&self, paths: &[PathBuf], per_file: impl Fn(Loaded) -> T + Sync, mut sink: impl FnMut(T)) {
        // The validator compiles on a worker while this thread walks the folders.
        rayon::spawn(pjob_manifest::prepare_validator);
        for found in discover(paths) {
            match found {
                Discovered::File(path) => {
                    self.run_batch(vec![Work { path, explicit: true }], &per_file, &mut sink);
                }
                Discovered::Folder { path, files, errors } => {
                    if !errors.is_empty() {
                        let walk = Loaded { errors: errors.into_iter().map(LoadError::Walk).collect(), ..Loaded::default() };
                        sink(per_file(walk));
                    }
                    let mut manifests = 0;
                    for batch in files.chunks(BATCH) {
                        let work = batch.iter().map(|p| Work { path: p.clone(), explicit: false }).collect();
                        manifests += self.run_batch(work, &per_file, &mut sink);
                    }
                    if manifests == 0 {
                        sink(per_file(no_manifest_in(&path)));
                    }
                }
            }
        }
    }

    /// Loads a batch on every core; returns how many of its files were manifests.
    fn run_batch<T: Send>(&self, work: Vec<Work>, per_file: &(impl Fn(Loaded) -> T + Sync), sink: &mut impl FnMut(T)) -> usize {
        let results: Vec<(usize, T)> = work
            .into_par_iter()
            .map(|w| {
                let loaded = self.load_one(&w.path, w.explicit);
                (loaded.files, per_file(loaded))
            })
            .collect();
        let mut manifests = 0;
        for (files, result) in results {
            manifests += files;
            sink(result);
        }
        manifests
    }

    /// Loads one file on its own.
    fn load_one(&self, path: &Path, explicit: bool) -> Loaded {
        let mut loaded = Loaded::default();
        self.load_path(path, explicit, &mut loaded);
        loaded
    }
}

fn no_manifest_in(folder: &Path) -> Loaded {
    Loaded { errors: vec![LoadError::NoManifestInFolder(folder.to_path_buf())], ..Loaded::default() }
}
