//! The typed, resolved program: the sole input of every backend. Stage:
//! produced by `check::check` only when there is no error. Every reference is
//! resolved (names are guaranteed to exist), every default ECS would pick
//! silently is written out, units are normalised (cpu in units, memory in MiB,
//! durations in seconds), and nodes that can be blamed keep their span.

mod text;

pub use text::{Text, TextPart};

use crate::diag::Span;
use std::collections::HashMap;

/// A whole program after checking.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// Stack name: `stack "name"` in the source, else the main file's stem.
    pub name: String,
    /// AWS region from `region "..."` or the `AWS_REGION` input; used for
    /// awslogs and ARNs the backends must build.
    pub region: Option<String>,
    /// AWS account ID from `account "..."`: lets the ECS target name the
    /// account's conventional `ecsTaskExecutionRole` for a generated role.
    pub account: Option<String>,
    pub inputs: Vec<Input>,
    pub networks: Vec<Network>,
    pub clusters: Vec<Cluster>,
    pub load_balancers: Vec<LoadBalancer>,
    pub tasks: Vec<Task>,
    pub services: Vec<Service>,
    /// Log groups Wharf owns (created by the CloudFormation stack).
    pub log_groups: Vec<LogGroup>,
    /// Cloud Map namespaces used by service discovery.
    pub namespaces: Vec<Namespace>,
}

/// Declarations by name, built once per pass over a program: lookups in a
/// loop over services must not scan the lists (10,000 services would make
/// that 50 million comparisons).
pub struct Index<'p> {
    pub tasks: HashMap<&'p str, &'p Task>,
    pub clusters: HashMap<&'p str, &'p Cluster>,
    pub load_balancers: HashMap<&'p str, &'p LoadBalancer>,
    pub networks: HashMap<&'p str, &'p Network>,
    pub services: HashMap<&'p str, &'p Service>,
}

impl<'p> Index<'p> {
    pub fn new(p: &'p Program) -> Index<'p> {
        Index {
            tasks: p.tasks.iter().map(|t| (t.name.as_str(), t)).collect(),
            clusters: p.clusters.iter().map(|c| (c.name.as_str(), c)).collect(),
            load_balancers: p
                .load_balancers
                .iter()
                .map(|l| (l.name.as_str(), l))
                .collect(),
            networks: p.networks.iter().map(|n| (n.name.as_str(), n)).collect(),
            services: p.services.iter().map(|s| (s.name.as_str(), s)).collect(),
        }
    }
    pub fn task(&self, name: &str) -> &'p Task {
        self.tasks.get(name).expect("checked: task exists")
    }
    pub fn cluster(&self, name: &str) -> &'p Cluster {
        self.clusters.get(name).expect("checked: cluster exists")
    }
    pub fn load_balancer(&self, name: &str) -> &'p LoadBalancer {
        self.load_balancers
            .get(name)
            .expect("checked: load balancer exists")
    }
    pub fn network(&self, name: &str) -> &'p Network {
        self.networks.get(name).expect("checked: network exists")
    }
    pub fn service(&self, name: &str) -> &'p Service {
        self.services.get(name).expect("checked: service exists")
    }
}

/// Single lookups by name. These scan the list: in a loop, use [`Index`].
impl Program {
    pub fn task(&self, name: &str) -> &Task {
        self.tasks
            .iter()
            .find(|t| t.name == name)
            .expect("checked: task exists")
    }
    pub fn cluster(&self, name: &str) -> &Cluster {
        self.clusters
            .iter()
            .find(|c| c.name == name)
            .expect("checked: cluster exists")
    }
    pub fn load_balancer(&self, name: &str) -> &LoadBalancer {
        self.load_balancers
            .iter()
            .find(|l| l.name == name)
            .expect("checked: load balancer exists")
    }
    pub fn network(&self, name: &str) -> &Network {
        self.networks
            .iter()
            .find(|n| n.name == name)
            .expect("checked: network exists")
    }
    pub fn service(&self, name: &str) -> &Service {
        self.services
            .iter()
            .find(|s| s.name == name)
            .expect("checked: service exists")
    }
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/// A typed input (`input IMAGE_TAG: string = "latest"`). String inputs stay
/// symbolic inside [`Text`] so CloudFormation can make them stack parameters;
/// `value` is what the ECS and local backends substitute.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub name: String,
    pub ty: InputType,
    pub default: Option<String>,
    /// The value for this build: command line, environment, else default.
    pub value: String,
    pub description: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    String,
    Int,
    Bool,
    /// `AWS::EC2::VPC::Id`
    VpcId,
    /// `List<AWS::EC2::Subnet::Id>`, value comma-separated
    SubnetIds,
    /// `List<AWS::EC2::SecurityGroup::Id>`, value comma-separated
    SecurityGroupIds,
}

// ---------------------------------------------------------------------------
// Networks
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub name: String,
    pub kind: NetworkKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NetworkKind {
    /// An existing VPC: IDs given literally or as inputs.
    Existing {
        vpc: Text,
        public_subnets: SubnetRef,
        private_subnets: SubnetRef,
    },
    /// A VPC the CloudFormation stack creates.
    Created(CreatedVpc),
}

/// Subnets as literal IDs, or one `subnets`-typed input (a list parameter).
#[derive(Debug, Clone, PartialEq)]
pub enum SubnetRef {
    Ids(Vec<Text>),
    Input(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreatedVpc {
    pub cidr: String,
    /// 2 or 3.
    pub azs: u8,
    pub nat: NatMode,
    pub endpoints: Vec<VpcEndpoint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatMode {
    None,
    Single,
    PerAz,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum VpcEndpoint {
    Ecr,
    S3,
    Logs,
    SecretsManager,
    Ssm,
}

// ---------------------------------------------------------------------------
// Clusters
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub name: String,
    pub network: Option<String>,
    /// Capacity providers associated with the cluster, in declaration order.
    pub capacity_providers: Vec<CapacityProvider>,
    /// Default strategy: the providers declared with a weight or base.
    pub default_strategy: Vec<StrategyItem>,
    pub insights: Insights,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CapacityProvider {
    Fargate,
    FargateSpot,
    /// An EC2 auto scaling group capacity provider.
    Ec2(Ec2CapacityProvider),
}

impl CapacityProvider {
    /// The name ECS knows the provider by.
    pub fn name(&self) -> &str {
        match self {
            CapacityProvider::Fargate => "FARGATE",
            CapacityProvider::FargateSpot => "FARGATE_SPOT",
            CapacityProvider::Ec2(e) => &e.name,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ec2CapacityProvider {
    pub name: String,
    /// ARN (or name) of the auto scaling group the user names.
    pub auto_scaling_group: Text,
    /// Managed scaling target capacity in percent, if managed scaling is on.
    pub target_capacity: Option<u32>,
    pub managed_termination_protection: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategyItem {
    pub provider: String,
    pub weight: u32,
    pub base: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Insights {
    Disabled,
    Enabled,
    Enhanced,
}

// ---------------------------------------------------------------------------
// Load balancers
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct LoadBalancer {
    pub name: String,
    pub kind: LbKind,
    /// Internet-facing (in public subnets) or internal.
    pub public: bool,
    pub network: String,
    pub listeners: Vec<Listener>,
    pub idle_timeout: Option<u32>,
    /// CIDRs allowed to reach the listeners (default `0.0.0.0/0` if public).
    pub ingress: Vec<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LbKind {
    Alb,
    Nlb,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Listener {
    pub port: u16,
    pub protocol: ListenerProtocol,
    pub certificate: Option<Text>,
    /// `listener 80 http redirect 443`: answers every request with a redirect.
    pub redirect_to: Option<u16>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListenerProtocol {
    Http,
    Https,
    Tcp,
    Tls,
    Udp,
}

impl ListenerProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            ListenerProtocol::Http => "HTTP",
            ListenerProtocol::Https => "HTTPS",
            ListenerProtocol::Tcp => "TCP",
            ListenerProtocol::Tls => "TLS",
            ListenerProtocol::Udp => "UDP",
        }
    }
}

// ---------------------------------------------------------------------------
// Task definitions
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    /// The Wharf name (`task web`).
    pub name: String,
    /// ECS family; defaults to the name.
    pub family: String,
    pub network_mode: NetworkMode,
    pub compatibilities: Vec<Compatibility>,
    /// Task cpu in units (1024 = 1 vCPU).
    pub cpu: Option<u32>,
    /// Task memory in MiB.
    pub memory: Option<u32>,
    pub execution_role: Role,
    pub task_role: Role,
    /// What the generated execution role must allow (derived by the checker).
    pub execution_needs: ExecutionNeeds,
    /// Task role statements declared in the source (`allow ...`).
    pub permissions: Vec<Permission>,
    pub volumes: Vec<Volume>,
    pub containers: Vec<Container>,
    /// CPU architecture, `x86_64` (default) or `arm64`.
    pub arch: Arch,
    pub ephemeral_storage_gib: Option<u32>,
    pub tags: Vec<(String, Text)>,
    pub span: Span,
}

impl Task {
    pub fn is_fargate(&self) -> bool {
        self.compatibilities.contains(&Compatibility::Fargate)
    }
    pub fn container(&self, name: &str) -> &Container {
        self.containers
            .iter()
            .find(|c| c.name == name)
            .expect("checked: container exists")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkMode {
    Awsvpc,
    Bridge,
    Host,
    None,
}

impl NetworkMode {
    pub fn as_str(self) -> &'static str {
        match self {
            NetworkMode::Awsvpc => "awsvpc",
            NetworkMode::Bridge => "bridge",
            NetworkMode::Host => "host",
            NetworkMode::None => "none",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Compatibility {
    Ec2,
    Fargate,
    External,
}

impl Compatibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Compatibility::Ec2 => "EC2",
            Compatibility::Fargate => "FARGATE",
            Compatibility::External => "EXTERNAL",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    X86_64,
    Arm64,
}

/// An IAM role: given as an ARN, generated by the CloudFormation backend, or absent.
#[derive(Debug, Clone, PartialEq)]
pub enum Role {
    Arn(Text),
    Generated,
    None,
}

/// The least-privilege facts behind a generated execution role. Derived by
/// the checker: a generated role with no needs is `Role::None`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExecutionNeeds {
    /// ECR repositories images are pulled from, as repository ARNs.
    pub ecr_repositories: Vec<Text>,
    /// Log groups containers write to (awslogs), by name.
    pub log_groups: Vec<Text>,
    /// Secrets Manager secret ARNs (without json key / version suffix).
    pub secrets: Vec<String>,
    /// SSM parameter ARNs, or names (`/my-app/key`) to be made into ARNs.
    pub parameters: Vec<String>,
    /// KMS key ARNs named on secrets.
    pub kms_keys: Vec<String>,
}

impl ExecutionNeeds {
    pub fn is_empty(&self) -> bool {
        self.ecr_repositories.is_empty()
            && self.log_groups.is_empty()
            && self.secrets.is_empty()
            && self.parameters.is_empty()
            && self.kms_keys.is_empty()
    }
}

/// One statement of the task role, declared with `allow`.
#[derive(Debug, Clone, PartialEq)]
pub struct Permission {
    pub actions: Vec<String>,
    pub resources: Vec<Text>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    pub name: String,
    pub kind: VolumeKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VolumeKind {
    Efs(EfsVolume),
    /// Bind mount; `host_path` only on EC2.
    Bind {
        host_path: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct EfsVolume {
    pub file_system_id: Text,
    pub root_directory: Option<String>,
    pub transit_encryption: bool,
    pub access_point: Option<Text>,
    pub iam: bool,
}

/// Which pattern declared a container; it sets defaults, and the runner and
/// docs use it. ECS itself only sees `essential` and `depends_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerRole {
    App,
    Sidecar,
    Ambassador,
    Init,
    LogRouter,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    pub name: String,
    pub role: ContainerRole,
    pub image: Text,
    pub essential: bool,
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
    pub memory_reservation: Option<u32>,
    pub ports: Vec<PortMapping>,
    pub environment: Vec<(String, Text)>,
    pub secrets: Vec<Secret>,
    pub log: Option<LogConfig>,
    pub firelens: Option<Firelens>,
    pub health: Option<HealthCheck>,
    pub command: Option<Vec<Text>>,
    pub entry_point: Option<Vec<Text>>,
    pub working_directory: Option<Text>,
    pub user: Option<String>,
    pub read_only_root: bool,
    pub depends_on: Vec<Dependency>,
    pub mounts: Vec<Mount>,
    pub stop_timeout: Option<u32>,
    pub start_timeout: Option<u32>,
    pub ulimits: Vec<Ulimit>,
    pub labels: Vec<(String, Text)>,
    /// How the local runner starts this container with the process driver.
    pub local: Option<LocalRun>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PortMapping {
    pub container_port: u16,
    /// `None` = absent (awsvpc); `Some(0)` = dynamic host port (bridge).
    pub host_port: Option<u16>,
    pub protocol: Protocol,
    /// Port name, needed for Service Connect; defaults to `<container>-<port>`.
    pub name: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Secret {
    /// Environment variable name in the container.
    pub name: String,
    pub source: SecretSource,
    /// Customer managed KMS key that encrypts the secret (`kms:` in the
    /// source); the execution role then needs `kms:Decrypt` on it.
    pub kms_key: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SecretSource {
    SecretsManager {
        arn: String,
        json_key: Option<String>,
        version_stage: Option<String>,
        version_id: Option<String>,
    },
    /// A parameter name (`/app/key`) or full ARN.
    Ssm { parameter: String },
}

impl SecretSource {
    /// The `valueFrom` ECS expects.
    pub fn value_from(&self) -> String {
        match self {
            SecretSource::SecretsManager {
                arn,
                json_key: None,
                version_stage: None,
                version_id: None,
            } => arn.clone(),
            SecretSource::SecretsManager {
                arn,
                json_key,
                version_stage,
                version_id,
            } => format!(
                "{arn}:{}:{}:{}",
                json_key.as_deref().unwrap_or(""),
                version_stage.as_deref().unwrap_or(""),
                version_id.as_deref().unwrap_or("")
            ),
            SecretSource::Ssm { parameter } => parameter.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogConfig {
    pub driver: LogDriver,
    /// Driver options, in a stable order.
    pub options: Vec<(String, Text)>,
    /// Options whose values come from secrets (splunk token, ...).
    pub secret_options: Vec<Secret>,
    /// For awslogs (and FireLens to CloudWatch): the log group this
    /// container writes to; every such group is created by the stack.
    pub group: Option<String>,
    /// Retention asked for in the source (`retention 90`); the owned log
    /// group's default applies when `None`.
    pub retention_days: Option<u32>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogDriver {
    Awslogs,
    Awsfirelens,
    Fluentd,
    Splunk,
    JsonFile,
    Syslog,
    Gelf,
    Journald,
}

impl LogDriver {
    pub fn as_str(self) -> &'static str {
        match self {
            LogDriver::Awslogs => "awslogs",
            LogDriver::Awsfirelens => "awsfirelens",
            LogDriver::Fluentd => "fluentd",
            LogDriver::Splunk => "splunk",
            LogDriver::JsonFile => "json-file",
            LogDriver::Syslog => "syslog",
            LogDriver::Gelf => "gelf",
            LogDriver::Journald => "journald",
        }
    }
}

/// `firelensConfiguration` of a log router container.
#[derive(Debug, Clone, PartialEq)]
pub struct Firelens {
    pub kind: FirelensKind,
    pub options: Vec<(String, Text)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirelensKind {
    Fluentbit,
    Fluentd,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HealthCheck {
    /// `CMD-SHELL` with one string, or `CMD` with an argv.
    pub command: HealthCommand,
    pub interval: u32,
    pub timeout: u32,
    pub retries: u32,
    pub start_period: u32,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HealthCommand {
    Shell(Text),
    Exec(Vec<Text>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    pub container: String,
    pub condition: Condition,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

#[derive(Debug, Clone, PartialEq)]
pub struct Mount {
    pub volume: String,
    pub path: String,
    pub read_only: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ulimit {
    pub name: String,
    pub soft: u32,
    pub hard: u32,
}

/// How the process driver runs a container on the host.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalRun {
    /// A shell command line, or an argv.
    pub command: Option<LocalCommand>,
    pub working_directory: Option<String>,
    pub environment: Vec<(String, Text)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LocalCommand {
    Shell(String),
    Argv(Vec<String>),
}

// ---------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub name: String,
    pub cluster: String,
    pub task: String,
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
    pub discovery: Option<Discovery>,
    pub grace_period: Option<u32>,
    pub autoscale: Option<AutoScale>,
    /// Services allowed to call this one (security group ingress).
    pub callers: Vec<Caller>,
    /// Egress rules; empty = all traffic allowed.
    pub egress: Vec<EgressRule>,
    pub execute_command: bool,
    pub tags: Vec<(String, Text)>,
    pub span: Span,
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
    pub network: Option<String>,
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
    pub load_balancer: String,
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
