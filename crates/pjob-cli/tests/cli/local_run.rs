//! `pjob apply --local`: what the process sees (configuration files,
//! arguments, environment, working folder) and how a run ends (completed,
//! failed with its last lines, stopped by its time limit or by Ctrl-C).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use serde_json::{Value, json};

use crate::support::local::{host_lines, local_command, pjob_local};
use crate::support::{IMAGE, JobFolder, finish, interrupt, processes_with};

fn read_json(job: &JobFolder, rel: &str) -> Value {
    serde_json::from_str(&job.read(rel)).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"))
}

#[test]
fn the_configuration_files_are_written_as_sagemaker_writes_them() {
    let job = JobFolder::new();
    job.write("data/a.csv", "1\n");
    let script = "
import json, shutil
host = json.load(open('/opt/ml/config/resourceconfig.json'))['current_host']
shutil.copytree('/opt/ml/config', f'/opt/ml/processing/output/{host}')
";
    let extra = "  max_runtime_in_seconds: 300
  env:
    STAGE: test
  inputs:
    - name: data
      source: data
      destination: /opt/ml/processing/input/data
  outputs:
    - name: configs
      source: /opt/ml/processing/output
      destination: out
";
    let manifest = job.script_job("cfg", 2, script, extra);
    pjob_local(&manifest, &[]).expect(0);

    for (host, other) in [("algo-1", "algo-2"), ("algo-2", "algo-1")] {
        let resources = read_json(&job, &format!("out/{host}/resourceconfig.json"));
        assert_eq!(
            resources,
            json!({
                "current_host": host,
                "current_instance_type": "ml.m5.large",
                "current_group_name": "homogeneousCluster",
                "hosts": ["algo-1", "algo-2"],
                "instance_groups": [{"instance_group_name": "homogeneousCluster", "instance_type": "ml.m5.large", "hosts": ["algo-1", "algo-2"]}],
                "network_interface_name": "eth0",
            })
        );
        assert_eq!(job.read(&format!("out/{host}/processingjobconfig.json")), job.read(&format!("out/{other}/processingjobconfig.json")));
    }
    let config = read_json(&job, "out/algo-1/processingjobconfig.json");
    let name = config["ProcessingJobName"].as_str().expect("a job name");
    assert!(name.starts_with("cfg-"), "{name}");
    assert_eq!(config["ProcessingJobArn"], format!("arn:aws:sagemaker:us-east-1:000000000000:processing-job/{}", name.to_lowercase()));
    assert_eq!(
        config["AppSpecification"],
        json!({
            "ImageUri": IMAGE,
            "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/run.py"],
            "ContainerArguments": null,
        })
    );
    assert_eq!(config["Environment"], json!({"STAGE": "test"}));
    assert_eq!(config["StoppingCondition"], json!({"MaxRuntimeInSeconds": 300}));
    assert_eq!(config["ProcessingResources"]["ClusterConfig"]["InstanceCount"], 2);
    assert_eq!(config["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"], Value::Null);
    let inputs = config["ProcessingInputs"].as_array().expect("inputs");
    let names: Vec<&str> = inputs.iter().map(|i| i["InputName"].as_str().unwrap()).collect();
    assert_eq!(names, ["data", "code"]);
    for input in inputs {
        assert_eq!(input["S3Input"]["S3DownloadMode"], "StartOfJob");
        assert_eq!(input["S3Input"]["S3DataType"], "S3Prefix");
    }
    assert_eq!(inputs[0]["S3Input"]["LocalPath"], "/opt/ml/processing/input/data");
    let outputs = &config["ProcessingOutputConfig"]["Outputs"];
    assert_eq!(outputs[0]["S3Output"], json!({"S3Uri": "out", "LocalPath": "/opt/ml/processing/output", "S3UploadMode": "EndOfJob"}));
}

#[test]
fn arguments_environment_and_working_folder_reach_the_process() {
    let job = JobFolder::new();
    let opt_ml_before = Path::new("/opt/ml").exists();
    let script = "
import json, os, sys
json.dump({
    'argv': sys.argv[1:],
    'greeting': os.environ.get('GREETING'),
    'spaced': os.environ.get('SPACED'),
    'cwd': os.getcwd(),
    'sees_opt_ml': os.path.isdir('/opt/ml/processing/input/code'),
    'thp': [l.split()[1] for l in open('/proc/self/status') if l.startswith('THP_enabled')],
}, open('/opt/ml/processing/output/seen.json', 'w'))
";
    let extra = r#"  env:
    GREETING: "héllo wörld"
    SPACED: "a  b; $HOME 'q' \"dq\""
  arguments: ["--name", "two words", "it's", "", "--flag=x y"]
  outputs:
    - name: seen
      source: /opt/ml/processing/output
      destination: out
"#;
    let manifest = job.script_job("args-env", 1, script, extra);
    pjob_local(&manifest, &[]).expect(0);

    let seen = read_json(&job, "out/seen.json");
    assert_eq!(seen["argv"], json!(["--name", "two words", "it's", "", "--flag=x y"]));
    assert_eq!(seen["greeting"], "héllo wörld");
    assert_eq!(seen["spaced"], "a  b; $HOME 'q' \"dq\"");
    assert_eq!(seen["cwd"], "/", "SageMaker runs the entrypoint in /");
    assert_eq!(seen["sees_opt_ml"], true);
    assert_eq!(Path::new("/opt/ml").exists(), opt_ml_before, "the machine's own /opt/ml is left as it was");
    assert_ne!(seen["thp"], json!(["0"]), "pjob runs without huge pages; the job gets the system's setting");
}

#[test]
fn a_failing_script_fails_the_job_with_its_exit_code_and_last_lines() {
    let job = JobFolder::new();
    let script = "
for i in range(1, 16):
    print(f'line {i}', flush=True)
raise SystemExit(3)
";
    let extra = "  outputs:\n    - name: o\n      source: /opt/ml/processing/output\n      destination: out\n";
    let manifest = job.script_job("failing", 1, script, extra);
    let run = pjob_local(&manifest, &[]).expect(1);

    let logged: Vec<String> = (1..=15).map(|i| format!("line {i}")).collect();
    assert_eq!(host_lines(&run, "algo-1"), logged, "every line is streamed");
    let reason = run.stderr.split("Failed: ").nth(1).unwrap_or_else(|| panic!("no failure reason: {}", run.all()));
    let last: Vec<String> = (6..=15).map(|i| format!("line {i}")).collect();
    let expected = format!("AlgorithmError: the entrypoint exited with code 3 on algo-1. Last log lines:\n{}\n", last.join("\n"));
    assert!(reason.starts_with(&expected), "{}", run.all());
    assert!(!job.path("out").exists(), "a failed job's EndOfJob outputs are not delivered");
}

#[test]
fn when_one_host_fails_the_others_are_stopped() {
    let job = JobFolder::new();
    job.write(
        "run.sh",
        "if grep -q '\"current_host\": \"algo-2\"' /opt/ml/config/resourceconfig.json; then echo 'algo-2 gives up'; exit 4; fi\n\
         echo waiting\nexec sleep 120\n",
    );
    let manifest = job.write(
        "job.pjob.yaml",
        format!(
            "apiVersion: pjob/v1\nkind: ScriptProcessor\nmetadata:\n  name: one-fails\nspec:\n  \
             role: arn:aws:iam::123456789012:role/R\n  image_uri: {IMAGE}\n  command: [/bin/sh]\n  code: run.sh\n  \
             instance_count: 3\n  instance_type: ml.m5.large\n",
        ),
    );
    let run = pjob_local(&manifest, &[]).expect(1);
    assert!(
        run.stderr.contains("Failed: AlgorithmError: the entrypoint exited with code 4 on algo-2. Last log lines:\nalgo-2 gives up"),
        "{}",
        run.all()
    );
    for host in ["algo-1", "algo-3"] {
        assert!(run.stderr.contains(&format!("{host} exited with code 143")), "stopped with SIGTERM: {}", run.all());
    }
}

#[test]
fn an_entrypoint_that_cannot_start_fails_the_job() {
    let job = JobFolder::new();
    job.write("run.py", "print('never')\n");
    let manifest = job.write(
        "job.pjob.yaml",
        format!(
            "apiVersion: pjob/v1\nkind: Processor\nmetadata:\n  name: missing-program\nspec:\n  \
             role: arn:aws:iam::123456789012:role/R\n  image_uri: {IMAGE}\n  entrypoint: [pjob-no-such-program-here, x]\n  \
             instance_count: 1\n  instance_type: ml.m5.large\n",
        ),
    );
    let run = pjob_local(&manifest, &[]).expect(1);
    assert!(
        run.stderr.contains("Failed: AlgorithmError: the entrypoint could not start on algo-1: cannot run `pjob-no-such-program-here`"),
        "{}",
        run.all()
    );
}

#[test]
fn max_runtime_stops_the_job() {
    let job = JobFolder::new();
    let marker = format!("pjob-test-max-runtime-{}", std::process::id());
    job.write("run.sh", format!("echo started\nsh -c 'sleep 120; : {marker}'\n"));
    let manifest = job.write(
        "job.pjob.yaml",
        format!(
            "apiVersion: pjob/v1\nkind: ScriptProcessor\nmetadata:\n  name: slow\nspec:\n  \
             role: arn:aws:iam::123456789012:role/R\n  image_uri: {IMAGE}\n  command: [/bin/sh]\n  code: run.sh\n  \
             instance_count: 1\n  instance_type: ml.m5.large\n  max_runtime_in_seconds: 2\n",
        ),
    );
    let run = pjob_local(&manifest, &[]).expect(1);

    assert!(
        run.stderr.contains("Stopped: MaxRuntimeExceeded: the job ran longer than its MaxRuntimeInSeconds (2 s) and was stopped"),
        "{}",
        run.all()
    );
    assert_eq!(host_lines(&run, "algo-1"), ["started"]);
    assert_eq!(processes_with(&marker), Vec::<String>::new(), "the script's processes are gone");
}

#[test]
fn ctrl_c_stops_the_job_and_exits_130() {
    let job = JobFolder::new();
    let marker = format!("pjob-test-ctrl-c-{}", std::process::id());
    let script = format!(
        "
import subprocess, time
child = subprocess.Popen(['sh', '-c', 'sleep 120; : {marker}'])
print('started', flush=True)
time.sleep(120)
"
    );
    let extra = "  outputs:\n    - name: o\n      source: /opt/ml/processing/output\n      destination: out\n";
    let manifest = job.script_job("interrupted", 1, &script, extra);
    let mut child = local_command(&manifest, &[]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start pjob");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "[algo-1] started");
    interrupt(&child);
    let run = finish(child).expect(130);
    assert!(run.stderr.contains("Stopped: interrupted (Ctrl-C)"), "{}", run.stderr);
    assert_eq!(processes_with(&marker), Vec::<String>::new(), "the script's processes are gone");
    assert!(!job.path("out").exists(), "nothing is delivered after Ctrl-C");
}

#[test]
fn a_processor_without_entrypoint_needs_a_container_engine() {
    let job = JobFolder::new();
    let manifest = job.write(
        "job.pjob.yaml",
        format!(
            "apiVersion: pjob/v1\nkind: Processor\nmetadata:\n  name: image-entrypoint\nspec:\n  \
             role: arn:aws:iam::123456789012:role/R\n  image_uri: {IMAGE}\n  instance_count: 1\n  instance_type: ml.m5.large\n",
        ),
    );
    let run = pjob_local(&manifest, &[]).expect(2);
    assert!(run.stderr.contains("no ContainerEntrypoint"), "{}", run.all());
    assert!(run.stderr.contains("--engine docker"), "{}", run.all());
}

#[test]
fn an_invalid_manifest_is_reported_before_anything_runs() {
    let job = JobFolder::new();
    let manifest = job.script_job("bad", 1, "open('/tmp/pjob-must-not-run', 'w')\n", "  instance_typo: 3\n");
    let run = pjob_local(&manifest, &[]).expect(2);
    assert!(run.stderr.contains("instance_typo"), "{}", run.all());
    assert!(run.stderr.contains("job.pjob.yaml:12:3"), "points at the line: {}", run.all());
}

#[test]
fn overlong_lines_and_progress_updates_are_streamed_in_bounded_pieces() {
    let job = JobFolder::new();
    // A megabyte without a newline, then \r\n, a lone \r (a progress bar's update) and \n.
    let script = "import sys
sys.stdout.write('x' * (1024 * 1024))
sys.stdout.write('\\r\\nfirst\\r\\nstep 1\\rstep 2\\rdone\\n')
";
    let manifest = job.script_job("long-lines", 1, script, "");
    let run = pjob_local(&manifest, &[]).expect(0);
    let lines = host_lines(&run, "algo-1");
    let pieces: Vec<&&str> = lines.iter().filter(|l| l.starts_with('x')).collect();
    assert_eq!(pieces.len(), 64, "1 MiB in pieces of 16 KiB");
    assert!(pieces.iter().all(|p| p.len() == 16 * 1024 && p.bytes().all(|b| b == b'x')));
    let rest: Vec<&str> = lines.iter().filter(|l| !l.starts_with('x')).copied().collect();
    assert_eq!(rest, ["first", "step 1", "step 2", "done"], "each \\r and \\r\\n ends one line, in order");
}
