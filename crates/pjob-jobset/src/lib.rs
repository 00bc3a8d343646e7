//! Manifest paths in, a set of checked jobs out.
//!
//! Every pjob command that reads manifests runs the same pipeline, and runs
//! it through this crate: [`discover`] the manifest files a command line
//! names, read and parse each ([`pjob_source`]), render its templates
//! ([`pjob_template`]), validate it ([`pjob_manifest`]) and, where the
//! command needs requests, [`compile`] it ([`pjob_compiler`]). The result is
//! a [`Loaded`] set: the valid [`Job`]s in file and document order, and every
//! problem found, each located in its file.
//!
//! ```no_run
//! use pjob_jobset::{CompileSettings, Loader};
//! use pjob_manifest::Target;
//! use pjob_template::{Renderer, Variables};
//!
//! let renderer = Renderer::new(Variables::new());
//! let loaded = Loader::new(&renderer, Target::Aws).load(&["jobs/".into()]);
//! let settings = CompileSettings { region: Some("us-west-2".into()), ..CompileSettings::default() };
//! let compiled = pjob_jobset::compile_all(&loaded.jobs, &settings);
//! ```

mod archive_cache;
mod check;
mod compile;
mod compile_set;
mod discover;
mod folder_open;
mod git;
mod links;
mod set;
mod stream;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pjob_manifest::Manifest;
use pjob_source::{Code, Diagnostic, Document, SourceFile};

pub use archive_cache::DiskArchiveCache;
pub use check::{Loader, MAX_PROBLEMS_PER_DOCUMENT, check_document};
pub use compile::{CompileSettings, DEFAULT_GIT_TIMEOUT, compile_all};
pub use compile_set::{SetItem, SetJob, Upstream};
pub use discover::{Discovered, discover};
pub use git::{FetchError, credential_env};
pub use links::{Links, Use};
pub use set::{Edge, Member, Ordered, SetIndex};

/// One valid job: its file, its rendered document and its typed manifest.
#[derive(Debug)]
pub struct Job {
    /// The file it came from.
    pub file: Arc<SourceFile>,
    /// The rendered document (for locating later errors).
    pub doc: Document,
    /// The typed manifest.
    pub manifest: Manifest,
    /// Whether its document went through the template renderer. A file
    /// without templates is not rendered, and only rendering writes
    /// references to other jobs (`jobs.<name>...`), so such a job's
    /// [`Job::links`] need not search its values for them.
    pub rendered: bool,
}

impl Job {
    /// Folder the manifest's relative paths resolve against.
    pub fn base_dir(&self) -> PathBuf {
        base_dir(self.file.path())
    }

    /// A diagnostic at the manifest value a JSON pointer names.
    pub fn diagnostic_at(&self, pointer: &str, code: Code, message: String, help: String) -> Diagnostic {
        let span = self.doc.root.locate(pointer, None);
        Diagnostic::new(&self.file, span, code, message).with_help(help)
    }
}

/// A path on the command line that could not be loaded at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Reading failed, or the file is too large to be a manifest.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        source: pjob_source::ReadError,
    },
    /// A folder could not be searched.
    #[error(transparent)]
    Walk(pjob_walk::WalkError),
    /// An explicitly named file holds no pjob manifest.
    #[error("{0}: no pjob manifest here (a manifest starts with `apiVersion: pjob/v1`)")]
    NoManifest(PathBuf),
    /// A folder named on the command line holds no pjob manifest, in it or below it.
    #[error(
        "{0}: no pjob manifest found in this folder (pjob looks for *.yaml, *.yml and *.toml files, in subfolders too, that carry `apiVersion: pjob/...`); check the path"
    )]
    NoManifestInFolder(PathBuf),
}

/// Everything loading found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Valid jobs, in file and document order.
    pub jobs: Vec<Job>,
    /// Problems in manifests.
    pub diagnostics: Vec<Diagnostic>,
    /// Paths that could not be read, or hold no manifest.
    pub errors: Vec<LoadError>,
    /// Manifest files read.
    pub files: usize,
    /// Manifest documents seen (valid or not).
    pub documents: usize,
    /// The `metadata.name`s of documents that did not validate (their
    /// problems are among `diagnostics`): a reference to one is not also
    /// a reference to an unknown job.
    pub invalid: Vec<String>,
}

impl Loaded {
    /// Adds `other` (the next file's share) to this set.
    pub fn absorb(&mut self, other: Loaded) {
        self.jobs.extend(other.jobs);
        self.diagnostics.extend(other.diagnostics);
        self.errors.extend(other.errors);
        self.files += other.files;
        self.documents += other.documents;
        self.invalid.extend(other.invalid);
    }

    /// Whether anything was wrong.
    pub fn has_problems(&self) -> bool {
        !self.diagnostics.is_empty() || !self.errors.is_empty()
    }
}

/// The folder a manifest's relative paths resolve against.
pub fn base_dir(manifest_path: &Path) -> PathBuf {
    match manifest_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
