//! One process per simulated host: started in its sandbox (or container),
//! its output streamed line by line, stopped on request with `SIGTERM` and
//! then `SIGKILL`, as SageMaker stops a container.

use std::collections::{BTreeMap, VecDeque};
use std::os::fd::OwnedFd;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustix::pipe::PipeFlags;
use rustix::process::{Pid, Signal};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::layout::{CONFIG_ROOT, HostDir, PROCESSING_ROOT};
use crate::sandbox::{self, ModeCell, MountPlan, SpawnError};
use crate::{Engine, Event, HostResult, LocalError, Observer};

/// How many of a host's last lines are kept for the failure reason.
pub(crate) const LAST_LINES: usize = 10;

/// Why running hosts are being stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StopReason {
    /// `MaxRuntimeInSeconds` passed.
    Timeout,
    /// The user pressed Ctrl-C.
    Interrupted,
    /// Another host failed.
    PeerFailed,
}

/// What every host of a job runs.
pub(crate) struct Launcher {
    pub engine: Engine,
    pub job_name: String,
    pub image: String,
    /// `ContainerEntrypoint` (required with the host engine).
    pub entrypoint: Option<Vec<String>>,
    /// `ContainerArguments`.
    pub arguments: Vec<String>,
    /// `Environment`.
    pub environment: BTreeMap<String, String>,
    /// Mount points for the host engine.
    pub plan: MountPlan,
    /// The namespace mode that works here.
    pub mode: ModeCell,
    pub observer: Arc<dyn Observer>,
}

/// A started host.
pub(crate) struct Running {
    host: String,
    child: tokio::process::Child,
    pid: Option<Pid>,
    container: Option<(&'static str, String)>,
    reader: JoinHandle<VecDeque<String>>,
}

/// A host that could not start.
pub(crate) enum StartError {
    /// The run cannot go on (the namespace was refused).
    Local(LocalError),
    /// The entrypoint could not be executed: the host fails.
    Program(String),
}

impl Launcher {
    /// The command line a host runs (as shown to the user).
    pub fn command_line(&self) -> Vec<String> {
        let mut argv = self.entrypoint.clone().unwrap_or_default();
        argv.extend(self.arguments.iter().cloned());
        argv
    }

    /// Starts a host's process.
    pub fn start(&self, host: &HostDir) -> Result<Running, StartError> {
        let output: Mutex<Option<OwnedFd>> = Mutex::new(None);
        let make = || {
            let mut command = match self.engine.program() {
                None => self.host_command(),
                Some(program) => self.container_command(program, host),
            };
            command.stdin(Stdio::null()).process_group(0).kill_on_drop(true);
            match rustix::pipe::pipe_with(PipeFlags::CLOEXEC).map_err(std::io::Error::from).and_then(|(r, w)| Ok((r, w.try_clone()?, w))) {
                Ok((read, write_err, write_out)) => {
                    command.stdout(Stdio::from(write_out)).stderr(Stdio::from(write_err));
                    *output.lock().unwrap_or_else(|e| e.into_inner()) = Some(read);
                }
                Err(_) => {
                    command.stdout(Stdio::null()).stderr(Stdio::null());
                }
            }
            command
        };
        let spawned = match self.engine {
            Engine::Host => {
                let sandbox = self
                    .plan
                    .sandbox(&[
                        (host.processing.as_path(), std::path::Path::new(PROCESSING_ROOT)),
                        (host.config.as_path(), std::path::Path::new(CONFIG_ROOT)),
                    ])
                    .map_err(|e| StartError::Local(e.into()))?;
                sandbox::spawn(&make, &Arc::new(sandbox), &self.mode)
            }
            Engine::Docker | Engine::Podman => make().spawn().map_err(SpawnError::Program),
        };
        let child = match spawned {
            Ok(child) => child,
            Err(SpawnError::Sandbox(e)) => return Err(StartError::Local(e.into())),
            Err(SpawnError::Program(e)) => {
                let program = match self.engine.program() {
                    Some(engine) => engine.to_string(),
                    None => self.entrypoint.as_ref().and_then(|e| e.first()).cloned().unwrap_or_default(),
                };
                return Err(StartError::Program(format!("cannot run `{program}`: {e}")));
            }
        };
        let pid = child.id().and_then(|id| Pid::from_raw(id as i32));
        let read = output.lock().unwrap_or_else(|e| e.into_inner()).take();
        let reader = stream_lines(host.name.clone(), read, Arc::clone(&self.observer));
        let container = self.engine.program().map(|p| (p, container_name(&self.job_name, &host.name)));
        Ok(Running { host: host.name.clone(), child, pid, container, reader })
    }

    fn host_command(&self) -> tokio::process::Command {
        let argv = self.command_line();
        let mut command = tokio::process::Command::new(argv.first().map_or("", String::as_str));
        command.args(argv.iter().skip(1)).envs(&self.environment);
        command
    }

    fn container_command(&self, program: &str, host: &HostDir) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(program);
        command.arg("run").arg("--rm").arg("--name").arg(container_name(&self.job_name, &host.name));
        command.arg("--hostname").arg(&host.name);
        command.arg("-v").arg(format!("{}:{PROCESSING_ROOT}", host.processing.display()));
        command.arg("-v").arg(format!("{}:{CONFIG_ROOT}", host.config.display()));
        // Values travel in the engine's environment, not on its command line.
        for (key, value) in &self.environment {
            command.arg("-e").arg(key).env(key, value);
        }
        let mut rest: Vec<&String> = Vec::new();
        if let Some((first, others)) = self.entrypoint.as_deref().and_then(|e| e.split_first()) {
            command.arg("--entrypoint").arg(first);
            rest.extend(others);
        }
        command.arg(&self.image).args(rest).args(&self.arguments);
        command
    }
}

/// The container name of a host (`pjob-<job>-algo-1`).
fn container_name(job: &str, host: &str) -> String {
    format!("pjob-{job}-{host}")
}

/// The longest log line reported as one: a longer one (a progress bar
/// without a newline, a binary dump) is reported in pieces of this size, so
/// pjob's memory stays bounded whatever the job prints.
pub const MAX_LOG_LINE_BYTES: usize = 16 * 1024;

/// Reads a process's output line by line, reporting each; returns the last
/// lines. A line ends at `\n`, `\r\n` or a lone `\r` (progress updates
/// are shown as they come), or after [`MAX_LOG_LINE_BYTES`].
fn stream_lines(host: String, read: Option<OwnedFd>, observer: Arc<dyn Observer>) -> JoinHandle<VecDeque<String>> {
    tokio::spawn(async move {
        let mut last = VecDeque::new();
        let Some(fd) = read else { return last };
        let Ok(pipe) = tokio::net::unix::pipe::Receiver::from_owned_fd(fd) else { return last };
        let mut reader = BufReader::new(pipe);
        let mut line = Vec::new();
        let mut after_cr = false;
        let mut after_split = false;
        let mut report = |line: &mut Vec<u8>| {
            let text = String::from_utf8_lossy(line);
            observer.event(Event::Log { host: &host, line: &text });
            if last.len() == LAST_LINES {
                last.pop_front();
            }
            last.push_back(text.into_owned());
            line.clear();
        };
        loop {
            let chunk = match reader.fill_buf().await {
                Ok(chunk) if !chunk.is_empty() => chunk,
                _ => break,
            };
            let room = MAX_LOG_LINE_BYTES - line.len();
            let end = chunk.iter().take(room).position(|b| *b == b'\n' || *b == b'\r');
            let (taken, terminator) = match end {
                Some(i) => (i, Some(chunk[i])),
                None => (chunk.len().min(room), None),
            };
            line.extend_from_slice(&chunk[..taken]);
            reader.consume(taken + usize::from(terminator.is_some()));
            match terminator {
                // The `\n` of a `\r\n` (reported at its `\r`), or the end of a line already
                // reported when it reached the limit: no empty line.
                Some(b'\n') if line.is_empty() && after_cr => {}
                Some(_) if line.is_empty() && after_split => {}
                Some(_) => report(&mut line),
                None if line.len() >= MAX_LOG_LINE_BYTES => report(&mut line),
                None => {}
            }
            after_cr = terminator == Some(b'\r');
            after_split = terminator.is_none() && line.is_empty();
        }
        if !line.is_empty() {
            report(&mut line);
        }
        last
    })
}

impl Running {
    /// Waits for the process to end, or stops it when `stop` says so.
    pub async fn watch(mut self, mut stop: watch::Receiver<Option<StopReason>>, grace: Duration, observer: &dyn Observer) -> HostResult {
        let mut stopped = None;
        let status = loop {
            let current = *stop.borrow_and_update();
            if let Some(reason) = current {
                stopped = Some(reason);
                break self.terminate(grace).await;
            }
            tokio::select! {
                status = self.child.wait() => break status.ok(),
                changed = stop.changed() => {
                    if changed.is_err() {
                        break self.child.wait().await.ok();
                    }
                }
            }
        };
        // Whatever the entrypoint left running ends with it, as in a container.
        self.signal_group(Signal::KILL);
        let last_lines = match tokio::time::timeout(Duration::from_secs(5), self.reader).await {
            Ok(Ok(lines)) => lines.into_iter().collect(),
            _ => Vec::new(),
        };
        let exit_code = status.map(exit_code);
        if let Some(code) = exit_code {
            observer.event(Event::Exited { host: &self.host, code });
        }
        HostResult { host: self.host, exit_code, start_error: None, last_lines, stopped: stopped.is_some() }
    }

    /// `SIGTERM`, then `SIGKILL` after `grace` (for containers: the engine's `stop`).
    async fn terminate(&mut self, grace: Duration) -> Option<ExitStatus> {
        if let Some((engine, name)) = &self.container {
            let mut stop = tokio::process::Command::new(engine);
            stop.arg("stop").arg("-t").arg(grace.as_secs().to_string()).arg(name);
            stop.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
            let _ = tokio::time::timeout(grace + Duration::from_secs(30), stop.status()).await;
        } else {
            self.signal_group(Signal::TERM);
        }
        match tokio::time::timeout(grace, self.child.wait()).await {
            Ok(status) => status.ok(),
            Err(_) => {
                self.signal_group(Signal::KILL);
                let _ = self.child.start_kill();
                self.child.wait().await.ok()
            }
        }
    }

    fn signal_group(&self, signal: Signal) {
        if let Some(pid) = self.pid {
            let _ = rustix::process::kill_process_group(pid, signal);
        }
    }
}

/// A process's exit code, with SageMaker's (and Docker's) `128 + N` for
/// signal N.
pub(crate) fn exit_code(status: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.code().or_else(|| status.signal().map(|s| 128 + s)).unwrap_or(-1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launcher(engine: Engine, entrypoint: Option<Vec<&str>>) -> Launcher {
        Launcher {
            engine,
            job_name: "churn-abc".into(),
            image: "img:1".into(),
            entrypoint: entrypoint.map(|e| e.into_iter().map(String::from).collect()),
            arguments: vec!["--split".into(), "0.2".into()],
            environment: BTreeMap::from([("MODE".to_string(), "secret".to_string())]),
            plan: MountPlan::default(),
            mode: Mutex::new(sandbox::Mode::first()),
            observer: Arc::new(()),
        }
    }

    fn args(command: &tokio::process::Command) -> Vec<String> {
        let std = command.as_std();
        std::iter::once(std.get_program()).chain(std.get_args()).map(|a| a.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn containers_get_the_same_mounts_entrypoint_and_arguments() {
        let host = HostDir { name: "algo-1".into(), processing: "/j/algo-1/processing".into(), config: "/j/algo-1/config".into() };
        let l = launcher(Engine::Docker, Some(vec!["python3", "/opt/ml/processing/input/code/x.py"]));
        let command = l.container_command("docker", &host);
        assert_eq!(
            args(&command),
            [
                "docker",
                "run",
                "--rm",
                "--name",
                "pjob-churn-abc-algo-1",
                "--hostname",
                "algo-1",
                "-v",
                "/j/algo-1/processing:/opt/ml/processing",
                "-v",
                "/j/algo-1/config:/opt/ml/config",
                "-e",
                "MODE",
                "--entrypoint",
                "python3",
                "img:1",
                "/opt/ml/processing/input/code/x.py",
                "--split",
                "0.2",
            ]
        );
        // The value is in the engine's environment, not its command line.
        let envs: Vec<_> = command.as_std().get_envs().collect();
        assert_eq!(envs, [(std::ffi::OsStr::new("MODE"), Some(std::ffi::OsStr::new("secret")))]);
    }

    #[test]
    fn without_an_entrypoint_the_image_keeps_its_own() {
        let host = HostDir { name: "algo-2".into(), processing: "/p".into(), config: "/c".into() };
        let command = launcher(Engine::Podman, None).container_command("podman", &host);
        let a = args(&command);
        assert!(!a.contains(&"--entrypoint".to_string()));
        assert_eq!(a[a.len() - 3..], ["img:1", "--split", "0.2"]);
    }

    #[test]
    fn signals_show_as_128_plus_their_number() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(exit_code(ExitStatus::from_raw(9)), 137);
        assert_eq!(exit_code(ExitStatus::from_raw(3 << 8)), 3);
    }
}
