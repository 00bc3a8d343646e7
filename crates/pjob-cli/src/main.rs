//! `pjob`: declarative Amazon SageMaker Processing jobs.

mod args;
mod commands;
mod exit;
mod load;
mod output;
mod report;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let exit = match &cli.command {
        Command::Validate(args) => commands::validate::run(&cli.global, args),
        Command::Render(args) => commands::render::run(&cli.global, args),
        Command::Schema(args) => commands::schema::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Plan(args) => commands::aws::plan(&cli.global, args),
        Command::Apply(args) if args.local => commands::local::apply(&cli.global, args),
        Command::Apply(args) => commands::aws::apply(&cli.global, args),
        Command::Status(args) => commands::aws::status(&cli.global, args),
        Command::Logs(args) => commands::aws::logs(&cli.global, args),
        Command::Stop(args) => commands::aws::stop(&cli.global, args),
        Command::List(args) => commands::aws::list(&cli.global, args),
        Command::Completions(args) => commands::completions::completions(args),
        Command::Man => commands::completions::man(),
    };
    exit.into()
}
