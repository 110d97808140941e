//! Hand-built `ir::Program`s for the CloudFormation backend tests, written
//! before the checker existed: each exercises a part of the backend (Fargate
//! behind an ALB with HTTPS and redirect, EC2 bridge and daemon services on an
//! existing VPC, a created private VPC with endpoints, NLB, discovery and
//! callers, and a 300-service program that must be split).

#![allow(dead_code)]

use wharf::diag::Span;
use wharf::ir::*;

// The container-level builders are the ECS tests' (one copy of each).
#[path = "../common/ecs_programs.rs"]
mod ecs_programs;
pub use ecs_programs::{awslogs, container, port};

fn sp() -> Span {
    Span::default()
}

fn t(s: &str) -> Text {
    Text::lit(s)
}

fn input_text(name: &str) -> Text {
    Text {
        parts: vec![TextPart::Input(name.into())],
    }
}

pub fn fargate_task(name: &str, cpu: u32, memory: u32, containers: Vec<Container>) -> Task {
    let groups: Vec<Text> = containers
        .iter()
        .filter_map(|c| c.log.as_ref().and_then(|l| l.group.clone()))
        .map(|g| t(&g))
        .collect();
    Task {
        name: name.into(),
        family: name.into(),
        network_mode: NetworkMode::Awsvpc,
        compatibilities: vec![Compatibility::Fargate],
        requires_compatibilities: true,
        cpu: Some(cpu),
        memory: Some(memory),
        execution_role: Role::Generated,
        task_role: Role::Generated,
        execution_needs: ExecutionNeeds {
            log_groups: groups,
            ..ExecutionNeeds::default()
        },
        permissions: vec![],
        volumes: vec![],
        containers,
        arch: Some(Arch::X86_64),
        os_family: None,
        ephemeral_storage_gib: None,
        tags: vec![],
        settings: Default::default(),
        span: sp(),
    }
}

pub fn health(path: Option<&str>) -> TargetHealth {
    TargetHealth {
        path: path.map(str::to_string),
        interval: 30,
        timeout: 5,
        healthy_threshold: 3,
        unhealthy_threshold: 3,
        matcher: "200-399".into(),
    }
}

pub fn exposure(lb: &str, container: &str, port: u16, paths: &[&str], priority: u32) -> Exposure {
    Exposure {
        load_balancer: lb.into(),
        container: container.into(),
        container_port: port,
        listeners: vec![],
        paths: paths.iter().map(|s| s.to_string()).collect(),
        hosts: vec![],
        priority,
        health: health(Some("/health")),
        deregistration_delay: 30,
        target_group_arn: None,
        traffic: Default::default(),
        span: sp(),
    }
}

pub fn rolling() -> Deployment {
    Deployment {
        strategy: DeploymentStrategy::Rolling,
        minimum_healthy_percent: 100,
        maximum_percent: 200,
        circuit_breaker: Some(CircuitBreaker { rollback: true }),
        bake_time_minutes: None,
        hooks: Vec::new(),
        alarms: None,
    }
}

pub fn service(name: &str, cluster: &str, task: &str) -> Service {
    Service {
        name: name.into(),
        cluster: cluster.into(),
        task: task.into(),
        scheduling: Scheduling::Replica,
        desired_count: Some(2),
        launch: Launch::Type(Compatibility::Fargate),
        platform_version: Some("LATEST".into()),
        network: Some(ServiceNetwork {
            network: Some("main".into()),
            subnets: None,
            security_groups: vec![],
            public_ip: false,
        }),
        exposures: vec![],
        deployment: rolling(),
        placement_strategies: vec![],
        placement_constraints: vec![],
        discovery: None,
        connect: None,
        grace_period: None,
        autoscale: None,
        queue: None,
        callers: vec![],
        egress: vec![],
        execute_command: false,
        tags: vec![],
        span: sp(),
    }
}

fn cluster(name: &str, network: Option<&str>) -> Cluster {
    Cluster {
        name: name.into(),
        network: network.map(str::to_string),
        capacity_providers: vec![CapacityProvider::Fargate, CapacityProvider::FargateSpot],
        default_strategy: vec![
            StrategyItem {
                provider: "FARGATE".into(),
                weight: 1,
                base: 1,
            },
            StrategyItem {
                provider: "FARGATE_SPOT".into(),
                weight: 3,
                base: 0,
            },
        ],
        insights: Insights::Enabled,
        span: sp(),
    }
}

fn created_network(name: &str, azs: u8, nat: NatMode, endpoints: Vec<VpcEndpoint>) -> Network {
    Network {
        name: name.into(),
        kind: NetworkKind::Created(CreatedVpc {
            cidr: "10.0.0.0/16".into(),
            azs,
            nat,
            endpoints,
        }),
        span: sp(),
    }
}

fn alb(name: &str, https: bool) -> LoadBalancer {
    let mut listeners = vec![Listener {
        port: 80,
        protocol: ListenerProtocol::Http,
        certificate: None,
        redirect_to: https.then_some(443),
        span: sp(),
    }];
    if https {
        listeners.push(Listener {
            port: 443,
            protocol: ListenerProtocol::Https,
            certificate: Some(t(
                "arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666",
            )),
            redirect_to: None,
            span: sp(),
        });
    }
    LoadBalancer {
        name: name.into(),
        kind: LbKind::Alb,
        public: true,
        network: "main".into(),
        listeners,
        idle_timeout: Some(60),
        ingress: vec!["0.0.0.0/0".into()],
        span: sp(),
    }
}

fn string_input(name: &str, value: &str) -> Input {
    Input {
        name: name.into(),
        ty: InputType::String,
        default: Some(value.into()),
        value: value.into(),
        description: None,
        span: sp(),
        secret: None,
    }
}

fn log_group(name: &str) -> LogGroup {
    LogGroup {
        name: name.into(),
        retention_days: 30,
        span: sp(),
    }
}

/// A Fargate web API (blue/green) and a static site behind one public ALB with
/// HTTPS and an HTTP->HTTPS redirect, in a created VPC, scaled on cpu, memory
/// and requests.
pub fn fargate_web() -> Program {
    let repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web";
    let mut app = container(
        "app",
        Text {
            parts: vec![
                TextPart::Lit(format!("{repo}:")),
                TextPart::Input("IMAGE_TAG".into()),
            ],
        },
    );
    app.ports = vec![port(3000, None)];
    app.environment = vec![("NODE_ENV".into(), t("production"))];
    app.secrets = vec![Secret {
        name: "DB_PASSWORD".into(),
        source: SecretSource::SecretsManager {
            arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf".into(),
            json_key: Some("password".into()),
            version_stage: None,
            version_id: None,
        },
        kms_key: None,
        span: sp(),
    }];
    app.log = Some(awslogs("/ecs/web", "app"));
    app.health = Some(HealthCheck {
        command: HealthCommand::Shell(t("curl -f http://localhost:3000/health || exit 1")),
        interval: 30,
        timeout: 5,
        retries: 3,
        start_period: 60,
        span: sp(),
    });
    app.read_only_root = true;
    let mut web = fargate_task("web", 256, 512, vec![app]);
    web.execution_needs.ecr_repositories =
        vec![t("arn:aws:ecr:us-east-1:123456789012:repository/web")];
    web.execution_needs.secrets =
        vec!["arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf".into()];
    web.permissions = vec![Permission {
        actions: vec!["s3:GetObject".into()],
        resources: vec![t("arn:aws:s3:::my-assets/*")],
        span: sp(),
    }];
    let mut site_c = container("nginx", t("public.ecr.aws/nginx/nginx:1.27"));
    site_c.ports = vec![port(80, None)];
    site_c.log = Some(awslogs("/ecs/site", "nginx"));
    let mut site_task = fargate_task("site", 256, 512, vec![site_c]);
    site_task.task_role = Role::None;

    let mut api = service("api", "prod", "web");
    api.desired_count = Some(3);
    api.launch = Launch::ClusterDefault;
    api.platform_version = None;
    api.exposures = vec![exposure("public", "app", 3000, &["/api/*"], 1)];
    api.grace_period = Some(60);
    api.deployment.strategy = DeploymentStrategy::BlueGreen;
    api.deployment.bake_time_minutes = Some(15);
    api.autoscale = Some(Box::new(AutoScale {
        min: 2,
        max: 10,
        targets: vec![
            ScalingTarget {
                metric: ScalingMetric::Cpu,
                value: 70.0,
            },
            ScalingTarget {
                metric: ScalingMetric::Memory,
                value: 80.0,
            },
            ScalingTarget {
                metric: ScalingMetric::Requests,
                value: 1000.0,
            },
        ],
        scale_in_cooldown: 300,
        scale_out_cooldown: 60,
        backlog: None,
        span: sp(),
    }));
    let mut site = service("site", "prod", "site");
    site.exposures = vec![exposure("public", "nginx", 80, &[], 2)];
    Program {
        name: "fargate-web".into(),
        region: Some("us-east-1".into()),
        account: None,
        inputs: vec![string_input("IMAGE_TAG", "1.4.2")],
        networks: vec![created_network("main", 2, NatMode::Single, vec![])],
        clusters: vec![cluster("prod", Some("main"))],
        load_balancers: vec![alb("public", true)],
        tasks: vec![web, site_task],
        services: vec![api, site],
        log_groups: vec![log_group("/ecs/web"), log_group("/ecs/site")],
        namespaces: vec![],
        jobs: Vec::new(),
        schedules: Vec::new(),
    }
}

/// EC2 capacity in an existing VPC given as parameters: a bridge-mode service
/// with a dynamic host port behind an HTTP ALB, registered in Cloud Map (SRV),
/// and a host-mode daemon.
pub fn ec2_bridge() -> Program {
    let mut legacy_c = container("legacy", t("public.ecr.aws/docker/library/httpd:2.4"));
    legacy_c.memory = Some(512);
    legacy_c.cpu = Some(256);
    legacy_c.ports = vec![port(80, Some(0))];
    legacy_c.log = Some(awslogs("/ecs/legacy", "legacy"));
    let mut legacy_t = fargate_task("legacy", 256, 512, vec![legacy_c]);
    legacy_t.network_mode = NetworkMode::Bridge;
    legacy_t.compatibilities = vec![Compatibility::Ec2];
    legacy_t.cpu = None;
    legacy_t.memory = None;
    legacy_t.task_role = Role::Arn(t("arn:aws:iam::123456789012:role/legacy-app"));
    let mut agent_c = container("agent", t("public.ecr.aws/datadog/agent:7"));
    agent_c.memory = Some(256);
    agent_c.ports = vec![port(8125, Some(8125))];
    agent_c.ports[0].protocol = Protocol::Udp;
    agent_c.log = Some(LogConfig {
        driver: LogDriver::JsonFile,
        options: vec![("max-size".into(), t("10m"))],
        secret_options: vec![],
        group: None,
        retention_days: None,
        span: sp(),
    });
    let mut agent_t = fargate_task("agent", 256, 512, vec![agent_c]);
    agent_t.network_mode = NetworkMode::Host;
    agent_t.compatibilities = vec![Compatibility::Ec2];
    agent_t.cpu = None;
    agent_t.memory = None;
    agent_t.execution_role = Role::None;
    agent_t.task_role = Role::None;

    let mut legacy = service("legacy", "ec2", "legacy");
    legacy.launch = Launch::Strategy(vec![StrategyItem {
        provider: "workers".into(),
        weight: 1,
        base: 0,
    }]);
    legacy.platform_version = None;
    legacy.network = None;
    let mut e = exposure("web", "legacy", 80, &[], 1);
    e.health = health(Some("/"));
    legacy.exposures = vec![e];
    legacy.placement_strategies = vec![
        PlacementStrategy {
            kind: PlacementKind::Spread,
            field: Some("attribute:ecs.availability-zone".into()),
        },
        PlacementStrategy {
            kind: PlacementKind::Binpack,
            field: Some("memory".into()),
        },
    ];
    legacy.placement_constraints = vec![PlacementConstraint::MemberOf(
        "attribute:ecs.instance-type =~ t3.*".into(),
    )];
    legacy.discovery = Some(Box::new(Discovery {
        name: "legacy".into(),
        namespace: "corp.local".into(),
        registry_arn: None,
        ttl: 10,
    }));
    legacy.deployment.minimum_healthy_percent = 50;
    let mut agent = service("agent", "ec2", "agent");
    agent.scheduling = Scheduling::Daemon;
    agent.desired_count = None;
    agent.launch = Launch::Type(Compatibility::Ec2);
    agent.platform_version = None;
    agent.network = None;
    agent.placement_constraints = vec![PlacementConstraint::DistinctInstance];
    agent.deployment.minimum_healthy_percent = 0;
    agent.deployment.maximum_percent = 100;
    agent.deployment.circuit_breaker = None;

    let mut lb = alb("web", false);
    lb.network = "corp".into();
    Program {
        name: "ec2-bridge".into(),
        region: Some("us-east-1".into()),
        account: None,
        inputs: vec![
            Input {
                name: "VPC_ID".into(),
                ty: InputType::VpcId,
                default: None,
                value: "vpc-0123456789abcdef0".into(),
                description: Some("VPC to run in".into()),
                span: sp(),
                secret: None,
            },
            Input {
                name: "PUBLIC_SUBNETS".into(),
                ty: InputType::SubnetIds,
                default: None,
                value: "subnet-0aaaaaaaaaaaaaaa1,subnet-0aaaaaaaaaaaaaaa2".into(),
                description: None,
                span: sp(),
                secret: None,
            },
            Input {
                name: "PRIVATE_SUBNETS".into(),
                ty: InputType::SubnetIds,
                default: None,
                value: "subnet-0bbbbbbbbbbbbbbb1,subnet-0bbbbbbbbbbbbbbb2".into(),
                description: None,
                span: sp(),
                secret: None,
            },
            string_input(
                "ASG_ARN",
                "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:11111111-2222-3333-4444-555555555555:autoScalingGroupName/workers",
            ),
            string_input("UNUSED", "x"),
        ],
        networks: vec![Network {
            name: "corp".into(),
            kind: NetworkKind::Existing {
                vpc: input_text("VPC_ID"),
                public_subnets: SubnetRef::Input("PUBLIC_SUBNETS".into()),
                private_subnets: SubnetRef::Input("PRIVATE_SUBNETS".into()),
            },
            span: sp(),
        }],
        clusters: vec![Cluster {
            name: "ec2".into(),
            network: Some("corp".into()),
            capacity_providers: vec![CapacityProvider::Ec2(Ec2CapacityProvider {
                name: "workers".into(),
                auto_scaling_group: input_text("ASG_ARN"),
                target_capacity: Some(90),
                managed_termination_protection: false,
            created: None,
            })],
            default_strategy: vec![StrategyItem {
                provider: "workers".into(),
                weight: 1,
                base: 0,
            }],
            insights: Insights::Enhanced,
            span: sp(),
        }],
        load_balancers: vec![lb],
        tasks: vec![legacy_t, agent_t],
        services: vec![legacy, agent],
        log_groups: vec![log_group("/ecs/legacy")],
        namespaces: vec![Namespace {
            name: "corp.local".into(),
            network: Some("corp".into()),
        }],
        jobs: Vec::new(),
        schedules: Vec::new(),
    }
}

/// A created VPC over 3 zones with a NAT per zone and every endpoint, an
/// internal NLB, Cloud Map (A records), a worker calling the orders service,
/// SSM and KMS secrets, EFS with IAM, ECS Exec.
pub fn private_network() -> Program {
    let mut orders_c = container(
        "orders",
        t("123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:2.0"),
    );
    orders_c.ports = vec![port(8080, None)];
    orders_c.log = Some(awslogs("/ecs/orders", "orders"));
    orders_c.secrets = vec![Secret {
        name: "API_KEY".into(),
        source: SecretSource::Ssm {
            parameter: "/orders/api-key".into(),
        },
        kms_key: Some(
            "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555".into(),
        ),
        span: sp(),
    }];
    orders_c.mounts = vec![Mount {
        volume: "data".into(),
        path: "/data".into(),
        read_only: false,
        span: sp(),
    }];
    let mut orders_t = fargate_task("orders", 512, 1024, vec![orders_c]);
    orders_t.execution_needs.ecr_repositories =
        vec![t("arn:aws:ecr:us-east-1:123456789012:repository/orders")];
    orders_t.execution_needs.parameters = vec!["/orders/api-key".into()];
    orders_t.execution_needs.kms_keys =
        vec!["arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555".into()];
    orders_t.volumes = vec![Volume {
        name: "data".into(),
        kind: VolumeKind::Efs(EfsVolume {
            file_system_id: t("fs-0123456789abcdef0"),
            root_directory: None,
            transit_encryption: true,
            transit_encryption_port: None,
            access_point: Some(t("fsap-0123456789abcdef0")),
            iam: true,
        }),
        span: sp(),
    }];
    orders_t.arch = Some(Arch::Arm64);
    let mut worker_c = container("worker", t("public.ecr.aws/docker/library/busybox:1.36"));
    worker_c.command = Some(vec![t("sh"), t("-c"), t("while true; do sleep 60; done")]);
    worker_c.log = Some(awslogs("/ecs/worker", "worker"));
    let worker_t = fargate_task("worker", 256, 512, vec![worker_c]);

    let mut orders = service("orders", "core", "orders");
    let mut e = exposure("internal", "orders", 8080, &[], 1);
    e.health = health(None);
    e.health.interval = 10;
    e.health.timeout = 10;
    orders.exposures = vec![e];
    orders.discovery = Some(Box::new(Discovery {
        name: "orders".into(),
        namespace: "internal".into(),
        registry_arn: None,
        ttl: 15,
    }));
    orders.callers = vec![Caller {
        service: "worker".into(),
        ports: vec![8080],
        span: sp(),
    }];
    orders.execute_command = true;
    orders.tags = vec![("team".into(), t("orders"))];
    let mut worker = service("worker", "core", "worker");
    worker.desired_count = Some(1);
    worker.egress = vec![EgressRule {
        cidr: "10.0.0.0/16".into(),
        port: Some(8080),
        protocol: Protocol::Tcp,
    }];
    worker.deployment.strategy = DeploymentStrategy::Canary {
        percent: 10,
        interval_minutes: 5,
    };
    worker.deployment.bake_time_minutes = Some(10);
    Program {
        name: "private-network".into(),
        region: Some("us-east-1".into()),
        account: None,
        inputs: vec![],
        networks: vec![created_network(
            "main",
            3,
            NatMode::PerAz,
            vec![
                VpcEndpoint::Ecr,
                VpcEndpoint::S3,
                VpcEndpoint::Logs,
                VpcEndpoint::SecretsManager,
                VpcEndpoint::Ssm,
            ],
        )],
        clusters: vec![cluster("core", Some("main"))],
        load_balancers: vec![LoadBalancer {
            name: "internal".into(),
            kind: LbKind::Nlb,
            public: false,
            network: "main".into(),
            listeners: vec![Listener {
                port: 8080,
                protocol: ListenerProtocol::Tcp,
                certificate: None,
                redirect_to: None,
                span: sp(),
            }],
            idle_timeout: None,
            ingress: vec!["10.0.0.0/16".into()],
            span: sp(),
        }],
        tasks: vec![orders_t, worker_t],
        services: vec![orders, worker],
        log_groups: vec![log_group("/ecs/orders"), log_group("/ecs/worker")],
        namespaces: vec![Namespace {
            name: "internal".into(),
            network: Some("main".into()),
        }],
        jobs: Vec::new(),
        schedules: Vec::new(),
    }
}

/// `n` load-balanced Fargate services, each with its own task and log group,
/// behind one ALB: past CloudFormation's limits from about 45 services on.
pub fn many_services(name: &str, n: usize) -> Program {
    let mut p = fargate_web();
    p.name = name.into();
    p.clusters[0].name = name.into();
    p.tasks.clear();
    p.services.clear();
    p.log_groups.clear();
    for i in 0..n {
        let svc = format!("svc{i:03}");
        let group = format!("/ecs/{name}/{svc}");
        let mut c = container("app", t("public.ecr.aws/nginx/nginx:1.27"));
        c.ports = vec![port(8080, None)];
        c.log = Some(awslogs(&group, "app"));
        p.tasks.push(fargate_task(&svc, 256, 512, vec![c]));
        let mut s = service(&svc, name, &svc);
        s.exposures = vec![exposure(
            "public",
            "app",
            8080,
            &[&format!("/{svc}/*")],
            i as u32 + 1,
        )];
        if i > 0 {
            s.callers = vec![Caller {
                service: format!("svc{:03}", i - 1),
                ports: vec![],
                span: sp(),
            }];
        }
        p.services.push(s);
        p.log_groups.push(log_group(&group));
    }
    p
}
