//! Printing structured results as JSON or YAML.

use crate::args::OutputFormat;

/// Prints a value to stdout in the chosen format (text prints JSON too).
pub fn print(value: &serde_json::Value, format: OutputFormat) {
    match format {
        OutputFormat::Yaml => match serde_saphyr::to_string(value) {
            Ok(text) => print!("{text}"),
            Err(_) => println!("{}", pretty(value)),
        },
        OutputFormat::Json | OutputFormat::Text => println!("{}", pretty(value)),
    }
}

fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}
