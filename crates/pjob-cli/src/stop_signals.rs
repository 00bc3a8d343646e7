//! The signals that stop a command: Ctrl-C (`SIGINT`), `SIGTERM` (what CI
//! cancellation, `timeout` and `docker stop` send) and `SIGHUP` (a closed
//! terminal). Each is handled as Ctrl-C is: running work is stopped or
//! detached as the command documents, temporary folders are removed, and
//! pjob exits with 130.

use tokio::signal::unix::{Signal, SignalKind, signal};

/// Listeners for the stop signals, registered when created: from then on,
/// these signals no longer end pjob at once.
pub(crate) struct StopSignals {
    interrupt: Option<Signal>,
    terminate: Option<Signal>,
    hangup: Option<Signal>,
}

impl StopSignals {
    /// Registers the listeners (inside a Tokio runtime). A signal whose
    /// listener cannot be registered keeps its default action.
    pub(crate) fn listen() -> StopSignals {
        StopSignals {
            interrupt: signal(SignalKind::interrupt()).ok(),
            terminate: signal(SignalKind::terminate()).ok(),
            hangup: signal(SignalKind::hangup()).ok(),
        }
    }

    /// Waits for the next stop signal; its name (`Ctrl-C`, `SIGTERM`, `SIGHUP`).
    pub(crate) async fn next(&mut self) -> &'static str {
        tokio::select! {
            Some(()) = recv(&mut self.interrupt) => "Ctrl-C",
            Some(()) = recv(&mut self.terminate) => "SIGTERM",
            Some(()) = recv(&mut self.hangup) => "SIGHUP",
        }
    }
}

/// The next delivery of `listener`; never, without one.
async fn recv(listener: &mut Option<Signal>) -> Option<()> {
    match listener {
        Some(listener) => listener.recv().await,
        None => std::future::pending().await,
    }
}
