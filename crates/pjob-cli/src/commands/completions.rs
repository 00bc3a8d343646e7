//! `pjob completions SHELL` and `pjob man`.

use std::io::Write;

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs};
use crate::exit::Exit;

/// Prints the completion script for a shell.
pub fn completions(args: &CompletionsArgs) -> Exit {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "pjob", &mut script);
    if args.shell == clap_complete::Shell::Fish {
        script.extend_from_slice(fish_positional_values(&cmd).as_bytes());
    }
    match std::io::stdout().write_all(&script) {
        Ok(()) => Exit::Success,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Success,
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Invalid
        }
    }
}

/// Fish completions for the subcommands' positional arguments that take one
/// of a set of values (`pjob completions <SHELL>`), which clap_complete's
/// fish script leaves out (clap-rs/clap#6295).
fn fish_positional_values(cmd: &clap::Command) -> String {
    let mut lines = String::new();
    for sub in cmd.get_subcommands() {
        for arg in sub.get_positionals() {
            let possible = arg.get_possible_values();
            let values: Vec<&str> = possible.iter().filter(|v| !v.is_hide_set()).map(|v| v.get_name()).collect();
            if !values.is_empty() {
                lines.push_str(&format!(
                    "complete -c pjob -n \"__fish_pjob_using_subcommand {}\" -f -a \"{}\"\n",
                    sub.get_name(),
                    values.join(" ")
                ));
            }
        }
    }
    lines
}

/// Prints the man page.
pub fn man() -> Exit {
    let page = clap_mangen::Man::new(Cli::command());
    match page.render(&mut std::io::stdout()) {
        Ok(()) => Exit::Success,
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Invalid
        }
    }
}
