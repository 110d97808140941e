//! One-off tasks (`job`) and their schedules (`schedule`), as every backend
//! reads them (see `ir`). A job is one `RunTask` call written down: the
//! cluster, the task, how it launches, its network and its container
//! overrides, all resolved by the checker (the cluster's default capacity
//! provider strategy spelled out, the network named), so the ECS API
//! target, CloudFormation's `AWS::Scheduler::Schedule` and the local runner
//! say the same thing. A schedule runs a job by an EventBridge Scheduler
//! expression in a time zone.

use super::{Cluster, Compatibility, LocalCommand, Ref, StrategyItem, SubnetRef, Task, Text};
use crate::diag::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub name: String,
    pub cluster: Ref<Cluster>,
    pub task: Ref<Task>,
    /// Tasks started per run (RunTask `count`, 1 to 10).
    pub count: u32,
    /// How the task launches, resolved: a launch type, or a capacity
    /// provider strategy (the job's own or its cluster's default).
    pub launch: JobLaunch,
    /// Whether it runs on Fargate (a Fargate launch type or provider).
    pub fargate: bool,
    /// Fargate platform version; `None` is ECS's LATEST.
    pub platform_version: Option<String>,
    /// awsvpc network configuration; `None` for other network modes.
    pub network: Option<JobNetwork>,
    pub overrides: Vec<ContainerOverride>,
    pub tags: Vec<(String, Text)>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobLaunch {
    Type(Compatibility),
    Strategy(Vec<StrategyItem>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobNetwork {
    pub subnets: JobSubnets,
    /// Security groups given in the source; none means the VPC's default
    /// group, as RunTask and EventBridge Scheduler do.
    pub security_groups: Vec<Text>,
    pub public_ip: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobSubnets {
    /// Subnets named on the job.
    Given(SubnetRef),
    /// The public (with `public_ip`) or private subnets of a network.
    Network { name: String, public: bool },
}

/// `override CONTAINER { command [...]; env K = "v"; local "..." }`: RunTask
/// `overrides.containerOverrides[]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerOverride {
    pub container: String,
    pub command: Option<Vec<Text>>,
    pub environment: Vec<(String, Text)>,
    /// What the local runner's process driver runs instead (ECS never sees it).
    pub local_command: Option<LocalCommand>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub name: String,
    pub job: Ref<Job>,
    pub expression: ScheduleExpression,
    /// IANA time zone name; `UTC` unless given.
    pub timezone: String,
    pub enabled: bool,
    /// Flexible time window in minutes; `None` is `OFF`.
    pub window_minutes: Option<u32>,
    /// RetryPolicy `MaximumRetryAttempts` (0-185); `None` is EventBridge's 185.
    pub retries: Option<u32>,
    /// RetryPolicy `MaximumEventAgeInSeconds` (60-86400); `None` is 86400.
    pub max_age_seconds: Option<u32>,
    /// The role EventBridge Scheduler assumes: given, or generated with
    /// least privilege (`None`).
    pub role: Option<Text>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleExpression {
    /// The six fields, as written (checked).
    Cron(String),
    Rate {
        value: u64,
        unit: crate::cron::RateUnit,
    },
    /// `yyyy-mm-ddThh:mm:ss`, once.
    At(String),
}

impl ScheduleExpression {
    /// EventBridge Scheduler's `ScheduleExpression`.
    pub fn render(&self) -> String {
        match self {
            ScheduleExpression::Cron(c) => format!("cron({c})"),
            ScheduleExpression::Rate { value, unit } => {
                format!("rate({value} {})", unit.word(*value))
            }
            ScheduleExpression::At(a) => format!("at({a})"),
        }
    }
}

impl Job {
    /// The provider names of a strategy launch, or the launch type.
    pub fn launch_type(&self) -> Option<Compatibility> {
        match &self.launch {
            JobLaunch::Type(t) => Some(*t),
            JobLaunch::Strategy(_) => None,
        }
    }
}
