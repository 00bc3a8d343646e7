//! Very long keys and values are reported cut, with their length, and the
//! report never panics or echoes them in full.

use miette::{GraphicalReportHandler, GraphicalTheme};
use pjob_source::{Code, Diagnostic, SourceFile, Span};

fn render(d: &Diagnostic) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100).render_report(&mut out, d).unwrap();
    out
}

#[test]
fn a_key_of_seventy_thousand_characters_is_shown_cut() {
    let key = "k".repeat(70_000);
    let text = format!("apiVersion: pjob/v1\nspec:\n  {key}: 1\nnext: 2\n");
    let file = SourceFile::new("job.yaml", text.as_str());
    let d = Diagnostic::new(&file, Span::new(text.find(&key).unwrap(), key.len()), Code::UnknownField, format!("unknown field `{key}`"))
        .with_help(format!("remove `{key}`"));
    assert_eq!((d.location().line, d.location().column), (3, 3));
    assert!(d.message().ends_with("… (70000 characters)`"), "{}", d.message());
    assert!(d.message().len() < 300);
    let report = render(&d);
    assert!(report.len() < 2_000, "the report echoes the key: {} bytes", report.len());
    assert!(report.contains("(70000 characters)"), "{report}");
    assert!(report.contains(" 3 │"), "the snippet keeps the line number: {report}");
}

#[test]
fn a_long_value_on_a_short_line_elsewhere_still_gets_the_whole_snippet() {
    let text = format!("a: {}\nb: oops\n", "v".repeat(1000));
    let file = SourceFile::new("job.yaml", text.as_str());
    let d = Diagnostic::new(&file, Span::new(text.find("oops").unwrap(), 4), Code::BadValue, "`oops` is not allowed");
    let report = render(&d);
    assert!(report.contains("b: oops"), "{report}");
    assert_eq!(d.message(), "`oops` is not allowed");
}
