//! Jobs: tasks run to completion, never replaced. Stage: runner. Input: a
//! manifest job (its task definition with the overrides applied, as RunTask
//! applies container overrides) and, for a scheduled job, its schedule.
//! Output: tasks started on demand (`wharf run`) or when the schedule fires
//! (`wharf up`), and a [`JobView`] per job in the snapshot.
//!
//! Invariants: a job's task runs under the same task supervisor as a
//! service's (dependsOn, essential exit, stopTimeout); a stopped job task is
//! kept in the job's history, not restarted; schedules fire at the times
//! `crate::cron` computes (a rate counts from the start of the run, as a
//! schedule counts from its creation), and a run missed while the machine
//! slept is skipped, not caught up; at shutdown every job task is stopped
//! like a service's.

use super::spec;
use super::state::{TaskStatus, TaskView};
use super::task::{self, Task};
use super::{RunnerError, Shared};
use crate::manifest::{Job, Manifest, Schedule, Service, TaskDefinition, When};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// How many stopped tasks a job remembers for `ps` and `state.json`.
const HISTORY: usize = 20;

/// What `wharf ps` and `state.json` show of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    pub name: String,
    /// The schedule that fires it, described (`cron(0 3 * * ? *) UTC`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// When it fires next (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_run: Option<String>,
    /// Tasks started so far in this run.
    pub started: u32,
    pub tasks: Vec<TaskView>,
    pub stopped: Vec<TaskView>,
}

pub struct JobRt {
    pub def: Job,
    /// The job's task definition with its overrides applied.
    pub task_def: TaskDefinition,
    schedule: Option<Schedule>,
    live: Mutex<Vec<Arc<Task>>>,
    stopped: Mutex<VecDeque<TaskView>>,
    seq: AtomicU32,
    next_run: Mutex<Option<String>>,
}

/// The task definition a job runs: RunTask's container overrides applied.
/// A new command replaces the container's local command too, unless the
/// override gives its own: the process driver then runs entryPoint + the
/// new command, as the image would.
pub fn effective_task(def: &TaskDefinition, job: &Job) -> TaskDefinition {
    let mut t = def.clone();
    for o in &job.overrides {
        let Some(c) = t.containers.iter_mut().find(|c| c.name == o.name) else {
            continue;
        };
        if let Some(cmd) = &o.command {
            c.command = Some(cmd.clone());
            if let Some(local) = c.local.as_mut() {
                local.command = None;
            }
        }
        if let Some(l) = &o.local {
            c.local.get_or_insert_with(Default::default).command = Some(l.clone());
        }
        for (k, v) in &o.environment {
            c.environment.insert(k.clone(), v.clone());
            if let Some(local) = c.local.as_mut() {
                local.environment.remove(k);
            }
        }
    }
    t
}

impl JobRt {
    pub fn new(manifest: &Manifest, def: &Job) -> Option<Arc<JobRt>> {
        let task = manifest.task(&def.task)?;
        Some(Arc::new(JobRt {
            task_def: effective_task(task, def),
            schedule: manifest
                .schedules
                .iter()
                .find(|s| s.job == def.name && s.enabled)
                .cloned(),
            def: def.clone(),
            live: Mutex::new(Vec::new()),
            stopped: Mutex::new(VecDeque::new()),
            seq: AtomicU32::new(0),
            next_run: Mutex::new(None),
        }))
    }

    /// The manifest the driver's preflight judges this job by: its task
    /// (overrides applied) as if a service ran it.
    pub fn preflight_manifest(&self) -> Manifest {
        Manifest {
            version: crate::manifest::VERSION,
            tasks: vec![self.task_def.clone()],
            services: vec![Service {
                name: self.def.name.clone(),
                task: self.task_def.family.clone(),
                desired_count: 1,
                load_balancers: Vec::new(),
                discovery: None,
                connect: Vec::new(),
                health_check_grace_period_ms: 0,
                queue: None,
            }],
            load_balancers: Vec::new(),
            jobs: Vec::new(),
            schedules: Vec::new(),
        }
    }

    pub fn schedule(&self) -> Option<&Schedule> {
        self.schedule.as_ref()
    }

    fn live(&self) -> Vec<Arc<Task>> {
        self.live.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Starts the job's `count` tasks (RunTask); they run to completion.
    pub fn launch(self: &Arc<Self>, shared: &Arc<Shared>, why: &str) -> Vec<Arc<Task>> {
        let mut started = Vec::new();
        for _ in 0..self.def.count.max(1) {
            let n = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
            let id = format!("{}-{n}", self.def.name);
            match spec::task_spec_of(shared, &self.task_def, &self.def.name, &id) {
                Ok(spec) => {
                    let t = Task::new(spec, self.task_def.clone());
                    shared.log_service(&self.def.name, &format!("starting task {id} ({why})"));
                    self.live
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(t.clone());
                    tokio::spawn(task::run(shared.clone(), t.clone()));
                    started.push(t);
                }
                Err(e) => shared.log_service(&self.def.name, &format!("cannot start a task: {e}")),
            }
        }
        shared.bump();
        started
    }

    /// Moves stopped tasks to the history and frees their addresses.
    fn reap(&self, shared: &Shared) {
        let done: Vec<Arc<Task>> = {
            let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
            let (done, still): (Vec<_>, Vec<_>) = live
                .drain(..)
                .partition(|t| t.view().last_status == TaskStatus::Stopped);
            *live = still;
            done
        };
        let mut hist = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        for t in done {
            shared.net.release(t.spec.address);
            hist.push_back(t.view());
            while hist.len() > HISTORY {
                hist.pop_front();
            }
        }
    }

    pub fn view(&self) -> JobView {
        JobView {
            name: self.def.name.clone(),
            schedule: self.schedule.as_ref().map(Schedule::describe),
            next_run: self
                .next_run
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            started: self.seq.load(Ordering::SeqCst),
            tasks: self.live().iter().map(|t| t.view()).collect(),
            stopped: self
                .stopped
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .cloned()
                .collect(),
        }
    }

    /// Stops every running task of the job and waits until all are STOPPED.
    pub async fn stop_all(&self, shared: &Shared, reason: &str) {
        let mut changes = shared.subscribe();
        for t in self.live() {
            t.stop(reason);
        }
        loop {
            self.reap(shared);
            if self.live().is_empty() {
                return;
            }
            tokio::select! {
                _ = changes.changed() => {}
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        }
    }

    pub fn force_stop(&self, reason: &str) {
        for t in self.live() {
            t.stop(reason);
        }
    }
}

/// Runs a job now and waits for its tasks to stop; returns their final views.
pub async fn run_now(shared: Arc<Shared>, job: Arc<JobRt>) -> Result<Vec<TaskView>, RunnerError> {
    super::platform::check(&job.preflight_manifest())?;
    shared.driver.preflight(&job.preflight_manifest())?;
    let tasks = job.launch(&shared, "wharf run");
    let mut changes = shared.subscribe();
    loop {
        if tasks
            .iter()
            .all(|t| t.view().last_status == TaskStatus::Stopped)
        {
            job.reap(&shared);
            return Ok(tasks.iter().map(|t| t.view()).collect());
        }
        tokio::select! {
            _ = changes.changed() => {}
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
    }
}

/// The next firing of a schedule after `now`, as a wait from now.
fn next_wait(
    when: &When,
    start: jiff::Timestamp,
    now: jiff::Timestamp,
) -> Option<(Duration, jiff::Timestamp)> {
    let at = match when {
        When::Every(every) => {
            let every_ns = every.as_nanos().max(1) as i128;
            let elapsed = (now.as_nanosecond() - start.as_nanosecond()).max(0);
            let k = elapsed / every_ns + 1;
            jiff::Timestamp::from_nanosecond(start.as_nanosecond() + k * every_ns).ok()?
        }
        When::Expression(e, tz) => e.next_after(tz, start, now)?,
    };
    let wait = Duration::from_nanos((at.as_nanosecond() - now.as_nanosecond()).max(0) as u64);
    Some((wait, at))
}

/// Fires a scheduled job until shutdown, then stops its tasks.
pub async fn control(shared: Arc<Shared>, job: Arc<JobRt>, mut shutdown: watch::Receiver<bool>) {
    let Some(when) = job.schedule.as_ref().and_then(|s| s.when().ok()) else {
        return;
    };
    let start = jiff::Timestamp::now();
    loop {
        job.reap(&shared);
        if *shutdown.borrow() {
            break;
        }
        let now = jiff::Timestamp::now();
        let next = next_wait(&when, start, now);
        *job.next_run.lock().unwrap_or_else(|e| e.into_inner()) =
            next.map(|(_, at)| at.round(jiff::Unit::Second).unwrap_or(at).to_string());
        shared.bump();
        // Wake at least every second to reap finished tasks.
        let (wait, fires) = match next {
            Some((w, _)) if w <= Duration::from_secs(1) => (w, true),
            _ => (Duration::from_secs(1), false),
        };
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = tokio::time::sleep(wait) => {
                if fires && !*shutdown.borrow() {
                    let what = job.schedule.as_ref().map(Schedule::describe).unwrap_or_default();
                    job.launch(&shared, &format!("schedule {what}"));
                    // Past this firing before the next is computed.
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }
    }
    job.stop_all(&shared, "Runner shutting down").await;
    shared.bump();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_fire_on_the_grid_from_the_start() {
        let start: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let now: jiff::Timestamp = "2026-01-01T00:00:02.5Z".parse().unwrap();
        let (wait, at) = next_wait(&When::Every(Duration::from_secs(1)), start, now).unwrap();
        assert_eq!(at.to_string(), "2026-01-01T00:00:03Z");
        assert_eq!(wait, Duration::from_millis(500));
    }

    #[test]
    fn overrides_replace_command_and_add_environment() {
        let m: Manifest = serde_json::from_str(
            r#"{"version":1,"tasks":[{"family":"t","containers":[{"name":"app","image":"x",
              "command":["serve"],"environment":{"A":"1"},"local":{"command":"./serve","environment":{"B":"2"}}}]}],
              "jobs":[{"name":"j","task":"t","overrides":[{"name":"app","command":["migrate"],"environment":{"B":"3"}}]}]}"#,
        )
        .unwrap();
        let t = effective_task(&m.tasks[0], &m.jobs[0]);
        let c = &t.containers[0];
        assert_eq!(c.command.as_deref(), Some(&["migrate".to_string()][..]));
        assert_eq!(c.local.as_ref().unwrap().command, None);
        assert_eq!(c.environment.get("B").map(String::as_str), Some("3"));
        assert!(c.local.as_ref().unwrap().environment.is_empty());
    }
}
