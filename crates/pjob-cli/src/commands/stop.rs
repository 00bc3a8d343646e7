//! `pjob stop NAME`.

use pjob_executor_aws::StopOutcome;

use super::aws::{fail, with_executor};
use crate::args::JobNameArgs;
use crate::exit::Exit;
use crate::settings::Settings;

/// Runs `pjob stop`.
pub fn run(settings: &Settings, args: &JobNameArgs) -> Exit {
    with_executor(settings, |executor| async move {
        match executor.stop(&args.name).await {
            Ok(StopOutcome::Stopping) => {
                eprintln!("{}: stopping", args.name);
                Exit::Success
            }
            Ok(StopOutcome::AlreadyEnded(status)) => {
                eprintln!("{}: not running ({status}); nothing to stop", args.name);
                Exit::Success
            }
            Err(e) => fail(None, &e),
        }
    })
}
