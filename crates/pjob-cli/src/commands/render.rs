//! `pjob render`: the compiled request(s) and artifacts, no AWS calls.
//!
//! Rendering streams: each file is loaded and compiled on a worker thread,
//! its jobs written to a spool file in file order, and the file dropped (a
//! job that depends on others comes after them, once the set is read).
//! The document is printed only when every manifest compiled; otherwise
//! every problem is printed and nothing goes to stdout.

use crate::args::{OutputFormat, RenderArgs};
use crate::exit::Exit;
use crate::output::ListDocument;
use crate::settings::Settings;
use crate::{load, report};

/// Runs `pjob render`.
pub fn run(settings: &Settings, args: &RenderArgs) -> Exit {
    let format = match settings.output {
        Some(OutputFormat::Yaml) => OutputFormat::Yaml,
        _ => OutputFormat::Json,
    };
    let mut out = match ListDocument::new("jobs", format) {
        Ok(out) => out,
        Err(e) => {
            report::error(None, &e);
            return Exit::Aws;
        }
    };
    let compile = settings.compile_settings(args.new);
    let mut spool_error = None;
    let to_json = |_: &pjob_jobset::Job, compiled: &pjob_compiler::CompiledJob| serde_json::to_value(compiled).unwrap_or_default();
    let compiled = super::aws::compile_set(settings, &args.files, &compile, to_json, |job| {
        if let Err(e) = out.push(&job.compiled) {
            spool_error.get_or_insert(e);
        }
    });
    if compiled.is_err() || load::unused_variables(settings).is_err() {
        return Exit::Invalid;
    }
    if let Some(e) = spool_error.map_or_else(|| out.print().err(), Some) {
        report::error(None, &e);
        return Exit::Aws;
    }
    Exit::Success
}
