//! The pjob manifest: its typed model, its JSON Schema, and validation.
//!
//! A [`pjob_source::Document`] (after the template pass) goes in;
//! [`validate`] checks it against the [schema](schema::schema) and against
//! the rules a schema cannot say, and returns the typed [`Manifest`] or every
//! problem found, each a located [`Diagnostic`].

mod framework_rules;
pub mod git;
pub mod model;
mod repair;
mod rules;
pub mod schema;
mod schema_check;
mod schema_tree;
pub mod suggest;
mod tree_de;

use std::path::PathBuf;

pub use model::*;
use pjob_source::{Code, Diagnostic, Document, SourceFile, Span};

/// Where the job is going to run; a few rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// SageMaker: outputs go to S3.
    #[default]
    Aws,
    /// This machine (`apply --local`): outputs may go to local folders.
    Local,
}

/// What validation needs besides the document.
#[derive(Debug, Clone)]
pub struct ValidationContext {
    /// Folder relative paths in the manifest resolve against.
    pub base_dir: PathBuf,
    /// Where the job will run.
    pub target: Target,
}

/// Whether a document is a pjob manifest at all (`apiVersion: pjob/...`).
/// Other YAML in a folder (CI files, Kubernetes objects) is skipped.
pub fn is_manifest(doc: &Document) -> bool {
    doc.root.get("apiVersion").and_then(|v| v.as_str()).is_some_and(|v| v.starts_with("pjob/"))
}

/// Validates a (rendered) document against the schema and the semantic
/// rules. Returns the typed manifest, or every problem found, in file order.
///
/// When the schema fails, the rules still check what they can, on a copy
/// of the document repaired just enough to type; their problems at a place
/// the schema already reported are left out.
pub fn validate(file: &SourceFile, doc: &Document, ctx: &ValidationContext) -> Result<Manifest, Vec<Diagnostic>> {
    if schema_check::is_valid(&doc.root) {
        return typed(file, doc, Manifest::from_tree(&doc.root), ctx);
    }
    let json = doc.root.to_json();
    let mut problems = schema_check::check(file, &doc.root, &json);
    if problems.is_empty() {
        return typed(file, doc, Manifest::from_json(json), ctx);
    }
    if let Some(manifest) = repair::repaired(json, |json| Manifest::from_json(json).ok()) {
        let reported: std::collections::HashSet<Span> = problems.iter().map(Diagnostic::span).collect();
        let more = rules::check(file, &doc.root, &manifest, ctx);
        problems.extend(more.into_iter().filter(|d| !reported.contains(&d.span())));
        problems.sort_by_key(|d| d.span().offset);
    }
    Err(problems)
}

/// A document the schema accepts, typed (`manifest`) and checked against the rules.
fn typed(
    file: &SourceFile,
    doc: &Document,
    manifest: Result<Manifest, impl std::fmt::Display>,
    ctx: &ValidationContext,
) -> Result<Manifest, Vec<Diagnostic>> {
    let manifest = manifest.map_err(|e| vec![Diagnostic::new(file, doc.root.span, Code::Invalid, format!("invalid manifest: {e}"))])?;
    let problems = rules::check(file, &doc.root, &manifest, ctx);
    if problems.is_empty() { Ok(manifest) } else { Err(problems) }
}

/// Builds and compiles the schema validator now rather than at the first
/// [`validate`]: a caller that is about to validate many documents can run
/// this on another thread while it finds and parses them.
pub fn prepare_validator() {
    std::sync::LazyLock::force(&schema_check::TREE_VALIDATOR);
}

/// The local path a local destination or source names: `file:///abs` and
/// `file://localhost/abs` are `/abs`, `file://rel/path` and a plain path are
/// relative to the manifest's folder.
pub fn local_path(value: &str) -> &str {
    match value.strip_prefix("file://") {
        Some(rest) => match rest.strip_prefix("localhost/") {
            Some(_) => &rest["localhost".len()..],
            None => rest,
        },
        None => value,
    }
}
