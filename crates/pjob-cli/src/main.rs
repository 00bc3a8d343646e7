//! `pjob`: declarative Amazon SageMaker Processing jobs.

use std::process::ExitCode;

use clap::Parser;
use pjob_cli::args::Cli;

fn main() -> ExitCode {
    pjob_cli::run(&Cli::parse()).into()
}
