//! `pjob stop NAME`.

use pjob_executor_aws::StopOutcome;

use super::aws::{connect, fail, runtime};
use crate::args::{GlobalArgs, JobNameArgs};
use crate::exit::Exit;

/// Runs `pjob stop`.
pub fn run(global: &GlobalArgs, args: &JobNameArgs) -> Exit {
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(exit) => return exit,
    };
    rt.block_on(async {
        let executor = match connect(global).await {
            Ok(e) => e,
            Err(exit) => return exit,
        };
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
