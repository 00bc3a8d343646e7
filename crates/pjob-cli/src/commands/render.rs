//! `pjob render`: the compiled request(s) and artifacts, no AWS calls.

use std::time::SystemTime;

use pjob_compiler::{CompileOptions, CompiledJob};
use pjob_manifest::Target;

use crate::args::{GlobalArgs, OutputFormat, RenderArgs};
use crate::exit::Exit;
use crate::load::{self, Job};
use crate::report;

/// Compile options for a job from the command line.
pub fn compile_options(global: &GlobalArgs, job: &Job, new: bool, bucket: Option<&str>) -> CompileOptions {
    let region = global.region.clone().or_else(|| std::env::var("AWS_DEFAULT_REGION").ok()).filter(|r| !r.is_empty());
    let default_bucket = match (global.default_bucket.as_deref(), bucket) {
        (Some(b), _) | (None, Some(b)) => b.to_string(),
        (None, None) => format!("sagemaker-{}-<account>", region.as_deref().unwrap_or("<region>")),
    };
    CompileOptions { region, default_bucket, base_dir: job.base_dir(), force_timestamp_name: new, now: SystemTime::now() }
}

/// Compiles every job, or returns every compile error as a diagnostic.
pub fn compile_all(jobs: &[Job], options: impl Fn(&Job) -> CompileOptions) -> Result<Vec<CompiledJob>, Vec<pjob_source::Diagnostic>> {
    let mut compiled = Vec::new();
    let mut problems = Vec::new();
    for job in jobs {
        match pjob_compiler::compile(&job.manifest, &options(job)) {
            Ok(c) => compiled.push(c),
            Err(e) => problems.push(job.diagnostic_at(e.pointer(), e.code(), e.to_string(), e.help())),
        }
    }
    if problems.is_empty() { Ok(compiled) } else { Err(problems) }
}

/// The `{"jobs": [{"request", "artifacts"}]}` document.
pub fn document(compiled: &[CompiledJob]) -> serde_json::Value {
    serde_json::json!({ "jobs": compiled })
}

/// Runs `pjob render`.
pub fn run(global: &GlobalArgs, args: &RenderArgs) -> Exit {
    let renderer = match super::renderer(global) {
        Ok(r) => r,
        Err(exit) => return exit,
    };
    let loaded = load::load(&args.files, &renderer, Target::Aws);
    if loaded.has_problems() {
        for e in &loaded.errors {
            eprintln!("error: {e}");
        }
        report::print_all(&loaded.diagnostics);
        return Exit::Invalid;
    }
    match compile_all(&loaded.jobs, |job| compile_options(global, job, args.new, None)) {
        Ok(compiled) => {
            let format = match global.output {
                Some(OutputFormat::Yaml) => OutputFormat::Yaml,
                _ => OutputFormat::Json,
            };
            crate::output::print(&document(&compiled), format);
            Exit::Success
        }
        Err(problems) => {
            report::print_all(&problems);
            Exit::Invalid
        }
    }
}
