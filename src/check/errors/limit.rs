//! Wording of the container value-limit diagnostics (E0450–E0457), one
//! constructor each.

use crate::diag::{Code, Diagnostic, Span};

pub fn unknown_ulimit(container: &str, name: &str, span: Span) -> Diagnostic {
    let suggestion = crate::diag::closest(name, super::super::limits::ULIMIT_NAMES.iter().copied())
        .map(|c| format!("did you mean `{c}`? "))
        .unwrap_or_default();
    Diagnostic::error(
        Code::UnknownUlimit,
        format!("container `{container}` sets ulimit `{name}`, which ECS does not know"),
        span,
        "this container",
    )
    .with_help(format!(
        "{suggestion}ECS accepts the ulimits core, cpu, data, fsize, locks, memlock, msgqueue, \
         nice, nofile, nproc, rss, rtprio, rttime, sigpending and stack"
    ))
}

pub fn fargate_nofile(container: &str, hard: u32, max: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownUlimit,
        format!(
            "container `{container}` asks for a nofile hard limit of {hard}, above Fargate's {max}"
        ),
        span,
        "this container",
    )
    .with_help(format!(
        "on Fargate the nofile ulimit can be raised to at most {max}"
    ))
}

pub fn container_memory_too_small(
    container: &str,
    what: &str,
    mib: u32,
    min: u32,
    span: Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::ContainerMemoryTooSmall,
        format!(
            "container `{container}` has `{what}` {mib}MiB, less than a container can start with"
        ),
        span,
        "this container",
    )
    .with_help(format!(
        "Docker reserves at least {min} MiB for every container: give `{what}` {min}MiB or more"
    ))
}

pub fn fargate_start_timeout(container: &str, seconds: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FargateStartTimeout,
        format!("container `{container}` has a start timeout of {seconds}s, outside Fargate's 2s to 120s"),
        span,
        "this container",
    )
    .with_help("on Fargate `start_timeout` is between 2s and 120s")
}

pub fn env_file(container: &str, value: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EnvFileArn,
        format!("environment file `{value}` of container `{container}` {problem}"),
        span,
        "this container",
    )
    .with_help(
        "`env_file` takes the ARN of an S3 object whose name ends in `.env`, \
         e.g. \"arn:aws:s3:::my-bucket/app.env\"",
    )
}

pub fn port_name(name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::PortName,
        format!("port name `{name}` is not one ECS accepts"),
        span,
        "this port",
    )
    .with_help(
        "a port name has 1 to 64 lowercase letters, digits, `_` and `-`, and does not start with `-`",
    )
}

pub fn restart_period(container: &str, seconds: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::RestartPolicyBounds,
        format!("container `{container}` has a restart attempt period of {seconds}s, outside 60s to 1800s"),
        span,
        "this container",
    )
    .with_help("`restart period` is between 60s and 1800s (30 minutes)")
}

pub fn restart_exit_codes(container: &str, n: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::RestartPolicyBounds,
        format!("container `{container}` ignores {n} exit codes in its restart policy"),
        span,
        "this container",
    )
    .with_help("a restart policy ignores at most 50 exit codes")
}

pub fn system_control(container: &str, namespace: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::SystemControl,
        format!("container `{container}` sets kernel parameter `{namespace}`, which ECS cannot set here"),
        span,
        "this container",
    )
    .with_help(problem.to_string())
}

pub fn duplicate_key(container: &str, what: &str, key: &str, span: Span) -> Diagnostic {
    let help = if what == "label" {
        "labels are a map: give each key once"
    } else {
        "ECS refuses a secret whose name another secret or an `env` of the container uses: \
         rename or remove one"
    };
    Diagnostic::error(
        Code::DuplicateKey,
        format!("container `{container}` gives {what} `{key}` twice"),
        span,
        "given again here",
    )
    .with_help(help)
}

pub fn target_health(service: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TargetHealthRange,
        format!("the target health check of service `{service}`: {problem}"),
        span,
        "this exposure",
    )
    .with_help(
        "target groups check every 5s to 300s, time out after 2s to 120s (less than the \
         interval), with thresholds of 2 to 10 and HTTP codes from 200 to 499",
    )
}

pub fn rule_condition(service: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::RuleCondition,
        format!("the listener rule of service `{service}`: {problem}"),
        span,
        "this exposure",
    )
    .with_help(
        "a listener rule condition takes at most 3 values and a rule at most 5 wildcards; \
         split the exposure in two or use wildcards",
    )
}

pub fn scaling_target_value(service: &str, value: f64, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ScalingTargetValue,
        format!("service `{service}` scales to keep a metric at {value}, which is not above zero"),
        span,
        "this auto scaling",
    )
    .with_help("a target tracking policy needs a target value above zero, e.g. `cpu 60%`")
}

pub fn tags(owner: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TagLimits,
        format!("{owner}: {problem}"),
        span,
        "these tags",
    )
    .with_help(
        "AWS takes at most 50 tags, keys of 1 to 128 characters not starting with `aws:`, \
         and values of at most 256 characters",
    )
}

pub fn placement(service: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::PlacementLimits,
        format!("service `{service}` has {problem}"),
        span,
        "this service",
    )
    .with_help(
        "ECS takes at most 5 placement strategies per service and 10 placement constraints \
         per task, the task definition's included",
    )
}

pub fn strategy(owner: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CapacityStrategy,
        format!("{owner}: {problem}"),
        span,
        "this capacity strategy",
    )
    .with_help("give `base` to one provider only, and a weight above 0 to at least one")
}

pub fn volume(volume: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::VolumeLimits,
        format!("volume `{volume}` {problem}"),
        span,
        "this volume",
    )
    .with_help(
        "an EFS volume names its file system (`fs-...`) and optionally an access point \
         (`fsap-...`); with an access point, leave out `root` or make it \"/\"",
    )
}

pub fn mount(container: &str, path: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::VolumeLimits,
        format!("mount point `{path}` of container `{container}` {problem}"),
        span,
        "this mount",
    )
    .with_help("a container mounts each volume at its own absolute path, such as \"/data\"")
}

/// E0436: an FSx for Windows File Server volume without a member the ECS
/// API requires.
pub fn fsx_incomplete(volume: &str, missing: &[&str], span: Span) -> Diagnostic {
    let names: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
    Diagnostic::error(
        Code::FsxVolume,
        format!(
            "FSx for Windows File Server volume `{volume}` has no {}",
            names.join(" and no ")
        ),
        span,
        "this volume",
    )
    .with_help(
        "ECS requires the share, the domain credentials and the domain: \
         `volume NAME fsx \"fs-...\" root \"share\" credentials \"arn:...\" domain \"example.com\"`",
    )
}

/// E0436: an FSx for Windows File Server volume, or an EFS transit
/// encryption port, that ECS refuses.
pub fn fsx_volume(volume: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FsxVolume,
        format!("volume `{volume}` {problem}"),
        span,
        "this volume",
    )
    .with_help(
        "an FSx volume serves Windows containers and names its file system (`fs-...`) and a \
         Secrets Manager secret or SSM parameter ARN with the domain credentials; an EFS \
         `encrypt_port` (1-65535) needs `encrypt on`",
    )
}

/// E0439: a capability outside `KernelCapabilities`' list.
pub fn unknown_capability(container: &str, which: &str, name: &str, span: Span) -> Diagnostic {
    let suggestion = crate::diag::closest(name, super::super::limits::CAPABILITIES.iter().copied())
        .map(|c| format!("did you mean `{c}`? "))
        .unwrap_or_default();
    Diagnostic::error(
        Code::UnknownCapability,
        format!("container `{container}` {which} capability `{name}`, which ECS does not know"),
        span,
        "this container",
    )
    .with_help(format!(
        "{suggestion}ECS takes Linux capability names without the `CAP_` prefix, in capitals, \
         such as NET_ADMIN, SYS_PTRACE or ALL"
    ))
}

/// E0475: more environment files than a container takes.
pub fn env_file_count(container: &str, count: usize, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::EnvFileCount,
        format!(
            "container `{container}` has {count} environment files, more than the 10 ECS takes"
        ),
        span,
        "this container",
    )
    .with_help("merge files, or move variables into `env` statements")
}

/// E0476: a DNS search domain outside ECS's pattern.
pub fn dns_search_domain(container: &str, domain: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DnsSearchDomain,
        format!("DNS search domain `{domain}` of container `{container}` is not one ECS accepts"),
        span,
        "this container",
    )
    .with_help(
        "a search domain is 1 to 254 letters, digits, `-` and `.`, ending in a letter or digit, \
         such as \"corp.example.com\"",
    )
}

/// E0477: a Docker security option that is none of ECS's forms.
pub fn security_option(container: &str, option: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::SecurityOption,
        format!("security option `{option}` of container `{container}` {problem}"),
        span,
        "this container",
    )
    .with_help(
        "ECS takes \"no-new-privileges\", \"apparmor:PROFILE\", \"label:VALUE\" and \
         \"credentialspec:PATH\"",
    )
}

/// E0478: a FireLens option ECS refuses.
pub fn firelens_config_file(container: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FirelensConfigFile,
        format!("log router `{container}` {problem}"),
        span,
        "this container",
    )
    .with_help(
        "FireLens takes enable-ecs-log-metadata (true or false), and config-file-type \
         (\"s3\" on EC2 only, or \"file\", a path inside the image) with config-file-value",
    )
}

/// E0479: a service setting its scheduling strategy or launch type does
/// not take.
pub fn service_setting(service: &str, problem: &str, help: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ServiceSetting,
        format!("service `{service}` {problem}"),
        span,
        "this service",
    )
    .with_help(help)
}

/// E0312: an image reference ECS or Docker cannot take.
pub fn bad_image(container: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidFormat,
        format!("the image of container `{container}` {problem}"),
        span,
        "this container",
    )
    .with_help(
        "an image is `repository[:tag]` or `repository@digest`, up to 255 characters without \
         spaces, such as \"public.ecr.aws/nginx/nginx:1.27\"",
    )
}
