//! The private mount namespace in which a host's process finds its folders
//! at `/opt/ml/processing` and `/opt/ml/config`, and the PID namespace in
//! which everything it starts ends with it (see [`crate::init`]).
//!
//! The child process, between `fork` and `exec`, calls
//! `unshare(CLONE_NEWNS)` (as root) or `unshare(CLONE_NEWUSER |
//! CLONE_NEWNS)` (as anyone else, or as a root without `CAP_SYS_ADMIN`,
//! mapping its own user and group into the new user namespace), makes every
//! mount private so nothing propagates back to the machine, and bind-mounts
//! the host's folders onto the container paths. When a container path does
//! not exist on this machine (no `/opt/ml`, or no `/opt`), its deepest
//! existing ancestor is *shadowed*: a folder in the job folder gets one mount
//! point per entry of the ancestor (each bound to the original) plus the
//! missing path, and is bound over the ancestor (or, for `/`, becomes the
//! process's root). The machine's real `/opt/ml` is never written to.
//!
//! Everything the child does is planned in the parent: the child only makes
//! system calls on prepared C strings (no allocation after `fork`), and
//! reports each step on a pipe so a refusal can be explained precisely.
#![allow(unsafe_code)] // fork/exec set-up of the sandbox; every unsafe block carries a SAFETY comment.

use std::ffi::CString;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustix::io::Errno;
use rustix::mount::MountPropagationFlags;
use rustix::pipe::PipeFlags;
use rustix::thread::UnshareFlags;

/// The private mount namespace could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The kernel refused the namespace.
    #[error(
        "cannot give the job a private /opt/ml: {reason}\n\
         (local runs need a private mount namespace; pjob never writes to this machine's real /opt/ml)"
    )]
    Namespace {
        /// What is missing, and how to enable it.
        reason: String,
    },
    /// A bind mount failed inside the namespace.
    #[error("cannot mount {source_path} on {target} in the job's namespace: {error}")]
    Mount {
        /// The folder mounted.
        source_path: String,
        /// Where.
        target: String,
        /// Why.
        error: io::Error,
    },
    /// The mount points could not be prepared.
    #[error("cannot prepare {path} for the job's namespace: {error}")]
    Prepare {
        /// The path.
        path: PathBuf,
        /// Why.
        error: io::Error,
    },
}

/// How the mount points come to exist: computed once per job.
#[derive(Debug, Clone, Default)]
pub(crate) struct MountPlan {
    /// Bind mounts that shadow an ancestor of missing container paths.
    shadow_binds: Vec<(PathBuf, PathBuf)>,
    /// The shadow folder that becomes `/` (when `/` itself is shadowed).
    new_root: Option<PathBuf>,
}

impl MountPlan {
    /// Plans how `targets` (absolute container paths) come to exist, with
    /// mount points prepared under `scratch`.
    pub fn prepare(targets: &[&Path], scratch: &Path) -> Result<MountPlan, SandboxError> {
        let missing: Vec<&Path> = targets.iter().copied().filter(|t| !t.is_dir()).collect();
        let Some(ancestor) = missing.iter().map(|t| existing_ancestor(t)).min_by_key(|a| a.components().count()) else {
            return Ok(MountPlan::default());
        };
        let shadow = scratch.join("shadow");
        if shadow.exists() {
            std::fs::remove_dir_all(&shadow).map_err(prepare(&shadow))?;
        }
        std::fs::create_dir_all(&shadow).map_err(prepare(&shadow))?;
        let mut binds = Vec::new();
        let entries = std::fs::read_dir(&ancestor).map_err(prepare(&ancestor))?;
        for entry in entries {
            let entry = entry.map_err(prepare(&ancestor))?;
            let original = entry.path();
            let point = shadow.join(entry.file_name());
            let kind = std::fs::symlink_metadata(&original).map_err(prepare(&original))?.file_type();
            if kind.is_symlink() {
                let link = std::fs::read_link(&original).map_err(prepare(&original))?;
                std::os::unix::fs::symlink(link, &point).map_err(prepare(&point))?;
                continue;
            }
            if kind.is_dir() {
                std::fs::create_dir(&point).map_err(prepare(&point))?;
            } else {
                std::fs::File::create(&point).map_err(prepare(&point))?;
            }
            binds.push((original, point));
        }
        for target in &missing {
            let inside = shadow.join(target.strip_prefix(&ancestor).unwrap_or(target));
            std::fs::create_dir_all(&inside).map_err(prepare(&inside))?;
        }
        if ancestor == Path::new("/") {
            Ok(MountPlan { shadow_binds: binds, new_root: Some(shadow) })
        } else {
            binds.push((shadow, ancestor));
            Ok(MountPlan { shadow_binds: binds, new_root: None })
        }
    }

    /// The sandbox for one host: the shadow binds, then `source -> target`
    /// for each of the host's folders.
    pub fn sandbox(&self, mounts: &[(&Path, &Path)]) -> Result<Sandbox, SandboxError> {
        let mut binds = Vec::new();
        for (source, target) in &self.shadow_binds {
            binds.push(Bind::new(source, target)?);
        }
        for (source, target) in mounts {
            let target = match &self.new_root {
                Some(root) => root.join(target.strip_prefix("/").unwrap_or(target)),
                None => target.to_path_buf(),
            };
            binds.push(Bind::new(source, &target)?);
        }
        let new_root = self.new_root.as_deref().map(c_path).transpose()?;
        Ok(Sandbox { binds, new_root })
    }
}

/// Wraps an I/O error on `path` while preparing mount points.
fn prepare(path: &Path) -> impl Fn(io::Error) -> SandboxError + use<> {
    let path = path.to_path_buf();
    move |error| SandboxError::Prepare { path: path.clone(), error }
}

/// The deepest folder of `path` (or `path` itself) that exists.
fn existing_ancestor(path: &Path) -> PathBuf {
    path.ancestors().find(|a| a.exists()).unwrap_or(Path::new("/")).to_path_buf()
}

fn c_path(path: &Path) -> Result<CString, SandboxError> {
    CString::new(path.as_os_str().as_bytes()).map_err(|_| SandboxError::Prepare {
        path: path.to_path_buf(),
        error: io::Error::new(io::ErrorKind::InvalidInput, "the path contains a NUL byte"),
    })
}

#[derive(Debug)]
struct Bind {
    source: CString,
    target: CString,
}

impl Bind {
    fn new(source: &Path, target: &Path) -> Result<Bind, SandboxError> {
        Ok(Bind { source: c_path(source)?, target: c_path(target)? })
    }
}

/// What one host's child process does before `exec`.
#[derive(Debug)]
pub(crate) struct Sandbox {
    binds: Vec<Bind>,
    new_root: Option<CString>,
}

/// Which namespaces the child creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A mount namespace only (needs `CAP_SYS_ADMIN`: root).
    MountOnly,
    /// A user namespace mapping the caller's own ids, and a mount namespace in it.
    UserAndMount,
}

impl Mode {
    /// The mode to try first: mount-only for root.
    pub fn first() -> Mode {
        if rustix::process::geteuid().is_root() { Mode::MountOnly } else { Mode::UserAndMount }
    }
}

/// The mode that worked for earlier hosts of the job.
pub(crate) type ModeCell = Mutex<Mode>;

const STEP_UNSHARE: u32 = 1;
const STEP_SETGROUPS: u32 = 2;
const STEP_UID_MAP: u32 = 3;
const STEP_GID_MAP: u32 = 4;
const STEP_PRIVATE: u32 = 5;
const STEP_CHROOT: u32 = 6;
const STEP_CHDIR: u32 = 7;
const STEP_EXEC: u32 = 8;
const STEP_PARENT: u32 = 9;
const STEP_INIT: u32 = 10;
const STEP_BIND: u32 = 100;

/// Why a sandboxed process did not start.
#[derive(Debug)]
pub(crate) enum SpawnError {
    /// The namespace could not be set up.
    Sandbox(SandboxError),
    /// The program itself could not be executed (not found, not executable).
    Program(io::Error),
}

/// Ids mapped into a user namespace, as the kernel's map files take them.
/// (`setgroups` is always denied first: a process may map its own group
/// only then.)
struct Maps {
    uid: Vec<u8>,
    gid: Vec<u8>,
}

impl Maps {
    fn current() -> Maps {
        let uid = rustix::process::geteuid().as_raw();
        let gid = rustix::process::getegid().as_raw();
        Maps { uid: format!("{uid} {uid} 1\n").into_bytes(), gid: format!("{gid} {gid} 1\n").into_bytes() }
    }
}

/// Spawns the command `make` builds inside `sandbox` (working folder `/`),
/// trying a user namespace when root may not create a mount namespace by
/// itself.
pub(crate) fn spawn(
    make: &dyn Fn() -> tokio::process::Command,
    sandbox: &Arc<Sandbox>,
    mode: &ModeCell,
) -> Result<tokio::process::Child, SpawnError> {
    let first = *mode.lock().unwrap_or_else(|e| e.into_inner());
    match spawn_once(make(), sandbox, first) {
        Err(Failure { step: STEP_UNSHARE, error })
            if first == Mode::MountOnly && error.raw_os_error() == Some(Errno::PERM.raw_os_error()) =>
        {
            // Root without CAP_SYS_ADMIN (a container): a user namespace gives it.
            match spawn_once(make(), sandbox, Mode::UserAndMount) {
                Ok(child) => {
                    *mode.lock().unwrap_or_else(|e| e.into_inner()) = Mode::UserAndMount;
                    Ok(child)
                }
                Err(failure) => Err(failure.explain(sandbox, Mode::UserAndMount)),
            }
        }
        Ok(child) => Ok(child),
        Err(failure) => Err(failure.explain(sandbox, first)),
    }
}

struct Failure {
    step: u32,
    error: io::Error,
}

impl Failure {
    fn explain(self, sandbox: &Sandbox, mode: Mode) -> SpawnError {
        let Failure { step, error } = self;
        let namespace = |reason: String| SpawnError::Sandbox(SandboxError::Namespace { reason });
        match step {
            STEP_EXEC | 0 => SpawnError::Program(error),
            STEP_UNSHARE => namespace(explain_unshare(&error, mode)),
            STEP_SETGROUPS | STEP_UID_MAP | STEP_GID_MAP => {
                namespace(format!("the kernel refused to map this user into a user namespace ({error})"))
            }
            STEP_PRIVATE => namespace(format!("cannot make the namespace's mounts private ({error})")),
            STEP_CHROOT | STEP_CHDIR => namespace(format!("cannot enter the namespace's root folder ({error})")),
            STEP_PARENT | STEP_INIT => namespace(format!("cannot start the job's first process in its PID namespace ({error})")),
            bind => {
                let at = (bind - STEP_BIND) as usize;
                let (source_path, target) = sandbox
                    .binds
                    .get(at)
                    .map(|b| (b.source.to_string_lossy().into_owned(), b.target.to_string_lossy().into_owned()))
                    .unwrap_or_default();
                SpawnError::Sandbox(SandboxError::Mount { source_path, target, error })
            }
        }
    }
}

fn spawn_once(mut command: tokio::process::Command, sandbox: &Arc<Sandbox>, mode: Mode) -> Result<tokio::process::Child, Failure> {
    let (progress_read, progress_write) =
        rustix::pipe::pipe_with(PipeFlags::CLOEXEC | PipeFlags::NONBLOCK).map_err(|e| Failure { step: 0, error: e.into() })?;
    let maps = Maps::current();
    let pjob = rustix::process::getpid();
    let inner = Arc::clone(sandbox);
    // SAFETY: the closure runs in the forked child before exec; it only
    // makes system calls on memory prepared before the fork (no allocation,
    // no locks).
    unsafe {
        command.pre_exec(move || inner.enter(pjob, mode, &maps, &progress_write));
    }
    let spawned = command.spawn();
    // Drop the closure (and its copy of the pipe's write end).
    drop(command);
    match spawned {
        Ok(child) => Ok(child),
        Err(error) => Err(Failure { step: last_step(&progress_read), error }),
    }
}

/// The last step the child reported before it failed.
fn last_step(read: &OwnedFd) -> u32 {
    let mut all = Vec::new();
    let mut buf = [0u8; 256];
    while let Ok(n) = rustix::io::read(read.as_fd(), &mut buf) {
        if n == 0 {
            break;
        }
        all.extend_from_slice(&buf[..n]);
    }
    match all.len() {
        n if n >= 4 => u32::from_le_bytes([all[n - 4], all[n - 3], all[n - 2], all[n - 1]]),
        _ => 0,
    }
}

impl Sandbox {
    /// Runs in the child between `fork` and `exec`: the child dies with
    /// `pjob`, enters its namespaces, mounts the host's folders, and
    /// becomes the keeper of a PID namespace whose init starts the
    /// entrypoint (see [`crate::init`]).
    fn enter(&self, pjob: rustix::process::Pid, mode: Mode, maps: &Maps, progress: &OwnedFd) -> io::Result<()> {
        let step = |n: u32| {
            let _ = rustix::io::write(progress, &n.to_le_bytes());
        };
        step(STEP_PARENT);
        // pjob runs without transparent huge pages; the job gets the system's setting.
        let _ = rustix::thread::disable_transparent_huge_pages(false);
        crate::init::die_with(pjob)?;
        step(STEP_UNSHARE);
        let flags = match mode {
            Mode::MountOnly => UnshareFlags::NEWNS | UnshareFlags::NEWPID,
            Mode::UserAndMount => UnshareFlags::NEWUSER | UnshareFlags::NEWNS | UnshareFlags::NEWPID,
        };
        // SAFETY: the child has one thread; no file descriptor table is unshared.
        unsafe { rustix::thread::unshare_unsafe(flags)? };
        if mode == Mode::UserAndMount {
            step(STEP_SETGROUPS);
            match write_file(c"/proc/self/setgroups", b"deny") {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
            step(STEP_UID_MAP);
            write_file(c"/proc/self/uid_map", &maps.uid)?;
            step(STEP_GID_MAP);
            write_file(c"/proc/self/gid_map", &maps.gid)?;
        }
        step(STEP_PRIVATE);
        rustix::mount::mount_change(c"/", MountPropagationFlags::PRIVATE | MountPropagationFlags::REC)?;
        for (i, bind) in self.binds.iter().enumerate() {
            step(STEP_BIND + i as u32);
            rustix::mount::mount_bind_recursive(bind.source.as_c_str(), bind.target.as_c_str())?;
        }
        if let Some(root) = &self.new_root {
            step(STEP_CHROOT);
            rustix::process::chroot(root.as_c_str())?;
        }
        step(STEP_CHDIR);
        rustix::process::chdir(c"/")?;
        step(STEP_INIT);
        crate::init::start()?;
        step(STEP_EXEC);
        Ok(())
    }
}

fn write_file(path: &std::ffi::CStr, data: &[u8]) -> io::Result<()> {
    use rustix::fs::{Mode as FileMode, OFlags};
    let fd = rustix::fs::open(path, OFlags::WRONLY | OFlags::CLOEXEC, FileMode::empty())?;
    rustix::io::write(&fd, data)?;
    Ok(())
}

/// Says why the kernel refused a namespace, and what to change.
fn explain_unshare(error: &io::Error, mode: Mode) -> String {
    let sysctl = |path: &str| std::fs::read_to_string(path).ok().map(|s| s.trim().to_string());
    if mode == Mode::UserAndMount {
        if sysctl("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0") {
            return "user namespaces are disabled for unprivileged users: \
                    sysctl kernel.unprivileged_userns_clone=1 (or run pjob as root)"
                .into();
        }
        if sysctl("/proc/sys/user/max_user_namespaces").as_deref() == Some("0") {
            return "user namespaces are disabled (user.max_user_namespaces is 0): \
                    sysctl user.max_user_namespaces=15000 (or run pjob as root)"
                .into();
        }
        if sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
            return "AppArmor forbids unprivileged user namespaces: \
                    sysctl kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile \
                    allowing `userns` for pjob (or run pjob as root)"
                .into();
        }
    }
    let errno = error.raw_os_error();
    if errno == Some(Errno::NOSPC.raw_os_error()) {
        "the limit on user namespaces is reached: raise it with sysctl user.max_user_namespaces".into()
    } else if errno == Some(Errno::PERM.raw_os_error()) {
        format!(
            "the kernel refused to create a {} namespace (operation not permitted); inside a container, \
             seccomp or a missing CAP_SYS_ADMIN forbid it: run the container with --privileged \
             (or --cap-add SYS_ADMIN --security-opt seccomp=unconfined)",
            if mode == Mode::UserAndMount { "user" } else { "mount" }
        )
    } else if errno == Some(Errno::INVAL.raw_os_error()) || errno == Some(Errno::NOSYS.raw_os_error()) {
        "this kernel has no user or mount namespaces (CONFIG_USER_NS, CONFIG_NAMESPACES)".into()
    } else {
        format!("unshare failed: {error}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn existing_targets_need_no_shadow() {
        let scratch = tempfile::tempdir().unwrap();
        let there = tempfile::tempdir().unwrap();
        let plan = MountPlan::prepare(&[there.path()], scratch.path()).unwrap();
        assert!(plan.shadow_binds.is_empty() && plan.new_root.is_none());
        assert!(!scratch.path().join("shadow").exists());
    }

    #[test]
    fn a_missing_target_shadows_its_deepest_existing_ancestor() {
        let scratch = tempfile::tempdir().unwrap();
        let host = tempfile::tempdir().unwrap();
        let base = host.path();
        std::fs::create_dir(base.join("dir")).unwrap();
        std::fs::write(base.join("file"), "x").unwrap();
        std::os::unix::fs::symlink("dir", base.join("link")).unwrap();
        let a = base.join("ml/processing");
        let b = base.join("ml/config");
        let plan = MountPlan::prepare(&[&a, &b], scratch.path()).unwrap();
        let shadow = scratch.path().join("shadow");
        // Every original entry is a mount point (or the same symlink); the missing paths exist.
        assert!(shadow.join("dir").is_dir() && shadow.join("file").is_file());
        assert_eq!(std::fs::read_link(shadow.join("link")).unwrap(), PathBuf::from("dir"));
        assert!(shadow.join("ml/processing").is_dir() && shadow.join("ml/config").is_dir());
        let mut binds = plan.shadow_binds.clone();
        assert_eq!(binds.pop(), Some((shadow.clone(), base.to_path_buf())), "the shadow goes over the ancestor last");
        binds.sort();
        assert_eq!(binds, [(base.join("dir"), shadow.join("dir")), (base.join("file"), shadow.join("file"))]);
        assert!(plan.new_root.is_none());
        // Nothing was created on the real side.
        assert!(!base.join("ml").exists());
    }

    #[test]
    fn host_folders_are_bound_after_the_shadow() {
        let plan = MountPlan { shadow_binds: vec![("/opt".into(), "/s/opt".into())], new_root: Some("/s".into()) };
        let sandbox = plan.sandbox(&[(Path::new("/job/algo-1/processing"), Path::new("/opt/ml/processing"))]).unwrap();
        let binds: Vec<(String, String)> =
            sandbox.binds.iter().map(|b| (b.source.to_string_lossy().into(), b.target.to_string_lossy().into())).collect();
        assert_eq!(binds, [("/opt".into(), "/s/opt".into()), ("/job/algo-1/processing".into(), "/s/opt/ml/processing".into())]);
        assert_eq!(sandbox.new_root.as_deref(), Some(c"/s"));
    }

    #[test]
    fn refusals_name_what_to_change() {
        let eperm = io::Error::from_raw_os_error(Errno::PERM.raw_os_error());
        assert!(explain_unshare(&eperm, Mode::MountOnly).contains("--privileged"));
        let enospc = io::Error::from_raw_os_error(Errno::NOSPC.raw_os_error());
        assert!(explain_unshare(&enospc, Mode::MountOnly).contains("user.max_user_namespaces"));
        let einval = io::Error::from_raw_os_error(Errno::INVAL.raw_os_error());
        assert!(explain_unshare(&einval, Mode::MountOnly).contains("CONFIG_USER_NS"));
    }
}
