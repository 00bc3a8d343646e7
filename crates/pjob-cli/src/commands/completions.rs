//! `pjob completions SHELL` and `pjob man`.

use clap::CommandFactory;

use crate::args::{Cli, CompletionsArgs};
use crate::exit::Exit;

/// Prints the completion script for a shell.
pub fn completions(args: &CompletionsArgs) -> Exit {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "pjob", &mut std::io::stdout());
    Exit::Success
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
