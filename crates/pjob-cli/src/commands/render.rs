//! `pjob render`: the compiled request(s) and artifacts, no AWS calls.

use pjob_compiler::CompiledJob;
use pjob_manifest::Target;

use crate::args::{OutputFormat, RenderArgs};
use crate::exit::Exit;
use crate::load;
use crate::settings::Settings;

/// The `{"jobs": [{"request", "artifacts"}]}` document.
pub fn document(compiled: &[CompiledJob]) -> serde_json::Value {
    serde_json::json!({ "jobs": compiled })
}

/// Runs `pjob render`.
pub fn run(settings: &Settings, args: &RenderArgs) -> Exit {
    let compiled =
        match load::load(settings, &args.files, Target::Aws).and_then(|jobs| load::compile(&jobs, &settings.compile_settings(args.new))) {
            Ok(compiled) => compiled,
            Err(exit) => return exit,
        };
    let format = match settings.output {
        Some(OutputFormat::Yaml) => OutputFormat::Yaml,
        _ => OutputFormat::Json,
    };
    crate::output::print(&document(&compiled), format);
    Exit::Success
}
