//! The properties of every block (see the module above): one `properties!`
//! per block part, in the order of the reference tables of
//! docs/language.md, which `tests/docs_reference.rs` checks against these.

use super::{Id, Kind, Property, BOOL, OS_FAMILIES};

properties! {
    Top => TOP {
        Stack: "stack" {
            takes: "a string: 1-128 letters, digits, `-`, starting with a letter",
            default: "the file stem, made valid",
            becomes: "the CloudFormation stack name",
            example: "stack \"my-app\"",
            fills: Some("the CloudFormation stack name"),
        },
        Region: "region" {
            takes: "a string",
            default: "`AWS_REGION` of the environment",
            becomes: "`awslogs-region` of awslogs options, and the region of generated ARNs",
            example: "region \"us-east-1\"",
            fills: Some("the region of awslogs options and generated ARNs"),
        },
        Account: "account" {
            takes: "a string of 12 digits",
            default: "none",
            becomes: "ECS JSON target: the generated execution role is `arn:aws:iam::ACCOUNT:role/ecsTaskExecutionRole`",
            example: "account \"123456789012\"",
        },
        Import: "import" {
            takes: "a path string, relative to this file",
            default: "none",
            becomes: "nothing by itself: the file's declarations join the program",
            example: "import \"common.wharf\"",
        },
        Let: "let" {
            takes: "`NAME = value` (any value)",
            default: "none",
            becomes: "nothing by itself: the value, where `NAME` or `${NAME}` is used",
            example: "let registry = \"1234.dkr.ecr.us-east-1.amazonaws.com\"",
        },
        Input: "input" {
            takes: "`NAME: TYPE [= default]` and an optional `{ description \"...\" }`; types `string`, `int`, `bool`, `vpc_id`, `subnets`, `security_groups`",
            default: "required when it has no default",
            becomes: "CloudFormation: a `Parameters` entry (`NoEcho` for a secret input); ECS JSON and local: its value",
            example: "input IMAGE_TAG: string = \"latest\"",
            fills: Some("a CloudFormation `Parameters` entry"),
            opens: Some(Id::Input),
        },
        Template: "template" {
            takes: "`NAME { param ...; statements }`",
            default: "none",
            becomes: "nothing by itself: its statements where it is `use`d",
            example: "template sized { param cpu: cpu = 0.5vcpu; cpu cpu }",
            opens: Some(Id::Template),
        },
        Use: "use" {
            takes: "a template call `NAME(arg: value, ...)` or `std.NAME(...)`",
            default: "none",
            becomes: "the template's statements, in its place",
            example: "use std.web_service(name: api, cluster: prod, lb: edge, image: \"api:1\")",
        },
        Environment: "environment" {
            takes: "`NAME { overrides }`",
            default: "none",
            becomes: "applied only with `--env NAME`",
            example: "environment prod { service api { count 6 } }",
            opens: Some(Id::Environment),
        },
        Network: "network" {
            takes: "`NAME { ... }`",
            default: "none",
            becomes: "`AWS::EC2::VPC`, subnets, NAT and endpoints (or existing IDs)",
            example: "network main { vpc VPC_ID; private_subnets PRIVATE }",
            fills: Some("`AWS::EC2::VPC` and subnets (or existing IDs)"),
            opens: Some(Id::Network),
            declares: Some(Kind::Network),
        },
        Cluster: "cluster" {
            takes: "`NAME { ... }`",
            default: "none",
            becomes: "`AWS::ECS::Cluster` / CreateCluster",
            example: "cluster prod { insights on }",
            fills: Some("`AWS::ECS::Cluster` / CreateCluster"),
            opens: Some(Id::Cluster),
            declares: Some(Kind::Cluster),
        },
        Alb: "alb" {
            takes: "`NAME { ... }`",
            default: "none",
            becomes: "`AWS::ElasticLoadBalancingV2::LoadBalancer` (`Type: application`), its security group and listeners",
            example: "alb web { public; listener 80 http }",
            fills: Some("`AWS::ElasticLoadBalancingV2::LoadBalancer`"),
            opens: Some(Id::LoadBalancer),
            declares: Some(Kind::LoadBalancer),
        },
        Nlb: "nlb" {
            takes: "`NAME { ... }`",
            default: "none",
            becomes: "`AWS::ElasticLoadBalancingV2::LoadBalancer` (`Type: network`) and its listeners",
            example: "nlb db { listener 5432 tcp }",
            fills: Some("`AWS::ElasticLoadBalancingV2::LoadBalancer`"),
            opens: Some(Id::LoadBalancer),
            declares: Some(Kind::LoadBalancer),
        },
        Task: "task" {
            takes: "`NAME { ... }`",
            default: "none",
            becomes: "`AWS::ECS::TaskDefinition` / RegisterTaskDefinition",
            example: "task web { cpu 256; memory 512MiB; container app { image \"web:1\" } }",
            fills: Some("`AWS::ECS::TaskDefinition` / RegisterTaskDefinition"),
            opens: Some(Id::Task),
            declares: Some(Kind::Task),
        },
        Service: "service" {
            takes: "`NAME [in CLUSTER] { ... }`",
            default: "the only cluster",
            becomes: "`AWS::ECS::Service` / CreateService",
            example: "service api in prod { task web; count 2 }",
            fills: Some("`AWS::ECS::Service` / CreateService"),
            opens: Some(Id::Service),
            declares: Some(Kind::Service),
        },
        Job: "job" {
            takes: "`NAME [in CLUSTER] { ... }`: a task run to completion on demand",
            default: "the only cluster",
            becomes: "RunTask (`run_tasks/NAME.json`); an output of the stack; `wharf run FILE NAME` locally",
            example: "job migrate in prod { task web; override app { command [\"migrate\"] } }",
            fills: Some("RunTask / `wharf run`"),
            opens: Some(Id::Job),
            declares: Some(Kind::Job),
        },
        Schedule: "schedule" {
            takes: "`NAME { job JOB; cron \"...\" | rate D | at \"...\" }`",
            default: "none",
            becomes: "`AWS::Scheduler::Schedule` and its role / CreateSchedule; fired by `wharf up`",
            example: "schedule nightly { job report; cron \"0 3 * * ? *\" }",
            fills: Some("`AWS::Scheduler::Schedule` / CreateSchedule"),
            opens: Some(Id::Schedule),
            declares: Some(Kind::Schedule),
        },
    }
}

properties! {
    Input => INPUT {
        Description: "description" {
            takes: "a string",
            default: "none",
            becomes: "the CloudFormation parameter's `Description`",
            example: "input IMAGE_TAG: string = \"latest\" { description \"image tag to deploy\" }",
        },
    }
}

properties! {
    Network => NETWORK {
        Vpc: "vpc" {
            takes: "a `vpc-...` string or a `vpc_id` input",
            default: "none; a network has `vpc` or `cidr`",
            becomes: "the `VpcId` of the security groups and target groups Wharf creates",
            example: "vpc \"vpc-0abc1234\"",
        },
        PublicSubnets: "public_subnets" {
            takes: "a list of subnet IDs or a `subnets` input",
            default: "the private subnets",
            becomes: "the `Subnets` of a public load balancer (and of tasks with `public_ip on`)",
            example: "public_subnets [\"subnet-1\", \"subnet-2\"]",
        },
        PrivateSubnets: "private_subnets" {
            takes: "a list of subnet IDs or a `subnets` input",
            default: "the public subnets",
            becomes: "`networkConfiguration.awsvpcConfiguration.subnets` of its services; the `Subnets` of an internal load balancer",
            example: "private_subnets PRIVATE",
        },
        Cidr: "cidr" {
            takes: "an IPv4 CIDR string, `/16` to `/28`",
            default: "none; a network has `vpc` or `cidr`",
            becomes: "`AWS::EC2::VPC` `CidrBlock`; the subnets are carved from it",
            example: "cidr \"10.0.0.0/16\"",
        },
        Azs: "azs" {
            takes: "`2` or `3`",
            default: "`2`",
            becomes: "one public and one private `AWS::EC2::Subnet` per availability zone",
            example: "azs 3",
        },
        Nat: "nat" {
            takes: "`none`, `single` or `per_az`",
            default: "`single`",
            becomes: "`AWS::EC2::NatGateway`: none, one, or one per availability zone",
            example: "nat per_az",
            choices: &["none", "single", "per_az"],
        },
        Endpoints: "endpoints" {
            takes: "a list of `ecr`, `s3`, `logs`, `secretsmanager`, `ssm`",
            default: "none",
            becomes: "one `AWS::EC2::VPCEndpoint` each (`ecr`: the `ecr.api` and `ecr.dkr` interfaces)",
            example: "endpoints [ecr, s3, logs]",
            choices: &["ecr", "s3", "logs", "secretsmanager", "ssm"],
        },
    }
}

properties! {
    Cluster => CLUSTER {
        Capacity: "capacity" {
            takes: "`FARGATE` or `FARGATE_SPOT`, or `NAME asg ARN [target P%] [protect]` for an existing EC2 group, or `NAME { ... }` for EC2 capacity Wharf creates (below); `weight N`, `base N`",
            default: "no strategy (ECS's default); `weight 1`, `base 0`",
            becomes: "`DefaultCapacityProviderStrategy[]` (CreateCluster `defaultCapacityProviderStrategy`); an EC2 one also `AWS::ECS::CapacityProvider` with managed scaling (created: also its launch template, auto scaling group, instance role and security group)",
            example: "capacity FARGATE_SPOT weight 70",
            fills: Some("`defaultCapacityProviderStrategy`"),
            choices: &["FARGATE", "FARGATE_SPOT"],
            named: true,
            opens: Some(Id::Capacity),
        },
        Insights: "insights" {
            takes: "`on`, `off` or `enhanced`",
            default: "`off`",
            becomes: "`ClusterSettings` / `settings[]` `containerInsights`",
            example: "insights enhanced",
            fills: Some("`settings[containerInsights]`"),
            choices: &["on", "off", "enhanced", "enabled", "disabled"],
        },
        Network: "network" {
            takes: "a network name",
            default: "none",
            becomes: "nothing by itself: the network of its services that name none",
            example: "network main",
        },
    }
}

properties! {
    LoadBalancer => LOAD_BALANCER {
        Public: "public" {
            takes: "a flag",
            default: "internal",
            becomes: "`Scheme: internet-facing`, in the network's public subnets",
            example: "public",
        },
        Internal: "internal" {
            takes: "a flag",
            default: "internal",
            becomes: "`Scheme: internal`, in the network's private subnets",
            example: "internal",
        },
        Network: "network" {
            takes: "a network name",
            default: "the only network",
            becomes: "the load balancer's `Subnets` and its security group's VPC",
            example: "network main",
        },
        Listener: "listener" {
            takes: "`PORT [http|https|tcp|tls|udp] [cert ARN] [redirect PORT]`; at least one",
            default: "protocol: an ALB's 443 `https`, other ALB ports `http`, an NLB's `tcp`",
            becomes: "`AWS::ElasticLoadBalancingV2::Listener` (`Port`, `Protocol`, `Certificates`, a redirect or forward action)",
            example: "listener 443 https cert CERT_ARN",
            choices: &["http", "https", "tcp", "udp", "tls"],
            named: true,
        },
        IdleTimeout: "idle_timeout" {
            takes: "a duration",
            default: "ELB's 60 s (not written)",
            becomes: "`LoadBalancerAttributes` `idle_timeout.timeout_seconds`",
            example: "idle_timeout 120s",
        },
        Allow: "allow" {
            takes: "a list of CIDR strings",
            default: "`[\"0.0.0.0/0\"]` when public, none when internal",
            becomes: "the ingress rules of the load balancer's security group, on its listener ports",
            example: "allow [\"10.0.0.0/8\"]",
        },
    }
}

properties! {
    Task => TASK {
        Family: "family" {
            takes: "a string: 1-255 letters, digits, `-`, `_`",
            default: "the task's name",
            becomes: "`family`",
            example: "family \"web\"",
            fills: Some("`family`"),
        },
        Cpu: "cpu" {
            takes: "a CPU amount (`256`, `0.25vcpu`)",
            default: "none (required on Fargate, which takes AWS's cpu/memory pairs)",
            becomes: "`cpu` (CPU units)",
            example: "cpu 0.5vcpu",
            fills: Some("`cpu` (CPU units, 1024 = 1 vCPU)"),
        },
        Memory: "memory" {
            takes: "a size (`512MiB`, `2GiB`)",
            default: "none (required on Fargate)",
            becomes: "`memory` (MiB)",
            example: "memory 1GiB",
            fills: Some("`memory` (MiB)"),
        },
        Network: "network" {
            takes: "`awsvpc`, `bridge`, `host` or `none`",
            default: "`awsvpc`",
            becomes: "`networkMode`",
            example: "network bridge",
            fills: Some("`networkMode`"),
            ecs: "networkMode",
            choices: &["awsvpc", "bridge", "host", "none", "default"],
        },
        Compat: "compat" {
            takes: "`fargate`, `ec2` or `external`, and `unlisted` with `ec2`",
            default: "`fargate` for `awsvpc`, else `ec2`",
            becomes: "`requiresCompatibilities` (left out for a default `ec2` or `unlisted`)",
            example: "compat ec2",
            fills: Some("`requiresCompatibilities`"),
            ecs: "requiresCompatibilities",
            choices: &["fargate", "ec2", "external"],
        },
        ExecutionRole: "execution_role" {
            takes: "a role ARN or role name",
            default: "generated, with what the containers need (ECR pulls, logs, secrets)",
            becomes: "`executionRoleArn`",
            example: "execution_role \"arn:aws:iam::123456789012:role/exec\"",
            fills: Some("`executionRoleArn`"),
            ecs: "executionRoleArn",
        },
        TaskRole: "task_role" {
            takes: "a role ARN or role name",
            default: "generated from `allow`; none without `allow`",
            becomes: "`taskRoleArn`",
            example: "task_role \"app-role\"",
            fills: Some("`taskRoleArn`"),
            ecs: "taskRoleArn",
        },
        Allow: "allow" {
            takes: "`[ACTIONS] on [RESOURCES]`, both non-empty lists",
            default: "none",
            becomes: "a statement (`Effect: Allow`) of the generated task role's policy",
            example: "allow [\"s3:GetObject\"] on [\"arn:aws:s3:::bucket/*\"]",
            fills: Some("a statement of the generated task role's policy"),
        },
        Volume: "volume" {
            takes: "`NAME efs FS_ID [root PATH] [access_point ID] [iam] [encrypt on|off] [encrypt_port N]`, `NAME fsx FS_ID root SHARE credentials ARN domain DOMAIN` (Windows), `NAME bind [host PATH]`, or `NAME docker [scope task|shared] [autoprovision] [driver NAME]` with a block (below)",
            default: "EFS transit encryption on, its port chosen by the EFS mount helper; a bind volume is task-scoped",
            becomes: "`volumes[]` (`efsVolumeConfiguration`, `fsxWindowsFileServerVolumeConfiguration`, `host` or `dockerVolumeConfiguration`; a docker volume is refused on Fargate, E0471)",
            example: "volume data efs \"fs-12345678\" iam",
            fills: Some("`volumes[]`"),
            ecs: "volumes",
            choices: &["efs", "fsx", "bind", "docker"],
            named: true,
            opens: Some(Id::DockerVolume),
        },
        Arch: "arch" {
            takes: "`x86_64` or `arm64`",
            default: "none (ECS's x86_64)",
            becomes: "`runtimePlatform.cpuArchitecture`",
            example: "arch arm64",
            fills: Some("`runtimePlatform.cpuArchitecture`"),
            ecs: "cpuArchitecture",
            choices: &["x86_64", "arm64"],
        },
        Os: "os" {
            takes: "`linux` or a `windows_server_*` family",
            default: "none (ECS's Linux)",
            becomes: "`runtimePlatform.operatingSystemFamily`",
            example: "os windows_server_2022_core",
            fills: Some("`runtimePlatform.operatingSystemFamily`"),
            ecs: "operatingSystemFamily",
            choices: OS_FAMILIES,
        },
        Storage: "storage" {
            takes: "a size from 21 to 200 GiB",
            default: "Fargate's 20 GiB",
            becomes: "`ephemeralStorage.sizeInGiB`",
            example: "storage 40GiB",
            fills: Some("`ephemeralStorage.sizeInGiB`"),
            ecs: "sizeInGiB",
        },
        Tag: "tag" {
            takes: "`KEY = \"value\"`",
            default: "none",
            becomes: "`tags[]`",
            example: "tag team = \"core\"",
            fills: Some("`tags[]`"),
            ecs: "tags",
            named: true,
        },
    }
}

properties! {
    Pattern => PATTERN {
        Container: "container" {
            takes: "`NAME { ... }` or `NAME = TEMPLATE(...) { ... }`",
            default: "essential",
            becomes: "`containerDefinitions[]`",
            example: "container app { image \"web:1\" }",
            fills: Some("`containerDefinitions[]`"),
            named: true,
            opens: Some(Id::Container),
        },
        Sidecar: "sidecar" {
            takes: "like `container`",
            default: "not essential; starts after the first app container starts",
            becomes: "`containerDefinitions[]` with `dependsOn` `START`",
            example: "sidecar agent { image \"datadog/agent:7\" }",
            fills: Some("`containerDefinitions[]`"),
            named: true,
            opens: Some(Id::Container),
        },
        Ambassador: "ambassador" {
            takes: "`NAME for CONTAINER { ... }`",
            default: "essential; waits for its container to be `HEALTHY`",
            becomes: "`containerDefinitions[]` with `dependsOn` `HEALTHY`",
            example: "ambassador proxy for app { image \"envoyproxy/envoy:v1.31\" }",
            fills: Some("`containerDefinitions[]`"),
            named: true,
            opens: Some(Id::Container),
        },
        Init: "init" {
            takes: "like `container`",
            default: "not essential; every app container waits for its `SUCCESS`",
            becomes: "`containerDefinitions[]`, and `dependsOn` `SUCCESS` on the app containers",
            example: "init migrate { image \"app:1\"; command [\"migrate\"] }",
            fills: Some("`containerDefinitions[]`"),
            named: true,
            opens: Some(Id::Container),
        },
        LogRouter: "log_router" {
            takes: "like `container`",
            default: "essential; image `public.ecr.aws/aws-observability/aws-for-fluent-bit:stable`; FireLens loggers wait for its `START`",
            becomes: "`containerDefinitions[]` with `firelensConfiguration`",
            example: "log_router router { firelens fluentbit }",
            fills: Some("`containerDefinitions[]`"),
            named: true,
            opens: Some(Id::Container),
        },
    }
}

properties! {
    TaskSetting => TASK_SETTING {
        Pid: "pid" {
            takes: "`host` or `task`",
            default: "none (each container its own namespace)",
            becomes: "`pidMode` (refused on Fargate for `host`, E0472)",
            example: "pid task",
            fills: Some("`pidMode`"),
            ecs: "pidMode",
            choices: &["host", "task"],
        },
        Ipc: "ipc" {
            takes: "`host`, `task` or `none`",
            default: "none (Docker's default)",
            becomes: "`ipcMode` (refused on Fargate, E0472)",
            example: "ipc none",
            fills: Some("`ipcMode`"),
            ecs: "ipcMode",
            choices: &["host", "task", "none"],
        },
        PlacementConstraint: "placement_constraint" {
            takes: "a cluster query expression (memberOf)",
            default: "none",
            becomes: "`placementConstraints[]` (EC2 only, E0472 on Fargate)",
            example: "placement_constraint \"attribute:ecs.instance-type =~ t3.*\"",
            fills: Some("`placementConstraints[]` (memberOf)"),
            ecs: "placementConstraints",
        },
        Proxy: "proxy" {
            takes: "`CONTAINER { NAME = \"value\" ... }`: `AppPorts`, `ProxyIngressPort`, `ProxyEgressPort`, `IgnoredUID` or `IgnoredGID`, and optionally `EgressIgnoredPorts`, `EgressIgnoredIPs`",
            default: "none",
            becomes: "`proxyConfiguration` (App Mesh, type APPMESH)",
            example: "proxy envoy { IgnoredUID = \"1337\"; AppPorts = \"8080\"; ProxyIngressPort = \"15000\"; ProxyEgressPort = \"15001\" }",
            fills: Some("`proxyConfiguration` (App Mesh)"),
            ecs: "proxyConfiguration",
        },
        FaultInjection: "fault_injection" {
            takes: "a flag",
            default: "off",
            becomes: "`enableFaultInjection`",
            example: "fault_injection",
            fills: Some("`enableFaultInjection`"),
            ecs: "enableFaultInjection",
        },
    }
}

properties! {
    Container => CONTAINER {
        Image: "image" {
            takes: "a string",
            default: "required (a `log_router`: the AWS for Fluent Bit image)",
            becomes: "`containerDefinitions[].image`",
            example: "image \"my-app:${IMAGE_TAG}\"",
            fills: Some("`containerDefinitions[].image`"),
        },
        Essential: "essential" {
            takes: "`on` or `off`",
            default: "on for `container`, `ambassador`, `log_router`; off for `sidecar`, `init`",
            becomes: "`containerDefinitions[].essential`",
            example: "essential off",
            fills: Some("`containerDefinitions[].essential`"),
            choices: BOOL,
        },
        Cpu: "cpu" {
            takes: "a CPU amount (`128`, `0.125vcpu`)",
            default: "none",
            becomes: "`containerDefinitions[].cpu` (CPU units)",
            example: "cpu 128",
            fills: Some("`containerDefinitions[].cpu` (CPU units)"),
        },
        Memory: "memory" {
            takes: "a size",
            default: "none",
            becomes: "`containerDefinitions[].memory` (MiB, hard limit)",
            example: "memory 256MiB",
            fills: Some("`containerDefinitions[].memory` (MiB, hard limit)"),
        },
        MemoryReservation: "memory_reservation" {
            takes: "a size, below `memory`",
            default: "none",
            becomes: "`containerDefinitions[].memoryReservation` (MiB, soft limit)",
            example: "memory_reservation 128MiB",
            fills: Some("`containerDefinitions[].memoryReservation` (MiB, soft limit)"),
            ecs: "memoryReservation",
        },
        Port: "port" {
            takes: "`PORT [tcp|udp] [host PORT] [name NAME] [app_protocol http|http2|grpc]`, or a range `FIRST..LAST [tcp|udp]` (`bridge` and `awsvpc` only)",
            default: "`tcp`; no host port: ECS uses the container port under `awsvpc` and `host`, a dynamic one under `bridge` (for a range: the same ports under `awsvpc`, free ephemeral ones under `bridge`)",
            becomes: "`containerDefinitions[].portMappings[]` (`containerPortRange` for a range)",
            example: "port 8125 udp",
            fills: Some("`containerDefinitions[].portMappings[]`"),
            ecs: "portMappings",
        },
        Env: "env" {
            takes: "`NAME [not_secret] = value`",
            default: "none",
            becomes: "`containerDefinitions[].environment[]`",
            example: "env NODE_ENV = \"production\"",
            fills: Some("`containerDefinitions[].environment[]`"),
            ecs: "environment",
            named: true,
        },
        Secret: "secret" {
            takes: "`NAME = secretsmanager(ARN[, key: K][, stage: S][, version: V][, kms: KEY])` or `ssm(NAME or ARN[, kms: KEY])`",
            default: "none",
            becomes: "`containerDefinitions[].secrets[]` (`valueFrom`), and read access for a generated execution role",
            example: "secret DB_PASSWORD = secretsmanager(DB_ARN, key: \"password\")",
            fills: Some("`containerDefinitions[].secrets[]`"),
            ecs: "secrets",
            named: true,
        },
        Health: "health" {
            takes: "a shell string or an exec list, or `raw` and a list written to ECS exactly (no `CMD` in front); `every D`, `timeout D`, `retries N`, `grace D`",
            default: "`every 30s timeout 5s retries 3 grace 0s`",
            becomes: "`containerDefinitions[].healthCheck` (`CMD-SHELL` for a string, `CMD` before a list)",
            example: "health \"curl -f http://localhost/ || exit 1\" every 15s",
            fills: Some("`containerDefinitions[].healthCheck`"),
            ecs: "healthCheck",
        },
        Logs: "logs" {
            takes: "a driver (`awslogs`, `firelens`, `fluentd`, `splunk`, `json-file`, `syslog`, `gelf`, `journald`); for awslogs `group`, `region`, `prefix`, `retention DAYS` (a CloudWatch Logs value); an option map",
            default: "none; `awslogs`: group `/ecs/<family>`, the program's region, prefix `ecs`",
            becomes: "`containerDefinitions[].logConfiguration` (and the log group, for awslogs)",
            example: "logs awslogs retention 90",
            fills: Some("`containerDefinitions[].logConfiguration`"),
            ecs: "logConfiguration",
            choices: &["awslogs", "firelens", "awsfirelens", "fluentd", "splunk", "json-file", "syslog", "gelf", "journald"],
        },
        Firelens: "firelens" {
            takes: "`fluentbit` or `fluentd`, and an option map",
            default: "none",
            becomes: "`containerDefinitions[].firelensConfiguration`",
            example: "firelens fluentbit { \"enable-ecs-log-metadata\" = \"true\" }",
            fills: Some("`containerDefinitions[].firelensConfiguration`"),
            ecs: "firelensConfiguration",
            choices: &["fluentbit", "fluentd"],
        },
        Command: "command" {
            takes: "a list of strings",
            default: "the image's",
            becomes: "`containerDefinitions[].command`",
            example: "command [\"npm\", \"start\"]",
            fills: Some("`containerDefinitions[].command`"),
        },
        Entrypoint: "entrypoint" {
            takes: "a list of strings",
            default: "the image's",
            becomes: "`containerDefinitions[].entryPoint`",
            example: "entrypoint [\"/docker-entrypoint.sh\"]",
            fills: Some("`containerDefinitions[].entryPoint`"),
            ecs: "entryPoint",
        },
        Workdir: "workdir" {
            takes: "a string",
            default: "the image's",
            becomes: "`containerDefinitions[].workingDirectory`",
            example: "workdir \"/app\"",
            fills: Some("`containerDefinitions[].workingDirectory`"),
            ecs: "workingDirectory",
        },
        User: "user" {
            takes: "a string (`\"1000\"`, `\"app:app\"`)",
            default: "the image's",
            becomes: "`containerDefinitions[].user`",
            example: "user \"1000\"",
            fills: Some("`containerDefinitions[].user`"),
        },
        Readonly: "readonly" {
            takes: "a flag, or `on`/`off`",
            default: "`off`",
            becomes: "`containerDefinitions[].readonlyRootFilesystem`",
            example: "readonly",
            fills: Some("`containerDefinitions[].readonlyRootFilesystem`"),
            ecs: "readonlyRootFilesystem",
            choices: BOOL,
        },
        DependsOn: "depends_on" {
            takes: "`CONTAINER START|COMPLETE|SUCCESS|HEALTHY`",
            default: "what the pattern blocks imply",
            becomes: "`containerDefinitions[].dependsOn[]`",
            example: "depends_on migrate SUCCESS",
            fills: Some("`containerDefinitions[].dependsOn[]`"),
            ecs: "dependsOn",
            choices: &["START", "COMPLETE", "SUCCESS", "HEALTHY"],
        },
        Mount: "mount" {
            takes: "`VOLUME PATH [readonly]`",
            default: "read-write",
            becomes: "`containerDefinitions[].mountPoints[]`",
            example: "mount data \"/data\" readonly",
            fills: Some("`containerDefinitions[].mountPoints[]`"),
            ecs: "mountPoints",
            named: true,
        },
        StopTimeout: "stop_timeout" {
            takes: "a duration (at most 120 s on Fargate)",
            default: "ECS's 30 s (not written)",
            becomes: "`containerDefinitions[].stopTimeout`",
            example: "stop_timeout 60s",
            fills: Some("`containerDefinitions[].stopTimeout`"),
            ecs: "stopTimeout",
        },
        StartTimeout: "start_timeout" {
            takes: "a duration",
            default: "none",
            becomes: "`containerDefinitions[].startTimeout`",
            example: "start_timeout 60s",
            fills: Some("`containerDefinitions[].startTimeout`"),
            ecs: "startTimeout",
        },
        Ulimit: "ulimit" {
            takes: "`NAME SOFT [HARD]`",
            default: "hard = soft",
            becomes: "`containerDefinitions[].ulimits[]`",
            example: "ulimit nofile 4096 8192",
            fills: Some("`containerDefinitions[].ulimits[]`"),
            ecs: "ulimits",
            named: true,
        },
        Label: "label" {
            takes: "`KEY [not_secret] = value`",
            default: "none",
            becomes: "`containerDefinitions[].dockerLabels`",
            example: "label com.example.team = \"core\"",
            fills: Some("`containerDefinitions[].dockerLabels`"),
            ecs: "dockerLabels",
            named: true,
        },
        Local: "local" {
            takes: "a command string or list, or a block (below)",
            default: "none: `wharf up --driver process` needs one",
            becomes: "the local manifest's `local` (`wharf up`), never ECS",
            example: "local \"python3 -m http.server 3000\"",
            fills: Some("the local manifest (`wharf up`), not ECS"),
            opens: Some(Id::Local),
        },
    }
}

properties! {
    ContainerSetting => CONTAINER_SETTING {
        Links: "links" {
            takes: "a list of `name[:alias]`",
            default: "none",
            becomes: "`containerDefinitions[].links` (bridge mode only, E0473)",
            example: "links [\"db:database\"]",
            fills: Some("`containerDefinitions[].links`"),
        },
        Privileged: "privileged" {
            takes: "a flag",
            default: "off",
            becomes: "`containerDefinitions[].privileged` (refused on Fargate, E0472)",
            example: "privileged",
            fills: Some("`containerDefinitions[].privileged`"),
        },
        SecurityOptions: "security_options" {
            takes: "a list of strings",
            default: "none",
            becomes: "`containerDefinitions[].dockerSecurityOptions`",
            example: "security_options [\"no-new-privileges\"]",
            fills: Some("`containerDefinitions[].dockerSecurityOptions`"),
            ecs: "dockerSecurityOptions",
        },
        Dns: "dns" {
            takes: "a list of addresses",
            default: "the VPC's resolver",
            becomes: "`containerDefinitions[].dnsServers` (not in awsvpc mode, E0473)",
            example: "dns [\"10.0.0.2\"]",
            fills: Some("`containerDefinitions[].dnsServers`"),
            ecs: "dnsServers",
        },
        DnsSearch: "dns_search" {
            takes: "a list of domains",
            default: "none",
            becomes: "`containerDefinitions[].dnsSearchDomains` (not in awsvpc mode, E0473)",
            example: "dns_search [\"corp.internal\"]",
            fills: Some("`containerDefinitions[].dnsSearchDomains`"),
            ecs: "dnsSearchDomains",
        },
        ExtraHost: "extra_host" {
            takes: "`\"HOST\" = \"ADDRESS\"`",
            default: "none",
            becomes: "`containerDefinitions[].extraHosts[]` (not in awsvpc mode, E0473)",
            example: "extra_host \"db.local\" = \"10.0.0.5\"",
            fills: Some("`containerDefinitions[].extraHosts[]`"),
            ecs: "extraHosts",
        },
        Sysctl: "sysctl" {
            takes: "`\"NAME\" = \"value\"`",
            default: "none",
            becomes: "`containerDefinitions[].systemControls[]`",
            example: "sysctl \"net.core.somaxconn\" = \"1024\"",
            fills: Some("`containerDefinitions[].systemControls[]`"),
            ecs: "systemControls",
        },
        Gpu: "gpu" {
            takes: "a whole number of GPUs",
            default: "none",
            becomes: "`containerDefinitions[].resourceRequirements[]` (type GPU; EC2 only, E0472)",
            example: "gpu 1",
            fills: Some("`containerDefinitions[].resourceRequirements[]` (GPU)"),
            ecs: "resourceRequirements",
        },
        RegistryCredentials: "registry_credentials" {
            takes: "a Secrets Manager secret ARN",
            default: "none (public or ECR images)",
            becomes: "`containerDefinitions[].repositoryCredentials.credentialsParameter`",
            example: "registry_credentials \"arn:aws:secretsmanager:us-east-1:123456789012:secret:hub\"",
            fills: Some("`containerDefinitions[].repositoryCredentials`"),
            ecs: "repositoryCredentials",
        },
        Restart: "restart" {
            takes: "`[ignore [CODES]] [period DURATION]`",
            default: "off",
            becomes: "`containerDefinitions[].restartPolicy`",
            example: "restart ignore [0, 143] period 300s",
            fills: Some("`containerDefinitions[].restartPolicy`"),
            ecs: "restartPolicy",
        },
        Linux: "linux" {
            takes: "`{ init; add_capabilities [..]; drop_capabilities [..]; device ..; shared_memory ..; tmpfs ..; max_swap ..; swappiness .. }`",
            default: "none",
            becomes: "`containerDefinitions[].linuxParameters`",
            example: "linux { init; drop_capabilities [\"NET_RAW\"] }",
            fills: Some("`containerDefinitions[].linuxParameters`"),
            ecs: "linuxParameters",
            opens: Some(Id::Linux),
        },
        Hostname: "hostname" {
            takes: "a string",
            default: "none",
            becomes: "`containerDefinitions[].hostname` (not in awsvpc mode, E0473)",
            example: "hostname \"worker\"",
            fills: Some("`containerDefinitions[].hostname`"),
        },
        Interactive: "interactive" {
            takes: "a flag",
            default: "off",
            becomes: "`containerDefinitions[].interactive`",
            example: "interactive",
            fills: Some("`containerDefinitions[].interactive`"),
        },
        Tty: "tty" {
            takes: "a flag",
            default: "off",
            becomes: "`containerDefinitions[].pseudoTerminal`",
            example: "tty",
            fills: Some("`containerDefinitions[].pseudoTerminal`"),
            ecs: "pseudoTerminal",
        },
        DisableNetworking: "disable_networking" {
            takes: "a flag",
            default: "off",
            becomes: "`containerDefinitions[].disableNetworking` (not in awsvpc mode, E0473)",
            example: "disable_networking",
            fills: Some("`containerDefinitions[].disableNetworking`"),
            ecs: "disableNetworking",
        },
        EnvFile: "env_file" {
            takes: "an S3 object ARN",
            default: "none",
            becomes: "`containerDefinitions[].environmentFiles[]` (type s3)",
            example: "env_file \"arn:aws:s3:::bucket/app.env\"",
            fills: Some("`containerDefinitions[].environmentFiles[]`"),
            ecs: "environmentFiles",
        },
        VolumesFrom: "volumes_from" {
            takes: "`CONTAINER [readonly]`",
            default: "none",
            becomes: "`containerDefinitions[].volumesFrom[]`",
            example: "volumes_from app readonly",
            fills: Some("`containerDefinitions[].volumesFrom[]`"),
            ecs: "volumesFrom",
        },
        VersionConsistency: "version_consistency" {
            takes: "`on` or `off`",
            default: "ECS's `enabled`",
            becomes: "`containerDefinitions[].versionConsistency`",
            example: "version_consistency off",
            fills: Some("`containerDefinitions[].versionConsistency`"),
            ecs: "versionConsistency",
        },
        CredentialSpec: "credential_spec" {
            takes: "a credential spec ARN or path (Windows gMSA)",
            default: "none",
            becomes: "`containerDefinitions[].credentialSpecs[]`",
            example: "credential_spec \"credentialspecdomainless:arn:aws:ssm:us-east-1:123456789012:parameter/gmsa\"",
            fills: Some("`containerDefinitions[].credentialSpecs`"),
            ecs: "credentialSpecs",
        },
    }
}

properties! {
    Local => LOCAL {
        Command: "command" {
            takes: "a shell string or a list",
            default: "required in a `local` block",
            becomes: "the manifest's `local.command`",
            example: "local { command [\"node\", \"server.js\"] }",
        },
        Workdir: "workdir" {
            takes: "a path string, relative to the program's folder",
            default: "the program's folder",
            becomes: "the manifest's `local.workingDirectory`",
            example: "local { command \"make run\"; workdir \"./app\" }",
        },
        Env: "env" {
            takes: "`NAME = value`",
            default: "none (the container's `env` applies too)",
            becomes: "the manifest's `local.environment`, over the container's `env`",
            example: "local { command \"./serve\"; env DEBUG = \"1\" }",
            named: true,
        },
    }
}

properties! {
    Service => SERVICE {
        Task: "task" {
            takes: "a task name",
            default: "required",
            becomes: "`taskDefinition`",
            example: "task web",
            fills: Some("`taskDefinition`"),
            ecs: "taskDefinition",
        },
        Count: "count" {
            takes: "a whole number",
            default: "`1` (a `daemon` has none)",
            becomes: "`desiredCount`",
            example: "count 3",
            fills: Some("`desiredCount`"),
            ecs: "desiredCount",
        },
        Daemon: "daemon" {
            takes: "a flag (EC2 only)",
            default: "replica scheduling",
            becomes: "`schedulingStrategy: DAEMON`",
            example: "daemon",
            fills: Some("`schedulingStrategy: DAEMON`"),
            ecs: "schedulingStrategy",
        },
        Launch: "launch" {
            takes: "`fargate`, `ec2` or `external`",
            default: "the cluster's capacity provider strategy",
            becomes: "`launchType`",
            example: "launch fargate",
            fills: Some("`launchType`"),
            ecs: "launchType",
            choices: &["fargate", "ec2", "external"],
        },
        Capacity: "capacity" {
            takes: "`PROVIDER [weight N] [base N]`, instead of `launch`",
            default: "the cluster's; `weight 1`, `base 0`",
            becomes: "`capacityProviderStrategy[]`",
            example: "capacity FARGATE_SPOT weight 2 base 1",
            fills: Some("`capacityProviderStrategy`"),
            ecs: "capacityProviderStrategy",
            choices: &["FARGATE", "FARGATE_SPOT"],
            named: true,
        },
        Platform: "platform" {
            takes: "a version string (Fargate)",
            default: "`LATEST` (not written)",
            becomes: "`platformVersion`",
            example: "platform \"1.4.0\"",
            fills: Some("`platformVersion`"),
            ecs: "platformVersion",
        },
        Network: "network" {
            takes: "a network name",
            default: "the cluster's network, else the only network",
            becomes: "`networkConfiguration.awsvpcConfiguration` (its private subnets)",
            example: "network main",
        },
        Subnets: "subnets" {
            takes: "a list of subnet IDs or a `subnets` input",
            default: "the network's private subnets",
            becomes: "`networkConfiguration.awsvpcConfiguration.subnets`",
            example: "subnets SUBNETS",
            fills: Some("`networkConfiguration.awsvpcConfiguration.subnets`"),
        },
        SecurityGroups: "security_groups" {
            takes: "a list of IDs or a `security_groups` input",
            default: "the one Wharf generates (CloudFormation)",
            becomes: "`networkConfiguration.awsvpcConfiguration.securityGroups`",
            example: "security_groups [\"sg-0123\"]",
            fills: Some("`networkConfiguration.awsvpcConfiguration.securityGroups`"),
            ecs: "securityGroups",
        },
        PublicIp: "public_ip" {
            takes: "`on` or `off`",
            default: "`off`",
            becomes: "`networkConfiguration.awsvpcConfiguration.assignPublicIp`",
            example: "public_ip on",
            fills: Some("`networkConfiguration.awsvpcConfiguration.assignPublicIp`"),
            ecs: "assignPublicIp",
            choices: BOOL,
        },
        Expose: "expose" {
            takes: "`CONTAINER:PORT via LB` and a block (below)",
            default: "none",
            becomes: "`loadBalancers[]`, a target group and a listener rule",
            example: "expose app:3000 via web { path \"/api/*\" }",
            fills: Some("`loadBalancers[]` and a listener rule and target group"),
            ecs: "loadBalancers",
            named: true,
            opens: Some(Id::Expose),
        },
        Deploy: "deploy" {
            takes: "`rolling [min P%] [max P%] [circuit_breaker] [rollback]`, `canary P% every D`, `linear P% every D`, `blue_green`; `bake D`",
            default: "rolling, min 100% max 200% (a daemon: 0% and 100%)",
            becomes: "`deploymentConfiguration` (and `deploymentController`)",
            example: "deploy rolling min 50% circuit_breaker rollback",
            fills: Some("`deploymentConfiguration`"),
            ecs: "deploymentConfiguration",
            choices: &["rolling", "canary", "linear", "blue_green", "circuit_breaker", "rollback"],
        },
        Autoscale: "autoscale" {
            takes: "`MIN..MAX` and `cpu P%`, `memory P%`, `requests N`, `backlog N`, `cooldown D`",
            default: "cooldowns: 300 s in, 60 s out",
            becomes: "`AWS::ApplicationAutoScaling::ScalableTarget` and target-tracking `ScalingPolicy`s (`backlog`: metric math, the queue's visible messages per running task)",
            example: "autoscale 2..10 cpu 70%",
            fills: Some("Application Auto Scaling scalable target and target-tracking policies"),
            choices: &["cpu", "memory", "requests", "backlog", "cooldown"],
        },
        Queue: "queue" {
            takes: "`NAME { ... }` (a queue Wharf creates) or `\"arn:aws:sqs:...\" { ... }` (an existing one); the block is optional (below)",
            default: "none",
            becomes: "`AWS::SQS::Queue` and its dead-letter queue / CreateQueue; the URL in a container variable; consume rights in the task role",
            example: "queue jobs { dead_letter 5 }",
            fills: Some("an SQS queue the service consumes"),
            opens: Some(Id::Queue),
        },
        Placement: "placement" {
            takes: "`spread az|instance|\"attribute:...\"`, `binpack memory|cpu` or `random`",
            default: "none",
            becomes: "`placementStrategy[]`",
            example: "placement spread az",
            fills: Some("`placementStrategy[]`"),
            ecs: "placementStrategy",
            choices: &["spread", "binpack", "random", "az", "instance"],
        },
        Constraint: "constraint" {
            takes: "`distinct_instance` or `member_of \"EXPRESSION\"`",
            default: "none",
            becomes: "`placementConstraints[]`",
            example: "constraint distinct_instance",
            fills: Some("`placementConstraints[]`"),
            ecs: "placementConstraints",
            choices: &["distinct_instance", "member_of"],
        },
        Discovery: "discovery" {
            takes: "`\"NAME.NAMESPACE\" [ttl D] [registry ARN]`",
            default: "`ttl 60s`",
            becomes: "`serviceRegistries[]` and a Cloud Map service (`AWS::ServiceDiscovery::Service`)",
            example: "discovery \"api.internal\"",
            fills: Some("`serviceRegistries[]` (Cloud Map)"),
            ecs: "serviceRegistries",
        },
        Connect: "connect" {
            takes: "a Cloud Map namespace: a name (created) or an ARN (existing); a block (below), optional for a client-only service",
            default: "none",
            becomes: "`serviceConnectConfiguration` (and the namespace: `AWS::ServiceDiscovery::HttpNamespace`, or the private DNS namespace of `discovery` names)",
            example: "connect \"internal\" { serve api as \"orders\" port 80 }",
            fills: Some("`serviceConnectConfiguration` (Service Connect)"),
            ecs: "serviceConnectConfiguration",
            opens: Some(Id::Connect),
        },
        Grace: "grace" {
            takes: "a duration",
            default: "none",
            becomes: "`healthCheckGracePeriodSeconds`",
            example: "grace 60s",
            fills: Some("`healthCheckGracePeriodSeconds`"),
            ecs: "healthCheckGracePeriodSeconds",
        },
        Callers: "callers" {
            takes: "a list of service names",
            default: "none",
            becomes: "ingress rules of this service's security group from theirs, on its container ports",
            example: "callers [worker, web]",
        },
        Caller: "caller" {
            takes: "`SERVICE [port PORT]`",
            default: "every port its task maps",
            becomes: "one such ingress rule",
            example: "caller batch port 3000",
            named: true,
        },
        Egress: "egress" {
            takes: "`CIDR [port PORT] [udp]`",
            default: "all egress",
            becomes: "the egress rules of the service's security group",
            example: "egress \"0.0.0.0/0\" port 443",
        },
        Exec: "exec" {
            takes: "`on` or `off`",
            default: "`off`",
            becomes: "`enableExecuteCommand`",
            example: "exec on",
            fills: Some("`enableExecuteCommand`"),
            ecs: "enableExecuteCommand",
            choices: BOOL,
        },
        Tag: "tag" {
            takes: "`KEY = \"value\"`",
            default: "none",
            becomes: "`tags[]`",
            example: "tag team = \"core\"",
            fills: Some("`tags[]`"),
            ecs: "tags",
            named: true,
        },
    }
}

properties! {
    Expose => EXPOSE {
        Path: "path" {
            takes: "a path pattern string, or a list (ALB)",
            default: "none: every path",
            becomes: "a `path-pattern` condition of the listener rule",
            example: "path \"/api/*\"",
        },
        Host: "host" {
            takes: "a host name string, or a list (ALB)",
            default: "none: every host",
            becomes: "a `host-header` condition of the listener rule",
            example: "host \"api.example.com\"",
        },
        Listener: "listener" {
            takes: "a listener port",
            default: "every listener that does not redirect",
            becomes: "which listeners get the rule",
            example: "listener 443",
            named: true,
        },
        Health: "health" {
            takes: "`PATH [every D] [timeout D] [healthy N] [unhealthy N] [codes \"200-299\"]`",
            default: "`every 30s timeout 5s healthy 5 unhealthy 2 codes \"200-399\"`; path ELB's `/`",
            becomes: "the target group's `HealthCheck*` and `Matcher`",
            example: "health \"/health\" every 15s",
            fills: Some("the target group's health check"),
        },
        Deregistration: "deregistration" {
            takes: "a duration",
            default: "`30s` (ELB's is 300 s)",
            becomes: "the target group's `deregistration_delay.timeout_seconds`",
            example: "deregistration 10s",
            fills: Some("`deregistration_delay.timeout_seconds`"),
        },
        TargetGroup: "target_group" {
            takes: "a target group ARN (ECS JSON target)",
            default: "a target group Wharf creates",
            becomes: "`loadBalancers[].targetGroupArn`",
            example: "target_group \"arn:aws:elasticloadbalancing:...\"",
            fills: Some("`loadBalancers[].targetGroupArn`"),
        },
    }
}

properties! {
    Template => TEMPLATE {
        Param: "param" {
            takes: "`NAME: TYPE [= default]`; types `string`, `name`, `int`, `bool`, `port`, `duration`, `size`, `cpu`, `percent`, `list`, `range`, `any`",
            default: "required when it has no default; `none` leaves out the statements that use it",
            becomes: "nothing by itself: a constant inside the template",
            example: "param memory: size = 1GiB",
        },
        Use: "use" {
            takes: "another template call",
            default: "none",
            becomes: "its statements, in place (up to 32 levels)",
            example: "use sized(memory: 2GiB)",
        },
    }
}

properties! {
    Environment => ENVIRONMENT {
        Input: "input" {
            takes: "`NAME = value`",
            default: "the input's own default",
            becomes: "the input's new default (`--input` still wins)",
            example: "input IMAGE_TAG = \"2.0.1\"",
        },
        Network: "network" {
            takes: "`NAME { statements }`",
            default: "none",
            becomes: "merged into the network `NAME`",
            example: "network main { nat per_az }",
            opens: Some(Id::Network),
            declares: Some(Kind::Network),
        },
        Cluster: "cluster" {
            takes: "`NAME { statements }`",
            default: "none",
            becomes: "merged into the cluster `NAME`",
            example: "cluster prod { insights on }",
            opens: Some(Id::Cluster),
            declares: Some(Kind::Cluster),
        },
        Alb: "alb" {
            takes: "`NAME { statements }`",
            default: "none",
            becomes: "merged into the ALB `NAME`",
            example: "alb web { idle_timeout 120s }",
            opens: Some(Id::LoadBalancer),
            declares: Some(Kind::LoadBalancer),
        },
        Nlb: "nlb" {
            takes: "`NAME { statements }`",
            default: "none",
            becomes: "merged into the NLB `NAME`",
            example: "nlb db { listener 6432 tcp }",
            opens: Some(Id::LoadBalancer),
            declares: Some(Kind::LoadBalancer),
        },
        Task: "task" {
            takes: "`NAME { statements }`",
            default: "none",
            becomes: "merged into the task `NAME`",
            example: "task api { cpu 1vcpu; memory 2GiB }",
            opens: Some(Id::Task),
            declares: Some(Kind::Task),
        },
        Service: "service" {
            takes: "`NAME { statements }`",
            default: "none",
            becomes: "merged into the service `NAME`",
            example: "service api { count 6 }",
            opens: Some(Id::Service),
            declares: Some(Kind::Service),
        },
        Job: "job" {
            takes: "`NAME { statements }`",
            default: "none",
            becomes: "merged into the job `NAME`",
            example: "job migrate { count 2 }",
            opens: Some(Id::Job),
            declares: Some(Kind::Job),
        },
        Schedule: "schedule" {
            takes: "`NAME { statements }`",
            default: "none",
            becomes: "merged into the schedule `NAME`",
            example: "schedule nightly { enabled off }",
            opens: Some(Id::Schedule),
            declares: Some(Kind::Schedule),
        },
        Stack: "stack" {
            takes: "a string",
            default: "the program's stack name plus `-NAME`",
            becomes: "this environment's stack name, pinned",
            example: "stack \"shop-production\"",
        },
    }
}

properties! {
    Linux => LINUX {
        Init: "init" {
            takes: "a flag, or `on`/`off`",
            default: "off",
            becomes: "`containerDefinitions[].linuxParameters.initProcessEnabled`",
            example: "linux { init }",
            ecs: "initProcessEnabled",
        },
        AddCapabilities: "add_capabilities" {
            takes: "a list of Linux capability names",
            default: "none",
            becomes: "`containerDefinitions[].linuxParameters.capabilities.add` (on Fargate only `SYS_PTRACE`, E0472)",
            example: "linux { add_capabilities [\"SYS_PTRACE\"] }",
            ecs: "add",
        },
        DropCapabilities: "drop_capabilities" {
            takes: "a list of Linux capability names",
            default: "none",
            becomes: "`containerDefinitions[].linuxParameters.capabilities.drop`",
            example: "linux { drop_capabilities [\"NET_RAW\"] }",
            ecs: "drop",
        },
        Device: "device" {
            takes: "`HOST_PATH [container PATH] [permissions [read, write, mknod]]`",
            default: "none",
            becomes: "`containerDefinitions[].linuxParameters.devices[]` (refused on Fargate, E0472)",
            example: "linux { device \"/dev/fuse\" }",
            ecs: "devices",
        },
        SharedMemory: "shared_memory" {
            takes: "a size",
            default: "none (Docker's 64 MiB)",
            becomes: "`containerDefinitions[].linuxParameters.sharedMemorySize` (MiB; refused on Fargate, E0472)",
            example: "linux { shared_memory 256MiB }",
            ecs: "sharedMemorySize",
        },
        Tmpfs: "tmpfs" {
            takes: "`PATH SIZE [options [..]]`",
            default: "none",
            becomes: "`containerDefinitions[].linuxParameters.tmpfs[]` (refused on Fargate, E0472)",
            example: "linux { tmpfs \"/run\" 64MiB }",
        },
        MaxSwap: "max_swap" {
            takes: "a size",
            default: "none",
            becomes: "`containerDefinitions[].linuxParameters.maxSwap` (MiB; refused on Fargate, E0472)",
            example: "linux { max_swap 1GiB }",
            ecs: "maxSwap",
        },
        Swappiness: "swappiness" {
            takes: "a whole number from 0 to 100",
            default: "none (ECS's 60 when `max_swap` is set)",
            becomes: "`containerDefinitions[].linuxParameters.swappiness` (refused on Fargate, E0472)",
            example: "linux { max_swap 1GiB; swappiness 10 }",
        },
    }
}

properties! {
    DockerVolume => DOCKER_VOLUME {
        DriverOpt: "driver_opt" {
            takes: "`NAME = \"value\"`",
            default: "none",
            becomes: "`volumes[].dockerVolumeConfiguration.driverOpts`",
            example: "volume shared docker { driver_opt type = \"nfs\" }",
            ecs: "driverOpts",
            named: true,
        },
        Label: "label" {
            takes: "`NAME = \"value\"`",
            default: "none",
            becomes: "`volumes[].dockerVolumeConfiguration.labels`",
            example: "volume shared docker { label team = \"core\" }",
            ecs: "labels",
            named: true,
        },
    }
}

properties! {
    Job => JOB {
        Task: "task" {
            takes: "a task name",
            default: "required",
            becomes: "`taskDefinition` (the family: its latest revision)",
            example: "task api",
        },
        Count: "count" {
            takes: "a whole number, 1 to 10",
            default: "`1`",
            becomes: "`count` / `TaskCount`",
            example: "count 3",
        },
        Launch: "launch" {
            takes: "`fargate`, `ec2` or `external`",
            default: "the cluster's capacity provider strategy, else a launch type of the task",
            becomes: "`launchType`",
            example: "launch fargate",
            choices: &["fargate", "ec2", "external"],
        },
        Capacity: "capacity" {
            takes: "`PROVIDER [weight N] [base N]`, instead of `launch`",
            default: "the cluster's; `weight 1`, `base 0`",
            becomes: "`capacityProviderStrategy[]`",
            example: "capacity FARGATE_SPOT weight 1",
        },
        Platform: "platform" {
            takes: "a version string (Fargate)",
            default: "`LATEST`",
            becomes: "`platformVersion`",
            example: "platform \"1.4.0\"",
        },
        Network: "network" {
            takes: "a network name",
            default: "the cluster's network, else the only network",
            becomes: "`networkConfiguration.awsvpcConfiguration.subnets` (private, or public with `public_ip`)",
            example: "network main",
        },
        Subnets: "subnets" {
            takes: "a list of subnet IDs or a `subnets` input",
            default: "the network's subnets",
            becomes: "`networkConfiguration.awsvpcConfiguration.subnets`",
            example: "subnets SUBNETS",
        },
        SecurityGroups: "security_groups" {
            takes: "a list of IDs or a `security_groups` input",
            default: "the VPC's default group (not written)",
            becomes: "`networkConfiguration.awsvpcConfiguration.securityGroups`",
            example: "security_groups [\"sg-0123\"]",
        },
        PublicIp: "public_ip" {
            takes: "`on` or `off` (Fargate)",
            default: "`off`",
            becomes: "`assignPublicIp`",
            example: "public_ip on",
            choices: BOOL,
        },
        Override: "override" {
            takes: "`CONTAINER { ... }` (below)",
            default: "none",
            becomes: "`overrides.containerOverrides[]` (a schedule's `Input`)",
            example: "override app { command [\"migrate\"] }",
            named: true,
            opens: Some(Id::Override),
        },
        Tag: "tag" {
            takes: "`KEY = \"value\"`",
            default: "none",
            becomes: "`tags[]` of the tasks it starts",
            example: "tag team = \"core\"",
            named: true,
        },
    }
}

properties! {
    Override => OVERRIDE {
        Command: "command" {
            takes: "a list of arguments",
            default: "the container's",
            becomes: "`containerOverrides[].command`",
            example: "command [\"npm\", \"run\", \"migrate\"]",
        },
        Env: "env" {
            takes: "`NAME = value` (judged like a container's `env`)",
            default: "none",
            becomes: "`containerOverrides[].environment[]`, over the task definition's",
            example: "env MODE = \"migrate\"",
            named: true,
        },
        Local: "local" {
            takes: "a shell string or a list",
            default: "the container's local command, unless `command` is given",
            becomes: "what `wharf run` and `wharf up` run with the process driver",
            example: "local \"./migrate.sh\"",
        },
    }
}

properties! {
    Schedule => SCHEDULE {
        Job: "job" {
            takes: "a job name",
            default: "required",
            becomes: "the target: the job's cluster, task and overrides",
            example: "job report",
        },
        Cron: "cron" {
            takes: "six cron fields",
            default: "one of `cron`, `rate`, `at`",
            becomes: "`ScheduleExpression` `cron(...)`",
            example: "cron \"0/15 8-18 ? * MON-FRI *\"",
        },
        Rate: "rate" {
            takes: "a duration in whole minutes, or `\"N minutes\"` / `\"N hours\"` / `\"N days\"`",
            default: "one of `cron`, `rate`, `at`",
            becomes: "`ScheduleExpression` `rate(...)`",
            example: "rate 15m",
        },
        At: "at" {
            takes: "`\"yyyy-mm-ddThh:mm:ss\"`",
            default: "one of `cron`, `rate`, `at`",
            becomes: "`ScheduleExpression` `at(...)`, once",
            example: "at \"2026-12-01T09:30:00\"",
        },
        Timezone: "timezone" {
            takes: "an IANA time zone name",
            default: "`UTC`",
            becomes: "`ScheduleExpressionTimezone`",
            example: "timezone \"America/New_York\"",
        },
        Enabled: "enabled" {
            takes: "`on` or `off`",
            default: "`on`",
            becomes: "`State` `ENABLED` / `DISABLED`",
            example: "enabled off",
            choices: BOOL,
        },
        Window: "window" {
            takes: "a duration, 1 to 1,440 whole minutes",
            default: "off",
            becomes: "`FlexibleTimeWindow` (`FLEXIBLE`, `MaximumWindowInMinutes`)",
            example: "window 15m",
        },
        Retries: "retries" {
            takes: "0 to 185",
            default: "EventBridge's 185",
            becomes: "`RetryPolicy.MaximumRetryAttempts`",
            example: "retries 2",
        },
        MaxAge: "max_age" {
            takes: "a duration, 60 s to 24 h",
            default: "EventBridge's 24 h",
            becomes: "`RetryPolicy.MaximumEventAgeInSeconds`",
            example: "max_age 1h",
        },
        Role: "role" {
            takes: "a role ARN",
            default: "generated, least privilege",
            becomes: "`Target.RoleArn`",
            example: "role \"arn:aws:iam::123456789012:role/scheduler\"",
        },
    }
}

properties! {
    Queue => QUEUE {
        Env: "env" {
            takes: "a variable name",
            default: "`QUEUE_URL`",
            becomes: "`environment[]` of the container: the queue URL",
            example: "env JOBS_URL",
        },
        Container: "container" {
            takes: "a container name of the service's task",
            default: "the task's first essential container",
            becomes: "the container that gets the variable",
            example: "container worker",
        },
        Fifo: "fifo" {
            takes: "a flag (a created queue)",
            default: "a standard queue",
            becomes: "`FifoQueue: true`; the names end in `.fifo`",
            example: "fifo",
        },
        Visibility: "visibility" {
            takes: "a duration, 0 s to 12 h (a created queue)",
            default: "SQS's 30 s",
            becomes: "`VisibilityTimeout`",
            example: "visibility 5m",
        },
        Retention: "retention" {
            takes: "a duration, 60 s to 336 h (14 days) (a created queue)",
            default: "SQS's 4 days",
            becomes: "`MessageRetentionPeriod`",
            example: "retention 96h",
        },
        Wait: "wait" {
            takes: "a duration, 0 to 20 s (a created queue)",
            default: "SQS's 0 s (short polling)",
            becomes: "`ReceiveMessageWaitTimeSeconds`",
            example: "wait 20s",
        },
        DeadLetter: "dead_letter" {
            takes: "`N [retention D] [arn ARN]` (receives before a message moves, 1 to 1000) or `off` (a created queue)",
            default: "`3`: a created dead-letter queue `<stack>-<name>-dlq` keeping messages 14 days",
            becomes: "a second `AWS::SQS::Queue` and `RedrivePolicy` (`maxReceiveCount`, `deadLetterTargetArn`)",
            example: "dead_letter 5 retention 168h",
        },
    }
}

properties! {
    Connect => CONNECT {
        Serve: "serve" {
            takes: "`PORT_NAME as \"DNS\" port N [discovery \"NAME\"] [ingress N] [idle D] [request D]`: a named port of the task, the client alias clients call",
            default: "none: a client-only service",
            becomes: "`services[]`: `portName`, `clientAliases[]` (`dnsName`, `port`), `discoveryName`, `ingressPortOverride`, `timeout`",
            example: "serve api as \"orders\" port 80",
        },
        Uses: "uses" {
            takes: "`\"DNS\" [port N]`: a client alias another service serves in the namespace",
            default: "none",
            becomes: "an ingress rule of the serving service's security group from this one's, on the port its tasks listen on (CloudFormation); the name locally",
            example: "uses \"orders\" port 80",
        },
    }
}

properties! {
    Capacity => CAPACITY {
        InstanceType: "instance_type" {
            takes: "an EC2 instance type string",
            default: "required",
            becomes: "the launch template's `InstanceType`",
            example: "instance_type \"m7g.large\"",
        },
        Instances: "instances" {
            takes: "`MIN..MAX`",
            default: "required",
            becomes: "the auto scaling group's `MinSize` and `MaxSize`",
            example: "instances 1..10",
        },
        Desired: "desired" {
            takes: "a whole number between MIN and MAX",
            default: "none: managed scaling sets it (from MIN)",
            becomes: "`DesiredCapacity`",
            example: "desired 2",
        },
        Target: "target" {
            takes: "a percentage, 1% to 100%",
            default: "`100%`",
            becomes: "`ManagedScaling.TargetCapacity` (managed scaling is always on)",
            example: "target 90%",
        },
        Protect: "protect" {
            takes: "`on` or `off`",
            default: "`on`",
            becomes: "`ManagedTerminationProtection`, and the group's `NewInstancesProtectedFromScaleIn`",
            example: "protect off",
        },
        Arch: "arch" {
            takes: "`x86_64` or `arm64`",
            default: "the instance type's (Graviton families are ARM64)",
            becomes: "the AMI: the `recommended` or `arm64/recommended` ECS-optimized Amazon Linux 2023 image",
            example: "arch arm64",
            choices: &["x86_64", "arm64"],
        },
        Os: "os" {
            takes: "`linux` or a Windows family (`windows_server_2022_core`, ...)",
            default: "`linux`: Amazon Linux 2023",
            becomes: "the ECS-optimized Windows Server AMI of that edition (`/aws/service/ami-windows-latest/...`) and PowerShell user data (`Initialize-ECSAgent`)",
            example: "os windows_server_2022_core",
            choices: OS_FAMILIES,
        },
        Network: "network" {
            takes: "a network name",
            default: "the cluster's network, else the only network",
            becomes: "the group's `VPCZoneIdentifier` (private subnets) and the instance security group's VPC",
            example: "network main",
        },
        RootVolume: "root_volume" {
            takes: "a size, 30GiB to 16384GiB",
            default: "the AMI's 30 GiB",
            becomes: "the launch template's `BlockDeviceMappings` (gp3, encrypted)",
            example: "root_volume 50GiB",
        },
    }
}
