//! A scripted driver for fast, deterministic tests of the runner's semantics
//! (with tokio's paused clock). Stage: runner, tests only in spirit but
//! public so integration tests can use it. Input: a [`Script`] per container
//! name. Output: simulated containers and a log of [`FakeEvent`]s.
//! Invariant: no process, file or socket is touched.

use super::driver::{ContainerSpec, Control, Driver, LogSink, Started, Stream, TaskSpec};
use super::RunnerError;
use crate::manifest::{HealthCommand, Manifest};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{oneshot, watch};
use tokio::time::Instant;

/// How a fake container behaves.
#[derive(Debug, Clone, Default)]
pub struct Script {
    /// Exit by itself with this code after this long.
    pub exit_after: Option<(Duration, i32)>,
    /// Health checks pass from this long after start (never if `None`).
    pub healthy_after: Option<Duration>,
    /// Health checks fail again from this long after start.
    pub unhealthy_after: Option<Duration>,
    /// SIGTERM is ignored; only SIGKILL stops it.
    pub ignores_sigterm: bool,
}

impl Script {
    pub fn long_running() -> Script {
        Script::default()
    }

    pub fn exits(after: Duration, code: i32) -> Script {
        Script {
            exit_after: Some((after, code)),
            ..Script::default()
        }
    }

    pub fn healthy(after: Duration) -> Script {
        Script {
            healthy_after: Some(after),
            ..Script::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FakeEvent {
    Started {
        task: String,
        container: String,
    },
    Terminated {
        task: String,
        container: String,
    },
    Killed {
        task: String,
        container: String,
    },
    Exited {
        task: String,
        container: String,
        code: i32,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sig {
    None,
    Term,
    Kill,
}

struct Live {
    started: Instant,
    script: Script,
    sig: watch::Sender<Sig>,
}

#[derive(Default)]
pub struct FakeDriver {
    scripts: Mutex<BTreeMap<String, Vec<Script>>>,
    events: Mutex<Vec<(Duration, FakeEvent)>>,
    live: Mutex<BTreeMap<String, Arc<Live>>>,
    origin: Mutex<Option<Instant>>,
}

struct FakeControl(watch::Sender<Sig>);

impl Control for FakeControl {
    fn terminate(&self) {
        self.0.send_if_modified(|s| {
            let change = *s == Sig::None;
            if change {
                *s = Sig::Term;
            }
            change
        });
    }

    fn kill(&self) {
        let _ = self.0.send(Sig::Kill);
    }
}

impl FakeDriver {
    pub fn new() -> Arc<FakeDriver> {
        Arc::new(FakeDriver::default())
    }

    /// Behaviour of the next starts of containers named `container`; the
    /// last script given repeats for later starts.
    pub fn script(&self, container: &str, scripts: Vec<Script>) {
        self.scripts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(container.into(), scripts);
    }

    pub fn events(&self) -> Vec<FakeEvent> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(_, e)| e.clone())
            .collect()
    }

    /// Events with the time since the first event.
    pub fn timed_events(&self) -> Vec<(Duration, FakeEvent)> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Simulates `kill -9` of a running container.
    pub fn crash(&self, task: &str, container: &str) -> bool {
        let key = format!("{task}/{container}");
        match self
            .live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            Some(l) => l.sig.send(Sig::Kill).is_ok(),
            None => false,
        }
    }

    fn record(&self, e: FakeEvent) {
        let now = Instant::now();
        let origin = *self
            .origin
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(now);
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((now - origin, e));
    }

    fn next_script(&self, container: &str) -> Script {
        let mut scripts = self.scripts.lock().unwrap_or_else(|e| e.into_inner());
        match scripts.get_mut(container) {
            Some(list) if list.len() > 1 => list.remove(0),
            Some(list) => list.first().cloned().unwrap_or_default(),
            None => Script::default(),
        }
    }
}

#[async_trait]
impl Driver for Arc<FakeDriver> {
    fn name(&self) -> &'static str {
        "fake"
    }

    fn preflight(&self, _manifest: &Manifest) -> Result<(), RunnerError> {
        Ok(())
    }

    async fn provision(&self, _task: &TaskSpec) -> Result<(), String> {
        Ok(())
    }

    async fn start(
        &self,
        task: &TaskSpec,
        c: &ContainerSpec,
        logs: LogSink,
    ) -> Result<Started, String> {
        let script = self.next_script(&c.name);
        let (sig, mut sig_rx) = watch::channel(Sig::None);
        let live = Arc::new(Live {
            started: Instant::now(),
            script: script.clone(),
            sig: sig.clone(),
        });
        let key = format!("{}/{}", task.id, c.name);
        self.live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.clone(), live);
        self.record(FakeEvent::Started {
            task: task.id.clone(),
            container: c.name.clone(),
        });
        logs.line(Stream::Stdout, format!("{} started", c.name));
        let (tx, rx) = oneshot::channel();
        let me = self.clone();
        let (task_id, name) = (task.id.clone(), c.name.clone());
        tokio::spawn(async move {
            let natural = async {
                match script.exit_after {
                    Some((after, code)) => {
                        tokio::time::sleep(after).await;
                        code
                    }
                    None => std::future::pending().await,
                }
            };
            let signalled = async {
                loop {
                    let s = *sig_rx.borrow_and_update();
                    match s {
                        Sig::Kill => {
                            me.record(FakeEvent::Killed {
                                task: task_id.clone(),
                                container: name.clone(),
                            });
                            return 137;
                        }
                        Sig::Term if !script.ignores_sigterm => {
                            me.record(FakeEvent::Terminated {
                                task: task_id.clone(),
                                container: name.clone(),
                            });
                            return 143;
                        }
                        _ => {}
                    }
                    if sig_rx.changed().await.is_err() {
                        return std::future::pending().await;
                    }
                }
            };
            let code = tokio::select! {
                c = natural => c,
                c = signalled => c,
            };
            me.live
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&key);
            me.record(FakeEvent::Exited {
                task: task_id,
                container: name,
                code,
            });
            let _ = tx.send(code);
        });
        Ok(Started {
            pid: None,
            control: Arc::new(FakeControl(sig)),
            exit: rx,
        })
    }

    async fn health_check(
        &self,
        task: &TaskSpec,
        c: &ContainerSpec,
        _cmd: &HealthCommand,
        _t: Duration,
    ) -> bool {
        let key = format!("{}/{}", task.id, c.name);
        let Some(live) = self
            .live
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned()
        else {
            return false;
        };
        let age = live.started.elapsed();
        let healthy = live.script.healthy_after.is_some_and(|h| age >= h);
        let sick = live.script.unhealthy_after.is_some_and(|u| age >= u);
        healthy && !sick
    }

    async fn deprovision(&self, _task: &TaskSpec) {}

    fn kill_everything(&self) {
        for l in self.live.lock().unwrap_or_else(|e| e.into_inner()).values() {
            let _ = l.sig.send(Sig::Kill);
        }
    }
}
