//! `pjob render --pipeline NAME`: the pipeline definition and the
//! artifacts its steps read, no AWS calls.

use serde_json::json;

use crate::args::{OutputFormat, RenderArgs};
use crate::exit::Exit;
use pjob_pipeline::PipelineOptions;

use crate::settings::Settings;

/// Prints `{"pipeline": {"name", "definition"}, "artifacts": [...]}`.
pub(crate) fn run(settings: &Settings, pipeline: &PipelineOptions, args: &RenderArgs) -> Exit {
    let built = match super::build_offline(settings, pipeline, &args.files) {
        Ok(built) => built,
        Err(exit) => return exit,
    };
    let format = match settings.output {
        Some(OutputFormat::Yaml) => OutputFormat::Yaml,
        _ => OutputFormat::Json,
    };
    let document = json!({
        "pipeline": {"name": built.name, "definition": built.definition},
        "artifacts": built.artifacts(),
    });
    crate::output::print(&document, format);
    Exit::Success
}
