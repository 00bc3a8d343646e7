//! The error type every stage reports: a located message with a hint.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, MietteError, MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents};

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
    snippet: Snippet,
}

/// A source line longer than this many bytes is shown cut, never in full.
const LONG_LINE: usize = 240;
/// How much of a long line, or of a long quoted value in a message, is shown.
const SHOWN: usize = 120;

/// What a report shows of the file: the file itself, or for a problem on a
/// very long line, that line cut short.
#[derive(Debug, Clone)]
enum Snippet {
    Whole(NamedSource<Arc<str>>),
    Line(LineExcerpt),
}

/// The start of one long line, standing for the file in a report.
#[derive(Debug, Clone)]
struct LineExcerpt {
    name: String,
    text: String,
    /// 0-based line number of the line in the file.
    line: usize,
}

impl SourceCode for LineExcerpt {
    fn read_span<'a>(&'a self, _: &SourceSpan, _: usize, _: usize) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let all = SourceSpan::from((0, self.text.len()));
        Ok(Box::new(MietteSpanContents::new_named(self.name.clone(), self.text.as_bytes(), all, self.line, 0, 1)))
    }
}

/// `text` cut to `SHOWN` bytes at a character boundary, with its length, if longer.
fn cut(text: &str) -> String {
    if text.len() <= SHOWN {
        return text.to_string();
    }
    let mut end = SHOWN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} characters)", &text[..end], text.chars().count())
}

/// A message with every long `quoted` value in it cut short.
fn cut_quoted(message: String) -> String {
    if message.len() <= SHOWN {
        return message;
    }
    message.split('`').enumerate().map(|(i, part)| if i % 2 == 1 { cut(part) } else { part.to_string() }).collect::<Vec<_>>().join("`")
}

impl Diagnostic {
    /// A diagnostic at `span` of `file`, of the kind `code` names.
    pub fn new(file: &SourceFile, span: Span, code: Code, message: impl Into<String>) -> Diagnostic {
        let (line, column) = file.line_col(span.offset);
        let text = file.shared_text();
        let offset = span.offset.min(text.len());
        let len = span.len.min(text.len() - offset);
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let snippet = if line_end - line_start > LONG_LINE || len > LONG_LINE {
            Snippet::Line(LineExcerpt { name: file.name(), text: cut(&text[line_start..line_end]), line: line - 1 })
        } else {
            Snippet::Whole(NamedSource::new(file.name(), text).with_language(match file.format() {
                crate::Format::Yaml => "yaml",
                crate::Format::Toml => "toml",
            }))
        };
        Diagnostic {
            code,
            message: cut_quoted(message.into()),
            label: None,
            help: None,
            span: Span::new(offset, len),
            location: Location { file: file.name(), line, column },
            snippet,
        }
    }

    /// Adds a hint: what the user can do about it.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(cut_quoted(help.into()));
        self
    }

    /// Adds a short label shown under the snippet.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(cut_quoted(label.into()));
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
        match &self.snippet {
            Snippet::Whole(source) => Some(source),
            Snippet::Line(excerpt) => Some(excerpt),
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (offset, len) = match &self.snippet {
            Snippet::Whole(_) => (self.span.offset, self.span.len),
            // On the cut line, the label stays within what is shown.
            Snippet::Line(excerpt) => {
                let at = (self.location.column - 1).min(SHOWN);
                let start = excerpt.text.char_indices().nth(at).map_or(0, |(i, _)| i.min(SHOWN));
                (start, self.span.len.clamp(1, SHOWN.saturating_sub(start).max(1)))
            }
        };
        let label = LabeledSpan::new(Some(self.label.clone().unwrap_or_else(|| "here".to_string())), offset, len);
        Some(Box::new(std::iter::once(label)))
    }
}
