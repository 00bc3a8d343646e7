//! `pjob plan`: what `apply` would do with each job.

use pjob_executor_aws::PlanAction;

use super::aws::{SetJob, check_offline, compile_for, fail, with_executor};
use crate::args::{OutputFormat, PlanArgs};
use crate::exit::Exit;
use crate::settings::Settings;

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
        let mut rows = Vec::new();
        for SetJob { file, compiled, .. } in &jobs {
            let action = match executor.plan(compiled).await {
                Ok(a) => a,
                Err(e) => return fail(Some(compiled.name()), &e),
            };
            let file = file.display().to_string();
            rows.push(match action {
                PlanAction::Create => serde_json::json!({"file": file, "name": compiled.name(), "action": "create"}),
                PlanAction::Exists(info) => serde_json::json!({
                    "file": file, "name": compiled.name(), "action": "exists", "status": info.processing_job_status,
                }),
                PlanAction::Changed { previous } => serde_json::json!({
                    "file": file, "name": compiled.name(), "action": "changed",
                    "previous": previous.iter().map(|p| serde_json::json!({
                        "name": p.processing_job_name, "status": p.processing_job_status,
                    })).collect::<Vec<_>>(),
                }),
            });
        }
        match settings.output {
            Some(format @ (OutputFormat::Json | OutputFormat::Yaml)) => crate::output::print(&serde_json::json!({ "jobs": rows }), format),
            _ => {
                for row in &rows {
                    crate::output::line(&text_row(row));
                }
            }
        }
        Exit::Success
    })
}

/// One job's plan as a line: `create  NAME  (FILE)`.
fn text_row(row: &serde_json::Value) -> String {
    let s = |k: &str| row[k].as_str().unwrap_or_default().to_string();
    let detail = match s("action").as_str() {
        "exists" => format!("{} (already {}; apply reports it)", s("name"), s("status")),
        "changed" => {
            let previous: Vec<String> = row["previous"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| format!("{} ({})", p["name"].as_str().unwrap_or_default(), p["status"].as_str().unwrap_or_default()))
                .collect();
            format!("{} (new version; earlier: {})", s("name"), previous.join(", "))
        }
        _ => s("name"),
    };
    format!("{:<8} {detail}  [{}]", s("action"), s("file"))
}
