//! The local runtime manifest: the third backend's output and the runner's only
//! input. Stage: produced by `emit::local` (or written by hand), read by
//! `runner`. Input: JSON text. Output: [`Manifest`] plus coded diagnostics.
//! Invariants: `version` is 1; serialisation is deterministic (struct field
//! order, `BTreeMap` for maps); secrets are names plus where to find the value
//! at run time, never values. Durations are integer milliseconds (`*Ms`).

use crate::diag::{Code, Diagnostic, FileId, SourceMap, Span};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod job;
pub use job::{ContainerOverride, Job, Schedule, When};

/// The manifest format version this runner reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    pub version: u32,
    #[serde(default)]
    pub tasks: Vec<TaskDefinition>,
    #[serde(default)]
    pub services: Vec<Service>,
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancer>,
    /// One-off tasks, run by `wharf run` or a schedule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jobs: Vec<Job>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<Schedule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskDefinition {
    pub family: String,
    #[serde(default)]
    pub network_mode: NetworkMode,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    pub containers: Vec<Container>,
    /// ECS's `runtimePlatform`, as the program names it: the runner refuses
    /// a Windows task and runs an ARM64 one's images for that architecture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_platform: Option<RuntimePlatform>,
}

/// `runtimePlatform` in ECS spelling (`WINDOWS_SERVER_2022_CORE`, `ARM64`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuntimePlatform {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operating_system_family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_architecture: Option<String>,
}

impl RuntimePlatform {
    /// A Windows operating system family.
    pub fn windows(&self) -> Option<&str> {
        self.operating_system_family
            .as_deref()
            .filter(|f| f.starts_with("WINDOWS"))
    }

    /// The OCI platform of the task's images (`linux/arm64`), when an
    /// architecture is named.
    pub fn oci_platform(&self) -> Option<&'static str> {
        match self.cpu_architecture.as_deref()? {
            "ARM64" => Some("linux/arm64"),
            "X86_64" => Some("linux/amd64"),
            _ => None,
        }
    }
}

/// A task volume as the runner provides it: a directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Volume {
    pub name: String,
    pub scope: VolumeScope,
    /// For `shared` volumes: what names the storage (an EFS file system and
    /// root directory, or a host path), so volumes naming the same storage
    /// share one directory across tasks and services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VolumeScope {
    /// Lives and dies with one task, shared by its containers (a Fargate bind volume).
    Task,
    /// Outlives tasks and is shared by every task naming the same key (EFS, host paths).
    Shared,
}

/// Where a container sees a volume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MountPoint {
    pub source_volume: String,
    pub container_path: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkMode {
    #[default]
    Awsvpc,
    Bridge,
    Host,
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Container {
    pub name: String,
    pub image: String,
    #[serde(default = "yes")]
    pub essential: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_point: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<Secret>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub port_mappings: Vec<PortMapping>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mount_points: Vec<MountPoint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<Dependency>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheck>,
    #[serde(default = "default_stop_timeout")]
    pub stop_timeout_ms: u64,
    /// How long a container that others depend on may take to reach the
    /// condition they wait for (ECS `startTimeout`, Fargate default 3 minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_timeout_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalOverride>,
}

fn yes() -> bool {
    true
}

fn default_stop_timeout() -> u64 {
    30_000
}

/// Default `startTimeout` when a dependency sets none.
pub const DEFAULT_START_TIMEOUT_MS: u64 = 180_000;

/// A secret's name in the container and where the runner takes its value.
/// `reference` keeps the ARN or parameter name for display only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Secret {
    pub name: String,
    pub value_from: SecretSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", deny_unknown_fields)]
pub enum SecretSource {
    /// The runner's own environment variable `var`.
    Env { var: String },
    /// A file on the runner's host, read at start (trailing newline removed).
    File { path: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortMapping {
    /// The port, or the first of a range.
    pub container_port: u16,
    /// The last port of a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<u16>,
    #[serde(default)]
    pub protocol: PortProtocol,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PortProtocol {
    #[default]
    Tcp,
    Udp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Dependency {
    pub container_name: String,
    pub condition: Condition,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Condition {
    Start,
    Complete,
    Success,
    Healthy,
}

impl Condition {
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Start => "START",
            Condition::Complete => "COMPLETE",
            Condition::Success => "SUCCESS",
            Condition::Healthy => "HEALTHY",
        }
    }
}

/// A container health check, ECS defaults 30 s / 5 s / 3 / 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HealthCheck {
    pub command: HealthCommand,
    #[serde(default = "default_interval")]
    pub interval_ms: u64,
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
    #[serde(default = "default_retries")]
    pub retries: u32,
    #[serde(default)]
    pub start_period_ms: u64,
}

fn default_interval() -> u64 {
    30_000
}
fn default_timeout() -> u64 {
    5_000
}
fn default_retries() -> u32 {
    3
}

/// `CMD` runs argv directly; `CMD-SHELL` runs one string with `sh -c`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum HealthCommand {
    #[serde(rename = "CMD")]
    Cmd(Vec<String>),
    #[serde(rename = "CMD-SHELL")]
    Shell(String),
}

/// What replaces the image when a container runs on the host (process driver).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocalOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<LocalCommand>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_directory: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
}

/// An argv list, or one string run with `sh -c`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LocalCommand {
    Argv(Vec<String>),
    Shell(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Service {
    pub name: String,
    pub task: String,
    #[serde(default = "one")]
    pub desired_count: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub load_balancers: Vec<Exposure>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery: Option<Discovery>,
    /// Service Connect client aliases the service serves: each answered
    /// locally on its own loopback address like a discovery name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connect: Vec<ConnectAlias>,
    /// Target health failures are ignored this long after a task starts.
    #[serde(default)]
    pub health_check_grace_period_ms: u64,
    /// The SQS queue the service consumes on AWS. No queue runs locally:
    /// the tasks run as written, with `variable` set to the AWS queue's
    /// URL when it is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<Queue>,
}

/// What the local runner says about a service's SQS queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Queue {
    /// The SQS queue name.
    pub name: String,
    pub container: String,
    pub variable: String,
    /// The AWS queue's URL, put in `variable`; `None` when the program
    /// does not say where the queue is (a created queue without `account`
    /// and `region`): the variable is then not set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Service {
    /// What `wharf up` says about the service's queue, if it has one.
    pub fn queue_line(&self) -> Option<String> {
        let q = self.queue.as_ref()?;
        let set = match &q.url {
            Some(url) => format!(
                "`{}` of `{}` is the AWS queue's URL ({url}), reached with your credentials",
                q.variable, q.container
            ),
            None => format!(
                "`{}` is not set (the program names no `account` and `region`)",
                q.variable
            ),
        };
        Some(format!(
            "service `{}` consumes SQS queue `{}`: no queue runs locally, its tasks run as written; {set}",
            self.name, q.name
        ))
    }
}

fn one() -> u32 {
    1
}

/// A container port of a service registered behind one listener of a load balancer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Exposure {
    pub load_balancer: String,
    pub listener_port: u16,
    pub container_name: String,
    pub container_port: u16,
    /// ALB only; none means the listener's default action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ListenerRule>,
    #[serde(default)]
    pub health_check: TargetHealthCheck,
    #[serde(default = "default_deregistration")]
    pub deregistration_delay_ms: u64,
}

fn default_deregistration() -> u64 {
    300_000
}

/// Matches when every non-empty condition list has a match (ALB semantics);
/// lower priority numbers are evaluated first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListenerRule {
    pub priority: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path_patterns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_headers: Vec<String>,
}

/// ELB target group health check (defaults of an ALB target group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TargetHealthCheck {
    /// HTTP path for ALB targets; `None` means a TCP connect check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub interval_ms: u64,
    pub timeout_ms: u64,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
    /// HTTP codes that count as healthy: `200`, `200,202`, `200-399`.
    #[serde(default = "default_matcher")]
    pub matcher: String,
}

fn default_matcher() -> String {
    "200".into()
}

impl TargetHealthCheck {
    /// Whether an HTTP status satisfies the matcher (an unreadable matcher means 200).
    pub fn matches(&self, code: u16) -> bool {
        let mut any = false;
        for part in self
            .matcher
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let (lo, hi) = part.split_once('-').unwrap_or((part, part));
            if let (Ok(lo), Ok(hi)) = (lo.trim().parse::<u16>(), hi.trim().parse::<u16>()) {
                any = true;
                if (lo..=hi).contains(&code) {
                    return true;
                }
            }
        }
        !any && code == 200
    }
}

impl Default for TargetHealthCheck {
    fn default() -> Self {
        TargetHealthCheck {
            path: Some("/".into()),
            interval_ms: 30_000,
            timeout_ms: 5_000,
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            matcher: default_matcher(),
        }
    }
}

/// Cloud Map style name (`orders.internal`) and the port callers use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Discovery {
    pub name: String,
    pub container_name: String,
    pub port: u16,
}

/// A Service Connect client alias (`orders:80`) and the container port
/// behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConnectAlias {
    /// The alias's DNS name (`orders`).
    pub name: String,
    /// The alias port clients call.
    pub port: u16,
    pub container_name: String,
    pub container_port: u16,
}

impl ConnectAlias {
    /// The port the alias answers on locally: its own, or 8000 above it
    /// when it is privileged (as for load balancer listeners), so no run
    /// needs root.
    pub fn local_port(&self) -> u16 {
        if self.port >= 1024 {
            self.port
        } else {
            self.port + 8000
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LoadBalancer {
    pub name: String,
    pub kind: LbKind,
    pub listeners: Vec<Listener>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LbKind {
    Alb,
    Nlb,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Listener {
    pub port: u16,
    pub protocol: ListenerProtocol,
    /// Port bound on 127.0.0.1; default: `port` if >= 1024 else `port + 8000`;
    /// 0 picks a free port (tests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_port: Option<u16>,
    /// Answers every request with a redirect to this listener port (an ALB
    /// `redirect` default action) instead of routing to targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_to: Option<u16>,
}

impl Listener {
    pub fn effective_local_port(&self) -> u16 {
        self.local_port.unwrap_or(if self.port >= 1024 {
            self.port
        } else {
            self.port + 8000
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ListenerProtocol {
    Http,
    Https,
    Tcp,
    Tls,
    Udp,
}

impl Manifest {
    pub fn task(&self, family: &str) -> Option<&TaskDefinition> {
        self.tasks.iter().find(|t| t.family == family)
    }

    pub fn load_balancer(&self, name: &str) -> Option<&LoadBalancer> {
        self.load_balancers.iter().find(|l| l.name == name)
    }

    /// Deterministic pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("manifest types always serialize");
        s.push('\n');
        s
    }
}

impl TaskDefinition {
    pub fn container(&self, name: &str) -> Option<&Container> {
        self.containers.iter().find(|c| c.name == name)
    }
}

/// Reads and validates a manifest. The file is added to `sources` so that
/// diagnostics can point into it.
pub fn parse(sources: &mut SourceMap, name: &str, text: &str) -> Result<Manifest, Vec<Diagnostic>> {
    let file = sources.add(name, text);
    let manifest: Manifest = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(err) => {
            let offset = offset_of_line_col(text, err.line(), err.column());
            let span = Span::new(file, offset, (offset + 1).min(text.len()));
            return Err(vec![Diagnostic::error(
                Code::ManifestInvalid,
                "local manifest is not valid",
                span,
                err.to_string(),
            )
            .with_help(
                "regenerate it with `wharf build`, or see docs/manifest.md for the schema",
            )]);
        }
    };
    let diags = validate(&manifest, file, text);
    if diags.is_empty() {
        Ok(manifest)
    } else {
        Err(diags)
    }
}

fn offset_of_line_col(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + col.saturating_sub(1)).min(text.len())
}

/// Span of the first `"needle"` string in the text, for blaming a name.
fn span_of(file: FileId, text: &str, needle: &str) -> Span {
    let quoted = format!("\"{needle}\"");
    match text.find(&quoted) {
        Some(i) => Span::new(file, i, i + quoted.len()),
        None => Span::new(file, 0, 0),
    }
}

/// Cross-reference checks the types cannot express. Checks are the runner's
/// own: a hand-written manifest does not pass through `wharf check`.
pub fn validate(m: &Manifest, file: FileId, text: &str) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut err = |needle: &str, message: String, label: &str, help: &str| {
        diags.push(
            Diagnostic::error(
                Code::ManifestInvalid,
                message,
                span_of(file, text, needle),
                label,
            )
            .with_help(help),
        );
    };
    if m.version != VERSION {
        err(
            "version",
            format!("manifest version {} is not supported", m.version),
            "this version",
            "this runner reads version 1; rebuild the manifest with this wharf",
        );
    }
    for task in &m.tasks {
        if !task.containers.iter().any(|c| c.essential) {
            err(
                &task.family,
                format!("task `{}` has no essential container", task.family),
                "this task",
                "mark one container `essential: true`",
            );
        }
        for c in &task.containers {
            for mp in &c.mount_points {
                if !task.volumes.iter().any(|v| v.name == mp.source_volume) {
                    err(
                        &mp.source_volume,
                        format!(
                            "container `{}` mounts unknown volume `{}`",
                            c.name, mp.source_volume
                        ),
                        "not a volume of this task",
                        "declare it under the task's volumes or fix the name",
                    );
                }
            }
            for dep in &c.depends_on {
                match task.container(&dep.container_name) {
                    None => err(
                        &dep.container_name,
                        format!(
                            "container `{}` depends on unknown container `{}`",
                            c.name, dep.container_name
                        ),
                        "not a container of this task",
                        "name a container declared in the same task",
                    ),
                    Some(t) if dep.condition == Condition::Healthy && t.health_check.is_none() => {
                        err(
                            &dep.container_name,
                            format!(
                                "`{}` waits for `{}` to be HEALTHY but it has no health check",
                                c.name, t.name
                            ),
                            "container without a health check",
                            "add a healthCheck to the dependency or use the START condition",
                        )
                    }
                    Some(_) => {}
                }
            }
        }
        if let Some(cycle) = dependency_cycle(task) {
            err(
                &cycle,
                format!(
                    "containers of task `{}` depend on each other in a cycle",
                    task.family
                ),
                "part of the cycle",
                "remove one dependsOn entry",
            );
        }
    }
    for s in &m.services {
        let Some(task) = m.task(&s.task) else {
            err(
                &s.task,
                format!("service `{}` runs unknown task `{}`", s.name, s.task),
                "no task with this family",
                "add the task definition or fix the name",
            );
            continue;
        };
        for e in &s.load_balancers {
            match m.load_balancer(&e.load_balancer) {
                None => err(
                    &e.load_balancer,
                    format!(
                        "service `{}` uses unknown load balancer `{}`",
                        s.name, e.load_balancer
                    ),
                    "not declared",
                    "declare it under loadBalancers",
                ),
                Some(lb) if !lb.listeners.iter().any(|l| l.port == e.listener_port) => err(
                    &e.load_balancer,
                    format!(
                        "load balancer `{}` has no listener on port {}",
                        lb.name, e.listener_port
                    ),
                    "this load balancer",
                    "add the listener or use one of its ports",
                ),
                Some(_) => {}
            }
            if task.container(&e.container_name).is_none() {
                err(
                    &e.container_name,
                    format!(
                        "service `{}` exposes unknown container `{}`",
                        s.name, e.container_name
                    ),
                    "not in the task",
                    "name a container of the service's task",
                );
            }
        }
        for a in &s.connect {
            if task.container(&a.container_name).is_none() {
                err(
                    &a.container_name,
                    format!(
                        "Service Connect alias `{}` of service `{}` names unknown container `{}`",
                        a.name, s.name, a.container_name
                    ),
                    "not in the task",
                    "name a container of the service's task",
                );
            }
        }
        if let Some(d) = &s.discovery {
            if task.container(&d.container_name).is_none() {
                err(
                    &d.container_name,
                    format!(
                        "discovery of service `{}` names unknown container `{}`",
                        s.name, d.container_name
                    ),
                    "not in the task",
                    "name a container of the service's task",
                );
            }
        }
    }
    job::validate(m, file, text, &mut diags);
    diags
}

/// A container name on a dependency cycle, if any (depth-first search).
fn dependency_cycle(task: &TaskDefinition) -> Option<String> {
    fn visit<'a>(
        t: &'a TaskDefinition,
        name: &'a str,
        stack: &mut Vec<&'a str>,
        done: &mut Vec<&'a str>,
    ) -> Option<String> {
        if stack.contains(&name) {
            return Some(name.to_string());
        }
        if done.contains(&name) {
            return None;
        }
        stack.push(name);
        if let Some(c) = t.container(name) {
            for d in &c.depends_on {
                if let Some(found) = visit(t, &d.container_name, stack, done) {
                    return Some(found);
                }
            }
        }
        stack.pop();
        done.push(name);
        None
    }
    let mut done = Vec::new();
    task.containers
        .iter()
        .find_map(|c| visit(task, &c.name, &mut Vec::new(), &mut done))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{"version":1,"tasks":[{"family":"web","containers":[
        {"name":"app","image":"x","healthCheck":{"command":{"CMD-SHELL":"true"}},
         "local":{"command":"sleep 100"}}]}],
      "services":[{"name":"web","task":"web","desiredCount":2}]}"#;

    #[test]
    fn defaults_follow_ecs() {
        let m = parse(&mut SourceMap::new(), "m.json", SMALL).unwrap();
        let c = &m.tasks[0].containers[0];
        let hc = c.health_check.as_ref().unwrap();
        assert_eq!(
            (
                hc.interval_ms,
                hc.timeout_ms,
                hc.retries,
                hc.start_period_ms
            ),
            (30_000, 5_000, 3, 0)
        );
        assert_eq!(c.stop_timeout_ms, 30_000);
        assert!(c.essential);
        assert_eq!(
            c.local.as_ref().unwrap().command,
            Some(LocalCommand::Shell("sleep 100".into()))
        );
    }

    #[test]
    fn round_trip_is_byte_identical() {
        let m = parse(&mut SourceMap::new(), "m.json", SMALL).unwrap();
        let once = m.to_json();
        let again = parse(&mut SourceMap::new(), "m.json", &once)
            .unwrap()
            .to_json();
        assert_eq!(once, again);
        assert!(once.starts_with("{\n  \"version\": 1,"));
    }

    #[test]
    fn unknown_dependency_and_cycle_are_reported() {
        let text = r#"{"version":1,"tasks":[{"family":"t","containers":[
            {"name":"a","image":"x","dependsOn":[{"containerName":"b","condition":"START"}]},
            {"name":"b","image":"x","essential":false,"dependsOn":[{"containerName":"a","condition":"START"}]},
            {"name":"c","image":"x","dependsOn":[{"containerName":"zz","condition":"START"}]}]}]}"#;
        let diags = parse(&mut SourceMap::new(), "m.json", text).unwrap_err();
        let messages: Vec<_> = diags.iter().map(|d| d.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("unknown container `zz`")),
            "{messages:?}"
        );
        assert!(messages.iter().any(|m| m.contains("cycle")), "{messages:?}");
        assert!(diags
            .iter()
            .all(|d| d.code == Code::ManifestInvalid && d.help.is_some()));
    }

    #[test]
    fn syntax_error_points_into_the_file() {
        let diags = parse(
            &mut SourceMap::new(),
            "m.json",
            "{\"version\": 1,\n \"tasks\": [}",
        )
        .unwrap_err();
        assert_eq!(diags[0].code, Code::ManifestInvalid);
        assert!(diags[0].primary.span.start > 10);
    }

    #[test]
    fn target_matchers() {
        let mut hc = TargetHealthCheck::default();
        assert!(hc.matches(200) && !hc.matches(204));
        hc.matcher = "200-299, 302".into();
        assert!(hc.matches(204) && hc.matches(302) && !hc.matches(301) && !hc.matches(500));
    }

    #[test]
    fn listener_local_port_default_avoids_privileged_ports() {
        let l = Listener {
            port: 80,
            protocol: ListenerProtocol::Http,
            local_port: None,
            redirect_to: None,
        };
        assert_eq!(l.effective_local_port(), 8080);
        let l = Listener {
            port: 9000,
            protocol: ListenerProtocol::Tcp,
            local_port: None,
            redirect_to: None,
        };
        assert_eq!(l.effective_local_port(), 9000);
    }
}
