//! `pjob plan|apply|status|logs|stop|list` against moto's server mode, with
//! a fault-injecting proxy in front of it where moto cannot play a part
//! (moto creates processing jobs `Completed` at once).
//!
//! Needs PJOB_TEST_MOTO_ENDPOINT (`eval "$(tests/moto.sh start)"`).

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use crate::support::moto::*;
use crate::support::proxy::{Fault, Proxy};
use crate::support::{JobFolder, finish, interrupt};

/// A manifest that sets every request field pjob can send, with a local
/// code file, a local input folder and `kms_key` for the uploads.
fn full_job(f: &JobFolder, name: &str, nonce: &str) -> String {
    f.write("src/preprocess.py", "import sys\nprint('preprocessing', sys.argv)\n");
    f.write("data/a.csv", "x,y\n1,2\n");
    f.write("data/nested/b.csv", "x,y\n3,4\n");
    f.write(
        "job.pjob.yaml",
        format!(
            r#"apiVersion: pjob/v1
kind: ScriptProcessor
metadata:
  name: {name}
  tags: {{team: ml, run: "{nonce}"}}
spec:
  role: arn:aws:iam::123456789012:role/SageMakerRole
  image_uri: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3
  command: [python3]
  code: src/preprocess.py
  instance_count: 2
  instance_type: ml.m5.xlarge
  volume_size_in_gb: 50
  volume_kms_key: arn:aws:kms:us-east-1:123456789012:key/vol
  output_kms_key: arn:aws:kms:us-east-1:123456789012:key/out
  kms_key: arn:aws:kms:us-east-1:123456789012:key/artifacts
  max_runtime_in_seconds: 3600
  env:
    MODE: full
    NONCE: "{nonce}"
  network_config:
    enable_network_isolation: false
    security_group_ids: [sg-123]
    subnets: [subnet-a, subnet-b]
    encrypt_inter_container_traffic: true
  experiment_config:
    experiment_name: exp
    trial_name: t1
    trial_component_display_name: prep
  inputs:
    - name: raw
      source: s3://pjob-test-data/raw/
      destination: /opt/ml/processing/input/raw
      s3_data_distribution_type: ShardedByS3Key
    - source: data
      destination: /opt/ml/processing/input/local
    - name: athena
      dataset_definition:
        local_path: /opt/ml/processing/input/athena
        athena_dataset_definition:
          catalog: AwsDataCatalog
          database: db
          query_string: select 1
          output_s3_uri: s3://pjob-test-data/athena/
          output_format: PARQUET
  outputs:
    - name: train
      source: /opt/ml/processing/output/train
    - name: live
      source: /opt/ml/processing/output/live
      destination: s3://pjob-test-data/live/
      s3_upload_mode: Continuous
  arguments: ["--split", "0.2"]
"#
        ),
    )
    .display()
    .to_string()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[test]
fn apply_sends_the_rendered_request_and_uploads_the_artifacts_once() {
    let f = JobFolder::new();
    let nonce = nonce();
    let manifest = full_job(&f, "t-full", &nonce);
    let bucket = format!("pjob-test-{nonce}");
    let rendered = pjob(&moto(), &["render", &manifest, "--default-bucket", &bucket]).expect(0).json();
    let request = rendered["jobs"][0]["request"].clone();
    let artifacts = rendered["jobs"][0]["artifacts"].as_array().unwrap().clone();
    let name = request["ProcessingJobName"].as_str().unwrap().to_string();
    assert_eq!(artifacts.len(), 3, "the code file and the two data files");

    let proxy = Proxy::start(&moto());
    let run = pjob(&proxy.url(), &["apply", &manifest, "--default-bucket", &bucket]).expect(0);
    assert!(run.stderr.contains(&format!("{name}: Completed")), "{}", run.stderr);

    // The request moto received is the one `render` printed, field for field.
    let creates = proxy.calls("CreateProcessingJob");
    assert_eq!(creates.len(), 1);
    let sent: serde_json::Value = serde_json::from_slice(&creates[0].body).unwrap();
    assert_eq!(sent, request);

    // What moto stored (read back with DescribeProcessingJob) matches too,
    // for every field moto keeps.
    let described = block(sagemaker().describe_processing_job().processing_job_name(&name).send()).expect("describe");
    assert_eq!(described.processing_job_name(), Some(name.as_str()));
    assert_eq!(described.role_arn(), request["RoleArn"].as_str());
    let app = described.app_specification().unwrap();
    assert_eq!(app.image_uri(), request["AppSpecification"]["ImageUri"].as_str());
    assert_eq!(serde_json::json!(app.container_entrypoint()), request["AppSpecification"]["ContainerEntrypoint"]);
    assert_eq!(serde_json::json!(app.container_arguments()), request["AppSpecification"]["ContainerArguments"]);
    let inputs: Vec<_> = described.processing_inputs().iter().map(|i| i.input_name().unwrap_or_default().to_string()).collect();
    let expected_inputs: Vec<_> =
        request["ProcessingInputs"].as_array().unwrap().iter().map(|i| i["InputName"].as_str().unwrap().to_string()).collect();
    assert_eq!(inputs, expected_inputs);
    for (got, want) in described.processing_inputs().iter().zip(request["ProcessingInputs"].as_array().unwrap()) {
        if let Some(s3) = got.s3_input() {
            assert_eq!(s3.s3_uri(), want["S3Input"]["S3Uri"].as_str());
            assert_eq!(s3.local_path(), want["S3Input"]["LocalPath"].as_str());
            assert_eq!(s3.s3_data_type().map(|t| t.as_str()), want["S3Input"]["S3DataType"].as_str());
            assert_eq!(s3.s3_data_distribution_type().map(|t| t.as_str()), want["S3Input"]["S3DataDistributionType"].as_str());
        } else {
            let athena = got.dataset_definition().and_then(|d| d.athena_dataset_definition()).expect("athena input");
            assert_eq!(athena.query_string(), want["DatasetDefinition"]["AthenaDatasetDefinition"]["QueryString"].as_str());
        }
    }
    let outputs = described.processing_output_config().unwrap();
    assert_eq!(outputs.kms_key_id(), request["ProcessingOutputConfig"]["KmsKeyId"].as_str());
    for (got, want) in outputs.outputs().iter().zip(request["ProcessingOutputConfig"]["Outputs"].as_array().unwrap()) {
        let s3 = got.s3_output().unwrap();
        assert_eq!(s3.s3_uri(), want["S3Output"]["S3Uri"].as_str());
        assert_eq!(s3.s3_upload_mode().map(|m| m.as_str()), want["S3Output"]["S3UploadMode"].as_str());
    }
    let network = described.network_config().unwrap();
    assert_eq!(network.enable_inter_container_traffic_encryption(), Some(true));
    assert_eq!(network.vpc_config().unwrap().subnets(), ["subnet-a", "subnet-b"]);
    assert_eq!(described.experiment_config().unwrap().trial_name(), Some("t1"));
    assert_eq!(described.stopping_condition().unwrap().max_runtime_in_seconds(), Some(3600));

    // Every artifact is in S3 with the bytes render described, encrypted with the key.
    for a in &artifacts {
        let uri = a["uri"].as_str().unwrap();
        assert!(uri.starts_with(&format!("s3://{bucket}/{name}/")), "{uri}");
        let bytes = get_object(uri);
        assert_eq!(sha256_hex(&bytes), a["sha256"].as_str().unwrap(), "{uri}");
        assert_eq!(bytes.len() as u64, a["bytes"].as_u64().unwrap());
        assert_eq!(bytes, std::fs::read(a["source"].as_str().unwrap()).unwrap(), "{uri}");
        let key = uri.strip_prefix(&format!("s3://{bucket}/")).unwrap().to_string();
        let head = block(s3().head_object().bucket(&bucket).key(key).send()).unwrap();
        assert_eq!(head.server_side_encryption().map(|s| s.as_str()), Some("aws:kms"));
    }
    let puts = proxy.calls("S3 PUT").len();
    assert!(puts >= 3, "the artifacts went through pjob's uploads ({puts} PUTs)");

    // A second apply finds the job: no create, no upload.
    let before = proxy.seen().len();
    let again = pjob(&proxy.url(), &["apply", &manifest, "--default-bucket", &bucket]).expect(0);
    assert!(again.stderr.contains("already exists (Completed)"), "{}", again.stderr);
    let second: Vec<String> = proxy.seen()[before..].iter().map(|s| s.operation.clone()).collect();
    assert!(!second.iter().any(|op| op == "CreateProcessingJob"), "{second:?}");
    assert!(!second.iter().any(|op| op.starts_with("S3 ")), "{second:?}");
}

#[test]
fn the_default_bucket_comes_from_the_account_and_is_created() {
    let f = JobFolder::new();
    let manifest = simple_job(&f, "job.yaml", "t-bucket", &nonce());
    let run = pjob(&moto(), &["apply", &manifest, "-o", "json"]).expect(0);
    let name = run.json()["jobs"][0]["name"].as_str().unwrap().to_string();
    let bucket = format!("sagemaker-{REGION}-{ACCOUNT}");
    block(s3().head_bucket().bucket(&bucket).send()).expect("the default bucket exists");
    let code = get_object(&format!("s3://{bucket}/{name}/input/code/run.py"));
    assert_eq!(code, b"print('hello from pjob')\n");
    let described = block(sagemaker().describe_processing_job().processing_job_name(&name).send()).unwrap();
    let outputs = described.processing_output_config().unwrap().outputs();
    assert_eq!(outputs[0].s3_output().unwrap().s3_uri(), Some(format!("s3://{bucket}/{name}/output/out").as_str()));
}

#[test]
fn plan_says_create_then_exists_then_changed() {
    // Jobs are described as SageMaker describes them (moto leaves out fields).
    let proxy = Proxy::start(&moto());
    proxy.describe_as_created();
    let aws = proxy.url();
    let f = JobFolder::new();
    let nonce = nonce();
    let base = format!("t-plan-{nonce}");
    let manifest = simple_job(&f, "job.yaml", &base, "fixed");
    let first = pjob(&aws, &["plan", &manifest, "-o", "json"]).expect(0).json();
    assert_eq!(first["jobs"][0]["action"], "create", "{first}");
    assert_eq!(first["jobs"][0]["job"], base.as_str());
    let name = first["jobs"][0]["name"].as_str().unwrap().to_string();
    let text = pjob(&aws, &["plan", &manifest]).expect(0);
    assert!(text.stdout.starts_with(&format!("create   {name}")), "{}", text.stdout);

    pjob(&aws, &["apply", &manifest]).expect(0);
    let second = pjob(&aws, &["plan", &manifest, "-o", "json"]).expect(0).json();
    assert_eq!(second["jobs"][0]["action"], "exists");
    assert_eq!(second["jobs"][0]["status"], "Completed");
    assert_eq!(second["jobs"][0]["name"], name.as_str());
    assert_eq!(second["jobs"][0]["reasons"], serde_json::json!([]));

    // Changing the code makes a new version of the job, and the code is why.
    f.write("code/run.py", "print('changed')\n");
    let third = pjob(&aws, &["plan", &manifest, "-o", "json"]).expect(0).json();
    assert_eq!(third["jobs"][0]["action"], "changed", "{third}");
    assert_ne!(third["jobs"][0]["name"], name.as_str());
    let reasons = third["jobs"][0]["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{third}");
    assert!(reasons[0].as_str().unwrap().starts_with("~ artifact input/code/run.py: "), "{third}");
    let text = pjob(&aws, &["plan", &manifest]).expect(0);
    assert!(text.stdout.starts_with("changed ") && text.stdout.contains(&format!("new version of {name}")), "{}", text.stdout);
    assert!(text.stdout.contains("\n  ~ artifact input/code/run.py: "), "{}", text.stdout);
}

#[test]
fn status_list_and_stop_manage_a_running_job() {
    let f = JobFolder::new();
    let nonce = nonce();
    let base = format!("t-manage-{nonce}");
    let manifest = simple_job(&f, "job.yaml", &base, "x");
    let name = rendered_name(&manifest, &[]);
    let proxy = Proxy::start(&moto());
    proxy.hold_running(&name);

    let run = pjob(&proxy.url(), &["apply", &manifest, "--detach"]).expect(0);
    assert!(run.stderr.contains(&format!("pjob logs {name} -f")), "{}", run.stderr);
    assert_eq!(proxy.describes_of(&name), 1, "--detach returns without waiting");

    let status = pjob(&proxy.url(), &["status", &name, "-o", "json"]).expect(0).json();
    assert_eq!(status["ProcessingJobName"], name.as_str());
    assert_eq!(status["ProcessingJobStatus"], "InProgress");
    assert_eq!(status["Request"]["AppSpecification"]["ContainerEntrypoint"][0], "python3");
    let text = pjob(&proxy.url(), &["status", &name]).expect(0);
    assert!(text.stdout.contains("Status:     InProgress"), "{}", text.stdout);

    let listed = pjob(&moto(), &["list", "--name-contains", &base, "-o", "json"]).expect(0).json();
    let names: Vec<&str> = listed.as_array().unwrap().iter().map(|j| j["ProcessingJobName"].as_str().unwrap()).collect();
    assert_eq!(names, [name.as_str()]);

    let stop = pjob(&proxy.url(), &["stop", &name]).expect(0);
    assert!(stop.stderr.contains("stopping"), "{}", stop.stderr);
    assert_eq!(proxy.calls("StopProcessingJob").len(), 1);
    let status = pjob(&proxy.url(), &["status", &name, "-o", "json"]).expect(0).json();
    assert_eq!(status["ProcessingJobStatus"], "Stopped");
    let again = pjob(&proxy.url(), &["stop", &name]).expect(0);
    assert!(again.stderr.contains("not running (Stopped)"), "{}", again.stderr);
    assert_eq!(proxy.calls("StopProcessingJob").len(), 1, "a stopped job is not stopped again");

    let stopped = pjob(&moto(), &["list", "--name-contains", &base, "--status", "stopped", "-o", "json"]).expect(0).json();
    assert_eq!(stopped.as_array().unwrap().len(), 1);
    let completed = pjob(&moto(), &["list", "--name-contains", &base, "--status", "Completed", "-o", "json"]).expect(0).json();
    assert_eq!(completed.as_array().unwrap().len(), 0);
    let table = pjob(&moto(), &["list", "--name-contains", &base]).expect(0);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(lines[0].starts_with("NAME") && lines[1].starts_with(&format!("{name}  Stopped")), "{}", table.stdout);

    let bad = pjob(&proxy.url(), &["list", "--status", "Running"]).expect(2);
    assert!(bad.stderr.contains("InProgress, Completed, Failed, Stopping, Stopped"), "{}", bad.stderr);
    let missing = pjob(&moto(), &["status", &format!("t-none-{nonce}")]).expect(3);
    assert!(missing.stderr.contains("no processing job named"), "{}", missing.stderr);
}

#[test]
fn logs_are_streamed_in_order_with_their_instance() {
    let f = JobFolder::new();
    let manifest = simple_job(&f, "job.yaml", "t-logs", &nonce());
    let name = rendered_name(&manifest, &[]);
    // CloudWatch (and moto) refuse events older than 14 days.
    let t0 = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64 - 60_000;
    put_logs(&name, "algo-1-1700000000", &[(t0, "starting"), (t0 + 20, "step 1"), (t0 + 40, "done")]);
    put_logs(&name, "algo-2-1700000000", &[(t0 + 10, "starting"), (t0 + 30, "step 1")]);
    // Another job's stream with a name this job's is a prefix of.
    put_logs(&format!("{name}x"), "algo-1-1700000000", &[(t0, "not this job")]);
    let expected = "[algo-1] starting\n[algo-2] starting\n[algo-1] step 1\n[algo-2] step 1\n[algo-1] done\n";

    let proxy = Proxy::start(&moto());
    proxy.hold_running(&name);
    let child = spawn_pjob(&proxy.url(), &["apply", &manifest]);
    // More lines arrive while the job runs.
    wait_until("the first log poll", || proxy.calls("GetLogEvents").len() >= 2);
    put_logs(&name, "algo-2-1700000000", &[(t0 + 50, "late line")]);
    let polls = proxy.calls("GetLogEvents").len();
    wait_until("a log poll after the late line", || proxy.calls("GetLogEvents").len() >= polls + 2);
    proxy.release(&name);
    let run = finish(child).expect(0);
    assert_eq!(run.stdout, format!("{expected}[algo-2] late line\n"), "stderr: {}", run.stderr);

    let all = pjob(&moto(), &["logs", &name]).expect(0);
    assert_eq!(all.stdout, format!("{expected}[algo-2] late line\n"));
    let follow = pjob(&moto(), &["logs", &name, "-f"]).expect(0);
    assert_eq!(follow.stdout, all.stdout);
    assert!(follow.stderr.contains(&format!("{name}: Completed")), "{}", follow.stderr);
}

#[test]
fn exit_codes_follow_the_job_status() {
    let f = JobFolder::new();
    let nonce = nonce();
    let failed = simple_job(&f, "failed.yaml", &format!("t-failed-{nonce}"), "1");
    let stopped = simple_job(&f, "stopped.yaml", &format!("t-stopped-{nonce}"), "2");
    let failed_name = rendered_name(&failed, &[]);
    let stopped_name = rendered_name(&stopped, &[]);
    let proxy = Proxy::start(&moto());
    proxy.script(&failed_name, &[("InProgress", None), ("Failed", Some("AlgorithmError: division by zero"))]);
    proxy.script(&stopped_name, &[("InProgress", None), ("Stopping", None), ("Stopped", None)]);

    let run = pjob(&proxy.url(), &["apply", &failed]).expect(1);
    assert!(run.stderr.contains(&format!("{failed_name}: Failed: AlgorithmError: division by zero")), "{}", run.stderr);
    let run = pjob(&proxy.url(), &["apply", &stopped]).expect(1);
    assert!(run.stderr.contains(&format!("{stopped_name}: Stopped")), "{}", run.stderr);
    // Reattaching reports the same.
    let run = pjob(&proxy.url(), &["logs", &failed_name, "-f"]).expect(1);
    assert!(run.stderr.contains("Failed: AlgorithmError: division by zero"), "{}", run.stderr);
    // And re-applying a failed job reports it instead of making another.
    let run = pjob(&proxy.url(), &["apply", &failed]).expect(1);
    assert!(run.stderr.contains("already exists (Failed)"), "{}", run.stderr);
    assert_eq!(proxy.calls("CreateProcessingJob").len(), 2);
}

#[test]
fn throttling_and_server_errors_are_retried() {
    let f = JobFolder::new();
    let manifest = simple_job(&f, "job.yaml", "t-retry", &nonce());
    let name = rendered_name(&manifest, &[]);
    let proxy = Proxy::start(&moto());
    proxy.fault("CreateProcessingJob", Fault::Error(400, "ThrottlingException"), 2);
    proxy.fault("DescribeProcessingJob", Fault::Error(500, "InternalFailure"), 2);
    // The existence check before the create is throttled too.
    proxy.fault("DescribeProcessingJob", Fault::Error(400, "ThrottlingException"), 1);
    proxy.fault("DescribeLogStreams", Fault::Error(400, "ThrottlingException"), 1);
    proxy.fault("S3 PUT", Fault::Error(503, "SlowDown"), 1);
    proxy.fault("GetCallerIdentity", Fault::Delay(std::time::Duration::from_millis(1500)), 1);
    let run = pjob(&proxy.url(), &["apply", &manifest, "-v"]).expect(0);
    assert!(run.stderr.contains(&format!("{name}: Completed")), "{}", run.stderr);
    assert_eq!(proxy.calls("CreateProcessingJob").len(), 3, "two throttled calls, then one that worked");
    // Throttling is no error: with -v, one note says how much there was.
    assert!(!run.stderr.contains("error"), "{}", run.stderr);
    assert!(run.stderr.contains("note: AWS throttled 4 call(s); pjob waited and sent each again"), "{}", run.stderr);
    let listed = block(sagemaker().list_processing_jobs().name_contains(&name).send()).unwrap();
    assert_eq!(listed.processing_job_summaries().len(), 1);
}

#[test]
fn a_create_whose_answer_is_lost_is_checked_not_repeated() {
    for (i, fault) in [Fault::DropAfterForward, Fault::ErrorAfterForward(500, "InternalFailure")].into_iter().enumerate() {
        let f = JobFolder::new();
        let manifest = simple_job(&f, "job.yaml", &format!("t-lost-{i}"), &nonce());
        let name = rendered_name(&manifest, &[]);
        let proxy = Proxy::start(&moto());
        proxy.fault("CreateProcessingJob", fault.clone(), 1);
        let run = pjob(&proxy.url(), &["apply", &manifest]).expect(0);
        assert!(run.stderr.contains(&format!("{name}: Completed")), "{fault:?}: {}", run.stderr);
        assert_eq!(proxy.calls("CreateProcessingJob").len(), 1, "{fault:?}: the job was made; pjob must not send it again");
        let ops: Vec<String> = proxy.seen().iter().map(|s| s.operation.clone()).collect();
        let create = ops.iter().position(|o| o == "CreateProcessingJob").unwrap();
        assert_eq!(ops[create + 1], "DescribeProcessingJob", "{fault:?}: checked right after the lost answer: {ops:?}");
    }
}

#[test]
fn aws_errors_exit_3_and_bad_manifests_exit_2_without_calls() {
    let f = JobFolder::new();
    let manifest = simple_job(&f, "job.yaml", "t-errors", &nonce());
    let proxy = Proxy::start(&moto());
    proxy.fault("CreateProcessingJob", Fault::Error(400, "ValidationException"), 1);
    let run = pjob(&proxy.url(), &["apply", &manifest]).expect(3);
    assert!(run.stderr.contains("CreateProcessingJob failed: ValidationException"), "{}", run.stderr);
    proxy.fault("GetCallerIdentity", Fault::Error(403, "AccessDenied"), 1);
    let run = pjob(&proxy.url(), &["plan", &manifest]).expect(3);
    assert!(run.stderr.contains("access denied: AWS refused STS GetCallerIdentity"), "{}", run.stderr);

    let bad = f.write(
        "bad.yaml",
        "apiVersion: pjob/v1\nkind: Processor\nmetadata: {name: bad}\nspec:\n  role: arn:aws:iam::123456789012:role/R\n  image_uri: x\n  instance_count: 1\n  instance_typo: ml.m5.large\n",
    );
    let bad = bad.display().to_string();
    let render = pjob(&moto(), &["render", &bad]).expect(2);
    let quiet = Proxy::start(&moto());
    for command in ["apply", "plan"] {
        let run = pjob(&quiet.url(), &[command, &bad]).expect(2);
        assert_eq!(run.stderr, render.stderr, "{command} reports problems as render does");
    }
    assert!(quiet.seen().is_empty(), "nothing was sent: {:?}", quiet.seen().iter().map(|s| &s.operation).collect::<Vec<_>>());
}

#[test]
fn several_jobs_run_concurrently_within_the_limit() {
    let f = JobFolder::new();
    let nonce = nonce();
    let names: Vec<String> =
        (0..3).map(|i| rendered_name(&simple_job(&f, &format!("jobs/{i}.yaml"), &format!("t-many-{i}"), &nonce), &[])).collect();
    let proxy = Proxy::start(&moto());
    for name in &names {
        proxy.hold_running(name);
    }
    let jobs = f.path("jobs").display().to_string();
    let child = spawn_pjob(&proxy.url(), &["apply", &jobs, "--max-concurrent", "2", "-o", "json"]);
    wait_until("two jobs running", || {
        proxy.calls("CreateProcessingJob").len() == 2 && names.iter().filter(|n| proxy.describes_of(n) >= 2).count() == 2
    });
    // The third waits for a slot while two are held running.
    let created: BTreeSet<String> = proxy
        .calls("CreateProcessingJob")
        .iter()
        .map(|c| serde_json::from_slice::<serde_json::Value>(&c.body).unwrap()["ProcessingJobName"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(created.len(), 2);
    let first = created.iter().next().unwrap().clone();
    proxy.release(&first);
    wait_until("the third job created", || proxy.calls("CreateProcessingJob").len() == 3);
    for name in &names {
        proxy.release(name);
    }
    let run = finish(child).expect(0);
    let report = run.json();
    let reported: BTreeSet<&str> = report["jobs"].as_array().unwrap().iter().map(|j| j["name"].as_str().unwrap()).collect();
    assert_eq!(reported, names.iter().map(String::as_str).collect());
    for job in report["jobs"].as_array().unwrap() {
        assert_eq!(job["action"], "created");
        assert_eq!(job["status"], "Completed");
    }
    for name in &names {
        assert!(run.stderr.contains(&format!("{name}: Completed")), "{}", run.stderr);
    }
}

#[test]
fn ctrl_c_detaches_or_stops_the_job() {
    for stop in [false, true] {
        let f = JobFolder::new();
        let manifest = simple_job(&f, "job.yaml", &format!("t-int-{stop}"), &nonce());
        let name = rendered_name(&manifest, &[]);
        let proxy = Proxy::start(&moto());
        proxy.hold_running(&name);
        let mut args = vec!["apply", manifest.as_str()];
        if stop {
            args.push("--stop-on-interrupt");
        }
        let child = spawn_pjob(&proxy.url(), &args);
        wait_until("the job being waited for", || proxy.describes_of(&name) >= 2);
        interrupt(&child);
        let run = finish(child).expect(130);
        if stop {
            assert_eq!(proxy.calls("StopProcessingJob").len(), 1);
            assert!(run.stderr.contains("stopping the job"), "{}", run.stderr);
        } else {
            assert!(proxy.calls("StopProcessingJob").is_empty());
            assert!(run.stderr.contains(&format!("Reattach with `pjob logs {name} -f`")), "{}", run.stderr);
        }
    }
}
