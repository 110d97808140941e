//! The blocking entry point used by `wharf up` and integration tests, plus the
//! run's files under the state directory. Stage: runner. Input: a manifest,
//! [`UpOptions`], a state directory. Output: a [`RunnerHandle`]; files
//! `state.json` (latest snapshot), `logs.jsonl` (every log record),
//! `runner.json` (the live runner's record), `runner.lock` and `hosts`. Invariant: `state.json` is replaced atomically
//! (write then rename), so readers never see half a snapshot.

use super::cgroup;
use super::driver::{Driver, LogRecord};
use super::podman::PodmanDriver;
use super::process::ProcessDriver;
use super::project::{
    clear_record, finish_dead_run, live_runner, start_time, write_record, RunLock, RunRecord,
};
use super::secrets::Secrets;
use super::state::Snapshot;
use super::{errors, Runner, RunnerError};
use crate::manifest::Manifest;
use std::io::Write;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DriverKind {
    #[default]
    Process,
    Podman,
}

/// How a run behaves; defaults suit `wharf up`, tests shrink the delays.
#[derive(Debug, Clone)]
pub struct UpOptions {
    pub driver: DriverKind,
    /// Relative `local.workingDirectory` values resolve against this (the manifest's folder).
    pub base_dir: PathBuf,
    /// Tasks get `task_subnet + 2 ..= + 254` (127.0.0.2, ...).
    pub task_subnet: Ipv4Addr,
    /// Discovery names get `discovery_subnet + 1, + 2, ...` (127.0.1.1, ...).
    pub discovery_subnet: Ipv4Addr,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// A task RUNNING this long resets the failure count.
    pub backoff_reset: Duration,
    /// Set by [`up_manifest`]; `None` keeps everything in memory (fake-driver tests).
    pub state_dir: Option<PathBuf>,
    /// Values of the manifest's `env` secrets (the CLI resolves them from
    /// `--secret`, the environment and the secrets file); a name missing here
    /// falls back to the runner's environment.
    pub secrets: Secrets,
    /// This process runs only this run (the CLI's runner): every descendant
    /// belongs to it, is recorded in `pids.json` and killed at shutdown.
    pub own_process: bool,
    /// Put each container in its own cgroup v2 where the system allows it.
    pub cgroups: bool,
    /// Rotation of `logs.jsonl`.
    pub log_limits: LogLimits,
}

impl Default for UpOptions {
    fn default() -> Self {
        UpOptions {
            driver: DriverKind::Process,
            base_dir: PathBuf::from("."),
            task_subnet: Ipv4Addr::new(127, 0, 0, 0),
            discovery_subnet: Ipv4Addr::new(127, 0, 1, 0),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            backoff_reset: Duration::from_secs(30),
            state_dir: None,
            secrets: Secrets::default(),
            own_process: false,
            cgroups: true,
            log_limits: LogLimits::default(),
        }
    }
}

/// A run with its own tokio runtime, driven from blocking code.
pub struct RunnerHandle {
    rt: tokio::runtime::Runtime,
    runner: Option<Runner>,
    state_dir: PathBuf,
    cgroup: Option<PathBuf>,
    /// Held until the handle is dropped: proves this run is live.
    _lock: RunLock,
}

/// Starts a run of `manifest` with state under `state_dir`, taking the
/// directory's lock (E0606 when another runner holds it). Returns once
/// every listener is bound and every service scheduler runs.
pub fn up_manifest(
    manifest: &Manifest,
    opts: &UpOptions,
    state_dir: &Path,
) -> Result<RunnerHandle, RunnerError> {
    super::project::check_state_dir(state_dir)?;
    let lock = RunLock::try_acquire(state_dir)?
        .ok_or_else(|| errors::already_running(state_dir, live_runner(state_dir).map(|r| r.pid)))?;
    up_locked(manifest, opts, state_dir, lock)
}

/// [`up_manifest`] with the lock already held (handed over by `wharf up
/// --detach`). A run the lock's previous holder left behind is finished first.
pub fn up_locked(
    manifest: &Manifest,
    opts: &UpOptions,
    state_dir: &Path,
    lock: RunLock,
) -> Result<RunnerHandle, RunnerError> {
    finish_dead_run(state_dir, &lock);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("wharf-runner")
        .build()
        .map_err(|e| errors::runner_io("cannot start the runner's runtime", &e))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let run_id = format!("wharf-{}-{nanos:x}", std::process::id());
    let cgroup = (opts.cgroups && opts.driver == DriverKind::Process)
        .then(|| cgroup::create_run(&run_id))
        .flatten();
    let driver: Arc<dyn Driver> = match opts.driver {
        DriverKind::Process => Arc::new(ProcessDriver::new(&run_id, cgroup.clone())),
        DriverKind::Podman => Arc::new(PodmanDriver::new(&run_id, state_dir)),
    };
    let mut opts = opts.clone();
    opts.state_dir = Some(state_dir.to_path_buf());
    let _ = std::fs::remove_file(state_dir.join("runner.pid"));
    // Recorded before anything starts, so that a runner killed at any moment
    // leaves what `wharf down` needs to finish its run.
    write_record(
        state_dir,
        &RunRecord {
            pid: std::process::id(),
            start_time: start_time(std::process::id()).unwrap_or(0),
            run_id: run_id.clone(),
            driver: driver.name().to_string(),
            cgroup: cgroup.clone(),
        },
    )?;
    let runner = match rt.block_on(Runner::start(manifest, &opts, driver, &run_id)) {
        Ok(r) => r,
        Err(e) => {
            if let Some(dir) = &cgroup {
                cgroup::remove_tree(dir, Duration::from_secs(2));
            }
            clear_record(state_dir);
            return Err(e);
        }
    };
    let source = runner.snapshot_source();
    let path = state_dir.join("state.json");
    let mut changes = runner.changes();
    rt.spawn(async move {
        loop {
            write_state(&path, &source());
            tokio::select! {
                _ = changes.changed() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            // Coalesce bursts of changes into one write.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    Ok(RunnerHandle {
        rt,
        runner: Some(runner),
        state_dir: state_dir.to_path_buf(),
        cgroup,
        _lock: lock,
    })
}

/// Writes a snapshot atomically; a failed write is retried on the next change.
pub fn write_state(path: &Path, snapshot: &Snapshot) {
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(snapshot).unwrap_or_default();
    if std::fs::write(&tmp, text).is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}

/// Size-based rotation of `logs.jsonl`, like docker's `json-file` driver:
/// when the file would pass `max_size` bytes it becomes `logs.jsonl.1`
/// (older files move up one number) and at most `max_file` files are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLimits {
    pub max_size: u64,
    pub max_file: u32,
}

impl Default for LogLimits {
    /// Docker's `local` log driver defaults: 20 MB per file, 5 files.
    fn default() -> Self {
        LogLimits {
            max_size: 20 * 1024 * 1024,
            max_file: 5,
        }
    }
}

/// The path of the `n`th rotated log file (`logs.jsonl.<n>`).
pub fn rotated(path: &Path, n: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

struct RotatingLog {
    path: PathBuf,
    limits: LogLimits,
    file: Option<std::io::BufWriter<std::fs::File>>,
    size: u64,
}

impl RotatingLog {
    /// Starts a fresh log: this run's lines only.
    fn create(path: PathBuf, limits: LogLimits) -> RotatingLog {
        for n in 1..=limits.max_file.max(1) {
            let _ = std::fs::remove_file(rotated(&path, n));
        }
        let file = std::fs::File::create(&path)
            .ok()
            .map(std::io::BufWriter::new);
        RotatingLog {
            path,
            limits,
            file,
            size: 0,
        }
    }

    fn write(&mut self, line: &str) {
        let len = line.len() as u64 + 1;
        if self.size > 0 && self.size + len > self.limits.max_size {
            self.rotate();
        }
        if let Some(f) = self.file.as_mut() {
            if writeln!(f, "{line}").is_ok() {
                self.size += len;
            }
        }
    }

    fn rotate(&mut self) {
        if let Some(mut f) = self.file.take() {
            let _ = f.flush();
        }
        if self.limits.max_file > 1 {
            for n in (2..self.limits.max_file).rev() {
                let _ = std::fs::rename(rotated(&self.path, n - 1), rotated(&self.path, n));
            }
            let _ = std::fs::rename(&self.path, rotated(&self.path, 1));
        }
        self.file = std::fs::File::create(&self.path)
            .ok()
            .map(std::io::BufWriter::new);
        self.size = 0;
    }

    fn flush(&mut self) {
        if let Some(f) = self.file.as_mut() {
            let _ = f.flush();
        }
    }
}

/// Fans log records out to subscribers and appends them to `logs.jsonl`,
/// rotated by size, with secret values masked. Reads the bounded queue in batches; reports the lines
/// dropped because the queue was full.
pub(crate) async fn log_hub(
    mut rx: mpsc::Receiver<LogRecord>,
    dropped: Arc<std::sync::atomic::AtomicU64>,
    masks: super::driver::Masks,
    tx: broadcast::Sender<LogRecord>,
    state_dir: Option<PathBuf>,
    limits: LogLimits,
) {
    let mut file = state_dir.map(|d| RotatingLog::create(d.join("logs.jsonl"), limits));
    let mut batch = Vec::with_capacity(256);
    while rx.recv_many(&mut batch, 256).await > 0 {
        let lost = dropped.swap(0, std::sync::atomic::Ordering::Relaxed);
        if lost > 0 {
            batch.push(LogRecord {
                ts: batch.last().map_or(0, |r| r.ts),
                service: String::new(),
                task: String::new(),
                container: "wharf".into(),
                stream: super::driver::Stream::Runner,
                line: format!("{lost} runner log line(s) dropped: the log queue was full"),
            });
        }
        for r in batch.iter_mut() {
            masks.apply(&mut r.line);
        }
        if let Some(f) = file.as_mut() {
            for r in &batch {
                if let Ok(line) = serde_json::to_string(r) {
                    f.write(&line);
                }
            }
            f.flush();
        }
        for r in batch.drain(..) {
            let _ = tx.send(r);
        }
    }
}

impl RunnerHandle {
    pub fn snapshot(&self) -> Snapshot {
        self.runner().snapshot()
    }

    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&Snapshot) -> bool) -> bool {
        self.rt.block_on(self.runner().wait_for(timeout, pred))
    }

    pub fn stop_task(&self, id: &str) -> bool {
        self.runner().stop_task(id)
    }

    pub fn logs(&self) -> broadcast::Receiver<LogRecord> {
        self.runner().logs()
    }

    pub fn runtime(&self) -> &tokio::runtime::Runtime {
        &self.rt
    }

    pub fn runner(&self) -> &Runner {
        self.runner
            .as_ref()
            .expect("the runner lives until shutdown")
    }

    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// Graceful stop of every task; returns when all are STOPPED.
    pub fn shutdown(mut self) {
        if let Some(mut runner) = self.runner.take() {
            self.rt.block_on(runner.shutdown());
            write_state(&self.state_dir.join("state.json"), &runner.snapshot());
        }
        self.finish();
    }

    /// Removes the run's cgroup and the files that say the run is live.
    fn finish(&self) {
        if let Some(dir) = &self.cgroup {
            cgroup::remove_tree(dir, Duration::from_secs(5));
        }
        clear_record(&self.state_dir);
    }

    /// Graceful stop, unless `force` completes first (second Ctrl-C): then
    /// everything is killed at once. Returns whether it was forced.
    pub fn shutdown_until(mut self, force: impl std::future::Future<Output = ()>) -> bool {
        let Some(mut runner) = self.runner.take() else {
            return false;
        };
        let forced = self.rt.block_on(async {
            tokio::select! {
                _ = runner.shutdown() => false,
                _ = force => true,
            }
        });
        if forced {
            runner.force_kill();
        }
        write_state(&self.state_dir.join("state.json"), &runner.snapshot());
        self.finish();
        forced
    }

    pub fn force_kill(&self) {
        if let Some(r) = &self.runner {
            r.force_kill();
        }
    }
}

impl Drop for RunnerHandle {
    fn drop(&mut self) {
        if let Some(runner) = self.runner.take() {
            runner.force_kill();
            self.finish();
        }
    }
}
