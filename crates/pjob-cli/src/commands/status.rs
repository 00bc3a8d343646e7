//! `pjob status NAME`.

use super::aws::{fail, with_executor};
use crate::args::OutputFormat;
use crate::exit::Exit;
use crate::settings::Settings;

/// Runs `pjob status`.
pub fn run(settings: &Settings, name: &str) -> Exit {
    with_executor(settings, |executor| async move {
        let info = match executor.describe(name).await {
            Ok(Some(info)) => info,
            Ok(None) => return fail(None, &pjob_executor_aws::ExecutorError::NotFound { name: name.to_string() }),
            Err(e) => return fail(Some(name), &e),
        };
        match settings.output {
            Some(format @ (OutputFormat::Json | OutputFormat::Yaml)) => {
                crate::output::print(&serde_json::to_value(&info).unwrap_or_default(), format);
            }
            _ => {
                let mut lines =
                    vec![format!("Name:       {}", info.processing_job_name), format!("Status:     {}", info.processing_job_status)];
                let optional = [
                    ("Failure:   ", &info.failure_reason),
                    ("Exit:      ", &info.exit_message),
                    ("Created:   ", &info.creation_time),
                    ("Started:   ", &info.processing_start_time),
                    ("Ended:     ", &info.processing_end_time),
                    ("ARN:       ", &info.processing_job_arn),
                ];
                lines.extend(optional.iter().filter_map(|(label, value)| value.as_ref().map(|v| format!("{label} {v}"))));
                let image = &info.request.app_specification.image_uri;
                if !image.is_empty() {
                    lines.push(format!("Image:      {image}"));
                }
                let cluster = &info.request.processing_resources.cluster_config;
                if cluster.instance_count > 0 {
                    lines.push(format!("Instances:  {} x {}", cluster.instance_count, cluster.instance_type));
                }
                crate::output::line(&lines.join("\n"));
            }
        }
        Exit::Success
    })
}
