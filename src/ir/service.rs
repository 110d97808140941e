//! Services, their load balancing, deployment, placement, discovery and
//! auto scaling, and the log groups and namespaces they use (see `ir`).

use super::{
    Cluster, Compatibility, LoadBalancer, Network, Protocol, Ref, StrategyItem, SubnetRef, Task,
    Text,
};
use crate::diag::Span;

// ---------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: String,
    pub cluster: Ref<Cluster>,
    pub task: Ref<Task>,
    pub scheduling: Scheduling,
    /// `None` for DAEMON services.
    pub desired_count: Option<u32>,
    pub launch: Launch,
    pub platform_version: Option<String>,
    /// awsvpc network configuration; `None` for other network modes.
    pub network: Option<ServiceNetwork>,
    pub exposures: Vec<Exposure>,
    pub deployment: Deployment,
    pub placement_strategies: Vec<PlacementStrategy>,
    pub placement_constraints: Vec<PlacementConstraint>,
    pub discovery: Option<Box<Discovery>>,
    /// Service Connect (`connect`), if any.
    pub connect: Option<Box<super::ServiceConnect>>,
    pub grace_period: Option<u32>,
    pub autoscale: Option<Box<AutoScale>>,
    /// The SQS queue the service consumes (`queue`), if any.
    pub queue: Option<Box<super::ServiceQueue>>,
    /// Services allowed to call this one (security group ingress).
    pub callers: Vec<Caller>,
    /// Egress rules; empty = all traffic allowed.
    pub egress: Vec<EgressRule>,
    pub execute_command: bool,
    pub tags: Vec<(String, Text)>,
    pub span: Span,
}

impl Service {
    /// See [`super::Task::shrink_to_fit`].
    pub fn shrink_to_fit(&mut self) {
        self.exposures.shrink_to_fit();
        self.placement_strategies.shrink_to_fit();
        self.placement_constraints.shrink_to_fit();
        self.callers.shrink_to_fit();
        self.egress.shrink_to_fit();
        self.tags.shrink_to_fit();
        if let Some(n) = &mut self.network {
            n.security_groups.shrink_to_fit();
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheduling {
    Replica,
    Daemon,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Launch {
    Type(Compatibility),
    Strategy(Vec<StrategyItem>),
    /// The cluster's default capacity provider strategy.
    ClusterDefault,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceNetwork {
    /// The network the subnets come from (its private subnets, or public ones
    /// when `public_ip`).
    pub network: Option<Ref<Network>>,
    /// Subnets given on the service itself, overriding the network's.
    pub subnets: Option<SubnetRef>,
    /// Security groups given in the source (in addition to the generated one
    /// in CloudFormation; the only ones in ECS JSON).
    pub security_groups: Vec<Text>,
    pub public_ip: bool,
}

/// `expose app:3000 via web_alb { path "/api/*" health "/health" }`
#[derive(Debug, Clone, PartialEq)]
pub struct Exposure {
    pub load_balancer: Ref<LoadBalancer>,
    pub container: String,
    pub container_port: u16,
    /// Listener ports this exposure's rule is added to; empty = all listeners
    /// of the load balancer that do not redirect.
    pub listeners: Vec<u16>,
    pub paths: Vec<String>,
    pub hosts: Vec<String>,
    /// Rule priority, assigned stably by the checker (1 = first).
    pub priority: u32,
    pub health: TargetHealth,
    pub deregistration_delay: u32,
    /// An existing target group, for the ECS API JSON target.
    pub target_group_arn: Option<Text>,
    /// What ECS shifts traffic with in a blue/green, linear or canary
    /// deployment (see `ir::TrafficShift`).
    pub traffic: super::TrafficShift,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetHealth {
    /// HTTP path (ALB); `None` = TCP check.
    pub path: Option<String>,
    pub interval: u32,
    pub timeout: u32,
    pub healthy_threshold: u32,
    pub unhealthy_threshold: u32,
    /// HTTP codes, e.g. `200-399`.
    pub matcher: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub strategy: DeploymentStrategy,
    pub minimum_healthy_percent: u32,
    pub maximum_percent: u32,
    pub circuit_breaker: Option<CircuitBreaker>,
    pub bake_time_minutes: Option<u32>,
    /// `hook ...`: `deploymentConfiguration.lifecycleHooks`.
    pub hooks: Vec<super::LifecycleHook>,
    /// `alarms ...`: `deploymentConfiguration.alarms`.
    pub alarms: Option<super::DeploymentAlarms>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentStrategy {
    Rolling,
    BlueGreen,
    /// Linear: shift `percent` every `interval_minutes`.
    Linear {
        percent: u32,
        interval_minutes: u32,
    },
    /// Canary: shift `percent`, wait `interval_minutes`, then the rest.
    Canary {
        percent: u32,
        interval_minutes: u32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CircuitBreaker {
    pub rollback: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlacementStrategy {
    pub kind: PlacementKind,
    /// `attribute:ecs.availability-zone`, `instanceId`, `memory`, `cpu`.
    pub field: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacementKind {
    Spread,
    Binpack,
    Random,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PlacementConstraint {
    DistinctInstance,
    MemberOf(String),
}

/// Cloud Map service discovery: `discovery "orders.internal"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    /// `orders`
    pub name: String,
    /// `internal` (index into `Program::namespaces` by name)
    pub namespace: String,
    /// An existing registry ARN, for the ECS API JSON target.
    pub registry_arn: Option<Text>,
    pub ttl: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Namespace {
    pub name: String,
    pub network: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AutoScale {
    pub min: u32,
    pub max: u32,
    pub targets: Vec<ScalingTarget>,
    pub scale_in_cooldown: u32,
    pub scale_out_cooldown: u32,
    /// `backlog N`: target tracking on the service queue's visible messages
    /// per running task (metric math over SQS and ECS Container Insights'
    /// `RunningTaskCount`... see `emit::*::queue`).
    pub backlog: Option<u32>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScalingTarget {
    pub metric: ScalingMetric,
    /// Percent for cpu / memory, requests per target for requests.
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalingMetric {
    Cpu,
    Memory,
    /// ALB requests per target; the service's first exposure is used.
    Requests,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub service: String,
    /// Container ports the caller may reach; empty = every mapped port.
    pub ports: Vec<u16>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EgressRule {
    pub cidr: String,
    pub port: Option<u16>,
    pub protocol: Protocol,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogGroup {
    pub name: String,
    pub retention_days: u32,
    pub span: Span,
}
