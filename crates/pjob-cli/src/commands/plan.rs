//! `pjob plan`: what `apply` would do with each job, and why.
//!
//! A `changed` job (a new name while an older job of the same
//! `metadata.name` exists) is compared with the newest such job: its
//! request field by field, its artifacts by content hash.

use pjob_compiler::request_diff::Change;
use pjob_executor_aws::{AwsExecutor, ExecutorError, PlanAction};
use serde::Serialize;

use super::aws::{SetJob, check_offline, compile_for, fail, with_executor};
use crate::args::{OutputFormat, PlanArgs};
use crate::exit::Exit;
use crate::settings::Settings;

/// One job's plan, as `-o json` prints it.
#[derive(Debug, Serialize)]
struct PlannedJob {
    /// The manifest file.
    file: String,
    /// Its `metadata.name`.
    job: String,
    /// The SageMaker job name.
    name: String,
    /// `create`, `exists` or `changed`.
    action: &'static str,
    /// The existing job's status (for `exists`).
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    /// The jobs of the set it depends on.
    depends_on: Vec<String>,
    /// Why it is `changed`: one line per change, as the text shows it.
    reasons: Vec<String>,
    /// The field-level changes from the earlier job.
    diff: Vec<Change>,
    /// The earlier job it was compared with (the text names it).
    #[serde(skip)]
    compared_with: Option<String>,
}

/// Runs `pjob plan`.
pub fn run(settings: &Settings, args: &PlanArgs) -> Exit {
    if let Err(exit) = check_offline(settings, &args.paths, false) {
        return exit;
    }
    with_executor(settings, |executor| async move {
        let (jobs, _) = match compile_for(settings, &executor, &args.paths, false).await {
            Ok(c) => c,
            Err(exit) => return exit,
        };
        let mut planned: Vec<PlannedJob> = Vec::with_capacity(jobs.len());
        for job in &jobs {
            match plan_job(&executor, job).await {
                Ok(p) => planned.push(with_upstream_reasons(p, &planned)),
                Err(e) => return fail(Some(job.compiled.name()), &e),
            }
        }
        match settings.output {
            Some(format @ (OutputFormat::Json | OutputFormat::Yaml)) => {
                crate::output::print(&serde_json::json!({ "jobs": planned }), format);
            }
            _ => planned.iter().for_each(|p| crate::output::write(&text(p))),
        }
        Exit::Success
    })
}

/// What `apply` would do with one job; for a changed one, the changes
/// since the newest earlier job of its `metadata.name`.
async fn plan_job(executor: &AwsExecutor, set_job: &SetJob) -> Result<PlannedJob, ExecutorError> {
    let SetJob { file, job, compiled, depends_on } = set_job;
    let mut planned = PlannedJob {
        file: file.display().to_string(),
        job: job.clone(),
        name: compiled.name().to_string(),
        action: "create",
        status: None,
        depends_on: depends_on.clone(),
        reasons: Vec::new(),
        diff: Vec::new(),
        compared_with: None,
    };
    match executor.plan(compiled).await? {
        PlanAction::Create => {}
        PlanAction::Exists(info) => {
            planned.action = "exists";
            planned.status = Some(info.processing_job_status.to_string());
        }
        PlanAction::Changed { previous } => {
            planned.action = "changed";
            // `previous` is newest first.
            if let Some(newest) = previous.first() {
                let name = &newest.processing_job_name;
                planned.diff = executor.changes_since(name, compiled).await?.unwrap_or_default();
                planned.reasons = planned.diff.iter().map(Change::to_string).collect();
                planned.compared_with = Some(format!("{name}, {}", newest.processing_job_status));
            }
        }
    }
    Ok(planned)
}

/// A changed job's plan with `upstream changed: <name>` first among its
/// reasons for each job it depends on that will run again (`planned` holds
/// the jobs before it: the set comes upstream first).
fn with_upstream_reasons(mut p: PlannedJob, planned: &[PlannedJob]) -> PlannedJob {
    if p.action != "changed" {
        return p;
    }
    let changed = p.depends_on.iter().filter(|d| planned.iter().any(|u| &u.job == *d && u.action != "exists"));
    let upstream: Vec<String> = changed.map(|d| format!("upstream changed: {d}")).collect();
    p.reasons.splice(0..0, upstream);
    p
}

/// One job's plan as text: `ACTION  NAME (detail)  [FILE]`, then, for a
/// changed job, its reasons indented.
fn text(p: &PlannedJob) -> String {
    let detail = match (p.action, &p.status, &p.compared_with) {
        ("exists", Some(status), _) => format!(" (already {status}; apply reports it)"),
        ("changed", _, Some(earlier)) => format!(" (new version of {earlier})"),
        _ => String::new(),
    };
    let mut text = format!("{:<8} {}{detail}  [{}]\n", p.action, p.name, p.file);
    for reason in &p.reasons {
        text.push_str(&format!("  {reason}\n"));
    }
    text
}
