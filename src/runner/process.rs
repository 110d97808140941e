//! The `process` driver: each container's local command runs on the host.
//! Stage: runner. Input: resolved specs. Output: host processes, each the
//! leader of its own process group, tagged with `WHARF_CONTAINER_ID`.
//! Invariants: a container's processes never outlive it (its group and every
//! marked process are killed when its main process exits); the environment
//! is the spec's plus a few host variables (PATH, HOME, ...), like a fresh
//! container rather than the runner's shell.

use super::cgroup;
use super::driver::{ContainerSpec, Control, Driver, LogSink, Started, Stream, TaskSpec};
use super::reaper;
use super::RunnerError;
use crate::diag::Code;
use crate::manifest::{HealthCommand, Manifest};
use async_trait::async_trait;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncRead;
use tokio::process::Command;
use tokio::sync::oneshot;

/// Host variables a local process keeps so that ordinary tools work.
const HOST_VARS: &[&str] = &["PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "TERM"];

pub struct ProcessDriver {
    run_id: String,
    /// The run's cgroup v2 directory, when the system let the runner make one.
    cgroup: Option<PathBuf>,
}

impl ProcessDriver {
    pub fn new(run_id: &str, cgroup: Option<PathBuf>) -> ProcessDriver {
        ProcessDriver {
            run_id: run_id.into(),
            cgroup,
        }
    }

    /// The cgroup of a marker (`run/task/container[/health]`), if cgroups are in use.
    fn cgroup_of(&self, marker: &str) -> Option<PathBuf> {
        self.cgroup.as_ref().map(|d| cgroup::dir_for(d, marker))
    }
}

/// The container's argv, for drivers that run on the host.
pub fn local_argv(c: &crate::manifest::Container) -> Option<Vec<String>> {
    use crate::manifest::LocalCommand;
    match c.local.as_ref().and_then(|l| l.command.as_ref()) {
        Some(LocalCommand::Argv(argv)) if !argv.is_empty() => Some(argv.clone()),
        Some(LocalCommand::Shell(s)) => Some(vec!["sh".into(), "-c".into(), s.clone()]),
        _ => {
            let argv: Vec<String> = c
                .entry_point
                .iter()
                .flatten()
                .chain(c.command.iter().flatten())
                .cloned()
                .collect();
            (!argv.is_empty()).then_some(argv)
        }
    }
}

/// Rewrites `localhost` / `127.0.0.1` in a health check to the task's address.
pub fn on_task_address(s: &str, address: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        let hit = ["localhost", "127.0.0.1"].into_iter().find(|w| {
            rest.starts_with(w)
                && !rest[w.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '.')
        });
        match hit {
            Some(w) => {
                out.push_str(address);
                rest = &rest[w.len()..];
            }
            None => {
                let ch = rest.chars().next().unwrap_or_default();
                out.push(ch);
                rest = &rest[ch.len_utf8()..];
            }
        }
    }
    out
}

fn command(argv: &[String], c: &ContainerSpec, cgroup_dir: Option<&Path>) -> Command {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]).env_clear();
    for var in HOST_VARS {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    cmd.envs(&c.env).env(reaper::MARKER_VAR, &c.marker);
    if let Some(dir) = &c.working_directory {
        cmd.current_dir(dir);
    }
    reaper::isolate(&mut cmd, cgroup_dir.and_then(cgroup::prepare));
    cmd
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

struct GroupControl {
    pgid: u32,
    marker: String,
    cgroup: Option<PathBuf>,
}

impl Control for GroupControl {
    fn terminate(&self) {
        reaper::signal_group(self.pgid, libc::SIGTERM);
        reaper::signal_marked(&self.marker, libc::SIGTERM);
        if let Some(dir) = &self.cgroup {
            cgroup::signal_tree(dir, libc::SIGTERM);
        }
    }

    fn kill(&self) {
        reaper::signal_group(self.pgid, libc::SIGKILL);
        reaper::signal_marked(&self.marker, libc::SIGKILL);
        if let Some(dir) = &self.cgroup {
            cgroup::kill_tree(dir);
        }
    }
}

fn forward_lines(reader: impl AsyncRead + Unpin + Send + 'static, stream: Stream, logs: LogSink) {
    tokio::spawn(super::driver::forward_output(reader, stream, logs));
}

#[async_trait]
impl Driver for ProcessDriver {
    fn name(&self) -> &'static str {
        "process"
    }

    fn preflight(&self, manifest: &Manifest) -> Result<(), RunnerError> {
        let used = |family: &str| manifest.services.iter().any(|s| s.task == family);
        let missing: Vec<String> = manifest
            .tasks
            .iter()
            .filter(|t| used(&t.family))
            .flat_map(|t| t.containers.iter().map(move |c| (t, c)))
            .filter(|(_, c)| local_argv(c).is_none())
            .map(|(t, c)| format!("`{}/{}`", t.family, c.name))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(RunnerError::new(
            Code::NoLocalCommand,
            format!(
                "container {} has no local command for the process driver",
                missing.join(", ")
            ),
            "give it `local.command` (argv or shell string), or run with `--driver podman`",
        ))
    }

    async fn provision(&self, _task: &TaskSpec) -> Result<(), String> {
        Ok(())
    }

    async fn start(
        &self,
        _task: &TaskSpec,
        c: &ContainerSpec,
        logs: LogSink,
    ) -> Result<Started, String> {
        let argv = c
            .local_argv
            .clone()
            .ok_or_else(|| format!("container `{}` has no local command", c.name))?;
        let container_cgroup = self.cgroup_of(&c.marker);
        let mut cmd = command(&argv, c, container_cgroup.as_deref());
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child =
            reaper::spawn(&mut cmd).map_err(|e| format!("cannot run `{}`: {e}", argv[0]))?;
        let pid = child
            .id()
            .ok_or("the process exited before it could be tracked")?;
        if let Some(out) = child.stdout.take() {
            forward_lines(out, Stream::Stdout, logs.clone());
        }
        if let Some(err) = child.stderr.take() {
            forward_lines(err, Stream::Stderr, logs);
        }
        let (tx, rx) = oneshot::channel();
        let marker = c.marker.clone();
        let exit_cgroup = container_cgroup.clone();
        tokio::spawn(async move {
            let code = match child.wait().await {
                Ok(status) => exit_code(status),
                Err(_) => 255,
            };
            reaper::release(pid);
            // The container is gone: whatever it left behind goes with it.
            reaper::signal_group(pid, libc::SIGKILL);
            reaper::signal_marked(&marker, libc::SIGKILL);
            if let Some(dir) = &exit_cgroup {
                cgroup::kill_tree(dir);
            }
            let _ = tx.send(code);
        });
        Ok(Started {
            pid: Some(pid),
            control: Arc::new(GroupControl {
                pgid: pid,
                marker: c.marker.clone(),
                cgroup: container_cgroup,
            }),
            exit: rx,
        })
    }

    async fn health_check(
        &self,
        task: &TaskSpec,
        c: &ContainerSpec,
        check: &HealthCommand,
        timeout: Duration,
    ) -> bool {
        // In awsvpc `localhost` is the task itself; here that is the task's address.
        let local = |s: &str| on_task_address(s, &task.address.to_string());
        let argv = match check {
            HealthCommand::Cmd(argv) if !argv.is_empty() => argv.iter().map(|a| local(a)).collect(),
            HealthCommand::Cmd(_) => return false,
            HealthCommand::Shell(s) => vec!["sh".into(), "-c".into(), local(s)],
        };
        let mut spec = c.clone();
        spec.marker = format!("{}/health", c.marker);
        let check_cgroup = self.cgroup_of(&spec.marker);
        let mut cmd = command(&argv, &spec, check_cgroup.as_deref());
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let Ok(mut child) = reaper::spawn(&mut cmd) else {
            return false;
        };
        let pid = child.id();
        let result = tokio::time::timeout(timeout, child.wait()).await;
        if let Some(pid) = pid {
            reaper::signal_group(pid, libc::SIGKILL);
        }
        if let Some(dir) = &check_cgroup {
            cgroup::kill_tree(dir);
        }
        let ok = match result {
            Ok(Ok(status)) => status.success(),
            Ok(Err(_)) => false,
            Err(_) => {
                let _ = child.wait().await;
                false
            }
        };
        if let Some(pid) = pid {
            reaper::release(pid);
        }
        ok
    }

    async fn deprovision(&self, task: &TaskSpec) {
        let marker = format!("{}/{}", self.run_id, task.id);
        reaper::signal_marked(&marker, libc::SIGKILL);
        if let Some(dir) = self.cgroup_of(&marker) {
            cgroup::kill_tree(&dir);
            let _ = tokio::task::spawn_blocking(move || {
                cgroup::remove_tree(&dir, Duration::from_secs(2))
            })
            .await;
        }
    }

    fn kill_everything(&self) {
        reaper::signal_marked(&self.run_id, libc::SIGKILL);
        if let Some(dir) = &self.cgroup {
            cgroup::kill_tree(dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_checks_target_the_task_address() {
        let a = "127.0.0.15";
        assert_eq!(
            on_task_address("curl -f http://localhost:3000/h", a),
            "curl -f http://127.0.0.15:3000/h"
        );
        assert_eq!(
            on_task_address("nc -z 127.0.0.1 80", a),
            "nc -z 127.0.0.15 80"
        );
        assert_eq!(
            on_task_address("ping 127.0.0.12 localhost.example", a),
            "ping 127.0.0.12 localhost.example"
        );
    }
}
