//! Manifest text in, a document tree with source spans out.
//!
//! `pjob-source` is the first stage of pjob's pipeline. It reads YAML (one or
//! more documents per file) and TOML into the same [`Node`] tree, keeping the
//! byte span of every value and key, so that every later stage (templates,
//! schema validation, semantic checks, compilation) can point its errors at
//! the exact place in the file. [`Diagnostic`] is the error type all of them
//! share: a message, a hint and a snippet of the file, under a stable [`Code`].

mod code;
mod diagnostic;
mod node;
mod source;
mod toml_reader;
mod yaml_input;
mod yaml_reader;

pub use code::Code;
pub use diagnostic::{Diagnostic, Location};
pub use node::{Entry, Node, Value};
pub use source::{FileEnd, Format, MAX_FILE_BYTES, ReadError, SourceFile, Span};

/// One manifest document: a YAML document or a whole TOML file.
#[derive(Debug, Clone)]
pub struct Document {
    /// Position of the document within its file (0 for the first).
    pub index: usize,
    /// The document's root value.
    pub root: Node,
}

/// Parses a source file into its documents.
///
/// YAML files yield one document per `---` section (empty documents are
/// skipped); TOML files yield exactly one. A syntax error is returned as a
/// [`Diagnostic`] pointing at the offending character.
pub fn parse(file: &SourceFile) -> Result<Vec<Document>, Box<Diagnostic>> {
    match file.format() {
        Format::Yaml => yaml_reader::parse(file),
        Format::Toml => toml_reader::parse(file).map(|root| vec![Document { index: 0, root }]),
    }
}
