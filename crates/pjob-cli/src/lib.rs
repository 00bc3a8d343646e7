//! The pjob command line as a library: argument definitions, the loading
//! pipeline (discover, parse, template, validate) and one module per command.
//! `main.rs` only parses arguments and calls [`run`].

pub mod args;
pub mod commands;
pub mod exit;
pub mod load;
pub mod output;
pub mod progress;
pub mod report;

use crate::args::{Cli, Command};
use crate::exit::Exit;

/// Runs a parsed command line and says how it ended.
pub fn run(cli: &Cli) -> Exit {
    match &cli.command {
        Command::Validate(args) => commands::validate::run(&cli.global, args),
        Command::Render(args) => commands::render::run(&cli.global, args),
        Command::Schema(args) => commands::schema::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Plan(args) => commands::plan::run(&cli.global, args),
        Command::Apply(args) if args.local => commands::local::apply(&cli.global, args),
        Command::Apply(args) => commands::apply::run(&cli.global, args),
        Command::Status(args) => commands::status::run(&cli.global, args),
        Command::Logs(args) => commands::logs::run(&cli.global, args),
        Command::Stop(args) => commands::stop::run(&cli.global, args),
        Command::List(args) => commands::list::run(&cli.global, args),
        Command::Completions(args) => commands::completions::completions(args),
        Command::Man => commands::completions::man(),
    }
}
