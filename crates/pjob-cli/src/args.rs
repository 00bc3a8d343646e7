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
    #[arg(long, global = true, env = "PJOB_ENDPOINT_URL", hide_env_values = true)]
    pub endpoint_url: Option<String>,
    /// Bucket for uploaded code and default outputs (default: sagemaker-<region>-<account>).
    #[arg(long, global = true)]
    pub default_bucket: Option<String>,
    /// Key prefix in the default bucket, as the SDK session's
    /// default_bucket_prefix: s3://<bucket>/<prefix>/<job>/... (a manifest's
    /// spec.default_bucket_prefix wins).
    #[arg(long, global = true, value_name = "PREFIX")]
    pub default_bucket_prefix: Option<String>,
    /// Output format.
    #[arg(short = 'o', long = "output", global = true, value_enum)]
    pub output: Option<OutputFormat>,
    /// Set a template variable (NAME=VALUE); wins over --vars-file and `vars:`.
    #[arg(long = "var", global = true, value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read template variables from a YAML, TOML or JSON file; wins over `vars:`.
    #[arg(long = "vars-file", global = true, value_name = "FILE")]
    pub vars_files: Vec<PathBuf>,
    /// Seconds each `git` run may take when fetching a `git_config` repository
    /// (render, plan and apply fetch; validate never does).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub git_timeout: u64,
    /// Seconds one attempt of an AWS call may take, answer included; a create
    /// whose attempt times out is checked before it is retried (S3 attempts
    /// get 10 times this, for large uploads).
    #[arg(long, global = true, value_name = "SECONDS", env = "PJOB_CALL_TIMEOUT", hide_env_values = true, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub call_timeout: u64,
    /// Seconds an AWS call may take in all, retries included (S3 calls are
    /// bounded by their attempts instead).
    #[arg(long, global = true, value_name = "SECONDS", env = "PJOB_OPERATION_TIMEOUT", hide_env_values = true, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub operation_timeout: u64,
    /// Treat warnings (such as a --var that no manifest uses) as errors.
    #[arg(long, global = true)]
    pub strict: bool,
    /// Show the full chain of causes of an error.
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,
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
    /// Check manifests (files, or folders searched for *.yaml, *.yml, *.toml); no AWS or git calls
    /// (a `git_config` repository is checked as written, not fetched).
    Validate(ValidateArgs),
    /// Print the CreateProcessingJob request(s) and artifacts a manifest compiles to; no AWS calls.
    Render(RenderArgs),
    /// Print the manifest JSON Schema.
    Schema(SchemaArgs),
    /// Write a commented starter manifest for a kind.
    Init(InitArgs),
    /// Say what `apply` would do for each job: create, exists (with status) or changed.
    Plan(PlanArgs),
    /// Upload artifacts, create the job(s) and wait for them with streamed logs.
    Apply(ApplyArgs),
    /// Print a set's jobs and their dependencies as a Mermaid (or DOT) graph; no AWS calls.
    Graph(GraphArgs),
    /// Show a job's status, or with --pipeline a pipeline's latest execution and its steps.
    Status(StatusArgs),
    /// Print a job's logs (`-f` to follow).
    Logs(LogsArgs),
    /// Stop a running job.
    Stop(JobNameArgs),
    /// List processing jobs.
    List(ListArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    Man,
}

impl Command {
    /// The pipeline options of a command that takes them.
    pub fn pipeline(&self) -> Option<&PipelineArgs> {
        match self {
            Command::Render(args) => Some(&args.pipeline),
            Command::Plan(args) => Some(&args.pipeline),
            Command::Apply(args) => Some(&args.pipeline),
            _ => None,
        }
        .filter(|p| p.pipeline.is_some())
    }
}

/// `pjob plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Manifest files or folders.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The set as a SageMaker Pipeline.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

/// What hands a set to SageMaker Pipelines (SPEC section 9).
#[derive(Debug, Args, Clone, Default)]
pub struct PipelineArgs {
    /// Work on the set as the SageMaker Pipeline NAME, each job a step.
    #[arg(long, value_name = "NAME", value_parser = pipeline_name)]
    pub pipeline: Option<String>,
    /// With --pipeline: make the template variable NAME a pipeline
    /// parameter, its value the default (repeatable).
    #[arg(long = "pipeline-parameter", value_name = "NAME", requires = "pipeline")]
    pub parameters: Vec<String>,
    /// With --pipeline: the pipeline's IAM role (default: the role of the first job).
    #[arg(long, value_name = "ARN", requires = "pipeline")]
    pub pipeline_role: Option<String>,
}

/// `pjob status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Processing job name.
    #[arg(required_unless_present = "pipeline", conflicts_with = "pipeline")]
    pub name: Option<String>,
    /// Show the latest execution of this SageMaker Pipeline and its steps instead.
    #[arg(long, value_name = "NAME", value_parser = pipeline_name)]
    pub pipeline: Option<String>,
}

/// A SageMaker Pipeline name, checked before anything is sent.
fn pipeline_name(name: &str) -> Result<String, String> {
    if pjob_pipeline::is_valid_name(name) {
        Ok(name.to_string())
    } else {
        Err("a pipeline name is 1 to 256 letters, digits and hyphens, starting and ending with a letter or digit".into())
    }
}

/// How `pjob graph` draws a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// A Mermaid flowchart (renders in GitHub and GitLab Markdown).
    Mermaid,
    /// A Graphviz digraph (`dot -Tsvg`).
    Dot,
}

/// `pjob graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Manifest files or folders: the set.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// What to print.
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: GraphFormat,
}

/// Container engines `apply --local` can run images with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// Run the entrypoint with this machine's programs (no image).
    Host,
    /// Run the manifest's image with docker.
    Docker,
    /// Run the manifest's image with podman.
    Podman,
}

/// `pjob apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Manifest files or folders.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Run on this machine instead of SageMaker.
    #[arg(long, conflicts_with = "pipeline")]
    pub local: bool,
    /// With --local: how to run the job.
    #[arg(long, value_enum, default_value = "host", requires = "local")]
    pub engine: Engine,
    /// With --local: keep the job folder at DIR/<job name> instead of a temporary one.
    #[arg(long, value_name = "DIR", requires = "local")]
    pub work_dir: Option<PathBuf>,
    /// Return as soon as the job is created.
    #[arg(long, conflicts_with = "local")]
    pub detach: bool,
    /// Most jobs running at once (default 4); with --pipeline, most steps of
    /// the execution running at once (default: SageMaker's own limit).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent: Option<u32>,
    /// On Ctrl-C, stop the job instead of detaching.
    #[arg(long)]
    pub stop_on_interrupt: bool,
    /// Name the job with the SDK's timestamp (a new job every time).
    #[arg(long, conflicts_with = "pipeline")]
    pub new: bool,
    /// Start a new attempt of each job that failed or stopped (named `<name>-r<N>`, keeping its hash).
    #[arg(long, conflicts_with_all = ["new", "pipeline"])]
    pub retry_failed: bool,
    /// The set as a SageMaker Pipeline: create or update it, start an execution and follow it.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

impl ApplyArgs {
    /// Most jobs of a set `apply` runs at once: `--max-concurrent`, or 4.
    pub fn jobs_at_once(&self) -> usize {
        self.max_concurrent.map_or(4, |n| n as usize)
    }
}

/// A command that takes a job name.
#[derive(Debug, Args)]
pub struct JobNameArgs {
    /// Processing job name.
    pub name: String,
}

/// `pjob logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Processing job name.
    pub name: String,
    /// Keep following the logs until the job ends.
    #[arg(short = 'f', long)]
    pub follow: bool,
}

/// `pjob list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only jobs whose name contains this.
    #[arg(long, value_name = "TEXT")]
    pub name_contains: Option<String>,
    /// Only jobs with this status (InProgress, Completed, Failed, Stopping, Stopped).
    #[arg(long)]
    pub status: Option<String>,
    /// Most jobs to list.
    #[arg(long, default_value_t = 50)]
    pub max: u32,
}

/// `pjob completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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
    #[arg(long, conflicts_with = "pipeline")]
    pub new: bool,
    /// Print the set as a SageMaker Pipeline definition instead.
    #[command(flatten)]
    pub pipeline: PipelineArgs,
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

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// Every option of `command` and its subcommands, with the command's name.
    fn options(command: &clap::Command, out: &mut Vec<(String, clap::Arg)>) {
        out.extend(command.get_arguments().map(|a| (command.get_name().to_string(), a.clone())));
        command.get_subcommands().for_each(|c| options(c, out));
    }

    #[test]
    fn help_names_env_variables_without_their_values() {
        let mut all = Vec::new();
        options(&Cli::command(), &mut all);
        let with_env: Vec<_> = all.iter().filter(|(_, a)| a.get_env().is_some()).collect();
        assert!(with_env.len() >= 3, "--region, --profile and --endpoint-url read the environment");
        for (command, arg) in with_env {
            assert!(arg.is_hide_env_values_set(), "`{command} --{}` would print `[env: NAME=value]` in its help", arg.get_id());
        }
    }
}
