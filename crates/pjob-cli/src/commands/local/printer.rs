//! What a local run prints while a job runs: log lines on stdout (stderr
//! when stdout holds a JSON or YAML result), everything else on stderr.

use pjob_executor_local::{Event, Observer, Outcome};

/// Prints one job's events, each line starting with its name.
pub(super) struct Printer {
    /// The job's name.
    pub job: String,
    /// Whether log lines name the job (when the set has several).
    pub name_logs: bool,
    /// Whether log lines go to stderr.
    pub logs_to_stderr: bool,
}

impl Printer {
    /// Prints a line about the job on stderr.
    pub fn note(&self, message: &str) {
        eprintln!("{}: {message}", self.job);
    }

    /// Prints how the job ended, and where its kept folder is.
    pub fn outcome(&self, outcome: &Outcome) {
        match &outcome.failure_reason {
            None => self.note(outcome.status.as_str()),
            Some(reason) => self.note(&format!("{}: {reason}", outcome.status.as_str())),
        }
        if let Some(folder) = &outcome.job_folder {
            self.note(&format!("the job folder stays at {}", folder.display()));
        }
    }
}

impl Observer for Printer {
    fn event(&self, event: Event<'_>) {
        match event {
            Event::JobFolder { path, kept: true } => self.note(&format!("job folder {}", path.display())),
            Event::JobFolder { kept: false, .. } => {}
            Event::Staged { input, host, files } => self.note(&format!("staged input `{input}` for {host} ({files} file(s))")),
            Event::Notice(text) => self.note(&format!("note: {text}")),
            Event::Started { host, command } => self.note(&format!("{host} started: {}", command.join(" "))),
            Event::Log { host, line } => {
                let text = if self.name_logs { format!("{} [{host}] {line}", self.job) } else { format!("[{host}] {line}") };
                if self.logs_to_stderr {
                    eprintln!("{text}");
                } else {
                    crate::output::line(&text);
                }
            }
            Event::Exited { host, code } => self.note(&format!("{host} exited with code {code}")),
            Event::Delivered { output, destination, files } => {
                self.note(&format!("output `{output}` delivered to {destination} ({files} file(s))"));
            }
        }
    }
}
