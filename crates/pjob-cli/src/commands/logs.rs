//! `pjob logs NAME [-f]`: a job's CloudWatch logs; `-f` follows them until
//! the job ends and exits as `apply` would.

use pjob_executor_aws::ExecutorError;

use super::apply::exit_of_status;
use super::aws::{fail, with_executor};
use crate::args::LogsArgs;
use crate::exit::Exit;
use crate::progress::Progress;
use crate::settings::Settings;
use crate::stop_signals::StopSignals;

/// Runs `pjob logs`.
pub fn run(settings: &Settings, args: &LogsArgs) -> Exit {
    with_executor(settings, |executor| async move {
        let name = args.name.as_str();
        match executor.describe(name).await {
            Ok(Some(_)) => {}
            Ok(None) => return fail(None, &ExecutorError::NotFound { name: name.to_string() }),
            Err(e) => return fail(Some(name), &e),
        }
        let progress = Progress::new(false, false);
        if !args.follow {
            return match executor.logs(name, &progress).await {
                Ok(_) => Exit::Success,
                Err(e) => fail(Some(name), &e),
            };
        }
        let mut stop = StopSignals::listen();
        let waited = tokio::select! {
            waited = executor.wait(name, &progress, true) => waited,
            _ = stop.next() => {
                progress.clear();
                progress.eprint(&format!("{name}: detached; the job keeps running. Reattach with `pjob logs {name} -f`"));
                return Exit::Interrupted;
            }
        };
        match waited {
            Ok(info) => {
                let mut text = info.processing_job_status.to_string();
                if let Some(reason) = &info.failure_reason {
                    text.push_str(&format!(": {reason}"));
                }
                progress.finish(name, &text);
                exit_of_status(&info.processing_job_status)
            }
            Err(e) => fail(Some(name), &e),
        }
    })
}
