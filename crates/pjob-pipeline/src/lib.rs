//! A set of compiled jobs as a SageMaker Pipeline definition: the document
//! `CreatePipeline` stores, as the SageMaker Python SDK's
//! `Pipeline(...).definition()` writes it for the same jobs as
//! `ProcessingStep`s (SPEC section 9).
//!
//! Each job is a `Processing` step named after its `metadata.name`, whose
//! `Arguments` are its `CreateProcessingJob` request without the job name
//! (the pipeline names each run's job). A reference to another job, or a
//! pipeline parameter, is an expression SageMaker resolves as the pipeline
//! runs ([`expression`]); an output without a destination goes where the
//! SDK sends it inside a pipeline, under the execution's id. [`build`]
//! compiles a set into a definition; the rest is pure.

pub mod build;
pub mod diff;
pub mod expression;
pub mod parameter;
pub mod rehome;

use pjob_compiler::CompiledJob;
use pjob_manifest::{RetryPolicy, StepCache};
use serde_json::{Map, Value, json};

pub use build::{BuildError, Built, PipelineOptions, build};
pub use parameter::{Declared, Parameter, ParameterDefaults, ParameterError, ParameterType, declared};

/// The definition format version the SDK writes.
pub const DEFINITION_VERSION: &str = "2020-12-01";

/// The longest definition SageMaker takes (`PipelineDefinition` is at most
/// 1,048,576 characters, whether sent inline or read from S3).
pub const MAX_DEFINITION_BYTES: usize = 1_048_576;

/// One job of the set as a pipeline step.
#[derive(Debug, Clone)]
pub struct Step {
    /// The step's name: the job's `metadata.name`.
    pub name: String,
    /// The job's `CreateProcessingJob` request, in the API's field names.
    pub request: Value,
    /// The outputs whose destination the compiler chose.
    pub default_outputs: Vec<String>,
    /// The jobs named in `metadata.depends_on` (a reference orders the
    /// steps by itself, so it adds nothing here).
    pub depends_on: Vec<String>,
    /// `spec.retry`.
    pub retry: Option<RetryPolicy>,
    /// `spec.cache`.
    pub cache: Option<StepCache>,
    /// The bucket default outputs go to, and the key prefix in it.
    pub bucket: (String, Option<String>),
}

impl Step {
    /// The step for a compiled job, named `name`, declaring `depends_on`,
    /// whose default outputs go to `bucket` (and key prefix).
    pub fn new(name: &str, compiled: &CompiledJob, depends_on: Vec<String>, bucket: (String, Option<String>)) -> Step {
        Step {
            name: name.to_string(),
            request: serde_json::to_value(&compiled.request).expect("a request serializes"),
            default_outputs: compiled.default_outputs.clone(),
            depends_on,
            retry: compiled.retry.clone(),
            cache: compiled.cache.clone(),
            bucket,
        }
    }

    /// The job's IAM role.
    pub fn role(&self) -> Option<&str> {
        self.request.get("RoleArn").and_then(Value::as_str)
    }

    /// The step as the definition's `Steps` list holds it.
    fn to_definition(&self, pipeline: &str) -> Value {
        let mut step = Map::new();
        step.insert("Name".into(), json!(self.name));
        step.insert("Type".into(), json!("Processing"));
        step.insert("Arguments".into(), self.arguments(pipeline));
        if !self.depends_on.is_empty() {
            step.insert("DependsOn".into(), json!(self.depends_on));
        }
        if let Some(retry) = &self.retry {
            let types: Vec<&str> = retry.on.iter().map(|c| c.pipeline_exception_type()).collect();
            let policy = json!({
                "BackoffRate": retry.backoff_rate,
                "IntervalSeconds": retry.interval_seconds,
                "MaxAttempts": retry.attempts,
                "ExceptionType": types,
            });
            step.insert("RetryPolicies".into(), json!([policy]));
        }
        if let Some(cache) = &self.cache {
            step.insert("CacheConfig".into(), json!({ "Enabled": true, "ExpireAfter": cache.expire_after }));
        }
        Value::Object(step)
    }

    /// The request without its job name, with markers made expressions and
    /// default outputs under the execution's id.
    fn arguments(&self, pipeline: &str) -> Value {
        let mut arguments = self.request.clone();
        if let Value::Object(map) = &mut arguments {
            map.shift_remove("ProcessingJobName");
            map.shift_remove("ExperimentConfig");
        }
        expression::resolve_markers(&mut arguments);
        let outputs = arguments.pointer_mut("/ProcessingOutputConfig/Outputs").and_then(Value::as_array_mut);
        for output in outputs.into_iter().flatten() {
            let name = output.get("OutputName").and_then(Value::as_str).unwrap_or_default().to_string();
            if let Some(uri) = output.pointer_mut("/S3Output/S3Uri")
                && self.default_outputs.contains(&name)
            {
                *uri = self.default_output(pipeline, &name);
            }
        }
        arguments
    }

    /// Where the SDK sends an output without a destination inside a pipeline.
    fn default_output(&self, pipeline: &str, output: &str) -> Value {
        let (bucket, prefix) = &self.bucket;
        let mut values = vec![json!("s3:/"), json!(bucket)];
        values.extend(prefix.iter().filter(|p| !p.is_empty()).map(|p| json!(p)));
        values.extend([json!(pipeline), json!({"Get": "Execution.PipelineExecutionId"}), json!(self.name), json!("output"), json!(output)]);
        expression::join("/", values)
    }
}

/// A pipeline: its name, parameters and steps.
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The pipeline's name.
    pub name: String,
    /// Its parameters, in the order they were named.
    pub parameters: Vec<Parameter>,
    /// Its steps, upstream jobs first.
    pub steps: Vec<Step>,
}

impl Pipeline {
    /// The definition document.
    pub fn definition(&self) -> Value {
        let parameters: Vec<Value> = self.parameters.iter().map(Parameter::to_definition).collect();
        let steps: Vec<Value> = self.steps.iter().map(|s| s.to_definition(&self.name)).collect();
        json!({
            "Version": DEFINITION_VERSION,
            "Metadata": {},
            "Parameters": parameters,
            "PipelineExperimentConfig": {
                "ExperimentName": {"Get": "Execution.PipelineName"},
                "TrialName": {"Get": "Execution.PipelineExecutionId"},
            },
            "Steps": steps,
        })
    }

    /// The role of the first step: the pipeline's role unless one is given.
    pub fn default_role(&self) -> Option<&str> {
        self.steps.first().and_then(Step::role)
    }
}

/// Whether `name` is a valid pipeline name (`^[A-Za-z0-9](-*[A-Za-z0-9]){0,255}$`).
pub fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 256
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests;
