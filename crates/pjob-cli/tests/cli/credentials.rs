//! What pjob says when AWS cannot be used: no credentials, an unknown
//! profile, an SSO session that was never started, no region, access
//! denied, expired or unknown credentials, an endpoint that does not answer.
//! Each is one or two lines naming what to do, with exit code 3; the SDK's
//! own error only with `-v`.
//!
//! Every run has an empty HOME, no AWS_* variables and the instance
//! metadata service off, and talks only to 127.0.0.1 (a closed port, or the
//! fault proxy in front of moto for the answers AWS would give).

use std::path::Path;

use crate::support::moto::{REGION, block, moto, nonce, s3, simple_job};
use crate::support::proxy::{Fault, Proxy};
use crate::support::{JobFolder, Run, pjob_command};

/// The test keys moto accepts.
const KEYS: [(&str, &str); 2] = [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")];

/// Runs `pjob` with no AWS settings but `env`: HOME is `home`, every
/// AWS_* variable of the test's environment is removed, and instance
/// metadata is off.
fn bare(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    Run::of(pjob_command(args).env("HOME", home).envs(env.iter().copied()))
}

/// An endpoint on 127.0.0.1 where nothing listens.
fn closed_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// Asserts exit code 3 and an error of one or two lines (after `apply`'s
/// progress lines, if any) that holds each of `wanted` and nothing of the
/// SDK's dump.
fn assert_short(run: &Run, wanted: &[&str]) {
    assert_eq!(run.code, 3, "exit code\n--- stderr\n{}", run.stderr);
    let lines = run.stderr.lines().skip_while(|l| !l.starts_with("error: ")).count();
    assert!((1..=2).contains(&lines), "{lines} lines:\n{}", run.stderr);
    for text in wanted {
        assert!(run.stderr.contains(text), "`{text}` is missing from:\n{}", run.stderr);
    }
    for raw in ["dispatch failure", "DispatchFailure", "ProviderError", "ConnectorError", "caused by", "service error"] {
        assert!(!run.stderr.contains(raw), "`{raw}` in:\n{}", run.stderr);
    }
}

/// A manifest in a fresh fixture folder.
fn manifest(f: &JobFolder) -> String {
    simple_job(f, "job.yaml", "t-creds", &nonce())
}

#[test]
fn no_credentials_say_to_run_aws_configure_and_v_shows_the_chain() {
    let f = JobFolder::new();
    let home = tempfile::tempdir().unwrap();
    let job = manifest(&f);
    let endpoint = closed_endpoint();
    let env = [("AWS_REGION", REGION)];
    for args in [vec!["plan", job.as_str()], vec!["status", "x"]] {
        let args = [&args[..], &["--endpoint-url", &endpoint]].concat();
        let run = bare(home.path(), &args, &env);
        assert_short(&run, &["no AWS credentials found", "aws configure", "AWS_ACCESS_KEY_ID"]);

        let verbose = bare(home.path(), &[&args[..], &["-v"]].concat(), &env);
        assert_eq!(verbose.code, 3);
        assert!(verbose.stderr.starts_with(&run.stderr), "-v adds below the message:\n{}", verbose.stderr);
        assert!(verbose.stderr.contains("caused by: dispatch failure"), "{}", verbose.stderr);
        assert!(verbose.stderr.contains("no credentials found in chain"), "{}", verbose.stderr);
    }
}

#[test]
fn an_unknown_profile_is_named() {
    let f = JobFolder::new();
    let home = tempfile::tempdir().unwrap();
    let job = manifest(&f);
    let endpoint = closed_endpoint();
    let run = bare(home.path(), &["plan", &job, "--profile", "nosuch", "--endpoint-url", &endpoint], &[]);
    assert_short(&run, &["profile `nosuch`", "aws configure --profile nosuch"]);
    // AWS_PROFILE names it as well.
    let run = bare(home.path(), &["status", "x", "--endpoint-url", &endpoint], &[("AWS_PROFILE", "nosuch")]);
    assert_short(&run, &["profile `nosuch`"]);
}

#[test]
fn an_sso_profile_without_a_session_says_to_log_in() {
    let f = JobFolder::new();
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[profile dev]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n\
         sso_account_id = 123456789012\nsso_role_name = Dev\nregion = us-east-1\n",
    )
    .unwrap();
    let job = manifest(&f);
    let run = bare(home.path(), &["plan", &job, "--profile", "dev", "--endpoint-url", &closed_endpoint()], &[]);
    assert_short(&run, &["SSO session for profile `dev`", "aws sso login --profile dev"]);
}

#[test]
fn no_region_says_to_pass_one() {
    let f = JobFolder::new();
    let home = tempfile::tempdir().unwrap();
    let job = manifest(&f);
    let run = bare(home.path(), &["plan", &job, "--endpoint-url", &closed_endpoint()], &KEYS);
    assert_short(&run, &["no AWS region", "--region", "AWS_REGION"]);
}

#[test]
fn an_endpoint_nothing_listens_on_is_named() {
    let home = tempfile::tempdir().unwrap();
    let endpoint = closed_endpoint();
    // With the default retry policy: a refused connection is not retried
    // (nothing listens there), so this answers at once rather than after
    // eight attempts with backoff.
    let env = [KEYS[0], KEYS[1], ("AWS_REGION", REGION)];
    let run = bare(home.path(), &["status", "x", "--endpoint-url", &endpoint], &env);
    assert_short(&run, &[&format!("cannot reach {endpoint}"), "SageMaker DescribeProcessingJob", "connection refused"]);
}

#[test]
fn access_denied_names_the_permission() {
    let f = JobFolder::new();
    let home = tempfile::tempdir().unwrap();
    let job = manifest(&f);
    let proxy = Proxy::start(&moto());
    let env = [KEYS[0], KEYS[1], ("AWS_REGION", REGION)];
    let url = proxy.url();
    let run_with = |rest: &[&str]| bare(home.path(), &[rest, &["--endpoint-url", &url]].concat(), &env);

    proxy.fault("GetCallerIdentity", Fault::Error(403, "AccessDenied"), 1);
    assert_short(&run_with(&["plan", &job]), &["access denied", "STS GetCallerIdentity", "`sts:GetCallerIdentity`"]);

    proxy.fault("DescribeProcessingJob", Fault::Error(400, "AccessDeniedException"), 2);
    let run = run_with(&["status", "x"]);
    assert_short(&run, &["access denied", "(AccessDeniedException)", "`sagemaker:DescribeProcessingJob`"]);
    let verbose = run_with(&["status", "x", "-v"]);
    assert!(verbose.stderr.contains("caused by: service error"), "{}", verbose.stderr);

    // S3: an upload refused with 403.
    let bucket = format!("pjob-creds-{}", nonce());
    block(s3().create_bucket().bucket(&bucket).send()).expect("bucket");
    proxy.fault("S3 PUT", Fault::Error(403, "AccessDenied"), 1);
    let run = run_with(&["apply", &job, "--default-bucket", &bucket]);
    assert_short(&run, &["access denied", "S3 PutObject on s3://", "`s3:PutObject`"]);
}

#[test]
fn expired_and_unknown_credentials_say_what_to_renew() {
    let home = tempfile::tempdir().unwrap();
    let proxy = Proxy::start(&moto());
    let env = [KEYS[0], KEYS[1], ("AWS_REGION", REGION)];
    let url = proxy.url();
    let status = |extra: &[&str]| bare(home.path(), &[&["status", "x", "--endpoint-url", &url], extra].concat(), &env);

    proxy.fault("DescribeProcessingJob", Fault::Error(400, "ExpiredTokenException"), 1);
    assert_short(&status(&[]), &["credentials have expired (ExpiredTokenException)", "aws sso login --profile", "AWS_SESSION_TOKEN"]);

    proxy.fault("DescribeProcessingJob", Fault::Error(400, "UnrecognizedClientException"), 1);
    assert_short(&status(&[]), &["does not accept the credentials (UnrecognizedClientException)", "aws configure"]);

    // STS answers in XML; its code is ExpiredToken.
    let f = JobFolder::new();
    let job = manifest(&f);
    proxy.fault("GetCallerIdentity", Fault::Error(403, "ExpiredToken"), 1);
    let run = bare(home.path(), &["plan", &job, "--endpoint-url", &proxy.url()], &env);
    assert_short(&run, &["credentials have expired (ExpiredToken)"]);
}
