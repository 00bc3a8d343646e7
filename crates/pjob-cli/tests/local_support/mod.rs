//! What the `pjob apply --local` tests share: a job folder with a manifest
//! and its files, and running `pjob` on it without any AWS setting.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The image every test manifest names (never pulled by `--engine host`).
pub const IMAGE: &str = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3";

/// A finished `pjob`.
#[derive(Debug)]
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts the exit code, showing the output when it differs.
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(self.code, code, "exit code\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }

    /// Both outputs, for messages.
    pub fn all(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

/// A folder holding a manifest and the files it names (removed at drop).
pub struct JobFolder {
    /// The folder.
    pub dir: tempfile::TempDir,
}

impl JobFolder {
    /// An empty folder.
    pub fn new() -> JobFolder {
        JobFolder { dir: tempfile::tempdir().expect("temp dir") }
    }

    /// Writes a file under the folder (parents created).
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, content).unwrap();
        path
    }

    /// A path under the folder.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Reads a file under the folder.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
    }

    /// Writes `job.pjob.yaml`: a ScriptProcessor running `run.py` (written
    /// from `script`) with `python3`, `count` hosts, and `extra` spec lines
    /// (indented by two spaces).
    pub fn script_job(&self, name: &str, count: u32, script: &str, extra: &str) -> PathBuf {
        self.write("run.py", script);
        self.write(
            "job.pjob.yaml",
            format!(
                "apiVersion: pjob/v1\nkind: ScriptProcessor\nmetadata:\n  name: {name}\nspec:\n  \
                 role: arn:aws:iam::123456789012:role/SageMakerRole\n  image_uri: {IMAGE}\n  command: [python3]\n  \
                 code: run.py\n  instance_count: {count}\n  instance_type: ml.m5.large\n{extra}"
            ),
        )
    }
}

/// `pjob apply --local MANIFEST ARGS...` with no AWS setting at all (a
/// fresh machine), ready to run.
pub fn local_command(manifest: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pjob"));
    cmd.arg("apply").arg("--local").arg(manifest).args(args).env("NO_COLOR", "1").stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") || key == "PJOB_ENDPOINT_URL" {
            cmd.env_remove(key);
        }
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true");
    cmd
}

/// Runs `pjob apply --local MANIFEST ARGS...` to the end.
pub fn pjob_local(manifest: &Path, args: &[&str]) -> Run {
    Run::from(local_command(manifest, args).output().expect("run pjob"))
}

/// Whether this test process runs as root (some sandbox tests need it to
/// set up what they check).
pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// Whether a program is on PATH.
pub fn has_program(name: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().map(|o| o.status.success()).unwrap_or(false)
}

/// The `[algo-N] ...` lines of a run's output, without the prefix.
pub fn host_lines<'a>(run: &'a Run, host: &str) -> Vec<&'a str> {
    let prefix = format!("[{host}] ");
    run.stdout.lines().filter_map(|l| l.strip_prefix(prefix.as_str())).collect()
}
