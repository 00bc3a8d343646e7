//! `pjob completions SHELL` and `pjob man` produce scripts and a page that the
//! real shells and man tools accept, and the scripts complete what a user types.
//!
//! bash, groff and man are on every Debian machine; zsh and fish come from
//! apt (`zsh`, `fish`). A test whose tool is missing says so and passes on a
//! developer's machine, but fails under CI (`CI` set), where `.ci/run`
//! installs them.

use std::path::Path;
use std::process::Command;

use crate::support::machine::{has_program, skipped};
use crate::support::{Run, pjob_command};

/// Every subcommand SPEC.md section 6 lists, plus `completions` and `man`.
const SUBCOMMANDS: [&str; 13] =
    ["validate", "render", "plan", "apply", "graph", "status", "logs", "stop", "list", "schema", "init", "completions", "man"];

fn pjob(args: &[&str]) -> String {
    Run::of(&mut pjob_command(args)).expect(0).stdout
}

/// Writes `pjob completions SHELL` (or another pjob output) to a file in `dir`.
fn write_output(dir: &Path, name: &str, args: &[&str]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, pjob(args)).expect("write temp file");
    path
}

/// Whether `program` is installed here; under CI a missing tool is a failure.
fn available(program: &str) -> bool {
    let found = has_program(program);
    if !found {
        assert!(std::env::var_os("CI").is_none(), "{program} is not installed (CI must apt-get install it)");
        eprintln!("note: {program} is not installed");
    }
    found
}

/// Whether `test`, which needs `program`, can run here. When it cannot, it
/// says so with the `SKIPPED:` line tests/run.sh counts.
fn runs_with(test: &str, program: &str) -> bool {
    let found = available(program);
    if !found {
        skipped(test, &format!("{program} is not installed"));
    }
    found
}

fn run(program: &str, args: &[&str]) -> Run {
    Run::of(Command::new(program).args(args).env("LC_ALL", "C.UTF-8"))
}

/// What bash's completion of `words` (the last one being completed) offers,
/// with pjob's script sourced as `complete` would use it.
fn bash_complete(script: &Path, words: &[&str]) -> Vec<String> {
    let program = r#"
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        prev=""; (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"
        _pjob pjob "${COMP_WORDS[COMP_CWORD]}" "$prev"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let mut args = vec!["-c", program, "bash", script.to_str().expect("UTF-8 temp path")];
    args.extend_from_slice(words);
    let out = run("bash", &args);
    assert_eq!(out.code, 0, "bash completion failed: {}", out.stderr);
    out.stdout.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()
}

#[test]
fn bash_script_is_valid_and_registers_pjob() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = write_output(dir.path(), "pjob.bash", &["completions", "bash"]);
    let syntax = run("bash", &["-n", script.to_str().expect("UTF-8")]);
    assert_eq!(syntax.code, 0, "bash -n: {}", syntax.stderr);
    let registered = run("bash", &["-c", r#"source "$1" && complete -p pjob"#, "bash", script.to_str().expect("UTF-8")]);
    assert_eq!(registered.code, 0, "complete -p pjob: {}", registered.stderr);
    assert!(registered.stdout.contains("-F _pjob"), "pjob is not completed by _pjob: {}", registered.stdout);
}

#[test]
fn bash_completes_subcommands_options_and_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = write_output(dir.path(), "pjob.bash", &["completions", "bash"]);

    let first = bash_complete(&script, &["pjob", ""]);
    for sub in SUBCOMMANDS {
        assert!(first.iter().any(|c| c == sub), "`pjob <TAB>` lacks {sub}: {first:?}");
    }
    assert_eq!(bash_complete(&script, &["pjob", "va"]), ["validate"]);
    assert_eq!(bash_complete(&script, &["pjob", "-o", ""]), ["text", "json", "yaml"]);

    let apply = bash_complete(&script, &["pjob", "apply", "--"]);
    for flag in ["--local", "--detach", "--max-concurrent", "--stop-on-interrupt", "--new", "--region", "--output"] {
        assert!(apply.iter().any(|c| c == flag), "`pjob apply --<TAB>` lacks {flag}: {apply:?}");
    }
    assert!(!apply.iter().any(|c| c == "--follow"), "`pjob apply` offers `logs`'s --follow: {apply:?}");

    let shells = bash_complete(&script, &["pjob", "completions", ""]);
    for shell in ["bash", "zsh", "fish"] {
        assert!(shells.iter().any(|c| c == shell), "`pjob completions <TAB>` lacks {shell}: {shells:?}");
    }
    assert_eq!(bash_complete(&script, &["pjob", "apply", "--engine", "d"]), ["docker"]);
}

#[test]
fn zsh_script_is_valid_and_registers_pjob() {
    if !runs_with("zsh_script_is_valid_and_registers_pjob", "zsh") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let script = write_output(dir.path(), "_pjob", &["completions", "zsh"]);
    let path = script.to_str().expect("UTF-8");
    let syntax = run("zsh", &["-n", path]);
    assert_eq!(syntax.code, 0, "zsh -n: {}", syntax.stderr);
    // Loaded the way a user's .zshrc does (compinit, then the script).
    let loaded = run("zsh", &["-fc", r#"autoload -U compinit && compinit -u -D && source "$1" && print -r -- $_comps[pjob]"#, "zsh", path]);
    assert_eq!(loaded.code, 0, "zsh could not load the script: {}", loaded.stderr);
    assert_eq!(loaded.stdout.trim(), "_pjob", "zsh does not complete pjob with _pjob");
}

/// What fish's `complete -C` offers for `line`: the candidates, without descriptions.
fn fish_complete(script: &Path, line: &str) -> Vec<String> {
    let out = run("fish", &["--no-config", "-c", r#"source $argv[1]; complete -C $argv[2]"#, script.to_str().expect("UTF-8"), line]);
    assert_eq!(out.code, 0, "fish: {}", out.stderr);
    out.stdout.lines().map(|l| l.split('\t').next().unwrap_or_default().to_owned()).collect()
}

#[test]
fn fish_script_is_valid_and_completes() {
    if !runs_with("fish_script_is_valid_and_completes", "fish") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let script = write_output(dir.path(), "pjob.fish", &["completions", "fish"]);
    let syntax = run("fish", &["--no-config", "--no-execute", script.to_str().expect("UTF-8")]);
    assert_eq!(syntax.code, 0, "fish --no-execute: {}", syntax.stderr);

    let first = fish_complete(&script, "pjob ");
    for sub in SUBCOMMANDS {
        assert!(first.iter().any(|c| c == sub), "`pjob <TAB>` lacks {sub}: {first:?}");
    }
    assert_eq!(fish_complete(&script, "pjob va"), ["validate"]);
    let mut formats = fish_complete(&script, "pjob render -o ");
    formats.sort();
    assert_eq!(formats, ["json", "text", "yaml"]);
    let mut shells = fish_complete(&script, "pjob completions ");
    shells.sort();
    assert_eq!(shells, ["bash", "elvish", "fish", "powershell", "zsh"]);
    let flags = fish_complete(&script, "pjob apply --");
    assert!(flags.iter().any(|c| c == "--local") && flags.iter().any(|c| c == "--detach"), "{flags:?}");
}

#[test]
fn man_page_renders_with_every_subcommand() {
    let page = pjob(&["man"]);
    assert!(page.starts_with(".ie") || page.starts_with(".TH"), "not a roff page: {}", &page[..page.len().min(80)]);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("pjob.1");
    std::fs::write(&file, &page).expect("write page");
    let path = file.to_str().expect("UTF-8");

    if available("groff") {
        // -ww: every warning; -z: check only. A clean page prints nothing.
        let checked = run("groff", &["-man", "-Tutf8", "-ww", "-z", path]);
        assert!(checked.code == 0 && checked.stderr.is_empty(), "groff warns: {}", checked.stderr);
    }
    if available("man") {
        let out = Run::of(Command::new("man").args(["-l", path]).env("MANPAGER", "cat").env("MANWIDTH", "100").env("LC_ALL", "C.UTF-8"));
        assert_eq!(out.code, 0, "man -l: {}", out.stderr);
        let shown = out.stdout;
        for heading in ["NAME", "SYNOPSIS", "OPTIONS", "SUBCOMMANDS"] {
            assert!(shown.lines().any(|l| l.trim() == heading), "the page has no {heading} section:\n{shown}");
        }
        for sub in SUBCOMMANDS {
            assert!(shown.contains(&format!("pjob-{sub}(1)")), "the page does not list {sub}:\n{shown}");
        }
    }
}
