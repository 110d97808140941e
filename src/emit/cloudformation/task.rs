//! Task definitions. Stage: emit. Input: `ir::Task`; output:
//! `AWS::ECS::TaskDefinition` with the same content as the ECS API backend's
//! `RegisterTaskDefinition` input, in CloudFormation's property names, plus
//! the generated IAM roles (`iam.rs`). A task definition depends on the log
//! groups Wharf creates for it, so no task starts before its group exists.

use serde_json::{json, Value};

use super::ids::Kind;
use super::value::{get_att, props, tags};
use super::{Ctx, Owner};
use crate::ir::{self, Arch, HealthCommand, NetworkMode, Role, VolumeKind};

impl<'a> Ctx<'a> {
    pub fn task_id(&self, task: &str) -> String {
        format!("{}TaskDefinition", self.ids.base(Kind::Task, task))
    }

    pub(super) fn emit_task(&mut self, t: &'a ir::Task) {
        let owner = *self
            .ix
            .task_owner
            .get(t.name.as_str())
            .unwrap_or(&Owner::Shared);
        let b = self.at(Kind::Task, &t.name, owner);
        let execution = self.role_value(&t.execution_role, &format!("{b}ExecutionRole"));
        let task_role = self.role_value(&t.task_role, &format!("{b}TaskRole"));
        if t.execution_role == Role::Generated {
            self.emit_execution_role(&b, t);
        }
        if t.task_role == Role::Generated {
            self.emit_task_role(&b, t);
        }
        let containers: Vec<Value> = t
            .containers
            .iter()
            .map(|c| self.container(c, t.network_mode))
            .collect();
        let volumes: Vec<Value> = t.volumes.iter().map(|v| self.volume(v)).collect();
        let mut depends: Vec<String> = Vec::new();
        for c in &t.containers {
            if let Some(g) = c.log.as_ref().and_then(|l| l.group.as_deref()) {
                if self.ix.log_groups.contains_key(g) {
                    let id = self.log_group_id(g);
                    if !depends.contains(&id) {
                        depends.push(id);
                    }
                }
            }
        }
        let properties = props(json!({
            "Family": t.family,
            "NetworkMode": t.network_mode.member(),
            "RequiresCompatibilities": t.requires_compatibilities.then(|| t.compatibilities.iter().map(|c| c.as_str()).collect::<Vec<_>>()),
            "Cpu": t.cpu.map(|c| c.to_string()),
            "Memory": t.memory.map(|m| m.to_string()),
            "ExecutionRoleArn": execution,
            "TaskRoleArn": task_role,
            "RuntimePlatform": (t.arch.is_some() || t.os_family.is_some()).then(|| props(json!({
                "CpuArchitecture": t.arch.map(Arch::as_str),
                "OperatingSystemFamily": t.os_family.as_deref() }))),
            "EphemeralStorage": t.ephemeral_storage_gib.map(|g| json!({ "SizeInGiB": g })),
            "PlacementConstraints": (!t.settings.placement_constraints.is_empty()).then(|| {
                t.settings.placement_constraints.iter()
                    .map(|x| json!({ "Type": "memberOf", "Expression": x })).collect::<Vec<_>>()
            }),
            "PidMode": t.settings.pid_mode,
            "IpcMode": t.settings.ipc_mode,
            "ProxyConfiguration": t.settings.proxy.as_ref().map(|(c, props)| props_of_proxy(c, props)),
            "EnableFaultInjection": t.settings.fault_injection.then_some(true),
            "Volumes": (!volumes.is_empty()).then_some(volumes),
            "ContainerDefinitions": containers,
            "Tags": (!t.tags.is_empty()).then(|| self.tag_list(&t.tags)),
        }));
        let mut resource = json!({ "Type": "AWS::ECS::TaskDefinition" });
        if !depends.is_empty() {
            resource["DependsOn"] = json!(depends);
        }
        resource["Properties"] = properties;
        self.at(Kind::Task, &t.name, owner);
        self.add(format!("{b}TaskDefinition"), resource);
    }

    pub(super) fn role_value(&self, role: &Role, generated_id: &str) -> Value {
        match role {
            // A role's short name (ECS completes it with the account) is
            // written as the ARN it stands for, which CloudFormation's
            // schema requires.
            Role::Arn(t) if t.as_literal().is_some_and(|r| !r.starts_with("arn:")) => {
                self.sub_text("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/", t, "")
            }
            Role::Arn(t) => self.text(t),
            Role::Generated => get_att(generated_id, "Arn"),
            Role::None => Value::Null,
        }
    }

    pub fn tag_list(&self, pairs: &[(String, ir::Text)]) -> Value {
        tags(
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), self.text(v)))
                .collect(),
        )
    }

    fn volume(&self, v: &ir::Volume) -> Value {
        match &v.kind {
            VolumeKind::Efs(e) => json!({ "Name": v.name, "EFSVolumeConfiguration": props(json!({
                "FilesystemId": self.text(&e.file_system_id),
                "RootDirectory": e.root_directory,
                "TransitEncryption": if e.transit_encryption { "ENABLED" } else { "DISABLED" },
                "TransitEncryptionPort": e.transit_encryption_port,
                "AuthorizationConfig": (e.access_point.is_some() || e.iam).then(|| props(json!({
                    "AccessPointId": e.access_point.as_ref().map(|a| self.text(a)),
                    "IAM": if e.iam { "ENABLED" } else { "DISABLED" } }))),
            })) }),
            VolumeKind::FsxWindows(f) => json!({ "Name": v.name,
                "FSxWindowsFileServerVolumeConfiguration": {
                    "FileSystemId": self.text(&f.file_system_id),
                    "RootDirectory": f.root_directory,
                    "AuthorizationConfig": { "CredentialsParameter": self.text(&f.credentials),
                                             "Domain": f.domain } } }),
            VolumeKind::Bind { host_path: Some(p) } => {
                json!({ "Name": v.name, "Host": { "SourcePath": p } })
            }
            VolumeKind::Bind { host_path: None } => json!({ "Name": v.name }),
            VolumeKind::Docker(d) => {
                let map = |pairs: &[(String, ir::Text)]| {
                    (!pairs.is_empty()).then(|| {
                        Value::Object(
                            pairs
                                .iter()
                                .map(|(k, v)| (k.clone(), self.text(v)))
                                .collect(),
                        )
                    })
                };
                json!({ "Name": v.name, "DockerVolumeConfiguration": props(json!({
                    "Scope": d.scope, "Autoprovision": d.autoprovision.then_some(true),
                    "Driver": d.driver, "DriverOpts": map(&d.driver_opts),
                    "Labels": map(&d.labels) })) })
            }
        }
    }

    fn pairs(&self, pairs: &[(String, ir::Text)]) -> Value {
        Value::Array(
            pairs
                .iter()
                .map(|(k, v)| json!({ "Name": k, "Value": self.text(v) }))
                .collect(),
        )
    }

    fn secrets(secrets: &[ir::Secret]) -> Value {
        Value::Array(
            secrets
                .iter()
                .map(|s| json!({ "Name": s.name, "ValueFrom": s.source.value_from() }))
                .collect(),
        )
    }

    fn container(&self, c: &ir::Container, mode: NetworkMode) -> Value {
        let non_empty = |v: Value| match &v {
            Value::Array(a) if a.is_empty() => Value::Null,
            _ => v,
        };
        let x = &c.settings;
        let strings = |v: &[String]| (!v.is_empty()).then(|| v.to_vec());
        let base = props(json!({
            "Name": c.name,
            "Image": self.text(&c.image),
            "Essential": c.essential,
            "Cpu": c.cpu,
            "Memory": c.memory,
            "MemoryReservation": c.memory_reservation,
            "PortMappings": non_empty(Value::Array(c.ports.iter().map(|p| props(json!({
                "ContainerPort": p.container_port,
                "HostPort": host_port(mode, p),
                "Protocol": p.protocol.as_str(),
                "Name": p.name,
                "AppProtocol": p.app_protocol,
            }))).collect())),
            "Environment": non_empty(self.pairs(&c.environment)),
            "Secrets": non_empty(Self::secrets(&c.secrets)),
            "LogConfiguration": c.log.as_ref().map(|l| props(json!({
                "LogDriver": l.driver.as_str(),
                "Options": (!l.options.is_empty()).then(|| Value::Object(l.options.iter()
                    .map(|(k, v)| (k.clone(), self.text(v))).collect())),
                "SecretOptions": non_empty(Self::secrets(&l.secret_options)),
            }))),
            "FirelensConfiguration": c.firelens.as_ref().map(|f| props(json!({
                "Type": match f.kind { ir::FirelensKind::Fluentbit => "fluentbit", ir::FirelensKind::Fluentd => "fluentd" },
                "Options": (!f.options.is_empty()).then(|| Value::Object(f.options.iter()
                    .map(|(k, v)| (k.clone(), self.text(v))).collect())),
            }))),
            "HealthCheck": c.health.as_ref().map(|h| json!({
                "Command": match &h.command {
                    HealthCommand::Shell(s) => json!(["CMD-SHELL", self.text(s)]),
                    HealthCommand::Exec(argv) => {
                        let mut v = vec![json!("CMD")];
                        v.extend(argv.iter().map(|a| self.text(a)));
                        Value::Array(v)
                    }
                    HealthCommand::Raw(argv) => json!(self.texts(argv)),
                },
                "Interval": h.interval, "Timeout": h.timeout,
                "Retries": h.retries, "StartPeriod": h.start_period,
            })),
            "Command": c.command.as_ref().map(|a| self.texts(a)),
            "EntryPoint": c.entry_point.as_ref().map(|a| self.texts(a)),
            "WorkingDirectory": c.working_directory.as_ref().map(|w| self.text(w)),
            "User": c.user,
            "ReadonlyRootFilesystem": c.read_only_root,
            "DependsOn": non_empty(Value::Array(c.depends_on.iter().map(|d| json!({
                "ContainerName": d.container, "Condition": d.condition.as_str() })).collect())),
            "MountPoints": non_empty(Value::Array(c.mounts.iter().map(|m| json!({
                "SourceVolume": m.volume, "ContainerPath": m.path, "ReadOnly": m.read_only })).collect())),
            "StopTimeout": c.stop_timeout,
            "StartTimeout": c.start_timeout,
            "Ulimits": non_empty(Value::Array(c.ulimits.iter().map(|u| json!({
                "Name": u.name, "SoftLimit": u.soft, "HardLimit": u.hard })).collect())),
            "DockerLabels": (!c.labels.is_empty()).then(|| Value::Object(c.labels.iter()
                .map(|(k, v)| (k.clone(), self.text(v))).collect())),
        }));
        let more = props(json!({
            "RepositoryCredentials": x.registry_credentials.as_ref()
                .map(|r| json!({ "CredentialsParameter": self.text(r) })),
            "Links": strings(&x.links),
            "RestartPolicy": x.restart.as_ref().map(|r| props(json!({
                "Enabled": true,
                "IgnoredExitCodes": (!r.ignored_exit_codes.is_empty()).then_some(&r.ignored_exit_codes),
                "RestartAttemptPeriod": r.attempt_period }))),
            "EnvironmentFiles": non_empty(Value::Array(x.env_files.iter()
                .map(|f| json!({ "Value": self.text(f), "Type": "s3" })).collect())),
            "VolumesFrom": non_empty(Value::Array(x.volumes_from.iter()
                .map(|(from, ro)| json!({ "SourceContainer": from, "ReadOnly": ro })).collect())),
            "LinuxParameters": x.linux.as_ref().map(linux_parameters),
            "VersionConsistency": x.version_consistency.map(|v| if v { "enabled" } else { "disabled" }),
            "Hostname": x.hostname,
            "DisableNetworking": x.disable_networking.then_some(true),
            "Privileged": x.privileged.then_some(true),
            "DnsServers": strings(&x.dns_servers),
            "DnsSearchDomains": strings(&x.dns_search_domains),
            "ExtraHosts": non_empty(Value::Array(x.extra_hosts.iter()
                .map(|(h, ip)| json!({ "Hostname": h, "IpAddress": ip })).collect())),
            "DockerSecurityOptions": strings(&x.docker_security_options),
            "Interactive": x.interactive.then_some(true),
            "PseudoTerminal": x.pseudo_terminal.then_some(true),
            "SystemControls": non_empty(Value::Array(x.system_controls.iter()
                .map(|(n, v)| json!({ "Namespace": n, "Value": v })).collect())),
            "ResourceRequirements": x.gpus.map(|g| json!([{ "Value": g.to_string(), "Type": "GPU" }])),
            "CredentialSpecs": strings(&x.credential_specs),
        }));
        let mut base = base;
        if let (Value::Object(b), Value::Object(m)) = (&mut base, more) {
            b.extend(m);
        }
        base
    }
}

/// `HostPort` as ECS would set it when absent (and as the ECS backend writes
/// it): the container port in awsvpc and host mode, 0 (dynamic) in bridge.
fn host_port(mode: NetworkMode, p: &ir::PortMapping) -> Option<u16> {
    match mode {
        NetworkMode::Awsvpc | NetworkMode::Host => Some(p.host_port.unwrap_or(p.container_port)),
        NetworkMode::Bridge | NetworkMode::Default => Some(p.host_port.unwrap_or(0)),
        NetworkMode::None => p.host_port,
    }
}

fn props_of_proxy(container: &str, properties: &[(String, String)]) -> Value {
    props(json!({
        "Type": "APPMESH",
        "ContainerName": container,
        "ProxyConfigurationProperties": (!properties.is_empty()).then(|| properties.iter()
            .map(|(k, v)| json!({ "Name": k, "Value": v })).collect::<Vec<_>>()),
    }))
}

/// `LinuxParameters` with only what the program names.
fn linux_parameters(l: &ir::LinuxParameters) -> Value {
    let strings = |v: &[String]| (!v.is_empty()).then(|| v.to_vec());
    let capabilities = (!l.add_capabilities.is_empty() || !l.drop_capabilities.is_empty()).then(|| {
        props(json!({ "Add": strings(&l.add_capabilities), "Drop": strings(&l.drop_capabilities) }))
    });
    props(json!({
        "Capabilities": capabilities,
        "Devices": (!l.devices.is_empty()).then(|| l.devices.iter().map(|(h, c, p)| props(json!({
            "HostPath": h, "ContainerPath": c, "Permissions": strings(p) }))).collect::<Vec<_>>()),
        "InitProcessEnabled": l.init.then_some(true),
        "SharedMemorySize": l.shared_memory,
        "Tmpfs": (!l.tmpfs.is_empty()).then(|| l.tmpfs.iter().map(|(p, sz, o)| props(json!({
            "ContainerPath": p, "Size": sz, "MountOptions": strings(o) }))).collect::<Vec<_>>()),
        "MaxSwap": l.max_swap,
        "Swappiness": l.swappiness,
    }))
}
