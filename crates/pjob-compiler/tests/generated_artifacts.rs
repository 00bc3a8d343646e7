//! What the compiler generates for the kinds that ship code or configuration:
//! reproducible archives, `git_config` checkouts, image errors, and Clarify's
//! `analysis_config.json` as the SDK writes it.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use pjob_compiler::{ArtifactBody, CompileError, CompileOptions, CompiledJob, compile};
use pjob_manifest::Manifest;
use serde_json::{Value, json};

fn options(base_dir: &Path, region: Option<&str>) -> CompileOptions {
    CompileOptions {
        region: region.map(str::to_string),
        default_bucket: "pjob-default-bucket".into(),
        base_dir: base_dir.to_path_buf(),
        force_timestamp_name: false,
        now: SystemTime::UNIX_EPOCH,
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
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(data));
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

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=pjob test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A bare repository with two commits on `main` and a `feature` branch:
/// returns (bare repo path, first commit).
fn sample_repo(root: &Path) -> (PathBuf, String) {
    let work = root.join("work");
    fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "--quiet"]);
    write(&work.join("jobs/main.py"), "print('v1')\n");
    write(&work.join("jobs/requirements.txt"), "numpy\n");
    git(&work, &["add", "."]);
    git(&work, &["commit", "--quiet", "-m", "v1"]);
    let first = git(&work, &["rev-parse", "HEAD"]);
    write(&work.join("jobs/main.py"), "print('v2')\n");
    git(&work, &["commit", "--quiet", "-am", "v2"]);
    git(&work, &["checkout", "--quiet", "-b", "feature"]);
    write(&work.join("jobs/extra.py"), "E = 1\n");
    git(&work, &["add", "."]);
    git(&work, &["commit", "--quiet", "-m", "feature"]);
    git(&work, &["checkout", "--quiet", "main"]);
    let bare = root.join("repo.git");
    git(root, &["clone", "--quiet", "--bare", work.to_str().unwrap(), bare.to_str().unwrap()]);
    (bare, first)
}

#[test]
fn git_config_packs_the_repository_at_a_commit_or_branch() {
    let tmp = tempfile::tempdir().unwrap();
    let (bare, first) = sample_repo(tmp.path());
    let repo = bare.to_string_lossy().into_owned();
    let compile_at = |git_config: Value, source_dir: Option<&str>| {
        let mut spec = json!({"code": "main.py", "git_config": git_config});
        if let Some(dir) = source_dir {
            spec["source_dir"] = json!(dir);
        } else {
            spec["code"] = json!("jobs/main.py");
        }
        compile(&framework_manifest(spec), &options(tmp.path(), Some("us-west-2")))
    };

    let at_commit = compile_at(json!({"repo": repo, "commit": first}), Some("jobs")).unwrap();
    assert_eq!(
        unpack(&archive_bytes(&at_commit)),
        [("main.py".to_string(), "print('v1')\n".to_string()), ("requirements.txt".into(), "numpy\n".into())]
    );
    let ArtifactBody::Generated { content } = &artifact(&at_commit, "runproc.sh").body else { panic!() };
    assert!(content.contains("exec python main.py \"$@\""), "{content}");

    let default_branch = compile_at(json!({"repo": repo}), Some("jobs")).unwrap();
    assert!(unpack(&archive_bytes(&default_branch)).contains(&("main.py".into(), "print('v2')\n".into())));

    let on_branch = compile_at(json!({"repo": repo, "branch": "feature"}), Some("jobs")).unwrap();
    let files: Vec<String> = unpack(&archive_bytes(&on_branch)).into_iter().map(|(p, _)| p).collect();
    assert_eq!(files, ["extra.py", "main.py", "requirements.txt"]);

    // Without source_dir, `code` is a file in the repository, packed alone.
    let single = compile_at(json!({"repo": repo, "commit": first}), None).unwrap();
    assert_eq!(unpack(&archive_bytes(&single)), [("main.py".to_string(), "print('v1')\n".to_string())]);

    // The whole repository as source_dir leaves out its .git folder.
    let mut spec = json!({"code": "jobs/main.py", "source_dir": ".", "git_config": {"repo": repo, "commit": first}});
    spec["dependencies"] = json!([]);
    let whole = compile(&framework_manifest(spec), &options(tmp.path(), Some("us-west-2"))).unwrap();
    let ArtifactBody::Archive { members, .. } = &artifact(&whole, "sourcedir.tar.gz").body else { panic!() };
    assert_eq!(members, &["jobs", "jobs/main.py", "jobs/requirements.txt"]);

    // Cloning the same commit twice gives the same archive.
    let again = compile_at(json!({"repo": repo, "commit": first}), Some("jobs")).unwrap();
    assert_eq!(archive_bytes(&at_commit), archive_bytes(&again));
}

#[test]
fn git_config_errors_point_at_git_config() {
    let tmp = tempfile::tempdir().unwrap();
    let (bare, _) = sample_repo(tmp.path());
    let repo = bare.to_string_lossy().into_owned();
    let run = |git_config: Value, source_dir: &str| {
        let spec = json!({"code": "main.py", "source_dir": source_dir, "git_config": git_config});
        compile(&framework_manifest(spec), &options(tmp.path(), Some("us-west-2"))).unwrap_err()
    };

    let e = run(json!({"repo": repo, "commit": "0123456789abcdef0123456789abcdef01234567"}), "jobs");
    assert!(matches!(&e, CompileError::Git { action: "checkout", .. }), "{e:?}");
    assert_eq!(e.pointer(), "/spec/git_config");

    let e = run(json!({"repo": tmp.path().join("nope.git").to_string_lossy()}), "jobs");
    assert!(matches!(&e, CompileError::Git { action: "clone", .. }), "{e:?}");

    let e = run(json!({"repo": repo}), "missing");
    assert_eq!(e.pointer(), "/spec/source_dir");
    assert!(e.to_string().contains("does not exist in the git repository"), "{e}");

    let e = run(json!({"repo": repo}), "../outside");
    assert_eq!(e.pointer(), "/spec/source_dir");
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
