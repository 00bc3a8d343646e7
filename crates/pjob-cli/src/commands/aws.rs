//! Commands that talk to SageMaker: plan, apply, status, logs, stop, list.
//! (Being built: see the AWS executor issue.)

use crate::args::{ApplyArgs, GlobalArgs, JobNameArgs, ListArgs, LogsArgs, PlanArgs};
use crate::exit::Exit;

fn unavailable(what: &str) -> Exit {
    eprintln!("error: `pjob {what}` is not available in this build yet");
    Exit::Invalid
}

/// `pjob plan`.
pub fn plan(_g: &GlobalArgs, _a: &PlanArgs) -> Exit { unavailable("plan") }
/// `pjob apply` (to SageMaker).
pub fn apply(_g: &GlobalArgs, _a: &ApplyArgs) -> Exit { unavailable("apply") }
/// `pjob status`.
pub fn status(_g: &GlobalArgs, _a: &JobNameArgs) -> Exit { unavailable("status") }
/// `pjob logs`.
pub fn logs(_g: &GlobalArgs, _a: &LogsArgs) -> Exit { unavailable("logs") }
/// `pjob stop`.
pub fn stop(_g: &GlobalArgs, _a: &JobNameArgs) -> Exit { unavailable("stop") }
/// `pjob list`.
pub fn list(_g: &GlobalArgs, _a: &ListArgs) -> Exit { unavailable("list") }
