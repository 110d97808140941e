//! Where a run lives and how a run proves it owns what it signals. Stage:
//! runner. Input: the directory `wharf` runs from and a project name.
//! Output: the state directory `.wharf/<project>/`, the run's lock and its
//! record (`runner.json`: pid, process start time, run id, cgroup).
//! Invariants: the live runner holds an exclusive `flock` on
//! `runner.lock` for as long as it lives (the kernel drops it when the
//! runner dies, however it dies), so at most one runner uses a project and
//! a free lock proves the recorded run is dead. Nothing is signalled unless
//! its pid *and* its start time (field 22 of `/proc/PID/stat`) match what
//! was recorded, through a pidfd where the kernel offers one, so a reused
//! pid is never hit.

use super::cgroup;
use super::errors;
use super::reaper;
use super::RunnerError;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::path::{Path, PathBuf};

/// The folder, in the directory `wharf` runs from, that holds every project's state.
pub const STATE_ROOT: &str = ".wharf";
const LOCK_FILE: &str = "runner.lock";
const RECORD_FILE: &str = "runner.json";
/// Processes the runner has seen among its descendants, for cleanup after a crash.
pub const PIDS_FILE: &str = "pids.json";

/// The project name when none is given: the current directory's name, as
/// `docker compose` does, reduced to `[a-z0-9_.-]`.
pub fn default_project(cwd: &Path) -> String {
    let base = cwd
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let name: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_start_matches(['.', '-', '_']).to_string();
    if name.is_empty() {
        "default".into()
    } else {
        name
    }
}

/// Checks a `-p/--project` value: `[a-z0-9][a-z0-9_.-]*`, at most 64 characters.
pub fn check_project(name: &str) -> Result<String, String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c));
    if ok {
        Ok(name.to_string())
    } else {
        Err(format!(
            "`{name}` is not a project name: use lower-case letters, digits, `_`, `.` and `-`, starting with a letter or digit"
        ))
    }
}

/// `<cwd>/.wharf/<project>`.
pub fn state_dir(cwd: &Path, project: &str) -> PathBuf {
    cwd.join(STATE_ROOT).join(project)
}

/// Refuses a state directory with a symbolic link in it (E0609): `.wharf`,
/// the project's folder, or any of its entries. The runner appends to,
/// replaces and removes files there, so a planted link would make it write
/// or delete a file it never created.
pub fn check_state_dir(state_dir: &Path) -> Result<(), RunnerError> {
    let is_link = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink());
    for p in [state_dir.parent(), Some(state_dir)].into_iter().flatten() {
        if is_link(p) {
            return Err(errors::state_link(p));
        }
    }
    if let Ok(entries) = std::fs::read_dir(state_dir) {
        let mut links: Vec<PathBuf> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_symlink()))
            .map(|e| e.path())
            .collect();
        links.sort();
        if let Some(first) = links.first() {
            return Err(errors::state_link(first));
        }
    }
    Ok(())
}

/// The exclusive lock of a project, held by its runner for its whole life.
#[derive(Debug)]
pub struct RunLock {
    file: File,
}

impl RunLock {
    /// Takes the lock without waiting; `Ok(None)` when another process holds it.
    pub fn try_acquire(state_dir: &Path) -> Result<Option<RunLock>, RunnerError> {
        std::fs::create_dir_all(state_dir)
            .map_err(|e| errors::runner_io("cannot create the state directory", &e))?;
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(state_dir.join(LOCK_FILE))
            .map_err(|e| errors::runner_io("cannot open runner.lock", &e))?;
        // SAFETY: flock on a file descriptor we own.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if rc == 0 {
            return Ok(Some(RunLock { file }));
        }
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
            Ok(None)
        } else {
            Err(errors::runner_io("cannot lock runner.lock", &err))
        }
    }

    /// `try_acquire`, waiting a little while the lock is held but no live
    /// runner is recorded: after a runner is killed, a child it had just
    /// forked holds the descriptor until it execs, and another wharf
    /// command may be finishing a start or stop. A live runner is never
    /// waited for.
    pub fn acquire_soon(state_dir: &Path) -> Result<Option<RunLock>, RunnerError> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
        loop {
            if let Some(lock) = RunLock::try_acquire(state_dir)? {
                return Ok(Some(lock));
            }
            if live_runner(state_dir).is_some() || std::time::Instant::now() >= deadline {
                return Ok(None);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// The lock handed over by `wharf up --detach` as an inherited descriptor.
    /// Re-locking the same open file succeeds only if it is that lock.
    pub fn inherit(fd: RawFd) -> Result<RunLock, RunnerError> {
        // SAFETY: fcntl on a descriptor number given by our parent; a bad number fails.
        if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
            return Err(errors::runner_io(
                "the lock descriptor is not open",
                &std::io::Error::last_os_error(),
            ));
        }
        // SAFETY: the descriptor is open and nothing else in this process owns it.
        let file = unsafe { File::from_raw_fd(fd) };
        // SAFETY: as above; containers must not inherit the lock.
        unsafe {
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        }
        // SAFETY: flock on the descriptor now owned by `file`.
        if unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(errors::runner_io(
                "the inherited lock is not held",
                &std::io::Error::last_os_error(),
            ));
        }
        Ok(RunLock { file })
    }

    pub fn raw_fd(&self) -> RawFd {
        self.file.as_raw_fd()
    }
}

/// What a live runner records about itself in `runner.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    pub pid: u32,
    /// Start time of the runner process, in clock ticks since boot.
    pub start_time: u64,
    pub run_id: String,
    pub driver: String,
    /// The run's cgroup v2 directory, when the system let the runner make one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<PathBuf>,
}

pub fn write_record(state_dir: &Path, record: &RunRecord) -> Result<(), RunnerError> {
    let text = serde_json::to_string_pretty(record).unwrap_or_default();
    let tmp = state_dir.join("runner.json.tmp");
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, state_dir.join(RECORD_FILE)))
        .map_err(|e| errors::runner_io("cannot write runner.json", &e))
}

pub fn read_record(state_dir: &Path) -> Option<RunRecord> {
    serde_json::from_str(&std::fs::read_to_string(state_dir.join(RECORD_FILE)).ok()?).ok()
}

/// Removes the files that say a run is live (the record and its pid list).
pub fn clear_record(state_dir: &Path) {
    let _ = std::fs::remove_file(state_dir.join(RECORD_FILE));
    let _ = std::fs::remove_file(state_dir.join(PIDS_FILE));
}

/// Start time (clock ticks since boot) of a live, non-zombie process.
pub fn start_time(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // `rest` starts at field 3 (state); field 22 is starttime.
    if matches!(fields.first(), Some(&"Z") | Some(&"X")) {
        return None;
    }
    fields.get(19)?.parse().ok()
}

/// The record of the runner that is live now: the lock is held and the
/// recorded pid is alive with the recorded start time.
pub fn live_runner(state_dir: &Path) -> Option<RunRecord> {
    let record = read_record(state_dir)?;
    (start_time(record.pid) == Some(record.start_time)).then_some(record)
}

/// Whether process `pid` runs as this process's user: a process of another
/// user was never started by a run of ours, whatever a record says.
fn ours(pid: u32) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    std::fs::metadata(format!("/proc/{pid}")).is_ok_and(|m| m.uid() == me)
}

/// Sends `signal` to `pid` only if it is still the process that started at
/// `start`. Uses a pidfd (Linux 5.3+) so the check and the signal concern
/// the same process; without pidfds, checks immediately before `kill`.
/// Never a process of another user. Returns whether the signal was sent.
pub fn signal_verified(pid: u32, start: u64, signal: i32) -> bool {
    if pid == 0 || pid == std::process::id() {
        return false;
    }
    // SAFETY: pidfd_open takes a pid and flags; it returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) } as i32;
    if fd >= 0 {
        // SAFETY: `fd` was just returned to us and is closed exactly once here.
        let pidfd = unsafe { File::from_raw_fd(fd) };
        // The pidfd pins the process that had `pid` when it was opened; if that
        // process still has the recorded start time now, it is the one we own.
        if start_time(pid) != Some(start) || !ours(pid) {
            return false;
        }
        // SAFETY: pidfd_send_signal on a pidfd we hold, no siginfo, no flags.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                pidfd.as_raw_fd(),
                signal,
                std::ptr::null::<libc::siginfo_t>(),
                0u32,
            )
        };
        return rc == 0;
    }
    if start_time(pid) != Some(start) || !ours(pid) {
        return false;
    }
    // SAFETY: kill(2) on a pid whose start time was verified just before.
    unsafe { libc::kill(pid as i32, signal) == 0 }
}

/// A process the runner has seen among its descendants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub pid: u32,
    pub start: u64,
}

pub fn write_pids(state_dir: &Path, pids: &[Recorded]) {
    let tmp = state_dir.join("pids.json.tmp");
    if std::fs::write(&tmp, serde_json::to_string(pids).unwrap_or_default()).is_ok() {
        let _ = std::fs::rename(&tmp, state_dir.join(PIDS_FILE));
    }
}

fn read_pids(state_dir: &Path) -> Vec<Recorded> {
    std::fs::read_to_string(state_dir.join(PIDS_FILE))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Finishes a run whose runner is gone (the caller holds the project's
/// lock, which proves it): kills the run's cgroup, every process carrying
/// the run's marker, every recorded descendant whose start time still
/// matches, and the run's podman pods. Returns how many processes were
/// killed, or `None` when there was no record of a run.
pub fn finish_dead_run(state_dir: &Path, _lock: &RunLock) -> Option<usize> {
    let record = read_record(state_dir)?;
    let mut killed = 0;
    // A genuine record names its own runner in its run id, and that runner
    // is gone (a live runner never lets go of the lock). Otherwise the
    // record is stale or forged: nothing it names is touched.
    let genuine = reaper::run_pid(&record.run_id) == Some(record.pid)
        && start_time(record.pid) != Some(record.start_time);
    if !genuine {
        clear_record(state_dir);
        return Some(0);
    }
    // A record is only a file: its cgroup is trusted only if it is one this
    // run could have made, so a stale or forged record never names another.
    let cgroup = record
        .cgroup
        .as_ref()
        .filter(|dir| owned_cgroup(&record.run_id, dir));
    if let Some(dir) = cgroup {
        killed += cgroup::kill_tree(dir);
    }
    killed += reaper::signal_marked(&record.run_id, libc::SIGKILL);
    for r in read_pids(state_dir) {
        if r.pid != record.pid && signal_verified(r.pid, r.start, libc::SIGKILL) {
            killed += 1;
        }
    }
    if record.driver == "podman" {
        use super::Driver;
        super::podman::PodmanDriver::new(&record.run_id, state_dir).kill_everything();
    }
    if let Some(dir) = cgroup {
        cgroup::remove_tree(dir, std::time::Duration::from_secs(5));
    }
    clear_record(state_dir);
    Some(killed)
}

/// Whether `run_id` is one the runner makes (`wharf-<pid>-<hex>`) and `dir`
/// is that run's cgroup (`.../wharf.<run id>`).
pub fn owned_cgroup(run_id: &str, dir: &Path) -> bool {
    let well_formed = run_id
        .strip_prefix("wharf-")
        .and_then(|r| r.split_once('-'))
        .is_some_and(|(pid, nanos)| {
            !pid.is_empty()
                && pid.chars().all(|c| c.is_ascii_digit())
                && !nanos.is_empty()
                && nanos.chars().all(|c| c.is_ascii_hexdigit())
        });
    well_formed
        && dir.is_absolute()
        && dir.file_name().and_then(|n| n.to_str()) == Some(format!("wharf.{run_id}").as_str())
        && !dir
            .components()
            .any(|c| c == std::path::Component::ParentDir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names() {
        assert_eq!(default_project(Path::new("/home/me/My Shop")), "my_shop");
        assert_eq!(default_project(Path::new("/")), "default");
        assert_eq!(default_project(Path::new("/x/.hidden")), "hidden");
        assert!(check_project("web-1").is_ok());
        assert!(check_project("Web").is_err());
        assert!(check_project("../x").is_err());
        assert!(check_project("").is_err());
    }

    #[test]
    fn only_the_runs_own_cgroup_is_trusted() {
        let id = "wharf-4242-1a2b3c";
        assert!(owned_cgroup(
            id,
            Path::new("/sys/fs/cgroup/wharf.wharf-4242-1a2b3c")
        ));
        assert!(!owned_cgroup(id, Path::new("/sys/fs/cgroup")));
        assert!(!owned_cgroup(
            id,
            Path::new("/sys/fs/cgroup/wharf.wharf-1-2")
        ));
        assert!(!owned_cgroup(id, Path::new("wharf.wharf-4242-1a2b3c")));
        assert!(!owned_cgroup("x", Path::new("/sys/fs/cgroup/wharf.x")));
        assert!(!owned_cgroup(
            id,
            Path::new("/sys/fs/cgroup/../wharf.wharf-4242-1a2b3c")
        ));
    }

    #[test]
    fn own_start_time_is_known_and_self_is_never_signalled() {
        let me = std::process::id();
        let start = start_time(me).expect("own stat");
        assert!(!signal_verified(me, start, 0));
    }

    #[test]
    fn a_wrong_start_time_is_not_signalled() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        let start = start_time(pid).unwrap();
        assert!(!signal_verified(pid, start + 1, libc::SIGKILL));
        assert!(start_time(pid).is_some(), "still alive");
        assert!(signal_verified(pid, start, libc::SIGKILL));
        let _ = child.wait();
    }
}
