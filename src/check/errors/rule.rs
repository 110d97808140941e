//! Wording of the ECS rule diagnostics (E04xx), one constructor each.

use crate::diag::{Code, Diagnostic, Span};

fn join(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn too_many_containers(task: &str, n: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TooManyContainers,
        format!("task `{task}` has {n} containers"),
        span,
        "the 11th container",
    )
    .with_help(
        "a task definition holds at most 10 containers; move some into another task and service",
    )
}

pub fn duplicate_container(name: &str, span: Span, previous: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DuplicateContainer,
        format!("container `{name}` is declared twice"),
        span,
        "second declaration",
    )
    .with_label(previous, "first declared here")
    .with_help("container names must be unique within a task")
}

pub fn no_essential(task: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::NoEssentialContainer,
        format!("task `{task}` has no essential container"),
        span,
        "every container is non-essential",
    )
    .with_help(
        "declare the main process with `container` (essential by default), or set `essential on`",
    )
}

pub fn fargate_network_mode(task: &str, mode: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FargateNetworkMode,
        format!("Fargate task `{task}` uses `{mode}` networking"),
        span,
        "Fargate task",
    )
    .with_help("Fargate supports only `network awsvpc`; remove `network`, or use `compat ec2`")
}

pub fn fargate_task_size(task: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FargateTaskSize,
        format!("Fargate task `{task}` needs task-level cpu and memory"),
        span,
        "Fargate task",
    )
    .with_help("add `cpu 0.25vcpu` and `memory 512MiB` (or another valid pair) to the task")
}

pub fn fargate_cpu_memory(cpu: u32, mem: u32, span: Span) -> Diagnostic {
    let valid = match cpu {
        256 => "512MiB, 1GiB or 2GiB".to_string(),
        512 => "1GiB to 4GiB in 1GiB steps".to_string(),
        1024 => "2GiB to 8GiB in 1GiB steps".to_string(),
        2048 => "4GiB to 16GiB in 1GiB steps".to_string(),
        4096 => "8GiB to 30GiB in 1GiB steps".to_string(),
        8192 => "16GiB to 60GiB in 4GiB steps".to_string(),
        16384 => "32GiB to 120GiB in 8GiB steps".to_string(),
        _ => String::new(),
    };
    let help = if valid.is_empty() {
        "Fargate cpu is one of 256, 512, 1024, 2048, 4096, 8192 or 16384 units (0.25vcpu to 16vcpu)"
            .to_string()
    } else {
        format!(
            "with {}vcpu, memory must be {valid}",
            f64::from(cpu) / 1024.0
        )
    };
    // In the units people write: `0.25vcpu`, `4GiB`.
    let vcpu = f64::from(cpu) / 1024.0;
    let memory = if mem.is_multiple_of(1024) {
        format!("{}GiB", mem / 1024)
    } else {
        format!("{mem}MiB")
    };
    Diagnostic::error(
        Code::FargateCpuMemory,
        format!("Fargate has no task size of {vcpu}vcpu ({cpu} units) with {memory} memory"),
        span,
        "this task",
    )
    .with_help(help)
}

pub fn fargate_log_driver(driver: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FargateLogDriver,
        format!("log driver `{driver}` is not available on Fargate"),
        span,
        "on a Fargate task",
    )
    .with_help("on Fargate use `logs awslogs`, `logs splunk` or `logs firelens`")
}

pub fn fargate_bind_host_path(volume: &str, path: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FargateBindHostPath,
        format!("volume `{volume}` binds host path `{path}` on Fargate"),
        span,
        "Fargate has no host paths",
    )
    .with_help("remove `host ...` for a task-scoped volume, or use EFS")
}

pub fn awsvpc_host_port(mode: &str, container: u16, host: u16, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::AwsvpcHostPort,
        format!("host port {host} differs from container port {container} in {mode} mode"),
        span,
        "remapped port",
    )
    .with_help(format!(
        "in {mode} mode the host port is the container port; write `port {container}`"
    ))
}

pub fn port_twice(port: u16, span: Span, previous: Span) -> Diagnostic {
    Diagnostic::error(
        Code::PortConflict,
        format!("port {port} is used twice"),
        span,
        "second use",
    )
    .with_label(previous, "first used here")
    .with_help("give each a different port")
}

/// E0424: a `containerPortRange` ECS refuses; `message` says which rule.
pub fn port_range(message: String, span: Span, label: &str, help: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::PortRange, message, span, label).with_help(help)
}

pub fn port_two_protocols(port: u16, span: Span, previous: Span) -> Diagnostic {
    Diagnostic::error(
        Code::PortConflict,
        format!("container port {port} is exposed for two protocols"),
        span,
        "second protocol",
    )
    .with_label(previous, "first mapped here")
    .with_help(
        "ECS does not expose one container port for both tcp and udp: listen on another port \
         for the second protocol",
    )
}

pub fn healthy_without_check(
    container: &str,
    target: &str,
    span: Span,
    target_span: Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::HealthyWithoutCheck,
        format!(
            "`{container}` waits for `{target}` to be HEALTHY, but `{target}` has no health check"
        ),
        span,
        "HEALTHY dependency",
    )
    .with_label(target_span, "no `health` here")
    .with_help(format!(
        "add `health \"...\"` to `{target}`, or wait for START instead"
    ))
}

pub fn complete_on_essential(
    condition: &str,
    target: &str,
    span: Span,
    target_span: Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::CompleteOnEssential,
        format!("{condition} dependency on essential container `{target}`"),
        span,
        format!("{condition} dependency"),
    )
    .with_label(target_span, "essential: when it exits the task stops")
    .with_help(format!(
        "declare `{target}` with `init`, or set `essential off` on it"
    ))
}

pub fn dependency_cycle(cycle: &[&str], span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DependencyCycle,
        format!(
            "containers depend on each other in a cycle: {}",
            cycle
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(" -> ")
        ),
        span,
        "closes the cycle",
    )
    .with_help("remove one of these dependencies; ECS could never start the task")
}

pub fn health_range(what: &str, v: u32, lo: u32, hi: u32, unit: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::HealthCheckRange,
        format!("health check {what} of {v}{unit} is out of range"),
        span,
        format!("{what} must be {lo}{unit} to {hi}{unit}"),
    )
    .with_help(format!(
        "set the {what} to a value from {lo}{unit} to {hi}{unit}"
    ))
}

pub fn container_cpu_over_task(sum: u64, cpu: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ContainerCpuOverTask,
        format!("containers reserve {sum} cpu units, more than the task's {cpu}"),
        span,
        "this task",
    )
    .with_help("lower the containers' `cpu`, or raise the task's")
}

pub fn container_memory_over_task(sum: u64, mem: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ContainerMemoryOverTask,
        format!("containers reserve {sum}MiB, more than the task's {mem}MiB"),
        span,
        "this task",
    )
    .with_help("lower the containers' `memory`, or raise the task's")
}

pub fn reservation_over_memory(container: &str, r: u32, m: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ReservationOverMemory,
        format!("`{container}` reserves {r}MiB with a hard limit of {m}MiB"),
        span,
        "this container",
    )
    .with_help("`memory_reservation` (soft) must not exceed `memory` (hard)")
}

pub fn malformed_secretsmanager(arn: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::MalformedSecret, format!("`{arn}` is not a Secrets Manager secret ARN"), span, "this secret")
        .with_help("give the secret's ARN, `arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME`; a JSON field goes in `key: \"...\"`")
}

pub fn malformed_ssm(parameter: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::MalformedSecret,
        format!("`{parameter}` is not an SSM parameter name or ARN"),
        span,
        "this secret",
    )
    .with_help(
        "write a name such as \"/my-app/api-key\", or `arn:aws:ssm:REGION:ACCOUNT:parameter/NAME`",
    )
}

pub fn efs_iam_without_transit(volume: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EfsIamWithoutTransit,
        format!("EFS volume `{volume}` uses IAM authorization without transit encryption"),
        span,
        "this volume",
    )
    .with_help("remove `encrypt off`: IAM authorization needs transit encryption")
}

pub fn firelens_without_router(container: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FirelensWithoutRouter,
        format!("`{container}` logs through FireLens, but the task has no log router"),
        span,
        "FireLens logging",
    )
    .with_help("add `log_router router { }` to the task (Fluent Bit by default)")
}

pub fn daemon_not_ec2(service: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::DaemonNotEc2, format!("DAEMON service `{service}` does not run on EC2"), span, "DAEMON service")
        .with_help("DAEMON places one task on every EC2 instance: use `launch ec2` and a task with `compat ec2`, or drop `daemon`")
}

pub fn fargate_placement(service: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FargatePlacement,
        format!("service `{service}` runs on Fargate with placement rules"),
        span,
        "Fargate service",
    )
    .with_help("Fargate places tasks itself; remove `placement` and `constraint`, or launch on EC2")
}

pub fn launch_incompatible(
    service: &str,
    launch: &str,
    task: &str,
    span: Span,
    task_span: Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::LaunchIncompatible,
        format!("service `{service}` launches on {launch}, which task `{task}` does not support"),
        span,
        format!("{launch} service"),
    )
    .with_label(task_span, "task declared here")
    .with_help(format!(
        "add `compat {}` to the task, or change the service's launch",
        launch.to_ascii_lowercase()
    ))
}

pub fn unknown_capacity_provider(
    provider: &str,
    cluster: &str,
    known: &[&str],
    span: Span,
) -> Diagnostic {
    let help = if known.is_empty() {
        format!("declare `capacity {provider}` in cluster `{cluster}`")
    } else {
        format!(
            "cluster `{cluster}` has {}; add `capacity {provider}` to it",
            join(known)
        )
    };
    Diagnostic::error(
        Code::UnknownCapacityProvider,
        format!("capacity provider `{provider}` is not in cluster `{cluster}`"),
        span,
        "this service",
    )
    .with_help(help)
}

pub fn awsvpc_without_subnets(service: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::AwsvpcWithoutSubnets,
        format!("service `{service}` uses awsvpc but has no subnets"),
        span,
        "awsvpc service",
    )
    .with_help(
        "add `subnets [...]` or `network NAME` to the service, or `network NAME` to its cluster",
    )
}

pub fn exposed_port_missing(
    container: &str,
    port: u16,
    mapped: &[u16],
    span: Span,
    container_span: Span,
) -> Diagnostic {
    let help = if mapped.is_empty() {
        format!("add `port {port}` to `{container}`")
    } else {
        let ports: Vec<String> = mapped.iter().map(u16::to_string).collect();
        format!(
            "`{container}` maps {}; add `port {port}` or expose a mapped port",
            ports.join(", ")
        )
    };
    Diagnostic::error(
        Code::ExposedPortMissing,
        format!("container `{container}` does not map port {port}"),
        span,
        "exposed here",
    )
    .with_label(container_span, "container declared here")
    .with_help(help)
}

pub fn rules_on_nlb(lb: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ListenerProtocol,
        format!("`{lb}` is a network load balancer, which has no path or host rules"),
        span,
        "rule on an NLB",
    )
    .with_help("remove `path` and `host`, or expose through an `alb`")
}

pub fn unknown_listener(lb: &str, port: u16, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::PortConflict,
        format!("load balancer `{lb}` has no listener on port {port}"),
        span,
        "this exposure",
    )
    .with_help(format!(
        "add `listener {port}` to `{lb}`, or name one of its listeners"
    ))
}

pub fn public_ip_on_ec2(service: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::PublicIpOnEc2,
        format!("service `{service}` asks for a public IP but does not run on Fargate"),
        span,
        "public IP on EC2",
    )
    .with_help("only Fargate tasks get a public IP; remove `public_ip`, or reach the tasks through a load balancer or NAT")
}

pub fn grace_without_lb(service: &str, span: Span) -> Diagnostic {
    Diagnostic::warning(Code::GraceWithoutLoadBalancer, format!("service `{service}` has a health check grace period but neither a load balancer nor a container health check"), span, "this service")
        .with_help("the grace period delays load balancer and container health checks; remove `grace`, `expose` the service, or give a container a `health` check")
}

pub fn deployment_percent(min: u32, max: u32, limit: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DeploymentPercent,
        format!("deployment min {min}% / max {max}% is not possible"),
        span,
        "this service",
    )
    .with_help(format!(
        "`min` must be 0% to 100% and `max` 100% to {limit}%"
    ))
}

pub fn deployment_step(percent: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DeploymentPercent,
        format!("a traffic shift of {percent}% per step is not possible"),
        span,
        "this service",
    )
    .with_help("shift 1% to 100% per step")
}

pub fn autoscale_bounds(min: u32, max: u32, desired: u32, span: Span) -> Diagnostic {
    let (message, label) = if min > max {
        (
            format!("auto scaling range {min}..{max} is reversed"),
            "minimum above maximum",
        )
    } else if max == 0 {
        (
            format!("auto scaling range {min}..{max} never runs a task"),
            "maximum of 0",
        )
    } else {
        (
            format!("auto scaling {min}..{max} does not contain the desired count {desired}"),
            "this range",
        )
    };
    Diagnostic::error(Code::AutoscaleBounds, message, span, label)
        .with_help("keep min <= count <= max, with max at least 1")
}

pub fn requests_without_alb(service: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::AutoscaleBounds,
        format!("service `{service}` scales on requests but is behind no ALB"),
        span,
        "requests target",
    )
    .with_help("scale on `cpu` or `memory`, or `expose` the service via an `alb`")
}

pub fn listener_protocol(protocol: &str, alb: bool, span: Span) -> Diagnostic {
    let (kind, allowed) = if alb {
        ("an ALB", "`http` or `https`")
    } else {
        ("an NLB", "`tcp`, `tls` or `udp`")
    };
    Diagnostic::error(
        Code::ListenerProtocol,
        format!(
            "{kind} cannot listen with `{}`",
            protocol.to_ascii_lowercase()
        ),
        span,
        "this listener",
    )
    .with_help(format!("{kind} listens with {allowed}"))
}

pub fn listener_without_certificate(port: u16, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ListenerProtocol,
        format!("secure listener on port {port} has no certificate"),
        span,
        "this listener",
    )
    .with_help("add `cert \"arn:aws:acm:...\"` to the listener")
}

pub fn rule_conflict(
    lb: &str,
    rule: &str,
    listener: Option<u16>,
    span: Span,
    previous: Option<Span>,
) -> Diagnostic {
    let on = match listener {
        Some(port) => format!(" (listener {port})"),
        None => String::new(),
    };
    let d = Diagnostic::error(
        Code::RuleConflict,
        format!("two services claim {rule} on load balancer `{lb}`{on}"),
        span,
        "claimed again here",
    )
    .with_help("give each service its own path or host, or a different load balancer");
    match previous {
        Some(p) => d.with_label(p, "first claimed here"),
        None => d,
    }
}

pub fn literal_secret(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(Code::LiteralSecret, format!("`{name}` looks like a secret but has a literal value"), span, "literal value in plain text")
        .with_help(format!("store it in Secrets Manager or SSM and write `secret {name} = secretsmanager(\"arn:...\")`; if the value is not a secret, add `not_secret` before the `=`"))
}

pub fn ulimit_soft_above_hard(name: &str, soft: u32, hard: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UlimitSoftAboveHard,
        format!("ulimit `{name}` has a soft limit of {soft} above its hard limit of {hard}"),
        span,
        "soft limit above hard limit",
    )
    .with_help(format!("the soft limit may be at most the hard limit: write `ulimit {name} {hard} {hard}` or raise the hard limit"))
}

pub fn retention_not_allowed(days: u32, allowed: &[u32], span: Span) -> Diagnostic {
    let list: Vec<String> = allowed.iter().map(u32::to_string).collect();
    let nearest = allowed
        .iter()
        .copied()
        .find(|&d| d >= days)
        .unwrap_or(allowed[allowed.len() - 1]);
    Diagnostic::error(
        Code::InvalidEnum,
        format!("CloudWatch Logs cannot keep logs for {days} days"),
        span,
        "not an allowed retention",
    )
    .with_help(format!(
        "use one of {} (days), e.g. `retention {nearest}`",
        list.join(", ")
    ))
}

pub fn empty_permission(no_actions: bool, span: Span) -> Diagnostic {
    let what = if no_actions { "actions" } else { "resources" };
    Diagnostic::error(
        Code::EmptyPermission,
        format!("`allow` with no {what}"),
        span,
        format!("an empty list of {what}"),
    )
    .with_help("an IAM policy statement needs at least one action and one resource: list them, or remove the `allow`")
}

pub fn empty_program(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EmptyProgram,
        "this program declares nothing to deploy",
        span,
        "no cluster, task, service, load balancer or created network",
    )
    .with_help("declare at least a task; a file of `let`s and templates is a library to `import`, not a program to build")
}

pub fn container_memory_missing(container: &str, task: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ContainerMemoryMissing,
        format!(
            "container `{container}` has no memory limit, and task `{task}` has no task memory"
        ),
        span,
        "neither `memory` nor `memory_reservation`",
    )
    .with_help(
        "on EC2 a container needs `memory` or `memory_reservation` unless the task sets \
         `memory`; add one of them",
    )
}

pub fn ec2_task_cpu(task: &str, cpu: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Ec2TaskCpu,
        format!("task `{task}` asks for {cpu} CPU units, outside what EC2 tasks may reserve"),
        span,
        "task cpu",
    )
    .with_help(
        "a task that runs on EC2 or external instances takes 128 to 196608 CPU units \
         (0.125vcpu to 192vcpu); raise `cpu`, or leave it out",
    )
}

pub fn fargate_stream_prefix(container: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FargateStreamPrefix,
        format!("container `{container}` logs with awslogs on Fargate without a stream prefix"),
        span,
        "empty `awslogs-stream-prefix`",
    )
    .with_help("Fargate requires `awslogs-stream-prefix`; write `prefix \"ecs\"` (or another name)")
}

pub fn reserved_host_port(port: u16, mode: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ReservedHostPort,
        format!("host port {port} is reserved on ECS container instances"),
        span,
        format!("host port {port} in {mode} mode"),
    )
    .with_help(
        "ECS reserves host ports 22, 2375, 2376 and 51678 to 51680; pick another host port, \
         or leave `host` out for a dynamic one (bridge mode)",
    )
}

pub fn too_many_network_ids(
    service: &str,
    what: &str,
    n: usize,
    limit: usize,
    extra: &str,
    span: Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::ServiceNetworkLimit,
        format!("service `{service}` has {n} {what}{extra}; ECS takes at most {limit}"),
        span,
        format!("{n} {what}"),
    )
    .with_help(format!(
        "an awsvpc configuration holds at most {limit} {what}; name fewer"
    ))
}

pub fn too_many_target_groups(service: &str, n: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TooManyTargetGroups,
        format!("service `{service}` registers with {n} target groups; ECS takes at most 5"),
        span,
        "the 6th exposure",
    )
    .with_help("a service has at most 5 load balancer target groups; split it into two services, or expose fewer ports")
}

pub fn udp_behind_alb(lb: &str, port: u16, span: Span, port_span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UdpBehindAlb,
        format!("UDP port {port} is exposed via ALB `{lb}`"),
        span,
        "this exposure",
    )
    .with_label(port_span, "mapped as udp here")
    .with_help("an ALB forwards only HTTP and HTTPS over TCP; expose the port via an `nlb` with a `udp` listener, or map it as tcp")
}

pub fn unknown_awslogs_option(key: &str, suggestion: Option<&str>, span: Span) -> Diagnostic {
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => "the awslogs driver takes awslogs-group, awslogs-region, awslogs-stream-prefix, \
                 awslogs-create-group, awslogs-datetime-format, awslogs-multiline-pattern, mode, \
                 max-buffer-size and Docker's other awslogs options"
            .to_string(),
    };
    Diagnostic::error(
        Code::UnknownAwslogsOption,
        format!("`{key}` is not an option of the awslogs log driver"),
        span,
        "in these log options",
    )
    .with_help(help)
}

pub fn awslogs_mode(mode: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownAwslogsOption,
        format!("`{mode}` is not a delivery mode of the awslogs log driver"),
        span,
        "in these log options",
    )
    .with_help("the awslogs `mode` option is \"blocking\" or \"non-blocking\"")
}

pub fn fargate_stop_timeout(container: &str, seconds: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FargateStopTimeout,
        format!("container `{container}` waits {seconds}s to stop, longer than Fargate allows"),
        span,
        "this container",
    )
    .with_help("on Fargate `stop_timeout` is at most 120s; lower it, or run the task on EC2 (`compat ec2`)")
}

pub fn allow_with_given_role(task: &str, span: Span, task_span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::AllowWithGivenRole,
        format!("task `{task}` grants permissions to a task role it does not create"),
        span,
        "this permission would be lost",
    )
    .with_label(task_span, "this task names its `task_role`")
    .with_help(
        "Wharf adds `allow` statements only to the task role it generates: add the permission \
         to the given role yourself and remove `allow`, or remove `task_role`",
    )
}

pub fn fargate_docker_volume(volume: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FargateDockerVolume,
        format!("Docker volume `{volume}` in a task that runs on Fargate"),
        span,
        "dockerVolumeConfiguration",
    )
    .with_help("Fargate has no Docker volumes: use a `bind` volume (task storage) or `efs`, or run the task on EC2 (`compat ec2`)")
}

pub fn not_on_fargate(what: &str, owner: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::NotOnFargate,
        format!("{what} of {owner} is not supported on Fargate"),
        span,
        "this runs on Fargate",
    )
    .with_help("remove it, or run the task on EC2 (`compat ec2`)")
}

pub fn not_in_network_mode(what: &str, mode: &str, container: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::NotInNetworkMode,
        format!("{what} of container `{container}` is not supported in {mode} mode"),
        span,
        format!("{mode} network mode"),
    )
    .with_help(
        "remove it, or use `network bridge` (links exist only there; the others also in host mode)",
    )
}
