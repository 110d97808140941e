//! One renderer for the ECS shapes every target writes: the task definition,
//! its volumes and its container definitions, and the service. Stage: emit.
//! Input: checked `ir::Task` / `ir::Service` and a `Dialect`; output: a JSON
//! object.
//!
//! The renderer walks the IR once and names each member as the ECS API
//! (botocore) spells it, in botocore member order (`task.rs`, `container.rs`,
//! `service.rs`). The dialect supplies the
//! rest:
//!
//! - `Case`: how a member is written (`Case::Api`: as it is, lowerCamel;
//!   `Case::CloudFormation`: the CloudFormation property name, PascalCase
//!   with the exceptions of `case.rs`) and the key order of a finished
//!   object (CloudFormation keeps the order its templates have always had;
//!   a member it does not list follows in botocore order), and the values a
//!   target has no spelling for (CloudFormation's `PropagateTags` has no
//!   `NONE`: leaving it out means the same).
//! - `text`: how a text with inputs is written (the ECS API: the value of
//!   this build; CloudFormation: a literal, a `Ref` or an `Fn::Sub`).
//!
//! - `capacity_provider`: how a strategy names a provider (CloudFormation
//!   refers to the providers it creates with `Ref`).
//!
//! What names another resource (the task and execution roles, the cluster,
//! target groups, subnets: CloudFormation refers to what the stack creates,
//! the ECS API writes an ARN or ID, or refuses with a coded diagnostic) is
//! computed by the backend and handed in (`Roles`, `ServiceRefs`). User keys (docker labels, log and driver options)
//! are written as given, never re-cased.
//!
//! A member added here reaches every target; a new target is a `Case` (key
//! spelling and order) and a `text`.

mod case;
mod connect;
mod container;
mod service;
mod task;

pub use case::Case;
pub(crate) use service::{service, AwsVpc, ServiceRefs};
pub(crate) use task::{task_definition, Roles};

use serde_json::{Map, Value};

use crate::ir;

/// How a target writes what the renderer produces.
pub(crate) trait Dialect {
    fn case(&self) -> Case;
    /// A text, with this target's way of writing inputs.
    fn text(&self, t: &ir::Text) -> Value;

    fn texts(&self, ts: &[ir::Text]) -> Vec<Value> {
        ts.iter().map(|t| self.text(t)).collect()
    }

    /// A capacity provider of a strategy, by name.
    fn capacity_provider(&self, name: &str) -> Value {
        Value::from(name)
    }
}

/// An object of one botocore shape under construction. Absent values and
/// empty lists are skipped, so the output never carries `null` or `[]`.
pub(crate) struct Fields<'d, D: Dialect + ?Sized> {
    d: &'d D,
    case: Case,
    shape: &'static str,
    /// In botocore order; made a map once, in the target's order, by
    /// `build` (so no key is hashed twice).
    entries: Vec<(String, Value)>,
}

impl<'d, D: Dialect + ?Sized> Fields<'d, D> {
    /// `shape` is the botocore shape name (`ContainerDefinition`).
    pub(crate) fn new(d: &'d D, shape: &'static str) -> Self {
        Fields {
            d,
            case: d.case(),
            shape,
            entries: Vec::new(),
        }
    }

    pub(crate) fn set(mut self, member: &'static str, value: impl Into<Value>) -> Self {
        let value = value.into();
        if !self.case.omits(self.shape, member, &value) {
            self.entries
                .push((self.case.key(self.shape, member), value));
        }
        self
    }

    pub(crate) fn opt(self, member: &'static str, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(v) => self.set(member, v),
            None => self,
        }
    }

    /// A list, or nothing when it is empty.
    pub(crate) fn list(self, member: &'static str, items: Vec<Value>) -> Self {
        if items.is_empty() {
            self
        } else {
            self.set(member, Value::Array(items))
        }
    }

    /// A list of plain strings, or nothing when it is empty.
    pub(crate) fn strings(self, member: &'static str, items: &[String]) -> Self {
        let items = items.iter().map(|s| Value::from(s.as_str())).collect();
        self.list(member, items)
    }

    /// A string map with the user's keys as given (labels, options), or
    /// nothing when it is empty.
    pub(crate) fn map(self, member: &'static str, pairs: &[(String, ir::Text)]) -> Self {
        if pairs.is_empty() {
            return self;
        }
        let map = pairs
            .iter()
            .map(|(k, v)| (k.clone(), self.d.text(v)))
            .collect();
        self.set(member, Value::Object(map))
    }

    /// A text member.
    pub(crate) fn text(self, member: &'static str, t: &ir::Text) -> Self {
        let v = self.d.text(t);
        self.set(member, v)
    }

    pub(crate) fn build(self) -> Value {
        let mut entries = self.entries;
        self.case.order(self.shape, &mut entries);
        Value::Object(entries.into_iter().collect::<Map<String, Value>>())
    }
}

#[cfg(test)]
mod tests {
    //! Every member the renderer writes reaches both targets: a task with
    //! every field given, rendered in both cases, has the same content
    //! member for member (keys re-cased, user keys as given).

    use serde_json::Value;

    use super::{task_definition, Case, Dialect, Roles};
    use crate::diag::Span;
    use crate::ir::{self, Text};

    struct Literal(Case);

    impl Dialect for Literal {
        fn case(&self) -> Case {
            self.0
        }

        fn text(&self, t: &Text) -> Value {
            Value::from(t.as_literal().unwrap_or_default())
        }
    }

    fn pairs(k: &str, v: &str) -> Vec<(String, Text)> {
        vec![(k.to_string(), Text::lit(v))]
    }

    fn strings(s: &str) -> Vec<String> {
        vec![s.to_string()]
    }

    fn secret(name: &str) -> ir::Secret {
        ir::Secret {
            name: name.into(),
            source: ir::SecretSource::Ssm {
                parameter: "/app/db".into(),
            },
            kms_key: None,
            span: Span::default(),
        }
    }

    /// A container with every member the renderer knows.
    fn full_container() -> ir::Container {
        let settings = ir::ContainerSettings {
            registry_credentials: Some(Text::lit("arn:aws:secretsmanager:eu-west-1:1:secret:r")),
            links: strings("db"),
            restart: Some(ir::RestartPolicy {
                ignored_exit_codes: vec![0, 143],
                attempt_period: Some(60),
            }),
            env_files: vec![Text::lit("arn:aws:s3:::b/app.env")],
            volumes_from: vec![("db".into(), true)],
            linux: Some(ir::LinuxParameters {
                init: true,
                add_capabilities: strings("SYS_PTRACE"),
                drop_capabilities: strings("NET_RAW"),
                devices: vec![(
                    "/dev/fuse".into(),
                    Some("/dev/fuse".into()),
                    strings("read"),
                )],
                shared_memory: Some(64),
                tmpfs: vec![("/run".into(), 64, strings("rw"))],
                max_swap: Some(0),
                swappiness: Some(10),
            }),
            version_consistency: Some(false),
            hostname: Some("app".into()),
            disable_networking: true,
            privileged: true,
            dns_servers: strings("10.0.0.2"),
            dns_search_domains: strings("corp"),
            extra_hosts: vec![("db".into(), "10.0.0.9".into())],
            docker_security_options: strings("no-new-privileges"),
            interactive: true,
            pseudo_terminal: true,
            system_controls: vec![("net.core.somaxconn".into(), "1024".into())],
            gpus: Some(1),
            credential_specs: strings("credentialspec:arn:aws:s3:::b/spec.json"),
        };
        ir::Container {
            name: "app".into(),
            role: ir::ContainerRole::App,
            image: Text::lit("public.ecr.aws/acme/app:1"),
            essential: true,
            cpu: Some(256),
            memory: Some(512),
            memory_reservation: Some(256),
            ports: vec![
                ir::PortMapping {
                    container_port: 8080,
                    last_port: None,
                    host_port: None,
                    protocol: ir::Protocol::Tcp,
                    name: Some("app-8080".into()),
                    app_protocol: Some("http".into()),
                    span: Span::default(),
                },
                ir::PortMapping {
                    container_port: 9000,
                    last_port: Some(9010),
                    host_port: None,
                    protocol: ir::Protocol::Udp,
                    name: None,
                    app_protocol: None,
                    span: Span::default(),
                },
            ],
            environment: pairs("MODE", "prod"),
            secrets: vec![secret("DB")],
            log: Some(ir::LogConfig {
                driver: ir::LogDriver::Awslogs,
                options: pairs("awslogs-group", "/ecs/app"),
                secret_options: vec![secret("token")],
                group: Some("/ecs/app".into()),
                retention_days: None,
                span: Span::default(),
            }),
            firelens: Some(ir::Firelens {
                kind: ir::FirelensKind::Fluentbit,
                options: pairs("enable-ecs-log-metadata", "true"),
            }),
            health: Some(ir::HealthCheck {
                command: ir::HealthCommand::Exec(vec![Text::lit("/bin/check")]),
                interval: 30,
                timeout: 5,
                retries: 3,
                start_period: 0,
                span: Span::default(),
            }),
            command: Some(vec![Text::lit("serve")]),
            entry_point: Some(vec![Text::lit("/app")]),
            working_directory: Some(Text::lit("/srv")),
            user: Some("1000".into()),
            read_only_root: true,
            depends_on: vec![ir::Dependency {
                container: "db".into(),
                condition: ir::Condition::Healthy,
                span: Span::default(),
            }],
            mounts: vec![ir::Mount {
                volume: "data".into(),
                path: "/data".into(),
                read_only: false,
                span: Span::default(),
            }],
            stop_timeout: Some(30),
            start_timeout: Some(60),
            ulimits: vec![ir::Ulimit {
                name: "nofile".into(),
                soft: 1024,
                hard: 4096,
            }],
            labels: pairs("com.example.Team", "payments"),
            local: None,
            settings: ir::Rare::new(settings),
            span: Span::default(),
        }
    }

    fn full_task() -> ir::Task {
        let efs = ir::Volume {
            name: "data".into(),
            kind: ir::VolumeKind::Efs(ir::EfsVolume {
                file_system_id: Text::lit("fs-1"),
                root_directory: None,
                transit_encryption: true,
                access_point: Some(Text::lit("fsap-1")),
                iam: true,
                transit_encryption_port: Some(2999),
            }),
            span: Span::default(),
        };
        let docker = ir::Volume {
            name: "scratch".into(),
            kind: ir::VolumeKind::Docker(ir::DockerVolume {
                scope: Some("task".into()),
                autoprovision: true,
                driver: Some("local".into()),
                driver_opts: pairs("type", "tmpfs"),
                labels: pairs("Owner.Name", "x"),
            }),
            span: Span::default(),
        };
        let host = ir::Volume {
            name: "logs".into(),
            kind: ir::VolumeKind::Bind {
                host_path: Some("/var/log".into()),
            },
            span: Span::default(),
        };
        let fsx = ir::Volume {
            name: "share".into(),
            kind: ir::VolumeKind::FsxWindows(ir::FsxWindowsVolume {
                file_system_id: Text::lit("fs-2"),
                root_directory: "share".into(),
                credentials: Text::lit("arn:aws:secretsmanager:us-east-1:1:secret:ad"),
                domain: "corp.example.com".into(),
            }),
            span: Span::default(),
        };
        ir::Task {
            name: "app".into(),
            family: "app".into(),
            network_mode: ir::NetworkMode::Awsvpc,
            compatibilities: vec![ir::Compatibility::Ec2],
            requires_compatibilities: true,
            cpu: Some(512),
            memory: Some(1024),
            execution_role: ir::Role::None,
            task_role: ir::Role::None,
            execution_needs: ir::ExecutionNeeds::default(),
            permissions: Vec::new(),
            volumes: vec![efs, docker, host, fsx],
            containers: vec![full_container()],
            arch: Some(ir::Arch::Arm64),
            os_family: Some("LINUX".into()),
            ephemeral_storage_gib: Some(30),
            tags: pairs("team", "payments"),
            settings: ir::Rare::new(ir::TaskSettings {
                pid_mode: Some("task".into()),
                ipc_mode: Some("task".into()),
                placement_constraints: strings("attribute:ecs.os-type == linux"),
                proxy: Some(("envoy".into(), vec![("AppPorts".into(), "8080".into())])),
                fault_injection: true,
            }),
            span: Span::default(),
        }
    }

    /// Maps whose keys are the user's.
    const DATA: &[&str] = &["dockerLabels", "options", "driverOpts", "labels"];

    /// `api` with its keys as CloudFormation writes them, without order.
    fn recased(api: &Value, parent: &str) -> Value {
        match api {
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| {
                        let key = if DATA.contains(&parent) {
                            k.clone()
                        } else {
                            // The shape of each exception, told by the
                            // member and, for `fileSystemId`, its parent.
                            let shape = match (parent, k.as_str()) {
                                (_, "efsVolumeConfiguration")
                                | (_, "fsxWindowsFileServerVolumeConfiguration") => "Volume",
                                ("efsVolumeConfiguration", "fileSystemId") => {
                                    "EFSVolumeConfiguration"
                                }
                                (_, "iam") => "EFSAuthorizationConfig",
                                (_, "properties") => "ProxyConfiguration",
                                _ => "",
                            };
                            Case::CloudFormation.key(shape, k)
                        };
                        (key, recased(v, k))
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|v| recased(v, parent)).collect()),
            other => other.clone(),
        }
    }

    fn sorted(v: Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut entries: Vec<(String, Value)> = m.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
            other => other,
        }
    }

    fn render(case: Case) -> Value {
        let roles = Roles {
            task: Some(Value::from("arn:aws:iam::1:role/task")),
            execution: Some(Value::from("arn:aws:iam::1:role/exec")),
        };
        task_definition(&Literal(case), &full_task(), roles)
    }

    #[test]
    fn every_member_reaches_both_targets() {
        let api = render(Case::Api);
        let cfn = render(Case::CloudFormation);
        let container = &api["containerDefinitions"][0];
        // Every member of the full container is written (42 of them).
        assert_eq!(container.as_object().unwrap().len(), 42);
        assert_eq!(sorted(recased(&api, "")), sorted(cfn.clone()));
        // User keys are kept, property names re-cased.
        assert_eq!(
            cfn["ContainerDefinitions"][0]["DockerLabels"]["com.example.Team"],
            "payments"
        );
        assert_eq!(
            cfn["Volumes"][0]["EFSVolumeConfiguration"]["FilesystemId"],
            "fs-1"
        );
        assert_eq!(
            cfn["ProxyConfiguration"]["ProxyConfigurationProperties"][0]["Name"],
            "AppPorts"
        );
        // A port range: `containerPortRange`, and no host port (ECS picks).
        assert_eq!(
            container["portMappings"][1],
            serde_json::json!({"containerPortRange": "9000-9010", "protocol": "udp"})
        );
    }

    #[test]
    fn each_target_keeps_its_key_order() {
        let api = render(Case::Api);
        let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
        assert_eq!(
            keys(&api)[..5],
            [
                "family",
                "taskRoleArn",
                "executionRoleArn",
                "networkMode",
                "containerDefinitions"
            ]
        );
        let cfn = render(Case::CloudFormation);
        assert_eq!(
            keys(&cfn)[..5],
            [
                "Family",
                "NetworkMode",
                "RequiresCompatibilities",
                "Cpu",
                "Memory"
            ]
        );
        assert_eq!(
            keys(&cfn["ContainerDefinitions"][0])[..3],
            ["Name", "Image", "Essential"]
        );
    }
}
