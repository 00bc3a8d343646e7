//! `pjob apply --pipeline NAME`: upload the steps' artifacts, create the
//! pipeline or update it when its definition changed, start an execution
//! and follow it (each step's status, its job's logs) to its end; the exit
//! code is the execution's outcome, as for a job (SPEC section 6).

use std::sync::Arc;

use pjob_executor_aws::{AwsExecutor, ExecutionInfo, StepInfo};
use serde_json::json;

use crate::args::{ApplyArgs, OutputFormat};
use crate::commands::aws::fail;
use crate::exit::Exit;
use crate::progress::Progress;
use pjob_pipeline::Built;
use pjob_pipeline::PipelineOptions;

use crate::settings::Settings;
use crate::stop_signals::StopSignals;

/// Runs `pjob apply --pipeline`.
pub(crate) fn run(settings: &Settings, pipeline: &PipelineOptions, args: &ApplyArgs) -> Exit {
    super::with_built(settings, pipeline, &args.paths, |executor, built| async move {
        let arn = match start(&executor, &built, args.max_concurrent).await {
            Ok(arn) => arn,
            Err(exit) => return exit,
        };
        if args.detach {
            let execution = match executor.describe_execution(&arn).await {
                Ok(execution) => execution,
                Err(e) => return fail(Some(&built.name), &e),
            };
            eprintln!("follow it with: pjob status --pipeline {}", built.name);
            print_result(settings.output, &built.name, &execution, &[]);
            return Exit::Success;
        }
        follow(&executor, &built.name, &arn, args.stop_on_interrupt, settings.output).await
    })
}

/// Uploads, creates or updates the pipeline, and starts an execution (at
/// most `max_steps` of its steps running at once, when given); returns its ARN.
async fn start(executor: &AwsExecutor, built: &Built, max_steps: Option<u32>) -> Result<String, Exit> {
    executor.ensure_bucket(&built.bucket).await.map_err(|e| fail(None, &e))?;
    let (mut uploaded, mut unchanged) = (0, 0);
    for job in &built.jobs {
        let uploads = executor.upload_artifacts(job).await.map_err(|e| fail(None, &e))?;
        (uploaded, unchanged) = (uploaded + uploads.uploaded, unchanged + uploads.unchanged);
    }
    if uploaded + unchanged > 0 {
        eprintln!("uploaded {uploaded} artifact(s), {unchanged} already in S3 unchanged");
    }
    let change =
        executor.put_pipeline(&built.name, &built.definition, &built.role, &built.bucket).await.map_err(|e| fail(Some(&built.name), &e))?;
    eprintln!("pipeline {}: {}", built.name, change.as_str());
    let arn = executor.start_execution(&built.name, max_steps).await.map_err(|e| fail(Some(&built.name), &e))?;
    eprintln!("execution started: {arn}");
    Ok(arn)
}

/// Follows the execution to its end, prints its steps and says how pjob
/// ends. Ctrl-C detaches, or with `--stop-on-interrupt` stops the execution.
async fn follow(executor: &AwsExecutor, name: &str, arn: &str, stop_on_interrupt: bool, output: Option<OutputFormat>) -> Exit {
    let structured = matches!(output, Some(OutputFormat::Json | OutputFormat::Yaml));
    let progress = Arc::new(Progress::new(true, structured));
    let mut stop = StopSignals::listen();
    let followed = tokio::select! {
        followed = executor.follow_execution(arn, progress.as_ref(), true) => followed,
        _ = stop.next() => {
            progress.clear();
            interrupt(executor, name, arn, stop_on_interrupt).await;
            return Exit::Interrupted;
        }
    };
    progress.clear();
    let (execution, steps) = match followed {
        Ok(followed) => followed,
        Err(e) => return fail(Some(name), &e),
    };
    if !structured {
        eprint!("{}", steps_table(&steps));
    }
    print_result(output, name, &execution, &steps);
    outcome(name, &execution, &steps)
}

/// On Ctrl-C: stop the execution, or leave it running and say how to come back.
async fn interrupt(executor: &AwsExecutor, name: &str, arn: &str, stop: bool) {
    if !stop {
        eprintln!("detached: the execution goes on; follow it with: pjob status --pipeline {name}");
        return;
    }
    match executor.stop_execution(arn).await {
        Ok(()) => eprintln!("stopping the execution {arn}"),
        Err(e) => {
            crate::report::error(Some(name), &e);
            eprintln!(
                "the execution goes on; stop it in the SageMaker console, or with: aws sagemaker stop-pipeline-execution --pipeline-execution-arn {arn}"
            );
        }
    }
}

/// The exit code for an ended execution, with why it failed.
fn outcome(name: &str, execution: &ExecutionInfo, steps: &[StepInfo]) -> Exit {
    match execution.status.as_str() {
        "Succeeded" => Exit::Success,
        status => {
            let reason = execution.failure_reason.clone().or_else(|| failed_steps(steps)).unwrap_or_else(|| "no reason given".into());
            eprintln!("error: pipeline {name}: execution {status}: {reason}");
            Exit::JobFailed
        }
    }
}

/// `step: reason` for each failed step.
fn failed_steps(steps: &[StepInfo]) -> Option<String> {
    let failed: Vec<String> = steps.iter().filter_map(|s| s.failure_reason.as_ref().map(|r| format!("step {}: {r}", s.name))).collect();
    (!failed.is_empty()).then(|| failed.join("; "))
}

/// The steps as a table: step, job, status, time.
pub(crate) fn steps_table(steps: &[StepInfo]) -> String {
    let rows: Vec<[String; 4]> = steps
        .iter()
        .map(|s| {
            let time = s.seconds.map(|t| crate::progress::clock(std::time::Duration::from_secs(t))).unwrap_or_else(|| "-".into());
            [s.name.clone(), s.job_name.clone().unwrap_or_else(|| "-".into()), s.status.clone(), time]
        })
        .collect();
    crate::output::table(["STEP", "JOB", "STATUS", "TIME"], &rows)
}

/// With `-o json` or `-o yaml`: the execution and its steps.
fn print_result(output: Option<OutputFormat>, name: &str, execution: &ExecutionInfo, steps: &[StepInfo]) {
    if let Some(format @ (OutputFormat::Json | OutputFormat::Yaml)) = output {
        crate::output::print(&json!({"pipeline": name, "execution": execution, "steps": steps}), format);
    }
}
