//! `pjob`: declarative Amazon SageMaker Processing jobs.

use std::process::ExitCode;

use clap::Parser;
use pjob_cli::args::Cli;

/// mimalloc rather than the system allocator: the pipeline allocates many
/// small values, and glibc's malloc made it about 1.8 times slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    pjob_cli::run(&Cli::parse()).into()
}
