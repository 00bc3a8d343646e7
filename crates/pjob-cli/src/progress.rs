//! Live job progress for the AWS commands: on a terminal, one status line
//! per job on stderr (spinner, status, elapsed time since the job was
//! created); otherwise a plain stderr line per status change. Log lines go
//! to stdout, prefixed by instance (`[algo-1] ...`, and by job when several
//! jobs run).

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use pjob_executor_aws::{JobInfo, LogLine, Observer, StepInfo};

/// Draws the progress of one or more jobs.
pub struct Progress {
    /// Status lines, when stderr is a terminal.
    multi: Option<MultiProgress>,
    bars: Mutex<HashMap<String, ProgressBar>>,
    /// Jobs whose waiting was told (off a terminal, it is told once).
    waiting_said: Mutex<std::collections::HashSet<String>>,
    /// Prefix log lines with the job name (several jobs at once).
    name_logs: bool,
    /// Log lines go to stderr (stdout holds a JSON or YAML result).
    logs_to_stderr: bool,
}

impl Progress {
    /// Progress for jobs; `several` prefixes log lines with job names;
    /// `logs_to_stderr` keeps stdout for a structured result.
    pub fn new(several: bool, logs_to_stderr: bool) -> Progress {
        let live = std::io::stderr().is_terminal();
        Progress {
            multi: live.then(MultiProgress::new),
            bars: Mutex::new(HashMap::new()),
            waiting_said: Mutex::default(),
            name_logs: several,
            logs_to_stderr,
        }
    }

    /// Prints a line to stderr without tearing the status lines.
    pub fn eprint(&self, text: &str) {
        match &self.multi {
            Some(multi) => multi.suspend(|| eprintln!("{text}")),
            None => eprintln!("{text}"),
        }
    }

    /// Shows that a job waits for the jobs it depends on (`upstream`; none:
    /// it no longer waits). On a terminal, its status line says so; otherwise
    /// one line says it, the first time.
    pub fn waiting(&self, job: &str, upstream: &[&str]) {
        if upstream.is_empty() {
            return;
        }
        let message = format!("waiting for {}", upstream.join(", "));
        match &self.multi {
            Some(multi) => self.bar_named(multi, job, None).set_message(message),
            None => {
                let mut said = self.waiting_said.lock().unwrap_or_else(|e| e.into_inner());
                if said.insert(job.to_string()) {
                    eprintln!("{job}: {message}");
                }
            }
        }
    }

    /// Ends a job's status line with a last message (printed to stderr).
    pub fn finish(&self, job: &str, message: &str) {
        if let Some(bar) = self.bars.lock().ok().and_then(|mut bars| bars.remove(job)) {
            bar.finish_and_clear();
        }
        self.eprint(&format!("{job}: {message}"));
    }

    /// Clears every status line.
    pub fn clear(&self) {
        if let Ok(mut bars) = self.bars.lock() {
            for (_, bar) in bars.drain() {
                bar.finish_and_clear();
            }
        }
    }

    fn bar(&self, multi: &MultiProgress, job: &JobInfo) -> ProgressBar {
        self.bar_named(multi, &job.processing_job_name, Some(elapsed(job)))
    }

    /// The status line of the job `name`, made (timed from `elapsed` ago) if it has none.
    fn bar_named(&self, multi: &MultiProgress, name: &str, elapsed: Option<Duration>) -> ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        bars.entry(name.to_string())
            .or_insert_with(|| {
                let style = ProgressStyle::with_template("{spinner} {prefix} {msg} [{elapsed_precise}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
                let bar = multi.add(ProgressBar::new_spinner().with_style(style).with_elapsed(elapsed.unwrap_or_default()));
                bar.set_prefix(name.to_string());
                bar.enable_steady_tick(Duration::from_millis(250));
                bar
            })
            .clone()
    }
}

/// Time since the job was created.
fn elapsed(job: &JobInfo) -> Duration {
    job.created.and_then(|c| SystemTime::now().duration_since(c).ok()).unwrap_or_default()
}

/// `h:mm:ss`.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

impl Observer for Progress {
    fn status(&self, job: &JobInfo) {
        match &self.multi {
            Some(multi) => self.bar(multi, job).set_message(job.processing_job_status.to_string()),
            None => eprintln!("{}: {} (elapsed {})", job.processing_job_name, job.processing_job_status, clock(elapsed(job))),
        }
    }

    fn log(&self, job: &str, line: &LogLine) {
        let text = if self.name_logs {
            format!("{job} [{}] {}", line.instance, line.message)
        } else {
            format!("[{}] {}", line.instance, line.message)
        };
        if self.logs_to_stderr {
            self.eprint(&text);
            return;
        }
        match &self.multi {
            Some(multi) => multi.suspend(|| crate::output::line(&text)),
            None => crate::output::line(&text),
        }
    }

    fn note(&self, job: &str, message: &str) {
        self.eprint(&format!("{job}: {message}"));
    }

    fn detail(&self, job: &str, message: &str) {
        if crate::report::verbose() {
            self.note(job, message);
        }
    }

    fn step(&self, step: &StepInfo) {
        let job = step.job_name.as_ref().map(|j| format!(" (job {j})")).unwrap_or_default();
        let reason = step.failure_reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default();
        let message = format!("{}{job}{reason}", step.status);
        match &self.multi {
            Some(multi) if !step.has_ended() => self.bar_named(multi, &step.name, None).set_message(message),
            _ => self.finish(&step.name, &message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::clock;
    use std::time::Duration;

    #[test]
    fn clock_reads_hours_minutes_seconds() {
        assert_eq!(clock(Duration::from_secs(0)), "0:00:00");
        assert_eq!(clock(Duration::from_secs(3723)), "1:02:03");
    }
}
