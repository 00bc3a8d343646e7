//! `pjob render`: the compiled request(s) and artifacts, no AWS calls.
//!
//! Rendering streams: each file is loaded and compiled on a worker thread,
//! its jobs written to a spool file in file order, and the file dropped.
//! The document is printed only when every manifest compiled; otherwise
//! every problem is printed and nothing goes to stdout.

use pjob_jobset::{CompileSettings, LoadError, Loaded};
use pjob_manifest::Target;
use pjob_source::Diagnostic;

use crate::args::{OutputFormat, RenderArgs};
use crate::exit::Exit;
use crate::output::ListDocument;
use crate::settings::Settings;
use crate::{load, report};

/// One file's share: its compiled jobs (as printed) or its problems.
struct FileRender {
    jobs: Vec<serde_json::Value>,
    errors: Vec<LoadError>,
    problems: Vec<Diagnostic>,
}

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
    let (mut invalid, mut spool_error) = (false, None);
    load::loader(settings, Target::Aws).stream(
        &args.files,
        |loaded| render_file(loaded, &compile),
        |file| {
            invalid |= !file.errors.is_empty() || !file.problems.is_empty();
            for e in &file.errors {
                report::error(None, e);
            }
            report::print_all(&file.problems);
            for job in file.jobs.iter().filter(|_| !invalid) {
                if let Err(e) = out.push(job) {
                    spool_error.get_or_insert(e);
                }
            }
        },
    );
    if invalid || load::unused_variables(settings).is_err() {
        return Exit::Invalid;
    }
    if let Some(e) = spool_error.map_or_else(|| out.print().err(), Some) {
        report::error(None, &e);
        return Exit::Aws;
    }
    Exit::Success
}

/// Compiles a file's jobs (fetching `git_config` sources).
fn render_file(loaded: Loaded, compile: &CompileSettings) -> FileRender {
    let mut file = FileRender { jobs: Vec::new(), errors: loaded.errors, problems: loaded.diagnostics };
    for job in &loaded.jobs {
        match job.compile(compile) {
            Ok(compiled) => file.jobs.push(serde_json::to_value(&compiled).unwrap_or_default()),
            Err(d) => file.problems.push(*d),
        }
    }
    file
}
