//! The typed, resolved program: the sole input of every backend. Stage:
//! produced by `check::check` only when there is no error. Every reference is
//! resolved (names are guaranteed to exist), every default ECS would pick
//! silently is written out, units are normalised (cpu in units, memory in MiB,
//! durations in seconds), and nodes that can be blamed keep their span.

mod connect;
mod deploy;
mod facts;
mod job;
pub mod names;
mod queue;
mod rare;
mod reference;
mod service;
mod task;
mod text;

pub use connect::*;
pub use deploy::*;
pub use facts::{EffectiveLaunch, DEFAULT_PLATFORM_VERSION};
pub use job::*;
pub use queue::*;
pub use rare::{Defaults, Rare};
pub use reference::Ref;
pub use service::*;
pub use task::*;
pub use text::{Text, TextPart};

use crate::diag::Span;
use crate::hash::HashMap;

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
    /// One-off tasks (`job`), run on demand or by a schedule.
    pub jobs: Vec<Job>,
    /// EventBridge Scheduler schedules of jobs.
    pub schedules: Vec<Schedule>,
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
    /// A service's position in `Program::services`.
    pub service_positions: HashMap<&'p str, usize>,
    pub inputs: HashMap<&'p str, &'p Input>,
    pub log_groups: HashMap<&'p str, &'p LogGroup>,
    pub jobs: HashMap<&'p str, &'p Job>,
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
            service_positions: p
                .services
                .iter()
                .enumerate()
                .map(|(i, s)| (s.name.as_str(), i))
                .collect(),
            inputs: p.inputs.iter().map(|i| (i.name.as_str(), i)).collect(),
            log_groups: p.log_groups.iter().map(|g| (g.name.as_str(), g)).collect(),
            jobs: p.jobs.iter().map(|j| (j.name.as_str(), j)).collect(),
        }
    }
    pub fn task(&self, r: &Ref<Task>) -> &'p Task {
        declared(&self.tasks, r)
    }
    pub fn cluster(&self, r: &Ref<Cluster>) -> &'p Cluster {
        declared(&self.clusters, r)
    }
    pub fn load_balancer(&self, r: &Ref<LoadBalancer>) -> &'p LoadBalancer {
        declared(&self.load_balancers, r)
    }
    pub fn network(&self, r: &Ref<Network>) -> &'p Network {
        declared(&self.networks, r)
    }
    pub fn job(&self, r: &Ref<Job>) -> &'p Job {
        declared(&self.jobs, r)
    }
}

/// The declaration a reference names. A `Ref` of a checked program always
/// names one (the checker reports an unknown name and builds no program);
/// IR built by hand that breaks this is a bug in the test that built it.
fn declared<'p, T>(map: &HashMap<&'p str, &'p T>, r: &Ref<T>) -> &'p T {
    match map.get(r.as_str()) {
        Some(d) => d,
        None => panic!("IR refers to an undeclared name `{r}`"),
    }
}

/// Single lookups by a name given as text (tests, one-off questions). These
/// scan the list; a backend uses [`Index`] and the program's typed `Ref`s.
impl Program {
    pub fn task(&self, name: &str) -> &Task {
        named(&self.tasks, name, |t| &t.name)
    }
    pub fn cluster(&self, name: &str) -> &Cluster {
        named(&self.clusters, name, |c| &c.name)
    }
    pub fn load_balancer(&self, name: &str) -> &LoadBalancer {
        named(&self.load_balancers, name, |l| &l.name)
    }
    pub fn network(&self, name: &str) -> &Network {
        named(&self.networks, name, |n| &n.name)
    }
    pub fn service(&self, name: &str) -> &Service {
        named(&self.services, name, |s| &s.name)
    }
}

pub(crate) fn named<'a, T>(items: &'a [T], name: &str, name_of: fn(&T) -> &String) -> &'a T {
    match items.iter().find(|t| name_of(t) == name) {
        Some(t) => t,
        None => panic!("no declaration named `{name}` in the program"),
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
    /// Set when the input feeds a secret-looking variable (`env DB_PASSWORD
    /// = "${PW}"`): the span of the first such use. A secret input is never
    /// written as a default: CloudFormation makes it a `NoEcho` parameter
    /// without one, and the ECS and local targets refuse it (E0444).
    pub secret: Option<Span>,
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
    /// EC2 capacity Wharf creates (launch template, auto scaling group,
    /// instance role and security group) instead of a group the source
    /// names; `auto_scaling_group` is then empty.
    pub created: Option<CreatedCapacity>,
}

/// `capacity NAME { instance_type "..."; instances MIN..MAX; ... }`: the
/// instances a cluster creates for itself.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedCapacity {
    pub instance_type: String,
    /// The AMI variant: from the instance family (Graviton families are
    /// ARM64), or as the source says.
    pub arch: Arch,
    pub min: u32,
    pub max: u32,
    /// The group's initial desired capacity; `None` leaves it to managed
    /// scaling (it starts at `min`).
    pub desired: Option<u32>,
    /// The network whose private subnets the instances are in.
    pub network: String,
    /// Root volume size in GiB; `None` is the AMI's.
    pub root_volume_gib: Option<u32>,
    /// A Windows family in ECS spelling (`WINDOWS_SERVER_2022_CORE`) for
    /// ECS-optimized Windows instances; `None` is Amazon Linux 2023.
    pub windows: Option<String>,
    pub span: crate::diag::Span,
}

impl CreatedCapacity {
    /// The public SSM parameter of the recommended ECS-optimized AMI: Amazon
    /// Linux 2023 for this architecture, or the Windows Server edition.
    /// `None` for a Windows family without an ECS-optimized AMI.
    pub fn ami_parameter(&self) -> Option<String> {
        let Some(family) = &self.windows else {
            return Some(
                match self.arch {
                    Arch::X86_64 => {
                        "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
                    }
                    Arch::Arm64 => {
                        "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id"
                    }
                }
                .to_string(),
            );
        };
        let rest = family.strip_prefix("WINDOWS_SERVER_")?;
        let (year, edition) = rest.split_once('_')?;
        let edition = match edition {
            "CORE" => "Core",
            "FULL" => "Full",
            _ => return None,
        };
        matches!(year, "2016" | "2019" | "2022" | "2025")
            .then_some(())
            .filter(|_| !(year == "2016" && edition == "Core"))?;
        Some(format!(
            "/aws/service/ami-windows-latest/Windows_Server-{year}-English-{edition}-ECS_Optimized/image_id"
        ))
    }
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
    pub network: Ref<Network>,
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
