//! Local runtime manifest backend. Stage: emit. Input: a checked
//! `&ir::Program`. Output: one artifact, `manifest.json`, which `wharf up`
//! runs (schema: `docs/manifest.md`, types: `crate::manifest`).
//!
//! Invariants:
//! - Deterministic: the manifest types fix the field order and maps are
//!   sorted, so the same program gives byte-identical output.
//! - No secret values: a secret becomes its name plus "take the runner's
//!   environment variable of the same name", with the ARN or parameter name
//!   kept as a reference for people.
//! - Inputs are substituted with their value for this build (`Text::resolve`);
//!   a secret input (one that feeds a secret-looking variable) is refused
//!   (E0444): its value would sit in plain text in the manifest.
//! - Units: the IR's seconds become the manifest's milliseconds.
//! - Volumes become directories the runner provides (`scope` task or
//!   shared, see docs/manifest.md); redirect listeners are kept, with the
//!   port they redirect to.
//! - Where the IR has no local equivalent (placement, capacity, IAM, logs
//!   configuration), nothing is written: the runner ignores it.

use crate::diag::Diagnostic;
use crate::emit::Artifact;
use crate::ir;
use crate::manifest as m;
use std::collections::BTreeMap;

mod job;
mod queue;

/// The manifest as one artifact: the bytes of `to_manifest(..).to_json()`,
/// written one task and one service at a time (at 10,000 services the
/// manifest's tasks and services took more memory than its 22 MB of text).
pub fn emit_local(program: &ir::Program) -> Result<Vec<Artifact>, Vec<Diagnostic>> {
    crate::emit::refuse_secret_inputs(program, "local")?;
    // The manifest's shape, from its own type, without its tasks and
    // services: they are written into it where their empty lists are (the
    // first two top-level members after `version`).
    let skeleton = manifest(program, Vec::new(), Vec::new()).to_json();
    let (head, rest) = skeleton
        .split_once("\n  \"tasks\": []")
        .expect("a manifest has a task list");
    let (middle, tail) = rest
        .split_once("\n  \"services\": []")
        .expect("a manifest has a service list");
    let mut out = Vec::with_capacity(skeleton.len() + 4096 * program.services.len());
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(b"\n  \"tasks\": ");
    write_list(&mut out, tasks(program));
    out.extend_from_slice(middle.as_bytes());
    out.extend_from_slice(b"\n  \"services\": ");
    write_list(&mut out, services(program));
    out.extend_from_slice(tail.as_bytes());
    Ok(vec![Artifact {
        path: "manifest.json".into(),
        contents: String::from_utf8(out).expect("JSON text is UTF-8"),
    }])
}

/// A top-level list as `to_json` writes it, each item serialized and
/// re-indented as it comes.
fn write_list<T: serde::Serialize>(out: &mut Vec<u8>, items: impl Iterator<Item = T>) {
    let mut empty = true;
    for item in items {
        out.push(if empty { b'[' } else { b',' });
        empty = false;
        crate::emit::newline_indent(out, 2);
        let compact = serde_json::to_string(&item).expect("manifest types always serialize");
        crate::emit::write_indented(out, &compact, 2);
    }
    if empty {
        out.extend_from_slice(b"[]");
    } else {
        crate::emit::newline_indent(out, 1);
        out.push(b']');
    }
}

/// The manifest as a value, for `wharf up FILE.wharf`.
pub fn to_manifest(program: &ir::Program) -> Result<m::Manifest, Vec<Diagnostic>> {
    crate::emit::refuse_secret_inputs(program, "local")?;
    Ok(manifest(
        program,
        tasks(program).collect(),
        services(program).collect(),
    ))
}

fn manifest(
    program: &ir::Program,
    tasks: Vec<m::TaskDefinition>,
    services: Vec<m::Service>,
) -> m::Manifest {
    m::Manifest {
        version: m::VERSION,
        tasks,
        services,
        load_balancers: program.load_balancers.iter().map(load_balancer).collect(),
        jobs: program.jobs.iter().map(|j| job::job(program, j)).collect(),
        schedules: program.schedules.iter().map(job::schedule).collect(),
    }
}

/// The manifest's tasks, in program order, with their queue variables.
fn tasks(program: &ir::Program) -> impl Iterator<Item = m::TaskDefinition> + '_ {
    let vars = queue::variables(program);
    program.tasks.iter().enumerate().map(move |(i, t)| {
        let mut task = task(program, t);
        if let Some(vars) = vars.get(&i) {
            queue::add_variables(&mut task, vars);
        }
        task
    })
}

/// The manifest's services, in program order, with their queues.
fn services(program: &ir::Program) -> impl Iterator<Item = m::Service> + '_ {
    let index = ir::Index::new(program);
    program.services.iter().map(move |s| {
        let mut service = service(program, &index, s);
        service.queue = queue::service_queue(program, s);
        service
    })
}

fn ms(seconds: u32) -> u64 {
    u64::from(seconds) * 1000
}

fn text(program: &ir::Program, t: &ir::Text) -> String {
    t.resolve(&program.inputs)
}

fn texts(program: &ir::Program, ts: &[ir::Text]) -> Vec<String> {
    ts.iter().map(|t| text(program, t)).collect()
}

fn env(program: &ir::Program, pairs: &[(String, ir::Text)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.clone(), text(program, v)))
        .collect()
}

fn task(program: &ir::Program, t: &ir::Task) -> m::TaskDefinition {
    m::TaskDefinition {
        family: t.family.clone(),
        network_mode: match t.network_mode {
            ir::NetworkMode::Awsvpc => m::NetworkMode::Awsvpc,
            ir::NetworkMode::Bridge | ir::NetworkMode::Default => m::NetworkMode::Bridge,
            ir::NetworkMode::Host => m::NetworkMode::Host,
            ir::NetworkMode::None => m::NetworkMode::None,
        },
        volumes: t.volumes.iter().map(|v| volume(program, v)).collect(),
        containers: t.containers.iter().map(|c| container(program, c)).collect(),
        runtime_platform: (t.arch.is_some() || t.os_family.is_some()).then(|| m::RuntimePlatform {
            operating_system_family: t.os_family.clone(),
            cpu_architecture: t.arch.map(|a| a.as_str().to_string()),
        }),
    }
}

/// A Fargate bind volume (and a task-scoped Docker volume) lives with its
/// task; EFS, host paths and shared Docker volumes are storage that
/// outlives tasks, shared by every volume naming the same one.
fn volume(program: &ir::Program, v: &ir::Volume) -> m::Volume {
    let (scope, key) = match &v.kind {
        ir::VolumeKind::Bind { host_path: None } => (m::VolumeScope::Task, None),
        ir::VolumeKind::Bind {
            host_path: Some(path),
        } => (m::VolumeScope::Shared, Some(format!("host:{path}"))),
        ir::VolumeKind::Efs(efs) => {
            let fs = text(program, &efs.file_system_id);
            let root = efs.root_directory.as_deref().unwrap_or("/");
            (m::VolumeScope::Shared, Some(format!("efs:{fs}:{root}")))
        }
        ir::VolumeKind::FsxWindows(fsx) => {
            let fs = text(program, &fsx.file_system_id);
            (
                m::VolumeScope::Shared,
                Some(format!("fsx:{fs}:{}", fsx.root_directory)),
            )
        }
        // Docker's own scopes: a `task` volume lives with its task (ECS's
        // default), a `shared` one is named storage that outlives tasks.
        ir::VolumeKind::Docker(d) => match d.scope.as_deref() {
            Some("shared") => (m::VolumeScope::Shared, Some(format!("docker:{}", v.name))),
            _ => (m::VolumeScope::Task, None),
        },
    };
    m::Volume {
        name: v.name.clone(),
        scope,
        key,
    }
}

fn container(program: &ir::Program, c: &ir::Container) -> m::Container {
    m::Container {
        name: c.name.clone(),
        image: text(program, &c.image),
        essential: c.essential,
        entry_point: c.entry_point.as_ref().map(|v| texts(program, v)),
        command: c.command.as_ref().map(|v| texts(program, v)),
        working_directory: c.working_directory.as_ref().map(|w| text(program, w)),
        environment: env(program, &c.environment),
        mount_points: c
            .mounts
            .iter()
            .map(|mp| m::MountPoint {
                source_volume: mp.volume.clone(),
                container_path: mp.path.clone(),
                read_only: mp.read_only,
            })
            .collect(),
        secrets: c
            .secrets
            .iter()
            .map(|s| m::Secret {
                name: s.name.clone(),
                value_from: m::SecretSource::Env {
                    var: s.name.clone(),
                },
                reference: Some(s.source.value_from()),
            })
            .collect(),
        port_mappings: c
            .ports
            .iter()
            .map(|p| m::PortMapping {
                container_port: p.container_port,
                last_port: p.last_port,
                // A dynamic bridge port (0) has no fixed local meaning.
                host_port: p.host_port.filter(|h| *h != 0),
                protocol: match p.protocol {
                    ir::Protocol::Tcp => m::PortProtocol::Tcp,
                    ir::Protocol::Udp => m::PortProtocol::Udp,
                },
            })
            .collect(),
        depends_on: c
            .depends_on
            .iter()
            .map(|d| m::Dependency {
                container_name: d.container.clone(),
                condition: match d.condition {
                    ir::Condition::Start => m::Condition::Start,
                    ir::Condition::Complete => m::Condition::Complete,
                    ir::Condition::Success => m::Condition::Success,
                    ir::Condition::Healthy => m::Condition::Healthy,
                },
            })
            .collect(),
        health_check: c.health.as_ref().map(|h| m::HealthCheck {
            command: match &h.command {
                ir::HealthCommand::Shell(s) => m::HealthCommand::Shell(text(program, s)),
                ir::HealthCommand::Exec(argv) | ir::HealthCommand::Raw(argv) => {
                    m::HealthCommand::Cmd(texts(program, argv))
                }
            },
            interval_ms: ms(h.interval),
            timeout_ms: ms(h.timeout),
            retries: h.retries,
            start_period_ms: ms(h.start_period),
        }),
        stop_timeout_ms: c.stop_timeout.map_or(30_000, ms),
        start_timeout_ms: c.start_timeout.map(ms),
        local: c.local.as_ref().map(|l| m::LocalOverride {
            command: l.command.as_ref().map(|cmd| match cmd {
                ir::LocalCommand::Shell(s) => m::LocalCommand::Shell(s.clone()),
                ir::LocalCommand::Argv(v) => m::LocalCommand::Argv(v.clone()),
            }),
            working_directory: l.working_directory.clone(),
            environment: env(program, &l.environment),
        }),
    }
}

fn service(program: &ir::Program, index: &ir::Index, s: &ir::Service) -> m::Service {
    let lb_listeners = |name: &str| -> Vec<u16> {
        program
            .load_balancer(name)
            .listeners
            .iter()
            .filter(|l| l.redirect_to.is_none())
            .map(|l| l.port)
            .collect()
    };
    let mut load_balancers = Vec::new();
    for e in &s.exposures {
        let mut ports = if e.listeners.is_empty() {
            lb_listeners(&e.load_balancer)
        } else {
            e.listeners.clone()
        };
        // Locally there is one revision: test traffic reaches it, as on ECS
        // once the test traffic has shifted to the new revision.
        if let Some(test) = e.traffic.test_listener {
            if !ports.contains(&test) {
                ports.push(test);
            }
        }
        for port in ports {
            let rules = if e.paths.is_empty() && e.hosts.is_empty() {
                Vec::new()
            } else {
                vec![m::ListenerRule {
                    priority: e.priority,
                    path_patterns: e.paths.clone(),
                    host_headers: e.hosts.clone(),
                }]
            };
            load_balancers.push(m::Exposure {
                load_balancer: e.load_balancer.to_string(),
                listener_port: port,
                container_name: e.container.clone(),
                container_port: e.container_port,
                rules,
                health_check: m::TargetHealthCheck {
                    path: e
                        .written_health_path(program.load_balancer(&e.load_balancer).kind)
                        .map(str::to_string),
                    interval_ms: ms(e.health.interval),
                    timeout_ms: ms(e.health.timeout),
                    healthy_threshold: e.health.healthy_threshold,
                    unhealthy_threshold: e.health.unhealthy_threshold,
                    matcher: e.health.matcher.clone(),
                },
                deregistration_delay_ms: ms(e.deregistration_delay),
            });
        }
    }
    let task = index.task(&s.task);
    m::Service {
        name: s.name.clone(),
        task: task.family.clone(),
        // A DAEMON service runs one task per instance; locally there is one "instance".
        desired_count: s.desired_count.unwrap_or(1),
        load_balancers,
        discovery: s.discovery.as_ref().and_then(|d| discovery(s, task, d)),
        connect: connect_aliases(s, task),
        health_check_grace_period_ms: s.grace_period.map_or(0, ms),
        queue: None,
    }
}

/// The Service Connect aliases a service serves, each with the container
/// port of the named port mapping (the checker made sure it exists).
fn connect_aliases(s: &ir::Service, task: &ir::Task) -> Vec<m::ConnectAlias> {
    let Some(c) = &s.connect else {
        return Vec::new();
    };
    c.services
        .iter()
        .filter_map(|sv| {
            let (container, p) = sv.target(task)?;
            Some(m::ConnectAlias {
                name: sv.dns_name.clone(),
                port: sv.port,
                container_name: container.to_string(),
                container_port: p.container_port,
            })
        })
        .collect()
}

/// Cloud Map names carry no port; callers use the exposed port if there is
/// one, else the first TCP port of the first essential container with ports.
fn discovery(s: &ir::Service, task: &ir::Task, d: &ir::Discovery) -> Option<m::Discovery> {
    let name = format!("{}.{}", d.name, d.namespace);
    if let Some(e) = s.exposures.first() {
        return Some(m::Discovery {
            name,
            container_name: e.container.clone(),
            port: e.container_port,
        });
    }
    task.containers
        .iter()
        .filter(|c| c.essential)
        .find_map(|c| {
            let p = c
                .ports
                .iter()
                .find(|p| p.protocol == ir::Protocol::Tcp && !p.is_range())?;
            Some(m::Discovery {
                name: name.clone(),
                container_name: c.name.clone(),
                port: p.container_port,
            })
        })
}

fn load_balancer(lb: &ir::LoadBalancer) -> m::LoadBalancer {
    m::LoadBalancer {
        name: lb.name.clone(),
        kind: match lb.kind {
            ir::LbKind::Alb => m::LbKind::Alb,
            ir::LbKind::Nlb => m::LbKind::Nlb,
        },
        listeners: lb
            .listeners
            .iter()
            .map(|l| m::Listener {
                port: l.port,
                protocol: match l.protocol {
                    ir::ListenerProtocol::Http => m::ListenerProtocol::Http,
                    ir::ListenerProtocol::Https => m::ListenerProtocol::Https,
                    ir::ListenerProtocol::Tcp => m::ListenerProtocol::Tcp,
                    ir::ListenerProtocol::Tls => m::ListenerProtocol::Tls,
                    ir::ListenerProtocol::Udp => m::ListenerProtocol::Udp,
                },
                local_port: None,
                redirect_to: l.redirect_to,
            })
            .collect(),
    }
}
