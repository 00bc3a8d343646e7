//! Manifest paths in, validated jobs (or every diagnostic) out: discovery,
//! parsing, the template pass and validation, in that order.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pjob_manifest::{Manifest, Target, ValidationContext};
use pjob_source::{Code, Diagnostic, Document, SourceFile, Span};
use pjob_template::Renderer;

/// One valid job: its file, its rendered document and its typed manifest.
pub struct Job {
    /// The file it came from.
    pub file: Arc<SourceFile>,
    /// The rendered document (for locating later errors).
    pub doc: Document,
    /// The typed manifest.
    pub manifest: Manifest,
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

/// A file that could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Reading failed.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
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
#[derive(Default)]
pub struct Loaded {
    /// Valid jobs, in file and document order.
    pub jobs: Vec<Job>,
    /// Problems in manifests.
    pub diagnostics: Vec<Diagnostic>,
    /// Files that could not be read, or hold no manifest.
    pub errors: Vec<LoadError>,
    /// Manifest files read.
    pub files: usize,
    /// Manifest documents seen (valid or not).
    pub documents: usize,
}

impl Loaded {
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

/// Loads manifests from files and folders. Folders are searched recursively
/// for `*.yaml`, `*.yml` and `*.toml` (hidden folders, `target` and
/// `node_modules` skipped); YAML or TOML there that is not a pjob manifest is
/// ignored, but a folder with no manifest at all is an error (a CI step
/// pointed at the wrong folder must not pass).
pub fn load(paths: &[PathBuf], renderer: &Renderer, target: Target) -> Loaded {
    let mut loaded = Loaded::default();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found);
            found.sort();
            let before = loaded.files;
            for file in found {
                load_file(&file, false, renderer, target, &mut loaded);
            }
            if loaded.files == before {
                loaded.errors.push(LoadError::NoManifestInFolder(path.clone()));
            }
        } else {
            load_file(path, true, renderer, target, &mut loaded);
        }
    }
    loaded
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

fn load_file(path: &Path, explicit: bool, renderer: &Renderer, target: Target, loaded: &mut Loaded) {
    let file = match SourceFile::read(path) {
        Ok(f) => Arc::new(f),
        Err(source) => {
            if explicit {
                loaded.errors.push(LoadError::Read { path: path.to_path_buf(), source });
            }
            return;
        }
    };
    let docs = match pjob_source::parse(&file) {
        Ok(docs) => docs,
        Err(d) => {
            // In a folder, a broken file is ours only if it looks like a manifest.
            if explicit || file.text().contains("pjob/") {
                loaded.files += 1;
                loaded.diagnostics.push(*d);
            }
            return;
        }
    };
    let manifests: Vec<Document> = if explicit && !docs.iter().any(pjob_manifest::is_manifest) {
        // A file named on the command line is meant to be a manifest: say what is wrong with it.
        docs
    } else {
        docs.into_iter().filter(pjob_manifest::is_manifest).collect()
    };
    if manifests.is_empty() {
        if explicit {
            loaded.errors.push(LoadError::NoManifest(path.to_path_buf()));
        }
        return;
    }
    loaded.files += 1;
    let ctx = ValidationContext { base_dir: base_dir(path), target };
    for doc in manifests {
        loaded.documents += 1;
        match check_document(&file, doc, renderer, &ctx) {
            Ok((doc, manifest)) => loaded.jobs.push(Job { file: file.clone(), doc, manifest }),
            Err(ds) => loaded.diagnostics.extend(ds),
        }
    }
}

/// Renders and validates one document; returns the rendered document and
/// its typed manifest, or every problem of both passes in file order.
///
/// Validation runs even when a template fails, on the document as far as
/// it rendered, so that a wrong field is reported beside an undefined
/// variable; its problems at a value whose template failed are left out
/// (they would only restate that failure).
pub fn check_document(
    file: &SourceFile,
    doc: Document,
    renderer: &Renderer,
    ctx: &ValidationContext,
) -> Result<(Document, Manifest), Vec<Diagnostic>> {
    let (rendered, template_problems) = match renderer.render(file, doc) {
        Ok(rendered) => (rendered, Vec::new()),
        Err(failure) => (failure.document, failure.diagnostics),
    };
    match pjob_manifest::validate(file, &rendered, ctx) {
        Ok(manifest) if template_problems.is_empty() => Ok((rendered, manifest)),
        Ok(_) => Err(template_problems),
        Err(problems) => {
            let failed: Vec<Span> = template_problems.iter().map(Diagnostic::span).collect();
            let mut all = template_problems;
            all.extend(problems.into_iter().filter(|d| !failed.iter().any(|f| d.span().overlaps(*f))));
            all.sort_by_key(|d| d.span().offset);
            Err(all)
        }
    }
}
