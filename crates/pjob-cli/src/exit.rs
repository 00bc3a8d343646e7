//! Exit codes, as SPEC.md section 6 defines them.

use std::process::ExitCode;

/// How pjob ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success (a job `Completed`).
    Success,
    /// A job `Failed` or was `Stopped`.
    JobFailed,
    /// Invalid manifest or usage.
    Invalid,
    /// An AWS or network error.
    Aws,
    /// Interrupted (Ctrl-C).
    Interrupted,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::JobFailed => 1,
            Exit::Invalid => 2,
            Exit::Aws => 3,
            Exit::Interrupted => 130,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}
