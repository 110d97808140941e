//! The service scheduler: holds a service at its desired count. Stage:
//! runner. Input: a service definition and task events. Output: launched
//! and stopped tasks. Invariants: a task that stopped on its own or failed
//! container or target health checks is replaced, with a delay that doubles
//! on each consecutive failure (reset once a task stayed RUNNING for
//! `backoff_reset`); stopping tasks do not count toward the desired count,
//! so a replacement starts while the old task drains.

use super::spec;
use super::state::{Health, ServiceView, TargetHealth, TaskStatus, TaskView};
use super::task::{self, Task};
use super::Shared;
use crate::manifest::Service;
use std::collections::{BTreeSet, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// How many stopped tasks a service remembers for `ps`.
const HISTORY: usize = 10;

pub struct ServiceRt {
    pub def: Service,
    desired: AtomicU32,
    tasks: Mutex<Vec<Arc<Task>>>,
    stopped: Mutex<VecDeque<TaskView>>,
    /// Tasks the scheduler stopped on purpose (scale-in, shutdown): no backoff.
    deliberate: Mutex<BTreeSet<String>>,
    seq: AtomicU32,
    /// Why the last task could not be started, until one is.
    problem: Mutex<Option<String>>,
}

impl ServiceRt {
    pub fn new(def: Service) -> Arc<ServiceRt> {
        Arc::new(ServiceRt {
            desired: AtomicU32::new(def.desired_count),
            def,
            tasks: Mutex::new(Vec::new()),
            stopped: Mutex::new(VecDeque::new()),
            deliberate: Mutex::new(BTreeSet::new()),
            seq: AtomicU32::new(0),
            problem: Mutex::new(None),
        })
    }

    pub fn tasks(&self) -> Vec<Arc<Task>> {
        self.tasks.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn view(&self, shared: &Shared) -> ServiceView {
        let tasks: Vec<TaskView> = self
            .tasks()
            .iter()
            .map(|t| {
                let mut v = t.view();
                v.targets = shared.net.targets_of(&v.id);
                v
            })
            .collect();
        let running_count = tasks
            .iter()
            .filter(|t| t.last_status == TaskStatus::Running)
            .count() as u32;
        let healthy_count = tasks.iter().filter(|t| t.is_healthy()).count() as u32;
        let names: Vec<String> = shared
            .net
            .discovery()
            .iter()
            .filter(|d| d.service == self.def.name)
            .map(|d| format!("{} -> {}", d.name, d.addr))
            .collect();
        let discovery = (!names.is_empty()).then(|| names.join(", "));
        ServiceView {
            name: self.def.name.clone(),
            desired_count: self.desired.load(Ordering::SeqCst),
            running_count,
            healthy_count,
            discovery,
            tasks: tasks
                .into_iter()
                .filter(|t| t.desired_status == TaskStatus::Running)
                .collect(),
            stopped: self
                .stopped
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .cloned()
                .collect(),
            problem: self
                .problem
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        }
    }

    /// Stops one task by id, as `aws ecs stop-task` would; the service replaces it.
    pub fn stop_task(&self, id: &str, reason: &str) -> bool {
        match self.tasks().into_iter().find(|t| t.spec.id == id) {
            Some(t) => {
                t.stop(reason);
                true
            }
            None => false,
        }
    }

    fn launch(self: &Arc<Self>, shared: &Arc<Shared>) -> bool {
        let n = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let id = format!("{}-{n}", self.def.name);
        let spec = match spec::task_spec(shared, &self.def, &id) {
            Ok(spec) => spec,
            Err(why) => {
                let mut problem = self.problem.lock().unwrap_or_else(|e| e.into_inner());
                // Said once, not at every retry.
                if problem.as_deref() != Some(why.as_str()) {
                    shared.log_service(&self.def.name, &format!("cannot start a task: {why}"));
                    *problem = Some(why);
                    shared.bump();
                }
                return false;
            }
        };
        *self.problem.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let Some(def) = shared.manifest.task(&self.def.task).cloned() else {
            return false;
        };
        let task = Task::new(spec, def);
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(task.clone());
        tokio::spawn(task::run(shared.clone(), task));
        shared.bump();
        true
    }
}

/// Backoff before the next launch after `failures` consecutive failures.
pub fn backoff(failures: u32, base: Duration, max: Duration) -> Duration {
    if failures == 0 {
        return Duration::ZERO;
    }
    let factor = 1u32
        .checked_shl(failures.saturating_sub(1).min(20))
        .unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(max)
}

/// Runs the scheduler until shutdown has stopped every task.
pub async fn control(
    shared: Arc<Shared>,
    svc: Arc<ServiceRt>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut changes = shared.subscribe();
    let mut failures = 0u32;
    let mut last_failure: Option<Instant> = None;
    let mut next_start = Instant::now();
    loop {
        // Reap stopped tasks.
        let stopped: Vec<Arc<Task>> = {
            let mut tasks = svc.tasks.lock().unwrap_or_else(|e| e.into_inner());
            let (done, live): (Vec<_>, Vec<_>) = tasks
                .drain(..)
                .partition(|t| t.view().last_status == TaskStatus::Stopped);
            *tasks = live;
            done
        };
        for t in stopped {
            shared.net.release(t.spec.address);
            let deliberate = svc
                .deliberate
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&t.spec.id);
            if !deliberate && !*shutdown.borrow() {
                let ran = t.ran_for();
                failures = if ran >= shared.opts.backoff_reset {
                    1
                } else {
                    failures + 1
                };
                let delay = backoff(failures, shared.opts.backoff_base, shared.opts.backoff_max);
                last_failure = Some(Instant::now());
                next_start = Instant::now() + delay;
                shared.log_service(
                    &svc.def.name,
                    &format!("replacing task {} in {} ms", t.spec.id, delay.as_millis()),
                );
            }
            let mut hist = svc.stopped.lock().unwrap_or_else(|e| e.into_inner());
            hist.push_back(t.view());
            while hist.len() > HISTORY {
                hist.pop_front();
            }
        }
        let live = svc.tasks();
        if *shutdown.borrow() {
            for t in &live {
                svc.deliberate
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(t.spec.id.clone());
                t.stop("Runner shutting down");
            }
            if live.is_empty() {
                shared.bump();
                return;
            }
        } else {
            for t in live.iter().filter(|t| !t.stop_requested()) {
                let view = t.view();
                let grace = Duration::from_millis(svc.def.health_check_grace_period_ms);
                if view.health == Health::Unhealthy {
                    t.stop("Task failed container health checks");
                } else if view.last_status == TaskStatus::Running
                    && t.running_for().is_some_and(|d| d >= grace)
                    && shared.net.targets_of(&t.spec.id).iter().any(|x| {
                        x.health == TargetHealth::Unhealthy
                            && !x.load_balancer.starts_with("discovery:")
                            && !x.load_balancer.starts_with("connect:")
                    })
                {
                    t.stop("Task failed ELB health checks");
                }
            }
            let active: Vec<&Arc<Task>> = live.iter().filter(|t| !t.stop_requested()).collect();
            let desired = svc.desired.load(Ordering::SeqCst) as usize;
            if active.len() < desired && Instant::now() >= next_start {
                for _ in active.len()..desired {
                    if !svc.launch(&shared) {
                        next_start = Instant::now() + shared.opts.backoff_base;
                        break;
                    }
                }
            } else if active.len() > desired {
                for t in active.iter().rev().take(active.len() - desired) {
                    svc.deliberate
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(t.spec.id.clone());
                    t.stop("Scaling activity initiated by the service");
                }
            }
            // Only a task that became RUNNING after the last failure and has
            // stayed up resets the count: a long-lived sibling says nothing
            // about whether the replacements are still failing.
            if failures > 0
                && live.iter().any(|t| {
                    t.running_since().is_some_and(|since| {
                        last_failure.is_none_or(|f| since > f)
                            && since.elapsed() >= shared.opts.backoff_reset
                    })
                })
            {
                failures = 0;
            }
        }
        let wake_at = if next_start > Instant::now() {
            next_start
        } else {
            Instant::now() + Duration::from_secs(1)
        };
        tokio::select! {
            _ = changes.changed() => {}
            _ = shutdown.changed() => {}
            _ = tokio::time::sleep_until(wake_at) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(30);
        assert_eq!(backoff(0, base, max), Duration::ZERO);
        assert_eq!(backoff(1, base, max), Duration::from_secs(1));
        assert_eq!(backoff(3, base, max), Duration::from_secs(4));
        assert_eq!(backoff(10, base, max), max);
        assert_eq!(backoff(100, base, max), max);
    }
}
