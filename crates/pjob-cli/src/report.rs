//! Printing diagnostics: miette's graphical reports for people, JSON for CI.

use std::io::IsTerminal;

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
