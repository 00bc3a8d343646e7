//! The pjob command line: argument definitions ([`args`]), one conversion of
//! the global options into settings, one module per command, and printing.
//! The pipeline itself is `pjob_jobset`'s; `main.rs` only parses arguments
//! and calls [`run`].

pub mod args;
mod commands;
pub mod exit;
mod load;
mod output;
mod progress;
pub mod report;
mod settings;
mod stop_signals;

use crate::args::{Cli, Command};
use crate::exit::Exit;
use crate::settings::Settings;

/// Runs a parsed command line and says how it ended.
pub fn run(cli: &Cli) -> Exit {
    let settings = match Settings::from_args(&cli.global, cli.command.pipeline()) {
        Ok(settings) => settings,
        Err(exit) => return exit,
    };
    let settings = &settings;
    match &cli.command {
        Command::Validate(args) => commands::validate::run(settings, args),
        Command::Render(args) => match &settings.pipeline {
            Some(pipeline) => commands::pipeline::render::run(settings, pipeline, args),
            None => commands::render::run(settings, args),
        },
        Command::Schema(args) => commands::schema::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Plan(args) => match &settings.pipeline {
            Some(pipeline) => commands::pipeline::plan::run(settings, pipeline, args),
            None => commands::plan::run(settings, args),
        },
        Command::Apply(args) if args.local => commands::local::apply(settings, args),
        Command::Apply(args) => match &settings.pipeline {
            Some(pipeline) => commands::pipeline::apply::run(settings, pipeline, args),
            None => commands::apply::run(settings, args),
        },
        Command::Graph(args) => commands::graph::run(settings, args),
        Command::Status(args) => match (&args.pipeline, &args.name) {
            (Some(pipeline), _) => commands::pipeline::status::run(settings, pipeline),
            (None, name) => commands::status::run(settings, name.as_deref().unwrap_or_default()),
        },
        Command::Logs(args) => commands::logs::run(settings, args),
        Command::Stop(args) => commands::stop::run(settings, args),
        Command::List(args) => commands::list::run(settings, args),
        Command::Completions(args) => commands::completions::completions(args),
        Command::Man => commands::completions::man(),
    }
}
