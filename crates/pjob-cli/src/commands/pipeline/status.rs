//! `pjob status --pipeline NAME`: the pipeline's latest execution and its steps.

use serde_json::json;

use crate::args::OutputFormat;
use crate::commands::aws::{fail, with_executor};
use crate::exit::Exit;
use crate::settings::Settings;

/// Runs `pjob status --pipeline`.
pub(crate) fn run(settings: &Settings, name: &str) -> Exit {
    with_executor(settings, |executor| async move {
        let execution = match executor.latest_execution(name).await {
            Ok(Some(execution)) => execution,
            Ok(None) => {
                eprintln!("pipeline {name} has not run yet: start it with pjob apply --pipeline {name} PATH...");
                return Exit::Success;
            }
            Err(e) => return fail(Some(name), &e),
        };
        let steps = match executor.execution_steps(&execution.arn).await {
            Ok(steps) => steps,
            Err(e) => return fail(Some(name), &e),
        };
        match settings.output {
            Some(format @ (OutputFormat::Json | OutputFormat::Yaml)) => {
                crate::output::print(&json!({"pipeline": name, "execution": execution, "steps": steps}), format);
            }
            _ => {
                let mut lines = vec![
                    format!("Pipeline:   {name}"),
                    format!("Execution:  {}", execution.arn),
                    format!("Status:     {}", execution.status),
                ];
                lines.extend(execution.failure_reason.as_ref().map(|r| format!("Failure:    {r}")));
                lines.extend(execution.started.as_ref().map(|t| format!("Started:    {t}")));
                let table = super::apply::steps_table(&steps);
                crate::output::line(&format!("{}\n\n{}", lines.join("\n"), table.trim_end()));
            }
        }
        Exit::Success
    })
}
