//! What runs a job's entrypoint: this machine's programs, or the job's
//! image in a container engine.

use std::process::Stdio;
use std::time::Duration;

/// What runs the entrypoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// This machine's programs, in a private mount namespace (the image is
    /// not pulled).
    Host,
    /// The job's image, with `docker run`.
    Docker,
    /// The job's image, with `podman run`.
    Podman,
}

impl Engine {
    /// The engine's command (`docker`, `podman`), or `None` for the host.
    pub fn program(self) -> Option<&'static str> {
        match self {
            Engine::Host => None,
            Engine::Docker => Some("docker"),
            Engine::Podman => Some("podman"),
        }
    }
}

/// A container engine cannot run containers here.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// Its command is not installed.
    #[error(
        "`--engine {engine}` needs {engine}, which is not installed (not found on PATH); use --engine host to run the entrypoint with this machine's programs"
    )]
    NotInstalled {
        /// `docker` or `podman`.
        engine: &'static str,
    },
    /// Its command is there but cannot run containers.
    #[error("{engine} cannot run containers here (`{engine} info` failed: {detail}); start its service, or use --engine host")]
    Unavailable {
        /// `docker` or `podman`.
        engine: &'static str,
        /// What the engine said.
        detail: String,
    },
}

/// Checks that an engine can run containers (`docker info`, `podman info`).
/// The host engine always can.
pub async fn check_engine(engine: Engine) -> Result<(), EngineError> {
    let Some(program) = engine.program() else { return Ok(()) };
    let mut info = tokio::process::Command::new(program);
    info.arg("info").stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).kill_on_drop(true);
    let output = match tokio::time::timeout(Duration::from_secs(30), info.output()).await {
        Err(_) => return Err(EngineError::Unavailable { engine: program, detail: "no answer within 30 seconds".into() }),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => return Err(EngineError::NotInstalled { engine: program }),
        Ok(Err(e)) => return Err(EngineError::Unavailable { engine: program, detail: e.to_string() }),
        Ok(Ok(output)) => output,
    };
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let detail = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .find(|l| l.to_lowercase().contains("cannot") || l.to_lowercase().contains("error"))
        .or_else(|| stderr.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("no error message")
        .to_string();
    Err(EngineError::Unavailable { engine: program, detail })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_host_engine_is_always_there() {
        check_engine(Engine::Host).await.unwrap();
    }
}
