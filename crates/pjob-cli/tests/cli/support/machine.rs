//! What this machine has, and the line a test prints when it lacks what
//! the test needs.

use std::process::Command;

/// Whether this test process runs as root (some sandbox tests need it to
/// set up what they check).
pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// Whether a program is on PATH.
pub fn has_program(name: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().map(|o| o.status.success()).unwrap_or(false)
}

/// Says that `test` checked nothing on this machine, and why, with the
/// `SKIPPED: TEST: REASON` line tests/run.sh counts (the test then passes).
pub fn skipped(test: &str, reason: &str) {
    eprintln!("SKIPPED: {test}: {reason}");
}
