//! The README's "Diagnostic codes" table lists every [`Code`], in order,
//! with its meaning: users and CI scripts read the codes there.

use pjob_source::Code;

/// The README section that lists the codes.
const HEADING: &str = "## Diagnostic codes";

/// The rows of the table under [`HEADING`], as written (trimmed).
fn readme_rows(readme: &str) -> Vec<String> {
    let section = readme.split_once(HEADING).unwrap_or_else(|| panic!("README.md has no `{HEADING}` section")).1;
    section
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .skip(2) // the header and the |---| line
        .map(|line| line.trim().to_string())
        .collect()
}

/// The row [`Code::ALL`] gives for `code`.
fn expected_row(code: Code) -> String {
    format!("| `{}` | {} |", code.as_str(), code.meaning())
}

#[test]
fn the_readme_lists_every_code_with_its_meaning() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README.md");
    let found = readme_rows(&readme);
    let expected: Vec<String> = Code::ALL.iter().map(|c| expected_row(*c)).collect();
    let differences: Vec<String> = (0..found.len().max(expected.len()))
        .filter(|&i| found.get(i) != expected.get(i))
        .map(|i| {
            let none = "(no row)".to_string();
            format!("row {}:\n  README:    {}\n  Code::ALL: {}", i + 1, found.get(i).unwrap_or(&none), expected.get(i).unwrap_or(&none))
        })
        .collect();
    assert!(
        differences.is_empty(),
        "the README's `{HEADING}` table and `Code::ALL` (variants' doc comments) differ:\n{}\n\nthe table should read:\n| code | meaning |\n|---|---|\n{}",
        differences.join("\n"),
        expected.join("\n")
    );
}
