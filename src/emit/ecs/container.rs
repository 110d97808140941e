//! `ir::Container` -> one entry of `containerDefinitions`. Keys follow the
//! botocore `ContainerDefinition` member order. Written even when ECS has a
//! default: `essential`, `readonlyRootFilesystem`, each port's `hostPort`
//! and `protocol`, and the four health check timings. The container's role
//! (sidecar, init, ...) and its local run settings have no ECS form: ECS
//! only sees `essential` and `dependsOn`, which the checker already set.

use serde_json::Value;

use super::{name_values, resolve, string_map, Obj};
use crate::ir;

pub(crate) fn emit_container(program: &ir::Program, task: &ir::Task, c: &ir::Container) -> Value {
    let texts = |items: &Option<Vec<ir::Text>>| {
        items
            .as_ref()
            .map(|v| v.iter().map(|t| resolve(program, t)).collect::<Vec<_>>())
    };
    let x = &c.settings;
    let strings = |v: &[String]| {
        v.iter()
            .map(|s| Value::from(s.as_str()))
            .collect::<Vec<_>>()
    };
    Obj::new()
        .set("name", c.name.as_str())
        .set("image", resolve(program, &c.image))
        .opt(
            "repositoryCredentials",
            x.registry_credentials.as_ref().map(|r| {
                Obj::new()
                    .set("credentialsParameter", resolve(program, r))
                    .build()
            }),
        )
        .opt("cpu", c.cpu)
        .opt("memory", c.memory)
        .opt("memoryReservation", c.memory_reservation)
        .list("links", strings(&x.links))
        .list(
            "portMappings",
            c.ports
                .iter()
                .map(|p| port_mapping(task.network_mode, p))
                .collect(),
        )
        .set("essential", c.essential)
        .opt("restartPolicy", x.restart.as_ref().map(restart_policy))
        .opt("entryPoint", texts(&c.entry_point))
        .opt("command", texts(&c.command))
        .list("environment", name_values(program, &c.environment))
        .list(
            "environmentFiles",
            x.env_files
                .iter()
                .map(|f| {
                    Obj::new()
                        .set("value", resolve(program, f))
                        .set("type", "s3")
                        .build()
                })
                .collect(),
        )
        .list("mountPoints", c.mounts.iter().map(mount_point).collect())
        .list(
            "volumesFrom",
            x.volumes_from
                .iter()
                .map(|(from, ro)| {
                    Obj::new()
                        .set("sourceContainer", from.as_str())
                        .set("readOnly", *ro)
                        .build()
                })
                .collect(),
        )
        .opt("linuxParameters", x.linux.as_ref().map(linux_parameters))
        .list("secrets", c.secrets.iter().map(secret).collect())
        .list("dependsOn", c.depends_on.iter().map(dependency).collect())
        .opt("startTimeout", c.start_timeout)
        .opt("stopTimeout", c.stop_timeout)
        .opt(
            "versionConsistency",
            x.version_consistency
                .map(super::enabled)
                .map(str::to_ascii_lowercase),
        )
        .opt("hostname", x.hostname.as_deref())
        .opt("user", c.user.as_deref())
        .opt(
            "workingDirectory",
            c.working_directory.as_ref().map(|w| resolve(program, w)),
        )
        .opt("disableNetworking", x.disable_networking.then_some(true))
        .opt("privileged", x.privileged.then_some(true))
        .set("readonlyRootFilesystem", c.read_only_root)
        .list("dnsServers", strings(&x.dns_servers))
        .list("dnsSearchDomains", strings(&x.dns_search_domains))
        .list(
            "extraHosts",
            x.extra_hosts
                .iter()
                .map(|(h, ip)| {
                    Obj::new()
                        .set("hostname", h.as_str())
                        .set("ipAddress", ip.as_str())
                        .build()
                })
                .collect(),
        )
        .list("dockerSecurityOptions", strings(&x.docker_security_options))
        .opt("interactive", x.interactive.then_some(true))
        .opt("pseudoTerminal", x.pseudo_terminal.then_some(true))
        .opt("dockerLabels", string_map(program, &c.labels))
        .list("ulimits", c.ulimits.iter().map(ulimit).collect())
        .opt(
            "logConfiguration",
            c.log.as_ref().map(|l| log_configuration(program, l)),
        )
        .opt(
            "healthCheck",
            c.health.as_ref().map(|h| health_check(program, h)),
        )
        .list(
            "systemControls",
            x.system_controls
                .iter()
                .map(|(n, v)| {
                    Obj::new()
                        .set("namespace", n.as_str())
                        .set("value", v.as_str())
                        .build()
                })
                .collect(),
        )
        .list(
            "resourceRequirements",
            x.gpus
                .iter()
                .map(|g| {
                    Obj::new()
                        .set("value", g.to_string())
                        .set("type", "GPU")
                        .build()
                })
                .collect(),
        )
        .opt(
            "firelensConfiguration",
            c.firelens.as_ref().map(|f| firelens(program, f)),
        )
        .list("credentialSpecs", strings(&x.credential_specs))
        .build()
}

fn restart_policy(r: &ir::RestartPolicy) -> Value {
    Obj::new()
        .set("enabled", true)
        .list(
            "ignoredExitCodes",
            r.ignored_exit_codes
                .iter()
                .map(|c| Value::from(*c))
                .collect(),
        )
        .opt("restartAttemptPeriod", r.attempt_period)
        .build()
}

fn linux_parameters(l: &ir::LinuxParameters) -> Value {
    let strings = |v: &[String]| {
        v.iter()
            .map(|s| Value::from(s.as_str()))
            .collect::<Vec<_>>()
    };
    let capabilities =
        (!l.add_capabilities.is_empty() || !l.drop_capabilities.is_empty()).then(|| {
            Obj::new()
                .list("add", strings(&l.add_capabilities))
                .list("drop", strings(&l.drop_capabilities))
                .build()
        });
    Obj::new()
        .opt("capabilities", capabilities)
        .list(
            "devices",
            l.devices
                .iter()
                .map(|(host, container, perms)| {
                    Obj::new()
                        .set("hostPath", host.as_str())
                        .opt("containerPath", container.as_deref())
                        .list("permissions", strings(perms))
                        .build()
                })
                .collect(),
        )
        .opt("initProcessEnabled", l.init.then_some(true))
        .opt("sharedMemorySize", l.shared_memory)
        .list(
            "tmpfs",
            l.tmpfs
                .iter()
                .map(|(path, size, options)| {
                    Obj::new()
                        .set("containerPath", path.as_str())
                        .set("size", *size)
                        .list("mountOptions", strings(options))
                        .build()
                })
                .collect(),
        )
        .opt("maxSwap", l.max_swap)
        .opt("swappiness", l.swappiness)
        .build()
}

/// `hostPort` as written by every target: `PortMapping::written_host_port`.
fn port_mapping(mode: ir::NetworkMode, p: &ir::PortMapping) -> Value {
    Obj::new()
        .set("containerPort", p.container_port)
        .opt("hostPort", p.written_host_port(mode))
        .set("protocol", p.protocol.as_str())
        .opt("name", p.name.as_deref())
        .opt("appProtocol", p.app_protocol.as_deref())
        .build()
}

fn mount_point(m: &ir::Mount) -> Value {
    Obj::new()
        .set("sourceVolume", m.volume.as_str())
        .set("containerPath", m.path.as_str())
        .set("readOnly", m.read_only)
        .build()
}

fn secret(s: &ir::Secret) -> Value {
    Obj::new()
        .set("name", s.name.as_str())
        .set("valueFrom", s.source.value_from())
        .build()
}

fn dependency(d: &ir::Dependency) -> Value {
    Obj::new()
        .set("containerName", d.container.as_str())
        .set("condition", d.condition.as_str())
        .build()
}

fn ulimit(u: &ir::Ulimit) -> Value {
    Obj::new()
        .set("name", u.name.as_str())
        .set("softLimit", u.soft)
        .set("hardLimit", u.hard)
        .build()
}

/// Driver options as given: the checker has filled in the awslogs group,
/// region and prefix (`check::derive`). `awslogs-create-group` only when the
/// program writes it; the ECS target creates the groups Wharf owns with
/// `CreateLogGroup` inputs, as the CloudFormation stack does.
fn log_configuration(program: &ir::Program, log: &ir::LogConfig) -> Value {
    Obj::new()
        .set("logDriver", log.driver.as_str())
        .opt("options", string_map(program, &log.options))
        .list(
            "secretOptions",
            log.secret_options.iter().map(secret).collect(),
        )
        .build()
}

fn health_check(program: &ir::Program, h: &ir::HealthCheck) -> Value {
    let command: Vec<String> = match &h.command {
        ir::HealthCommand::Shell(cmd) => vec!["CMD-SHELL".into(), resolve(program, cmd)],
        ir::HealthCommand::Exec(argv) => std::iter::once("CMD".to_string())
            .chain(argv.iter().map(|a| resolve(program, a)))
            .collect(),
        ir::HealthCommand::Raw(argv) => argv.iter().map(|a| resolve(program, a)).collect(),
    };
    Obj::new()
        .set("command", command)
        .set("interval", h.interval)
        .set("timeout", h.timeout)
        .set("retries", h.retries)
        .set("startPeriod", h.start_period)
        .build()
}

fn firelens(program: &ir::Program, f: &ir::Firelens) -> Value {
    Obj::new()
        .set(
            "type",
            match f.kind {
                ir::FirelensKind::Fluentbit => "fluentbit",
                ir::FirelensKind::Fluentd => "fluentd",
            },
        )
        .opt("options", string_map(program, &f.options))
        .build()
}
