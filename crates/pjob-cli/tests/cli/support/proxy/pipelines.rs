//! SageMaker Pipelines executions, played by the proxy: moto answers
//! `DescribePipelineExecution` with `Succeeded` at once and does not
//! implement `ListPipelineExecutionSteps`. A test scripts, per pipeline,
//! the statuses its executions' describes answer and the steps their step
//! lists answer, one per call, the last one repeating. Executions are told
//! apart by the pipeline name in their ARN (`...:pipeline/NAME/execution/ID`).

use std::collections::HashMap;

use serde_json::{Value, json};

/// When played steps start (seconds since the epoch, as SageMaker's JSON has it).
const T0: i64 = 1_700_000_000;

/// How long an ended played step ran, in seconds (`0:01:05` in pjob's table).
const STEP_SECONDS: i64 = 65;

/// The scripts, by pipeline name.
#[derive(Default)]
pub struct PipelinePlay {
    statuses: HashMap<String, Vec<(String, Option<String>)>>,
    steps: HashMap<String, Vec<Value>>,
}

impl PipelinePlay {
    /// Execution statuses (with failure reasons) the pipeline's describes answer.
    pub fn set_statuses(&mut self, pipeline: &str, statuses: &[(&str, Option<&str>)]) {
        let statuses = statuses.iter().map(|(s, r)| (s.to_string(), r.map(str::to_string))).collect();
        self.statuses.insert(pipeline.to_ascii_lowercase(), statuses);
    }

    /// Step lists (each a JSON array of [`step`]s) the pipeline's executions answer.
    pub fn set_steps(&mut self, pipeline: &str, pages: &[Value]) {
        self.steps.insert(pipeline.to_ascii_lowercase(), pages.to_vec());
    }

    /// The answer to `ListPipelineExecutionSteps`, when the execution's
    /// pipeline has steps scripted.
    pub fn list_steps(&mut self, request: &Value) -> Option<Value> {
        let pipeline = pipeline_of(request["PipelineExecutionArn"].as_str()?)?;
        let steps = next(self.steps.get_mut(&pipeline)?)?;
        Some(json!({ "PipelineExecutionSteps": steps }))
    }

    /// Rewrites moto's answer to a `DescribePipelineExecution` request with
    /// the next scripted status; says whether it did.
    pub fn rewrite_describe(&mut self, request: &Value, answer: &mut Value) -> bool {
        let Some(pipeline) = request["PipelineExecutionArn"].as_str().and_then(pipeline_of) else { return false };
        let Some((status, reason)) = self.statuses.get_mut(&pipeline).and_then(next) else { return false };
        answer["PipelineExecutionStatus"] = Value::String(status);
        if let Some(reason) = reason {
            answer["FailureReason"] = Value::String(reason);
        }
        true
    }
}

/// The next scripted answer: the first one, kept when it is the last.
fn next<T: Clone>(queue: &mut Vec<T>) -> Option<T> {
    match queue.len() {
        0 => None,
        1 => Some(queue[0].clone()),
        _ => Some(queue.remove(0)),
    }
}

/// The pipeline name in an execution ARN, lowercased (SageMaker's ARNs are).
fn pipeline_of(arn: &str) -> Option<String> {
    let rest = arn.split_once(":pipeline/")?.1;
    Some(rest.split('/').next()?.to_ascii_lowercase())
}

/// A step as `ListPipelineExecutionSteps` lists it: started at a fixed
/// moment, ended [`STEP_SECONDS`] later when its status is final, running
/// the processing job `job` (in moto's account and region), failed for
/// `reason`.
pub fn step(name: &str, status: &str, job: Option<&str>, reason: Option<&str>) -> Value {
    let mut step = json!({ "StepName": name, "StepStatus": status, "StartTime": T0 });
    if ["Succeeded", "Failed", "Stopped"].contains(&status) {
        step["EndTime"] = json!(T0 + STEP_SECONDS);
    }
    if let Some(job) = job {
        step["Metadata"] = json!({ "ProcessingJob": { "Arn": format!("arn:aws:sagemaker:us-east-1:123456789012:processing-job/{job}") } });
    }
    if let Some(reason) = reason {
        step["FailureReason"] = json!(reason);
    }
    step
}
