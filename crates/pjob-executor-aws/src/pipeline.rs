//! SageMaker Pipelines: a pipeline created or updated only when its
//! definition changed, executions started and followed step by step.

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use aws_sdk_sagemaker::types::{ParallelismConfiguration, PipelineDefinitionS3Location, SortOrder, SortPipelineExecutionsBy};
use pjob_s3::ObjectBody;
use serde::Serialize;

use crate::logs::LogTail;
use crate::retry::is_not_found;
use crate::{Api, AwsExecutor, ExecutorError, Observer, Service};

/// A pipeline as SageMaker holds it.
#[derive(Debug, Clone)]
pub struct PipelineInfo {
    /// Its ARN.
    pub arn: String,
    /// Its definition, parsed (`None` when it is not JSON).
    pub definition: Option<serde_json::Value>,
    /// The role it runs as.
    pub role_arn: Option<String>,
}

/// What [`AwsExecutor::put_pipeline`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PipelineChange {
    /// There was no pipeline of the name: it was created.
    Created,
    /// Its definition or role differed: it was updated.
    Updated,
    /// It was already as asked: nothing was sent.
    Unchanged,
}

impl PipelineChange {
    /// The change as a word: `created`, `updated`, `unchanged`.
    pub fn as_str(self) -> &'static str {
        match self {
            PipelineChange::Created => "created",
            PipelineChange::Updated => "updated",
            PipelineChange::Unchanged => "unchanged",
        }
    }
}

/// An execution or a step: its status in the API's spelling, and why it failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExecutionInfo {
    /// The execution's ARN.
    pub arn: String,
    /// `Executing`, `Stopping`, `Stopped`, `Failed` or `Succeeded`.
    pub status: String,
    /// Why it failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// When it started (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
}

impl ExecutionInfo {
    /// Whether the execution has ended.
    pub fn has_ended(&self) -> bool {
        is_final(&self.status)
    }
}

/// Whether an execution's or a step's status is one it ends in.
fn is_final(status: &str) -> bool {
    matches!(status, "Stopped" | "Failed" | "Succeeded")
}

/// One step of an execution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepInfo {
    /// The step's name (the job's `metadata.name`).
    pub name: String,
    /// `Starting`, `Executing`, `Stopping`, `Stopped`, `Failed` or `Succeeded`.
    pub status: String,
    /// The processing job the step started, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_name: Option<String>,
    /// Why it failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// How long it ran, in seconds, once it has ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
}

/// Pages of steps read at most for one execution (100 steps a page).
const MAX_STEP_PAGES: usize = 100;

/// Definitions from this size up (100 KiB) are sent through S3, as the
/// SageMaker SDK sends them.
pub const INLINE_DEFINITION_BYTES: usize = 100 * 1024;

impl AwsExecutor {
    /// The pipeline named `name`, if there is one.
    pub async fn describe_pipeline(&self, name: &str) -> Result<Option<PipelineInfo>, ExecutorError> {
        match self.call(Api::DescribePipeline, || self.sagemaker.describe_pipeline().pipeline_name(name).send()).await {
            Ok(d) => Ok(Some(PipelineInfo {
                arn: d.pipeline_arn().unwrap_or_default().to_string(),
                definition: d.pipeline_definition().and_then(|text| serde_json::from_str(text).ok()),
                role_arn: d.role_arn().map(str::to_string),
            })),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(self.failed(Service::SageMaker, "DescribePipeline", e)),
        }
    }

    /// Creates the pipeline, or updates it when its definition or role
    /// differ from `definition` and `role`; sends nothing when they match.
    /// A definition of [`INLINE_DEFINITION_BYTES`] or more goes to S3 first,
    /// as `s3://<bucket>/<name>`, and the request names that object, as the
    /// SageMaker SDK sends it.
    pub async fn put_pipeline(
        &self,
        name: &str,
        definition: &serde_json::Value,
        role: &str,
        bucket: &str,
    ) -> Result<PipelineChange, ExecutorError> {
        let existing = self.describe_pipeline(name).await?;
        if existing.as_ref().is_some_and(|info| info.definition.as_ref() == Some(definition) && info.role_arn.as_deref() == Some(role)) {
            return Ok(PipelineChange::Unchanged);
        }
        let text = definition.to_string();
        let (inline, location) = if text.len() < INLINE_DEFINITION_BYTES {
            (Some(text), None)
        } else {
            let digest = pjob_compiler::sha256_hex(text.as_bytes());
            self.s3.put_if_changed(&format!("s3://{bucket}/{name}"), ObjectBody::Bytes(text.into_bytes()), &digest, None).await?;
            (None, Some(PipelineDefinitionS3Location::builder().bucket(bucket).object_key(name).build()))
        };
        if existing.is_none() {
            let create = || {
                let request = self.sagemaker.create_pipeline().pipeline_name(name).role_arn(role);
                request.set_pipeline_definition(inline.clone()).set_pipeline_definition_s3_location(location.clone()).send()
            };
            self.call(Api::CreatePipeline, create).await.map_err(|e| self.failed(Service::SageMaker, "CreatePipeline", e))?;
            return Ok(PipelineChange::Created);
        }
        let update = || {
            let request = self.sagemaker.update_pipeline().pipeline_name(name).role_arn(role);
            request.set_pipeline_definition(inline.clone()).set_pipeline_definition_s3_location(location.clone()).send()
        };
        self.call(Api::UpdatePipeline, update).await.map_err(|e| self.failed(Service::SageMaker, "UpdatePipeline", e))?;
        Ok(PipelineChange::Updated)
    }

    /// Starts an execution with the parameters' defaults, at most
    /// `max_steps` of its steps running at once when given (SageMaker's
    /// `ParallelismConfiguration`); returns its ARN.
    pub async fn start_execution(&self, name: &str, max_steps: Option<u32>) -> Result<String, ExecutorError> {
        let parallelism =
            max_steps.map(|n| ParallelismConfiguration::builder().max_parallel_execution_steps(n.try_into().unwrap_or(i32::MAX)).build());
        // Only throttled calls are tried again, and a throttled call
        // started nothing, so the token the SDK fills in for each is enough.
        let start =
            || self.sagemaker.start_pipeline_execution().pipeline_name(name).set_parallelism_configuration(parallelism.clone()).send();
        let started = self
            .call(Api::StartPipelineExecution, start)
            .await
            .map_err(|e| self.failed(Service::SageMaker, "StartPipelineExecution", e))?;
        Ok(started.pipeline_execution_arn().unwrap_or_default().to_string())
    }

    /// Asks SageMaker to stop a running execution (its running steps stop,
    /// the others do not start).
    pub async fn stop_execution(&self, arn: &str) -> Result<(), ExecutorError> {
        let stop = || self.sagemaker.stop_pipeline_execution().pipeline_execution_arn(arn).send();
        self.call(Api::StopPipelineExecution, stop).await.map_err(|e| self.failed(Service::SageMaker, "StopPipelineExecution", e))?;
        Ok(())
    }

    /// An execution's status.
    pub async fn describe_execution(&self, arn: &str) -> Result<ExecutionInfo, ExecutorError> {
        let describe = || self.sagemaker.describe_pipeline_execution().pipeline_execution_arn(arn).send();
        let d = self
            .call(Api::DescribePipelineExecution, describe)
            .await
            .map_err(|e| self.failed(Service::SageMaker, "DescribePipelineExecution", e))?;
        Ok(ExecutionInfo {
            arn: arn.to_string(),
            status: d.pipeline_execution_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
            failure_reason: d.failure_reason().filter(|r| !r.is_empty()).map(str::to_string),
            started: d.creation_time().and_then(crate::status::rfc3339),
        })
    }

    /// The latest execution of a pipeline, if it has run.
    pub async fn latest_execution(&self, name: &str) -> Result<Option<ExecutionInfo>, ExecutorError> {
        let list = || {
            self.sagemaker
                .list_pipeline_executions()
                .pipeline_name(name)
                .sort_by(SortPipelineExecutionsBy::CreationTime)
                .sort_order(SortOrder::Descending)
                .max_results(1)
                .send()
        };
        let page = match self.call(Api::ListPipelineExecutions, list).await {
            Ok(page) => page,
            Err(e) if is_not_found(&e) => return Err(ExecutorError::PipelineNotFound { name: name.to_string() }),
            Err(e) => return Err(self.failed(Service::SageMaker, "ListPipelineExecutions", e)),
        };
        let newest = page.pipeline_execution_summaries().iter().max_by_key(|s| s.start_time().and_then(|t| SystemTime::try_from(*t).ok()));
        match newest.and_then(|s| s.pipeline_execution_arn()) {
            Some(arn) => Ok(Some(self.describe_execution(arn).await?)),
            None => Ok(None),
        }
    }

    /// The steps of an execution that have started, in the order they started.
    pub async fn execution_steps(&self, arn: &str) -> Result<Vec<StepInfo>, ExecutorError> {
        let mut steps = Vec::new();
        let mut next_token: Option<String> = None;
        for _ in 0..MAX_STEP_PAGES {
            let list = || {
                self.sagemaker
                    .list_pipeline_execution_steps()
                    .pipeline_execution_arn(arn)
                    .sort_order(SortOrder::Ascending)
                    .set_next_token(next_token.clone())
                    .send()
            };
            let page = self
                .call(Api::ListPipelineExecutionSteps, list)
                .await
                .map_err(|e| self.failed(Service::SageMaker, "ListPipelineExecutionSteps", e))?;
            steps.extend(page.pipeline_execution_steps().iter().map(step_info));
            next_token = page.next_token().filter(|t| !t.is_empty()).map(str::to_string);
            if next_token.is_none() {
                break;
            }
        }
        Ok(steps)
    }
}

impl StepInfo {
    /// Whether the step has ended.
    pub fn has_ended(&self) -> bool {
        is_final(&self.status)
    }
}

/// How far the logs of one execution's step jobs have been read.
#[derive(Default)]
struct StepLogs {
    tails: BTreeMap<String, LogTail>,
    /// Jobs whose logs are read to the end, or cannot be read.
    done: BTreeSet<String>,
}

impl AwsExecutor {
    /// Waits until an execution ends, telling `observer` each step's status
    /// as it changes and (with `stream_logs`) every log line of each step's
    /// job, under the step's name. Returns the execution and its steps as
    /// they ended.
    pub async fn follow_execution(
        &self,
        arn: &str,
        observer: &dyn Observer,
        stream_logs: bool,
    ) -> Result<(ExecutionInfo, Vec<StepInfo>), ExecutorError> {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut logs = StepLogs::default();
        let mut interval = self.poll.initial_interval;
        for _ in 0..self.poll.max_calls {
            let execution = self.describe_execution(arn).await?;
            let steps = self.execution_steps(arn).await?;
            let ended = execution.has_ended();
            let mut news = 0;
            for step in &steps {
                if seen.get(&step.name) != Some(&step.status) {
                    observer.step(step);
                    seen.insert(step.name.clone(), step.status.clone());
                    news += 1;
                }
                if stream_logs {
                    news += self.step_logs(&mut logs, step, observer, ended).await;
                }
            }
            if ended {
                return Ok((execution, steps));
            }
            interval = if news > 0 { self.poll.initial_interval } else { interval.mul_f64(1.5).min(self.poll.max_interval) };
            tokio::time::sleep(crate::monitor::jittered(interval)).await;
        }
        Err(ExecutorError::WaitBudget { name: arn.to_string(), calls: self.poll.max_calls })
    }

    /// Shows a step's new log lines; says how many there were.
    async fn step_logs(&self, logs: &mut StepLogs, step: &StepInfo, observer: &dyn Observer, execution_ended: bool) -> usize {
        let Some(job) = &step.job_name else { return 0 };
        if logs.done.contains(job) {
            return 0;
        }
        let ended = execution_ended || step.has_ended();
        let tail = logs.tails.entry(job.clone()).or_insert_with(|| LogTail::new(self, job));
        let lines = self.follow(tail, &step.name, observer, ended).await;
        if ended || lines.is_none() {
            logs.tails.remove(job);
            logs.done.insert(job.clone());
        }
        lines.unwrap_or(0)
    }
}

/// A step as pjob reports it.
fn step_info(step: &aws_sdk_sagemaker::types::PipelineExecutionStep) -> StepInfo {
    let job_arn = step.metadata().and_then(|m| m.processing_job()).and_then(|j| j.arn());
    let time = |t: Option<&aws_sdk_sagemaker::primitives::DateTime>| t.and_then(|t| SystemTime::try_from(*t).ok());
    let seconds = match (time(step.start_time()), time(step.end_time())) {
        (Some(start), Some(end)) => end.duration_since(start).ok().map(|d| d.as_secs()),
        _ => None,
    };
    StepInfo {
        name: step.step_name().unwrap_or_default().to_string(),
        status: step.step_status().map(|s| s.as_str().to_string()).unwrap_or_default(),
        job_name: job_arn.and_then(|arn| arn.rsplit('/').next()).map(str::to_string),
        failure_reason: step.failure_reason().filter(|r| !r.is_empty()).map(str::to_string),
        seconds,
    }
}
