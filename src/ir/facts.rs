//! Target-independent facts: what ECS would pick silently, and what every
//! target writes the same way, defined once next to the data they follow
//! from. Every backend reads these; none re-derives them. They are pure
//! functions of checked IR (not fields the checker fills), so IR built by
//! hand, as the backend tests do, gets them too.

use super::{
    Cluster, Compatibility, Container, CreatedVpc, Exposure, Job, Launch, LbKind, NetworkMode,
    PortMapping, ScalingMetric, Scheduling, Service, StrategyItem, Task,
};

/// The Fargate platform version ECS picks when none is given.
pub const DEFAULT_PLATFORM_VERSION: &str = "LATEST";

impl PortMapping {
    /// True for a `containerPortRange`.
    pub fn is_range(&self) -> bool {
        self.last_port.is_some()
    }

    /// The last port this mapping covers (its only port when not a range).
    pub fn last(&self) -> u16 {
        self.last_port.unwrap_or(self.container_port)
    }

    /// Whether `port` is this mapping's port or inside its range.
    pub fn covers(&self, port: u16) -> bool {
        (self.container_port..=self.last()).contains(&port)
    }

    /// `8000` or `8000-8010`, as ECS writes a port range.
    pub fn written_ports(&self) -> String {
        match self.last_port {
            Some(last) => format!("{}-{last}", self.container_port),
            None => self.container_port.to_string(),
        }
    }

    /// The `hostPort` a task definition writes: as given, else what ECS
    /// would use when it is absent: the container port in awsvpc and host
    /// mode, `0` (a dynamic port) in bridge mode; nothing in `none` mode.
    /// A range writes none: ECS chooses the host ports.
    pub fn written_host_port(&self, mode: NetworkMode) -> Option<u16> {
        if self.is_range() {
            return None;
        }
        match mode {
            NetworkMode::Awsvpc | NetworkMode::Host => {
                Some(self.host_port.unwrap_or(self.container_port))
            }
            NetworkMode::Bridge | NetworkMode::Default => Some(self.host_port.unwrap_or(0)),
            NetworkMode::None => self.host_port,
        }
    }
}

impl Exposure {
    /// The path the target group's health check requests: as given; behind
    /// an ALB without one, ELB's default `/` (an ALB checks targets over
    /// HTTP only); behind an NLB without one, none (a TCP check).
    pub fn written_health_path(&self, kind: LbKind) -> Option<&str> {
        match (self.health.path.as_deref(), kind) {
            (None, LbKind::Alb) => Some("/"),
            (path, _) => path,
        }
    }
}

/// How a service's tasks get capacity, with ECS's silent choices made
/// explicit: a launch type, or a capacity provider strategy.
#[derive(Debug, Clone, PartialEq)]
pub enum EffectiveLaunch {
    Type(Compatibility),
    Strategy(Vec<StrategyItem>),
}

impl EffectiveLaunch {
    /// True when the tasks run on Fargate (a `FARGATE` or `FARGATE_SPOT`
    /// provider in the strategy): then a platform version is written.
    pub fn fargate(&self) -> bool {
        match self {
            EffectiveLaunch::Type(t) => *t == Compatibility::Fargate,
            EffectiveLaunch::Strategy(items) => items
                .iter()
                .any(|i| i.provider == "FARGATE" || i.provider == "FARGATE_SPOT"),
        }
    }
}

impl Service {
    /// A DAEMON service always names its launch type (ECS allows no
    /// capacity provider strategy there). The cluster default is spelled
    /// out: its strategy if it has one, else the launch type ECS falls back
    /// to, chosen among those the task supports.
    pub fn effective_launch(&self, cluster: Option<&Cluster>, task: &Task) -> EffectiveLaunch {
        match (&self.launch, self.scheduling) {
            (Launch::Type(t), _) => EffectiveLaunch::Type(*t),
            (_, Scheduling::Daemon) => EffectiveLaunch::Type(Compatibility::Ec2),
            (Launch::Strategy(items), _) => EffectiveLaunch::Strategy(items.clone()),
            (Launch::ClusterDefault, _) => {
                let strategy = cluster.map_or(&[][..], |c| &c.default_strategy);
                if !strategy.is_empty() {
                    EffectiveLaunch::Strategy(strategy.to_vec())
                } else if task.compatibilities.contains(&Compatibility::Ec2) {
                    EffectiveLaunch::Type(Compatibility::Ec2)
                } else {
                    EffectiveLaunch::Type(
                        task.compatibilities
                            .first()
                            .copied()
                            .unwrap_or(Compatibility::Ec2),
                    )
                }
            }
        }
    }

    /// `platformVersion`: written on Fargate only, `LATEST` unless given.
    pub fn written_platform_version(&self, launch: &EffectiveLaunch) -> Option<&str> {
        launch.fargate().then(|| {
            self.platform_version
                .as_deref()
                .unwrap_or(DEFAULT_PLATFORM_VERSION)
        })
    }

    /// `desiredCount`: 1 unless given; none for a DAEMON service.
    pub fn written_desired_count(&self) -> Option<u32> {
        match self.scheduling {
            Scheduling::Replica => Some(self.desired_count.unwrap_or(1)),
            Scheduling::Daemon => None,
        }
    }

    /// `healthCheckGracePeriodSeconds`: 0 unless given for a load-balanced
    /// service (ECS's default), as given otherwise.
    pub fn written_grace_period(&self) -> Option<u32> {
        if self.exposures.is_empty() {
            self.grace_period
        } else {
            Some(self.grace_period.unwrap_or(0))
        }
    }

    /// The container and port a Cloud Map registry points at. In awsvpc mode
    /// tasks register their own IP (an A record) and need none; in bridge
    /// and host mode (SRV records) ECS requires one: the first exposed port,
    /// else the first mapped port of the essential containers, then of the
    /// others.
    pub fn registry_target<'a>(&'a self, task: &'a Task) -> Option<(&'a str, u16)> {
        if task.network_mode == NetworkMode::Awsvpc {
            return None;
        }
        self.exposures
            .first()
            .map(|e| (e.container.as_str(), e.container_port))
            .or_else(|| {
                let mut containers: Vec<&Container> = task.containers.iter().collect();
                containers.sort_by_key(|c| !c.essential);
                containers.into_iter().find_map(|c| {
                    // A DNS SRV record names one port, never a range.
                    c.ports
                        .iter()
                        .find(|p| !p.is_range())
                        .map(|p| (c.name.as_str(), p.container_port))
                })
            })
    }
}

impl ScalingMetric {
    /// The Application Auto Scaling predefined metric.
    pub fn predefined_metric_type(self) -> &'static str {
        match self {
            ScalingMetric::Cpu => "ECSServiceAverageCPUUtilization",
            ScalingMetric::Memory => "ECSServiceAverageMemoryUtilization",
            ScalingMetric::Requests => "ALBRequestCountPerTarget",
        }
    }

    /// The metric's word in a policy name (`<service>-cpu`).
    pub fn policy_word(self) -> &'static str {
        match self {
            ScalingMetric::Cpu => "cpu",
            ScalingMetric::Memory => "memory",
            ScalingMetric::Requests => "requests",
        }
    }
}

impl Service {
    /// The name of the target tracking policy of one metric, the same in
    /// every target: `<service>-<metric>`.
    pub fn scaling_policy_name(&self, metric: ScalingMetric) -> String {
        format!("{}-{}", self.name, metric.policy_word())
    }
}

impl Job {
    /// `PlatformVersion` of a job's run: on Fargate only, `LATEST` unless
    /// given.
    pub fn written_platform_version(&self) -> Option<&str> {
        self.fargate.then(|| {
            self.platform_version
                .as_deref()
                .unwrap_or(DEFAULT_PLATFORM_VERSION)
        })
    }
}

impl CreatedVpc {
    /// The 16 equal blocks a created VPC is cut into (`10.0.0.0/16` ->
    /// `10.0.0.0/20`, ...): public subnets take blocks 0-2 and private ones
    /// 8-10, so going from 2 to 3 zones renumbers nothing. `None` when the
    /// CIDR is malformed or smaller than /24 (blocks under /28).
    pub fn subnet_blocks(&self) -> Option<Vec<String>> {
        subnet_blocks(&self.cidr)
    }
}

fn subnet_blocks(cidr: &str) -> Option<Vec<String>> {
    let (addr, prefix) = cidr.split_once('/')?;
    let prefix: u32 = prefix.parse().ok()?;
    let octets: Vec<u32> = addr
        .split('.')
        .map(|o| o.parse::<u8>().ok().map(u32::from))
        .collect::<Option<_>>()?;
    if octets.len() != 4 || !(8..=24).contains(&prefix) {
        return None;
    }
    let base = octets.iter().fold(0u32, |a, o| (a << 8) | o);
    let base = base & (u32::MAX << (32 - prefix));
    let sub_prefix = prefix + 4;
    let size = 1u32 << (32 - sub_prefix);
    Some(
        (0..16)
            .map(|i| {
                let a = base + i * size;
                format!(
                    "{}.{}.{}.{}/{sub_prefix}",
                    a >> 24,
                    (a >> 16) & 255,
                    (a >> 8) & 255,
                    a & 255
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::subnet_blocks;

    #[test]
    fn subnet_blocks_cut_a_vpc_in_sixteen() {
        let b = subnet_blocks("10.0.0.0/16").unwrap();
        assert_eq!(b.len(), 16);
        assert_eq!(b[0], "10.0.0.0/20");
        assert_eq!(b[8], "10.0.128.0/20");
        assert_eq!(subnet_blocks("10.1.2.0/24").unwrap()[15], "10.1.2.240/28");
        assert_eq!(subnet_blocks("10.0.0.0/26"), None);
        assert_eq!(subnet_blocks("10.0.0/16"), None);
    }
}
