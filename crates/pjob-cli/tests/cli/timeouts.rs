//! AWS calls that get no answer end: `--call-timeout` bounds each attempt
//! and `--operation-timeout` each call, and a create whose attempt timed out
//! is checked, not repeated.
//!
//! Needs PJOB_TEST_MOTO_ENDPOINT (`eval "$(tests/moto.sh start)"`).

use std::net::TcpListener;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::moto::*;
use crate::support::proxy::{Fault, Proxy};
use crate::support::{JobFolder, Run, finish};

/// Longest a `pjob` run may take here before the test kills it and fails:
/// far above what the timeouts under test allow.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// Waits for a child to end; kills it and fails the test after [`RUN_LIMIT`].
fn finish_within_limit(mut child: Child) -> Run {
    let started = Instant::now();
    while child.try_wait().expect("wait for pjob").is_none() {
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let run = finish(child);
            panic!("pjob still running after {RUN_LIMIT:?}; killed\n{}", run.all());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    finish(child)
}

/// A loopback listener that accepts connections and never answers; its
/// endpoint URL.
fn silent_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    url
}

#[test]
fn a_create_that_gets_no_answer_times_out_and_is_checked_not_repeated() {
    let f = JobFolder::new();
    let manifest = simple_job(&f, "job.yaml", "t-silent-create", &nonce());
    let name = rendered_name(&manifest, &[]);
    let proxy = Proxy::start(&moto());
    proxy.fault("CreateProcessingJob", Fault::HoldAfterForward, 1);
    let run = finish_within_limit(spawn_pjob(&proxy.url(), &["apply", &manifest, "--call-timeout", "2"])).expect(0);
    assert!(run.stderr.contains(&format!("{name}: Completed")), "{}", run.stderr);
    assert_eq!(proxy.calls("CreateProcessingJob").len(), 1, "the held call made the job; pjob must not send it again");
    let ops: Vec<String> = proxy.seen().iter().map(|s| s.operation.clone()).collect();
    let create = ops.iter().position(|o| o == "CreateProcessingJob").unwrap();
    assert_eq!(ops[create + 1], "DescribeProcessingJob", "checked right after the timed-out attempt: {ops:?}");
    let listed = block(sagemaker().list_processing_jobs().name_contains(&name).send()).unwrap();
    assert_eq!(listed.processing_job_summaries().len(), 1, "exactly one job in moto");
}

#[test]
fn a_silent_endpoint_ends_the_call_with_exit_3_naming_the_timeout() {
    let endpoint = silent_endpoint();
    let args = ["status", "x", "--call-timeout", "1", "--operation-timeout", "3"];
    let run = finish_within_limit(spawn_pjob(&endpoint, &args)).expect(3);
    let message = run.stderr.trim_end();
    assert!((1..=2).contains(&message.lines().count()), "a one- or two-line message:\n{message}");
    assert!(message.contains(&format!("no answer from {endpoint} to SageMaker DescribeProcessingJob within the")), "{message}");
    assert!(message.contains("timeout") && message.contains("--call-timeout"), "{message}");
}

#[test]
fn the_timeouts_can_come_from_the_environment() {
    let endpoint = silent_endpoint();
    let cases = [
        ([("PJOB_CALL_TIMEOUT", "1"), ("AWS_MAX_ATTEMPTS", "1")], "within the call timeout (1s per attempt, --call-timeout)"),
        ([("PJOB_CALL_TIMEOUT", "30"), ("PJOB_OPERATION_TIMEOUT", "2")], "within the operation timeout (2s in all, --operation-timeout)"),
    ];
    for (vars, wanted) in cases {
        let mut cmd = with_moto(crate::support::pjob_command(["status", "x"]), &endpoint);
        cmd.envs(vars).stdout(Stdio::piped()).stderr(Stdio::piped());
        let run = finish_within_limit(cmd.spawn().expect("start pjob")).expect(3);
        assert!(run.stderr.contains(wanted), "{vars:?}: {}", run.stderr);
    }
}
