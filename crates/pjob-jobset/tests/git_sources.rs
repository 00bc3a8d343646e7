//! `git_config` repositories are fetched by the pipeline, outside the
//! compiler: at a commit or a branch, with errors at `git_config`, within a
//! deadline, never by `validate`'s offline compile, with credentials given
//! to git through its environment and never shown.

use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use pjob_compiler::{ArtifactBody, CompileError, CompiledJob};
use pjob_jobset::{CompileSettings, Job, Loader};
use pjob_manifest::Target;
use pjob_template::{Renderer, Variables};
use serde_json::{Value, json};

fn write(path: &Path, content: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
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

/// A FrameworkProcessor manifest with these extra spec fields, loaded from a file in `dir`.
fn load_job(dir: &Path, spec: Value) -> Job {
    let mut full = json!({
        "role": "arn:aws:iam::123456789012:role/SageMakerRole",
        "instance_count": 1,
        "instance_type": "ml.m5.xlarge",
        "framework": "sklearn",
        "framework_version": "1.2-1",
    });
    full.as_object_mut().unwrap().extend(spec.as_object().unwrap().clone());
    let manifest = json!({"apiVersion": "pjob/v1", "kind": "FrameworkProcessor", "metadata": {"name": "fw"}, "spec": full});
    let path = dir.join("job.yaml");
    fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let renderer = Renderer::new(Variables::new());
    let mut loaded = Loader::new(&renderer, Target::Aws).load(&[path]);
    assert!(!loaded.has_problems(), "{:?} {:?}", loaded.diagnostics, loaded.errors);
    loaded.jobs.remove(0)
}

fn settings(timeout: Duration) -> CompileSettings {
    CompileSettings { region: Some("us-west-2".into()), git_timeout: timeout, ..CompileSettings::default() }
}

fn compile(dir: &Path, spec: Value) -> Result<CompiledJob, Box<pjob_source::Diagnostic>> {
    load_job(dir, spec).compile(&settings(Duration::from_secs(60)))
}

/// The files of the job's gzip'd source archive, path -> content.
fn archive_files(job: &CompiledJob) -> Vec<(String, String)> {
    let archive = job.artifacts.iter().find(|a| a.uri.ends_with("sourcedir.tar.gz")).expect("an archive");
    let data = archive.read_bytes().unwrap();
    let mut tar = tar::Archive::new(flate2::read::MultiGzDecoder::new(&data[..]));
    let mut files = Vec::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.header().entry_type().is_file() {
            let mut content = String::new();
            entry.read_to_string(&mut content).unwrap();
            files.push((entry.path().unwrap().to_string_lossy().into_owned(), content));
        }
    }
    files
}

#[test]
fn git_config_packs_the_repository_at_a_commit_or_branch() {
    let tmp = tempfile::tempdir().unwrap();
    let (bare, first) = sample_repo(tmp.path());
    let repo = bare.to_string_lossy().into_owned();
    let at = |git_config: Value, source_dir: Option<&str>| {
        let mut spec = json!({"code": "main.py", "git_config": git_config});
        match source_dir {
            Some(dir) => spec["source_dir"] = json!(dir),
            None => spec["code"] = json!("jobs/main.py"),
        }
        compile(tmp.path(), spec).unwrap()
    };

    let at_commit = at(json!({"repo": repo, "commit": first}), Some("jobs"));
    assert_eq!(archive_files(&at_commit), [("main.py".into(), "print('v1')\n".into()), ("requirements.txt".into(), "numpy\n".into())]);
    let runproc = at_commit.artifacts.iter().find(|a| a.uri.ends_with("runproc.sh")).unwrap();
    let ArtifactBody::Generated { content } = &runproc.body else { panic!("runproc.sh is generated") };
    assert!(content.contains("exec python main.py \"$@\""), "{content}");

    let default_branch = at(json!({"repo": repo}), Some("jobs"));
    assert!(archive_files(&default_branch).contains(&("main.py".into(), "print('v2')\n".into())));

    let on_branch = at(json!({"repo": repo, "branch": "feature"}), Some("jobs"));
    let files: Vec<String> = archive_files(&on_branch).into_iter().map(|(p, _)| p).collect();
    assert_eq!(files, ["extra.py", "main.py", "requirements.txt"]);

    // Without source_dir, `code` is a file in the repository, packed alone.
    let single = at(json!({"repo": repo, "commit": first}), None);
    assert_eq!(archive_files(&single), [("main.py".to_string(), "print('v1')\n".to_string())]);

    // The whole repository as source_dir leaves out its .git folder.
    let whole = compile(tmp.path(), json!({"code": "jobs/main.py", "source_dir": ".", "git_config": {"repo": repo, "commit": first}}));
    let paths: Vec<String> = archive_files(&whole.unwrap()).into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["jobs/main.py", "jobs/requirements.txt"]);

    // Cloning the same commit twice gives the same archive, and the same job.
    let again = at(json!({"repo": repo, "commit": first}), Some("jobs"));
    assert_eq!(again.name(), at_commit.name());
}

#[test]
fn git_config_errors_point_at_git_config() {
    let tmp = tempfile::tempdir().unwrap();
    let (bare, _) = sample_repo(tmp.path());
    let repo = bare.to_string_lossy().into_owned();
    let error = |git_config: Value, source_dir: &str| {
        let d = compile(tmp.path(), json!({"code": "main.py", "source_dir": source_dir, "git_config": git_config})).unwrap_err();
        let at = tmp.path().join("job.yaml").display().to_string();
        assert!(d.to_json()["file"].as_str().is_some_and(|f| f == at), "{:?}", d.to_json());
        d
    };

    let d = error(json!({"repo": repo, "commit": "0123456789abcdef0123456789abcdef01234567"}), "jobs");
    assert!(d.message().starts_with("git checkout failed"), "{}", d.message());
    assert_eq!(d.code().as_str(), "pjob::git");

    let d = error(json!({"repo": tmp.path().join("nope.git").to_string_lossy()}), "jobs");
    assert!(d.message().starts_with("git clone failed"), "{}", d.message());

    let d = error(json!({"repo": repo}), "missing");
    assert!(d.message().contains("does not exist in the git repository"), "{}", d.message());

    let d = error(json!({"repo": repo, "branch": "--upload-pack=touch /tmp/x"}), "jobs");
    assert!(d.message().contains("is not a usable git branch"), "{}", d.message());
}

#[test]
fn a_repository_that_never_answers_is_given_up_on_at_the_deadline() {
    // A loopback server that accepts connections and says nothing.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let tmp = tempfile::tempdir().unwrap();
    let job = load_job(
        tmp.path(),
        json!({"code": "main.py", "source_dir": "jobs", "git_config": {"repo": format!("https://127.0.0.1:{port}/r.git")}}),
    );
    let started = Instant::now();
    let d = job.compile(&settings(Duration::from_secs(2))).unwrap_err();
    assert!(d.message().contains("did not finish within 2 s"), "{}", d.message());
    assert!(started.elapsed() < Duration::from_secs(30), "the deadline was not kept: {:?}", started.elapsed());
    drop(silent);
}

#[test]
fn the_offline_compile_of_validate_does_not_fetch() {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    silent.set_nonblocking(true).unwrap();
    let port = silent.local_addr().unwrap().port();
    let tmp = tempfile::tempdir().unwrap();
    let job = load_job(
        tmp.path(),
        json!({"code": "main.py", "source_dir": "jobs", "git_config": {"repo": format!("https://127.0.0.1:{port}/r.git")}}),
    );
    let e = job.compile_with(&settings(Duration::from_secs(60)).options_for(&job)).unwrap_err();
    assert!(matches!(e, CompileError::GitNotFetched { .. }), "{e:?}");
    assert!(silent.accept().is_err(), "nothing connected to the repository");
}

/// What `git credential fill` gets for an https URL in this environment.
fn credential_fill(env: &[(String, String)]) -> String {
    use std::io::Write;
    let mut child = Command::new("git")
        .args(["credential", "fill"])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    child.stdin.take().unwrap().write_all(b"protocol=https\nhost=127.0.0.1\n\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "git credential fill: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn credentials_reach_git_through_its_environment_as_the_sdk_gives_them() {
    let config = |extra: Value| -> pjob_manifest::GitConfig {
        let mut c = json!({"repo": "https://127.0.0.1/o/r.git"});
        c.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        serde_json::from_value(c).unwrap()
    };
    // A password with what a shell or a URL would change: git gets it as it is.
    let password = r#"p a$s%20'"\w:@"#;
    let with_password = config(json!({"username": "bob", "password": password})).credentials().unwrap();
    let filled = credential_fill(&pjob_jobset::credential_env(&with_password));
    assert!(filled.contains("username=bob\n"), "{filled}");
    assert!(filled.contains(&format!("password={password}\n")), "{filled}");

    // A token is the user name, with no password (the SDK's https://<token>@host/...).
    let with_token = config(json!({"username": "bob", "password": "pw", "token": "tok-123"})).credentials().unwrap();
    let filled = credential_fill(&pjob_jobset::credential_env(&with_token));
    assert!(filled.contains("username=tok-123\npassword=\n"), "{filled}");

    // Nothing secret is on the command line: the environment holds it all.
    let env = pjob_jobset::credential_env(&with_password);
    assert!(env.iter().all(|(k, _)| k.starts_with("GIT_CONFIG_") || k.starts_with("PJOB_GIT_")), "{env:?}");
}

#[test]
fn git_errors_never_show_credentials() {
    // Port 1 of the loopback refuses the connection at once.
    let tmp = tempfile::tempdir().unwrap();
    let job = load_job(
        tmp.path(),
        json!({"code": "main.py", "source_dir": "jobs", "git_config": {
            "repo": "https://bob:hunter2@127.0.0.1:1/r.git", "token": "ghp_secret_token", "password": "pw-secret"
        }}),
    );
    let d = job.compile(&settings(Duration::from_secs(30))).unwrap_err();
    let shown = format!("{} {}", d.message(), d.to_json());
    assert!(d.message().starts_with("git clone failed for https://***@127.0.0.1:1/r.git"), "{}", d.message());
    for secret in ["hunter2", "ghp_secret_token", "pw-secret"] {
        assert!(!shown.contains(secret), "{secret} shown: {shown}");
    }
    assert!(!format!("{:?}", job.git_config().unwrap()).contains("ghp_secret_token"));
}

#[test]
fn repository_urls_the_sdk_refuses_are_refused_before_any_clone() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("job.yaml");
    for (repo, expected) in [
        ("http://127.0.0.1:1/r.git", "not http://"),
        ("https://a@b@127.0.0.1/r.git", "more than one `@`"),
        ("https://ex_ample.com/r.git", "host name"),
        ("127.0.0.1:r.git", "host:path"),
    ] {
        let manifest = json!({"apiVersion": "pjob/v1", "kind": "FrameworkProcessor", "metadata": {"name": "fw"}, "spec": {
            "role": "arn:aws:iam::123456789012:role/SageMakerRole", "instance_count": 1, "instance_type": "ml.m5.xlarge",
            "framework": "sklearn", "framework_version": "1.2-1", "code": "main.py", "git_config": {"repo": repo, "token": "t0ken"}}});
        fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
        let renderer = Renderer::new(Variables::new());
        let loaded = Loader::new(&renderer, Target::Aws).load(std::slice::from_ref(&path));
        let d = loaded.diagnostics.first().unwrap_or_else(|| panic!("{repo} is accepted"));
        let repo_line = fs::read_to_string(&path).unwrap().lines().position(|l| l.contains("\"repo\"")).unwrap() + 1;
        assert_eq!(d.to_json()["line"], repo_line, "located at git_config.repo: {:?}", d.to_json());
        assert!(d.message().contains(expected), "{repo}: {}", d.message());
        assert!(!d.message().contains("t0ken"));
    }
}
