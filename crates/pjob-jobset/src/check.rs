//! Reading, parsing, rendering and validating manifest files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pjob_manifest::{Manifest, Target, ValidationContext};
use pjob_source::{Code, Diagnostic, Document, ReadError, SourceFile, Span};
use pjob_template::Renderer;

use crate::{Job, LoadError, Loaded, base_dir};

/// Loads manifests for one command: its template renderer and where its
/// jobs will run (which decides, for example, whether local output
/// destinations are valid).
#[derive(Clone, Copy)]
pub struct Loader<'a> {
    renderer: &'a Renderer,
    target: Target,
}

impl<'a> Loader<'a> {
    /// A loader rendering templates with `renderer`, validating for `target`.
    pub fn new(renderer: &'a Renderer, target: Target) -> Loader<'a> {
        Loader { renderer, target }
    }

    /// The renderer templates are rendered with.
    pub fn renderer(&self) -> &'a Renderer {
        self.renderer
    }

    /// A loader for the same target rendering with `renderer`.
    pub fn with_renderer<'b>(&self, renderer: &'b Renderer) -> Loader<'b> {
        Loader { renderer, target: self.target }
    }

    /// Loads every manifest the paths name (files, and folders searched as
    /// [`discover`](crate::discover) searches them), keeping every job. YAML
    /// or TOML in a folder that is not a pjob manifest is ignored, but a
    /// folder with no manifest at all is an error: a CI step pointed at the
    /// wrong folder must not pass. Commands that need only a summary of each
    /// job use [`Loader::stream`], whose memory does not grow with the set.
    pub fn load(&self, paths: &[PathBuf]) -> Loaded {
        let mut all = Loaded::default();
        self.stream(paths, |loaded| loaded, |loaded| all.absorb(loaded));
        all
    }

    pub(crate) fn load_path(&self, path: &Path, explicit: bool, loaded: &mut Loaded) {
        let read = crate::folder_open::open(path).map_err(ReadError::Io).and_then(|file| SourceFile::read_opened(path, file));
        let error = match read {
            Ok(file) => return self.load_file(Arc::new(file), explicit, loaded),
            Err(e) => e,
        };
        // In a folder, a file that cannot be read as a manifest is ours only if it looks like one.
        if !explicit && (matches!(error, ReadError::Io(_)) || !mentions_pjob(path)) {
            return;
        }
        loaded.files += 1;
        match error {
            ReadError::NotUtf8(d) => loaded.diagnostics.push(*d),
            source => loaded.errors.push(LoadError::Read { path: path.to_path_buf(), source }),
        }
    }

    /// Loads the manifests of one file already in memory into `loaded`.
    /// `explicit` says the file was named on its own (not found in a
    /// folder): it is then meant to be a manifest, and one that is not
    /// gets an error saying what is wrong with it.
    pub fn load_file(&self, file: Arc<SourceFile>, explicit: bool, loaded: &mut Loaded) {
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
            docs
        } else {
            docs.into_iter().filter(pjob_manifest::is_manifest).collect()
        };
        if manifests.is_empty() {
            if explicit {
                loaded.errors.push(LoadError::NoManifest(file.path().to_path_buf()));
            }
            return;
        }
        loaded.files += 1;
        let ctx = ValidationContext { base_dir: base_dir(file.path()), target: self.target };
        for doc in manifests {
            loaded.documents += 1;
            let name = doc.root.get("metadata").and_then(|m| m.get("name")).and_then(pjob_source::Node::as_str).map(str::to_string);
            match check_document(&file, doc, self.renderer, &ctx) {
                Ok((doc, manifest)) => loaded.jobs.push(Job { file: file.clone(), doc, manifest }),
                Err(ds) => {
                    loaded.diagnostics.extend(ds);
                    loaded.invalid.extend(name);
                }
            }
        }
    }
}

/// Whether the start of a file names pjob's `apiVersion` (`pjob/`).
fn mentions_pjob(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    read.is_ok() && head.windows(5).any(|w| w == b"pjob/")
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
            Err(at_most(all, file))
        }
    }
}

/// The most problems listed for one document; past it, one more says how many were left out.
pub const MAX_PROBLEMS_PER_DOCUMENT: usize = 100;

/// The first [`MAX_PROBLEMS_PER_DOCUMENT`] problems, and a count of the rest.
fn at_most(mut problems: Vec<Diagnostic>, file: &SourceFile) -> Vec<Diagnostic> {
    if problems.len() <= MAX_PROBLEMS_PER_DOCUMENT {
        return problems;
    }
    let more = problems.len() - MAX_PROBLEMS_PER_DOCUMENT;
    let next = problems[MAX_PROBLEMS_PER_DOCUMENT].span();
    problems.truncate(MAX_PROBLEMS_PER_DOCUMENT);
    let message = format!("... and {more} more problem(s) in this document, from here on");
    let help = format!("pjob lists the first {MAX_PROBLEMS_PER_DOCUMENT} problems of a document; fix those and run again");
    problems.push(Diagnostic::new(file, next, Code::MoreProblems, message).with_help(help));
    problems
}
