//! The driver seam: how a container is actually run. Stage: runner. Input: a
//! resolved [`TaskSpec`] / [`ContainerSpec`] (final argv, env, address).
//! Output: started containers with a stop control and an exit-code receiver.
//! Invariant: all ECS semantics (dependsOn, health, stop order, services) live
//! above this trait, so the fake driver tests them without real processes.

use crate::manifest::{HealthCommand, Manifest, PortMapping};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// One task as a driver sees it: an id, an address, and its containers.
#[derive(Debug, Clone)]
pub struct TaskSpec {
    pub id: String,
    pub family: String,
    pub service: String,
    /// Loopback address of the task (its "ENI"): every container port listens here.
    pub address: Ipv4Addr,
    /// `name -> address` lines for service discovery (`orders.internal`).
    pub hosts: Vec<(String, Ipv4Addr)>,
    pub containers: Vec<ContainerSpec>,
    /// Set when the task cannot start (a secret without a value).
    pub init_error: Option<String>,
}

/// One container with everything resolved: no lookups left for the driver.
#[derive(Debug, Clone)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub entry_point: Option<Vec<String>>,
    pub command: Option<Vec<String>>,
    /// What the process driver runs (from `local.command`, or entryPoint + command).
    pub local_argv: Option<Vec<String>>,
    pub working_directory: Option<String>,
    /// `workingDirectory` inside the image (podman driver).
    pub image_working_directory: Option<String>,
    /// Final environment: manifest env, secrets, local env, runner variables.
    pub env: BTreeMap<String, String>,
    pub ports: Vec<PortMapping>,
    /// Value of `WHARF_CONTAINER_ID`, by which leftover processes are found.
    pub marker: String,
}

/// A container that has been started.
pub struct Started {
    pub pid: Option<u32>,
    pub control: Arc<dyn Control>,
    /// Receives the exit code (128 + signal when killed by a signal).
    pub exit: oneshot::Receiver<i32>,
}

/// Stops a running container.
pub trait Control: Send + Sync {
    /// SIGTERM to the container's processes.
    fn terminate(&self);
    /// SIGKILL to the container's processes.
    fn kill(&self);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Stdout,
    Stderr,
    /// Lines written by the runner itself (state changes).
    Runner,
}

/// One line of output, tagged with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LogRecord {
    /// Milliseconds since the Unix epoch.
    pub ts: u64,
    pub service: String,
    pub task: String,
    pub container: String,
    pub stream: Stream,
    pub line: String,
}

/// Where a driver sends a container's output lines.
#[derive(Clone)]
pub struct LogSink {
    pub(crate) tx: mpsc::UnboundedSender<LogRecord>,
    pub service: String,
    pub task: String,
    pub container: String,
}

impl LogSink {
    pub fn new(
        tx: mpsc::UnboundedSender<LogRecord>,
        service: &str,
        task: &str,
        container: &str,
    ) -> LogSink {
        LogSink {
            tx,
            service: service.into(),
            task: task.into(),
            container: container.into(),
        }
    }

    pub fn line(&self, stream: Stream, line: String) {
        let ts = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let record = LogRecord {
            ts,
            service: self.service.clone(),
            task: self.task.clone(),
            container: self.container.clone(),
            stream,
            line,
        };
        // A closed receiver means the runner is shutting down; dropping the line is right.
        let _ = self.tx.send(record);
    }
}

/// A way of running containers.
#[async_trait]
pub trait Driver: Send + Sync + 'static {
    fn name(&self) -> &'static str;

    /// Checks that this driver can run the manifest at all; `Err` is a
    /// [`super::RunnerError`] (driver unavailable, no local command, ...).
    fn preflight(&self, manifest: &Manifest) -> Result<(), super::RunnerError>;

    /// Creates what the task's containers share (nothing, or a pod).
    async fn provision(&self, task: &TaskSpec) -> Result<(), String>;

    async fn start(
        &self,
        task: &TaskSpec,
        container: &ContainerSpec,
        logs: LogSink,
    ) -> Result<Started, String>;

    /// Runs one health check command; true when it exits 0 within `timeout`.
    async fn health_check(
        &self,
        task: &TaskSpec,
        container: &ContainerSpec,
        cmd: &HealthCommand,
        timeout: Duration,
    ) -> bool;

    /// Removes what `provision` created and any process left behind.
    async fn deprovision(&self, task: &TaskSpec);

    /// Last resort on forced shutdown: SIGKILL everything this driver started.
    fn kill_everything(&self);
}
