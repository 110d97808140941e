//! Runtime platform rules of a task (`os`, `arch`): what ECS refuses of a
//! Windows task and of an ARM64 one, each diagnostic pointing at the
//! setting that breaks the rule (found in the declaration's statements),
//! with the `os` or `arch` line as the second label. Stage: check, after
//! lowering, over complete tasks and the services and jobs that run them.
//!
//! The rules and where they are written:
//! - ECS API reference, ContainerDefinition and RegisterTaskDefinition:
//!   members "not supported for Windows containers" (`links`, `user`,
//!   `disableNetworking`, `privileged`, `readonlyRootFilesystem`,
//!   `dnsServers`, `dnsSearchDomains`, `extraHosts`, `ulimits`,
//!   `linuxParameters`, `pidMode`, `ipcMode`): E0438.
//! - RuntimePlatform `cpuArchitecture`: ARM64 is for Linux tasks only
//!   (E0730).
//! - Developer guide, "Amazon ECS task definition parameters for Fargate"
//!   (`operatingSystemFamily` on Fargate: Windows Server 2019, 2022 and 2025,
//!   Full and Core) and the Fargate Windows platform version change log
//!   (E0731).
//! - RegisterTaskDefinition `cpu`/`memory`: the 8 and 16 vCPU sizes need
//!   Linux platform 1.4.0, so Windows on Fargate stops at 4 vCPU (E0732);
//!   Windows on Fargate needs at least 1 vCPU (E0468).
//! - `networkMode`: `<default>` (NAT) or `awsvpc` on Windows (E0474).
//! - RegisterTaskDefinition `ephemeralStorage`: Linux platform 1.4.0 only;
//!   the developer guide's "Fargate task ephemeral storage" says it is not
//!   supported for Windows containers on Fargate (E0739).
//! - Developer guide, EFS volumes (Linux only) and FSx for Windows File
//!   Server volumes (EC2 only, not Fargate) (E0733).
//! - ContainerDefinition `dockerSecurityOptions`: on Windows only the
//!   `credentialspec:` option (gMSA) applies (E0734).
//! - Volume `dockerVolumeConfiguration`: Windows containers only use the
//!   `local` driver (E0735).
//! - Developer guide, FireLens considerations: Windows containers do not
//!   support FireLens (E0736).
//! - ContainerDefinition `credentialSpecs` (gMSA): one, `credentialspec:` or
//!   `credentialspecdomainless:` and an SSM or S3 ARN; domainless on Fargate
//!   (E0738).
//! - Fargate platform versions: Windows runs on Windows platform `1.0.0`,
//!   ARM64 on Linux platform `1.4.0` (E0737).

use super::errors::platform as e;
use super::vocabulary::{pattern, Kind};
use super::Cx;
use crate::ast::Statement;
use crate::diag::Span;
use crate::ir::{self, Arch, Container, LogDriver, NetworkMode, Task, VolumeKind};
use std::borrow::Cow;

/// Windows families Fargate runs (`operatingSystemFamily` on Fargate).
pub const FARGATE_WINDOWS: &[&str] = &[
    "WINDOWS_SERVER_2019_FULL",
    "WINDOWS_SERVER_2019_CORE",
    "WINDOWS_SERVER_2022_FULL",
    "WINDOWS_SERVER_2022_CORE",
    "WINDOWS_SERVER_2025_FULL",
    "WINDOWS_SERVER_2025_CORE",
];

/// The largest Fargate task size Windows has (4 vCPU): 8 and 16 vCPU need
/// Linux platform version 1.4.0.
const FARGATE_WINDOWS_MAX_CPU: u32 = 4096;

/// Where a task's settings are written: its declaration, for spans.
struct Source<'a> {
    task: Option<Cow<'a, Statement>>,
}

impl Source<'_> {
    /// The first statement of the task's block with one of these heads.
    fn task_setting(&self, heads: &[&str]) -> Option<Span> {
        setting(self.task.as_deref()?, heads)
    }

    /// The statement that declares this container.
    fn container(&self, c: &Container) -> Option<&Statement> {
        super::read::block(self.task.as_deref()?).iter().find(|s| {
            pattern(&s.head.name).is_some() && s.words.first().is_some_and(|w| w.span == c.span)
        })
    }

    /// The first statement of a container's block with one of these heads;
    /// the container's name when the source has none (a template's output).
    fn container_setting(&self, c: &Container, heads: &[&str]) -> Span {
        self.container(c)
            .and_then(|s| setting(s, heads))
            .unwrap_or(c.span)
    }
}

fn setting(stmt: &Statement, heads: &[&str]) -> Option<Span> {
    super::read::block(stmt)
        .iter()
        .find(|s| heads.contains(&s.head.name.as_str()))
        .map(|s| s.span)
}

/// The statement of a declaration, by kind and name; one whose block a
/// build deferred is read again (see `Cx::reread`).
fn decl<'a>(cx: &mut Cx<'a>, kind: Kind, name: &str) -> Option<Cow<'a, Statement>> {
    let stmt = cx.scope.decls.get(&(kind, name.to_string())).copied()?;
    Some(match cx.reread(stmt) {
        Some(read) => Cow::Owned(read),
        None => Cow::Borrowed(stmt),
    })
}

/// The rules of one task.
pub fn check_task(cx: &mut Cx, task: &Task) {
    // FSx for Windows File Server: joined by the agent of EC2 Windows
    // instances; Fargate mounts none, whatever the task's `os` says.
    if task.is_fargate() {
        for v in &task.volumes {
            if matches!(v.kind, VolumeKind::FsxWindows(_)) {
                cx.push(e::fsx_on_fargate(&task.name, &v.name, v.span));
            }
        }
    }
    // The rules below point into the declaration, which is read again
    // only for a task they apply to: credential specs, or Windows.
    let specs = task
        .containers
        .iter()
        .any(|c| !c.settings.credential_specs.is_empty());
    if !specs && !task.is_windows() {
        return;
    }
    let src = Source {
        task: decl(cx, Kind::Task, &task.name),
    };
    for c in &task.containers {
        credential_specs(cx, &src, task, c);
    }
    if !task.is_windows() {
        return;
    }
    let os_at = src.task_setting(&["os"]).unwrap_or(task.span);
    let family = task.os_family.as_deref().unwrap_or_default();
    if task.arch == Some(Arch::Arm64) {
        let arch_at = src.task_setting(&["arch"]).unwrap_or(task.span);
        cx.push(e::windows_arm64(&task.name, family, arch_at, os_at));
    }
    if task.is_fargate() {
        if !FARGATE_WINDOWS.contains(&family) {
            cx.push(e::windows_fargate_family(&task.name, family, os_at));
        }
        if let Some(gib) = task.ephemeral_storage_gib {
            let at = src.task_setting(&["storage"]).unwrap_or(task.span);
            cx.push(e::windows_fargate_storage(&task.name, gib, at, os_at));
        }
        let cpu_at = src.task_setting(&["cpu"]).unwrap_or(task.span);
        match task.cpu {
            Some(cpu) if cpu < 1024 => {
                cx.push(e::windows_fargate_cpu(&task.name, cpu, cpu_at, os_at))
            }
            Some(cpu) if cpu > FARGATE_WINDOWS_MAX_CPU => {
                cx.push(e::windows_fargate_size(&task.name, cpu, cpu_at, os_at))
            }
            _ => {}
        }
    }
    if !matches!(
        task.network_mode,
        NetworkMode::Awsvpc | NetworkMode::Default
    ) {
        let at = src.task_setting(&["network"]).unwrap_or(task.span);
        cx.push(e::windows_network_mode(
            &task.name,
            task.network_mode.as_str(),
            at,
            os_at,
        ));
    }
    let t = &task.settings;
    for (set, head) in [(t.pid_mode.is_some(), "pid"), (t.ipc_mode.is_some(), "ipc")] {
        if set {
            let at = src.task_setting(&[head]).unwrap_or(task.span);
            let owner = format!("task `{}`", task.name);
            cx.push(e::not_on_windows(head, &owner, at, os_at));
        }
    }
    for v in &task.volumes {
        match &v.kind {
            VolumeKind::Efs(_) => cx.push(e::windows_volume(
                &task.name,
                &v.name,
                "an EFS volume, which only Linux containers mount",
                v.span,
                os_at,
            )),
            VolumeKind::Docker(d) => {
                if let Some(driver) = d.driver.as_deref().filter(|d| *d != "local") {
                    cx.push(e::windows_volume_driver(&v.name, driver, v.span, os_at));
                }
            }
            _ => {}
        }
    }
    for c in &task.containers {
        check_container(cx, &src, task, c, os_at);
    }
}

fn check_container(cx: &mut Cx, src: &Source, task: &Task, c: &Container, os_at: Span) {
    let s = &c.settings;
    let unsupported = [
        (c.user.is_some(), "user"),
        (c.read_only_root, "readonly"),
        (s.linux.is_some(), "linux"),
        (s.privileged, "privileged"),
        (!s.links.is_empty(), "links"),
        (s.disable_networking, "disable_networking"),
        (!s.dns_servers.is_empty(), "dns"),
        (!s.dns_search_domains.is_empty(), "dns_search"),
        (!s.extra_hosts.is_empty(), "extra_host"),
        (!c.ulimits.is_empty(), "ulimit"),
    ];
    let owner = format!("container `{}`", c.name);
    for (set, head) in unsupported {
        if set {
            let at = src.container_setting(c, &[head]);
            cx.push(e::not_on_windows(head, &owner, at, os_at));
        }
    }
    for option in &s.docker_security_options {
        if !option.starts_with("credentialspec:") {
            let at = src.container_setting(c, &["security_options"]);
            cx.push(e::windows_security_option(&c.name, option, at, os_at));
        }
    }
    let firelens_at = if c.role == ir::ContainerRole::LogRouter || c.firelens.is_some() {
        Some(src.container(c).map_or(c.span, |s| s.head.span.to(c.span)))
    } else if c
        .log
        .as_ref()
        .is_some_and(|l| l.driver == LogDriver::Awsfirelens)
    {
        Some(src.container_setting(c, &["logs"]))
    } else {
        None
    };
    if let Some(at) = firelens_at {
        cx.push(e::windows_firelens(&task.name, &c.name, at, os_at));
    }
}

/// `credentialSpecs` (ContainerDefinition): at most one, each
/// `credentialspec:ARN` (the container instance joined to the domain) or
/// `credentialspecdomainless:ARN` (credentials in a secret), the ARN of an
/// SSM parameter or an S3 object. Fargate hosts join no domain, so Fargate
/// takes the domainless form only (developer guide, gMSA on Fargate).
fn credential_specs(cx: &mut Cx, src: &Source, task: &Task, c: &Container) {
    let specs = &c.settings.credential_specs;
    if specs.is_empty() {
        return;
    }
    let at = src.container_setting(c, &["credential_spec"]);
    if specs.len() > 1 {
        cx.push(e::credential_spec(
            &c.name,
            &specs[1],
            "is a second credential spec; ECS takes one per container",
            at,
        ));
    }
    for spec in specs {
        let (domainless, arn) = match spec.split_once(':') {
            Some(("credentialspecdomainless", arn)) => (true, arn),
            Some(("credentialspec", arn)) => (false, arn),
            _ => {
                cx.push(e::credential_spec(
                    &c.name,
                    spec,
                    "starts with neither `credentialspec:` nor `credentialspecdomainless:`",
                    at,
                ));
                continue;
            }
        };
        let service = arn
            .strip_prefix("arn:")
            .and_then(|rest| rest.split(':').nth(1));
        if !matches!(service, Some("ssm" | "s3")) {
            cx.push(e::credential_spec(
                &c.name,
                spec,
                "does not name the ARN of an SSM parameter or an S3 object holding the CredSpec",
                at,
            ));
        } else if !domainless && task.is_fargate() {
            cx.push(e::credential_spec(
                &c.name,
                spec,
                "needs a container instance joined to the domain, and Fargate joins none",
                at,
            ));
        }
    }
}

/// The platform version a service or job asks for, against its task's
/// platform: Windows tasks run on Fargate's Windows platform `1.0.0`,
/// ARM64 tasks on Linux platform `1.4.0` (`LATEST` picks the right one).
pub fn check_platform_versions(cx: &mut Cx, program: &ir::Program) {
    let index = ir::Index::new(program);
    let runs = program
        .services
        .iter()
        .map(|s| {
            (
                Kind::Service,
                &s.name,
                s.task.as_str(),
                &s.platform_version,
                s.span,
            )
        })
        .chain(program.jobs.iter().map(|j| {
            (
                Kind::Job,
                &j.name,
                j.task.as_str(),
                &j.platform_version,
                j.span,
            )
        }));
    let mut found = Vec::new();
    for (kind, name, task, version, span) in runs {
        let (Some(version), Some(task)) = (version, index.tasks.get(task)) else {
            continue;
        };
        let wants = if task.is_windows() {
            "1.0.0"
        } else if task.arch == Some(Arch::Arm64) {
            "1.4.0"
        } else {
            continue;
        };
        if version == "LATEST" || version == wants {
            continue;
        }
        let at = decl(cx, kind, name)
            .and_then(|s| setting(&s, &["platform"]))
            .unwrap_or(span);
        found.push((
            kind,
            name.clone(),
            task.name.clone(),
            version.clone(),
            wants,
            at,
        ));
    }
    for (kind, name, task, version, wants, at) in found {
        let what = if kind == Kind::Job { "job" } else { "service" };
        cx.push(e::platform_version(what, &name, &task, &version, wants, at));
    }
}
