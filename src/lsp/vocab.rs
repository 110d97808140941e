//! What the editor offers and explains: the statements each block reads
//! (the checker's lists; `tests/lsp_vocab.rs` compares them with what the
//! checker accepts), the words some properties choose from, the ECS or
//! CloudFormation field a property becomes, and the reference lines of
//! docs/language.md (embedded, so hover says what the documentation says).

use crate::check::vocabulary;
use std::sync::LazyLock;

/// The kind of block a statement stands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Block {
    Top,
    Network,
    Cluster,
    LoadBalancer,
    Task,
    Container,
    Local,
    Service,
    Expose,
    Input,
    Template,
    Environment,
    Job,
    Override,
    Schedule,
    /// A block whose statements are free (a `logs` or `firelens` option map).
    Options,
}

impl Block {
    /// The block a statement with this head opens, inside `self`.
    pub fn child(self, head: &str) -> Block {
        match (self, head) {
            (Block::Top | Block::Environment | Block::Template, "network") => Block::Network,
            (Block::Top | Block::Environment | Block::Template, "cluster") => Block::Cluster,
            (Block::Top | Block::Environment | Block::Template, "alb" | "nlb") => {
                Block::LoadBalancer
            }
            (Block::Top | Block::Environment | Block::Template, "task") => Block::Task,
            (Block::Top | Block::Environment | Block::Template, "service") => Block::Service,
            (Block::Top | Block::Environment | Block::Template, "job") => Block::Job,
            (Block::Top | Block::Environment | Block::Template, "schedule") => Block::Schedule,
            (Block::Job, "override") => Block::Override,
            (Block::Top, "input") => Block::Input,
            (Block::Top, "template") => Block::Template,
            (Block::Top, "environment") => Block::Environment,
            (
                Block::Task | Block::Template,
                "container" | "sidecar" | "ambassador" | "init" | "log_router",
            ) => Block::Container,
            (Block::Container, "local") => Block::Local,
            (Block::Service, "expose") => Block::Expose,
            _ => Block::Options,
        }
    }

    /// The statements valid in this block, in the checker's order.
    pub fn heads(self) -> &'static [&'static str] {
        match self {
            Block::Top => TOP,
            Block::Network => NETWORK,
            Block::Cluster => CLUSTER,
            Block::LoadBalancer => LOAD_BALANCER,
            Block::Task => &TASK,
            Block::Container => &CONTAINER,
            Block::Local => LOCAL,
            Block::Service => SERVICE,
            Block::Expose => EXPOSE,
            Block::Input => &["description"],
            Block::Job => vocabulary::JOB,
            Block::Override => vocabulary::OVERRIDE,
            Block::Schedule => vocabulary::SCHEDULE,
            Block::Template => template_heads(),
            Block::Environment => &[
                "input", "network", "cluster", "alb", "nlb", "task", "service", "job", "schedule",
                "stack",
            ],
            Block::Options => &[],
        }
    }

    /// The section of docs/language.md that documents this block's statements.
    fn doc_key(self) -> &'static str {
        match self {
            Block::Top | Block::Template | Block::Environment | Block::Options => "",
            Block::Network => "network",
            Block::Cluster => "cluster",
            Block::LoadBalancer => "alb",
            Block::Task => "task",
            Block::Container => "container",
            Block::Local => "local",
            Block::Service => "service",
            Block::Expose => "expose",
            Block::Input => "input",
            Block::Job => "job",
            Block::Override => "override",
            Block::Schedule => "schedule",
        }
    }
}

pub const TOP: &[&str] = &[
    "stack",
    "region",
    "account",
    "import",
    "let",
    "input",
    "template",
    "use",
    "environment",
    "network",
    "cluster",
    "alb",
    "nlb",
    "task",
    "service",
    "job",
    "schedule",
];
pub const NETWORK: &[&str] = &[
    "vpc",
    "public_subnets",
    "private_subnets",
    "cidr",
    "azs",
    "nat",
    "endpoints",
];
pub const CLUSTER: &[&str] = &["capacity", "insights", "network"];
pub const LOAD_BALANCER: &[&str] = &[
    "public",
    "internal",
    "network",
    "listener",
    "idle_timeout",
    "allow",
];
/// The task's, container's and service's statements, from the checker.
static TASK: LazyLock<Vec<&'static str>> = LazyLock::new(vocabulary::task);
static CONTAINER: LazyLock<Vec<&'static str>> = LazyLock::new(vocabulary::container);
const SERVICE: &[&str] = vocabulary::SERVICE;
pub const LOCAL: &[&str] = &["command", "workdir", "env"];
pub const EXPOSE: &[&str] = &[
    "path",
    "host",
    "listener",
    "health",
    "deregistration",
    "target_group",
];
/// A template's body is any statement of the place it is used in: its
/// parameters, then what a program, a task, a container or a service takes.
fn template_heads() -> &'static [&'static str] {
    static HEADS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    HEADS.get_or_init(|| {
        let mut v = vec!["param"];
        for h in TOP
            .iter()
            .chain(TASK.iter())
            .chain(CONTAINER.iter())
            .chain(SERVICE)
        {
            if !v.contains(h) {
                v.push(h);
            }
        }
        v
    })
}

/// `use` may stand anywhere a statement may.
pub const ANYWHERE: &[&str] = &["use"];

/// The words a property chooses from (its first positional word).
pub fn choices(block: Block, head: &str) -> &'static [&'static str] {
    const BOOL: &[&str] = &["on", "off"];
    match (block, head) {
        (Block::Network, "nat") => &["none", "single", "per_az"],
        (Block::Network, "endpoints") => &["ecr", "s3", "logs", "secretsmanager", "ssm"],
        (Block::Cluster, "insights") => &["on", "off", "enhanced"],
        (Block::Cluster | Block::Service, "capacity") => &["FARGATE", "FARGATE_SPOT"],
        (Block::LoadBalancer, "listener") => &["http", "https", "tcp", "udp", "tls"],
        (Block::Task, "network") => &["awsvpc", "bridge", "host", "none"],
        (Block::Task, "compat") => &["fargate", "ec2", "external"],
        (Block::Task, "arch") => &["x86_64", "arm64"],
        (Block::Task, "volume") => &["efs", "bind"],
        (Block::Container, "essential" | "readonly") => BOOL,
        (Block::Container, "logs") => &[
            "awslogs",
            "firelens",
            "fluentd",
            "splunk",
            "json-file",
            "syslog",
            "gelf",
        ],
        (Block::Container, "firelens") => &["fluentbit", "fluentd"],
        (Block::Container, "depends_on") => &["START", "COMPLETE", "SUCCESS", "HEALTHY"],
        (Block::Service, "launch") => &["fargate", "ec2", "external"],
        (Block::Service, "public_ip" | "exec") => BOOL,
        (Block::Service, "deploy") => &[
            "rolling",
            "canary",
            "linear",
            "blue_green",
            "circuit_breaker",
            "rollback",
        ],
        (Block::Service, "placement") => &["spread", "binpack", "random", "az", "instance"],
        (Block::Service, "constraint") => &["distinct_instance", "member_of"],
        (Block::Service, "autoscale") => &["cpu", "memory", "requests", "cooldown"],
        _ => &[],
    }
}

/// The input types (`input NAME: TYPE`).
pub const INPUT_TYPES: &[&str] = &[
    "string",
    "int",
    "bool",
    "vpc_id",
    "subnets",
    "security_groups",
];

/// The template parameter types (`param NAME: TYPE`).
pub const PARAM_TYPES: &[&str] = &[
    "string", "name", "int", "bool", "port", "duration", "size", "cpu", "percent", "list", "range",
    "any",
];

/// Where a property ends up in what `wharf build` writes.
pub fn field(block: Block, head: &str) -> Option<&'static str> {
    Some(match (block, head) {
        (Block::Top, "stack") => "the CloudFormation stack name",
        (Block::Top, "region") => "the region of awslogs options and generated ARNs",
        (Block::Top, "input") => "a CloudFormation `Parameters` entry",
        (Block::Top, "network") => "`AWS::EC2::VPC` and subnets (or existing IDs)",
        (Block::Top, "cluster") => "`AWS::ECS::Cluster` / CreateCluster",
        (Block::Top, "alb" | "nlb") => "`AWS::ElasticLoadBalancingV2::LoadBalancer`",
        (Block::Top, "task") => "`AWS::ECS::TaskDefinition` / RegisterTaskDefinition",
        (Block::Top, "service") => "`AWS::ECS::Service` / CreateService",
        (Block::Top, "job") => "RunTask (`run_tasks/<job>.json`); `wharf run` locally",
        (Block::Top, "schedule") => "`AWS::Scheduler::Schedule` and its role / CreateSchedule",
        (Block::Cluster, "capacity") => "`defaultCapacityProviderStrategy`",
        (Block::Cluster, "insights") => "`settings[containerInsights]`",
        (Block::Task, "family") => "`family`",
        (Block::Task, "cpu") => "`cpu` (CPU units, 1024 = 1 vCPU)",
        (Block::Task, "memory") => "`memory` (MiB)",
        (Block::Task, "network") => "`networkMode`",
        (Block::Task, "compat") => "`requiresCompatibilities`",
        (Block::Task, "execution_role") => "`executionRoleArn`",
        (Block::Task, "task_role") => "`taskRoleArn`",
        (Block::Task, "allow") => "a statement of the generated task role's policy",
        (Block::Task, "volume") => "`volumes[]`",
        (Block::Task, "arch") => "`runtimePlatform.cpuArchitecture`",
        (Block::Task, "os") => "`runtimePlatform.operatingSystemFamily`",
        (Block::Task, "storage") => "`ephemeralStorage.sizeInGiB`",
        (Block::Task | Block::Service, "tag") => "`tags[]`",
        (Block::Task, "container" | "sidecar" | "ambassador" | "init" | "log_router") => {
            "`containerDefinitions[]`"
        }
        (Block::Container, "image") => "`containerDefinitions[].image`",
        (Block::Container, "essential") => "`containerDefinitions[].essential`",
        (Block::Container, "cpu") => "`containerDefinitions[].cpu` (CPU units)",
        (Block::Container, "memory") => "`containerDefinitions[].memory` (MiB, hard limit)",
        (Block::Container, "memory_reservation") => {
            "`containerDefinitions[].memoryReservation` (MiB, soft limit)"
        }
        (Block::Container, "port") => "`containerDefinitions[].portMappings[]`",
        (Block::Container, "env") => "`containerDefinitions[].environment[]`",
        (Block::Container, "secret") => "`containerDefinitions[].secrets[]`",
        (Block::Container, "health") => "`containerDefinitions[].healthCheck`",
        (Block::Container, "logs") => "`containerDefinitions[].logConfiguration`",
        (Block::Container, "firelens") => "`containerDefinitions[].firelensConfiguration`",
        (Block::Container, "command") => "`containerDefinitions[].command`",
        (Block::Container, "entrypoint") => "`containerDefinitions[].entryPoint`",
        (Block::Container, "workdir") => "`containerDefinitions[].workingDirectory`",
        (Block::Container, "user") => "`containerDefinitions[].user`",
        (Block::Container, "readonly") => "`containerDefinitions[].readonlyRootFilesystem`",
        (Block::Container, "depends_on") => "`containerDefinitions[].dependsOn[]`",
        (Block::Container, "mount") => "`containerDefinitions[].mountPoints[]`",
        (Block::Container, "stop_timeout") => "`containerDefinitions[].stopTimeout`",
        (Block::Container, "start_timeout") => "`containerDefinitions[].startTimeout`",
        (Block::Container, "ulimit") => "`containerDefinitions[].ulimits[]`",
        (Block::Container, "label") => "`containerDefinitions[].dockerLabels`",
        (Block::Container, "local") => "the local manifest (`wharf up`), not ECS",
        (Block::Task, "pid") => "`pidMode`",
        (Block::Task, "ipc") => "`ipcMode`",
        (Block::Task, "placement_constraint") => "`placementConstraints[]` (memberOf)",
        (Block::Task, "proxy") => "`proxyConfiguration` (App Mesh)",
        (Block::Task, "fault_injection") => "`enableFaultInjection`",
        (Block::Container, "links") => "`containerDefinitions[].links`",
        (Block::Container, "privileged") => "`containerDefinitions[].privileged`",
        (Block::Container, "security_options") => "`containerDefinitions[].dockerSecurityOptions`",
        (Block::Container, "dns") => "`containerDefinitions[].dnsServers`",
        (Block::Container, "dns_search") => "`containerDefinitions[].dnsSearchDomains`",
        (Block::Container, "extra_host") => "`containerDefinitions[].extraHosts[]`",
        (Block::Container, "sysctl") => "`containerDefinitions[].systemControls[]`",
        (Block::Container, "gpu") => "`containerDefinitions[].resourceRequirements[]` (GPU)",
        (Block::Container, "registry_credentials") => {
            "`containerDefinitions[].repositoryCredentials`"
        }
        (Block::Container, "restart") => "`containerDefinitions[].restartPolicy`",
        (Block::Container, "linux") => "`containerDefinitions[].linuxParameters`",
        (Block::Container, "hostname") => "`containerDefinitions[].hostname`",
        (Block::Container, "interactive") => "`containerDefinitions[].interactive`",
        (Block::Container, "tty") => "`containerDefinitions[].pseudoTerminal`",
        (Block::Container, "disable_networking") => "`containerDefinitions[].disableNetworking`",
        (Block::Container, "env_file") => "`containerDefinitions[].environmentFiles[]`",
        (Block::Container, "volumes_from") => "`containerDefinitions[].volumesFrom[]`",
        (Block::Container, "version_consistency") => "`containerDefinitions[].versionConsistency`",
        (Block::Container, "credential_spec") => "`containerDefinitions[].credentialSpecs`",
        (Block::Service, "task") => "`taskDefinition`",
        (Block::Service, "count") => "`desiredCount`",
        (Block::Service, "daemon") => "`schedulingStrategy: DAEMON`",
        (Block::Service, "launch") => "`launchType`",
        (Block::Service, "capacity") => "`capacityProviderStrategy`",
        (Block::Service, "platform") => "`platformVersion`",
        (Block::Service, "subnets") => "`networkConfiguration.awsvpcConfiguration.subnets`",
        (Block::Service, "security_groups") => {
            "`networkConfiguration.awsvpcConfiguration.securityGroups`"
        }
        (Block::Service, "public_ip") => {
            "`networkConfiguration.awsvpcConfiguration.assignPublicIp`"
        }
        (Block::Service, "expose") => "`loadBalancers[]` and a listener rule and target group",
        (Block::Service, "deploy") => "`deploymentConfiguration`",
        (Block::Service, "autoscale") => {
            "Application Auto Scaling scalable target and target-tracking policies"
        }
        (Block::Service, "placement") => "`placementStrategy[]`",
        (Block::Service, "constraint") => "`placementConstraints[]`",
        (Block::Service, "discovery") => "`serviceRegistries[]` (Cloud Map)",
        (Block::Service, "grace") => "`healthCheckGracePeriodSeconds`",
        (Block::Service, "exec") => "`enableExecuteCommand`",
        (Block::Expose, "health") => "the target group's health check",
        (Block::Expose, "deregistration") => "`deregistration_delay.timeout_seconds`",
        (Block::Expose, "target_group") => "`loadBalancers[].targetGroupArn`",
        _ => return None,
    })
}

const LANGUAGE: &str = include_str!("../../docs/language.md");

/// The reference lines of docs/language.md for a statement: the lines of
/// its code examples, inside the block it belongs to, that start with it.
pub fn doc_lines(block: Block, head: &str) -> Vec<&'static str> {
    let key = block.doc_key();
    let mut out = Vec::new();
    let mut in_code = false;
    // The heads of the blocks open at this line of the example.
    let mut open: Vec<&str> = Vec::new();
    for line in LANGUAGE.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            open.clear();
            continue;
        }
        if !in_code {
            continue;
        }
        let code = strip_comment(line).trim();
        let first = code.split_whitespace().next().unwrap_or("");
        let parent = open.last().copied().unwrap_or("");
        let parent = match parent {
            "sidecar" | "ambassador" | "init" | "log_router" => "container",
            "nlb" => "alb",
            p => p,
        };
        if first == head && parent == key && !out.contains(&line.trim()) {
            out.push(line.trim());
        }
        let opens = code.matches('{').count();
        let closes = code.matches('}').count();
        if opens > closes {
            open.push(first);
        } else {
            for _ in 0..closes.saturating_sub(opens) {
                open.pop();
            }
        }
    }
    out
}

/// The heading of the docs/language.md section whose reference table lists
/// this block's statements.
fn doc_section(block: Block) -> Option<&'static str> {
    Some(match block {
        Block::Top => "Top level",
        Block::Input => "input",
        Block::Network => "network",
        Block::Cluster => "cluster",
        Block::LoadBalancer => "alb / nlb",
        Block::Task => "task",
        Block::Container => "container (and the pattern blocks)",
        Block::Local => "local",
        Block::Service => "service",
        Block::Expose => "expose",
        Block::Template => "Templates and the stdlib",
        Block::Environment => "Environments",
        Block::Job => "job",
        Block::Override => "override",
        Block::Schedule => "schedule",
        Block::Options => return None,
    })
}

/// A statement's row of the reference table of its block in
/// docs/language.md: (what it takes, its default), as written there.
pub fn reference_row(block: Block, head: &str) -> Option<(String, String)> {
    let section = doc_section(block)?;
    let mut here = false;
    let mut in_code = false;
    let start = format!("| `{head}` |");
    for line in LANGUAGE.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        } else if in_code {
        } else if let Some(h) = line.strip_prefix('#') {
            here = h.trim_start_matches('#').trim() == section;
        } else if here && line.starts_with(&start) {
            let cells = table_cells(line);
            return Some((cells.get(1)?.clone(), cells.get(2)?.clone()));
        }
    }
    None
}

/// The cells of a Markdown table row (`\|` is a pipe inside a cell).
fn table_cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                cell.push('|');
            }
            '|' => out.push(std::mem::take(&mut cell).trim().to_string()),
            c => cell.push(c),
        }
    }
    out.push(cell.trim().to_string());
    out
}

/// A line without its `//` comment (a `//` inside a string is no comment).
fn strip_comment(line: &str) -> &str {
    let mut in_str = false;
    let b = line.as_bytes();
    for i in 0..b.len() {
        match b[i] {
            b'"' if i == 0 || b[i - 1] != b'\\' => in_str = !in_str,
            b'/' if !in_str && b.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_are_found_by_block() {
        let cpu = doc_lines(Block::Task, "cpu");
        assert_eq!(
            cpu,
            vec!["cpu 0.25vcpu                       // task-level cpu and memory"]
        );
        let vpc = doc_lines(Block::Network, "vpc");
        assert_eq!(
            vpc,
            vec!["vpc VPC_ID                         // literal \"vpc-...\" or a vpc_id input"]
        );
        assert!(doc_lines(Block::Expose, "path")[0].starts_with("path \"/api/*\""));
        assert!(!doc_lines(Block::Container, "memory_reservation").is_empty());
    }

    #[test]
    fn reference_rows_are_found_by_block() {
        assert_eq!(
            reference_row(Block::Network, "nat"),
            Some((
                "`none`, `single` or `per_az`".to_string(),
                "`single`".to_string()
            ))
        );
        let (takes, _) = reference_row(Block::LoadBalancer, "listener").unwrap();
        assert!(
            takes.starts_with("`PORT [http|https|tcp|tls|udp]"),
            "{takes}"
        );
        // `cpu` of a task and of a container are different rows.
        assert_ne!(
            reference_row(Block::Task, "cpu"),
            reference_row(Block::Container, "cpu")
        );
        assert_eq!(reference_row(Block::Options, "Name"), None);
    }
}
