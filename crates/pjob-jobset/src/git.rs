//! `git_config`: the repository cloned with the system `git` into a
//! temporary folder and checked out at the given branch, then commit, as
//! the SDK's `git_utils.git_clone_repo` does, before the job compiles.
//!
//! This is the only network access of the pipeline, so it happens here,
//! outside the pure compiler, and only for commands that need the sources
//! (`render`, `plan`, `apply`); `validate` checks `git_config` without
//! fetching. Every `git` run has a deadline, and never prompts.
//!
//! The credentials the SDK would put into the clone URL
//! ([`GitConfig::credentials`]) reach `git` through a credential helper
//! defined in the clone's environment instead, so that no command line
//! (`ps`) and no message of git's shows them; every error is masked with
//! [`GitConfig::mask`] too.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pjob_manifest::GitConfig;
use pjob_manifest::git::GitCredentials;

/// The credential helper the clone is given: it answers `get` with the
/// user name and password of the environment (`PJOB_GIT_USERNAME`,
/// `PJOB_GIT_PASSWORD`), and ignores `store` and `erase`.
const CREDENTIAL_HELPER: &str =
    r#"!f() { test "$1" = get && printf 'username=%s\npassword=%s\n' "$PJOB_GIT_USERNAME" "$PJOB_GIT_PASSWORD"; }; f"#;

/// A checked-out repository; the folder is removed when this is dropped.
#[derive(Debug)]
pub struct Checkout {
    dir: tempfile::TempDir,
}

impl Checkout {
    /// The work tree.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Why a repository could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// `git` failed; `detail` is what it said.
    #[error("git {action} failed for {repo}: {detail}")]
    Git {
        /// The repository.
        repo: String,
        /// `clone` or `checkout`.
        action: &'static str,
        /// What git said.
        detail: String,
    },
    /// `git` did not finish in time and was stopped.
    #[error("git {action} of {repo} did not finish within {} s and was stopped", .timeout.as_secs())]
    TimedOut {
        /// The repository.
        repo: String,
        /// `clone` or `checkout`.
        action: &'static str,
        /// The deadline it had.
        timeout: Duration,
    },
}

/// Clones `config.repo` (a URL, or a path relative to `base_dir`), then
/// checks out `branch` and `commit` when given; each `git` run is stopped
/// after `timeout`. The configuration must have passed
/// [`pjob_compiler::check_git_config`] (no value that git would read as an option).
pub fn fetch(config: &GitConfig, base_dir: &Path, timeout: Duration) -> Result<Checkout, FetchError> {
    let error = |action, detail: String| FetchError::Git { repo: config.mask(&config.repo), action, detail };
    let dir = tempfile::Builder::new()
        .prefix("pjob-git-")
        .tempdir()
        .map_err(|e| error("clone", format!("cannot create a temporary folder: {e}")))?;
    let work_tree = dir.path().to_path_buf();
    let target = work_tree.to_string_lossy().into_owned();
    let auth = config.credentials().map(|c| credential_env(&c)).unwrap_or_default();
    let run = |action, args: &[&str], cwd: &Path, env: &[(String, String)]| run_git(config, action, args, cwd, env, timeout);
    run("clone", &["clone", "--quiet", "--", &config.repo, &target], base_dir, &auth)?;
    if let Some(branch) = &config.branch {
        run("checkout", &["checkout", "--quiet", branch], &work_tree, &[])?;
    }
    if let Some(commit) = &config.commit {
        run("checkout", &["checkout", "--quiet", "--detach", commit], &work_tree, &[])?;
    }
    Ok(Checkout { dir })
}

/// The environment that gives `git` these credentials: git's own
/// `GIT_CONFIG_COUNT` settings (after any the environment already has)
/// clear the configured credential helpers and add [`CREDENTIAL_HELPER`].
pub fn credential_env(credentials: &GitCredentials) -> Vec<(String, String)> {
    let first = std::env::var("GIT_CONFIG_COUNT").ok().and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
    let mut env = Vec::new();
    for (i, helper) in ["", CREDENTIAL_HELPER].into_iter().enumerate() {
        env.push((format!("GIT_CONFIG_KEY_{}", first + i), "credential.helper".to_string()));
        env.push((format!("GIT_CONFIG_VALUE_{}", first + i), helper.to_string()));
    }
    env.push(("GIT_CONFIG_COUNT".to_string(), (first + 2).to_string()));
    env.push(("PJOB_GIT_USERNAME".to_string(), credentials.username.clone()));
    env.push(("PJOB_GIT_PASSWORD".to_string(), credentials.password.clone()));
    env
}

fn run_git(
    config: &GitConfig,
    action: &'static str,
    args: &[&str],
    cwd: &Path,
    env: &[(String, String)],
    timeout: Duration,
) -> Result<(), FetchError> {
    let repo = config.mask(&config.repo);
    let error = |detail: String| FetchError::Git { repo: repo.clone(), action, detail: config.mask(&detail) };
    let stderr_file = tempfile::tempfile().map_err(|e| error(format!("cannot create a temporary file: {e}")))?;
    let mut command = Command::new("git");
    command
        .args(args)
        .current_dir(cwd)
        .env("GIT_TERMINAL_PROMPT", "0")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr_file.try_clone().map_err(|e| error(e.to_string()))?)
        // A group of its own, so that a deadline stops its helpers (ssh, git-remote-https) too.
        .process_group(0);
    if std::env::var_os("GIT_SSH_COMMAND").is_none() {
        // ssh must not ask for a password or a host key: there is no one to answer.
        command.env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes");
    }
    let mut child = command.spawn().map_err(|e| error(format!("cannot run `git`: {e}")))?;
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait().map_err(|e| error(e.to_string()))? {
            Some(status) => break status,
            None if Instant::now() >= deadline => {
                if let Some(group) = rustix::process::Pid::from_raw(child.id() as i32) {
                    let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
                }
                let _ = child.kill();
                let _ = child.wait();
                return Err(FetchError::TimedOut { repo, action, timeout });
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    if status.success() {
        return Ok(());
    }
    let detail = read_all(stderr_file);
    let detail = detail.trim();
    Err(error(if detail.is_empty() { format!("git exited with {status}") } else { detail.to_string() }))
}

fn read_all(mut file: std::fs::File) -> String {
    use std::io::{Read, Seek};
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.take(64 * 1024).read_to_string(&mut text));
    text
}
