//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Declarative Amazon SageMaker Processing jobs: validate, render and apply
/// YAML or TOML job manifests.
#[derive(Debug, Parser)]
#[command(name = "pjob", version, about, max_term_width = 100)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// AWS region (default: the AWS chain: AWS_REGION, the profile, ...).
    #[arg(long, global = true, env = "AWS_REGION", hide_env_values = true)]
    pub region: Option<String>,
    /// AWS profile from ~/.aws/config.
    #[arg(long, global = true, env = "AWS_PROFILE", hide_env_values = true)]
    pub profile: Option<String>,
    /// Endpoint URL for every AWS service (for emulators such as moto).
    #[arg(long, global = true, env = "PJOB_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// Bucket for uploaded code and default outputs (default: sagemaker-<region>-<account>).
    #[arg(long, global = true)]
    pub default_bucket: Option<String>,
    /// Output format.
    #[arg(short = 'o', long = "output", global = true, value_enum)]
    pub output: Option<OutputFormat>,
    /// Set a template variable (NAME=VALUE); wins over --vars-file and `vars:`.
    #[arg(long = "var", global = true, value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read template variables from a YAML, TOML or JSON file; wins over `vars:`.
    #[arg(long = "vars-file", global = true, value_name = "FILE")]
    pub vars_files: Vec<PathBuf>,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// For people.
    Text,
    /// JSON, for programs and CI.
    Json,
    /// YAML.
    Yaml,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests (files, or folders searched for *.yaml, *.yml, *.toml); no AWS calls.
    Validate(ValidateArgs),
    /// Print the CreateProcessingJob request(s) and artifacts a manifest compiles to; no AWS calls.
    Render(RenderArgs),
    /// Print the manifest JSON Schema.
    Schema(SchemaArgs),
    /// Write a commented starter manifest for a kind.
    Init(InitArgs),
}

/// `pjob validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Manifest files or folders.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Validate for `apply --local` (local output destinations allowed).
    #[arg(long)]
    pub local: bool,
}

/// `pjob render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Manifest file(s).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Name the job with the SDK's timestamp (a new job every time).
    #[arg(long)]
    pub new: bool,
}

/// `pjob schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Write the schema to this file instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
}

/// `pjob init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Kind of job: Processor, ScriptProcessor, FrameworkProcessor,
    /// PySparkProcessor, SparkJarProcessor or ClarifyProcessor.
    pub kind: String,
    /// File to write (`-` prints it).
    #[arg(long, short = 'f', default_value = "job.pjob.yaml")]
    pub file: PathBuf,
    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
}
