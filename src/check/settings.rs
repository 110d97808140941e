//! The rest of ECS's task definition: `ContainerDefinition` and
//! `RegisterTaskDefinition` members beyond the common ones, each with one
//! statement (see docs/task-definition.md for the whole table). Lowered
//! into `ir::ContainerSettings` / `ir::TaskSettings`; both targets and the
//! importer read them.
//!
//! ```text
//! container app {
//!   links ["db:database"]
//!   privileged
//!   security_options ["no-new-privileges"]
//!   dns ["10.0.0.2"]; dns_search ["corp.internal"]
//!   extra_host "db.local" = "10.0.0.5"
//!   sysctl "net.core.somaxconn" = "1024"
//!   gpu 1
//!   registry_credentials "arn:aws:secretsmanager:...:secret:dockerhub"
//!   restart ignore [0, 143] period 300s
//!   linux { init; add_capabilities ["SYS_PTRACE"]; shared_memory 64MiB; tmpfs "/run" 64MiB }
//! }
//! task app { pid task; ipc none; placement_constraint "attribute:ecs.os-type == linux" }
//! ```

use super::args::Words;
use super::network::block;
use super::task::tag;
use super::{errors, Cx};
use crate::ast::{Expr, Statement};
use crate::ir;

/// Statements this module reads in a container.
pub const CONTAINER_HEADS: &[&str] = &[
    "links",
    "privileged",
    "security_options",
    "dns",
    "dns_search",
    "extra_host",
    "sysctl",
    "gpu",
    "registry_credentials",
    "restart",
    "linux",
    "hostname",
    "interactive",
    "tty",
    "disable_networking",
    "env_file",
    "volumes_from",
    "version_consistency",
    "credential_spec",
];

/// Statements this module reads in a task.
pub const TASK_HEADS: &[&str] = &[
    "pid",
    "ipc",
    "placement_constraint",
    "proxy",
    "fault_injection",
];

/// Literal strings of a list (or one string).
fn literals(cx: &mut Cx, e: &Expr) -> Option<Vec<String>> {
    let items: Vec<Expr> = cx.list(e).into_iter().cloned().collect();
    items.iter().map(|i| cx.literal(i)).collect()
}

fn on(cx: &mut Cx, w: &mut Words) -> bool {
    match w.positional() {
        Some(e) => cx.boolean(e).unwrap_or(false),
        None => true,
    }
}

/// `NAME = "value"` of `extra_host`, `sysctl`, proxy properties.
fn pair(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<(String, String)> {
    let (k, v) = tag(cx, w, s)?;
    Some((k, cx.scope.resolve(&v)))
}

/// Lowers one container statement of this module; `false` if `s` is not one.
pub fn container(cx: &mut Cx, s: &Statement, c: &mut ir::ContainerSettings) -> bool {
    let head = s.head.name.as_str();
    if !CONTAINER_HEADS.contains(&head) {
        return false;
    }
    let mut w = Words::new(s);
    match head {
        "links" => {
            if let Some(v) = w
                .required(cx, "a list of links")
                .and_then(|e| literals(cx, e))
            {
                c.links.extend(v);
            }
        }
        "privileged" => c.privileged = on(cx, &mut w),
        "interactive" => c.interactive = on(cx, &mut w),
        "tty" => c.pseudo_terminal = on(cx, &mut w),
        "disable_networking" => c.disable_networking = on(cx, &mut w),
        "security_options" => {
            if let Some(v) = w
                .required(cx, "a list of options")
                .and_then(|e| literals(cx, e))
            {
                c.docker_security_options.extend(v);
            }
        }
        "dns" => {
            if let Some(v) = w
                .required(cx, "a list of servers")
                .and_then(|e| literals(cx, e))
            {
                c.dns_servers.extend(v);
            }
        }
        "dns_search" => {
            if let Some(v) = w
                .required(cx, "a list of domains")
                .and_then(|e| literals(cx, e))
            {
                c.dns_search_domains.extend(v);
            }
        }
        "credential_spec" => {
            if let Some(v) = w
                .required(cx, "a credential spec")
                .and_then(|e| literals(cx, e))
            {
                c.credential_specs.extend(v);
            }
        }
        "extra_host" => c.extra_hosts.extend(pair(cx, &mut w, s)),
        "sysctl" => c.system_controls.extend(pair(cx, &mut w, s)),
        "gpu" => c.gpus = w.required(cx, "a number of GPUs").and_then(|e| cx.int(e)),
        "registry_credentials" => {
            c.registry_credentials = w
                .required(cx, "a Secrets Manager secret ARN")
                .and_then(|e| cx.text(e))
        }
        "hostname" => c.hostname = w.required(cx, "a host name").and_then(|e| cx.literal(e)),
        "env_file" => {
            if let Some(v) = w.required(cx, "an S3 object ARN").and_then(|e| cx.texts(e)) {
                c.env_files.extend(v);
            }
        }
        "volumes_from" => {
            let read_only = w.flag("readonly");
            if let Some(n) = w
                .required(cx, "a container name")
                .and_then(|e| cx.name(e, "a container name"))
            {
                c.volumes_from.push((n, read_only));
            }
        }
        "version_consistency" => {
            c.version_consistency = w.required(cx, "`on` or `off`").and_then(|e| cx.boolean(e))
        }
        "restart" => {
            let ignored = w.keyword(cx, "ignore").map(|e| {
                let items: Vec<Expr> = cx.list(e).into_iter().cloned().collect();
                items
                    .iter()
                    .filter_map(|i| cx.int(i))
                    .map(i64::from)
                    .collect::<Vec<_>>()
            });
            let period = w.keyword(cx, "period").and_then(|e| cx.seconds(e));
            c.restart = Some(ir::RestartPolicy {
                ignored_exit_codes: ignored.unwrap_or_default(),
                attempt_period: period,
            });
        }
        "linux" => c.linux = Some(linux(cx, s)),
        _ => unreachable!("every head of CONTAINER_HEADS is handled"),
    }
    w.finish(cx);
    true
}

const LINUX_HEADS: &[&str] = &[
    "init",
    "add_capabilities",
    "drop_capabilities",
    "device",
    "shared_memory",
    "tmpfs",
    "max_swap",
    "swappiness",
];

/// `linux { init; add_capabilities [..]; drop_capabilities [..];
/// device "/dev/x" [container "/dev/y"] [permissions [read, write]];
/// shared_memory 64MiB; tmpfs "/run" 64MiB [options [..]]; max_swap 1GiB; swappiness 60 }`
fn linux(cx: &mut Cx, s: &Statement) -> ir::LinuxParameters {
    let mut l = ir::LinuxParameters::default();
    for b in block(s) {
        let mut w = Words::new(b);
        match b.head.name.as_str() {
            "init" => l.init = on(cx, &mut w),
            "add_capabilities" => {
                if let Some(v) = w.required(cx, "capabilities").and_then(|e| literals(cx, e)) {
                    l.add_capabilities.extend(v);
                }
            }
            "drop_capabilities" => {
                if let Some(v) = w.required(cx, "capabilities").and_then(|e| literals(cx, e)) {
                    l.drop_capabilities.extend(v);
                }
            }
            "device" => {
                let container = w.keyword(cx, "container").and_then(|e| cx.literal(e));
                let permissions = w
                    .keyword(cx, "permissions")
                    .and_then(|e| literals(cx, e))
                    .unwrap_or_default();
                if let Some(host) = w.required(cx, "a host path").and_then(|e| cx.literal(e)) {
                    l.devices.push((host, container, permissions));
                }
            }
            "shared_memory" => l.shared_memory = w.required(cx, "a size").and_then(|e| cx.mib(e)),
            "max_swap" => l.max_swap = w.required(cx, "a size").and_then(|e| cx.mib(e)),
            "swappiness" => {
                l.swappiness = w.required(cx, "0 to 100").and_then(|e| {
                    let v = cx.int(e)?;
                    if v > 100 {
                        cx.push(errors::out_of_range(
                            "swappiness",
                            &v.to_string(),
                            "0 to 100",
                            e.span,
                        ));
                        return None;
                    }
                    Some(v)
                })
            }
            "tmpfs" => {
                let options = w
                    .keyword(cx, "options")
                    .and_then(|e| literals(cx, e))
                    .unwrap_or_default();
                let path = w
                    .required(cx, "a container path")
                    .and_then(|e| cx.literal(e));
                let size = w.required(cx, "a size").and_then(|e| cx.mib(e));
                if let (Some(p), Some(sz)) = (path, size) {
                    l.tmpfs.push((p, sz, options));
                }
            }
            other => {
                cx.push(errors::unknown_statement(
                    other,
                    "in `linux`",
                    LINUX_HEADS,
                    b.head.span,
                ));
                continue;
            }
        }
        w.finish(cx);
    }
    l
}

/// Lowers one task statement of this module; `false` if `s` is not one.
pub fn task(cx: &mut Cx, s: &Statement, t: &mut ir::TaskSettings) -> bool {
    let head = s.head.name.as_str();
    if !TASK_HEADS.contains(&head) {
        return false;
    }
    let mut w = Words::new(s);
    match head {
        "pid" => {
            t.pid_mode = w
                .required(cx, "`host` or `task`")
                .and_then(|e| cx.choice(e, "a PID mode", &["host", "task"]))
                .map(str::to_string)
        }
        "ipc" => {
            t.ipc_mode = w
                .required(cx, "`host`, `task` or `none`")
                .and_then(|e| cx.choice(e, "an IPC mode", &["host", "task", "none"]))
                .map(str::to_string)
        }
        "placement_constraint" => {
            if let Some(x) = w
                .required(cx, "a memberOf expression")
                .and_then(|e| cx.literal(e))
            {
                t.placement_constraints.push(x);
            }
        }
        "fault_injection" => t.fault_injection = on(cx, &mut w),
        "proxy" => {
            let container = w
                .required(cx, "the proxy container")
                .and_then(|e| cx.name(e, "a container name"));
            let mut properties = Vec::new();
            // `NAME = "value"` per property, as log driver options.
            for b in block(s) {
                Words::new(b).finish(cx);
                match &b.value {
                    Some(v) => {
                        if let Some(v) = cx.literal(v) {
                            properties.push((b.head.name.clone(), v));
                        }
                    }
                    None => cx.push(errors::missing_value(&b.head.name, b.span)),
                }
            }
            if let Some(c) = container {
                t.proxy = Some((c, properties));
            }
        }
        _ => unreachable!("every head of TASK_HEADS is handled"),
    }
    w.finish(cx);
    true
}
