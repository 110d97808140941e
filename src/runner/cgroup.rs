//! cgroup v2 containment, where the system lets the runner make cgroups.
//! Stage: runner. Input: the runner's own cgroup (`/proc/self/cgroup`) and
//! the cgroup2 mount (`/proc/self/mountinfo`). Output: one cgroup per run,
//! `wharf.<run id>/`, with one per task and container below it. Invariant:
//! a container's process joins its cgroup in the child before `exec`, so
//! everything it ever forks (daemons, `setsid`, a cleared environment) is
//! in it; `cgroup.kill` ends the lot, and outlives a killed runner. Where
//! cgroups are not writable, nothing here is used and the runner relies on
//! process groups, its environment marker and its recorded descendants.

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The cgroup2 mount point and this process's cgroup path below it.
fn own_cgroup() -> Option<PathBuf> {
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let rel = cgroup.lines().find_map(|l| l.strip_prefix("0::"))?;
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mount = mountinfo.lines().find_map(|l| {
        let (pre, post) = l.split_once(" - ")?;
        post.starts_with("cgroup2 ")
            .then(|| pre.split(' ').nth(4).map(PathBuf::from))?
    })?;
    Some(mount.join(rel.trim_start_matches('/')))
}

/// Makes the run's cgroup, or `None` when the system does not let us.
/// First removes the cgroups of runs whose runner is gone (killing what is
/// left in them), so a crashed run whose project folder was deleted is
/// finished too.
pub fn create_run(run_id: &str) -> Option<PathBuf> {
    let base = own_cgroup()?;
    sweep_dead(&base);
    let dir = base.join(format!("wharf.{run_id}"));
    std::fs::create_dir(&dir).ok()?;
    if !dir.join("cgroup.procs").exists() {
        let _ = std::fs::remove_dir(&dir);
        return None;
    }
    Some(dir)
}

/// Removes `wharf.<run id>` cgroups below `base` whose runner no longer runs.
fn sweep_dead(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(run_id) = name.to_str().and_then(|n| n.strip_prefix("wharf.")) else {
            continue;
        };
        let dir = e.path();
        let dead = super::reaper::run_pid(run_id).is_some_and(|pid| !super::reaper::alive(pid));
        if dead && super::project::owned_cgroup(run_id, &dir) {
            remove_tree(&dir, Duration::from_secs(2));
        }
    }
}

/// The directory for a marker `run/task/container[/health]` below the run's cgroup.
pub fn dir_for(run_dir: &Path, marker: &str) -> PathBuf {
    let mut dir = run_dir.to_path_buf();
    for part in marker.split('/').skip(1) {
        dir.push(part);
    }
    dir
}

/// Creates `dir` and returns the path of its `cgroup.procs` as a C string,
/// ready for [`join_in_child`].
pub fn prepare(dir: &Path) -> Option<CString> {
    std::fs::create_dir_all(dir).ok()?;
    CString::new(
        dir.join("cgroup.procs")
            .into_os_string()
            .into_encoded_bytes(),
    )
    .ok()
}

/// Moves the calling process into the cgroup whose `cgroup.procs` is `procs`.
/// Only async-signal-safe calls: safe between fork and exec.
pub fn join_in_child(procs: &CString) {
    // SAFETY: open/write/close with a pointer to a NUL-terminated path and a static buffer.
    unsafe {
        let fd = libc::open(procs.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd >= 0 {
            libc::write(fd, b"0".as_ptr().cast(), 1);
            libc::close(fd);
        }
    }
}

fn procs_of(dir: &Path) -> Vec<u32> {
    let mut pids = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(text) = std::fs::read_to_string(d.join("cgroup.procs")) {
            pids.extend(text.lines().filter_map(|l| l.trim().parse::<u32>().ok()));
        }
        if let Ok(entries) = std::fs::read_dir(&d) {
            stack.extend(
                entries
                    .flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.path()),
            );
        }
    }
    pids
}

/// SIGKILLs every process in `dir` and below. Returns how many there were.
pub fn kill_tree(dir: &Path) -> usize {
    let pids = procs_of(dir);
    if pids.is_empty() {
        return 0;
    }
    if std::fs::write(dir.join("cgroup.kill"), "1").is_err() {
        // Kernels before 5.14 have no cgroup.kill: signal the members one by one.
        for pid in &pids {
            if *pid != std::process::id() {
                // SAFETY: kill(2) on a member of a cgroup only this run creates.
                unsafe {
                    libc::kill(*pid as i32, libc::SIGKILL);
                }
            }
        }
    }
    pids.len()
}

/// Sends `signal` to every process in `dir` and below.
pub fn signal_tree(dir: &Path, signal: i32) {
    for pid in procs_of(dir) {
        if pid != std::process::id() {
            // SAFETY: kill(2) on a member of a cgroup only this run creates.
            unsafe {
                libc::kill(pid as i32, signal);
            }
        }
    }
}

/// Whether any process is left in `dir` or below.
pub fn populated(dir: &Path) -> bool {
    !procs_of(dir).is_empty()
}

/// Kills what is left and removes `dir` and its children, waiting up to
/// `wait` for the killed processes to leave. Missing directories are fine.
pub fn remove_tree(dir: &Path, wait: Duration) {
    if !dir.exists() {
        return;
    }
    let deadline = Instant::now() + wait;
    while populated(dir) && Instant::now() < deadline {
        kill_tree(dir);
        std::thread::sleep(Duration::from_millis(20));
    }
    remove_dirs(dir);
}

fn remove_dirs(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                remove_dirs(&e.path());
            }
        }
    }
    let _ = std::fs::remove_dir(dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_map_below_the_run() {
        assert_eq!(
            dir_for(Path::new("/cg/wharf.r"), "r/web-1/app/health"),
            PathBuf::from("/cg/wharf.r/web-1/app/health")
        );
    }
}
