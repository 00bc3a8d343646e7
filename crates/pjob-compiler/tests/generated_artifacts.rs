//! What the compiler generates for the kinds that ship code or configuration:
//! reproducible archives, `git_config` work trees, image errors, and Clarify's
//! `analysis_config.json` as the SDK writes it.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::time::{Duration, SystemTime};

use pjob_compiler::{ArtifactBody, CompileError, CompileOptions, CompiledJob, compile};
use pjob_manifest::Manifest;
use serde_json::{Value, json};

fn options(base_dir: &Path, region: Option<&str>) -> CompileOptions {
    CompileOptions {
        region: region.map(str::to_string),
        default_bucket: "pjob-default-bucket".into(),
        default_bucket_prefix: None,
        base_dir: base_dir.to_path_buf(),
        force_timestamp_name: false,
        now: SystemTime::UNIX_EPOCH,
        git_work_tree: None,
        archive_cache: None,
        upstream: Vec::new(),
    }
}

fn framework_manifest(spec: Value) -> Manifest {
    let mut full = json!({
        "role": "arn:aws:iam::123456789012:role/SageMakerRole",
        "instance_count": 1,
        "instance_type": "ml.m5.xlarge",
        "framework": "sklearn",
        "framework_version": "1.2-1",
    });
    full.as_object_mut().unwrap().extend(spec.as_object().unwrap().clone());
    Manifest::from_json(json!({
        "apiVersion": "pjob/v1",
        "kind": "FrameworkProcessor",
        "metadata": {"name": "fw"},
        "spec": full,
    }))
    .unwrap()
}

fn artifact<'a>(job: &'a CompiledJob, name: &str) -> &'a pjob_compiler::Artifact {
    job.artifacts.iter().find(|a| a.uri.ends_with(name)).unwrap_or_else(|| panic!("no {name} in {:?}", job.artifacts))
}

/// The files of a gzip'd tar, path -> content.
fn unpack(data: &[u8]) -> Vec<(String, String)> {
    let mut archive = tar::Archive::new(flate2::read::MultiGzDecoder::new(data));
    let mut files = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.header().entry_type().is_file() {
            let path = entry.path().unwrap().to_string_lossy().into_owned();
            let mut content = String::new();
            entry.read_to_string(&mut content).unwrap();
            files.push((path, content));
        }
    }
    files
}

fn archive_bytes(job: &CompiledJob) -> Vec<u8> {
    artifact(job, "sourcedir.tar.gz").read_bytes().unwrap()
}

fn write(path: &Path, content: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

#[test]
fn source_archive_hash_is_the_same_across_compiles() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(&root.join("src/main.py"), "print('hi')\n");
    write(&root.join("src/pkg/util.py"), "X = 1\n");
    write(&root.join("src/requirements.txt"), "pandas\n");
    write(&root.join("libs/common/helpers.py"), "Y = 2\n");
    let manifest = framework_manifest(json!({"code": "main.py", "source_dir": "src", "dependencies": ["libs/common"]}));

    let first = compile(&manifest, &options(root, Some("us-west-2"))).unwrap();

    // Same content, new times: rewrite every file later, in another order.
    for rel in ["libs/common/helpers.py", "src/requirements.txt", "src/pkg/util.py", "src/main.py"] {
        let path = root.join(rel);
        let content = fs::read(&path).unwrap();
        fs::remove_file(&path).unwrap();
        fs::write(&path, content).unwrap();
        let later = SystemTime::now() + Duration::from_secs(3600);
        fs::File::options().write(true).open(&path).unwrap().set_modified(later).unwrap();
    }
    let second = compile(&manifest, &options(root, Some("us-west-2"))).unwrap();

    assert_eq!(archive_bytes(&first), archive_bytes(&second));
    assert_eq!(artifact(&first, "sourcedir.tar.gz").sha256, artifact(&second, "sourcedir.tar.gz").sha256);
    assert_eq!(first.content_hash, second.content_hash);
    assert_eq!(first.name(), second.name(), "an unchanged job keeps its name");
    let ArtifactBody::Archive { members, .. } = &artifact(&first, "sourcedir.tar.gz").body else { panic!("not an archive") };
    assert_eq!(members, &["common", "common/helpers.py", "main.py", "pkg", "pkg/util.py", "requirements.txt"]);

    // A change to the code is a new archive and a new job.
    write(&root.join("src/pkg/util.py"), "X = 2\n");
    let third = compile(&manifest, &options(root, Some("us-west-2"))).unwrap();
    assert_ne!(artifact(&first, "sourcedir.tar.gz").sha256, artifact(&third, "sourcedir.tar.gz").sha256);
    assert_ne!(first.name(), third.name());
}

#[test]
fn a_git_config_job_needs_its_work_tree_and_never_fetches() {
    let tmp = tempfile::tempdir().unwrap();
    // A repository nothing could clone: the compiler must not try.
    let spec = json!({"code": "main.py", "source_dir": "jobs", "git_config": {"repo": "ssh://git@127.0.0.1:1/nothing.git"}});
    let e = compile(&framework_manifest(spec.clone()), &options(tmp.path(), Some("us-west-2"))).unwrap_err();
    assert!(matches!(&e, CompileError::GitNotFetched { .. }), "{e:?}");
    assert_eq!(e.pointer(), "/spec/git_config");

    // With a work tree, paths are inside it, and never outside.
    write(&tmp.path().join("tree/jobs/main.py"), "print(1)\n");
    let mut with_tree = options(tmp.path(), Some("us-west-2"));
    with_tree.git_work_tree = Some(tmp.path().join("tree"));
    let job = compile(&framework_manifest(spec), &with_tree).unwrap();
    assert_eq!(unpack(&archive_bytes(&job)), [("main.py".to_string(), "print(1)\n".to_string())]);
    let outside = json!({"code": "main.py", "source_dir": "../outside", "git_config": {"repo": "r"}});
    assert_eq!(compile(&framework_manifest(outside), &with_tree).unwrap_err().pointer(), "/spec/source_dir");
    let dash = json!({"code": "main.py", "source_dir": "jobs", "git_config": {"repo": "r", "branch": "--upload-pack=x"}});
    assert_eq!(compile(&framework_manifest(dash), &with_tree).unwrap_err().pointer(), "/spec/git_config/branch");
}

#[test]
fn unknown_versions_are_errors_listing_the_known_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = framework_manifest(json!({"code": "s3://b/run.sh", "framework_version": "9.9-9"}));
    for region in [Some("us-west-2"), None] {
        let e = compile(&manifest, &options(tmp.path(), region)).unwrap_err();
        assert!(matches!(e, CompileError::ImageUri { .. }), "{e:?}");
        assert_eq!(e.pointer(), "/spec/framework_version");
        let message = e.to_string();
        assert!(message.contains("`9.9-9`") && message.contains("1.2-1") && message.contains("0.23-1"), "{message}");
    }

    let py = framework_manifest(json!({"code": "s3://b/run.sh", "framework": "pytorch", "framework_version": "2.1.0"}));
    let e = compile(&py, &options(tmp.path(), Some("us-west-2"))).unwrap_err();
    assert_eq!(e.pointer(), "/spec/framework_version", "no py_version: the SDK's default py3 is not offered");
    assert!(e.to_string().contains("py310") && e.help().contains("py_version: py310"), "{e}");
    let mut wrong_py = py.clone();
    if let pjob_manifest::JobSpec::FrameworkProcessor(s) = &mut wrong_py.spec {
        s.py_version = Some("py27".into());
    }
    let e = compile(&wrong_py, &options(tmp.path(), Some("us-west-2"))).unwrap_err();
    assert_eq!(e.pointer(), "/spec/py_version");
    assert!(e.to_string().contains("`py27`") && e.to_string().contains("py310"), "{e}");

    let spark = Manifest::from_json(json!({
        "apiVersion": "pjob/v1",
        "kind": "PySparkProcessor",
        "metadata": {"name": "s"},
        "spec": {"role": "arn:aws:iam::123456789012:role/R", "instance_count": 1, "instance_type": "ml.m5.xlarge",
                 "submit_app": "s3://b/app.py", "framework_version": "2.9"}
    }))
    .unwrap();
    let e = compile(&spark, &options(tmp.path(), Some("us-west-2"))).unwrap_err();
    assert_eq!(e.pointer(), "/spec/framework_version");
    assert!(e.to_string().contains("3.5") && e.to_string().contains("2.4"), "{e}");

    // A known version without a region only lacks the region.
    let ok = framework_manifest(json!({"code": "s3://b/run.sh"}));
    assert!(matches!(compile(&ok, &options(tmp.path(), None)), Err(CompileError::MissingRegion { .. })));
}

#[test]
fn framework_bootstrap_logs_into_codeartifact_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    write(&tmp.path().join("src/job.py"), "print(1)\n");
    let arn = "arn:aws:codeartifact:eu-west-1:111122223333:repository/team/pypi-mirror";
    let with = framework_manifest(json!({"code": "job.py", "source_dir": "src", "codeartifact_repo_arn": arn}));
    let without = framework_manifest(json!({"code": "job.py", "source_dir": "src"}));
    let text = |m: &Manifest| {
        let job = compile(m, &options(tmp.path(), Some("us-west-2"))).unwrap();
        match &artifact(&job, "runproc.sh").body {
            ArtifactBody::Generated { content } => content.clone(),
            other => panic!("{other:?}"),
        }
    };
    let login = "aws codeartifact login --tool pip --domain team --domain-owner 111122223333 --repository pypi-mirror --region eu-west-1";
    assert!(text(&with).contains(login));
    assert!(!text(&without).contains("codeartifact"));

    let bad = framework_manifest(json!({"code": "job.py", "source_dir": "src",
        "codeartifact_repo_arn": "arn:aws:codeartifact:eu-west-1:111122223333:domain/team"}));
    let e = compile(&bad, &options(tmp.path(), Some("us-west-2"))).unwrap_err();
    assert_eq!(e.pointer(), "/spec/codeartifact_repo_arn");
}

/// The captured Clarify cases: `analysis_config.json` is the SDK's text, byte for byte.
#[test]
fn analysis_config_is_the_sdks_text() {
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance");
    let mut checked = 0;
    for entry in fs::read_dir(&cases).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("clarify_") {
            continue;
        }
        let expected: Value = serde_json::from_str(&fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
        let Some(objects) = expected.get("s3").and_then(Value::as_object) else { continue };
        let text = fs::read_to_string(dir.join("job.yaml")).unwrap();
        let file = pjob_source::SourceFile::new(dir.join("job.yaml").to_string_lossy().into_owned(), text);
        let doc = pjob_source::parse(&file).unwrap().remove(0);
        let manifest = Manifest::from_json(doc.root.to_json()).unwrap();
        let job = compile(&manifest, &options(&dir, Some("us-west-2"))).unwrap();
        for (uri, object) in objects {
            let ours = job.artifacts.iter().find(|a| &a.uri == uri).unwrap_or_else(|| panic!("{name}: no {uri}"));
            let ArtifactBody::Generated { content } = &ours.body else { panic!("{name}: {uri} is not generated") };
            assert_eq!(content, object["text"].as_str().unwrap(), "{name}: {uri}");
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} Clarify configurations checked");
}

#[test]
fn a_value_that_is_not_an_s3_uri_is_a_bad_uri() {
    // Validation catches these first; the compiler, a library of its own, says the same.
    let spark = Manifest::from_json(json!({
        "apiVersion": "pjob/v1",
        "kind": "PySparkProcessor",
        "metadata": {"name": "spark"},
        "spec": {
            "role": "arn:aws:iam::123456789012:role/SageMakerRole",
            "instance_count": 1,
            "instance_type": "ml.m5.xlarge",
            "image_uri": "123456789012.dkr.ecr.us-west-2.amazonaws.com/spark:latest",
            "submit_app": "s3://bucket/app.py",
            "spark_event_logs_s3_uri": "hdfs://logs/",
        },
    }))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = compile(&spark, &options(dir.path(), Some("us-west-2"))).unwrap_err();
    assert_eq!(err.code().as_str(), "pjob::bad-uri");
    assert_eq!(err.pointer(), "/spec/spark_event_logs_s3_uri");
    assert_eq!(err.to_string(), "`hdfs://logs/` is not an s3:// URI");
    assert_eq!(err.help(), "write s3://bucket/prefix");
}

#[test]
fn the_apis_limits_count_what_the_processor_adds() {
    let tmp = tempfile::tempdir().unwrap();
    let input = |i: usize| json!({"name": format!("in-{i}"), "source": format!("s3://b/{i}/"), "destination": format!("/opt/ml/processing/in/{i}")});
    // Ten inputs of the user's and the one a FrameworkProcessor with S3 code adds (its entrypoint): 11 > 10.
    let inputs: Vec<Value> = (0..10).map(input).collect();
    let e = compile(&framework_manifest(json!({"code": "s3://b/run.sh", "inputs": inputs})), &options(tmp.path(), Some("us-west-2")))
        .unwrap_err();
    assert_eq!(e.pointer(), "/spec/inputs");
    assert_eq!(e.code().as_str(), "pjob::too-many");
    assert!(e.to_string().contains("11 inputs") && e.to_string().contains("at most 10"), "{e}");
    let inputs: Vec<Value> = (0..9).map(input).collect();
    compile(&framework_manifest(json!({"code": "s3://b/run.sh", "inputs": inputs})), &options(tmp.path(), Some("us-west-2"))).unwrap();

    let groups: Vec<String> = (0..6).map(|i| format!("sg-{i:08x}")).collect();
    let network = json!({"code": "s3://b/run.sh", "network_config": {"security_group_ids": groups, "subnets": ["subnet-0abc1234"]}});
    let e = compile(&framework_manifest(network), &options(tmp.path(), Some("us-west-2"))).unwrap_err();
    assert_eq!(e.pointer(), "/spec/network_config/security_group_ids");
}
