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
    /// The OCI platform of its images (`linux/arm64`), when the task
    /// names an architecture.
    pub platform: Option<String>,
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
    /// The task volumes this container mounts, each a host directory.
    pub mounts: Vec<Mount>,
    /// Value of `WHARF_CONTAINER_ID`, by which leftover processes are found.
    pub marker: String,
}

/// A volume mount resolved to the directory the runner provides for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub volume: String,
    pub host_dir: std::path::PathBuf,
    pub container_path: String,
    pub read_only: bool,
}

/// The variable that gives a container the directory of a volume:
/// `WHARF_VOLUME_<NAME>`, the name upper-cased, other characters `_`.
pub fn volume_var(volume: &str) -> String {
    let name: String = volume
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("WHARF_VOLUME_{name}")
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

/// Records the log pipeline holds at most (then container output waits);
/// with [`MAX_LINE`] this bounds its memory to a few MiB. The fan-out to
/// `wharf up`'s printer keeps as many.
pub const LOG_QUEUE: usize = 256;
/// Longest log line: longer output is split, as docker splits at 16 KiB.
pub const MAX_LINE: usize = 16 * 1024;

/// The run's log pipeline: a bounded queue, and a count of the lines that
/// could not wait for room (the runner's own lines) and were dropped.
#[derive(Clone)]
pub struct LogQueue {
    pub(crate) tx: mpsc::Sender<LogRecord>,
    pub(crate) dropped: Arc<std::sync::atomic::AtomicU64>,
    /// Secret values to mask in every line before it is kept or shown.
    pub(crate) masks: Masks,
}

/// Secret values the log pipeline replaces with `***` in every line, as CI
/// services mask theirs: each line of each value of at least
/// [`Masks::MIN_LEN`] bytes (masking shorter values would garble ordinary
/// output). A value is added when it is resolved, before a container can
/// print it.
#[derive(Clone, Default)]
pub struct Masks(Arc<std::sync::RwLock<Vec<String>>>);

impl Masks {
    pub const MIN_LEN: usize = 4;

    pub fn add(&self, value: &str) {
        let mut masks = self.0.write().unwrap_or_else(|e| e.into_inner());
        for part in value.lines().map(|l| l.strip_suffix('\r').unwrap_or(l)) {
            if part.len() >= Self::MIN_LEN && !masks.iter().any(|m| m == part) {
                masks.push(part.to_string());
            }
        }
        // Longest first, so a value containing another is masked whole.
        masks.sort_by_key(|m| std::cmp::Reverse(m.len()));
    }

    /// `line` with every masked value replaced by `***`.
    pub fn apply(&self, line: &mut String) {
        let masks = self.0.read().unwrap_or_else(|e| e.into_inner());
        for m in masks.iter() {
            if line.contains(m.as_str()) {
                *line = line.replace(m.as_str(), "***");
            }
        }
    }
}

impl LogQueue {
    pub fn new(capacity: usize) -> (LogQueue, mpsc::Receiver<LogRecord>) {
        let (tx, rx) = mpsc::channel(capacity);
        let queue = LogQueue {
            tx,
            dropped: Arc::new(std::sync::atomic::AtomicU64::new(0)),
            masks: Masks::default(),
        };
        (queue, rx)
    }
}

/// Where a driver sends a container's output lines.
#[derive(Clone)]
pub struct LogSink {
    pub(crate) queue: LogQueue,
    pub service: String,
    pub task: String,
    pub container: String,
}

impl LogSink {
    pub fn new(queue: LogQueue, service: &str, task: &str, container: &str) -> LogSink {
        LogSink {
            queue,
            service: service.into(),
            task: task.into(),
            container: container.into(),
        }
    }

    fn record(&self, stream: Stream, line: String) -> LogRecord {
        let ts = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        LogRecord {
            ts,
            service: self.service.clone(),
            task: self.task.clone(),
            container: self.container.clone(),
            stream,
            line,
        }
    }

    /// Queues a line without waiting: when the queue is full the line is
    /// dropped and counted (the log writer reports the count).
    pub fn line(&self, stream: Stream, line: String) {
        let record = self.record(stream, line);
        if let Err(mpsc::error::TrySendError::Full(_)) = self.queue.tx.try_send(record) {
            self.queue
                .dropped
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        // A closed queue means the runner is shutting down; dropping the line is right.
    }

    /// Queues a line, waiting for room: a container that writes faster than
    /// the log writer keeps up is held back on its pipe, like docker's
    /// blocking log mode, instead of growing the runner's memory.
    pub async fn send(&self, stream: Stream, line: String) {
        let _ = self.queue.tx.send(self.record(stream, line)).await;
    }
}

/// Forwards a container's output to `logs` line by line, splitting lines
/// longer than [`MAX_LINE`], with back-pressure. Memory per stream is bounded
/// by the read buffer and one line.
pub async fn forward_output(
    reader: impl tokio::io::AsyncRead + Unpin,
    stream: Stream,
    logs: LogSink,
) {
    use tokio::io::AsyncBufReadExt;
    let mut r = tokio::io::BufReader::with_capacity(64 * 1024, reader);
    let mut line: Vec<u8> = Vec::new();
    let text = |bytes: &[u8]| {
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        String::from_utf8_lossy(bytes).into_owned()
    };
    loop {
        let chunk = match r.fill_buf().await {
            Ok([]) | Err(_) => break,
            Ok(c) => c,
        };
        let newline = chunk.iter().position(|b| *b == b'\n');
        let want = newline.unwrap_or(chunk.len());
        let room = MAX_LINE - line.len();
        if want <= room {
            line.extend_from_slice(&chunk[..want]);
            if newline.is_some() {
                r.consume(want + 1);
                logs.send(stream, text(&line)).await;
                line.clear();
            } else {
                r.consume(want);
            }
        } else {
            line.extend_from_slice(&chunk[..room]);
            r.consume(room);
            logs.send(stream, text(&line)).await;
            line.clear();
        }
    }
    if !line.is_empty() {
        logs.send(stream, text(&line)).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn long_lines_are_split_and_crlf_trimmed() {
        let (queue, mut rx) = LogQueue::new(8);
        let sink = LogSink::new(queue, "s", "s-1", "app");
        let mut input = "a\r\nb\n".to_string();
        input.push_str(&"x".repeat(MAX_LINE * 2 + 5));
        let reader = std::io::Cursor::new(input.into_bytes());
        let forward = tokio::spawn(forward_output(reader, Stream::Stdout, sink));
        let mut lines = Vec::new();
        while let Some(r) = rx.recv().await {
            lines.push(r.line);
        }
        forward.await.unwrap();
        let lens: Vec<usize> = lines.iter().map(String::len).collect();
        assert_eq!(lens, vec![1, 1, MAX_LINE, MAX_LINE, 5]);
        assert_eq!(&lines[..2], &["a", "b"]);
    }

    #[test]
    fn a_full_queue_drops_and_counts() {
        let (queue, _rx) = LogQueue::new(1);
        let sink = LogSink::new(queue.clone(), "s", "", "wharf");
        sink.line(Stream::Runner, "kept".into());
        sink.line(Stream::Runner, "dropped".into());
        sink.line(Stream::Runner, "dropped".into());
        assert_eq!(queue.dropped.load(std::sync::atomic::Ordering::Relaxed), 2);
    }
}
