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
use super::read::{block, tag, unknown_property};
use super::vocabulary::{ContainerSetting, Id, Linux, TaskSetting};
use super::{errors, Cx};
use crate::ast::{Expr, Statement};
use crate::ir;

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

/// Lowers one container statement of this module.
pub fn container(
    cx: &mut Cx,
    s: &Statement,
    prop: ContainerSetting,
    c: &mut ir::ContainerSettings,
) {
    let mut w = Words::new(s);
    match prop {
        ContainerSetting::Links => {
            if let Some(v) = w
                .required(cx, "a list of links")
                .and_then(|e| literals(cx, e))
            {
                c.links.extend(v);
            }
        }
        ContainerSetting::Privileged => c.privileged = on(cx, &mut w),
        ContainerSetting::Interactive => c.interactive = on(cx, &mut w),
        ContainerSetting::Tty => c.pseudo_terminal = on(cx, &mut w),
        ContainerSetting::DisableNetworking => c.disable_networking = on(cx, &mut w),
        ContainerSetting::SecurityOptions => {
            if let Some(v) = w
                .required(cx, "a list of options")
                .and_then(|e| literals(cx, e))
            {
                c.docker_security_options.extend(v);
            }
        }
        ContainerSetting::Dns => {
            if let Some(v) = w
                .required(cx, "a list of servers")
                .and_then(|e| literals(cx, e))
            {
                c.dns_servers.extend(v);
            }
        }
        ContainerSetting::DnsSearch => {
            if let Some(v) = w
                .required(cx, "a list of domains")
                .and_then(|e| literals(cx, e))
            {
                c.dns_search_domains.extend(v);
            }
        }
        ContainerSetting::CredentialSpec => {
            if let Some(v) = w
                .required(cx, "a credential spec")
                .and_then(|e| literals(cx, e))
            {
                c.credential_specs.extend(v);
            }
        }
        ContainerSetting::ExtraHost => c.extra_hosts.extend(pair(cx, &mut w, s)),
        ContainerSetting::Sysctl => c.system_controls.extend(pair(cx, &mut w, s)),
        ContainerSetting::Gpu => {
            c.gpus = w.required(cx, "a number of GPUs").and_then(|e| cx.int(e))
        }
        ContainerSetting::RegistryCredentials => {
            c.registry_credentials = w
                .required(cx, "a Secrets Manager secret ARN")
                .and_then(|e| cx.text(e))
        }
        ContainerSetting::Hostname => {
            c.hostname = w.required(cx, "a host name").and_then(|e| cx.literal(e))
        }
        ContainerSetting::EnvFile => {
            if let Some(v) = w.required(cx, "an S3 object ARN").and_then(|e| cx.texts(e)) {
                c.env_files.extend(v);
            }
        }
        ContainerSetting::VolumesFrom => {
            let read_only = w.flag("readonly");
            if let Some(n) = w
                .required(cx, "a container name")
                .and_then(|e| cx.name(e, "a container name"))
            {
                c.volumes_from.push((n, read_only));
            }
        }
        ContainerSetting::VersionConsistency => {
            c.version_consistency = w.required(cx, "`on` or `off`").and_then(|e| cx.boolean(e))
        }
        ContainerSetting::Restart => {
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
        ContainerSetting::Linux => c.linux = Some(linux(cx, s)),
    }
    w.finish(cx);
}

/// `linux { init; add_capabilities [..]; drop_capabilities [..];
/// device "/dev/x" [container "/dev/y"] [permissions [read, write]];
/// shared_memory 64MiB; tmpfs "/run" 64MiB [options [..]]; max_swap 1GiB; swappiness 60 }`
fn linux(cx: &mut Cx, s: &Statement) -> ir::LinuxParameters {
    let mut l = ir::LinuxParameters::default();
    for b in block(s) {
        let Some(prop) = Linux::from_name(&b.head.name) else {
            unknown_property(cx, Id::Linux, b);
            continue;
        };
        let mut w = Words::new(b);
        match prop {
            Linux::Init => l.init = on(cx, &mut w),
            Linux::AddCapabilities => {
                if let Some(v) = w.required(cx, "capabilities").and_then(|e| literals(cx, e)) {
                    l.add_capabilities.extend(v);
                }
            }
            Linux::DropCapabilities => {
                if let Some(v) = w.required(cx, "capabilities").and_then(|e| literals(cx, e)) {
                    l.drop_capabilities.extend(v);
                }
            }
            Linux::Device => {
                let container = w.keyword(cx, "container").and_then(|e| cx.literal(e));
                let permissions = w
                    .keyword(cx, "permissions")
                    .and_then(|e| literals(cx, e))
                    .unwrap_or_default();
                if let Some(host) = w.required(cx, "a host path").and_then(|e| cx.literal(e)) {
                    l.devices.push((host, container, permissions));
                }
            }
            Linux::SharedMemory => {
                l.shared_memory = w.required(cx, "a size").and_then(|e| cx.mib(e))
            }
            Linux::MaxSwap => l.max_swap = w.required(cx, "a size").and_then(|e| cx.mib(e)),
            Linux::Swappiness => {
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
            Linux::Tmpfs => {
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
        }
        w.finish(cx);
    }
    l
}

/// Lowers one task statement of this module.
pub fn task(cx: &mut Cx, s: &Statement, prop: TaskSetting, t: &mut ir::TaskSettings) {
    let mut w = Words::new(s);
    match prop {
        TaskSetting::Pid => {
            t.pid_mode = w
                .required(cx, "`host` or `task`")
                .and_then(|e| cx.choice(e, "a PID mode", TaskSetting::Pid.property().choices))
                .map(str::to_string)
        }
        TaskSetting::Ipc => {
            t.ipc_mode = w
                .required(cx, "`host`, `task` or `none`")
                .and_then(|e| cx.choice(e, "an IPC mode", TaskSetting::Ipc.property().choices))
                .map(str::to_string)
        }
        TaskSetting::PlacementConstraint => {
            if let Some(x) = w
                .required(cx, "a memberOf expression")
                .and_then(|e| cx.literal(e))
            {
                t.placement_constraints.push(x);
            }
        }
        TaskSetting::FaultInjection => t.fault_injection = on(cx, &mut w),
        TaskSetting::Proxy => {
            let container = w
                .required(cx, "the proxy container")
                .and_then(|e| cx.name(e, "a container name"));
            let mut properties = Vec::new();
            // `NAME = "value"` per property, as log driver options.
            // ProxyConfiguration.properties (ECS API reference): these
            // names; AppPorts, the two proxy ports and one of the ignored
            // UID / GID required.
            const PROXY_PROPERTIES: &[&str] = &[
                "IgnoredUID",
                "IgnoredGID",
                "AppPorts",
                "ProxyIngressPort",
                "ProxyEgressPort",
                "EgressIgnoredPorts",
                "EgressIgnoredIPs",
            ];
            for b in block(s) {
                Words::new(b).finish(cx);
                if !PROXY_PROPERTIES.contains(&b.head.name.as_str()) {
                    cx.push(errors::invalid_choice(
                        "an App Mesh proxy property",
                        &b.head.name,
                        PROXY_PROPERTIES,
                        b.head.span,
                    ));
                    continue;
                }
                match &b.value {
                    Some(v) => {
                        if let Some(v) = cx.literal(v) {
                            properties.push((b.head.name.clone(), v));
                        }
                    }
                    None => cx.push(errors::missing_value(&b.head.name, b.span)),
                }
            }
            let has = |n: &str| properties.iter().any(|(k, _)| k == n);
            let required = [
                ("AppPorts", has("AppPorts")),
                ("ProxyIngressPort", has("ProxyIngressPort")),
                ("ProxyEgressPort", has("ProxyEgressPort")),
                ("IgnoredUID", has("IgnoredUID") || has("IgnoredGID")),
            ];
            if let (Some(c), Some((missing, _))) =
                (&container, required.iter().find(|(_, present)| !present))
            {
                cx.push(errors::missing_property("proxy", c, missing, s));
            }
            if let Some(c) = container {
                t.proxy = Some((c, properties));
            }
        }
    }
    w.finish(cx);
}
