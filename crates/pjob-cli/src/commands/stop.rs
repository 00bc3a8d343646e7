//! `pjob stop NAME`.

use pjob_executor_aws::StopOutcome;

use super::aws::{fail, with_executor};
use crate::args::{GlobalArgs, JobNameArgs};
use crate::exit::Exit;

/// Runs `pjob stop`.
pub fn run(global: &GlobalArgs, args: &JobNameArgs) -> Exit {
    with_executor(global, |executor| async move {
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
