//! Process hygiene for the runner: no process outlives `wharf up`. Stage:
//! runner. Input: commands to spawn, markers to sweep. Output: spawned
//! children in their own process group with PR_SET_PDEATHSIG, and sweeps that
//! find stray descendants by their `WHARF_CONTAINER_ID` environment marker.
//! Invariant: the runner is a child subreaper, so a daemonising grandchild
//! is re-parented to it; such orphans are reaped here, while the children
//! tokio owns are never waited on twice (spawns and sweeps share one lock).

use std::collections::HashSet;
use std::sync::Mutex;

/// Environment variable that tags every process of a container.
pub const MARKER_VAR: &str = "WHARF_CONTAINER_ID";

/// Pids of children tokio will wait for itself; the orphan reaper skips them.
static OWNED: Mutex<Option<HashSet<u32>>> = Mutex::new(None);

/// Makes this process a child subreaper (Linux); harmless if it fails.
pub fn become_subreaper() {
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes an integer argument only.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

/// Prepares a command: own process group, its cgroup (when `cgroup_procs`
/// names one), and SIGKILL if the runner dies.
pub fn isolate(cmd: &mut tokio::process::Command, cgroup_procs: Option<std::ffi::CString>) {
    // SAFETY: the closure only calls async-signal-safe functions (setpgid,
    // open/write/close, prctl, getppid, _exit) on data prepared before fork.
    unsafe {
        cmd.pre_exec(move || {
            libc::setpgid(0, 0);
            if let Some(procs) = &cgroup_procs {
                super::cgroup::join_in_child(procs);
            }
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
            // The parent may have died between fork and prctl.
            if libc::getppid() == 1 {
                libc::_exit(137);
            }
            Ok(())
        });
    }
}

/// Spawns a command whose exit tokio will collect, registering its pid first.
pub fn spawn(cmd: &mut tokio::process::Command) -> std::io::Result<tokio::process::Child> {
    let mut owned = OWNED.lock().unwrap_or_else(|e| e.into_inner());
    let child = cmd.spawn()?;
    if let Some(pid) = child.id() {
        owned.get_or_insert_with(HashSet::new).insert(pid);
    }
    Ok(child)
}

/// Forgets a pid once tokio has collected its exit status.
pub fn release(pid: u32) {
    if let Some(set) = OWNED.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        set.remove(&pid);
    }
}

/// Reaps zombies re-parented to the runner that nobody else waits for.
pub fn reap_orphans() {
    let owned = OWNED.lock().unwrap_or_else(|e| e.into_inner());
    let me = std::process::id();
    for (pid, stat) in processes() {
        if stat.ppid == me && stat.state == 'Z' && !owned.as_ref().is_some_and(|s| s.contains(&pid))
        {
            // SAFETY: waitpid on a specific zombie child of ours with WNOHANG.
            unsafe {
                libc::waitpid(pid as i32, std::ptr::null_mut(), libc::WNOHANG);
            }
        }
    }
}

/// Sends `signal` to every live process whose marker starts with `prefix`.
/// Returns how many were signalled.
pub fn signal_marked(prefix: &str, signal: i32) -> usize {
    let mut n = 0;
    for (pid, stat) in processes() {
        if stat.state == 'Z' || pid == std::process::id() {
            continue;
        }
        if marker_of(pid).is_some_and(|m| m == prefix || m.starts_with(&format!("{prefix}/"))) {
            // SAFETY: kill(2) with a pid read from /proc; a stale pid only yields ESRCH.
            unsafe {
                libc::kill(pid as i32, signal);
            }
            n += 1;
        }
    }
    n
}

/// Sends `signal` to a process group.
pub fn signal_group(pgid: u32, signal: i32) {
    // SAFETY: killpg on a group we created; a vanished group yields ESRCH.
    unsafe {
        libc::killpg(pgid as i32, signal);
    }
}

/// The runner pid inside a run id `wharf-<pid>-<nanos>`.
pub fn run_pid(run_id: &str) -> Option<u32> {
    run_id
        .strip_prefix("wharf-")?
        .split('-')
        .next()?
        .parse()
        .ok()
}

/// Whether a process is alive (not gone, not a zombie).
pub fn alive(pid: u32) -> bool {
    stat(pid).is_some_and(|s| s.state != 'Z' && s.state != 'X')
}

/// Kills processes left by runs whose runner died without cleaning up (it
/// was SIGKILLed: its daemonised grandchildren outlive PR_SET_PDEATHSIG).
/// Returns how many were killed.
pub fn sweep_dead_runs() -> usize {
    let mut n = 0;
    for (pid, s) in processes() {
        if s.state == 'Z' {
            continue;
        }
        let Some(marker) = marker_of(pid) else {
            continue;
        };
        let run = marker.split('/').next().unwrap_or("");
        if run_pid(run).is_some_and(|runner| !alive(runner)) {
            // SAFETY: kill(2) on a pid read from /proc; a stale pid only yields ESRCH.
            unsafe {
                libc::kill(pid as i32, libc::SIGKILL);
            }
            n += 1;
        }
    }
    n
}

/// Live (non-zombie) processes carrying a marker with this prefix.
pub fn marked_alive(prefix: &str) -> Vec<u32> {
    processes()
        .into_iter()
        .filter(|(pid, stat)| {
            stat.state != 'Z'
                && marker_of(*pid)
                    .is_some_and(|m| m == prefix || m.starts_with(&format!("{prefix}/")))
        })
        .map(|(pid, _)| pid)
        .collect()
}

struct Stat {
    state: char,
    ppid: u32,
    start: u64,
}

/// Every live descendant of this process with its start time, found by
/// following parent links in `/proc` (daemons re-parent to the runner, a
/// subreaper, so they stay in the tree while the runner lives).
pub fn descendants() -> Vec<super::project::Recorded> {
    let me = std::process::id();
    let procs = processes();
    let mut children: std::collections::HashMap<u32, Vec<u32>> = std::collections::HashMap::new();
    for (pid, s) in &procs {
        children.entry(s.ppid).or_default().push(*pid);
    }
    let starts: std::collections::HashMap<u32, (char, u64)> = procs
        .iter()
        .map(|(p, s)| (*p, (s.state, s.start)))
        .collect();
    let mut out = Vec::new();
    let mut stack = vec![me];
    while let Some(p) = stack.pop() {
        for c in children.get(&p).into_iter().flatten() {
            stack.push(*c);
            if let Some((state, start)) = starts.get(c) {
                if *state != 'Z' {
                    out.push(super::project::Recorded {
                        pid: *c,
                        start: *start,
                    });
                }
            }
        }
    }
    out.sort_by_key(|r| r.pid);
    out
}

/// SIGKILLs every descendant of this process (a runner that runs one run).
pub fn kill_descendants() -> usize {
    let mut n = 0;
    for r in descendants() {
        if super::project::signal_verified(r.pid, r.start, libc::SIGKILL) {
            n += 1;
        }
    }
    n
}

fn processes() -> Vec<(u32, Stat)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| Some((pid, stat(pid)?)))
        .collect()
}

fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces: parse after the last ')'.
    let rest = &text[text.rfind(')')? + 2..];
    let mut fields = rest.split(' ');
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    // After state and ppid, starttime is the 18th field.
    let start = fields.nth(17)?.parse().ok()?;
    Some(Stat { state, ppid, start })
}

fn marker_of(pid: u32) -> Option<String> {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    let key = format!("{MARKER_VAR}=");
    environ.split(|b| *b == 0).find_map(|kv| {
        kv.strip_prefix(key.as_bytes())
            .map(|v| String::from_utf8_lossy(v).into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_stat() {
        let s = stat(std::process::id()).expect("own /proc entry");
        assert_ne!(s.state, 'Z');
        assert_eq!(s.ppid, nix::unistd::getppid().as_raw() as u32);
    }

    #[test]
    fn run_ids_name_their_runner() {
        assert_eq!(run_pid("wharf-4242-1a2b"), Some(4242));
        assert_eq!(run_pid("test"), None);
        assert!(alive(std::process::id()));
    }

    #[test]
    fn marker_prefix_matches_whole_segments_only() {
        // Nothing in this test process carries a marker with this random prefix.
        assert!(marked_alive("no-such-runner-7f3a").is_empty());
    }
}
