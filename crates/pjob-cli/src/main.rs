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
    };
    exit.into()
}
