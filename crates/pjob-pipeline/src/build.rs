//! A set of manifests compiled as one pipeline: every job compiled with its
//! references left as markers, each made a [`Step`], the parameters' defaults
//! gathered and checked, and the definition assembled.

use std::path::PathBuf;
use std::sync::Arc;

use pjob_compiler::CompiledJob;
use pjob_jobset::{CompileSettings, Job, LoadError, Loader, SetItem};
use pjob_source::{Diagnostic, SourceFile};
use serde_json::Value;

use crate::{Declared, MAX_DEFINITION_BYTES, Parameter, ParameterDefaults, ParameterError, ParameterType, Pipeline, Step};

/// What makes a set a pipeline (`--pipeline NAME` and its options).
#[derive(Debug, Clone, Default)]
pub struct PipelineOptions {
    /// The pipeline's name.
    pub name: String,
    /// The variables that are pipeline parameters (`--pipeline-parameter`), in order.
    pub parameters: Vec<String>,
    /// The role the pipeline runs as (`--pipeline-role`); by default the first job's.
    pub role: Option<String>,
    /// Values `--vars-file` and `--var` give the parameters: they win over every manifest.
    pub command_line: Vec<(String, Value)>,
}

/// A set compiled as a pipeline.
#[derive(Debug)]
pub struct Built {
    /// The pipeline's name.
    pub name: String,
    /// The definition document.
    pub definition: Value,
    /// The role the pipeline runs as.
    pub role: String,
    /// The default bucket: artifacts and default outputs go there.
    pub bucket: String,
    /// The compiled jobs, upstream first: their artifacts are uploaded before the pipeline runs.
    pub jobs: Vec<CompiledJob>,
}

impl Built {
    /// Every artifact of every step, as `render` prints them.
    pub fn artifacts(&self) -> Vec<Value> {
        self.jobs.iter().flat_map(|job| job.artifacts.iter().map(|a| serde_json::to_value(a).unwrap_or_default())).collect()
    }
}

/// Why a set is not a pipeline.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Problems in manifests, between jobs or with parameter defaults
    /// (each handed to the caller as it was found).
    #[error("the set has problems")]
    Invalid,
    /// A parameter has no default, or one no parameter type holds.
    #[error(transparent)]
    Parameter(#[from] ParameterError),
    /// Compiled with another value of a number or boolean parameter, the
    /// set no longer validates, so where the value goes is unknown.
    #[error(
        "pipeline parameter `{parameter}`: the set does not compile with `{parameter}` set to {probe} (pjob compiles it with a second value to find where the value goes); use it inside a string, such as an argument"
    )]
    Probe {
        /// The parameter.
        parameter: String,
        /// The value tried.
        probe: Value,
    },
    /// Where pjob uploads an artifact, or what it holds, depends on a value
    /// known only when the pipeline runs.
    #[error(
        "job {job}: pjob uploads {uri} before the pipeline runs, but it depends on a value known only then ({expression}); give it a value that does not come from a parameter or another job"
    )]
    RunTimeArtifact {
        /// The job's `metadata.name`.
        job: String,
        /// The artifact's URI (markers written as the expressions they stand for).
        uri: String,
        /// The expression the artifact depends on.
        expression: String,
    },
    /// The definition is larger than `CreatePipeline` takes.
    #[error("the pipeline definition is {0} bytes; SageMaker takes at most {MAX_DEFINITION_BYTES}: split the set into smaller pipelines")]
    TooLarge(usize),
}

/// One job as the set hands it over.
struct StepJob {
    step: Step,
    file: Arc<SourceFile>,
    declared: Vec<Declared>,
    compiled: CompiledJob,
}

/// Compiles the set the paths name as the pipeline `options` describe,
/// handing every problem to `problems` as it is found (in file order).
pub fn build(
    loader: &Loader,
    paths: &[PathBuf],
    compile: &CompileSettings,
    options: &PipelineOptions,
    mut problems: impl FnMut(Vec<LoadError>, Vec<Diagnostic>),
) -> Result<Built, BuildError> {
    let compile = CompileSettings { keep_references: true, ..compile.clone() };
    let bucket = compile.bucket();
    let per_job = |job: &Job, compiled: &CompiledJob| {
        let compiled = &crate::rehome::rehome(compiled, &options.name, job.name());
        let common = job.manifest.spec.common();
        let prefix = common.default_bucket_prefix.clone().or_else(|| compile.default_bucket_prefix.clone());
        StepJob {
            step: Step::new(job.name(), compiled, job.manifest.metadata.depends_on.clone(), (bucket.clone(), prefix)),
            file: job.file.clone(),
            declared: crate::declared(&job.doc, &options.parameters),
            compiled: compiled.clone(),
        }
    };
    let mut defaults = ParameterDefaults::new(&options.parameters, options.command_line.iter().map(|(k, v)| (k, v)));
    let (mut steps, mut jobs, mut invalid) = (Vec::new(), Vec::new(), false);
    let mut invalid_artifact = None;
    loader.compile_set(paths, &compile, per_job, |item| match item {
        SetItem::Problems { errors, diagnostics } => {
            invalid = true;
            problems(errors, diagnostics);
        }
        SetItem::Job(job) => {
            let StepJob { step, file, declared, compiled } = job.compiled;
            if let Err(e) = decided_before_running(&step.name, &compiled) {
                invalid_artifact.get_or_insert(e);
            }
            let conflicts = defaults.observe(&file, declared);
            if !conflicts.is_empty() {
                invalid = true;
                problems(Vec::new(), conflicts);
            }
            steps.push(step);
            jobs.push(compiled);
        }
    });
    if invalid {
        return Err(BuildError::Invalid);
    }
    if let Some(e) = invalid_artifact {
        return Err(e);
    }
    let parameters = defaults.finish()?;
    // Only a number or boolean some value used alone needs finding.
    let typed = parameters.iter().filter(|p| p.kind != ParameterType::String && loader.renderer().typed_parameter_used(&p.name));
    for parameter in typed {
        place_parameter(loader, paths, &compile, parameter, &mut steps)?;
    }
    let pipeline = Pipeline { name: options.name.clone(), parameters, steps };
    let role = options.role.clone().or_else(|| pipeline.default_role().map(str::to_string)).unwrap_or_default();
    let definition = pipeline.definition();
    let size = definition.to_string().len();
    if size > MAX_DEFINITION_BYTES {
        return Err(BuildError::TooLarge(size));
    }
    Ok(Built { name: pipeline.name, definition, role, bucket, jobs })
}

/// Refuses a job whose artifacts' places or contents hold a marker: pjob
/// uploads them before the pipeline runs, when no marker has a value.
fn decided_before_running(job: &str, compiled: &CompiledJob) -> Result<(), BuildError> {
    use pjob_template::reference;
    for artifact in &compiled.artifacts {
        let content = match &artifact.body {
            pjob_compiler::ArtifactBody::Generated { content } => content.as_str(),
            _ => "",
        };
        let marked = reference::find_marked(&artifact.uri).into_iter().chain(reference::find_marked(content)).next();
        if let Some((_, marked)) = marked {
            let expression = match marked {
                reference::Marked::Reference(r) => r.expression(),
                reference::Marked::Parameter(name) => name,
            };
            let uri = reference::describe(&artifact.uri);
            return Err(BuildError::RunTimeArtifact { job: job.to_string(), uri, expression: format!("{{{{ {expression} }}}}") });
        }
    }
    Ok(())
}

/// Where a number or boolean parameter is a value's lone expression
/// (`instance_count: "{{ workers }}"`), its default was compiled in: the
/// set is compiled again with another value, and each request field that
/// holds the default there and the other value here becomes `{"Get":
/// "Parameters.<name>"}`. (In a longer string the parameter is a marker,
/// found without this.)
fn place_parameter(
    loader: &Loader,
    paths: &[PathBuf],
    compile: &CompileSettings,
    parameter: &Parameter,
    steps: &mut [Step],
) -> Result<(), BuildError> {
    let Some(probe) = pjob_template::reference::parameter_probe(&parameter.default) else { return Ok(()) };
    let renderer = loader.renderer().probing(&parameter.name);
    let mut probed = std::collections::HashMap::new();
    let mut failed = false;
    let per_job = |job: &Job, compiled: &CompiledJob| (job.name().to_string(), serde_json::to_value(&compiled.request).unwrap_or_default());
    loader.with_renderer(&renderer).compile_set(paths, compile, per_job, |item| match item {
        SetItem::Job(job) => {
            probed.insert(job.compiled.0, job.compiled.1);
        }
        SetItem::Problems { .. } => failed = true,
    });
    if failed {
        return Err(BuildError::Probe { parameter: parameter.name.clone(), probe });
    }
    let get = serde_json::json!({ "Get": format!("Parameters.{}", parameter.name) });
    for step in steps {
        if let Some(request) = probed.get(&step.name) {
            replace_where_probed(&mut step.request, request, &parameter.default, &probe, &get);
        }
    }
    Ok(())
}

/// Replaces with `get` each value of `base` that is `default` where
/// `probed` (the same request, compiled with `probe`) holds `probe`.
fn replace_where_probed(base: &mut Value, probed: &Value, default: &Value, probe: &Value, get: &Value) {
    match (&mut *base, probed) {
        (Value::Object(fields), Value::Object(other)) => {
            for (key, value) in fields.iter_mut() {
                if let Some(other) = other.get(key) {
                    replace_where_probed(value, other, default, probe, get);
                }
            }
        }
        (Value::Array(items), Value::Array(other)) if items.len() == other.len() => {
            for (item, other) in items.iter_mut().zip(other) {
                replace_where_probed(item, other, default, probe, get);
            }
        }
        (value, other) if same(value, default) && same(other, probe) => *value = get.clone(),
        _ => {}
    }
}

/// Equal as JSON, numbers by value (a request's `30` is a default's `30`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_fields_that_moved_with_the_probe_take_the_parameter() {
        let get = json!({"Get": "Parameters.workers"});
        let mut base = json!({"Count": 2, "Volume": 2, "Args": ["2", 2]});
        let probed = json!({"Count": 1, "Volume": 2, "Args": ["2", 1]});
        replace_where_probed(&mut base, &probed, &json!(2), &json!(1), &get);
        assert_eq!(base, json!({"Count": get, "Volume": 2, "Args": ["2", get]}));
    }
}
