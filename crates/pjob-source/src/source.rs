//! Source files and byte spans within them.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The syntax a manifest file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// YAML 1.2, possibly several documents.
    Yaml,
    /// TOML 1.0, one document.
    Toml,
}

impl Format {
    /// The format a file name implies: `.toml` is TOML, anything else YAML.
    pub fn from_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("toml") => Format::Toml,
            _ => Format::Yaml,
        }
    }
}

/// A byte range in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes (may be 0 for a position).
    pub len: usize,
}

impl Span {
    /// A span from `offset` covering `len` bytes.
    pub const fn new(offset: usize, len: usize) -> Span {
        Span { offset, len }
    }

    /// Byte offset just past the span.
    pub const fn end(&self) -> usize {
        self.offset + self.len
    }

    /// Whether the two spans share a byte (an empty span counts as its
    /// position's byte).
    pub const fn overlaps(&self, other: Span) -> bool {
        const fn end_of_one_byte_at_least(s: &Span) -> usize {
            if s.len == 0 { s.offset + 1 } else { s.end() }
        }
        self.offset < end_of_one_byte_at_least(&other) && other.offset < end_of_one_byte_at_least(self)
    }
}

/// A manifest file's name, text and format, shared by every diagnostic that
/// points into it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: PathBuf,
    text: Arc<str>,
    format: Format,
    /// Whether the text is ASCII, where character and byte offsets agree.
    ascii: bool,
    /// Byte offset of every character, built on first use for non-ASCII text.
    char_offsets: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    /// A source file with the format its name implies.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> SourceFile {
        let path = path.into();
        let format = Format::from_path(&path);
        SourceFile::with_format(path, text, format)
    }

    /// A source file with an explicit format.
    pub fn with_format(path: impl Into<PathBuf>, text: impl Into<Arc<str>>, format: Format) -> SourceFile {
        let text: Arc<str> = text.into();
        SourceFile { path: path.into(), ascii: text.is_ascii(), text, format, char_offsets: std::sync::OnceLock::new() }
    }

    /// Reads a file from disk.
    pub fn read(path: &Path) -> std::io::Result<SourceFile> {
        let text = std::fs::read_to_string(path)?;
        Ok(SourceFile::new(path, text))
    }

    /// The path the file was read from (as given).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path for messages.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, shareable.
    pub fn shared_text(&self) -> Arc<str> {
        self.text.clone()
    }

    /// The file's syntax.
    pub fn format(&self) -> Format {
        self.format
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    /// Byte offset of a character index (YAML scanners count characters).
    pub fn byte_offset_of_char(&self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        let offsets = self.char_offsets.get_or_init(|| self.text.char_indices().map(|(i, _)| i).collect());
        offsets.get(char_index).copied().unwrap_or(self.text.len())
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::Span;

    #[test]
    fn spans_overlap_when_they_share_a_byte() {
        let value = Span::new(10, 20);
        assert!(value.overlaps(Span::new(15, 5)), "a part of a value");
        assert!(Span::new(15, 5).overlaps(value), "and the other way round");
        assert!(value.overlaps(Span::new(29, 4)));
        assert!(!value.overlaps(Span::new(30, 4)), "touching is not sharing");
        assert!(!value.overlaps(Span::new(2, 8)));
        assert!(value.overlaps(Span::new(10, 0)), "a position inside");
        assert!(!value.overlaps(Span::new(30, 0)), "a position just past");
    }
}
