//! The processes between pjob and a host's entrypoint, which make sure that
//! nothing a local job starts outlives it.
//!
//! A host's process tree, for the host engine:
//!
//! ```text
//! pjob ─ keeper (pjob's child, in pjob's PID namespace)
//!          └─ init (PID 1 of the host's own PID namespace)
//!               └─ entrypoint (PID 2) ─ whatever it starts
//! ```
//!
//! - The *keeper* is the process pjob waits for. It dies with pjob (its
//!   parent-death signal is `SIGKILL`), ignores the stop signals pjob sends
//!   to the host's process group, waits for the init and exits as it did.
//! - The *init* is the first process of the PID namespace. Its parent-death
//!   signal is `SIGKILL` too, so it dies with the keeper. It starts the
//!   entrypoint, reaps every orphan of the namespace, and exits with the
//!   entrypoint's status as soon as the entrypoint ends: the kernel then
//!   kills every process left in the namespace, including those started
//!   with `setsid` or in the background.
//!
//! So a host's processes end when its entrypoint ends, when pjob stops it,
//! and when pjob itself dies by any signal, `SIGKILL` included. The
//! entrypoint still receives the `SIGTERM` pjob sends (it is not PID 1, so
//! its default action applies, as in a shell).
//!
//! Everything here runs in forked children of a multi-threaded process,
//! before `exec`: only async-signal-safe system calls, no allocation.
#![allow(unsafe_code)] // fork, _exit and signal dispositions between fork and exec; each block has a SAFETY comment.

use std::io;

use rustix::process::{Pid, Signal, WaitOptions};

/// Signals whose disposition in pjob (a handler, or ignored) must not reach
/// the keeper, the init or the entrypoint.
const RESET: [libc::c_int; 6] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT, libc::SIGCHLD, libc::SIGPIPE];

/// Signals the keeper ignores: pjob sends them to the whole process group,
/// and they are meant for the entrypoint.
const KEEPER_IGNORES: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT];

/// Called first in pjob's forked child: resets the signal dispositions
/// inherited from pjob and makes the child die with pjob (`pjob` is pjob's
/// process id, read before the fork).
pub(crate) fn die_with(pjob: Pid) -> io::Result<()> {
    for signal in RESET {
        set_disposition(signal, libc::SIG_DFL);
    }
    rustix::process::set_parent_process_death_signal(Some(Signal::KILL))?;
    if rustix::process::getppid() != Some(pjob) {
        // pjob died before the parent-death signal was set.
        exit(128 + libc::SIGKILL);
    }
    Ok(())
}

/// Called in pjob's child after `unshare(CLONE_NEWPID)` and the mounts:
/// becomes the keeper, forks the init, which forks the entrypoint. Returns
/// only in the entrypoint's process, which then goes on to `exec`; an error
/// in any of them is reported as the spawn's error.
pub(crate) fn start() -> io::Result<()> {
    let init = fork()?;
    if init != 0 {
        keep(init);
    }
    // The init: PID 1 of the new namespace.
    rustix::process::set_parent_process_death_signal(Some(Signal::KILL))?;
    mount_proc();
    let entrypoint = fork()?;
    if entrypoint == 0 {
        return Ok(());
    }
    reap(entrypoint)
}

/// The keeper: waits for the init and exits as it did.
fn keep(init: libc::pid_t) -> ! {
    for signal in KEEPER_IGNORES {
        set_disposition(signal, libc::SIG_IGN);
    }
    close_every_fd();
    let status = wait_for(init);
    exit(status)
}

/// The init: reaps every process of the namespace until the entrypoint ends.
fn reap(entrypoint: libc::pid_t) -> ! {
    close_every_fd();
    exit(wait_for(entrypoint))
}

/// Waits (reaping any other child on the way) until `pid` ends; its exit
/// code, or 128 + N for signal N.
fn wait_for(pid: libc::pid_t) -> i32 {
    loop {
        match rustix::process::waitpid(None, WaitOptions::empty()) {
            Ok(Some((child, status))) if child.as_raw_nonzero().get() == pid => {
                return match (status.exit_status(), status.terminating_signal()) {
                    (Some(code), _) => code,
                    (None, Some(signal)) => 128 + signal,
                    (None, None) => 1,
                };
            }
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => {}
            Err(_) => return 1,
        }
    }
}

/// Gives the namespace its own `/proc`, so a job's `ps` and `/proc/self`
/// see its own processes. Best effort: where the kernel refuses (a
/// container masking `/proc`), the machine's `/proc` stays visible.
fn mount_proc() {
    use rustix::mount::MountFlags;
    let _ = rustix::mount::mount(c"proc", c"/proc", c"proc", MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC, None);
}

fn fork() -> io::Result<libc::pid_t> {
    // SAFETY: called in a single-threaded child before exec; the new
    // process only makes the system calls of this module before exec or _exit.
    match unsafe { libc::fork() } {
        -1 => Err(io::Error::last_os_error()),
        pid => Ok(pid),
    }
}

fn set_disposition(signal: libc::c_int, handler: libc::sighandler_t) {
    // SAFETY: SIG_DFL and SIG_IGN are not handlers: no code runs on delivery.
    unsafe {
        libc::signal(signal, handler);
    }
}

/// Closes every file descriptor: the keeper and the init hold no pipe open
/// (the job's output, the spawn's error pipe), so readers see the end of
/// the job's output when the job's own processes end.
fn close_every_fd() {
    // SAFETY: a raw system call with integer arguments.
    let closed = unsafe { libc::syscall(libc::SYS_close_range, 0u32, u32::MAX, 0u32) };
    if closed == 0 {
        return;
    }
    // Kernels before 5.9: one by one, up to the process's limit.
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: `limit` is a valid, writable rlimit.
    let max = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 { limit.rlim_cur.min(1 << 20) } else { 1024 };
    for fd in 0..max as libc::c_int {
        // SAFETY: closing a descriptor this process no longer uses; nothing here reads or writes one afterwards.
        unsafe {
            libc::close(fd);
        }
    }
}

fn exit(code: i32) -> ! {
    // SAFETY: ends the process without running pjob's destructors or
    // atexit handlers, which belong to the parent.
    unsafe { libc::_exit(code) }
}
