//! `pjob validate`: every problem in every manifest, no AWS calls.
//!
//! Validation streams: each file is checked (and compiled, offline) on a
//! worker thread, its problems are printed in file order, and the file is
//! dropped; only a summary line per job is kept for `-o json`, and what the
//! set's own rules need (names, outputs, the jobs that refer to others).

use pjob_compiler::CompileError;

use pjob_jobset::{CompileSettings, Job, Links, LoadError, Loaded, Member, SetIndex};
use pjob_manifest::Target;
use serde_json::Value;

use crate::args::{OutputFormat, ValidateArgs};
use crate::exit::Exit;
use crate::settings::Settings;
use crate::{load, report};

/// What one file's check leaves for the report.
#[derive(Default)]
struct FileReport {
    /// Errors that belong to no document (unreadable path, no manifest).
    errors: Vec<LoadError>,
    /// Problems: rendered for the terminal, or as JSON.
    problems: Vec<Problem>,
    /// How many jobs are valid.
    valid: usize,
    /// The valid jobs, as `-o json` lists them (only for JSON and YAML output).
    jobs: Vec<Value>,
    /// Jobs that need a region for their image (`name (file)`).
    need_region: Vec<String>,
    /// Jobs whose code comes from `git_config` (`name (file)`).
    from_git: Vec<String>,
    /// What the set keeps of each job, and the jobs that depend on others.
    set: Vec<SetEntry>,
    /// Names of documents that did not validate.
    invalid: Vec<String>,
    files: usize,
    documents: usize,
}

/// What the set keeps of one job, with the job itself (and its links)
/// when it depends on others. The file is not handed on: what the set
/// reports about a job (a name taken twice) reads it again.
type SetEntry = (Member, Option<(Job, Links)>);

/// A located problem, ready to print.
enum Problem {
    Text(String),
    Json(Value),
}

/// The whole run's tally.
#[derive(Default)]
struct Tally {
    problems: usize,
    jobs: Vec<Value>,
    valid: usize,
    json_errors: Vec<Value>,
    need_region: Vec<String>,
    from_git: Vec<String>,
    files: usize,
    documents: usize,
    set: SetIndex,
}

/// Runs `pjob validate`.
pub fn run(settings: &Settings, args: &ValidateArgs) -> Exit {
    let target = if args.local { Target::Local } else { Target::Aws };
    let format = settings.output.unwrap_or(OutputFormat::Text);
    let compile = settings.compile_settings(false);
    let mut tally = Tally::default();
    load::loader(settings, target).stream(&args.paths, |loaded| check_file(loaded, &compile, format), |report| tally.add(report, format));
    tally.check_set(format);
    let unused = load::unused_variables(settings);
    let ok = tally.problems == 0 && unused.is_ok();
    match format {
        OutputFormat::Text => print_summary(&tally, ok),
        format => {
            let out = serde_json::json!({"valid": ok, "files": tally.files, "jobs": tally.jobs, "errors": tally.json_errors});
            crate::output::print(&out, format);
        }
    }
    // The command ends here, and the process with it: what the run kept (an
    // entry a job) is left to the operating system, not freed entry by entry.
    std::mem::forget(tally);
    if ok { Exit::Success } else { Exit::Invalid }
}

/// Compiles a file's jobs (offline: it catches what only the compiler
/// knows, such as image versions and the SDK's refusals) and renders its
/// problems. A job whose image needs a region that is not set, or whose
/// code is in a `git_config` repository (never fetched here), is not held
/// against the manifest, only noted.
fn check_file(loaded: Loaded, compile: &CompileSettings, format: OutputFormat) -> FileReport {
    let mut report = FileReport {
        files: loaded.files,
        documents: loaded.documents,
        errors: loaded.errors,
        invalid: loaded.invalid,
        ..FileReport::default()
    };
    let mut diagnostics = loaded.diagnostics;
    for job in loaded.jobs {
        match job.check_with(&compile.options_for(&job)) {
            Ok(_) => {}
            Err(CompileError::MissingRegion { .. }) => report.need_region.push(job_label(&job)),
            Err(CompileError::GitNotFetched { .. }) => report.from_git.push(job_label(&job)),
            Err(e) => {
                diagnostics.push(job.compile_diagnostic(&e));
                report.set.push((job.member(), None));
                continue;
            }
        }
        report.valid += 1;
        if format != OutputFormat::Text {
            report.jobs.push(serde_json::json!({
                "file": job.file.name(), "document": job.doc.index, "kind": job.manifest.kind().as_str(), "name": job.manifest.metadata.name,
            }));
        }
        let (member, links) = (job.member(), job.links());
        report.set.push((member, (!links.is_empty()).then_some((job, links))));
    }
    report.problems = diagnostics
        .iter()
        .map(|d| match format {
            OutputFormat::Text => Problem::Text(report::render(d)),
            _ => Problem::Json(d.to_json()),
        })
        .collect();
    report
}

impl Tally {
    /// Prints a file's problems (text) and counts them.
    fn add(&mut self, file: FileReport, format: OutputFormat) {
        self.problems += file.errors.len() + file.problems.len();
        for e in &file.errors {
            match format {
                OutputFormat::Text => report::error(None, e),
                _ => self.json_errors.push(serde_json::json!({"message": e.to_string()})),
            }
        }
        for problem in file.problems {
            match problem {
                Problem::Text(text) => eprint!("{text}"),
                Problem::Json(value) => self.json_errors.push(value),
            }
        }
        self.valid += file.valid;
        if format != OutputFormat::Text {
            self.jobs.extend(file.jobs);
        }
        self.need_region.extend(file.need_region);
        self.from_git.extend(file.from_git);
        self.files += file.files;
        self.documents += file.documents;
        file.invalid.into_iter().for_each(|name| self.set.record_invalid(name));
        for (member, held) in file.set {
            self.set.record(member, held.as_ref().map(|(job, _)| &*job.file));
            if let Some((job, links)) = held {
                self.set.hold(job, links);
            }
        }
    }

    /// The set's own rules: unique names, known references, no cycle.
    fn check_set(&mut self, format: OutputFormat) {
        let Err(problems) = std::mem::take(&mut self.set).finish() else { return };
        self.problems += problems.len();
        for d in &problems {
            match format {
                OutputFormat::Text => eprint!("{}", report::render(d)),
                _ => self.json_errors.push(d.to_json()),
            }
        }
    }
}

fn print_summary(tally: &Tally, ok: bool) {
    if !tally.need_region.is_empty() {
        eprintln!(
            "note: {} need an AWS region to resolve their image: pass --region (or set AWS_REGION) to render, plan or apply them",
            some_of(&tally.need_region)
        );
    }
    if !tally.from_git.is_empty() {
        eprintln!(
            "note: {} take their code from `git_config`, which validate does not fetch: `pjob render` checks the repository",
            some_of(&tally.from_git)
        );
    }
    if ok {
        crate::output::line(&format!("ok: {} job(s) in {} file(s) are valid", tally.valid, tally.files));
    } else {
        eprintln!(
            "error: {} problem(s) found in {} file(s); {} of {} job(s) valid",
            tally.problems, tally.files, tally.valid, tally.documents
        );
    }
}

/// The jobs a note names: the first few, and how many more.
fn some_of(jobs: &[String]) -> String {
    const SHOWN: usize = 5;
    match jobs.len() {
        n if n <= SHOWN => jobs.join(", "),
        n => format!("{} and {} more job(s)", jobs[..SHOWN].join(", "), n - SHOWN),
    }
}

/// `name (file)`, for notes about a job.
fn job_label(job: &Job) -> String {
    format!("{} ({})", job.manifest.metadata.name, job.file.name())
}
