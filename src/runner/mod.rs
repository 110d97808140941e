//! The local runner: executes a local manifest with ECS semantics. Stage:
//! runner (beside `cli`, the only layer that spawns processes, binds ports
//! and reads the environment). Input: a validated [`Manifest`] — never the
//! IR. Output: running tasks, local load balancers, discovery addresses, a
//! metadata endpoint, logs and [`Snapshot`]s (`.wharf/state.json`).
//! Invariants: all semantics sit above the [`Driver`] trait; shutdown stops
//! every task (reverse dependency order, SIGTERM, SIGKILL after
//! stopTimeout) and leaves no process behind.

pub mod cgroup;
pub mod driver;
pub mod errors;
pub mod fake;
mod health;
pub mod job;
mod lb;
mod metadata;
mod net;
pub mod platform;
pub mod podman;
pub mod process;
pub mod project;
mod proxy;
pub mod reaper;
pub mod secrets;
mod service;
mod spec;
pub mod state;
mod targets;
mod task;
mod up;

pub use driver::{Driver, LogRecord, Stream};
pub use health::HealthState;
pub use lb::glob;
pub use net::discovery_var;
pub use service::backoff;
pub use state::{Health, Snapshot, TaskStatus};
pub use task::DEPENDENCY_FAILED_EXIT;
pub use up::{
    rotated as rotated_log, up_locked, up_manifest, DriverKind, LogLimits, RunnerHandle, UpOptions,
};

use crate::diag::Code;
use crate::manifest::Manifest;
use driver::{LogSink, TaskSpec};
use metadata::Metadata;
use net::Network;
use service::ServiceRt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// A runner failure: a code from E0601-E0605, a message and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerError {
    pub code: Code,
    pub message: String,
    pub help: String,
}

impl RunnerError {
    pub fn new(code: Code, message: impl Into<String>, help: impl Into<String>) -> RunnerError {
        RunnerError {
            code,
            message: message.into(),
            help: help.into(),
        }
    }
}

impl std::fmt::Display for RunnerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "error[{}]: {}\n  = help: {}",
            self.code.as_str(),
            self.message,
            self.help
        )
    }
}

/// What every supervisor of a run shares.
pub struct Shared {
    pub manifest: Manifest,
    pub driver: Arc<dyn Driver>,
    pub opts: UpOptions,
    pub run_id: String,
    pub(crate) net: Network,
    pub(crate) metadata: Arc<Metadata>,
    pub(crate) logs: driver::LogQueue,
    pub(crate) hosts_file: Option<PathBuf>,
    changes: Arc<watch::Sender<u64>>,
    stopping: std::sync::atomic::AtomicBool,
}

/// Longest drain of a target while the whole run stops: an idle keep-alive
/// connection must not hold `wharf down` for the full deregistration delay.
const SHUTDOWN_DRAIN: Duration = Duration::from_secs(5);

impl Shared {
    /// The drain bound in force: `None` normally, [`SHUTDOWN_DRAIN`] at shutdown.
    pub(crate) fn drain_cap(&self) -> Option<Duration> {
        self.stopping
            .load(std::sync::atomic::Ordering::SeqCst)
            .then_some(SHUTDOWN_DRAIN)
    }

    /// Tells every watcher that some state changed.
    pub fn bump(&self) {
        self.changes.send_modify(|g| *g = g.wrapping_add(1));
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Where the runner's own lines about a task go.
    fn runner_sink(&self, spec: &TaskSpec) -> LogSink {
        LogSink::new(self.logs.clone(), &spec.service, &spec.id, "wharf")
    }

    pub(crate) fn log_runner(&self, spec: &TaskSpec, line: &str) {
        self.runner_sink(spec)
            .line(Stream::Runner, line.to_string());
    }

    pub(crate) fn log_service(&self, service: &str, line: &str) {
        LogSink::new(self.logs.clone(), service, "", "wharf")
            .line(Stream::Runner, line.to_string());
    }
}

/// A started run: services under their schedulers. Async API; the CLI and
/// integration tests use the blocking [`RunnerHandle`].
pub struct Runner {
    shared: Arc<Shared>,
    services: Vec<Arc<ServiceRt>>,
    jobs: Vec<Arc<job::JobRt>>,
    shutdown: watch::Sender<bool>,
    controllers: Vec<tokio::task::JoinHandle<()>>,
    log_tx: broadcast::Sender<LogRecord>,
    /// Subscribed before any task starts, handed to the first `logs()` caller
    /// (the foreground printer) so it misses no early line.
    first_logs: std::sync::Mutex<Option<broadcast::Receiver<LogRecord>>>,
}

impl Runner {
    /// Checks the driver, binds every listener and starts every service.
    pub async fn start(
        manifest: &Manifest,
        opts: &UpOptions,
        driver: Arc<dyn Driver>,
        run_id: &str,
    ) -> Result<Runner, RunnerError> {
        platform::check(manifest)?;
        driver.preflight(manifest)?;
        let jobs: Vec<Arc<job::JobRt>> = manifest
            .jobs
            .iter()
            .filter_map(|j| job::JobRt::new(manifest, j))
            .collect();
        for j in jobs.iter().filter(|j| j.schedule().is_some()) {
            platform::check(&j.preflight_manifest())?;
            driver.preflight(&j.preflight_manifest())?;
        }
        let env = |name: &str| std::env::var(name).ok();
        secrets::resolve(
            manifest,
            &secrets::Sources {
                given: &opts.secrets.pairs(),
                files: &[],
                env: &env,
            },
        )?;
        reaper::become_subreaper();
        reaper::sweep_dead_runs();
        let changes = Arc::new(watch::channel(0u64).0);
        let bump = {
            let changes = changes.clone();
            Arc::new(move || changes.send_modify(|g| *g = g.wrapping_add(1)))
                as Arc<dyn Fn() + Send + Sync>
        };
        let net = Network::start(manifest, opts.task_subnet, opts.discovery_subnet, bump).await?;
        let metadata = Metadata::start()
            .await
            .map_err(|e| errors::runner_io("the metadata endpoint cannot listen", &e))?;
        let hosts_file = match &opts.state_dir {
            Some(dir) => {
                let path = dir.join("hosts");
                let text: String = net
                    .hosts()
                    .iter()
                    .map(|(name, ip)| format!("{ip} {name}\n"))
                    .collect();
                std::fs::write(&path, text)
                    .map_err(|e| errors::runner_io("cannot write the hosts file", &e))?;
                Some(path)
            }
            None => None,
        };
        let (logs, log_rx) = driver::LogQueue::new(driver::LOG_QUEUE);
        let (log_tx, first_logs) = broadcast::channel(driver::LOG_QUEUE);
        for (_, value) in opts.secrets.pairs() {
            logs.masks.add(&value);
        }
        tokio::spawn(up::log_hub(
            log_rx,
            logs.dropped.clone(),
            logs.masks.clone(),
            log_tx.clone(),
            opts.state_dir.clone(),
            opts.log_limits,
        ));
        let shared = Arc::new(Shared {
            manifest: manifest.clone(),
            driver,
            opts: opts.clone(),
            run_id: run_id.to_string(),
            net,
            metadata,
            logs,
            hosts_file,
            changes,
            stopping: std::sync::atomic::AtomicBool::new(false),
        });
        let ledger = opts.own_process.then(|| opts.state_dir.clone()).flatten();
        tokio::spawn(async move {
            // Daemons re-parented to the runner (a subreaper) are reaped as they
            // die; a runner that owns its process records its descendants, so
            // that `wharf down` can finish the run should the runner be killed.
            let mut last = Vec::new();
            loop {
                tokio::time::sleep(Duration::from_millis(500)).await;
                reaper::reap_orphans();
                if let Some(dir) = &ledger {
                    let now = reaper::descendants();
                    if now != last {
                        project::write_pids(dir, &now);
                        last = now;
                    }
                }
            }
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let services: Vec<Arc<ServiceRt>> = manifest
            .services
            .iter()
            .cloned()
            .map(ServiceRt::new)
            .collect();
        let mut controllers: Vec<tokio::task::JoinHandle<()>> = services
            .iter()
            .map(|s| {
                tokio::spawn(service::control(
                    shared.clone(),
                    s.clone(),
                    shutdown_rx.clone(),
                ))
            })
            .collect();
        controllers.extend(
            jobs.iter().filter(|j| j.schedule().is_some()).map(|j| {
                tokio::spawn(job::control(shared.clone(), j.clone(), shutdown_rx.clone()))
            }),
        );
        Ok(Runner {
            shared,
            services,
            jobs,
            shutdown,
            controllers,
            log_tx,
            first_logs: std::sync::Mutex::new(Some(first_logs)),
        })
    }

    pub fn snapshot(&self) -> Snapshot {
        (self.snapshot_source())()
    }

    /// A closure that builds snapshots, for tasks that outlive a borrow.
    pub fn snapshot_source(&self) -> impl Fn() -> Snapshot + Send + Sync + 'static {
        let shared = self.shared.clone();
        let services = self.services.clone();
        let jobs = self.jobs.clone();
        let stopping = self.shutdown.subscribe();
        move || Snapshot {
            runner_pid: std::process::id(),
            driver: shared.driver.name().to_string(),
            metadata_endpoint: shared.metadata.base(),
            listeners: shared.net.listeners.clone(),
            services: services.iter().map(|s| s.view(&shared)).collect(),
            jobs: jobs.iter().map(|j| j.view()).collect(),
            stopping: *stopping.borrow(),
        }
    }

    /// Log lines (container output and runner events): from the start of the
    /// run for the first caller, from now on for later ones.
    pub fn logs(&self) -> broadcast::Receiver<LogRecord> {
        let first = self
            .first_logs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        first.unwrap_or_else(|| self.log_tx.subscribe())
    }

    pub fn changes(&self) -> watch::Receiver<u64> {
        self.shared.subscribe()
    }

    /// Waits until `pred` holds for a snapshot, or `timeout` passes.
    pub async fn wait_for(&self, timeout: Duration, pred: impl Fn(&Snapshot) -> bool) -> bool {
        let mut changes = self.changes();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if pred(&self.snapshot()) {
                return true;
            }
            let tick = tokio::time::sleep(Duration::from_millis(100));
            tokio::select! {
                _ = changes.changed() => {}
                _ = tick => {}
                _ = tokio::time::sleep_until(deadline) => return pred(&self.snapshot()),
            }
        }
    }

    /// Stops a task as `aws ecs stop-task` does; its service replaces it.
    pub fn stop_task(&self, id: &str) -> bool {
        self.services
            .iter()
            .any(|s| s.stop_task(id, "Task stopped by user"))
    }

    /// Stops every service gracefully and waits until all tasks are STOPPED.
    pub async fn shutdown(&mut self) {
        self.shared
            .stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = self.shutdown.send(true);
        for c in self.controllers.drain(..) {
            let _ = c.await;
        }
        for j in &self.jobs {
            j.stop_all(&self.shared, "Runner shutting down").await;
        }
        self.shared.driver.kill_everything();
        if self.shared.opts.own_process {
            reaper::kill_descendants();
        }
        reaper::reap_orphans();
    }

    /// Second Ctrl-C: SIGKILL everything now.
    pub fn force_kill(&self) {
        self.shared
            .stopping
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = self.shutdown.send(true);
        for s in &self.services {
            for t in s.tasks() {
                t.stop("Runner forced to stop");
            }
        }
        for j in &self.jobs {
            j.force_stop("Runner forced to stop");
        }
        self.shared.driver.kill_everything();
        if self.shared.opts.own_process {
            reaper::kill_descendants();
        }
        reaper::reap_orphans();
    }

    /// Runs the job `name` now (`wharf run`): its tasks to completion.
    /// `None` when the manifest has no such job.
    pub async fn run_job(&self, name: &str) -> Option<Result<Vec<state::TaskView>, RunnerError>> {
        let j = self.jobs.iter().find(|j| j.def.name == name)?.clone();
        Some(job::run_now(self.shared.clone(), j).await)
    }

    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}
