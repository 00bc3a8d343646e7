//! `pjob list`: processing jobs, newest first.

use pjob_executor_aws::{JobStatus, ListFilter};

use super::aws::{fail, with_executor};
use crate::args::{ListArgs, OutputFormat};
use crate::exit::Exit;
use crate::settings::Settings;

/// The statuses `--status` takes.
const STATUSES: [&str; 5] = ["InProgress", "Completed", "Failed", "Stopping", "Stopped"];

/// Runs `pjob list`.
pub fn run(settings: &Settings, args: &ListArgs) -> Exit {
    let status = match &args.status {
        None => None,
        Some(s) => match STATUSES.iter().find(|known| known.eq_ignore_ascii_case(s)) {
            Some(known) => Some(JobStatus::parse(known)),
            None => {
                eprintln!("error: `--status {s}`: expected one of {}", STATUSES.join(", "));
                return Exit::Invalid;
            }
        },
    };
    with_executor(settings, |executor| async move {
        let filter = ListFilter { name_contains: args.name_contains.clone(), status, max: args.max };
        let jobs = match executor.list(&filter).await {
            Ok(jobs) => jobs,
            Err(e) => return fail(None, &e),
        };
        match settings.output {
            Some(format @ (OutputFormat::Json | OutputFormat::Yaml)) => {
                crate::output::print(&serde_json::to_value(&jobs).unwrap_or_default(), format);
            }
            _ => {
                let width = jobs.iter().map(|j| j.processing_job_name.len()).max().unwrap_or(0).max(4);
                let mut text = format!("{:<width$}  {:<10}  CREATED", "NAME", "STATUS");
                for job in &jobs {
                    text.push_str(&format!(
                        "\n{:<width$}  {:<10}  {}",
                        job.processing_job_name,
                        job.processing_job_status.as_str(),
                        job.creation_time.as_deref().unwrap_or("-")
                    ));
                }
                crate::output::line(&text);
            }
        }
        Exit::Success
    })
}
