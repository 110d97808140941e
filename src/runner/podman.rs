//! The `podman` driver: real containers, one pod per task so the task's
//! containers share one network namespace as in awsvpc. Stage: runner.
//! Input: resolved specs (image, entryPoint, command, env). Output: pods and
//! containers named after the run. Invariants: podman runs with the runner's
//! own `containers.conf` (runtime runc, cgroupfs, nofile/nproc 4096); pods
//! use the host network, so a replica listens on its `WHARF_HOST` address
//! like the process driver; every pod of a run is removed at teardown.

use super::driver::{ContainerSpec, Control, Driver, LogSink, Started, Stream, TaskSpec};
use super::{errors, reaper, RunnerError};
use crate::manifest::{HealthCommand, Manifest};
use async_trait::async_trait;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// The runner's own podman configuration.
pub const CONTAINERS_CONF: &str = "\
[containers]
default_ulimits = [\"nofile=4096:4096\", \"nproc=4096:4096\"]
log_driver = \"k8s-file\"

[engine]
runtime = \"runc\"
cgroup_manager = \"cgroupfs\"
events_logger = \"file\"
";

pub struct PodmanDriver {
    run_id: String,
    conf: PathBuf,
}

impl PodmanDriver {
    pub fn new(run_id: &str, state_dir: &Path) -> PodmanDriver {
        PodmanDriver {
            run_id: run_id.into(),
            conf: state_dir.join("containers.conf"),
        }
    }

    fn pod(&self, task: &TaskSpec) -> String {
        format!("{}-{}", self.run_id, task.id)
    }

    fn std_command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new("podman");
        cmd.env("CONTAINERS_CONF", &self.conf);
        cmd
    }

    fn command(&self) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new("podman");
        cmd.env("CONTAINERS_CONF", &self.conf);
        cmd
    }

    async fn quiet(&self, args: &[&str]) -> Result<(), String> {
        let mut cmd = self.command();
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let child = reaper::spawn(&mut cmd).map_err(|e| format!("cannot run podman: {e}"))?;
        let pid = child.id();
        let out = child.wait_with_output().await.map_err(|e| e.to_string());
        if let Some(pid) = pid {
            reaper::release(pid);
        }
        let out = out?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }
}

impl PodmanDriver {
    /// Removes pods of runs whose runner died without cleaning up (a podman
    /// container does not die with the `podman run` that started it).
    fn remove_dead_runs(&self) {
        let Ok(out) = self
            .std_command()
            .args(["pod", "ls", "--format", "{{.ID}} {{.Labels}}"])
            .output()
        else {
            return;
        };
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Some((id, labels)) = line.split_once(' ') else {
                continue;
            };
            let run = labels.split("wharf.run:").nth(1).map(|r| {
                r.trim_end_matches(']')
                    .split([' ', ','])
                    .next()
                    .unwrap_or("")
            });
            if run
                .and_then(reaper::run_pid)
                .is_some_and(|pid| !reaper::alive(pid))
            {
                let _ = self
                    .std_command()
                    .args(["pod", "rm", "--force", "--time", "0", id])
                    .output();
            }
        }
    }
}

/// Checks that podman can run a container at all (used by preflight and tests).
pub fn probe(conf: &Path) -> Result<(), String> {
    std::fs::write(conf, CONTAINERS_CONF)
        .map_err(|e| format!("cannot write {}: {e}", conf.display()))?;
    let out = std::process::Command::new("podman")
        .env("CONTAINERS_CONF", conf)
        .args(["info", "--format", "{{.Host.OCIRuntime.Name}}"])
        .output()
        .map_err(|e| format!("`podman` cannot be run: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`podman info` failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

struct PodmanControl {
    name: String,
    conf: PathBuf,
}

impl PodmanControl {
    /// `podman kill` on a plain thread: `Control` is called from async code
    /// that must not block on a subprocess.
    fn send(&self, signal: &'static str) {
        let (name, conf) = (self.name.clone(), self.conf.clone());
        std::thread::spawn(move || {
            let _ = std::process::Command::new("podman")
                .env("CONTAINERS_CONF", conf)
                .args(["kill", "--signal", signal, &name])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        });
    }
}

impl Control for PodmanControl {
    fn terminate(&self) {
        self.send("TERM");
    }

    fn kill(&self) {
        self.send("KILL");
    }
}

#[async_trait]
impl Driver for PodmanDriver {
    fn name(&self) -> &'static str {
        "podman"
    }

    fn preflight(&self, manifest: &Manifest) -> Result<(), RunnerError> {
        probe(&self.conf).map_err(|why| errors::driver_unavailable("podman", &why))?;
        super::platform::check_emulation(manifest)?;
        self.remove_dead_runs();
        Ok(())
    }

    async fn provision(&self, task: &TaskSpec) -> Result<(), String> {
        let pod = self.pod(task);
        self.quiet(&[
            "pod",
            "create",
            "--name",
            &pod,
            "--network",
            "host",
            "--label",
            &format!("wharf.run={}", self.run_id),
        ])
        .await
    }

    async fn start(
        &self,
        task: &TaskSpec,
        c: &ContainerSpec,
        logs: LogSink,
    ) -> Result<Started, String> {
        let name = format!("{}-{}", self.pod(task), c.name);
        let mut cmd = self.command();
        cmd.args([
            "run",
            "--rm",
            "--pod",
            &self.pod(task),
            "--name",
            &name,
            "--init",
        ]);
        // Names only on the command line: podman takes each value from its
        // own environment, so secret values never show in the host's `ps`.
        for (k, v) in &c.env {
            cmd.env(k, v).arg("--env").arg(k);
        }
        for m in &c.mounts {
            let ro = if m.read_only { ":ro" } else { "" };
            cmd.arg("--volume")
                .arg(format!("{}:{}{ro}", m.host_dir.display(), m.container_path));
        }
        if let Some(dir) = &c.image_working_directory {
            cmd.args(["--workdir", dir]);
        }
        if let Some(ep) = &c.entry_point {
            // podman takes the entrypoint as a JSON array.
            cmd.arg("--entrypoint")
                .arg(serde_json::to_string(ep).unwrap_or_default());
        }
        // The task's architecture (`runtimePlatform.cpuArchitecture`):
        // podman pulls that variant, emulated when the host's differs.
        if let Some(platform) = &task.platform {
            cmd.args(["--platform", platform]);
        }
        cmd.arg(&c.image);
        cmd.args(c.command.iter().flatten());
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        reaper::isolate(&mut cmd, None);
        let mut child = reaper::spawn(&mut cmd).map_err(|e| format!("cannot run podman: {e}"))?;
        let pid = child.id();
        for (out, stream) in [
            (
                child
                    .stdout
                    .take()
                    .map(|o| Box::new(o) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
                Stream::Stdout,
            ),
            (
                child
                    .stderr
                    .take()
                    .map(|o| Box::new(o) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
                Stream::Stderr,
            ),
        ] {
            if let Some(out) = out {
                let logs = logs.clone();
                tokio::spawn(super::driver::forward_output(out, stream, logs));
            }
        }
        let (tx, rx) = oneshot::channel();
        tokio::spawn(async move {
            let code = match child.wait().await {
                Ok(s) => s.code().unwrap_or(255),
                Err(_) => 255,
            };
            if let Some(pid) = pid {
                reaper::release(pid);
            }
            let _ = tx.send(code);
        });
        Ok(Started {
            pid,
            control: Arc::new(PodmanControl {
                name,
                conf: self.conf.clone(),
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
        let name = format!("{}-{}", self.pod(task), c.name);
        let mut args = vec!["exec".to_string(), name];
        // Pods share the host network, so `localhost` is the task's address here too.
        let local = |s: &str| super::process::on_task_address(s, &task.address.to_string());
        match check {
            HealthCommand::Cmd(argv) => args.extend(argv.iter().map(|a| local(a))),
            HealthCommand::Shell(s) => args.extend(["sh".to_string(), "-c".to_string(), local(s)]),
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        tokio::time::timeout(timeout, self.quiet(&refs))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    async fn deprovision(&self, task: &TaskSpec) {
        let _ = self
            .quiet(&["pod", "rm", "--force", "--time", "0", &self.pod(task)])
            .await;
    }

    fn kill_everything(&self) {
        let filter = format!("label=wharf.run={}", self.run_id);
        if let Ok(out) = self
            .std_command()
            .args(["pod", "ls", "--quiet", "--filter", &filter])
            .output()
        {
            for id in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = self
                    .std_command()
                    .args(["pod", "rm", "--force", "--time", "0", id])
                    .output();
            }
        }
    }
}
