//! What the `pjob apply --local` tests share: running `pjob` on a job
//! folder without any AWS setting, reading what each host printed, and
//! gzip data for compressed inputs.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use super::{Run, pjob_command};

/// `pjob apply --local MANIFEST ARGS...` with no AWS setting at all (a
/// fresh machine), ready to run.
pub fn local_command(manifest: &Path, args: &[&str]) -> Command {
    let mut cmd = pjob_command(["apply", "--local"]);
    cmd.arg(manifest).args(args);
    cmd
}

/// Runs `pjob apply --local MANIFEST ARGS...` to the end.
pub fn pjob_local(manifest: &Path, args: &[&str]) -> Run {
    Run::of(&mut local_command(manifest, args))
}

/// The `[algo-N] ...` lines of a run's output, without the prefix.
pub fn host_lines<'a>(run: &'a Run, host: &str) -> Vec<&'a str> {
    let prefix = format!("[{host}] ");
    run.stdout.lines().filter_map(|l| l.strip_prefix(prefix.as_str())).collect()
}

/// `data` compressed with gzip (by python3, which the local jobs need anyway).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let out = Command::new("python3")
        .args(["-c", "import gzip, sys; sys.stdout.buffer.write(gzip.compress(sys.stdin.buffer.read()))"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(data)?;
            child.wait_with_output()
        })
        .expect("python3 gzips");
    out.stdout
}
