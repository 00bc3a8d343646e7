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
        let read = crate::folder_open::open(path).map_err(ReadError::Io).and_then(|(file, end)| SourceFile::read_opened(path, file, end));
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
        // Asked once for the file, not once per document: a file may hold thousands.
        let plain = pjob_template::is_plain_text(file.text());
        for doc in manifests {
            loaded.documents += 1;
            let name = doc.root.get("metadata").and_then(|m| m.get("name")).and_then(pjob_source::Node::as_str).map(str::to_string);
            match check_document_of(&file, plain, doc, self.renderer, &ctx) {
                Ok((doc, manifest)) => loaded.jobs.push(Job { file: file.clone(), doc, manifest, rendered: !plain }),
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
    check_document_of(file, false, doc, renderer, ctx)
}

/// [`check_document`], for a document of a file whose text is known to
/// hold no template when `plain` ([`pjob_template::is_plain_text`]): its
/// documents are then not searched for one.
fn check_document_of(
    file: &SourceFile,
    plain: bool,
    doc: Document,
    renderer: &Renderer,
    ctx: &ValidationContext,
) -> Result<(Document, Manifest), Vec<Diagnostic>> {
    let rendered = if plain { Ok(doc) } else { renderer.render(file, doc) };
    let (rendered, template_problems) = match rendered {
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use pjob_manifest::{JobSpec, Target};
    use pjob_source::SourceFile;
    use pjob_template::{Renderer, Variables};

    use super::Loader;
    use crate::Loaded;

    const JOB: &str = "apiVersion: pjob/v1\nkind: Processor\nmetadata:\n  name: NAME\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  image_uri: IMAGE\n  instance_count: 1\n  instance_type: ml.m5.large\n";

    fn images(text: &str) -> Vec<String> {
        let mut variables = Variables::new();
        variables.set("tag=7").unwrap();
        let renderer = Renderer::new(variables);
        let mut loaded = Loaded::default();
        Loader::new(&renderer, Target::Aws).load_file(Arc::new(SourceFile::new("jobs.yaml", text)), true, &mut loaded);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let image = |spec: &JobSpec| match spec {
            JobSpec::Processor(p) => p.image_uri.clone(),
            _ => unreachable!("the documents are Processors"),
        };
        loaded.jobs.iter().map(|job| image(&job.manifest.spec)).collect()
    }

    fn job(name: &str, image: &str) -> String {
        JOB.replace("NAME", name).replace("IMAGE", image)
    }

    #[test]
    fn a_file_without_templates_loads_as_written() {
        let text = format!("{}---\n{}", job("a", "x/a:1"), job("b", "x/b:{1}"));
        assert_eq!(images(&text), ["x/a:1", "x/b:{1}"]);
    }

    #[test]
    fn every_document_of_a_file_with_a_template_is_rendered_even_one_spelt_with_escapes() {
        let text = format!("{}---\n{}---\n{}", job("a", "x/a:1"), job("b", "x/b:{{ tag }}"), job("c", "\"x/c:\\u007b\\u007b tag }}\""));
        assert_eq!(images(&text), ["x/a:1", "x/b:7", "x/c:7"]);
        let escaped_only = job("c", "\"x/c:\\u007b\\u007b tag }}\"");
        assert_eq!(images(&escaped_only), ["x/c:7"]);
    }
}
