//! One task from PROVISIONING to STOPPED with ECS semantics. Stage: runner.
//! Input: a task definition and its resolved [`TaskSpec`]. Output: state
//! changes in the task's [`TaskView`], registrations with load balancers.
//! Invariants: a container starts only when every dependsOn condition holds
//! (a SUCCESS dependency exiting non-zero, or a dependency missing its
//! startTimeout, stops the waiting container with exit 143, never started);
//! an essential container stopping stops the task; containers stop in reverse
//! dependency order, SIGTERM then SIGKILL after stopTimeout.

use super::driver::{ContainerSpec, Control, LogSink, Stream, TaskSpec};
use super::health;
use super::state::{ContainerStatus, ContainerView, Health, TaskStatus, TaskView};
use super::Shared;
use crate::manifest::{
    Condition, Container, TaskDefinition, VolumeScope, DEFAULT_START_TIMEOUT_MS,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

/// Exit code given to a container whose dependency can never be met.
pub const DEPENDENCY_FAILED_EXIT: i32 = 143;

/// A task shared between its supervisor and its service.
pub struct Task {
    pub spec: TaskSpec,
    pub def: TaskDefinition,
    view: Mutex<TaskView>,
    stop_tx: watch::Sender<Option<String>>,
    running_since: Mutex<Option<Instant>>,
    ran: Mutex<Duration>,
}

impl Task {
    pub fn new(spec: TaskSpec, def: TaskDefinition) -> Arc<Task> {
        let containers = def
            .containers
            .iter()
            .map(|c| ContainerView {
                name: c.name.clone(),
                essential: c.essential,
                status: ContainerStatus::Pending,
                health: Health::Unknown,
                exit_code: None,
                reason: None,
                pid: None,
                started: false,
                has_health_check: c.health_check.is_some(),
            })
            .collect();
        let view = TaskView {
            id: spec.id.clone(),
            service: spec.service.clone(),
            family: spec.family.clone(),
            address: spec.address.to_string(),
            last_status: TaskStatus::Provisioning,
            desired_status: TaskStatus::Running,
            health: Health::Unknown,
            stopped_reason: None,
            containers,
            targets: Vec::new(),
        };
        Arc::new(Task {
            spec,
            def,
            view: Mutex::new(view),
            stop_tx: watch::channel(None).0,
            running_since: Mutex::new(None),
            ran: Mutex::new(Duration::ZERO),
        })
    }

    pub fn view(&self) -> TaskView {
        self.view.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Asks the task to stop (ECS StopTask); the first reason wins.
    pub fn stop(&self, reason: &str) {
        self.stop_tx.send_if_modified(|r| {
            if r.is_none() {
                *r = Some(reason.to_string());
                true
            } else {
                false
            }
        });
        self.update(|v| v.desired_status = TaskStatus::Stopped);
    }

    pub fn stop_requested(&self) -> bool {
        self.stop_tx.borrow().is_some()
    }

    /// How long the task has been RUNNING, if it is.
    pub fn running_for(&self) -> Option<Duration> {
        self.running_since
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .map(|t| t.elapsed())
    }

    /// When the task became RUNNING, if it is.
    pub fn running_since(&self) -> Option<Instant> {
        *self.running_since.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long the task was RUNNING before it began to stop.
    pub fn ran_for(&self) -> Duration {
        *self.ran.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn update(&self, f: impl FnOnce(&mut TaskView)) {
        f(&mut self.view.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// Per-container live state, watched by dependents and the supervisor.
struct Cells {
    cells: Vec<watch::Sender<ContainerView>>,
    controls: Mutex<Vec<Option<Arc<dyn Control>>>>,
    wake: Notify,
}

/// Runs a task to completion. Returns when it is STOPPED.
pub async fn run(shared: Arc<Shared>, task: Arc<Task>) {
    let set_status = |status: TaskStatus| {
        task.update(|v| v.last_status = status);
        shared.log_runner(
            &task.spec,
            &format!("task {} {}", task.spec.id, status.as_str()),
        );
        shared.bump();
    };
    set_status(TaskStatus::Provisioning);
    let provisioned = match &task.spec.init_error {
        Some(e) => Err(e.clone()),
        None => shared
            .driver
            .provision(&task.spec)
            .await
            .map_err(|e| format!("CannotPullContainerError: {e}")),
    };
    if let Err(reason) = provisioned {
        task.stop(&reason);
        task.update(|v| v.stopped_reason = Some(reason.clone()));
        shared.log_runner(
            &task.spec,
            &format!("task {} stopping: {reason}", task.spec.id),
        );
        set_status(TaskStatus::Deprovisioning);
        shared.driver.deprovision(&task.spec).await;
        remove_task_volumes(&shared, &task);
        finish(&shared, &task);
        return;
    }
    shared.metadata.register(&task);
    set_status(TaskStatus::Pending);

    let cells = Arc::new(Cells {
        cells: task
            .view()
            .containers
            .into_iter()
            .map(|c| watch::channel(c).0)
            .collect(),
        controls: Mutex::new(vec![None; task.def.containers.len()]),
        wake: Notify::new(),
    });
    let (cancel_tx, cancel_rx) = watch::channel(false);
    for i in 0..task.def.containers.len() {
        tokio::spawn(container_life(
            shared.clone(),
            task.clone(),
            cells.clone(),
            i,
            cancel_rx.clone(),
        ));
    }

    let mut stop_rx = task.stop_tx.subscribe();
    let mut registered = false;
    let reason = loop {
        sync_view(&shared, &task, &cells);
        let views: Vec<ContainerView> = cells.cells.iter().map(|c| c.borrow().clone()).collect();
        if let Some(r) = stop_rx.borrow_and_update().clone() {
            break r;
        }
        if let Some(c) = views
            .iter()
            .find(|c| c.essential && c.status == ContainerStatus::Stopped)
        {
            break format!(
                "Essential container in task exited: `{}` ({})",
                c.name,
                exit_text(c)
            );
        }
        if views.iter().all(|c| c.status == ContainerStatus::Stopped) {
            break "All containers in task exited".to_string();
        }
        let essentials_up = views
            .iter()
            .filter(|c| c.essential)
            .all(|c| c.status == ContainerStatus::Running);
        if !registered && essentials_up {
            set_status(TaskStatus::Activating);
            shared.net.register(&task);
            registered = true;
            *task.running_since.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
            set_status(TaskStatus::Running);
        }
        tokio::select! {
            _ = cells.wake.notified() => {}
            _ = stop_rx.changed() => {}
        }
    };
    task.stop(&reason);
    task.update(|v| v.stopped_reason = Some(reason.clone()));
    shared.log_runner(
        &task.spec,
        &format!("task {} stopping: {reason}", task.spec.id),
    );

    if registered {
        set_status(TaskStatus::Deactivating);
        shared.net.deregister(&task, shared.drain_cap()).await;
    }
    if let Some(since) = task
        .running_since
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
    {
        *task.ran.lock().unwrap_or_else(|e| e.into_inner()) = since.elapsed();
    }
    set_status(TaskStatus::Stopping);
    let _ = cancel_tx.send(true);
    stop_containers(&shared, &task, &cells).await;
    sync_view(&shared, &task, &cells);
    set_status(TaskStatus::Deprovisioning);
    shared.driver.deprovision(&task.spec).await;
    remove_task_volumes(&shared, &task);
    shared.metadata.unregister(&task.spec.id);
    finish(&shared, &task);
}

/// Task-scoped volumes end with their task, as ECS bind volumes do.
fn remove_task_volumes(shared: &Shared, task: &Task) {
    if task
        .def
        .volumes
        .iter()
        .any(|v| v.scope == VolumeScope::Task)
    {
        let _ = std::fs::remove_dir_all(super::spec::task_volumes(shared, &task.spec.id));
    }
}

fn finish(shared: &Shared, task: &Task) {
    task.update(|v| {
        v.last_status = TaskStatus::Stopped;
        v.targets.clear();
        // As in ECS, a stopped task and its stopped containers have no health.
        v.health = Health::Unknown;
        for c in &mut v.containers {
            c.health = Health::Unknown;
        }
    });
    shared.log_runner(&task.spec, &format!("task {} STOPPED", task.spec.id));
    shared.bump();
}

fn exit_text(c: &ContainerView) -> String {
    match (c.exit_code, &c.reason) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(r)) => r.clone(),
        (None, None) => "no exit code".into(),
    }
}

/// Copies container cells into the task view and recomputes task health.
fn sync_view(shared: &Shared, task: &Task, cells: &Cells) {
    let mut views: Vec<ContainerView> = cells.cells.iter().map(|c| c.borrow().clone()).collect();
    let health = task_health(&task.def, &views);
    // A stopped container shows no health (ECS reports UNKNOWN), whatever its last check said.
    for c in views
        .iter_mut()
        .filter(|c| c.status == ContainerStatus::Stopped)
    {
        c.health = Health::Unknown;
    }
    task.update(|v| {
        v.containers = views;
        v.health = if v.last_status == TaskStatus::Stopped {
            Health::Unknown
        } else {
            health
        };
    });
    shared.bump();
}

/// Task health comes from essential containers with a health check only.
pub fn task_health(def: &TaskDefinition, views: &[ContainerView]) -> Health {
    let checked: Vec<&ContainerView> = def
        .containers
        .iter()
        .zip(views)
        .filter(|(c, _)| c.essential && c.health_check.is_some())
        .map(|(_, v)| v)
        .collect();
    if checked.iter().any(|v| v.health == Health::Unhealthy) {
        Health::Unhealthy
    } else if !checked.is_empty() && checked.iter().all(|v| v.health == Health::Healthy) {
        Health::Healthy
    } else {
        Health::Unknown
    }
}

fn set_cell(cells: &Cells, i: usize, f: impl FnOnce(&mut ContainerView)) {
    cells.cells[i].send_modify(f);
    cells.wake.notify_one();
}

async fn container_life(
    shared: Arc<Shared>,
    task: Arc<Task>,
    cells: Arc<Cells>,
    i: usize,
    mut cancel: watch::Receiver<bool>,
) {
    let def: &Container = &task.def.containers[i];
    let spec: &ContainerSpec = &task.spec.containers[i];
    let waited = tokio::select! {
        r = wait_dependencies(&task.def, def, &cells) => r,
        _ = cancel.wait_for(|c| *c) => Err(None),
    };
    match waited {
        Ok(()) => {}
        Err(Some(reason)) => {
            shared.log_runner(
                &task.spec,
                &format!("container {} not started: {reason}", def.name),
            );
            set_cell(&cells, i, |v| {
                v.status = ContainerStatus::Stopped;
                v.exit_code = Some(DEPENDENCY_FAILED_EXIT);
                v.reason = Some(reason);
            });
            return;
        }
        Err(None) => {
            set_cell(&cells, i, |v| {
                v.status = ContainerStatus::Stopped;
                v.reason = Some("task stopped before the container started".into());
            });
            return;
        }
    }
    let sink = LogSink::new(
        shared.logs.clone(),
        &task.spec.service,
        &task.spec.id,
        &def.name,
    );
    let started = match shared.driver.start(&task.spec, spec, sink).await {
        Ok(s) => s,
        Err(e) => {
            shared.log_runner(
                &task.spec,
                &format!("container {} cannot start: {e}", def.name),
            );
            set_cell(&cells, i, |v| {
                v.status = ContainerStatus::Stopped;
                v.reason = Some(format!("CannotStartContainerError: {e}"));
            });
            return;
        }
    };
    for m in &spec.mounts {
        let how = if shared.driver.name() == "process" {
            format!(
                "is {} (${}; the process driver cannot mount it at {}{})",
                m.host_dir.display(),
                super::driver::volume_var(&m.volume),
                m.container_path,
                if m.read_only {
                    ", nor make it read-only"
                } else {
                    ""
                }
            )
        } else {
            format!(
                "{} is mounted at {}{}",
                m.host_dir.display(),
                m.container_path,
                if m.read_only { " read-only" } else { "" }
            )
        };
        shared.log_runner(
            &task.spec,
            &format!("container {} volume `{}` {how}", def.name, m.volume),
        );
    }
    cells.controls.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(started.control.clone());
    set_cell(&cells, i, |v| {
        v.status = ContainerStatus::Running;
        v.started = true;
        v.pid = started.pid;
    });
    if let Some(check) = &def.health_check {
        let status_rx = cells.cells[i].subscribe();
        let cells2 = cells.clone();
        let on_health = move |h: Health| set_cell(&cells2, i, |v| v.health = h);
        tokio::spawn(health::run_container_check(
            shared.clone(),
            task.clone(),
            i,
            check.clone(),
            status_rx,
            on_health,
        ));
    }
    let code = started.exit.await.unwrap_or(255);
    shared.log_runner(
        &task.spec,
        &format!("container {} exited with code {code}", def.name),
    );
    set_cell(&cells, i, |v| {
        v.status = ContainerStatus::Stopped;
        v.exit_code = Some(code);
    });
}

/// Waits until every dependsOn condition of `c` holds. `Err(Some(reason))`
/// when one can never hold or its dependency's startTimeout passes.
async fn wait_dependencies(
    def: &TaskDefinition,
    c: &Container,
    cells: &Cells,
) -> Result<(), Option<String>> {
    for dep in &c.depends_on {
        let Some(j) = def
            .containers
            .iter()
            .position(|x| x.name == dep.container_name)
        else {
            return Err(Some(format!("unknown dependency `{}`", dep.container_name)));
        };
        let timeout = Duration::from_millis(
            def.containers[j]
                .start_timeout_ms
                .unwrap_or(DEFAULT_START_TIMEOUT_MS),
        );
        let mut rx = cells.cells[j].subscribe();
        let cond = dep.condition;
        let name = dep.container_name.clone();
        let verdict = tokio::time::timeout(timeout, async {
            loop {
                if let Some(v) = judge(cond, &rx.borrow_and_update()) {
                    return v;
                }
                if rx.changed().await.is_err() {
                    return Err(format!("dependency `{name}` went away"));
                }
            }
        })
        .await;
        match verdict {
            Ok(Ok(())) => {}
            Ok(Err(reason)) => return Err(Some(reason)),
            Err(_) => {
                return Err(Some(format!(
                    "dependency `{}` did not reach {} within its startTimeout of {} ms",
                    dep.container_name,
                    cond.as_str(),
                    timeout.as_millis()
                )))
            }
        }
    }
    Ok(())
}

/// `Some(Ok)` when the condition holds, `Some(Err)` when it never can, `None` to keep waiting.
fn judge(cond: Condition, v: &ContainerView) -> Option<Result<(), String>> {
    let stopped = v.status == ContainerStatus::Stopped;
    match cond {
        Condition::Start if v.started => Some(Ok(())),
        Condition::Complete if stopped && v.started => Some(Ok(())),
        Condition::Success if stopped && v.exit_code == Some(0) => Some(Ok(())),
        Condition::Success if stopped && v.started => Some(Err(format!(
            "dependency `{}` exited with code {} but SUCCESS needs 0",
            v.name,
            v.exit_code.map_or("none".into(), |c| c.to_string())
        ))),
        Condition::Healthy if v.health == Health::Healthy => Some(Ok(())),
        Condition::Healthy if stopped => Some(Err(format!(
            "dependency `{}` stopped before it was HEALTHY",
            v.name
        ))),
        _ if stopped => Some(Err(format!(
            "dependency `{}` stopped without starting",
            v.name
        ))),
        _ => None,
    }
}

/// Stops running containers in reverse dependency order: a container gets
/// SIGTERM once every container depending on it has stopped, then SIGKILL
/// after its stopTimeout.
async fn stop_containers(shared: &Shared, task: &Task, cells: &Cells) {
    let n = task.def.containers.len();
    let mut signalled = vec![false; n];
    loop {
        let views: Vec<ContainerView> = cells.cells.iter().map(|c| c.borrow().clone()).collect();
        if views.iter().all(|v| v.status == ContainerStatus::Stopped) {
            return;
        }
        for i in 0..n {
            if signalled[i] || views[i].status != ContainerStatus::Running {
                continue;
            }
            let name = &task.def.containers[i].name;
            let dependents_done = task
                .def
                .containers
                .iter()
                .zip(&views)
                .filter(|(c, _)| c.depends_on.iter().any(|d| &d.container_name == name))
                .all(|(_, v)| v.status == ContainerStatus::Stopped);
            if !dependents_done {
                continue;
            }
            let control = cells.controls.lock().unwrap_or_else(|e| e.into_inner())[i].clone();
            if let Some(control) = control {
                signalled[i] = true;
                shared.log_runner(&task.spec, &format!("container {name}: SIGTERM"));
                control.terminate();
                let grace = Duration::from_millis(task.def.containers[i].stop_timeout_ms);
                let mut rx = cells.cells[i].subscribe();
                let log = shared.runner_sink(&task.spec);
                let name = name.clone();
                tokio::spawn(async move {
                    let stopped = rx.wait_for(|v| v.status == ContainerStatus::Stopped);
                    if tokio::time::timeout(grace, stopped).await.is_err() {
                        log.line(
                            Stream::Runner,
                            format!("container {name}: SIGKILL after stopTimeout"),
                        );
                        control.kill();
                    }
                });
            }
        }
        cells.wake.notified().await;
    }
}
