//! `pjob apply` of hundreds of jobs through AWS's per-account API rate
//! limits: nothing fails, no throttling reaches the user, and every log
//! line arrives once, in order.
//!
//! The proxy plays the account (its rate limits, jobs that run for a few
//! polls, their log lines). pjob and the proxy play time [`SPEED`] times
//! faster than AWS (rates times it, poll intervals divided by it), so the
//! ratio of demand to rate is the real one, and the proxy grants pjob only
//! [`SHARE`] of the rates pjob keeps to (as when other programs use the
//! same account), so pjob meets throttling on every API it polls.
//!
//! Needs PJOB_TEST_MOTO_ENDPOINT (`eval "$(tests/moto.sh start)"`).

use std::collections::{BTreeMap, BTreeSet};

use pjob_executor_aws::Api;

use crate::support::moto::*;
use crate::support::proxy::{LogPlay, Proxy, log_message};
use crate::support::{IMAGE, JobFolder, Run, pjob_command};

/// Jobs applied at once, as in the case reported.
const JOBS: usize = 200;

/// `--max-concurrent`.
const CONCURRENT: &str = "50";

/// How much faster than AWS time runs for pjob and the proxy.
const SPEED: f64 = 20.0;

/// The share of pjob's rates the proxy grants.
const SHARE: f64 = 0.75;

/// Log lines per stream, and streams (instances) per job.
const LINES: usize = 12;
const INSTANCES: usize = 2;

/// A two-instance job named `name` (the nonce makes it new on each run).
fn job(f: &JobFolder, index: usize, nonce: &str) {
    f.write(
        &format!("jobs/{index:03}.yaml"),
        format!(
            "apiVersion: pjob/v1\nkind: ScriptProcessor\nmetadata:\n  name: tt{nonce}-{index}\nspec:\n  \
             role: arn:aws:iam::123456789012:role/SageMakerRole\n  image_uri: {IMAGE}\n  command: [python3]\n  \
             code: code/run.py\n  instance_count: {INSTANCES}\n  instance_type: ml.m5.large\n"
        ),
    );
}

/// The names of moto's jobs whose names contain `part`.
fn jobs_in_moto(part: &str) -> Vec<String> {
    let client = sagemaker();
    let part = part.to_string();
    block(async move {
        let pages = client.list_processing_jobs().name_contains(part).max_results(100).into_paginator().items().send();
        let summaries: Vec<_> = pages.collect::<Result<Vec<_>, _>>().await.expect("list jobs");
        summaries.iter().map(|s| s.processing_job_name().unwrap_or_default().to_string()).collect()
    })
}

/// The log lines of stdout (`<job> [<instance>] <message>`), per stream, in
/// the order they were printed.
fn lines_per_stream(stdout: &str) -> BTreeMap<(String, String), Vec<String>> {
    let mut streams: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for line in stdout.lines() {
        let (job, rest) = line.split_once(' ').unwrap_or_else(|| panic!("not a log line: {line}"));
        let (instance, message) =
            rest.strip_prefix('[').and_then(|r| r.split_once("] ")).unwrap_or_else(|| panic!("not a log line: {line}"));
        streams.entry((job.to_string(), instance.to_string())).or_default().push(message.to_string());
    }
    streams
}

#[test]
fn hundreds_of_jobs_are_slowed_by_throttling_never_failed() {
    let f = JobFolder::new();
    let nonce = nonce();
    f.write("jobs/code/run.py", "print('hello')\n");
    for i in 0..JOBS {
        job(&f, i, &nonce);
    }
    let proxy = Proxy::start(&moto());
    for api in Api::ALL {
        proxy.rate_limit(api.name(), api.account_rate() * SPEED * SHARE);
    }
    proxy.run_every_job(4);
    proxy.play_logs(LogPlay { lines: LINES, instances: INSTANCES, page: 5 });

    let jobs = f.path("jobs").display().to_string();
    let mut command = with_moto(pjob_command(["apply", jobs.as_str(), "--max-concurrent", CONCURRENT]), &proxy.url());
    let run = Run::of(command.env("PJOB_EMULATOR_SPEED", SPEED.to_string())).expect(0);

    let refused: usize = Api::ALL.iter().map(|api| proxy.refused(api.name())).sum();
    assert!(refused > 0, "the proxy throttled nothing: the test did not play AWS's limits");
    for word in ["error", "hrottl", "Rate exceeded", "TooManyRequests"] {
        assert!(!run.stderr.contains(word), "`{word}` shown to the user:\n{}", run.stderr);
    }

    let made = jobs_in_moto(&format!("tt{nonce}-"));
    assert_eq!(made.len(), JOBS, "every job created");
    let creates = proxy.calls("CreateProcessingJob").len() - proxy.refused("CreateProcessingJob");
    assert_eq!(creates, JOBS, "each job created exactly once");
    for name in &made {
        assert!(run.stderr.contains(&format!("{name}: Completed\n")), "{name} did not end Completed:\n{}", run.stderr);
    }

    let streams = lines_per_stream(&run.stdout);
    let expected: Vec<String> = (0..LINES).map(log_message).collect();
    let names: BTreeSet<&String> = made.iter().collect();
    assert_eq!(streams.len(), JOBS * INSTANCES, "a stream for each instance of each job");
    for ((job, instance), lines) in &streams {
        assert!(names.contains(job), "lines of an unknown job {job}");
        assert_eq!(lines, &expected, "{job} [{instance}]: every line once, in order");
    }
}
