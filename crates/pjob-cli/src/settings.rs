//! The one conversion of global command-line options into what the
//! libraries take: executor options, compile settings and the template
//! renderer. Every command reads [`Settings`], never the raw arguments.

use std::time::{Duration, SystemTime};

use pjob_executor_aws::AwsOptions;
use pjob_jobset::CompileSettings;
use pjob_pipeline::PipelineOptions;
use pjob_template::{Renderer, Variables, VariablesError};

use crate::args::{GlobalArgs, OutputFormat, PipelineArgs};
use crate::exit::Exit;

/// Global options, converted once per run.
pub(crate) struct Settings {
    /// `-o`: how results are printed (`None`: the command's default).
    pub output: Option<OutputFormat>,
    /// AWS options for the executors (`--region`, `--profile`, `--endpoint-url`,
    /// `--call-timeout`, `--operation-timeout`).
    pub aws: AwsOptions,
    /// What the compiler needs (`--region` or `AWS_DEFAULT_REGION`, `--default-bucket`,
    /// `--default-bucket-prefix`).
    pub compile: CompileSettings,
    /// The template renderer with `--vars-file` and `--var` values.
    pub renderer: Renderer,
    /// `--strict`: warnings are errors.
    pub strict: bool,
    /// `--pipeline` and its options, for the commands that take them.
    pub pipeline: Option<PipelineOptions>,
}

impl Settings {
    /// Converts the global options and a command's pipeline options; a bad
    /// `--var`, `--vars-file` or pipeline name is reported here.
    pub fn from_args(global: &GlobalArgs, pipeline: Option<&PipelineArgs>) -> Result<Settings, Exit> {
        crate::report::set_verbose(global.verbose);
        let non_empty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let region = non_empty(&global.region);
        let aws = AwsOptions {
            region: region.clone(),
            profile: non_empty(&global.profile),
            endpoint_url: non_empty(&global.endpoint_url),
            max_attempts: None,
            call_timeout: Some(Duration::from_secs(global.call_timeout)),
            operation_timeout: Some(Duration::from_secs(global.operation_timeout)),
        };
        let compile = CompileSettings {
            region: region.or_else(|| std::env::var("AWS_DEFAULT_REGION").ok().filter(|r| !r.is_empty())),
            default_bucket: non_empty(&global.default_bucket),
            default_bucket_prefix: non_empty(&global.default_bucket_prefix),
            force_timestamp_name: false,
            now: SystemTime::now(),
            git_timeout: Duration::from_secs(global.git_timeout),
            archive_cache: pjob_jobset::DiskArchiveCache::at_default_location()
                .map(|cache| std::sync::Arc::new(cache) as std::sync::Arc<dyn pjob_compiler::ArchiveCache>),
            keep_references: pipeline.is_some(),
        };
        let variables = variables(global)?;
        let pipeline = pipeline.map(|args| pipeline_settings(args, &variables)).transpose()?;
        let parameters = pipeline.as_ref().map(|p| p.parameters.clone()).unwrap_or_default();
        let renderer = Renderer::new(variables).with_pipeline_parameters(parameters);
        Ok(Settings { output: global.output, aws, compile, renderer, strict: global.strict, pipeline })
    }

    /// Whether results go to stdout as JSON or YAML.
    pub fn structured(&self) -> bool {
        matches!(self.output, Some(OutputFormat::Json | OutputFormat::Yaml))
    }

    /// Compile settings for a command that takes `--new`.
    pub fn compile_settings(&self, new: bool) -> CompileSettings {
        CompileSettings { force_timestamp_name: new, ..self.compile.clone() }
    }
}

/// `--pipeline NAME` and its options, with the name checked.
fn pipeline_settings(args: &PipelineArgs, variables: &Variables) -> Result<PipelineOptions, Exit> {
    let name = args.pipeline.clone().unwrap_or_default();
    if !pjob_pipeline::is_valid_name(&name) {
        eprintln!(
            "error: --pipeline {name:?}: a pipeline name is 1 to 256 letters, digits and hyphens, starting and ending with a letter or digit"
        );
        return Err(Exit::Invalid);
    }
    let command_line = variables.iter().filter(|(k, _)| args.parameters.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
    Ok(PipelineOptions { name, parameters: args.parameters.clone(), role: args.pipeline_role.clone(), command_line })
}

/// `--vars-file` and `--var`, in that order (later wins).
fn variables(global: &GlobalArgs) -> Result<Variables, Exit> {
    let mut variables = Variables::new();
    let report = |e: VariablesError| {
        match e {
            VariablesError::Syntax(d) => crate::report::print_all(&[*d]),
            other => crate::report::error(None, &other),
        }
        Exit::Invalid
    };
    for file in &global.vars_files {
        variables.add_file(file).map_err(report)?;
    }
    for assignment in &global.vars {
        variables.set(assignment).map_err(report)?;
    }
    Ok(variables)
}
