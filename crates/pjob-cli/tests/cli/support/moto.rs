//! What the AWS tests share: moto's endpoint, running `pjob` against it,
//! fixture manifests, and AWS SDK clients to seed and check moto.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use super::{IMAGE, JobFolder, Run, pjob_command};

/// Region the tests use.
pub const REGION: &str = "us-east-1";

/// moto's account.
pub const ACCOUNT: &str = "123456789012";

/// moto's endpoint (`tests/moto.sh start` prints it). Fails the test when
/// unset: these tests never skip silently.
pub fn moto() -> String {
    match std::env::var("PJOB_TEST_MOTO_ENDPOINT") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "PJOB_TEST_MOTO_ENDPOINT is not set. These tests need moto's server mode: \
             `pip install 'moto[server]'`, then `eval \"$(tests/moto.sh start)\"` from the repository root \
             (tests/run.sh does this)."
        ),
    }
}

/// A string no other test (or earlier run against the same moto) uses.
pub fn nonce() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{}{}{}", std::process::id(), nanos % 1_000_000_000, N.fetch_add(1, Ordering::SeqCst))
}

/// Points a `pjob` command at `endpoint` with moto's test keys and region.
pub fn with_moto(mut cmd: Command, endpoint: &str) -> Command {
    cmd.arg("--endpoint-url")
        .arg(endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", REGION);
    cmd
}

/// Runs `pjob ARGS --endpoint-url ENDPOINT` with moto's keys to the end.
pub fn pjob(endpoint: &str, args: &[&str]) -> Run {
    Run::of(&mut with_moto(pjob_command(args), endpoint))
}

/// Starts `pjob ARGS --endpoint-url ENDPOINT` with moto's keys without waiting.
pub fn spawn_pjob(endpoint: &str, args: &[&str]) -> Child {
    with_moto(pjob_command(args), endpoint).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start pjob")
}

/// A small ScriptProcessor manifest named `name` with a local code file;
/// `nonce` goes into its environment so each test run makes new jobs.
pub fn simple_job(fixture: &JobFolder, file: &str, name: &str, nonce: &str) -> String {
    let dir = Path::new(file).parent().map(|p| p.display().to_string()).unwrap_or_default();
    fixture.write(format!("{dir}/code/run.py").trim_start_matches('/'), "print('hello from pjob')\n");
    let path = fixture.write(
        file,
        format!(
            "apiVersion: pjob/v1
kind: ScriptProcessor
metadata:
  name: {name}
spec:
  role: arn:aws:iam::123456789012:role/SageMakerRole
  image_uri: {IMAGE}
  command: [python3]
  code: code/run.py
  instance_count: 1
  instance_type: ml.m5.large
  env:
    NONCE: \"{nonce}\"
  outputs:
    - name: out
      source: /opt/ml/processing/output
"
        ),
    );
    path.display().to_string()
}

/// The job name `pjob render` gives a manifest (with moto's default bucket,
/// as `apply` names it).
pub fn rendered_name(manifest: &str, extra: &[&str]) -> String {
    let bucket = format!("sagemaker-{REGION}-{ACCOUNT}");
    let run = pjob(&moto(), &[&["render", manifest, "--default-bucket", bucket.as_str()][..], extra].concat()).expect(0);
    run.json()["jobs"][0]["request"]["ProcessingJobName"].as_str().expect("a job name").to_string()
}

/// Runs a future to its end on a fresh runtime.
pub fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(f)
}

/// AWS SDK configuration pointing at moto.
pub fn sdk_config() -> aws_config::SdkConfig {
    let endpoint = moto();
    block(async move {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(REGION))
            .endpoint_url(endpoint)
            .credentials_provider(aws_sdk_s3::config::Credentials::new("testing", "testing", None, None, "tests"))
            .load()
            .await
    })
}

/// An S3 client for moto (path-style).
pub fn s3() -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::config::Builder::from(&sdk_config()).force_path_style(true).build();
    aws_sdk_s3::Client::from_conf(config)
}

/// A SageMaker client for moto.
pub fn sagemaker() -> aws_sdk_sagemaker::Client {
    aws_sdk_sagemaker::Client::new(&sdk_config())
}

/// A CloudWatch Logs client for moto.
pub fn logs() -> aws_sdk_cloudwatchlogs::Client {
    aws_sdk_cloudwatchlogs::Client::new(&sdk_config())
}

/// An object's bytes.
pub fn get_object(uri: &str) -> Vec<u8> {
    let (bucket, key) = uri.strip_prefix("s3://").and_then(|r| r.split_once('/')).expect("s3 uri");
    let client = s3();
    block(async move {
        let object = client.get_object().bucket(bucket).key(key).send().await.unwrap_or_else(|e| panic!("{uri}: {e:?}"));
        object.body.collect().await.expect("body").into_bytes().to_vec()
    })
}

/// Writes log events to `<job>/<stream>` in the processing jobs' log group.
pub fn put_logs(job: &str, stream: &str, events: &[(i64, &str)]) {
    let client = logs();
    let stream_name = format!("{job}/{stream}");
    block(async move {
        let group = "/aws/sagemaker/ProcessingJobs";
        let _ = client.create_log_group().log_group_name(group).send().await;
        let _ = client.create_log_stream().log_group_name(group).log_stream_name(&stream_name).send().await;
        let events = events
            .iter()
            .map(|(t, m)| aws_sdk_cloudwatchlogs::types::InputLogEvent::builder().timestamp(*t).message(*m).build().unwrap())
            .collect();
        client
            .put_log_events()
            .log_group_name(group)
            .log_stream_name(&stream_name)
            .set_log_events(Some(events))
            .send()
            .await
            .expect("put log events");
    });
}

/// Waits (polling, no deadline assertions) until `ready` holds; panics
/// after a generous bound so a broken test cannot hang CI.
pub fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..1200 {
        if ready() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("gave up waiting for {what}");
}
