//! What the tests share: running `pjob` as on a fresh machine, what a run
//! ends with, and the folders the tests write their manifests in. The
//! submodules hold what some tests need besides: `local` for
//! `pjob apply --local`, `moto` and `proxy` for AWS, `machine` for what this
//! machine has (and the `SKIPPED:` line when it lacks it).

pub mod local;
pub mod machine;
pub mod moto;
pub mod proxy;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The `pjob` binary under test.
pub const PJOB: &str = env!("CARGO_BIN_EXE_pjob");

/// The image the test manifests name (never pulled: moto does not run it,
/// and `pjob apply --local` runs the entrypoint on the host).
pub const IMAGE: &str = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3";

/// The repository root (`examples/`, `tests/bad-input/`, `tests/conformance/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `pjob ARGS` as on a fresh machine: none of the test's `AWS_*` variables
/// nor `PJOB_ENDPOINT_URL`, instance metadata off, no colour, no
/// `RUST_BACKTRACE`, nothing on stdin.
pub fn pjob_command<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Command {
    let mut cmd = Command::new(PJOB);
    cmd.args(args);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("AWS_") || key == "PJOB_ENDPOINT_URL" {
            cmd.env_remove(key);
        }
    }
    cmd.env("AWS_EC2_METADATA_DISABLED", "true").env("NO_COLOR", "1").env_remove("RUST_BACKTRACE").stdin(Stdio::null());
    cmd
}

/// A finished process (`pjob`, or a program a test runs).
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when a signal ended the process).
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
    /// Runs a command to its end.
    pub fn of(cmd: &mut Command) -> Run {
        let output = cmd.output().unwrap_or_else(|e| panic!("cannot run {}: {e}", cmd.get_program().to_string_lossy()));
        Run::from(output)
    }

    /// Asserts the exit code, showing the output when it differs.
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(self.code, code, "exit code\n{}", self.all());
        self
    }

    /// Standard output as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Both outputs, for messages.
    pub fn all(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }
}

/// Sends SIGINT (Ctrl-C) to a child process.
pub fn interrupt(child: &Child) {
    send_signal(child, "INT");
}

/// Sends a signal (`TERM`, `HUP`, `KILL` ...) to a child process.
pub fn send_signal(child: &Child, signal: &str) {
    let status = Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().expect("kill");
    assert!(status.success());
}

/// The processes of this machine whose command line contains `marker`
/// (their `/proc/PID/cmdline`, arguments joined by spaces).
pub fn processes_with(marker: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|e| {
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            let text = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            text.contains(marker).then(|| format!("{} {}", e.file_name().to_string_lossy(), text.trim()))
        })
        .collect()
}

/// Waits for a child and collects its output.
pub fn finish(child: Child) -> Run {
    Run::from(child.wait_with_output().expect("wait for pjob"))
}

/// Copies a folder (an example) to `to`, leaving out what runs write in
/// it (`out/`, `pjob-output/`), so the tree stays clean.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        if name == "out" || name == "pjob-output" {
            continue;
        }
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to.join(name));
        } else {
            std::fs::copy(entry.path(), to.join(name)).unwrap();
        }
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

    /// Writes `<name>.pjob.yaml`: a Processor running `python3 -c CODE`,
    /// with `metadata` entries (`, key: value`) and `spec` lines (indented
    /// by two spaces).
    pub fn processor_job(&self, name: &str, metadata: &str, code: &str, spec: &str) -> PathBuf {
        self.write(
            &format!("{name}.pjob.yaml"),
            format!(
                "apiVersion: pjob/v1\nkind: Processor\nmetadata: {{name: {name}{metadata}}}\nspec:\n  \
                 role: arn:aws:iam::123456789012:role/R\n  image_uri: {IMAGE}\n  entrypoint: [python3, -c, {code:?}]\n  \
                 instance_count: 1\n  instance_type: ml.m5.large\n{spec}"
            ),
        )
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
