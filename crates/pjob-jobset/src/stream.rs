//! Loading that streams: files are read, parsed, rendered and validated on
//! every core, a bounded batch at a time, and each file's result is handed
//! on in file order and then dropped, so memory does not grow with the
//! number of manifests.
//!
//! The calling thread walks the folders and hands the results on while the
//! pool loads: a batch is loaded while the one before it is handed on and
//! the one after it is found, so neither the walk nor the caller's work on
//! the results keeps the cores waiting.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rayon::prelude::*;

use crate::check::Loader;
use crate::discover::{Discovered, discover};
use crate::{LoadError, Loaded};

/// Files loaded at once: a batch is split between the cores, and its
/// results are handed on together.
const BATCH: usize = 128;

/// Batches started and not yet handed on, at most, once this thread has
/// found the next: it then hands on the oldest (waiting for it if need be)
/// before it finds another. Results are handed on in order, so a core that
/// has finished its batches waits for the oldest one unless later ones are
/// queued: with many small batches queued it always has one to take.
/// Validating 20,000 manifests on two cores (medians of interleaved runs),
/// 16 batches of 128 took 0.29 s where 2 of 512 took 0.36 s (a core was
/// idle at the end of most batches); more or larger batches were no faster
/// and hold more results (2,176 files at most, 1,536 before).
const IN_FLIGHT: usize = 16;

/// One step of the stream, in the order the results are handed on.
enum Step {
    /// A file to load, and whether it was named on its own.
    Load { path: PathBuf, explicit: bool },
    /// Problems that belong to no one file (what could not be walked).
    Report(Loaded),
    /// The end of a folder's files: a folder that held no manifest is a problem.
    FolderEnd(PathBuf),
}

/// A step done.
enum Done<T> {
    /// A file's (or a report's) result, and how many manifest files it counted
    /// in a folder (0 for a file named on its own).
    Result { in_folder: usize, value: T },
    /// A folder's files all loaded.
    FolderEnd(PathBuf),
}

/// A batch's results, or the panic that stopped it.
type BatchOutcome<T> = std::thread::Result<Vec<Done<T>>>;

impl Loader<'_> {
    /// Loads every manifest the paths name, as [`Loader::load`] does, but
    /// hands each file's share of the result (its jobs and problems, as a
    /// [`Loaded`]) to `per_file` on a worker thread, and what that returns
    /// to `sink` on this thread, in file order. Problems that belong to no
    /// one file (a folder that could not be walked, or holds no manifest)
    /// reach `per_file` as a `Loaded` of their own, in order too.
    pub fn stream<T: Send>(&self, paths: &[PathBuf], per_file: impl Fn(Loaded) -> T + Sync, sink: impl FnMut(T)) {
        crate::folder_open::new_load();
        // The validator compiles on a worker while this thread walks the folders.
        rayon::spawn(pjob_manifest::prepare_validator);
        let mut handoff = Handoff { sink, folder_manifests: 0, per_file: &per_file };
        let run = |batch: Vec<Step>| self.run_batch(batch, &per_file);
        let batches = batches(steps(paths));
        if rayon::current_thread_index().is_some() {
            // On a worker of the pool, waiting for the pool could wait for ever: one batch at a time.
            batches.for_each(|batch| handoff.hand_on(run(batch)));
        } else {
            pipelined(batches, &run, |done| handoff.hand_on(done));
        }
    }

    /// Does a batch's steps on every core, keeping their order.
    fn run_batch<T: Send>(&self, batch: Vec<Step>, per_file: &(impl Fn(Loaded) -> T + Sync)) -> Vec<Done<T>> {
        batch
            .into_par_iter()
            .map(|step| match step {
                Step::Load { path, explicit } => {
                    let loaded = self.load_one(&path, explicit);
                    Done::Result { in_folder: if explicit { 0 } else { loaded.files }, value: per_file(loaded) }
                }
                Step::Report(loaded) => Done::Result { in_folder: 0, value: per_file(loaded) },
                Step::FolderEnd(path) => Done::FolderEnd(path),
            })
            .collect()
    }

    /// Loads one file on its own.
    fn load_one(&self, path: &Path, explicit: bool) -> Loaded {
        let mut loaded = Loaded::default();
        self.load_path(path, explicit, &mut loaded);
        loaded
    }
}

/// Runs `run` on each batch on the pool, up to [`IN_FLIGHT`] batches at
/// once, while this thread takes the next batches and hands each batch's
/// results to `hand_on` in order. A panic in a batch is raised again here.
fn pipelined<T: Send>(
    batches: impl Iterator<Item = Vec<Step>>,
    run: &(impl Fn(Vec<Step>) -> Vec<Done<T>> + Sync),
    mut hand_on: impl FnMut(Vec<Done<T>>),
) {
    rayon::in_place_scope(|scope| {
        let (sender, receiver) = mpsc::channel::<(usize, BatchOutcome<T>)>();
        let mut ready: BTreeMap<usize, BatchOutcome<T>> = BTreeMap::new();
        let (mut started, mut handed_on) = (0, 0);
        let mut wait_for_next = |ready: &mut BTreeMap<usize, BatchOutcome<T>>, next: usize| {
            while !ready.contains_key(&next) {
                let (index, outcome) = receiver.recv().expect("every batch started sends its outcome");
                ready.insert(index, outcome);
            }
            match ready.remove(&next) {
                Some(Ok(done)) => hand_on(done),
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                None => unreachable!("waited for it"),
            }
        };
        for batch in batches {
            let sender = sender.clone();
            let index = started;
            scope.spawn(move |_| {
                let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| run(batch)));
                // The receiver is gone only when this thread is unwinding already.
                let _ = sender.send((index, outcome));
            });
            started += 1;
            while started - handed_on > IN_FLIGHT {
                wait_for_next(&mut ready, handed_on);
                handed_on += 1;
            }
        }
        while handed_on < started {
            wait_for_next(&mut ready, handed_on);
            handed_on += 1;
        }
    });
}

/// What this thread does with each batch's results: hands them on in order,
/// and reports a folder that held no manifest.
struct Handoff<'a, S, P> {
    sink: S,
    /// Manifest files of the current folder so far.
    folder_manifests: usize,
    per_file: &'a P,
}

impl<T, S: FnMut(T), P: Fn(Loaded) -> T> Handoff<'_, S, P> {
    fn hand_on(&mut self, batch: Vec<Done<T>>) {
        for done in batch {
            match done {
                Done::Result { in_folder, value } => {
                    self.folder_manifests += in_folder;
                    (self.sink)(value);
                }
                Done::FolderEnd(path) => {
                    if std::mem::take(&mut self.folder_manifests) == 0 {
                        (self.sink)((self.per_file)(no_manifest_in(&path)));
                    }
                }
            }
        }
    }
}

/// Every step of the paths, in order, found lazily.
fn steps(paths: &[PathBuf]) -> impl Iterator<Item = Step> + '_ {
    discover(paths).flat_map(|found| -> Box<dyn Iterator<Item = Step>> {
        match found {
            Discovered::File(path) => Box::new(std::iter::once(Step::Load { path, explicit: true })),
            Discovered::Folder { path, candidates } => Box::new(
                candidates
                    .map(|candidate| match candidate {
                        Ok(path) => Step::Load { path, explicit: false },
                        Err(e) => Step::Report(Loaded { errors: vec![LoadError::Walk(e)], ..Loaded::default() }),
                    })
                    .chain(std::iter::once(Step::FolderEnd(path))),
            ),
        }
    })
}

/// Groups steps into batches of [`BATCH`] files.
fn batches(mut steps: impl Iterator<Item = Step>) -> impl Iterator<Item = Vec<Step>> {
    std::iter::from_fn(move || {
        let batch: Vec<Step> = steps.by_ref().take(BATCH).collect();
        (!batch.is_empty()).then_some(batch)
    })
}

fn no_manifest_in(folder: &Path) -> Loaded {
    Loaded { errors: vec![LoadError::NoManifestInFolder(folder.to_path_buf())], ..Loaded::default() }
}
