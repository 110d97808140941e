//! ECS rules over the lowered program (E04xx), plus the references that can
//! only be checked once every task is lowered (containers, volumes, ports).
//! Runs on whatever lowered: a service whose task, cluster or load balancer
//! did not lower (already an error) is checked only as far as it can be.
//! Linear in the program: tasks, clusters and load balancers are indexed once.

use super::errors::rule as e;
use super::vocabulary::Kind;
use super::Cx;
use crate::diag::Span;
use crate::ir::{
    CapacityProvider, Cluster, Compatibility, Condition, DeploymentStrategy, HealthCheck, Launch,
    LbKind, ListenerProtocol, LogDriver, NetworkMode, PortMapping, Program, Protocol, Scheduling,
    SecretSource, Service, Task, VolumeKind,
};
use std::collections::HashMap;

pub fn check(cx: &mut Cx, program: &Program) {
    let complete =
        |cx: &Cx, kind: Kind, name: &str| !cx.incomplete.contains(&(kind, name.to_string()));
    for task in &program.tasks {
        if complete(cx, Kind::Task, &task.name) {
            check_task(cx, task);
        }
    }
    let index = crate::ir::Index::new(program);
    for s in &program.services {
        if !complete(cx, Kind::Service, &s.name) || !complete(cx, Kind::Task, &s.task) {
            continue;
        }
        if let (Some(task), Some(cluster)) = (
            index.tasks.get(s.task.as_str()),
            index.clusters.get(s.cluster.as_str()),
        ) {
            check_service(cx, &index, s, task, cluster);
        }
    }
    check_load_balancers(cx, program, &index);
    super::service_limits::check(cx, program, &index);
}

// ----- task definitions -----------------------------------------------------

fn check_task(cx: &mut Cx, task: &Task) {
    if task.containers.len() > 10 {
        cx.push(e::too_many_containers(
            &task.name,
            task.containers.len(),
            task.containers[10].span,
        ));
    }
    let mut names: HashMap<&str, Span> = HashMap::new();
    for c in &task.containers {
        if let Some(prev) = names.insert(&c.name, c.span) {
            cx.push(e::duplicate_container(&c.name, c.span, prev));
        }
    }
    if !task.containers.iter().any(|c| c.essential) {
        cx.push(e::no_essential(&task.name, task.span));
    }
    if let (crate::ir::Role::Arn(_), Some(p)) = (&task.task_role, task.permissions.first()) {
        cx.push(e::allow_with_given_role(&task.name, p.span, task.span));
    }
    if task.is_fargate() {
        check_fargate(cx, task);
    }
    check_ports(cx, task);
    check_dependencies(cx, task);
    check_container_references(cx, task);
    check_settings_support(cx, task);
    check_resources(cx, task);
    super::limits::check_task(cx, task);
    check_platform(cx, task);
    let volumes: Vec<&str> = task.volumes.iter().map(|v| v.name.as_str()).collect();
    let volume_set: std::collections::HashSet<&str> = volumes.iter().copied().collect();
    let has_router = task.containers.iter().any(|c| c.firelens.is_some());
    for v in &task.volumes {
        if let VolumeKind::Efs(efs) = &v.kind {
            if efs.iam && !efs.transit_encryption {
                cx.push(e::efs_iam_without_transit(&v.name, v.span));
            }
        }
    }
    for c in &task.containers {
        if let Some(h) = &c.health {
            check_health(cx, h);
        }
        for m in &c.mounts {
            if !volume_set.contains(m.volume.as_str()) {
                cx.push(super::errors::unknown_volume(&m.volume, &volumes, m.span));
            }
        }
        for s in c
            .secrets
            .iter()
            .chain(c.log.iter().flat_map(|l| l.secret_options.iter()))
        {
            check_secret(cx, &s.source, s.span);
        }
        if let Some(log) = &c.log {
            if log.driver == LogDriver::Awsfirelens && !has_router {
                cx.push(e::firelens_without_router(&c.name, log.span));
            }
            if log.driver == LogDriver::Awslogs {
                check_awslogs(cx, task, c, log);
            }
        }
        if let Some(stop) = c.stop_timeout.filter(|s| *s > 120) {
            if task.is_fargate() {
                cx.push(e::fargate_stop_timeout(&c.name, stop, c.span));
            }
        }
    }
}

/// Options of the awslogs driver: those the ECS developer guide documents
/// and the rest of Docker's awslogs driver (ECS passes options through to
/// Docker on EC2; Docker refuses to start a container with any other).
const AWSLOGS_OPTIONS: &[&str] = &[
    "awslogs-group",
    "awslogs-region",
    "awslogs-stream-prefix",
    "awslogs-create-group",
    "awslogs-datetime-format",
    "awslogs-multiline-pattern",
    "mode",
    "max-buffer-size",
    "awslogs-endpoint",
    "awslogs-stream",
    "awslogs-create-stream",
    "awslogs-format",
    "awslogs-force-flush-interval-seconds",
    "awslogs-max-buffered-events",
    "awslogs-credentials-endpoint",
    "tag",
];

fn check_awslogs(cx: &mut Cx, task: &Task, c: &crate::ir::Container, log: &crate::ir::LogConfig) {
    for (key, _) in &log.options {
        if !AWSLOGS_OPTIONS.contains(&key.as_str()) {
            let suggestion = crate::diag::closest(key, AWSLOGS_OPTIONS.iter().copied());
            cx.push(e::unknown_awslogs_option(key, suggestion, log.span));
        }
    }
    // Docker's awslogs driver: `mode` is `blocking` or `non-blocking`.
    for (_, v) in log.options.iter().filter(|(k, _)| k == "mode") {
        if let Some(mode) = v
            .as_literal()
            .filter(|m| m != "blocking" && m != "non-blocking")
        {
            cx.push(e::awslogs_mode(&mode, log.span));
        }
    }
    let empty_prefix = log.options.iter().any(|(k, v)| {
        k == "awslogs-stream-prefix" && v.as_literal().is_some_and(|p| p.trim().is_empty())
    });
    if task.is_fargate() && empty_prefix {
        cx.push(e::fargate_stream_prefix(&c.name, log.span));
    }
}

/// Task size and platform rules that depend on where the task runs: EC2
/// (or external) tasks bound task cpu and need a memory figure per
/// container when the task has none; then the runtime platform rules.
fn check_platform(cx: &mut Cx, task: &Task) {
    if !task.is_fargate() {
        if let Some(cpu) = task.cpu.filter(|c| !(128..=196_608).contains(c)) {
            cx.push(e::ec2_task_cpu(&task.name, cpu, task.span));
        }
        if task.memory.is_none() {
            for c in &task.containers {
                if c.memory.is_none() && c.memory_reservation.is_none() {
                    cx.push(e::container_memory_missing(&c.name, &task.name, c.span));
                }
            }
        }
    }
    // Windows and ARM64: `runtime`, with spans at the settings.
    super::runtime::check_task(cx, task);
}

/// Host ports ECS reserves on every container instance: SSH, the Docker
/// daemon and the ECS agent.
fn reserved_host_port(port: u16) -> bool {
    matches!(port, 22 | 2375 | 2376 | 51678..=51680)
}

/// Task definition members ECS refuses where the task runs: on Fargate
/// (ECS API reference, ContainerDefinition and LinuxParameters: "not
/// supported for tasks run on Fargate"), or in a network mode (`links` only
/// in bridge mode; `hostname`, `dns`, `dns_search`, `extra_host` and
/// `disable_networking` not in awsvpc mode).
fn check_settings_support(cx: &mut Cx, task: &Task) {
    let mode = task.network_mode;
    if task.is_fargate() {
        let t = &task.settings;
        let mut task_level = Vec::new();
        if t.ipc_mode.is_some() {
            task_level.push("`ipc`");
        }
        if t.pid_mode.as_deref() == Some("host") {
            task_level.push("`pid host`");
        }
        if !t.placement_constraints.is_empty() {
            task_level.push("`placement_constraint`");
        }
        for what in task_level {
            cx.push(e::not_on_fargate(
                what,
                &format!("task `{}`", task.name),
                task.span,
            ));
        }
    }
    for c in &task.containers {
        let x = &c.settings;
        if task.is_fargate() {
            let mut found = Vec::new();
            if x.privileged {
                found.push("`privileged`");
            }
            if x.gpus.is_some() {
                found.push("`gpu`");
            }
            if !x.docker_security_options.is_empty() {
                found.push("`security_options`");
            }
            if let Some(l) = &x.linux {
                if !l.devices.is_empty() {
                    found.push("`linux { device }`");
                }
                if l.shared_memory.is_some() {
                    found.push("`linux { shared_memory }`");
                }
                if !l.tmpfs.is_empty() {
                    found.push("`linux { tmpfs }`");
                }
                if l.max_swap.is_some() || l.swappiness.is_some() {
                    found.push("`linux { max_swap / swappiness }`");
                }
                if l.add_capabilities.iter().any(|c| c != "SYS_PTRACE") {
                    found.push("`linux { add_capabilities }` beyond SYS_PTRACE");
                }
            }
            for what in found {
                cx.push(e::not_on_fargate(
                    what,
                    &format!("container `{}`", c.name),
                    c.span,
                ));
            }
        }
        let mut wrong_mode = Vec::new();
        if !x.links.is_empty() && !mode.maps_ports() {
            wrong_mode.push("`links`");
        }
        if mode == NetworkMode::Awsvpc {
            if x.hostname.is_some() {
                wrong_mode.push("`hostname`");
            }
            if !x.dns_servers.is_empty() || !x.dns_search_domains.is_empty() {
                wrong_mode.push("`dns` / `dns_search`");
            }
            if !x.extra_hosts.is_empty() {
                wrong_mode.push("`extra_host`");
            }
            if x.disable_networking {
                wrong_mode.push("`disable_networking`");
            }
        }
        for what in wrong_mode {
            cx.push(e::not_in_network_mode(what, mode.as_str(), &c.name, c.span));
        }
    }
}

/// Containers named by `volumes_from`, `links` (`name[:alias]`) and the
/// task's `proxy` exist.
fn check_container_references(cx: &mut Cx, task: &Task) {
    let names: Vec<&str> = task.containers.iter().map(|c| c.name.as_str()).collect();
    for c in &task.containers {
        for link in &c.settings.links {
            let target = link.split_once(':').map_or(link.as_str(), |(n, _)| n);
            if !names.contains(&target) {
                cx.push(super::errors::unknown_container(
                    target, &task.name, &names, c.span,
                ));
            }
        }
        for (from, _) in &c.settings.volumes_from {
            if !names.contains(&from.as_str()) {
                cx.push(super::errors::unknown_container(
                    from, &task.name, &names, c.span,
                ));
            }
        }
    }
    if let Some((proxy, _)) = &task.settings.proxy {
        if !names.contains(&proxy.as_str()) {
            cx.push(super::errors::unknown_container(
                proxy, &task.name, &names, task.span,
            ));
        }
    }
}

/// Valid Fargate (cpu units -> memory MiB) pairs.
fn fargate_memory_ok(cpu: u32, mem: u32) -> bool {
    let gib = |g: u32| g * 1024;
    match cpu {
        256 => [512, 1024, 2048].contains(&mem),
        512 => (gib(1)..=gib(4)).contains(&mem) && mem.is_multiple_of(1024),
        1024 => (gib(2)..=gib(8)).contains(&mem) && mem.is_multiple_of(1024),
        2048 => (gib(4)..=gib(16)).contains(&mem) && mem.is_multiple_of(1024),
        4096 => (gib(8)..=gib(30)).contains(&mem) && mem.is_multiple_of(1024),
        8192 => (gib(16)..=gib(60)).contains(&mem) && mem.is_multiple_of(gib(4)),
        16384 => (gib(32)..=gib(120)).contains(&mem) && mem.is_multiple_of(gib(8)),
        _ => false,
    }
}

fn check_fargate(cx: &mut Cx, task: &Task) {
    if task.network_mode != NetworkMode::Awsvpc {
        cx.push(e::fargate_network_mode(
            &task.name,
            task.network_mode.as_str(),
            task.span,
        ));
    }
    match (task.cpu, task.memory) {
        (Some(cpu), Some(mem)) if !fargate_memory_ok(cpu, mem) => {
            cx.push(e::fargate_cpu_memory(cpu, mem, task.span))
        }
        (Some(_), Some(_)) => {}
        _ => cx.push(e::fargate_task_size(&task.name, task.span)),
    }
    for c in &task.containers {
        if let Some(log) = &c.log {
            if !matches!(
                log.driver,
                LogDriver::Awslogs | LogDriver::Splunk | LogDriver::Awsfirelens
            ) {
                cx.push(e::fargate_log_driver(log.driver.as_str(), log.span));
            }
        }
    }
    for v in &task.volumes {
        match &v.kind {
            VolumeKind::Bind { host_path: Some(p) } => {
                cx.push(e::fargate_bind_host_path(&v.name, p, v.span))
            }
            VolumeKind::Docker(_) => cx.push(e::fargate_docker_volume(&v.name, v.span)),
            _ => {}
        }
    }
}

fn check_ports(cx: &mut Cx, task: &Task) {
    check_port_ranges(cx, task);
    let mut seen: HashMap<(u16, &str), Span> = HashMap::new();
    for c in &task.containers {
        // PortMapping: "You can't expose the same container port for
        // multiple protocols."
        let mut protocols: HashMap<u16, (&str, Span)> = HashMap::new();
        for p in &c.ports {
            match protocols.get(&p.container_port) {
                Some((proto, prev)) if *proto != p.protocol.as_str() => {
                    cx.push(e::port_two_protocols(p.container_port, p.span, *prev))
                }
                Some(_) => {}
                None => {
                    protocols.insert(p.container_port, (p.protocol.as_str(), p.span));
                }
            }
            if p.is_range() {
                // Ranges: `check_port_ranges`.
                continue;
            }
            if matches!(task.network_mode, NetworkMode::Awsvpc | NetworkMode::Host) {
                if let Some(h) = p.host_port.filter(|h| *h != p.container_port) {
                    cx.push(e::awsvpc_host_port(
                        task.network_mode.as_str(),
                        p.container_port,
                        h,
                        p.span,
                    ));
                }
            }
            // The port taken on the container instance itself.
            let on_host = match task.network_mode {
                NetworkMode::Bridge | NetworkMode::Default => p.host_port.filter(|h| *h != 0),
                NetworkMode::Host => Some(p.container_port),
                NetworkMode::Awsvpc | NetworkMode::None => None,
            };
            if let Some(h) = on_host.filter(|h| reserved_host_port(*h)) {
                cx.push(e::reserved_host_port(h, task.network_mode.as_str(), p.span));
            }
            // In awsvpc and host mode all containers share one network
            // namespace; in bridge mode only fixed host ports can clash.
            let key = match task.network_mode {
                NetworkMode::Awsvpc | NetworkMode::Host => Some(p.container_port),
                NetworkMode::Bridge | NetworkMode::Default => p.host_port.filter(|h| *h != 0),
                NetworkMode::None => None,
            };
            if let Some(port) = key {
                if let Some(prev) = seen.insert((port, p.protocol.as_str()), p.span) {
                    cx.push(e::port_twice(port, p.span, prev));
                }
            }
        }
    }
}

/// `containerPortRange` (PortMapping, ECS API reference): bridge or awsvpc
/// mode only, no host port, the first port below the last, at most 100
/// ranges per container, and no port in two mappings of one container (nor,
/// in awsvpc mode, of two containers: they share one network namespace).
fn check_port_ranges(cx: &mut Cx, task: &Task) {
    if !task
        .containers
        .iter()
        .flat_map(|c| &c.ports)
        .any(|p| p.is_range())
    {
        return;
    }
    let mode = task.network_mode;
    let shared = mode == NetworkMode::Awsvpc;
    // Every mapping of the task with its container's index, under awsvpc.
    let mut all: Vec<(usize, &PortMapping)> = Vec::new();
    for (ci, c) in task.containers.iter().enumerate() {
        let ranges: Vec<&PortMapping> = c.ports.iter().filter(|p| p.is_range()).collect();
        if ranges.len() > 100 {
            cx.push(e::port_range(
                format!(
                    "container `{}` has {} port ranges; ECS takes at most 100",
                    c.name,
                    ranges.len()
                ),
                ranges[100].span,
                "the 101st range",
                "merge neighbouring ranges into one, such as `port 8000..8099`",
            ));
        }
        for p in &ranges {
            let (first, last) = (p.container_port, p.last());
            if first >= last {
                cx.push(e::port_range(
                    format!("port range {first}..{last} does not run upward"),
                    p.span,
                    "first port not below the last",
                    format!(
                        "write the lower port first, such as `port {}..{}`",
                        first.min(last),
                        first.max(last).max(first.min(last) + 1)
                    ),
                ));
            }
            if let Some(h) = p.host_port {
                cx.push(e::port_range(
                    format!("port range {first}..{last} has a host port ({h})"),
                    p.span,
                    "host port on a range",
                    "leave out `host`: ECS maps a range to the same ports in awsvpc mode and to free ephemeral ports in bridge mode",
                ));
            }
            if matches!(mode, NetworkMode::Host | NetworkMode::None) {
                cx.push(e::port_range(
                    format!("port range {first}..{last} in {} network mode", mode.as_str()),
                    p.span,
                    "port range",
                    "ECS maps port ranges in `bridge` and `awsvpc` mode only: use `network awsvpc`, or list the ports one by one",
                ));
            }
        }
        let mut own: Vec<(usize, &PortMapping)> = c.ports.iter().map(|p| (ci, p)).collect();
        // One container: a port in two mappings, whatever their protocols.
        port_overlaps(
            cx,
            &mut own,
            |_, _| true,
            &format!("container `{}`", c.name),
        );
        if shared {
            all.extend(own);
        }
    }
    if shared {
        // Two containers of an awsvpc task, same protocol.
        for proto in [Protocol::Tcp, Protocol::Udp] {
            let mut of: Vec<_> = all
                .iter()
                .copied()
                .filter(|(_, p)| p.protocol == proto)
                .collect();
            port_overlaps(
                cx,
                &mut of,
                |a, b| a != b,
                "two containers, which share one network namespace under awsvpc",
            );
        }
    }
}

/// Reports each mapping that shares a port with an earlier one (by first
/// port), where one of the two is a range (two single ports are
/// `check_ports`' business) and `pair(container, container)` holds. A sort
/// and one sweep: linear after the sort, however many ports a range spans.
fn port_overlaps(
    cx: &mut Cx,
    maps: &mut [(usize, &PortMapping)],
    pair: impl Fn(usize, usize) -> bool,
    whose: &str,
) {
    maps.sort_by_key(|(_, p)| (p.container_port, p.last()));
    // The mapping reaching furthest so far, with its container.
    let mut reach: Option<(usize, &PortMapping)> = None;
    for &(ci, p) in maps.iter() {
        if let Some((pc, prev)) = reach {
            if p.container_port <= prev.last() && (p.is_range() || prev.is_range()) && pair(pc, ci)
            {
                let port = p.container_port.max(prev.container_port);
                let help = if p.is_range() && prev.last() < p.last() {
                    format!(
                        "ECS takes each port in one mapping only: start this range after the first one ends, `port {}..{}`",
                        prev.last() + 1,
                        p.last()
                    )
                } else {
                    format!("ECS takes each port in one mapping only: move port {port} out of one of the two mappings")
                };
                cx.push(
                    e::port_range(
                        format!("port {port} is in two port mappings of {whose}"),
                        p.span,
                        "second mapping",
                        help,
                    )
                    .with_label(prev.span, "first mapping"),
                );
            }
        }
        if reach.is_none_or(|(_, r)| p.last() > r.last()) {
            reach = Some((ci, p));
        }
    }
}

fn check_dependencies(cx: &mut Cx, task: &Task) {
    let index: HashMap<&str, usize> = task
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.name.as_str(), i))
        .collect();
    let names: Vec<&str> = task.containers.iter().map(|c| c.name.as_str()).collect();
    let mut edges: Vec<Vec<(usize, Span)>> = vec![Vec::new(); task.containers.len()];
    for (i, c) in task.containers.iter().enumerate() {
        for d in &c.depends_on {
            let Some(&j) = index.get(d.container.as_str()) else {
                cx.push(super::errors::unknown_container(
                    &d.container,
                    &task.name,
                    &names,
                    d.span,
                ));
                continue;
            };
            let target = &task.containers[j];
            match d.condition {
                Condition::Healthy if target.health.is_none() => cx.push(e::healthy_without_check(
                    &c.name,
                    &target.name,
                    d.span,
                    target.span,
                )),
                Condition::Complete | Condition::Success if target.essential => {
                    cx.push(e::complete_on_essential(
                        d.condition.as_str(),
                        &target.name,
                        d.span,
                        target.span,
                    ))
                }
                _ => {}
            }
            edges[i].push((j, d.span));
        }
    }
    // Depth-first search; each container is finished once. One cycle is
    // reported per task: the search state is not meaningful after it.
    let mut state = vec![0u8; edges.len()];
    for start in 0..edges.len() {
        if state[start] == 0 {
            if let Some((path, span)) = find_cycle(start, &edges, &mut state, &mut Vec::new()) {
                let cycle: Vec<&str> = path.iter().map(|&i| names[i]).collect();
                cx.push(e::dependency_cycle(&cycle, span));
                break;
            }
        }
    }
}

fn find_cycle(
    node: usize,
    edges: &[Vec<(usize, Span)>],
    state: &mut [u8],
    path: &mut Vec<usize>,
) -> Option<(Vec<usize>, Span)> {
    state[node] = 1;
    path.push(node);
    for &(next, span) in &edges[node] {
        if state[next] == 1 {
            let from = path.iter().position(|&n| n == next).unwrap_or(0);
            let mut cycle = path[from..].to_vec();
            cycle.push(next);
            return Some((cycle, span));
        }
        if state[next] == 0 {
            if let Some(found) = find_cycle(next, edges, state, path) {
                return Some(found);
            }
        }
    }
    path.pop();
    state[node] = 2;
    None
}

fn check_resources(cx: &mut Cx, task: &Task) {
    for c in &task.containers {
        if let (Some(r), Some(m)) = (c.memory_reservation, c.memory) {
            // ECS registers a reservation equal to the limit (ecs-cli
            // wrote them equal); only one above it is refused.
            if r > m {
                cx.push(e::reservation_over_memory(&c.name, r, m, c.span));
            }
        }
    }
    // Sums in u64: container sizes come from the source and may be huge.
    if let Some(cpu) = task.cpu {
        let sum: u64 = task
            .containers
            .iter()
            .filter_map(|c| c.cpu)
            .map(u64::from)
            .sum();
        if sum > u64::from(cpu) {
            cx.push(e::container_cpu_over_task(sum, cpu, task.span));
        }
    }
    if let Some(mem) = task.memory {
        let sum: u64 = task
            .containers
            .iter()
            .filter_map(|c| c.memory.or(c.memory_reservation))
            .map(u64::from)
            .sum();
        if sum > u64::from(mem) {
            cx.push(e::container_memory_over_task(sum, mem, task.span));
        }
    }
}

fn check_health(cx: &mut Cx, h: &HealthCheck) {
    let checks = [
        ("interval", h.interval, 5, 300, "s"),
        ("timeout", h.timeout, 2, 60, "s"),
        ("retries", h.retries, 1, 10, ""),
        ("start period (grace)", h.start_period, 0, 300, "s"),
    ];
    for (what, v, lo, hi, unit) in checks {
        if v < lo || v > hi {
            cx.push(e::health_range(what, v, lo, hi, unit, h.span));
        }
    }
}

fn check_secret(cx: &mut Cx, source: &SecretSource, span: Span) {
    match source {
        SecretSource::SecretsManager { arn, .. } => {
            if !secretsmanager_arn_ok(arn) {
                cx.push(e::malformed_secretsmanager(arn, span));
            }
        }
        SecretSource::Ssm { parameter } => {
            if !ssm_parameter_ok(parameter) {
                cx.push(e::malformed_ssm(parameter, span));
            }
        }
    }
}

/// A Secrets Manager secret's ARN, without a JSON key / stage / version
/// suffix (E0419).
pub fn secretsmanager_arn_ok(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    parts.len() == 7
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "secretsmanager"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5] == "secret"
        && !parts[6].is_empty()
        && !parts[6].contains(':')
}

/// An SSM parameter's name or ARN (E0419).
pub fn ssm_parameter_ok(parameter: &str) -> bool {
    if parameter.starts_with("arn:") {
        let parts: Vec<&str> = parameter.splitn(6, ':').collect();
        parts.len() == 6
            && parts[2] == "ssm"
            && parts[4].len() == 12
            && parts[5].starts_with("parameter/")
            && parts[5].len() > "parameter/".len()
    } else {
        !parameter.is_empty()
            && parameter.len() <= 2048
            && parameter
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c))
    }
}

/// A role's full ARN or its short name, which ECS completes with the
/// caller's account (RegisterTaskDefinition, taskRoleArn) (E0312).
pub fn role_ok(role: &str) -> bool {
    let arn = role.starts_with("arn:") && role.contains(":iam::") && role.contains(":role/");
    let name = !role.is_empty()
        && role.len() <= 64
        && role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    arn || name
}

// ----- services -------------------------------------------------------------

fn check_service(
    cx: &mut Cx,
    index: &crate::ir::Index,
    s: &Service,
    task: &Task,
    cluster: &Cluster,
) {
    let on_fargate = match &s.launch {
        Launch::Type(t) => *t == Compatibility::Fargate,
        Launch::Strategy(items) => items.iter().any(|i| i.provider.starts_with("FARGATE")),
        Launch::ClusterDefault => {
            let default = &cluster.default_strategy;
            if default.is_empty() {
                task.compatibilities == [Compatibility::Fargate]
            } else {
                default.iter().any(|i| i.provider.starts_with("FARGATE"))
            }
        }
    };
    if s.scheduling == Scheduling::Daemon
        && (on_fargate || !task.compatibilities.contains(&Compatibility::Ec2))
    {
        cx.push(e::daemon_not_ec2(&s.name, s.span));
    }
    if !on_fargate && s.network.as_ref().is_some_and(|n| n.public_ip) {
        cx.push(e::public_ip_on_ec2(&s.name, s.span));
    }
    if on_fargate && (!s.placement_strategies.is_empty() || !s.placement_constraints.is_empty()) {
        cx.push(e::fargate_placement(&s.name, s.span));
    }
    let needed = match &s.launch {
        Launch::Type(t) => Some(*t),
        _ if on_fargate => Some(Compatibility::Fargate),
        _ => None,
    };
    if let Some(t) = needed {
        if !task.compatibilities.contains(&t) {
            cx.push(e::launch_incompatible(
                &s.name,
                t.as_str(),
                &task.name,
                s.span,
                task.span,
            ));
        }
    }
    if let Launch::Strategy(items) = &s.launch {
        for i in items {
            let in_cluster = cluster
                .capacity_providers
                .iter()
                .any(|p| p.name() == i.provider);
            if !in_cluster {
                let known: Vec<&str> = cluster
                    .capacity_providers
                    .iter()
                    .map(CapacityProvider::name)
                    .collect();
                cx.push(e::unknown_capacity_provider(
                    &i.provider,
                    &cluster.name,
                    &known,
                    s.span,
                ));
            }
        }
    }
    if task.network_mode == NetworkMode::Awsvpc {
        let net = s.network.as_ref();
        let has_subnets = net.is_some_and(|n| n.subnets.is_some() || n.network.is_some())
            || cluster.network.is_some();
        if !has_subnets {
            cx.push(e::awsvpc_without_subnets(&s.name, s.span));
        }
    }
    let names: Vec<&str> = task.containers.iter().map(|c| c.name.as_str()).collect();
    for x in &s.exposures {
        let Some(c) = task.containers.iter().find(|c| c.name == x.container) else {
            cx.push(super::errors::unknown_container(
                &x.container,
                &task.name,
                &names,
                x.span,
            ));
            continue;
        };
        // A load balancer targets one port, never a range.
        if !c
            .ports
            .iter()
            .any(|p| !p.is_range() && p.container_port == x.container_port)
        {
            let mapped: Vec<u16> = c
                .ports
                .iter()
                .filter(|p| !p.is_range())
                .map(|p| p.container_port)
                .collect();
            cx.push(e::exposed_port_missing(
                &c.name,
                x.container_port,
                &mapped,
                x.span,
                c.span,
            ));
        }
        let Some(lb) = index.load_balancers.get(x.load_balancer.as_str()) else {
            continue;
        };
        if lb.kind == LbKind::Alb {
            let udp = c
                .ports
                .iter()
                .filter(|p| !p.is_range() && p.container_port == x.container_port)
                .find(|p| p.protocol == crate::ir::Protocol::Udp);
            if let Some(p) = udp {
                cx.push(e::udp_behind_alb(
                    &lb.name,
                    p.container_port,
                    x.span,
                    p.span,
                ));
            }
        }
        if lb.kind == LbKind::Nlb && (!x.paths.is_empty() || !x.hosts.is_empty()) {
            cx.push(e::rules_on_nlb(&lb.name, x.span));
        }
        for port in &x.listeners {
            if !lb.listeners.iter().any(|l| l.port == *port) {
                cx.push(e::unknown_listener(&lb.name, *port, x.span));
            }
        }
    }
    // The grace period covers load balancer and container health checks.
    let has_health = task.containers.iter().any(|c| c.health.is_some());
    if s.grace_period.is_some() && s.exposures.is_empty() && !has_health {
        cx.push(e::grace_without_lb(&s.name, s.span));
    }
    if s.exposures.len() > MAX_TARGET_GROUPS {
        cx.push(e::too_many_target_groups(
            &s.name,
            s.exposures.len(),
            s.exposures[MAX_TARGET_GROUPS].span,
        ));
    }
    if task.network_mode == NetworkMode::Awsvpc {
        check_awsvpc_limits(cx, index, s, cluster);
    }
    check_deployment(cx, s);
    super::deploy::check(cx, index, s);
    if let Some(a) = &s.autoscale {
        let desired = s.desired_count.unwrap_or(a.min);
        if a.min > a.max || desired < a.min || desired > a.max || a.max == 0 {
            cx.push(e::autoscale_bounds(a.min, a.max, desired, a.span));
        }
        let uses_requests = a
            .targets
            .iter()
            .any(|t| t.metric == crate::ir::ScalingMetric::Requests);
        let on_alb = s.exposures.iter().any(|x| {
            index
                .load_balancers
                .get(x.load_balancer.as_str())
                .is_some_and(|l| l.kind == LbKind::Alb)
        });
        if uses_requests && !on_alb {
            cx.push(e::requests_without_alb(&s.name, a.span));
        }
    }
}

/// Target groups (load balancers) one service may register with.
const MAX_TARGET_GROUPS: usize = 5;
/// Subnets and security groups one awsvpc configuration may hold.
const MAX_SUBNETS: usize = 16;
const MAX_SECURITY_GROUPS: usize = 5;

/// The awsvpc configuration's limits, counted as the targets write it: the
/// service's subnets (given, or its network's) and the security groups it
/// names (a list input counts its items). The CloudFormation target, which
/// adds a group of its own, refuses a service that already names 5.
fn check_awsvpc_limits(cx: &mut Cx, index: &crate::ir::Index, s: &Service, cluster: &Cluster) {
    let Some(net) = &s.network else { return };
    let count = |cx: &Cx, texts: &[crate::ir::Text]| -> usize {
        texts
            .iter()
            .map(|t| {
                let v = cx.scope.resolve(t);
                v.split(',').filter(|x| !x.trim().is_empty()).count().max(1)
            })
            .sum()
    };
    let subnet_count = |cx: &Cx, r: &crate::ir::SubnetRef| match r {
        crate::ir::SubnetRef::Ids(ids) => count(cx, ids),
        crate::ir::SubnetRef::Input(name) => cx
            .scope
            .resolve(&crate::ir::Text {
                parts: vec![crate::ir::TextPart::Input(name.clone())],
            })
            .split(',')
            .filter(|x| !x.trim().is_empty())
            .count(),
    };
    let subnets = match &net.subnets {
        Some(r) => subnet_count(cx, r),
        None => {
            let network = net
                .network
                .as_deref()
                .or(cluster.network.as_deref())
                .and_then(|n| index.networks.get(n));
            match network.map(|n| &n.kind) {
                Some(crate::ir::NetworkKind::Existing {
                    public_subnets,
                    private_subnets,
                    ..
                }) => subnet_count(
                    cx,
                    if net.public_ip {
                        public_subnets
                    } else {
                        private_subnets
                    },
                ),
                _ => 0,
            }
        }
    };
    if subnets > MAX_SUBNETS {
        cx.push(e::too_many_network_ids(
            &s.name,
            "subnets",
            subnets,
            MAX_SUBNETS,
            "",
            s.span,
        ));
    }
    let groups = count(cx, &net.security_groups);
    if groups > MAX_SECURITY_GROUPS {
        cx.push(e::too_many_network_ids(
            &s.name,
            "security groups",
            groups,
            MAX_SECURITY_GROUPS,
            "",
            s.span,
        ));
    }
}

fn check_deployment(cx: &mut Cx, s: &Service) {
    let d = &s.deployment;
    let max_limit = if s.scheduling == Scheduling::Daemon {
        100
    } else {
        200
    };
    if d.minimum_healthy_percent > 100 || d.maximum_percent < 100 || d.maximum_percent > max_limit {
        cx.push(e::deployment_percent(
            d.minimum_healthy_percent,
            d.maximum_percent,
            max_limit,
            s.span,
        ));
    }
    if let DeploymentStrategy::Canary { percent, .. } | DeploymentStrategy::Linear { percent, .. } =
        d.strategy
    {
        if percent == 0 || percent > 100 {
            cx.push(e::deployment_step(percent, s.span));
        }
    }
}

// ----- load balancers -------------------------------------------------------

fn check_load_balancers(cx: &mut Cx, program: &Program, index: &crate::ir::Index) {
    for lb in &program.load_balancers {
        let mut ports: HashMap<u16, Span> = HashMap::new();
        for l in &lb.listeners {
            if let Some(prev) = ports.insert(l.port, l.span) {
                cx.push(e::port_twice(l.port, l.span, prev));
            }
            let fits = match lb.kind {
                LbKind::Alb => {
                    matches!(l.protocol, ListenerProtocol::Http | ListenerProtocol::Https)
                }
                LbKind::Nlb => matches!(
                    l.protocol,
                    ListenerProtocol::Tcp | ListenerProtocol::Tls | ListenerProtocol::Udp
                ),
            };
            if !fits {
                cx.push(e::listener_protocol(
                    l.protocol.as_str(),
                    lb.kind == LbKind::Alb,
                    l.span,
                ));
            }
            let secure = matches!(l.protocol, ListenerProtocol::Https | ListenerProtocol::Tls);
            if secure && l.certificate.is_none() {
                cx.push(e::listener_without_certificate(l.port, l.span));
            }
        }
    }
    // Two exposures on one listener with the same conditions: the second
    // rule never matches. A listener's rules are per port; an exposure with
    // no path and no host is a catch-all (`/*`); host names match without
    // regard to case, paths with it.
    let mut rules: HashMap<(String, u16, Vec<String>, String), Span> = HashMap::new();
    let mut nlb_ports: HashMap<(String, u16), Span> = HashMap::new();
    for s in &program.services {
        for x in &s.exposures {
            let Some(lb) = index.load_balancers.get(x.load_balancer.as_str()) else {
                continue;
            };
            let listeners: Vec<u16> = if x.listeners.is_empty() {
                lb.listeners
                    .iter()
                    .filter(|l| l.redirect_to.is_none())
                    .map(|l| l.port)
                    .collect()
            } else {
                x.listeners.clone()
            };
            if lb.kind == LbKind::Nlb {
                for port in listeners {
                    if let Some(prev) = nlb_ports.insert((lb.name.clone(), port), x.span) {
                        cx.push(e::rule_conflict(
                            &lb.name,
                            &format!("listener {port}"),
                            None,
                            x.span,
                            Some(prev),
                        ));
                    }
                }
                continue;
            }
            let mut hosts: Vec<String> = x.hosts.iter().map(|h| h.to_ascii_lowercase()).collect();
            hosts.sort();
            hosts.dedup();
            let paths: Vec<String> = match (x.paths.is_empty(), hosts.is_empty()) {
                (false, _) => x.paths.clone(),
                (true, true) => vec!["/*".to_string()],
                (true, false) => vec![String::new()],
            };
            let mut reported = false;
            for port in &listeners {
                for path in &paths {
                    let key = (lb.name.clone(), *port, hosts.clone(), path.clone());
                    let Some(prev) = rules.insert(key, x.span) else {
                        continue;
                    };
                    if reported {
                        continue;
                    }
                    reported = true;
                    let what = match (hosts.is_empty(), path.is_empty()) {
                        (true, _) if x.paths.is_empty() => {
                            "every request (no path or host)".to_string()
                        }
                        (true, _) => format!("path `{path}`"),
                        (false, true) => format!("host `{}`", hosts.join(",")),
                        (false, false) => format!("host `{}` path `{path}`", hosts.join(",")),
                    };
                    cx.push(e::rule_conflict(
                        &lb.name,
                        &what,
                        Some(*port),
                        x.span,
                        Some(prev),
                    ));
                }
            }
        }
    }
}
