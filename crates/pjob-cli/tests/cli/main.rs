//! The command line's tests, run on the `pjob` binary (and, for `no_panic`,
//! on its pipeline in-process). They are one test binary, so the AWS SDK is
//! linked once; each module is what used to be a binary of its own:
//! `cargo test -p pjob-cli --test cli local_run::` runs one of them.
//!
//! The AWS modules (`aws`, `credentials`, `local_s3`, `pipeline_aws`,
//! `plan_diff`, `throttling`, `timeouts`, `workflow_aws`) need moto's server
//! mode: `eval "$(tests/moto.sh start)"` from the repository root first.

mod support;

mod aws;
mod bad_input;
mod cli_snapshots;
mod completions;
mod credentials;
mod escapes;
mod git_credentials;
mod graph;
mod init;
mod local_example;
mod local_framework;
mod local_io;
mod local_run;
mod local_s3;
mod local_sandbox;
mod local_signals;
mod local_workflow;
mod no_panic;
mod pipeline_aws;
mod plan_diff;
mod symlinks;
mod throttling;
mod timeouts;
mod workflow_aws;
