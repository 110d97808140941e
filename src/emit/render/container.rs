//! `ir::Container` -> one entry of `containerDefinitions`, in botocore
//! `ContainerDefinition` member order. Written even when ECS has a default:
//! `essential`, `readonlyRootFilesystem`, each port's `hostPort`
//! (`PortMapping::written_host_port`) and `protocol`, and the four health
//! check timings. The container's role (sidecar, init, ...) and its local
//! run settings have no ECS form: ECS only sees `essential` and
//! `dependsOn`, which the checker already set.

use serde_json::Value;

use super::{Dialect, Fields};
use crate::ir;

pub(super) fn container<D: Dialect + ?Sized>(d: &D, task: &ir::Task, c: &ir::Container) -> Value {
    let x = &c.settings;
    let obj = |shape| Fields::new(d, shape);
    Fields::new(d, "ContainerDefinition")
        .set("name", c.name.as_str())
        .text("image", &c.image)
        .opt(
            "repositoryCredentials",
            x.registry_credentials.as_ref().map(|r| {
                obj("RepositoryCredentials")
                    .text("credentialsParameter", r)
                    .build()
            }),
        )
        .opt("cpu", c.cpu)
        .opt("memory", c.memory)
        .opt("memoryReservation", c.memory_reservation)
        .strings("links", &x.links)
        .list(
            "portMappings",
            c.ports
                .iter()
                .map(|p| port_mapping(d, task.network_mode, p))
                .collect(),
        )
        .set("essential", c.essential)
        .opt(
            "restartPolicy",
            x.restart.as_ref().map(|r| restart_policy(d, r)),
        )
        .opt("entryPoint", c.entry_point.as_ref().map(|a| d.texts(a)))
        .opt("command", c.command.as_ref().map(|a| d.texts(a)))
        .list(
            "environment",
            c.environment
                .iter()
                .map(|(k, v)| {
                    obj("KeyValuePair")
                        .set("name", k.as_str())
                        .text("value", v)
                        .build()
                })
                .collect(),
        )
        .list(
            "environmentFiles",
            x.env_files
                .iter()
                .map(|f| {
                    obj("EnvironmentFile")
                        .text("value", f)
                        .set("type", "s3")
                        .build()
                })
                .collect(),
        )
        .list(
            "mountPoints",
            c.mounts
                .iter()
                .map(|m| {
                    obj("MountPoint")
                        .set("sourceVolume", m.volume.as_str())
                        .set("containerPath", m.path.as_str())
                        .set("readOnly", m.read_only)
                        .build()
                })
                .collect(),
        )
        .list(
            "volumesFrom",
            x.volumes_from
                .iter()
                .map(|(from, ro)| {
                    obj("VolumeFrom")
                        .set("sourceContainer", from.as_str())
                        .set("readOnly", *ro)
                        .build()
                })
                .collect(),
        )
        .opt(
            "linuxParameters",
            x.linux.as_ref().map(|l| linux_parameters(d, l)),
        )
        .list("secrets", secrets(d, &c.secrets))
        .list(
            "dependsOn",
            c.depends_on
                .iter()
                .map(|dep| {
                    obj("ContainerDependency")
                        .set("containerName", dep.container.as_str())
                        .set("condition", dep.condition.as_str())
                        .build()
                })
                .collect(),
        )
        .opt("startTimeout", c.start_timeout)
        .opt("stopTimeout", c.stop_timeout)
        .opt(
            "versionConsistency",
            x.version_consistency
                .map(|on| if on { "enabled" } else { "disabled" }),
        )
        .opt("hostname", x.hostname.as_deref())
        .opt("user", c.user.as_deref())
        .opt(
            "workingDirectory",
            c.working_directory.as_ref().map(|w| d.text(w)),
        )
        .opt("disableNetworking", x.disable_networking.then_some(true))
        .opt("privileged", x.privileged.then_some(true))
        .set("readonlyRootFilesystem", c.read_only_root)
        .strings("dnsServers", &x.dns_servers)
        .strings("dnsSearchDomains", &x.dns_search_domains)
        .list(
            "extraHosts",
            x.extra_hosts
                .iter()
                .map(|(h, ip)| {
                    obj("HostEntry")
                        .set("hostname", h.as_str())
                        .set("ipAddress", ip.as_str())
                        .build()
                })
                .collect(),
        )
        .strings("dockerSecurityOptions", &x.docker_security_options)
        .opt("interactive", x.interactive.then_some(true))
        .opt("pseudoTerminal", x.pseudo_terminal.then_some(true))
        .map("dockerLabels", &c.labels)
        .list(
            "ulimits",
            c.ulimits
                .iter()
                .map(|u| {
                    obj("Ulimit")
                        .set("name", u.name.as_str())
                        .set("softLimit", u.soft)
                        .set("hardLimit", u.hard)
                        .build()
                })
                .collect(),
        )
        .opt(
            "logConfiguration",
            c.log.as_ref().map(|l| log_configuration(d, l)),
        )
        .opt("healthCheck", c.health.as_ref().map(|h| health_check(d, h)))
        .list(
            "systemControls",
            x.system_controls
                .iter()
                .map(|(n, v)| {
                    obj("SystemControl")
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
                    obj("ResourceRequirement")
                        .set("value", g.to_string())
                        .set("type", "GPU")
                        .build()
                })
                .collect(),
        )
        .opt(
            "firelensConfiguration",
            c.firelens.as_ref().map(|f| firelens(d, f)),
        )
        .strings("credentialSpecs", &x.credential_specs)
        .build()
}

fn port_mapping<D: Dialect + ?Sized>(d: &D, mode: ir::NetworkMode, p: &ir::PortMapping) -> Value {
    let fields = Fields::new(d, "PortMapping");
    let fields = match p.last_port {
        Some(_) => fields.set("containerPortRange", p.written_ports()),
        None => fields.set("containerPort", p.container_port),
    };
    fields
        .opt("hostPort", p.written_host_port(mode))
        .set("protocol", p.protocol.as_str())
        .opt("name", p.name.as_deref())
        .opt("appProtocol", p.app_protocol.as_deref())
        .build()
}

fn restart_policy<D: Dialect + ?Sized>(d: &D, r: &ir::RestartPolicy) -> Value {
    Fields::new(d, "ContainerRestartPolicy")
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

fn linux_parameters<D: Dialect + ?Sized>(d: &D, l: &ir::LinuxParameters) -> Value {
    let capabilities =
        (!l.add_capabilities.is_empty() || !l.drop_capabilities.is_empty()).then(|| {
            Fields::new(d, "KernelCapabilities")
                .strings("add", &l.add_capabilities)
                .strings("drop", &l.drop_capabilities)
                .build()
        });
    Fields::new(d, "LinuxParameters")
        .opt("capabilities", capabilities)
        .list(
            "devices",
            l.devices
                .iter()
                .map(|(host, container, perms)| {
                    Fields::new(d, "Device")
                        .set("hostPath", host.as_str())
                        .opt("containerPath", container.as_deref())
                        .strings("permissions", perms)
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
                    Fields::new(d, "Tmpfs")
                        .set("containerPath", path.as_str())
                        .set("size", *size)
                        .strings("mountOptions", options)
                        .build()
                })
                .collect(),
        )
        .opt("maxSwap", l.max_swap)
        .opt("swappiness", l.swappiness)
        .build()
}

fn secrets<D: Dialect + ?Sized>(d: &D, secrets: &[ir::Secret]) -> Vec<Value> {
    secrets
        .iter()
        .map(|s| {
            Fields::new(d, "Secret")
                .set("name", s.name.as_str())
                .set("valueFrom", s.source.value_from())
                .build()
        })
        .collect()
}

/// Driver options as given: the checker has filled in the awslogs group,
/// region and prefix (`check::derive`). `awslogs-create-group` only when the
/// program writes it; every target creates the groups Wharf owns itself.
fn log_configuration<D: Dialect + ?Sized>(d: &D, log: &ir::LogConfig) -> Value {
    Fields::new(d, "LogConfiguration")
        .set("logDriver", log.driver.as_str())
        .map("options", &log.options)
        .list("secretOptions", secrets(d, &log.secret_options))
        .build()
}

fn health_check<D: Dialect + ?Sized>(d: &D, h: &ir::HealthCheck) -> Value {
    let command: Vec<Value> = match &h.command {
        ir::HealthCommand::Shell(cmd) => vec![Value::from("CMD-SHELL"), d.text(cmd)],
        ir::HealthCommand::Exec(argv) => std::iter::once(Value::from("CMD"))
            .chain(argv.iter().map(|a| d.text(a)))
            .collect(),
        ir::HealthCommand::Raw(argv) => d.texts(argv),
    };
    Fields::new(d, "HealthCheck")
        .set("command", command)
        .set("interval", h.interval)
        .set("timeout", h.timeout)
        .set("retries", h.retries)
        .set("startPeriod", h.start_period)
        .build()
}

fn firelens<D: Dialect + ?Sized>(d: &D, f: &ir::Firelens) -> Value {
    Fields::new(d, "FirelensConfiguration")
        .set(
            "type",
            match f.kind {
                ir::FirelensKind::Fluentbit => "fluentbit",
                ir::FirelensKind::Fluentd => "fluentd",
            },
        )
        .map("options", &f.options)
        .build()
}
