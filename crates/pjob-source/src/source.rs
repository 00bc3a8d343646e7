//! Source files and byte spans within them.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{Code, Diagnostic};

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
    /// Byte offset of every line's start, built on first use.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

/// The largest manifest file pjob reads: 2 MiB, far above any real
/// manifest, far below what would make parsing slow or memory large.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// Room for the first read of a manifest file: more than most manifests hold.
const FIRST_READ_BYTES: usize = 16 * 1024;

/// The most a thread's read buffer keeps between files: a larger file's
/// room is given back once the file is read.
const KEPT_READ_BYTES: usize = 64 * 1024;

thread_local! {
    /// Each thread reads files into one buffer, which the file's text is
    /// copied out of (as it was out of a buffer of its own before): no
    /// buffer is allocated and freed per file.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How the end of a file shows when it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileEnd {
    /// A read that returns nothing: so on every file system.
    EmptyRead,
    /// Also a read that returns less than it was given room for and stops
    /// inside a page (its count is not a multiple of 4096). On a local disk
    /// file system a read stops short only at the file's end, or before a
    /// page it could not read (a whole number of pages in, an error the
    /// next read reports); a network or FUSE file system may stop anywhere.
    /// Trusting it saves the read that would return nothing, one system
    /// call in four of validating a folder.
    ShortRead,
}

/// Reads that stop short for an error stop at a multiple of this (the
/// smallest page size): a short read that does not was stopped by the end.
const PAGE_BYTES: usize = 4096;

/// Why a manifest file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error(transparent)]
    Io(std::io::Error),
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("{}: the file has {size} bytes, more than a manifest may have ({MAX_FILE_BYTES} bytes); it was not parsed", .path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size, or what was read of it.
        size: u64,
    },
    /// The file is not UTF-8; the diagnostic points at the first bad byte.
    #[error("{}", .0.message())]
    NotUtf8(Box<Diagnostic>),
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
        SourceFile {
            path: path.into(),
            ascii: text.is_ascii(),
            text,
            format,
            char_offsets: std::sync::OnceLock::new(),
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// Reads a manifest file from disk: at most [`MAX_FILE_BYTES`], and
    /// only UTF-8 text. A file that is not UTF-8 is a located
    /// [`Code::Encoding`] diagnostic at its first bad byte; a larger file is
    /// refused once more than that has been read.
    pub fn read(path: &Path) -> Result<SourceFile, ReadError> {
        let file = std::fs::File::open(path).map_err(ReadError::Io)?;
        SourceFile::read_opened(path, file, FileEnd::EmptyRead)
    }

    /// Reads the manifest file `path` names from `file`, the caller's open
    /// handle on it (opened, say, relative to a folder it holds open), as
    /// [`SourceFile::read`] reads it, taking its end where `end` says it
    /// shows.
    pub fn read_opened(path: &Path, mut file: std::fs::File, end: FileEnd) -> Result<SourceFile, ReadError> {
        READ_BUFFER.with_borrow_mut(|bytes| {
            bytes.clear();
            // Most manifests fit the first read; asking the file's size first would cost
            // a system call per file (a fifth of them when validating a folder).
            bytes.reserve(FIRST_READ_BYTES);
            let read = SourceFile::from_bytes(path, &mut file, end, bytes);
            if bytes.capacity() > KEPT_READ_BYTES {
                *bytes = Vec::new();
            }
            read
        })
    }

    /// Reads `file` into `bytes` and makes the source file of them.
    fn from_bytes(path: &Path, file: &mut std::fs::File, end: FileEnd, bytes: &mut Vec<u8>) -> Result<SourceFile, ReadError> {
        if end == FileEnd::ShortRead {
            let room = bytes.capacity() - bytes.len();
            match rustix::io::read(&*file, rustix::buffer::spare_capacity(bytes)) {
                Ok(n) if n < room && n % PAGE_BYTES != 0 => return SourceFile::from_read(path, bytes),
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(ReadError::Io(e.into())),
            }
        }
        let left = (MAX_FILE_BYTES + 1).saturating_sub(bytes.len() as u64);
        file.take(left).read_to_end(bytes).map_err(ReadError::Io)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            let size = file.metadata().map_or(0, |meta| meta.len()).max(bytes.len() as u64);
            return Err(ReadError::TooLarge { path: path.to_path_buf(), size });
        }
        SourceFile::from_read(path, bytes)
    }

    /// The source file of the bytes read from `path`: its text, if they are UTF-8.
    fn from_read(path: &Path, bytes: &[u8]) -> Result<SourceFile, ReadError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(path, text)),
            Err(e) => {
                let valid = e.valid_up_to();
                let file = SourceFile::new(path, String::from_utf8_lossy(bytes).into_owned());
                let message = format!("the file is not UTF-8 text: byte 0x{:02x} at offset {valid} is not", bytes[valid]);
                let diagnostic = Diagnostic::new(&file, Span::new(valid, 1), Code::Encoding, message)
                    .with_help("save the file as UTF-8 (manifests are UTF-8 text)");
                Err(ReadError::NotUtf8(Box::new(diagnostic)))
            }
        }
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
        // Found in the index of line starts, so that locating many problems stays linear.
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0).chain(self.text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1)).collect()
        });
        let line = starts.partition_point(|&start| start <= offset);
        let line_start = starts[line - 1];
        let col = self.text[line_start..offset].chars().count() + 1;
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
    use super::{FIRST_READ_BYTES, FileEnd, KEPT_READ_BYTES, MAX_FILE_BYTES, ReadError, SourceFile, Span};

    #[test]
    fn files_read_one_after_another_on_a_thread_each_hold_their_own_text() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            path
        };
        let large = "a: b\n".repeat(KEPT_READ_BYTES / 4);
        let files = [write("small.yaml", b"kind: Processor\n"), write("large.yaml", large.as_bytes()), write("after.yaml", b"x: 1\n")];
        let texts: Vec<String> = files.iter().map(|p| SourceFile::read(p).unwrap().text().to_string()).collect();
        assert_eq!(texts, ["kind: Processor\n", large.as_str(), "x: 1\n"]);
        let bad = write("bad.yaml", b"ok: yes\nname: \xff\n");
        let Err(ReadError::NotUtf8(d)) = SourceFile::read(&bad) else { panic!("a byte that is not UTF-8 is refused") };
        assert_eq!(d.span(), Span::new(14, 1), "{}", d.message());
        assert_eq!(SourceFile::read(&files[2]).unwrap().text(), "x: 1\n", "nothing of the file before is left");
    }

    #[test]
    fn a_file_read_until_a_short_read_is_read_whole_at_every_size() {
        let dir = tempfile::tempdir().unwrap();
        // Empty, inside a page, a page and a byte either side of pages and of the first read's room.
        let sizes = [0, 1, 581, 4095, 4096, 4097, 8192, FIRST_READ_BYTES - 1, FIRST_READ_BYTES, FIRST_READ_BYTES + 1, 70_000];
        for size in sizes {
            let path = dir.path().join(format!("{size}.yaml"));
            let text: String = (0..size).map(|i| if i % 50 == 49 { '\n' } else { 'a' }).collect();
            std::fs::write(&path, &text).unwrap();
            for end in [FileEnd::ShortRead, FileEnd::EmptyRead] {
                let read = SourceFile::read_opened(&path, std::fs::File::open(&path).unwrap(), end).unwrap();
                assert_eq!(read.text().len(), size, "{size} bytes, {end:?}");
                assert!(read.text() == text, "{size} bytes, {end:?}");
            }
        }
        let too_large = dir.path().join("large.yaml");
        std::fs::write(&too_large, vec![b'a'; MAX_FILE_BYTES as usize + 1]).unwrap();
        let read = SourceFile::read_opened(&too_large, std::fs::File::open(&too_large).unwrap(), FileEnd::ShortRead);
        assert!(matches!(read, Err(ReadError::TooLarge { .. })), "{read:?}");
    }

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
