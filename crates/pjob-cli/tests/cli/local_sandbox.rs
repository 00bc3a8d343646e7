//! `pjob apply --local`: the private mount namespace as root, as an
//! unprivileged user, as a root without `CAP_SYS_ADMIN` (a container), and
//! when the kernel refuses it; and the container engines' detection.
//!
//! The first three need root to set up the situation they check (switching
//! to `nobody`, dropping a capability, limiting user namespaces inside a
//! user namespace of their own, never the machine's settings); run as
//! another user they check nothing and say they are skipped.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::support::local::{local_command, pjob_local};
use crate::support::machine::{has_program, is_root, skipped};
use crate::support::{IMAGE, JobFolder, PJOB, Run};

/// A job whose shell script records who it runs as and what it sees.
fn shell_job(job: &JobFolder, name: &str) -> std::path::PathBuf {
    job.write("data/in.txt", "staged\n");
    job.write(
        "run.sh",
        "id -u > /opt/ml/processing/output/uid.txt\ncat /opt/ml/processing/input/data/in.txt > /opt/ml/processing/output/in.txt\n",
    );
    job.write(
        "job.pjob.yaml",
        format!(
            "apiVersion: pjob/v1\nkind: ScriptProcessor\nmetadata:\n  name: {name}\nspec:\n  \
             role: arn:aws:iam::123456789012:role/R\n  image_uri: {IMAGE}\n  command: [/bin/sh]\n  code: run.sh\n  \
             instance_count: 1\n  instance_type: ml.m5.large\n  inputs:\n    - name: data\n      source: data\n      \
             destination: /opt/ml/processing/input/data\n  outputs:\n    - name: o\n      source: /opt/ml/processing/output\n      \
             destination: out\n",
        ),
    )
}

/// Lets every user read and write the job folder (for `nobody`).
fn open_to_everyone(path: &Path) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o777)).unwrap();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).unwrap().flatten() {
            open_to_everyone(&entry.path());
        }
    }
}

/// Whether `test` can run here: it needs root and `programs`. When it
/// cannot, it says so with the `SKIPPED:` line tests/run.sh counts.
fn needs_root(test: &str, programs: &[&str]) -> bool {
    let missing: Vec<&str> = programs.iter().copied().filter(|p| !has_program(p)).collect();
    let reason = match (is_root(), missing.is_empty()) {
        (true, true) => return true,
        (false, _) => "it needs root".to_owned(),
        (true, false) => format!("it needs {} (not installed here)", missing.join(" and ")),
    };
    skipped(test, &reason);
    false
}

/// Gives `cmd` the environment changes of `inner` (the command it runs).
fn with_envs_of(cmd: &mut Command, inner: &Command) {
    for (key, value) in inner.get_envs() {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
}

/// `program args...` running `pjob apply --local manifest` through a wrapper.
fn wrapped(wrapper: &[&str], manifest: &Path) -> Run {
    let inner = local_command(manifest, &[]);
    let mut cmd = Command::new(wrapper[0]);
    cmd.args(&wrapper[1..]).arg(inner.get_program()).args(inner.get_args());
    with_envs_of(&mut cmd, &inner);
    Run::of(&mut cmd)
}

#[test]
fn root_runs_in_a_mount_namespace_of_its_own() {
    if !needs_root("root_runs_in_a_mount_namespace_of_its_own", &[]) {
        return;
    }
    let job = JobFolder::new();
    let manifest = shell_job(&job, "as-root");
    pjob_local(&manifest, &[]).expect(0);
    assert_eq!(job.read("out/uid.txt"), "0\n");
    assert_eq!(job.read("out/in.txt"), "staged\n");
}

#[test]
fn an_unprivileged_user_runs_in_a_user_namespace() {
    if !needs_root("an_unprivileged_user_runs_in_a_user_namespace", &["setpriv"]) {
        return;
    }
    let job = JobFolder::new();
    let manifest = shell_job(&job, "as-nobody");
    open_to_everyone(job.dir.path());
    let run = wrapped(&["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"], &manifest).expect(0);
    assert_eq!(job.read("out/uid.txt"), "65534\n", "the process keeps its own user: {}", run.all());
    assert_eq!(job.read("out/in.txt"), "staged\n");
}

#[test]
fn root_without_cap_sys_admin_falls_back_to_a_user_namespace() {
    if !needs_root("root_without_cap_sys_admin_falls_back_to_a_user_namespace", &["capsh"]) {
        return;
    }
    let job = JobFolder::new();
    let manifest = shell_job(&job, "no-sys-admin");
    // capsh runs its --shell (pjob) with the arguments after `--`.
    let inner = local_command(&manifest, &[]);
    let mut cmd = Command::new("capsh");
    cmd.arg(format!("--shell={PJOB}")).arg("--drop=cap_sys_admin").arg("--").args(inner.get_args());
    with_envs_of(&mut cmd, &inner);
    let run = Run::of(&mut cmd).expect(0);
    assert_eq!(job.read("out/uid.txt"), "0\n", "{}", run.all());
    assert_eq!(job.read("out/in.txt"), "staged\n");
}

#[test]
fn a_refused_namespace_says_what_is_missing_and_runs_nothing() {
    if !needs_root("a_refused_namespace_says_what_is_missing_and_runs_nothing", &["unshare", "capsh"]) {
        return;
    }
    let job = JobFolder::new();
    let manifest = shell_job(&job, "refused");
    // In a user namespace of its own (the machine's settings are not
    // touched): no more user namespaces, and no CAP_SYS_ADMIN for a plain
    // mount namespace.
    let script =
        "echo 0 > /proc/sys/user/max_user_namespaces && exec capsh --drop=cap_sys_admin -- -c 'exec \"$PJOB\" apply --local \"$MANIFEST\"'";
    let run = Run::of(
        Command::new("unshare")
            .args(["--user", "--map-root-user", "sh", "-c", script])
            .env("PJOB", PJOB)
            .env("MANIFEST", &manifest)
            .env("NO_COLOR", "1"),
    )
    .expect(3);
    assert!(run.stderr.contains("cannot give the job a private /opt/ml"), "{}", run.all());
    assert!(run.stderr.contains("user.max_user_namespaces"), "names the setting: {}", run.all());
    assert!(run.stderr.contains("pjob never writes to this machine's real /opt/ml"), "{}", run.all());
    assert!(!job.path("out").exists() && !Path::new("/opt/ml/processing/output/uid.txt").exists(), "nothing ran");
}

#[test]
fn a_machine_without_opt_gets_one_inside_the_namespace() {
    if !needs_root("a_machine_without_opt_gets_one_inside_the_namespace", &["unshare", "chroot"]) {
        return;
    }
    let job = JobFolder::new();
    let manifest = shell_job(&job, "no-opt");
    let root = tempfile::tempdir().unwrap();
    // pjob runs in a root folder that has everything this machine's has but /opt.
    let script = r#"mount -t tmpfs none "$ROOT" || exit 90
for entry in /*; do
  name=${entry#/}
  [ "$name" = opt ] && continue
  if [ -L "$entry" ]; then ln -s "$(readlink "$entry")" "$ROOT/$name"
  elif [ -d "$entry" ]; then mkdir "$ROOT/$name" && mount --rbind "$entry" "$ROOT/$name"
  fi
done
exec chroot "$ROOT" "$PJOB" apply --local "$MANIFEST""#;
    let run = Run::of(
        Command::new("unshare")
            .args(["--mount", "--propagation", "private", "sh", "-c", script])
            .env("ROOT", root.path())
            .env("PJOB", PJOB)
            .env("MANIFEST", &manifest)
            .env("NO_COLOR", "1"),
    )
    .expect(0);
    assert_eq!(job.read("out/in.txt"), "staged\n", "{}", run.all());
}

#[test]
fn container_engines_are_checked_before_anything_runs() {
    let job = JobFolder::new();
    let manifest = shell_job(&job, "engines");
    let bin = tempfile::tempdir().unwrap();
    // A docker that cannot reach its daemon, as on a machine where it is installed but not running.
    let docker = bin.path().join("docker");
    std::fs::write(
        &docker,
        "#!/bin/sh\necho 'Client: Docker Engine'\necho 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).unwrap();

    let run = Run::of(local_command(&manifest, &["--engine", "docker"]).env("PATH", bin.path())).expect(3);
    assert!(
        run.stderr.contains("docker cannot run containers here (`docker info` failed: Cannot connect to the Docker daemon"),
        "{}",
        run.all()
    );
    let run = Run::of(local_command(&manifest, &["--engine", "podman"]).env("PATH", bin.path())).expect(3);
    assert!(run.stderr.contains("`--engine podman` needs podman, which is not installed"), "{}", run.all());
    assert!(!job.path("out").exists(), "nothing ran");
}
