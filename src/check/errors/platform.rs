//! Wording of the runtime platform diagnostics (Windows and ARM64 tasks:
//! E0438, E0468, E0474, E0730–E0737), one constructor each. The primary
//! label is on the setting ECS refuses, the second on the task's `os`.

use crate::diag::{Code, Diagnostic, Span};

/// E0438: a member the ECS API reference marks "not supported for Windows
/// containers"; `setting` is the Wharf statement that writes it.
pub fn not_on_windows(setting: &str, owner: &str, span: Span, os: Span) -> Diagnostic {
    Diagnostic::error(
        Code::NotOnWindows,
        format!("`{setting}` of {owner} is not supported for Windows containers"),
        span,
        "not supported for Windows containers",
    )
    .with_label(os, "the task runs Windows")
    .with_help(format!(
        "remove `{setting}`, or run the task on Linux (`os linux`, or no `os`)"
    ))
}

/// E0468: Windows on Fargate below 1 vCPU.
pub fn windows_fargate_cpu(task: &str, cpu: u32, span: Span, os: Span) -> Diagnostic {
    Diagnostic::error(
        Code::WindowsFargateCpu,
        format!("Windows task `{task}` on Fargate asks for {cpu} CPU units"),
        span,
        "less than 1 vCPU",
    )
    .with_label(os, "the task runs Windows")
    .with_help("Windows containers on Fargate need at least 1 vCPU: write `cpu 1vcpu` and a memory of 2GiB or more")
}

/// E0474: a network mode Windows containers do not have.
pub fn windows_network_mode(task: &str, mode: &str, span: Span, os: Span) -> Diagnostic {
    Diagnostic::error(
        Code::WindowsNetworkMode,
        format!("Windows task `{task}` uses `{mode}` networking"),
        span,
        "not a Windows network mode",
    )
    .with_label(os, "the task runs Windows")
    .with_help("Windows containers take `network default` (NAT) or `network awsvpc`")
}

/// E0730: `arch arm64` with a Windows family.
pub fn windows_arm64(task: &str, family: &str, span: Span, os: Span) -> Diagnostic {
    Diagnostic::error(
        Code::WindowsArm64,
        format!("task `{task}` runs {family} on ARM64, and ARM64 is for Linux tasks only"),
        span,
        "ARM64",
    )
    .with_label(os, "Windows")
    .with_help("Windows tasks run on X86_64: remove `arch arm64` (or write `arch x86_64`), or run the task on Linux")
}

/// E0731: a Windows family Fargate does not run.
pub fn windows_fargate_family(task: &str, family: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::WindowsFargateFamily,
        format!("Fargate does not run {family}, the operating system of task `{task}`"),
        span,
        "not a Fargate Windows family",
    )
    .with_help(
        "on Fargate, use windows_server_2019_core/_full, windows_server_2022_core/_full or \
         windows_server_2025_core/_full; or run the task on EC2 (`compat ec2`)",
    )
}

/// E0732: a Windows Fargate task above 4 vCPU.
pub fn windows_fargate_size(task: &str, cpu: u32, span: Span, os: Span) -> Diagnostic {
    Diagnostic::error(
        Code::WindowsFargateSize,
        format!(
            "Windows task `{task}` on Fargate asks for {} vCPU; Windows on Fargate has 1, 2 and 4 vCPU",
            f64::from(cpu) / 1024.0
        ),
        span,
        "more than 4 vCPU",
    )
    .with_label(os, "the task runs Windows")
    .with_help("8 and 16 vCPU need Linux platform 1.4.0: write `cpu 4vcpu` (memory 8GiB to 30GiB), or run the task on EC2")
}

/// E0733: a volume kind a Windows task cannot mount where it runs.
pub fn windows_volume(task: &str, volume: &str, problem: &str, span: Span, os: Span) -> Diagnostic {
    Diagnostic::error(
        Code::WindowsVolume,
        format!("volume `{volume}` of Windows task `{task}` is {problem}"),
        span,
        "this volume",
    )
    .with_label(os, "the task runs Windows")
    .with_help("Windows tasks share files through an FSx for Windows File Server volume on EC2 (`volume NAME fsx ...` with `compat ec2`), or a bind volume")
}

/// E0734: a Docker security option other than a gMSA credential spec.
pub fn windows_security_option(container: &str, option: &str, span: Span, os: Span) -> Diagnostic {
    Diagnostic::error(
        Code::WindowsSecurityOption,
        format!("container `{container}` sets security option `{option}`, which Windows containers do not take"),
        span,
        "a Linux security option",
    )
    .with_label(os, "the task runs Windows")
    .with_help("on Windows only `credentialspec:...` (a gMSA credential spec) applies; for gMSA prefer `credential_spec`")
}

/// E0735: a Docker volume driver other than `local` on Windows.
pub fn windows_volume_driver(volume: &str, driver: &str, span: Span, os: Span) -> Diagnostic {
    Diagnostic::error(
        Code::WindowsVolumeDriver,
        format!("Docker volume `{volume}` uses driver `{driver}`; Windows containers only use the `local` driver"),
        span,
        "not the local driver",
    )
    .with_label(os, "the task runs Windows")
    .with_help("remove `driver` (or write `driver \"local\"`), or run the task on Linux")
}

/// E0736: FireLens in a Windows task.
pub fn windows_firelens(task: &str, container: &str, span: Span, os: Span) -> Diagnostic {
    Diagnostic::error(
        Code::WindowsFirelens,
        format!("container `{container}` of Windows task `{task}` uses FireLens, which Windows containers do not support"),
        span,
        "FireLens",
    )
    .with_label(os, "the task runs Windows")
    .with_help("log with `logs awslogs` (the default), or run the task on Linux")
}

/// E0737: a Fargate platform version the task's platform does not have.
pub fn platform_version(
    what: &str,
    name: &str,
    task: &str,
    version: &str,
    wants: &str,
    span: Span,
) -> Diagnostic {
    let platform = if wants == "1.0.0" {
        "Windows tasks run on Fargate's Windows platform version 1.0.0"
    } else {
        "ARM64 tasks run on Fargate's Linux platform version 1.4.0"
    };
    Diagnostic::error(
        Code::PlatformVersionMismatch,
        format!("{what} `{name}` asks for Fargate platform version {version} for task `{task}`; {platform}"),
        span,
        "this platform version",
    )
    .with_help(format!(
        "write `platform \"{wants}\"`, or leave `platform` out (LATEST picks the platform that matches the task)"
    ))
}

/// E0738: a credential spec ECS refuses or cannot use.
pub fn credential_spec(container: &str, spec: &str, problem: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::CredentialSpec,
        format!("credential spec `{spec}` of container `{container}` {problem}"),
        span,
        "this credential spec",
    )
    .with_help("write one `credential_spec \"credentialspecdomainless:arn:aws:ssm:REGION:ACCOUNT:parameter/NAME\"` (or an `arn:aws:s3:::BUCKET/KEY` object); `credentialspec:` works only on EC2 instances joined to the domain")
}

/// E0739: `storage` (ephemeralStorage) of a Windows task on Fargate.
pub fn windows_fargate_storage(task: &str, gib: u32, span: Span, os: Span) -> Diagnostic {
    Diagnostic::error(
        Code::WindowsFargateStorage,
        format!("Windows task `{task}` asks Fargate for {gib} GiB of ephemeral storage, which Windows containers on Fargate do not take"),
        span,
        "ephemeral storage",
    )
    .with_label(os, "the task runs Windows")
    .with_help("remove `storage` (ephemeral storage is for Linux tasks on platform 1.4.0), or keep data on a bind volume")
}

/// E0733: an FSx for Windows File Server volume in a Fargate task.
pub fn fsx_on_fargate(task: &str, volume: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::WindowsVolume,
        format!("volume `{volume}` of Fargate task `{task}` is an FSx for Windows File Server volume, which ECS mounts on EC2 Windows instances only"),
        span,
        "an FSx volume on Fargate",
    )
    .with_help("run the task on EC2 Windows instances (`compat ec2`, `network default` or `awsvpc`), or use a bind volume on Fargate")
}
