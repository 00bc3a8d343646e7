//! `pjob validate`: every problem in every manifest, no AWS calls.

use pjob_manifest::Target;

use super::render;
use crate::args::{GlobalArgs, OutputFormat, ValidateArgs};
use crate::exit::Exit;
use crate::{load, report};

/// Runs `pjob validate`.
pub fn run(global: &GlobalArgs, args: &ValidateArgs) -> Exit {
    let renderer = match super::renderer(global) {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    let target = if args.local { Target::Local } else { Target::Aws };
    let mut loaded = load::load(&args.paths, &renderer, target);
    // Compiling is offline too, and catches what only the compiler knows
    // (image versions, the SDK's refusals); a job whose image needs a region
    // that is not set is not held against the manifest.
    let mut compile_problems = Vec::new();
    loaded.jobs.retain(|job| match pjob_compiler::compile(&job.manifest, &render::compile_options(global, job, false, None)) {
        Ok(_) | Err(pjob_compiler::CompileError::MissingRegion { .. }) => true,
        Err(e) => {
            compile_problems.push(job.diagnostic_at(e.pointer(), e.code(), e.to_string(), e.help()));
            false
        }
    });
    loaded.diagnostics.extend(compile_problems);
    let ok = !loaded.has_problems();
    match global.output.unwrap_or(OutputFormat::Text) {
        OutputFormat::Text => {
            for e in &loaded.errors {
                eprintln!("error: {e}");
            }
            report::print_all(&loaded.diagnostics);
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
                .map(|j| serde_json::json!({"file": j.file.name(), "document": j.doc.index, "kind": j.manifest.kind().as_str(), "name": j.manifest.metadata.name}))
                .collect();
            let out = serde_json::json!({"valid": ok, "files": loaded.files, "jobs": jobs, "errors": errors});
            crate::output::print(&out, format);
        }
    }
    if ok { Exit::Success } else { Exit::Invalid }
}
