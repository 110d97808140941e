//! Hand-built `ir::Program`s for the ECS backend tests: what the checker
//! would produce for a Fargate web service, an EC2 bridge worker with
//! dynamic host ports and placement rules, a DAEMON agent, a FireLens
//! logging task and a task with EFS and bind volumes. Shared by
//! `tests/ecs_emit.rs` (snapshots) and `tests/ecs_validate.rs` (botocore).

#![allow(dead_code)]

use wharf::diag::{FileId, Span};
use wharf::ir::*;

/// A distinct span per blamable node, so diagnostics tests can tell them apart.
pub fn span(start: usize) -> Span {
    Span::new(FileId(0), start, start + 10)
}

pub fn lit(s: &str) -> Text {
    Text::lit(s)
}

fn input(name: &str, ty: InputType, value: &str) -> Input {
    Input {
        name: name.into(),
        ty,
        default: None,
        value: value.into(),
        description: None,
        span: span(1),
        secret: None,
    }
}

/// The execution role needs the checker derives for every task.
fn settled(mut p: Program) -> Program {
    for t in &mut p.tasks {
        wharf::check::derive_execution_role(t);
    }
    p
}

pub fn program(name: &str) -> Program {
    Program {
        name: name.into(),
        region: Some("us-east-1".into()),
        account: Some("123456789012".into()),
        inputs: Vec::new(),
        networks: Vec::new(),
        clusters: Vec::new(),
        load_balancers: Vec::new(),
        tasks: Vec::new(),
        services: Vec::new(),
        log_groups: Vec::new(),
        namespaces: Vec::new(),
        jobs: Vec::new(),
        schedules: Vec::new(),
    }
}

pub fn cluster(name: &str) -> Cluster {
    Cluster {
        name: name.into(),
        network: None,
        capacity_providers: Vec::new(),
        default_strategy: Vec::new(),
        insights: Insights::Disabled,
        span: span(100),
    }
}

pub fn task(name: &str, fargate: bool) -> Task {
    Task {
        name: name.into(),
        family: name.into(),
        network_mode: if fargate {
            NetworkMode::Awsvpc
        } else {
            NetworkMode::Bridge
        },
        compatibilities: vec![if fargate {
            Compatibility::Fargate
        } else {
            Compatibility::Ec2
        }],
        requires_compatibilities: true,
        cpu: None,
        memory: None,
        execution_role: Role::Generated,
        task_role: Role::Generated,
        execution_needs: ExecutionNeeds::default(),
        permissions: Vec::new(),
        volumes: Vec::new(),
        containers: Vec::new(),
        arch: Some(Arch::X86_64),
        os_family: None,
        ephemeral_storage_gib: None,
        tags: Vec::new(),
        settings: Default::default(),
        span: span(200),
    }
}

pub fn container(name: &str, image: Text) -> Container {
    Container {
        name: name.into(),
        role: ContainerRole::App,
        image,
        essential: true,
        cpu: None,
        memory: None,
        memory_reservation: None,
        ports: Vec::new(),
        environment: Vec::new(),
        secrets: Vec::new(),
        log: None,
        firelens: None,
        health: None,
        command: None,
        entry_point: None,
        working_directory: None,
        user: None,
        read_only_root: false,
        depends_on: Vec::new(),
        mounts: Vec::new(),
        stop_timeout: None,
        start_timeout: None,
        ulimits: Vec::new(),
        labels: Vec::new(),
        local: None,
        settings: Default::default(),
        span: span(300),
    }
}

pub fn port(container_port: u16, host_port: Option<u16>) -> PortMapping {
    PortMapping {
        last_port: None,
        container_port,
        host_port,
        protocol: Protocol::Tcp,
        name: None,
        app_protocol: None,
        span: span(310),
    }
}

pub fn awslogs(group: &str, prefix: &str) -> LogConfig {
    LogConfig {
        driver: LogDriver::Awslogs,
        options: vec![
            ("awslogs-group".into(), lit(group)),
            ("awslogs-region".into(), lit("us-east-1")),
            ("awslogs-stream-prefix".into(), lit(prefix)),
        ],
        secret_options: Vec::new(),
        group: Some(group.into()),
        retention_days: None,
        span: span(320),
    }
}

pub fn health(cmd: &str) -> HealthCheck {
    HealthCheck {
        command: HealthCommand::Shell(lit(cmd)),
        interval: 30,
        timeout: 5,
        retries: 3,
        start_period: 0,
        span: span(330),
    }
}

pub fn service(name: &str, cluster: &str, task: &str) -> Service {
    Service {
        name: name.into(),
        cluster: cluster.into(),
        task: task.into(),
        scheduling: Scheduling::Replica,
        desired_count: Some(1),
        launch: Launch::ClusterDefault,
        platform_version: None,
        network: None,
        exposures: Vec::new(),
        deployment: Deployment {
            strategy: DeploymentStrategy::Rolling,
            minimum_healthy_percent: 100,
            maximum_percent: 200,
            circuit_breaker: None,
            bake_time_minutes: None,
            hooks: Vec::new(),
            alarms: None,
        },
        placement_strategies: Vec::new(),
        placement_constraints: Vec::new(),
        discovery: None,
        connect: None,
        grace_period: None,
        autoscale: None,
        queue: None,
        callers: Vec::new(),
        egress: Vec::new(),
        execute_command: false,
        tags: Vec::new(),
        span: span(400),
    }
}

pub fn exposure(lb: &str, container: &str, port: u16, target_group: Option<&str>) -> Exposure {
    Exposure {
        load_balancer: lb.into(),
        container: container.into(),
        container_port: port,
        listeners: Vec::new(),
        paths: vec!["/*".into()],
        hosts: Vec::new(),
        priority: 1,
        health: TargetHealth {
            path: Some("/health".into()),
            interval: 30,
            timeout: 5,
            healthy_threshold: 5,
            unhealthy_threshold: 2,
            matcher: "200-399".into(),
        },
        deregistration_delay: 300,
        target_group_arn: target_group.map(lit),
        traffic: Default::default(),
        span: span(410),
    }
}

fn load_balancer(name: &str, network: &str) -> LoadBalancer {
    LoadBalancer {
        name: name.into(),
        kind: LbKind::Alb,
        public: true,
        network: network.into(),
        listeners: vec![Listener {
            port: 80,
            protocol: ListenerProtocol::Http,
            certificate: None,
            redirect_to: None,
            span: span(510),
        }],
        idle_timeout: None,
        ingress: vec!["0.0.0.0/0".into()],
        span: span(500),
    }
}

fn existing_network(name: &str) -> Network {
    Network {
        name: name.into(),
        kind: NetworkKind::Existing {
            vpc: lit("vpc-0abc"),
            public_subnets: SubnetRef::Ids(vec![lit("subnet-pub1"), lit("subnet-pub2")]),
            private_subnets: SubnetRef::Input("PRIVATE_SUBNETS".into()),
        },
        span: span(600),
    }
}

const TG_WEB: &str =
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";

/// `cluster prod` with a FARGATE_SPOT / FARGATE default strategy, a Fargate
/// web task (app + init migration) and a load-balanced, discoverable service.
pub fn fargate_web() -> Program {
    settled(fargate_web_as_built())
}

fn fargate_web_as_built() -> Program {
    let mut p = program("shop");
    p.inputs = vec![
        input("IMAGE_TAG", InputType::String, "1.4.2"),
        input(
            "PRIVATE_SUBNETS",
            InputType::SubnetIds,
            "subnet-priv1,subnet-priv2",
        ),
        input("APP_SG", InputType::SecurityGroupIds, "sg-0aaa,sg-0bbb"),
    ];
    p.networks = vec![existing_network("main")];
    p.load_balancers = vec![load_balancer("web", "main")];
    p.clusters = vec![Cluster {
        network: Some("main".into()),
        capacity_providers: vec![CapacityProvider::FargateSpot, CapacityProvider::Fargate],
        default_strategy: vec![
            StrategyItem {
                provider: "FARGATE_SPOT".into(),
                weight: 70,
                base: 0,
            },
            StrategyItem {
                provider: "FARGATE".into(),
                weight: 30,
                base: 2,
            },
        ],
        insights: Insights::Enabled,
        ..cluster("prod")
    }];
    let image = Text {
        parts: vec![
            TextPart::Lit("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-app:".into()),
            TextPart::Input("IMAGE_TAG".into()),
        ],
    };
    let app = Container {
        ports: vec![port(3000, None)],
        environment: vec![("NODE_ENV".into(), lit("production"))],
        secrets: vec![Secret {
            name: "DB_PASSWORD".into(),
            source: SecretSource::SecretsManager {
                arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf".into(),
                json_key: Some("password".into()),
                version_stage: None,
                version_id: None,
            },
            kms_key: None,
            span: span(340),
        }],
        log: Some(awslogs("/wharf/shop/web", "app")),
        health: Some(HealthCheck {
            start_period: 60,
            ..health("curl -f http://localhost:3000/health || exit 1")
        }),
        depends_on: vec![Dependency {
            container: "migrate".into(),
            condition: Condition::Success,
            span: span(350),
        }],
        ..container("app", image.clone())
    };
    let migrate = Container {
        role: ContainerRole::Init,
        essential: false,
        command: Some(vec![lit("npm"), lit("run"), lit("migrate")]),
        log: Some(awslogs("/wharf/shop/web", "migrate")),
        ..container("migrate", image)
    };
    p.tasks = vec![Task {
        cpu: Some(256),
        memory: Some(512),
        task_role: Role::Arn(lit("arn:aws:iam::123456789012:role/web-task")),
        execution_needs: ExecutionNeeds {
            ecr_repositories: vec![lit("arn:aws:ecr:us-east-1:123456789012:repository/my-app")],
            log_groups: vec![lit("/wharf/shop/web")],
            secrets: vec!["arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf".into()],
            ..ExecutionNeeds::default()
        },
        containers: vec![app, migrate],
        tags: vec![("team".into(), lit("shop"))],
        ..task("web", true)
    }];
    p.services = vec![Service {
        desired_count: Some(3),
        network: Some(ServiceNetwork {
            network: None,
            subnets: None,
            security_groups: vec![Text {
                parts: vec![TextPart::Input("APP_SG".into())],
            }],
            public_ip: false,
        }),
        exposures: vec![exposure("web", "app", 3000, Some(TG_WEB))],
        deployment: Deployment {
            strategy: DeploymentStrategy::Rolling,
            minimum_healthy_percent: 50,
            maximum_percent: 200,
            circuit_breaker: Some(CircuitBreaker { rollback: true }),
            bake_time_minutes: None,
            hooks: Vec::new(),
            alarms: None,
        },
        discovery: Some(Box::new(Discovery {
            name: "api".into(),
            namespace: "shop.local".into(),
            registry_arn: Some(lit(
                "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-abc123",
            )),
            ttl: 10,
        })),
        grace_period: Some(60),
        connect: None,
        execute_command: true,
        tags: vec![("team".into(), lit("shop"))],
        ..service("api", "prod", "web")
    }];
    p
}

/// An EC2 cluster with an auto scaling group provider, a bridge-mode worker
/// with a dynamic host port behind a target group, spread / binpack
/// placement and `distinctInstance` / `memberOf` constraints.
pub fn ec2_bridge() -> Program {
    settled(ec2_bridge_as_built())
}

fn ec2_bridge_as_built() -> Program {
    let mut p = program("batch");
    p.clusters = vec![Cluster {
        capacity_providers: vec![CapacityProvider::Ec2(Ec2CapacityProvider {
            name: "batch-asg".into(),
            auto_scaling_group: lit(
                "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0a1b2c3d-1111-2222-3333-444455556666:autoScalingGroupName/batch",
            ),
            target_capacity: Some(90),
            managed_termination_protection: true,
            created: None,
        })],
        default_strategy: vec![StrategyItem {
            provider: "batch-asg".into(),
            weight: 1,
            base: 0,
        }],
        ..cluster("batch")
    }];
    let worker = Container {
        cpu: Some(512),
        memory: Some(1024),
        memory_reservation: Some(768),
        ports: vec![port(8080, Some(0))],
        environment: vec![("QUEUE".into(), lit("jobs"))],
        log: Some(LogConfig {
            driver: LogDriver::JsonFile,
            options: vec![("max-size".into(), lit("10m"))],
            secret_options: Vec::new(),
            group: None,
            retention_days: None,
            span: span(320),
        }),
        stop_timeout: Some(60),
        ..container("worker", lit("public.ecr.aws/acme/worker:2"))
    };
    p.tasks = vec![Task {
        task_role: Role::None,
        containers: vec![worker],
        ..task("worker", false)
    }];
    p.services = vec![Service {
        desired_count: Some(4),
        launch: Launch::Type(Compatibility::Ec2),
        exposures: vec![exposure(
            "internal",
            "worker",
            8080,
            Some("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/worker/89abcdef01234567"),
        )],
        placement_strategies: vec![
            PlacementStrategy {
                kind: PlacementKind::Spread,
                field: Some("attribute:ecs.availability-zone".into()),
            },
            PlacementStrategy {
                kind: PlacementKind::Binpack,
                field: Some("memory".into()),
            },
        ],
        placement_constraints: vec![
            PlacementConstraint::DistinctInstance,
            PlacementConstraint::MemberOf("attribute:ecs.instance-type =~ t3.*".into()),
        ],
        discovery: Some(Box::new(Discovery {
            name: "worker".into(),
            namespace: "batch.local".into(),
            registry_arn: Some(lit(
                "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-def456",
            )),
            ttl: 10,
        })),
        ..service("worker", "batch", "worker")
    }];
    p
}

/// A host-network agent on every EC2 instance: a DAEMON service.
pub fn daemon() -> Program {
    settled(daemon_as_built())
}

fn daemon_as_built() -> Program {
    let mut p = program("agents");
    p.clusters = vec![cluster("ops")];
    let agent = Container {
        memory: Some(256),
        ports: vec![port(8125, None)],
        log: Some(awslogs("/wharf/agents/agent", "agent")),
        ..container(
            "agent",
            lit("public.ecr.aws/cloudwatch-agent/cloudwatch-agent:latest"),
        )
    };
    p.tasks = vec![Task {
        network_mode: NetworkMode::Host,
        task_role: Role::Arn(lit("arn:aws:iam::123456789012:role/cw-agent")),
        execution_needs: ExecutionNeeds {
            log_groups: vec![lit("/wharf/agents/agent")],
            ..ExecutionNeeds::default()
        },
        containers: vec![agent],
        ..task("agent", false)
    }];
    p.services = vec![Service {
        scheduling: Scheduling::Daemon,
        desired_count: None,
        deployment: Deployment {
            strategy: DeploymentStrategy::Rolling,
            minimum_healthy_percent: 0,
            maximum_percent: 100,
            circuit_breaker: None,
            bake_time_minutes: None,
            hooks: Vec::new(),
            alarms: None,
        },
        ..service("agent", "ops", "agent")
    }];
    p
}

/// An app logging through a FireLens (Fluent Bit) router, with a secret
/// log option.
pub fn firelens() -> Program {
    settled(firelens_as_built())
}

fn firelens_as_built() -> Program {
    let mut p = program("logs");
    let router = Container {
        role: ContainerRole::LogRouter,
        essential: true,
        memory_reservation: Some(50),
        firelens: Some(Firelens {
            kind: FirelensKind::Fluentbit,
            options: vec![("enable-ecs-log-metadata".into(), lit("true"))],
        }),
        log: Some(awslogs("/wharf/logs/firelens", "firelens")),
        user: Some("0".into()),
        ..container(
            "log_router",
            lit("public.ecr.aws/aws-observability/aws-for-fluent-bit:stable"),
        )
    };
    let app = Container {
        ports: vec![port(80, None)],
        log: Some(LogConfig {
            driver: LogDriver::Awsfirelens,
            options: vec![
                ("Name".into(), lit("datadog")),
                ("Host".into(), lit("http-intake.logs.datadoghq.com")),
                ("TLS".into(), lit("on")),
                ("provider".into(), lit("ecs")),
            ],
            secret_options: vec![Secret {
                name: "apikey".into(),
                source: SecretSource::Ssm {
                    parameter: "arn:aws:ssm:us-east-1:123456789012:parameter/datadog/api-key"
                        .into(),
                },
                kms_key: None,
                span: span(360),
            }],
            group: None,
            retention_days: None,
            span: span(320),
        }),
        depends_on: vec![Dependency {
            container: "log_router".into(),
            condition: Condition::Start,
            span: span(350),
        }],
        ..container("app", lit("nginx:1.27"))
    };
    p.tasks = vec![Task {
        cpu: Some(512),
        memory: Some(1024),
        execution_role: Role::Arn(lit("arn:aws:iam::123456789012:role/ecsTaskExecutionRole")),
        task_role: Role::Arn(lit("arn:aws:iam::123456789012:role/firelens-task")),
        containers: vec![router, app],
        ..task("firelens-demo", true)
    }];
    p
}

/// EFS (transit encryption, access point, IAM) and a Fargate bind volume on
/// an ARM task, with the rarer container settings.
pub fn efs() -> Program {
    settled(efs_as_built())
}

fn efs_as_built() -> Program {
    let mut p = program("files");
    p.inputs = vec![input("FS_ID", InputType::String, "fs-0123456789abcdef0")];
    let app = Container {
        ports: vec![PortMapping {
            name: Some("files-8080".into()),
            ..port(8080, None)
        }],
        health: Some(HealthCheck {
            command: HealthCommand::Exec(vec![lit("/bin/check"), lit("--quick")]),
            interval: 10,
            timeout: 2,
            retries: 5,
            start_period: 15,
            span: span(330),
        }),
        entry_point: Some(vec![lit("/app/entry.sh")]),
        command: Some(vec![lit("serve"), lit("--data=/data")]),
        working_directory: Some(lit("/app")),
        user: Some("1000:1000".into()),
        read_only_root: true,
        mounts: vec![
            Mount {
                volume: "data".into(),
                path: "/data".into(),
                read_only: false,
                span: span(370),
            },
            Mount {
                volume: "scratch".into(),
                path: "/scratch".into(),
                read_only: false,
                span: span(371),
            },
        ],
        ulimits: vec![Ulimit {
            name: "nofile".into(),
            soft: 65536,
            hard: 65536,
        }],
        labels: vec![("com.example.tier".into(), lit("storage"))],
        start_timeout: Some(120),
        stop_timeout: Some(30),
        ..container("files", lit("ghcr.io/acme/files:3.1"))
    };
    p.tasks = vec![Task {
        cpu: Some(1024),
        memory: Some(2048),
        task_role: Role::Arn(lit("arn:aws:iam::123456789012:role/files-task")),
        volumes: vec![
            Volume {
                name: "data".into(),
                kind: VolumeKind::Efs(EfsVolume {
                    file_system_id: Text {
                        parts: vec![TextPart::Input("FS_ID".into())],
                    },
                    root_directory: None,
                    transit_encryption: true,
                    transit_encryption_port: None,
                    access_point: Some(lit("fsap-0123456789abcdef0")),
                    iam: true,
                }),
                span: span(700),
            },
            Volume {
                name: "scratch".into(),
                kind: VolumeKind::Bind { host_path: None },
                span: span(710),
            },
        ],
        containers: vec![app],
        arch: Some(Arch::Arm64),
        os_family: None,
        ephemeral_storage_gib: Some(40),
        ..task("files", true)
    }];
    p
}

/// Every fixture program, by name.
pub fn all() -> Vec<(&'static str, Program)> {
    vec![
        ("fargate_web", fargate_web()),
        ("ec2_bridge", ec2_bridge()),
        ("daemon", daemon()),
        ("firelens", firelens()),
        ("efs", efs()),
    ]
}
