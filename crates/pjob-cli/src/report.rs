//! Printing diagnostics: miette's graphical reports for people, JSON for CI.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use miette::{GraphicalReportHandler, GraphicalTheme};
use pjob_source::Diagnostic;

/// Renders one diagnostic as miette's graphical report (colour on a terminal).
pub fn render(d: &Diagnostic) -> String {
    let theme = if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, d).is_err() {
        out = format!("{d}\n");
    }
    out
}

/// Prints every diagnostic to stderr.
pub fn print_all(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprint!("{}", render(d));
    }
}

/// Whether errors are printed with their whole chain of causes (`-v`).
static VERBOSE: AtomicBool = AtomicBool::new(false);

/// Prints errors with their whole chain of causes from now on (`-v`).
pub(crate) fn set_verbose(verbose: bool) {
    VERBOSE.store(verbose, Ordering::Relaxed);
}

/// Whether `-v` was given.
pub(crate) fn verbose() -> bool {
    VERBOSE.load(Ordering::Relaxed)
}

/// Prints an error, for a job when named: its own message, and with `-v`
/// every cause below it, one per line.
pub(crate) fn error(job: Option<&str>, e: &dyn std::error::Error) {
    match job {
        Some(job) => eprintln!("error: {job}: {e}"),
        None => eprintln!("error: {e}"),
    }
    if VERBOSE.load(Ordering::Relaxed) {
        let mut cause = e.source();
        while let Some(c) = cause {
            eprintln!("  caused by: {c}");
            cause = c.source();
        }
    }
}
