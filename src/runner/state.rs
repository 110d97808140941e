//! Observable runner state: what `wharf ps`, `--wait` and the status line
//! read. Stage: runner. Input: updates from task and service supervisors.
//! Output: a serialisable [`Snapshot`], also written to `.wharf/state.json`.
//! Invariant: views are plain data; no handle or lock escapes through them.

use serde::{Deserialize, Serialize};

/// ECS task lifecycle, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    Provisioning,
    Pending,
    Activating,
    Running,
    Deactivating,
    Stopping,
    Deprovisioning,
    Stopped,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Provisioning => "PROVISIONING",
            TaskStatus::Pending => "PENDING",
            TaskStatus::Activating => "ACTIVATING",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Deactivating => "DEACTIVATING",
            TaskStatus::Stopping => "STOPPING",
            TaskStatus::Deprovisioning => "DEPROVISIONING",
            TaskStatus::Stopped => "STOPPED",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContainerStatus {
    Pending,
    Running,
    Stopped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Health {
    Unknown,
    Healthy,
    Unhealthy,
}

/// ELB target states (`initial`, `healthy`, `unhealthy`, `draining`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetHealth {
    Initial,
    Healthy,
    Unhealthy,
    Draining,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerView {
    pub name: String,
    pub essential: bool,
    pub status: ContainerStatus,
    pub health: Health,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// True once the container has been started (START is satisfied).
    pub started: bool,
    pub has_health_check: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetView {
    pub load_balancer: String,
    pub address: String,
    pub health: TargetHealth,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskView {
    pub id: String,
    pub service: String,
    pub family: String,
    pub address: String,
    pub last_status: TaskStatus,
    pub desired_status: TaskStatus,
    pub health: Health,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_reason: Option<String>,
    pub containers: Vec<ContainerView>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetView>,
}

impl TaskView {
    /// Whether anything but the process being up says the task serves: an
    /// essential container's health check, or a load balancer's.
    pub fn has_health_signal(&self) -> bool {
        !self.targets.is_empty()
            || self
                .containers
                .iter()
                .any(|c| c.essential && c.has_health_check)
    }

    /// Serving: RUNNING, not unhealthy, and every load balancer target healthy.
    pub fn is_healthy(&self) -> bool {
        self.last_status == TaskStatus::Running
            && self.desired_status == TaskStatus::Running
            && (self.health == Health::Healthy
                || (self.health == Health::Unknown
                    && !self
                        .containers
                        .iter()
                        .any(|c| c.essential && c.has_health_check)))
            && self
                .targets
                .iter()
                .all(|t| t.health == TargetHealth::Healthy)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceView {
    pub name: String,
    pub desired_count: u32,
    pub running_count: u32,
    pub healthy_count: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discovery: Option<String>,
    pub tasks: Vec<TaskView>,
    /// The most recent stopped tasks, newest last (at most 10).
    pub stopped: Vec<TaskView>,
    /// Why no new task could be started, while that lasts (a port taken).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl ServiceView {
    pub fn is_steady(&self) -> bool {
        self.healthy_count == self.desired_count && self.tasks.len() as u32 == self.desired_count
    }

    /// Not steady, and as many tasks stopped as would make ECS's deployment
    /// circuit breaker fail the deployment: half the desired count, at
    /// least 3 (ECS caps it at 200; the snapshot keeps the last 10 stopped
    /// tasks, so 10 here). `wharf up --wait` stops waiting then.
    pub fn failing(&self) -> bool {
        let threshold = self.desired_count.div_ceil(2).clamp(3, 10);
        !self.is_steady() && self.stopped.len() as u32 >= threshold
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerView {
    pub load_balancer: String,
    pub port: u16,
    pub local_address: String,
    /// Set for a listener that only redirects (ALB `redirect` action) to this port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_to: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub runner_pid: u32,
    pub driver: String,
    pub metadata_endpoint: String,
    pub listeners: Vec<ListenerView>,
    pub services: Vec<ServiceView>,
    /// One-off and scheduled jobs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jobs: Vec<super::job::JobView>,
    /// Set once the runner is shutting down.
    pub stopping: bool,
}

impl Snapshot {
    pub fn all_steady(&self) -> bool {
        self.services.iter().all(ServiceView::is_steady)
    }

    /// The tasks that make this snapshot steady, when it is: the same ids in
    /// a later snapshot mean no task was replaced meanwhile.
    pub fn steady_tasks(&self) -> Option<Vec<&str>> {
        self.all_steady().then(|| {
            self.services
                .iter()
                .flat_map(|s| &s.tasks)
                .map(|t| t.id.as_str())
                .collect()
        })
    }

    /// Whether a steady snapshot rests on a task with no health signal
    /// (RUNNING is all that is known of it): then only time tells a task
    /// that serves from one that is about to exit.
    pub fn needs_settling(&self) -> bool {
        self.services
            .iter()
            .flat_map(|s| &s.tasks)
            .any(|t| !t.has_health_signal())
    }

    pub fn service(&self, name: &str) -> Option<&ServiceView> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn listener(&self, lb: &str, port: u16) -> Option<std::net::SocketAddr> {
        self.listeners
            .iter()
            .find(|l| l.load_balancer == lb && l.port == port)?
            .local_address
            .parse()
            .ok()
    }

    /// One line for the live status view: `api 2/2 · worker 1/2`.
    pub fn status_line(&self) -> String {
        let parts: Vec<String> = self
            .services
            .iter()
            .map(|s| format!("{} {}/{} healthy", s.name, s.healthy_count, s.desired_count))
            .collect();
        parts.join(" · ")
    }
}
