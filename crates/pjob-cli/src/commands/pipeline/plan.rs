//! `pjob plan --pipeline NAME`: whether `apply --pipeline` would create the
//! pipeline, update it (and what changes in its definition), or leave it.

use pjob_compiler::request_diff::{Change, Op};
use serde_json::json;

use crate::args::{OutputFormat, PlanArgs};
use crate::commands::aws::fail;
use crate::exit::Exit;
use pjob_pipeline::PipelineOptions;

use crate::settings::Settings;

/// Runs `pjob plan --pipeline`.
pub(crate) fn run(settings: &Settings, pipeline: &PipelineOptions, args: &PlanArgs) -> Exit {
    super::with_built(settings, pipeline, &args.paths, |executor, built| async move {
        let existing = match executor.describe_pipeline(&built.name).await {
            Ok(existing) => existing,
            Err(e) => return fail(Some(&built.name), &e),
        };
        let (action, diff) = match existing {
            None => ("create", Vec::new()),
            Some(info) => {
                let old = info.definition.unwrap_or_default();
                let mut diff = pjob_pipeline::diff::diff(&old, &built.definition);
                if info.role_arn.as_deref() != Some(built.role.as_str()) {
                    let (old, new) = (json!(info.role_arn), json!(built.role));
                    diff.insert(0, Change { op: Op::Changed, path: "RoleArn".into(), old, new });
                }
                (if diff.is_empty() { "unchanged" } else { "update" }, diff)
            }
        };
        match settings.output {
            Some(format @ (OutputFormat::Json | OutputFormat::Yaml)) => {
                crate::output::print(&json!({"pipeline": built.name, "action": action, "steps": built.jobs.len(), "diff": diff}), format);
            }
            _ => {
                let mut text = format!("pipeline {}: {action} ({} steps)", built.name, built.jobs.len());
                for change in &diff {
                    text.push_str(&format!("\n    {change}"));
                }
                crate::output::line(&text);
            }
        }
        Exit::Success
    })
}
