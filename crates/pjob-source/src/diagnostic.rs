//! The error type every stage reports: a located message with a hint.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceCode};

use crate::{Code, SourceFile, Span};

/// Where a diagnostic points: file, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// A problem in a manifest, located in its file, with a hint on what to do.
///
/// Renders through `miette` with a snippet of the file; [`Diagnostic::location`]
/// gives the `file:line:col` for machine-readable output.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    code: Code,
    message: String,
    label: Option<String>,
    help: Option<String>,
    span: Span,
    location: Location,
    source: NamedSource<Arc<str>>,
}

impl Diagnostic {
    /// A diagnostic at `span` of `file`, of the kind `code` names.
    pub fn new(file: &SourceFile, span: Span, code: Code, message: impl Into<String>) -> Diagnostic {
        let (line, column) = file.line_col(span.offset);
        let text = file.shared_text();
        let offset = span.offset.min(text.len());
        let len = span.len.min(text.len() - offset);
        Diagnostic {
            code,
            message: message.into(),
            label: None,
            help: None,
            span: Span::new(offset, len),
            location: Location { file: file.name(), line, column },
            source: NamedSource::new(file.name(), text).with_language(match file.format() {
                crate::Format::Yaml => "yaml",
                crate::Format::Toml => "toml",
            }),
        }
    }

    /// Adds a hint: what the user can do about it.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a short label shown under the snippet.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    /// The stable code of the problem.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The hint, if any.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// `file:line:col` of the problem.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The byte span in the file.
    pub fn span(&self) -> Span {
        self.span
    }

    /// A JSON object for machine-readable output.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "code": self.code.as_str(),
            "message": self.message,
            "help": self.help,
        })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = LabeledSpan::new(Some(self.label.clone().unwrap_or_else(|| "here".to_string())), self.span.offset, self.span.len);
        Some(Box::new(std::iter::once(label)))
    }
}
