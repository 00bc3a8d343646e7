//! Writing results to stdout: structured values as JSON or YAML, and text
//! lines. A closed pipe (`pjob render x | head`) ends the output quietly
//! instead of failing.

use std::io::Write;

use crate::args::OutputFormat;

/// Writes text to stdout; a closed pipe is not an error.
pub fn write(text: &str) {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        _ => {}
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
