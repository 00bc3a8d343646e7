//! `git_config` credentials end to end: `pjob render` clones an `https://`
//! repository that wants a token, served by a loopback server (git's
//! `url.<base>.insteadOf`, set in its environment, sends the `https://` URL
//! to the plain-HTTP server), and the token never shows: not in the output,
//! not in an error, not on any command line while git runs.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use crate::support::{JobFolder, Run, pjob_command, processes_with};

const TOKEN: &str = "tok-SECRET-4821";

/// What the server saw: authorized requests, and the processes whose
/// command line held the token while one was being answered.
#[derive(Default)]
struct Seen {
    authorized: usize,
    token_on_a_command_line: Vec<String>,
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A bare repository holding `jobs/main.py`, readable over git's dumb HTTP.
fn served_repository(root: &Path) -> PathBuf {
    let work = root.join("work");
    std::fs::create_dir_all(work.join("jobs")).unwrap();
    git(&work, &["init", "--quiet"]);
    std::fs::write(work.join("jobs/main.py"), "print('private')\n").unwrap();
    git(&work, &["add", "."]);
    git(&work, &["commit", "--quiet", "-m", "v1"]);
    let bare = root.join("served/r.git");
    git(root, &["clone", "--quiet", "--bare", work.to_str().unwrap(), bare.to_str().unwrap()]);
    git(&bare, &["update-server-info"]);
    bare.parent().unwrap().to_path_buf()
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            let c = if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' };
            out.push(c);
        }
    }
    out
}

/// Serves `root` over plain HTTP to requests authorized with `TOKEN` as the
/// user name and no password; others get 401, as a private repository does.
fn serve(root: PathBuf) -> (u16, Arc<Mutex<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let state = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            answer(stream, &root, &state);
        }
    });
    (port, seen)
}

fn answer(mut stream: TcpStream, root: &Path, seen: &Mutex<Seen>) {
    let expected = format!("authorization: basic {}", base64(format!("{TOKEN}:").as_bytes())).to_ascii_lowercase();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    let mut authorized = false;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        authorized |= line.trim().to_ascii_lowercase() == expected;
        if request.is_empty() {
            request = line;
        }
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").split('?').next().unwrap_or("/").to_string();
    let response = if !authorized {
        b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
    } else {
        let mut seen = seen.lock().unwrap();
        seen.authorized += 1;
        seen.token_on_a_command_line.extend(processes_with(TOKEN));
        match std::fs::read(root.join(path.trim_start_matches('/'))) {
            Ok(body) => {
                let mut r = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
                r.extend(body);
                r
            }
            Err(_) => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        }
    };
    let _ = stream.write_all(&response);
}

/// `pjob render` of a FrameworkProcessor from `https://127.0.0.1:<port>/r.git`
/// with `token: "{{ env.GIT_TOKEN }}"`, GIT_TOKEN being `token`.
fn render(job: &JobFolder, port: u16, token: &str) -> Run {
    let manifest = job.write(
        "job.pjob.yaml",
        format!(
            "apiVersion: pjob/v1\nkind: FrameworkProcessor\nmetadata:\n  name: private\nspec:\n  \
             role: arn:aws:iam::123456789012:role/SageMakerRole\n  framework: sklearn\n  framework_version: \"1.2-1\"\n  \
             code: main.py\n  source_dir: jobs\n  instance_count: 1\n  instance_type: ml.m5.xlarge\n  git_config:\n    \
             repo: https://127.0.0.1:{port}/r.git\n    token: \"{{{{ env.GIT_TOKEN }}}}\"\n"
        ),
    );
    let mut cmd = pjob_command(["render", "-o", "json", "--region", "us-west-2", "--default-bucket", "bkt"]);
    cmd.arg(&manifest)
        .env("GIT_TOKEN", token)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", job.path("."))
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", format!("url.http://127.0.0.1:{port}/.insteadOf"))
        .env("GIT_CONFIG_VALUE_0", format!("https://127.0.0.1:{port}/"));
    Run::of(&mut cmd)
}

#[test]
fn a_token_clones_a_private_repository_and_is_never_shown() {
    let job = JobFolder::new();
    let (port, seen) = serve(served_repository(job.dir.path()));

    let run = render(&job, port, TOKEN).expect(0);
    let members = run.json()["jobs"][0]["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["uri"].as_str().is_some_and(|u| u.ends_with("sourcedir.tar.gz")))
        .map(|a| a["members"].clone());
    assert_eq!(members, Some(serde_json::json!(["main.py"])), "{}", run.all());
    assert!(!run.all().contains(TOKEN), "{}", run.all());
    let seen = seen.lock().unwrap();
    assert!(seen.authorized > 0, "git never sent the token");
    assert!(seen.token_on_a_command_line.is_empty(), "the token was on a command line: {:?}", seen.token_on_a_command_line);
}

#[test]
fn a_refused_token_fails_the_clone_without_showing_it() {
    let job = JobFolder::new();
    let (port, seen) = serve(served_repository(job.dir.path()));
    let wrong = "tok-WRONG-9917";

    let run = render(&job, port, wrong).expect(2);
    assert!(run.stderr.contains("git clone failed"), "{}", run.all());
    assert!(!run.all().contains(wrong), "{}", run.all());
    assert_eq!(seen.lock().unwrap().authorized, 0);
}
