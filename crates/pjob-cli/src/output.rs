//! Writing results to stdout: structured values as JSON or YAML, and text
//! lines. A closed pipe (`pjob render x | head`) ends the output quietly
//! instead of failing: what follows is dropped, and the command goes on to
//! its own end (a job it started is still followed and reported by exit code).

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::args::OutputFormat;

/// Set once stdout's reader has gone away.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes text to stdout; a closed pipe is not an error.
pub fn write(text: &str) {
    write_bytes(text.as_bytes());
}

/// Writes bytes to stdout; a closed pipe is not an error.
fn write_bytes(bytes: &[u8]) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Writes one line to stdout.
pub fn line(text: &str) {
    write(&format!("{text}\n"));
}

/// A table as text: the header, then one line per row, each column as
/// wide as its widest cell (the last one unpadded), every line ended.
pub fn table<const N: usize>(header: [&str; N], rows: &[[String; N]]) -> String {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let format = |cells: &mut dyn Iterator<Item = &str>| {
        let padded: Vec<String> = cells.zip(widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut text = format(&mut header.iter().copied()) + "\n";
    for row in rows {
        text.push_str(&format(&mut row.iter().map(String::as_str)));
        text.push('\n');
    }
    text
}

/// Prints a value to stdout in the chosen format (text prints JSON too).
pub fn print(value: &serde_json::Value, format: OutputFormat) {
    match format {
        OutputFormat::Yaml => match serde_saphyr::to_string(value) {
            Ok(text) => write(&text),
            Err(_) => line(&pretty(value)),
        },
        OutputFormat::Json | OutputFormat::Text => line(&pretty(value)),
    }
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// A `{"<key>": [item, ...]}` document written item by item into a spool
/// file (not memory), and printed only when [`ListDocument::print`] is
/// called: a command that finds a problem after some items prints nothing.
/// The printed text is what [`print`] prints for the whole document.
pub struct ListDocument {
    key: &'static str,
    format: OutputFormat,
    spool: std::io::BufWriter<std::fs::File>,
    items: usize,
}

impl ListDocument {
    /// An empty document; fails only when no temporary file can be made.
    pub fn new(key: &'static str, format: OutputFormat) -> std::io::Result<ListDocument> {
        Ok(ListDocument { key, format, spool: std::io::BufWriter::new(tempfile::tempfile()?), items: 0 })
    }

    /// Adds an item.
    pub fn push(&mut self, item: &serde_json::Value) -> std::io::Result<()> {
        let text = match self.format {
            OutputFormat::Yaml => serde_saphyr::to_string(&[item]).map_err(std::io::Error::other)?,
            OutputFormat::Json | OutputFormat::Text => {
                let separator = if self.items == 0 { "" } else { ",\n" };
                let indented = pretty(item).lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n");
                format!("{separator}{indented}")
            }
        };
        self.items += 1;
        self.spool.write_all(text.as_bytes())
    }

    /// Prints the document to stdout.
    pub fn print(self) -> std::io::Result<()> {
        self.write_with(&mut |bytes| write_bytes(bytes))
    }

    /// Writes the document, piece by piece, to `out`.
    fn write_with(self, out: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        use std::io::{Read, Seek};
        let (key, format, items) = (self.key, self.format, self.items);
        if items == 0 {
            let text = match format {
                OutputFormat::Yaml => serde_saphyr::to_string(&serde_json::json!({ key: [] })).map_err(std::io::Error::other)?,
                OutputFormat::Json | OutputFormat::Text => format!("{}\n", pretty(&serde_json::json!({ key: [] }))),
            };
            out(text.as_bytes());
            return Ok(());
        }
        let mut file = self.spool.into_inner().map_err(|e| e.into_error())?;
        file.seek(std::io::SeekFrom::Start(0))?;
        let (head, tail) = match format {
            OutputFormat::Yaml => (format!("{key}:\n"), String::new()),
            OutputFormat::Json | OutputFormat::Text => (format!("{{\n  \"{key}\": [\n"), "\n  ]\n}\n".to_string()),
        };
        out(head.as_bytes());
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            out(&buf[..n]);
        }
        out(tail.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn streamed(items: &[serde_json::Value], format: OutputFormat) -> String {
        let mut doc = ListDocument::new("jobs", format).unwrap();
        for item in items {
            doc.push(item).unwrap();
        }
        let mut out = Vec::new();
        doc.write_with(&mut |bytes| out.extend_from_slice(bytes)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_streamed_list_prints_as_the_whole_document_does() {
        let item = |n: u64| serde_json::json!({"request": {"Name": format!("j-{n}"), "Args": ["a", "b \"q\"\nline"], "N": n, "Empty": {}}, "artifacts": []});
        for count in [0, 1, 3] {
            let items: Vec<serde_json::Value> = (0..count).map(item).collect();
            let whole = serde_json::json!({ "jobs": items });
            assert_eq!(streamed(&items, OutputFormat::Json), format!("{}\n", pretty(&whole)), "{count} item(s), JSON");
            assert_eq!(streamed(&items, OutputFormat::Yaml), serde_saphyr::to_string(&whole).unwrap(), "{count} item(s), YAML");
        }
    }
}
