//! `pjob plan`'s reasons for a `changed` job against moto: the field-level
//! diff of the request, and artifacts compared by the SHA-256 stored with
//! them. moto's job descriptions leave out `Environment` and
//! `ProcessingResources`, so the tests talk to it through the proxy, which
//! answers with them as SageMaker does. Needs PJOB_TEST_MOTO_ENDPOINT
//! (`eval "$(tests/moto.sh start)"`).

use crate::support::JobFolder;
use crate::support::moto::*;
use crate::support::proxy::Proxy;

/// A proxy in front of moto whose job descriptions hold every field the
/// job was created with.
fn sagemaker_like() -> Proxy {
    let proxy = Proxy::start(&moto());
    proxy.describe_as_created();
    proxy
}

/// The job's settings that the tests change.
#[derive(Clone)]
struct Settings {
    split: &'static str,
    env: &'static str,
    raw: &'static str,
    code: &'static str,
}

const BASE: Settings = Settings { split: "0.2", env: "MODE: full", raw: "s3://pjob-test-data/raw/", code: "print('preprocessing')\n" };

/// Writes a ScriptProcessor manifest named `name` with `settings`.
fn write_job(f: &JobFolder, name: &str, settings: &Settings) -> String {
    f.write("src/preprocess.py", settings.code);
    let manifest = format!(
        r#"apiVersion: pjob/v1
kind: ScriptProcessor
metadata:
  name: {name}
  tags: {{team: ml}}
spec:
  role: arn:aws:iam::123456789012:role/SageMakerRole
  image_uri: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3
  command: [python3]
  code: src/preprocess.py
  instance_count: 1
  instance_type: ml.m5.large
  env:
    {env}
  inputs:
    - name: raw
      source: {raw}
      destination: /opt/ml/processing/input/raw
  outputs:
    - name: train
      source: /opt/ml/processing/output/train
  arguments: ["--split", "{split}"]
"#,
        env = settings.env,
        raw = settings.raw,
        split = settings.split,
    );
    f.write("job.pjob.yaml", manifest).display().to_string()
}

/// `pjob plan` as text and as JSON, with what varies from run to run
/// (the job names, the manifest's folder) replaced.
fn plan_shown(endpoint: &str, manifest: &str, names: &[(&str, &str)]) -> String {
    let text = pjob(endpoint, &["plan", manifest]).expect(0).stdout;
    let json = pjob(endpoint, &["plan", manifest, "-o", "json"]).expect(0).json();
    let shown = format!("{text}\n{}\n", serde_json::to_string_pretty(&json).unwrap());
    names.iter().fold(shown.replace(manifest, "[FILE]"), |s, (name, stand_in)| s.replace(name, stand_in))
}

/// Applies the base job, then plans each change against it.
#[test]
fn plan_explains_a_changed_job_field_by_field() {
    let proxy = sagemaker_like();
    let aws = proxy.url();
    let f = JobFolder::new();
    let job = format!("t-diff-{}", nonce());
    let manifest = write_job(&f, &job, &BASE);
    let applied = pjob(&aws, &["apply", &manifest, "-o", "json"]).expect(0).json();
    let old = applied["jobs"][0]["name"].as_str().expect("applied job name").to_string();

    let changes = [
        ("argument", Settings { split: "0.3", ..BASE }),
        ("environment", Settings { env: "MODE: full\n    DEBUG: \"1\"", ..BASE }),
        ("input", Settings { raw: "s3://pjob-test-data/raw-v2/", ..BASE }),
        ("code", Settings { code: "print('preprocessing, faster')\n", ..BASE }),
    ];
    for (what, settings) in changes {
        write_job(&f, &job, &settings);
        let json = pjob(&aws, &["plan", &manifest, "-o", "json"]).expect(0).json();
        let planned = &json["jobs"][0];
        assert_eq!(planned["action"], "changed", "{what}: {json}");
        assert_eq!(planned["job"], job.as_str());
        let new = planned["name"].as_str().unwrap().to_string();
        let shown = plan_shown(&aws, &manifest, &[(&new, "[NEW]"), (&old, "[OLD]"), (&job, "[JOB]")]);
        insta::assert_snapshot!(format!("plan_diff_{what}"), shown);
    }
}

/// The changes are counted from the newest earlier job, not the first.
#[test]
fn plan_compares_with_the_newest_earlier_job() {
    let proxy = sagemaker_like();
    let aws = proxy.url();
    let f = JobFolder::new();
    let job = format!("t-diff-newest-{}", nonce());
    let manifest = write_job(&f, &job, &BASE);
    pjob(&aws, &["apply", &manifest]).expect(0);
    let second = Settings { split: "0.3", ..BASE };
    write_job(&f, &job, &second);
    let applied = pjob(&aws, &["apply", &manifest, "-o", "json"]).expect(0).json();
    let newest = applied["jobs"][0]["name"].as_str().unwrap().to_string();

    write_job(&f, &job, &Settings { env: "MODE: fast", ..second });
    let json = pjob(&aws, &["plan", &manifest, "-o", "json"]).expect(0).json();
    assert_eq!(json["jobs"][0]["reasons"], serde_json::json!([r#"~ Environment.MODE: "full" -> "fast""#]), "{json}");
    let text = pjob(&aws, &["plan", &manifest]).expect(0).stdout;
    assert!(text.contains(&format!("(new version of {newest}, Completed)")), "{text}");
}

/// An artifact the earlier job read from an object pjob did not upload (no
/// stored hash) is shown as changed from `unknown`.
#[test]
fn an_artifact_without_a_stored_hash_is_unknown() {
    let proxy = sagemaker_like();
    let aws = proxy.url();
    let f = JobFolder::new();
    let job = format!("t-diff-unknown-{}", nonce());
    let manifest = write_job(&f, &job, &BASE);
    let applied = pjob(&aws, &["apply", &manifest, "-o", "json"]).expect(0).json();
    let old = applied["jobs"][0]["name"].as_str().unwrap().to_string();
    // The object is written again by something other than pjob.
    let bucket = format!("sagemaker-{REGION}-{ACCOUNT}");
    let key = format!("{old}/input/code/preprocess.py");
    block(s3().put_object().bucket(&bucket).key(&key).body(BASE.code.as_bytes().to_vec().into()).send()).expect("put");

    write_job(&f, &job, &Settings { split: "0.3", ..BASE });
    let json = pjob(&aws, &["plan", &manifest, "-o", "json"]).expect(0).json();
    let diff = json["jobs"][0]["diff"].as_array().unwrap();
    let artifact = diff.iter().find(|c| c["path"] == "artifact input/code/preprocess.py").unwrap_or_else(|| panic!("{json}"));
    assert_eq!((&artifact["op"], &artifact["old"]), (&serde_json::json!("~"), &serde_json::json!("unknown")));
}

/// A local folder input is compared file by file: added, changed and
/// removed files each show, by their place under the job.
#[test]
fn a_local_folder_input_shows_its_files_added_changed_and_removed() {
    let proxy = sagemaker_like();
    let aws = proxy.url();
    let f = JobFolder::new();
    let job = format!("t-diff-folder-{}", nonce());
    f.write("code/run.py", "print('hi')\n");
    f.write("data/a.csv", "x\n1\n");
    f.write("data/b.csv", "x\n2\n");
    let manifest = f.write(
        "job.pjob.yaml",
        format!(
            "apiVersion: pjob/v1
kind: ScriptProcessor
metadata:
  name: {job}
spec:
  role: arn:aws:iam::123456789012:role/SageMakerRole
  image_uri: 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3
  command: [python3]
  code: code/run.py
  instance_count: 1
  instance_type: ml.m5.large
  inputs:
    - name: local
      source: data
      destination: /opt/ml/processing/input/local
"
        ),
    );
    let manifest = manifest.display().to_string();
    pjob(&aws, &["apply", &manifest]).expect(0);
    f.write("data/b.csv", "x\n3\n");
    f.write("data/c.csv", "x\n4\n");
    std::fs::remove_file(f.path("data/a.csv")).unwrap();

    let json = pjob(&aws, &["plan", &manifest, "-o", "json"]).expect(0).json();
    let mut ops: Vec<(String, String)> = json["jobs"][0]["diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["op"].as_str().unwrap().to_string(), c["path"].as_str().unwrap().to_string()))
        .collect();
    ops.sort();
    let folder = |file: &str| format!("artifact input/local/{file}");
    assert_eq!(ops, [("+".to_string(), folder("c.csv")), ("-".to_string(), folder("a.csv")), ("~".to_string(), folder("b.csv"))], "{json}");
}
