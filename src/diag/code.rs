//! Stable diagnostic codes. `as_str` is an exhaustive match, so a new variant
//! cannot compile without a code. Ranges: E01xx syntax, E02xx names, E03xx
//! types, E04xx ECS rules, E05xx emit, E06xx runner, E07xx ECS rules of newer features (Service
//! Connect, native deployments, platforms). Never renumber or reuse.

use serde::{Serialize, Serializer};

macro_rules! codes {
    ($($variant:ident = $code:literal, $title:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// A short title, used by `wharf explain` and the JSON output.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }
        }
    };
}

codes! {
    // E01xx: syntax and loading
    Syntax = "E0101", "syntax error";
    UnterminatedString = "E0102", "unterminated string";
    BadLine = "E0103", "statement that cannot be read";
    ImportNotFound = "E0104", "source file not found or unreadable";
    ImportCycle = "E0105", "import cycle";
    NotASourceFile = "E0106", "source that is not a regular file of a sane size";
    ImportInput = "E0107", "input of `wharf import` that is not a task definition";
    LspConnection = "E0108", "language server without an editor to talk to";
    StopForced = "E0109", "local run that did not stop within `--timeout`";
    NestingTooDeep = "E0120", "brackets nested too deep";

    // E02xx: names
    UnknownTask = "E0201", "unknown task";
    UnknownCluster = "E0202", "unknown cluster";
    UnknownContainer = "E0203", "unknown container";
    UnknownVolume = "E0204", "unknown volume";
    UnknownLoadBalancer = "E0205", "unknown load balancer";
    UnknownService = "E0206", "unknown service";
    DuplicateName = "E0207", "name declared twice";
    UnknownDirective = "E0208", "unknown property";
    UnknownValue = "E0209", "unknown constant or input";
    UnknownNetwork = "E0210", "unknown network";
    MissingInput = "E0211", "input without a value";
    UnknownArgument = "E0212", "unknown argument";
    UnknownInput = "E0213", "unknown input given on the command line";
    UnknownTemplate = "E0214", "unknown template";
    UnknownEnvironment = "E0215", "unknown environment";
    InvalidAwsName = "E0216", "name AWS does not accept";

    // E03xx: types and values
    TypeMismatch = "E0301", "value of the wrong type";
    UnknownUnit = "E0302", "unknown unit";
    OutOfRange = "E0303", "value out of range";
    InvalidEnum = "E0304", "value not among the allowed ones";
    MissingProperty = "E0305", "required property missing";
    ArgumentCount = "E0306", "wrong number of arguments";
    InvalidInputValue = "E0307", "input value of the wrong type";
    DuplicateProperty = "E0308", "property set twice";
    RecursiveConstant = "E0309", "constant defined in terms of itself";
    TemplateArgument = "E0310", "template argument missing or unknown";
    ConflictingProperties = "E0311", "properties that exclude each other";
    InvalidFormat = "E0312", "value in the wrong format";
    TemplateRecursion = "E0313", "template that uses itself";
    ConstantChainTooDeep = "E0314", "chain of constants too deep";
    TextTooLong = "E0315", "string too long once expanded";
    TemplateTooLarge = "E0316", "template expansion too deep or too large";

    // E04xx: ECS rules
    FargateCpuMemory = "E0401", "invalid Fargate cpu and memory combination";
    FargateNetworkMode = "E0402", "Fargate task without awsvpc";
    FargateTaskSize = "E0403", "Fargate task without task-level cpu and memory";
    DaemonNotEc2 = "E0404", "DAEMON service not on EC2";
    FargatePlacement = "E0405", "placement rules on Fargate";
    FargateLogDriver = "E0406", "log driver not supported on Fargate";
    AwsvpcHostPort = "E0407", "awsvpc or host mode host port differs from container port";
    NoEssentialContainer = "E0408", "task without an essential container";
    TooManyContainers = "E0409", "more than 10 containers in a task";
    DuplicateContainer = "E0410", "container name used twice";
    InvalidName = "E0411", "invalid family or container name";
    DependencyCycle = "E0412", "container dependency cycle";
    HealthyWithoutCheck = "E0413", "HEALTHY dependency on a container without a health check";
    CompleteOnEssential = "E0414", "COMPLETE or SUCCESS dependency on an essential container";
    HealthCheckRange = "E0415", "health check setting out of range";
    ContainerCpuOverTask = "E0416", "container cpu exceeds the task's";
    ContainerMemoryOverTask = "E0417", "container memory exceeds the task's";
    ReservationOverMemory = "E0418", "memory reservation not below memory";
    MalformedSecret = "E0419", "malformed secret reference";
    AwslogsIncomplete = "E0420", "awslogs without group or region";
    ExposedPortMissing = "E0421", "exposed container port not mapped";
    DeploymentPercent = "E0422", "deployment percentages out of range";
    AutoscaleBounds = "E0423", "auto scaling bounds out of order";
    LiteralSecret = "E0425", "secret-looking environment variable with a literal value";
    RuleConflict = "E0426", "two services claim the same listener rule";
    PortRange = "E0424", "port range ECS refuses";
    PortConflict = "E0427", "port used twice";
    FargateBindHostPath = "E0428", "bind volume with a host path on Fargate";
    EfsIamWithoutTransit = "E0429", "EFS IAM authorization without transit encryption";
    AwsvpcWithoutSubnets = "E0430", "awsvpc service without subnets";
    UnknownCapacityProvider = "E0431", "capacity provider not in the cluster";
    LaunchIncompatible = "E0432", "launch type not supported by the task";
    FirelensWithoutRouter = "E0433", "awsfirelens logging without a log router";
    GraceWithoutLoadBalancer = "E0434", "health check grace period without a load balancer";
    ListenerProtocol = "E0435", "listener protocol does not fit the load balancer";
    PublicIpOnEc2 = "E0437", "public IP on a task that does not run on Fargate";
    UlimitSoftAboveHard = "E0440", "ulimit soft limit above its hard limit";
    EmptyPermission = "E0441", "IAM permission without actions or resources";
    EmptyProgram = "E0442", "program that declares nothing to deploy";
    CredentialInValue = "E0443", "credential written in a value";
    SecretInputInPlainText = "E0444", "secret input the target would write in plain text";
    ContainerMemoryMissing = "E0460", "EC2 container without memory and no task memory";
    Ec2TaskCpu = "E0461", "task cpu outside the EC2 range";
    FargateStreamPrefix = "E0462", "awslogs on Fargate without a stream prefix";
    ReservedHostPort = "E0463", "host port reserved by ECS";
    ServiceNetworkLimit = "E0464", "more subnets or security groups than ECS takes";
    TooManyTargetGroups = "E0465", "more than 5 target groups on a service";
    UdpBehindAlb = "E0466", "UDP port exposed via an ALB";
    UnknownAwslogsOption = "E0467", "unknown awslogs log driver option";
    WindowsFargateCpu = "E0468", "Windows task on Fargate below 1 vCPU";
    FargateStopTimeout = "E0469", "stop timeout over Fargate's 120 seconds";
    AllowWithGivenRole = "E0470", "`allow` on a task whose task role is given";
    FargateDockerVolume = "E0471", "Docker volume on Fargate";
    NotOnFargate = "E0472", "task definition setting not supported on Fargate";
    NotInNetworkMode = "E0473", "container setting not supported in the network mode";
    WindowsNetworkMode = "E0474", "Windows task in a network mode Windows lacks";
    UnknownUlimit = "E0450", "ulimit ECS does not accept";
    ContainerMemoryTooSmall = "E0451", "container memory below what a container starts with";
    FargateStartTimeout = "E0452", "start timeout outside Fargate's range";
    EnvFileArn = "E0453", "environment file that is not an S3 `.env` object ARN";
    PortName = "E0454", "port mapping name ECS does not accept";
    RestartPolicyBounds = "E0455", "restart policy outside ECS's bounds";
    SystemControl = "E0456", "kernel parameter ECS cannot set";
    DuplicateKey = "E0457", "label or secret name given twice in a container";
    TargetHealthRange = "E0458", "target group health check outside ELB's ranges";
    RuleCondition = "E0459", "listener rule condition ELB does not accept";
    TagLimits = "E0445", "tags AWS does not accept";
    ScalingTargetValue = "E0446", "target tracking value not above zero";
    PlacementLimits = "E0447", "more placement strategies or constraints than ECS takes";
    CapacityStrategy = "E0448", "capacity provider strategy ECS refuses";
    VolumeLimits = "E0449", "EFS volume or mount point ECS refuses";
    FsxVolume = "E0436", "FSx for Windows volume or EFS transit port ECS refuses";
    NotOnWindows = "E0438", "setting not supported for Windows containers";
    UnknownCapability = "E0439", "Linux capability ECS does not know";
    EnvFileCount = "E0475", "more than ten environment files in a container";
    DnsSearchDomain = "E0476", "DNS search domain ECS does not accept";
    SecurityOption = "E0477", "Docker security option ECS does not accept";
    FirelensConfigFile = "E0478", "FireLens option ECS refuses";
    ServiceSetting = "E0479", "service setting its scheduling, launch type or network mode does not take";
    CronSyntax = "E0480", "cron expression EventBridge Scheduler cannot read";
    CronRange = "E0481", "cron field value out of range";
    CronDayFields = "E0482", "cron day-of-month and day-of-week not exactly one `?`";
    CronNever = "E0483", "cron expression that never fires";
    RateInvalid = "E0484", "rate that is not whole minutes of at least one";
    UnknownTimeZone = "E0485", "time zone not in the IANA database";
    AtInvalid = "E0486", "one-time schedule date that is not yyyy-mm-ddThh:mm:ss";
    UnknownJob = "E0487", "unknown job";
    ScheduleExpressionCount = "E0488", "schedule without exactly one of cron, rate, at";
    JobCount = "E0489", "job task count outside RunTask's 1 to 10";
    ScheduleRange = "E0490", "schedule window or retry policy out of range";
    FargateSpotPlatform = "E0491", "ARM64 or Windows task on Fargate Spot";
    QueueRange = "E0492", "SQS queue setting out of range";
    QueueReference = "E0493", "SQS queue or dead-letter queue SQS would refuse";
    QueueBacklog = "E0494", "backlog scaling without what it reads";
    QueueVariable = "E0495", "queue URL variable that cannot be set";
    QueueName = "E0496", "SQS queue name SQS does not accept, or used twice";
    CapacitySize = "E0497", "created EC2 capacity with sizes EC2 Auto Scaling refuses";
    InstanceType = "E0498", "instance type that is not one, or of the other architecture";
    CapacityNetwork = "E0499", "created EC2 capacity without a network";

    // E05xx: emit
    EcsNeedsTargetGroup = "E0501", "ECS target needs a target group ARN";
    EcsNeedsSubnets = "E0502", "ECS target needs existing subnets";
    EcsNeedsRegistry = "E0503", "ECS target needs a service registry ARN";
    StackTooLarge = "E0504", "stack exceeds CloudFormation limits";
    OutputWrite = "E0505", "output could not be written";
    EcsNeedsTaskRole = "E0506", "ECS target needs a task role ARN";
    EcsNeedsExecutionRole = "E0507", "ECS target needs an execution role ARN";
    EcsTrafficShift = "E0508", "ECS target cannot express a traffic-shifting deployment";
    CfnInexpressible = "E0509", "construct CloudFormation cannot express";
    VpcCidrTooSmall = "E0510", "created VPC too small for its subnets";
    OutputPathEscapes = "E0511", "output path outside the output folder";
    OutputNotOwned = "E0512", "output folder that Wharf did not write";
    OutputBusy = "E0513", "output folder being written by another build";
    DerivedNameInvalid = "E0514", "name Wharf derives that AWS does not accept";
    EcsConnectNamespace = "E0515", "ECS target needs an existing Service Connect namespace";
    EcsNeedsSecurityGroups = "E0520", "ECS target needs security groups for an awsvpc service";
    EcsSecurityGroupRules = "E0521", "ECS target cannot create security group rules";
    EcsScalingLabel = "E0522", "ECS target cannot scale on ALB requests";
    CfnSecurityGroupLimit = "E0523", "too many security groups with the generated one";
    EcsHookNeedsRole = "E0524", "ECS target needs a lifecycle hook's role ARN";
    CfnHookUnsupported = "E0525", "lifecycle hook CloudFormation does not take";
    CfnShiftTooLong = "E0526", "linear or canary deployment longer than CloudFormation waits";
    EcsTestListener = "E0527", "ECS target cannot create a test listener rule";
    EcsJobNeedsAccount = "E0530", "ECS target needs the account and region for a schedule's ARNs";
    ScheduleNameInvalid = "E0531", "schedule name EventBridge Scheduler does not accept";
    NoSuchJob = "E0532", "no job of that name to run";
    JobDidNotRun = "E0533", "a job's task stopped before its essential container ran";
    EcsQueueNeedsAccount = "E0534", "ECS target needs the account and region for a created queue";
    EcsCreatedCapacity = "E0535", "ECS target cannot create EC2 capacity";
    CapacityPlatform = "E0536", "task whose platform the created EC2 instances do not run";
    CostNoRegion = "E0540", "no region to price in";
    CostUnpricedRegion = "E0541", "region without a Fargate price";

    // E06xx: runner
    ManifestInvalid = "E0601", "local manifest cannot be read";
    DriverUnavailable = "E0602", "runner driver unavailable";
    NoLocalCommand = "E0603", "container has no local command";
    PortInUse = "E0604", "local port already in use";
    RunnerFailed = "E0605", "a service failed to reach its desired state";
    RunnerRunning = "E0606", "the project already has a runner";
    SecretMissing = "E0607", "secret without a local value";
    SecretsFileInvalid = "E0608", "secrets file cannot be read";
    StateLink = "E0609", "the run's state directory holds a symbolic link";
    WindowsLocal = "E0610", "Windows task the local runner cannot run";
    ArchEmulation = "E0611", "task of another CPU architecture without an emulator";
    StateDamaged = "E0613", "the run's state file cannot be read";
    NoRun = "E0690", "no local run for the project";
    NoSuchService = "E0691", "the local run has no such service";

    // E07xx: Service Connect
    ConnectPortName = "E0700", "Service Connect port name not in the task's port mappings";
    ConnectName = "E0701", "Service Connect discovery or DNS name Cloud Map does not accept";
    ConnectDuplicate = "E0702", "Service Connect name or alias used twice in a namespace";
    ConnectUnknownAlias = "E0703", "call through a Service Connect alias nobody serves";
    ConnectPortMismatch = "E0704", "call through a Service Connect alias on another port";
    ConnectOtherNamespace = "E0705", "call through a Service Connect alias of another namespace";
    ConnectNamespace = "E0706", "Service Connect without a namespace";
    ConnectTimeout = "E0707", "Service Connect per-request timeout on a TCP port";
    ConnectLocalName = "E0708", "Service Connect alias a local process reaches by variable, not by name";

    // E07xx: native deployments
    DeployShiftWithoutTraffic = "E0715", "linear or canary deployment without a load balancer";
    DeployBakeTime = "E0716", "deployment bake time out of range";
    DeployStepPercent = "E0717", "linear step below 3%";
    DeployPauseStage = "E0718", "pause hook at a traffic-shift stage";
    DeployHookStages = "E0719", "lifecycle hook stages repeated or missing";
    DeployAlarmsEmpty = "E0720", "deployment alarms without an alarm";
    DeployTrafficUnused = "E0721", "traffic-shifting resources on a rolling deployment";
    DeployTestListener = "E0722", "test listener that cannot carry test traffic";
    DeployHookTarget = "E0723", "lifecycle hook target that is not a Lambda function";
    DeployHookRole = "E0724", "lifecycle hook or traffic role that is not a usable role";
    DeployAlternateSame = "E0725", "alternate target group equal to the production one";

    // E07xx: runtime platform (Windows and ARM64 tasks)
    WindowsArm64 = "E0730", "Windows task on ARM64";
    WindowsFargateFamily = "E0731", "Windows family Fargate does not run";
    WindowsFargateSize = "E0732", "Windows task on Fargate above 4 vCPU";
    WindowsVolume = "E0733", "volume a Windows task cannot mount where it runs";
    WindowsSecurityOption = "E0734", "Docker security option Windows containers do not take";
    WindowsVolumeDriver = "E0735", "Docker volume driver other than local on Windows";
    WindowsFirelens = "E0736", "FireLens in a Windows task";
    PlatformVersionMismatch = "E0737", "Fargate platform version the task's platform does not have";
    CredentialSpec = "E0738", "gMSA credential spec ECS refuses or cannot use";
    WindowsFargateStorage = "E0739", "ephemeral storage for a Windows task on Fargate";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = ();

    fn from_str(s: &str) -> Result<Code, ()> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .ok_or(())
    }
}
