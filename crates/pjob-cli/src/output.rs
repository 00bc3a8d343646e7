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
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Writes one line to stdout.
pub fn line(text: &str) {
    write(&format!("{text}\n"));
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
