//! `pjob validate`: every problem in every manifest, no AWS calls.

use pjob_compiler::CompileError;
use pjob_jobset::Job;
use pjob_manifest::Target;

use crate::args::{OutputFormat, ValidateArgs};
use crate::exit::Exit;
use crate::load;
use crate::settings::Settings;

/// Runs `pjob validate`.
pub fn run(settings: &Settings, args: &ValidateArgs) -> Exit {
    let target = if args.local { Target::Local } else { Target::Aws };
    let mut loaded = load::load_set(settings, &args.paths, target);
    // Compiling is offline too, and catches what only the compiler knows
    // (image versions, the SDK's refusals); a job whose image needs a region
    // that is not set, or whose code is in a `git_config` repository (never
    // fetched here), is not held against the manifest, only noted.
    let compile = settings.compile_settings(false);
    let mut compile_problems = Vec::new();
    let mut need_region = Vec::new();
    let mut from_git = Vec::new();
    loaded.jobs.retain(|job| match job.compile_with(&compile.options_for(job)) {
        Ok(_) => true,
        Err(CompileError::MissingRegion { .. }) => {
            need_region.push(job_label(job));
            true
        }
        Err(CompileError::GitNotFetched { .. }) => {
            from_git.push(job_label(job));
            true
        }
        Err(e) => {
            compile_problems.push(job.compile_diagnostic(&e));
            false
        }
    });
    loaded.diagnostics.extend(compile_problems);
    let unused = load::unused_variables(settings);
    let ok = !loaded.has_problems() && unused.is_ok();
    match settings.output.unwrap_or(OutputFormat::Text) {
        OutputFormat::Text => {
            load::print_problems(&loaded);
            if !need_region.is_empty() {
                eprintln!(
                    "note: {} need an AWS region to resolve their image: pass --region (or set AWS_REGION) to render, plan or apply them",
                    need_region.join(", ")
                );
            }
            if !from_git.is_empty() {
                eprintln!(
                    "note: {} take their code from `git_config`, which validate does not fetch: `pjob render` checks the repository",
                    from_git.join(", ")
                );
            }
            if ok {
                crate::output::line(&format!("ok: {} job(s) in {} file(s) are valid", loaded.jobs.len(), loaded.files));
            } else {
                eprintln!(
                    "error: {} problem(s) found in {} file(s); {} of {} job(s) valid",
                    loaded.diagnostics.len() + loaded.errors.len(),
                    loaded.files,
                    loaded.jobs.len(),
                    loaded.documents
                );
            }
        }
        format => {
            let mut errors: Vec<serde_json::Value> = loaded.errors.iter().map(|e| serde_json::json!({"message": e.to_string()})).collect();
            errors.extend(loaded.diagnostics.iter().map(|d| d.to_json()));
            let jobs: Vec<serde_json::Value> = loaded
                .jobs
                .iter()
                .map(|j| {
                    serde_json::json!({"file": j.file.name(), "document": j.doc.index, "kind": j.manifest.kind().as_str(), "name": j.manifest.metadata.name})
                })
                .collect();
            let out = serde_json::json!({"valid": ok, "files": loaded.files, "jobs": jobs, "errors": errors});
            crate::output::print(&out, format);
        }
    }
    if ok { Exit::Success } else { Exit::Invalid }
}

/// `name (file)`, for notes about a job.
fn job_label(job: &Job) -> String {
    format!("{} ({})", job.manifest.metadata.name, job.file.name())
}
