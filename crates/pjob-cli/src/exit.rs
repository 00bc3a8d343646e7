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

    /// How much an exit says, for a command whose jobs ended differently:
    /// an interruption, then an invalid manifest (nothing to retry), then an
    /// AWS or network error (the outcome may be unknown), then a failed job.
    fn rank(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::JobFailed => 1,
            Exit::Aws => 2,
            Exit::Invalid => 3,
            Exit::Interrupted => 4,
        }
    }

    /// The exit that says more of two; every command ranks its jobs' exits with this.
    pub fn worst(self, other: Exit) -> Exit {
        if other.rank() > self.rank() { other } else { self }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Exit;

    #[test]
    fn the_exit_that_says_more_wins_in_any_order() {
        let ranked = [Exit::Success, Exit::JobFailed, Exit::Aws, Exit::Invalid, Exit::Interrupted];
        for (i, a) in ranked.iter().enumerate() {
            for b in &ranked[i..] {
                assert_eq!(a.worst(*b), *b, "{a:?} then {b:?}");
                assert_eq!(b.worst(*a), *b, "{b:?} then {a:?}");
            }
        }
    }
}
