//! `pjob apply --local` and signals: Ctrl-C, `SIGTERM` and `SIGHUP` stop
//! the job and everything it started (a `setsid` grandchild too) and remove
//! the job folder; `SIGKILL` of pjob leaves nothing of the job running; an
//! entrypoint that ends takes its background processes with it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::local::{host_lines, local_command, pjob_local};
use crate::support::{IMAGE, JobFolder, finish, processes_with, send_signal};

/// A job whose entrypoint starts a `setsid` grandchild and a background
/// child (each with `marker` on its command line), says `ready`, and then
/// waits.
fn long_job(job: &JobFolder, marker: &str) -> PathBuf {
    job.write(
        "run.sh",
        format!(
            "setsid sh -c 'sleep 300; : {marker} setsid' &\n\
             sh -c 'sleep 300; : {marker} background' &\n\
             echo ready\n\
             sleep 300\n"
        ),
    );
    manifest(job, "signals")
}

fn manifest(job: &JobFolder, name: &str) -> PathBuf {
    job.write(
        "job.pjob.yaml",
        format!(
            "apiVersion: pjob/v1\nkind: ScriptProcessor\nmetadata:\n  name: {name}\nspec:\n  \
             role: arn:aws:iam::123456789012:role/R\n  image_uri: {IMAGE}\n  command: [/bin/sh]\n  code: run.sh\n  \
             instance_count: 1\n  instance_type: ml.m5.large\n",
        ),
    )
}

/// A marker no other test's processes carry.
fn marker(test: &str) -> String {
    format!("pjob-test-{test}-{}", std::process::id())
}

/// Starts `pjob apply --local` with its temporary folders in `tmp`, and
/// waits until the job printed `ready` with both of its processes running.
fn start_ready(manifest: &Path, tmp: &Path, marker: &str) -> Child {
    let mut child =
        local_command(manifest, &[]).env("TMPDIR", tmp).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start pjob");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read pjob's output");
    assert_eq!(line.trim(), "[algo-1] ready", "the job's first line");
    // Both lines were printed after their processes were started; wait until they run.
    let running = wait_until(|| processes_with(marker).len() >= 2);
    assert!(running, "the job's processes run: {:?}", processes_with(marker));
    // Keep reading so the job never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    child
}

/// Polls `done` for up to 20 s (processes end asynchronously after a signal).
fn wait_until(done: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    done()
}

/// What is left in the temporary folder pjob used.
fn leftovers(tmp: &Path) -> Vec<String> {
    std::fs::read_dir(tmp).expect("read tmp").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()
}

/// Sends `signal` to a running local job and checks how it ends.
fn stop_with(signal: &str, cause: &str, test: &str) {
    let job = JobFolder::new();
    let tmp = JobFolder::new();
    let marker = marker(test);
    let manifest = long_job(&job, &marker);
    let child = start_ready(&manifest, tmp.dir.path(), &marker);
    send_signal(&child, signal);
    let run = finish(child).expect(130);
    assert!(run.stderr.contains(&format!("pjob: {cause} received: stopping")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("Stopped: interrupted ({cause}) before the job ended")), "{}", run.stderr);
    let left = processes_with(&marker);
    assert!(left.is_empty(), "every process of the job ended with pjob: {left:?}");
    assert_eq!(leftovers(tmp.dir.path()), Vec::<String>::new(), "the job folder is removed");
}

#[test]
fn sigterm_stops_the_whole_job_tree_and_removes_the_job_folder() {
    stop_with("TERM", "SIGTERM", "sigterm");
}

#[test]
fn sighup_stops_the_whole_job_tree_and_removes_the_job_folder() {
    stop_with("HUP", "SIGHUP", "sighup");
}

#[test]
fn ctrl_c_stops_a_setsid_grandchild_too() {
    stop_with("INT", "Ctrl-C", "sigint");
}

#[test]
fn sigkill_of_pjob_leaves_nothing_of_the_job_running() {
    let job = JobFolder::new();
    let tmp = JobFolder::new();
    let marker = marker("sigkill");
    let manifest = long_job(&job, &marker);
    let child = start_ready(&manifest, tmp.dir.path(), &marker);
    send_signal(&child, "KILL");
    let run = finish(child);
    assert_eq!(run.code, -1, "pjob was killed");
    let ended = wait_until(|| processes_with(&marker).is_empty());
    assert!(ended, "the job's processes die with pjob: {:?}", processes_with(&marker));
}

#[test]
fn an_entrypoint_that_ends_takes_its_background_processes_with_it() {
    let job = JobFolder::new();
    let marker = marker("background");
    job.write(
        "run.sh",
        format!(
            "setsid sh -c 'sleep 300; : {marker} setsid' &\n\
             nohup sh -c 'sleep 300; : {marker} nohup' >/dev/null 2>&1 &\n\
             echo started\n"
        ),
    );
    let manifest = manifest(&job, "background");
    let run = pjob_local(&manifest, &[]).expect(0);
    assert_eq!(host_lines(&run, "algo-1"), ["started"]);
    let ended = wait_until(|| processes_with(&marker).is_empty());
    assert!(ended, "nothing the job started outlives it: {:?}", processes_with(&marker));
}

#[test]
fn the_entrypoint_sees_its_own_process_namespace() {
    let job = JobFolder::new();
    job.write("run.sh", "echo \"pid $$\"\n");
    let manifest = manifest(&job, "namespace");
    let run = pjob_local(&manifest, &[]).expect(0);
    // PID 1 is the job's init; the entrypoint is PID 2.
    let lines = host_lines(&run, "algo-1");
    assert_eq!(lines.first(), Some(&"pid 2"), "{}", run.all());
}

#[test]
fn a_stop_signal_stops_every_running_job_of_a_set_and_starts_no_more() {
    let (set, tmp) = (JobFolder::new(), JobFolder::new());
    let marker = marker("set");
    let job = |name: &str, metadata: &str, command: &str| {
        set.write(
            &format!("{name}.pjob.yaml"),
            format!(
                "apiVersion: pjob/v1\nkind: Processor\nmetadata: {{name: {name}{metadata}}}\nspec:\n  \
                 role: arn:aws:iam::123456789012:role/R\n  image_uri: {IMAGE}\n  entrypoint: [sh, -c, {command:?}]\n  \
                 instance_count: 1\n  instance_type: ml.m5.large\n"
            ),
        );
    };
    job("a", "", &format!("sleep 300; : {marker}-a"));
    job("b", "", &format!("sleep 300; : {marker}-b"));
    job("c", ", depends_on: [a]", "echo c ran");
    let child = local_command(set.dir.path(), &[])
        .env("TMPDIR", tmp.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let both = wait_until(|| !processes_with(&format!("{marker}-a")).is_empty() && !processes_with(&format!("{marker}-b")).is_empty());
    assert!(both, "a and b run at once: {:?}", processes_with(&marker));
    send_signal(&child, "INT");
    let run = finish(child).expect(130);
    assert_eq!(run.stderr.matches("Stopped: interrupted (Ctrl-C) before the job ended").count(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("c: skipped: interrupted") && !run.stdout.contains("c ran"), "{}", run.all());
    let left = processes_with(&marker);
    assert!(left.is_empty(), "every process of both jobs ended with pjob: {left:?}");
    assert_eq!(leftovers(tmp.dir.path()), Vec::<String>::new(), "both job folders are removed");
}
