//! Lowers `task` declarations (ECS task definitions) and applies the
//! container patterns: an `init` container runs to SUCCESS before every app
//! container, a `sidecar` starts after the app, an `ambassador` waits for
//! the app to be HEALTHY, and containers logging through FireLens wait for
//! the `log_router` to START.
//!
//! ```text
//! task web {
//!   cpu 0.25vcpu; memory 512MiB
//!   volume data efs "fs-12345678" access_point "fsap-1" iam
//!   container app { image "my-app:${IMAGE_TAG}"; port 3000 }
//!   init migrate { image "my-app:${IMAGE_TAG}"; command ["npm", "run", "migrate"] }
//! }
//! ```

use super::args::Words;
use super::container::lower_container;
use super::read::{block, set, tag, unknown_property};
use super::vocabulary::{DockerVolume, Id, Pattern, Task as Prop, TaskSetting};
use super::{errors, Cx};
use crate::ast::{Expr, Statement};
use crate::ir::{self, Compatibility, Condition, ContainerRole, NetworkMode, Role, VolumeKind};

pub fn lower_task(cx: &mut Cx, stmt: &Statement) -> Option<ir::Task> {
    let name = super::scope::decl_name(cx, stmt)?.name;
    Words::new(stmt).skip(1).finish(cx);
    let mut family = None;
    let mut cpu = None;
    let mut memory = None;
    let mut network = None;
    let mut compat: Option<Vec<Compatibility>> = None;
    let mut unlisted = None;
    let mut execution_role = None;
    let mut task_role = None;
    let mut permissions = Vec::new();
    let mut volumes: Vec<ir::Volume> = Vec::new();
    // Each volume's first declaration, for the duplicate check in constant
    // time (a task of thousands of volumes stays linear).
    let mut volume_spans: std::collections::HashMap<String, crate::diag::Span> = Default::default();
    let mut arch = None;
    let mut os = None;
    let mut storage = None;
    let mut tags = Vec::new();
    let mut settings = ir::Rare::<ir::TaskSettings>::default();
    let mut containers = Vec::new();
    let mut ambassador_targets = Vec::new();
    for s in block(stmt) {
        let head = s.head.name.as_str();
        if let Some(pattern) = Pattern::from_name(head) {
            if let Some((c, target)) = lower_container(cx, s, pattern.role()) {
                if let Some(t) = target {
                    ambassador_targets.push((c.name.clone(), t));
                }
                containers.push(c);
            }
            continue;
        }
        if let Some(setting) = TaskSetting::from_name(head) {
            super::settings::task(cx, s, setting, &mut settings);
            continue;
        }
        let Some(prop) = Prop::from_name(head) else {
            unknown_property(cx, Id::Task, s);
            continue;
        };
        let mut w = Words::new(s);
        match prop {
            Prop::Family => {
                let v = w
                    .required(cx, "a family name")
                    .and_then(|e| cx.aws_name(crate::ir::names::NameKind::Family, e));
                set(cx, &mut family, s, v)
            }
            Prop::Cpu => {
                let v = w
                    .required(cx, "a CPU amount")
                    .and_then(|e| cx.cpu(e).map(|c| (c, e.span)));
                set(cx, &mut cpu, s, v)
            }
            Prop::Memory => {
                let v = w
                    .required(cx, "a size")
                    .and_then(|e| cx.mib(e).map(|m| (m, e.span)));
                set(cx, &mut memory, s, v)
            }
            Prop::Network => {
                let v = w.required(cx, "a network mode").and_then(|e| {
                    cx.choice(e, "a network mode", Prop::Network.property().choices)
                        .map(|m| match m {
                            "awsvpc" => NetworkMode::Awsvpc,
                            "bridge" => NetworkMode::Bridge,
                            "host" => NetworkMode::Host,
                            "default" => NetworkMode::Default,
                            _ => NetworkMode::None,
                        })
                });
                set(cx, &mut network, s, v)
            }
            Prop::Compat => {
                // `unlisted`: no requiresCompatibilities, which ECS reads as EC2.
                if w.flag("unlisted") {
                    unlisted = Some(s.span);
                }
                let mut list = Vec::new();
                while let Some(e) = w.positional() {
                    let items: Vec<Expr> = cx.list(e).into_iter().cloned().collect();
                    for i in &items {
                        match cx.choice(i, "a compatibility", Prop::Compat.property().choices) {
                            Some("fargate") => list.push(Compatibility::Fargate),
                            Some("ec2") => list.push(Compatibility::Ec2),
                            Some(_) => list.push(Compatibility::External),
                            None => {}
                        }
                    }
                }
                list.sort();
                list.dedup();
                let v = (!list.is_empty()).then_some(list);
                set(cx, &mut compat, s, v)
            }
            Prop::ExecutionRole => {
                let v = w.required(cx, "a role ARN").and_then(|e| role_arn(cx, e));
                set(cx, &mut execution_role, s, v)
            }
            Prop::TaskRole => {
                let v = w.required(cx, "a role ARN").and_then(|e| role_arn(cx, e));
                set(cx, &mut task_role, s, v)
            }
            Prop::Allow => {
                let resources = w.keyword(cx, "on").and_then(|e| cx.texts(e));
                let actions = w.required(cx, "a list of IAM actions").and_then(|e| {
                    let items: Vec<Expr> = cx.list(e).into_iter().cloned().collect();
                    items
                        .iter()
                        .map(|i| action(cx, i))
                        .collect::<Option<Vec<_>>>()
                });
                match (actions, resources) {
                    (Some(actions), Some(resources))
                        if actions.is_empty() || resources.is_empty() =>
                    {
                        cx.push(errors::rule::empty_permission(actions.is_empty(), s.span))
                    }
                    (Some(actions), Some(resources)) => permissions.push(ir::Permission {
                        actions,
                        resources,
                        span: s.span,
                    }),
                    (Some(_), None) => cx.push(errors::allow_without_resources(s.span)),
                    _ => {}
                }
            }
            Prop::Volume => {
                if let Some(v) = volume(cx, &mut w, s) {
                    match volume_spans.get(&v.name) {
                        Some(&first) => {
                            cx.push(errors::duplicate("volume", &v.name, v.span, first));
                        }
                        None => {
                            volume_spans.insert(v.name.clone(), v.span);
                            volumes.push(v);
                        }
                    }
                }
            }
            Prop::Arch => {
                let v = w.required(cx, "x86_64 or arm64").and_then(|e| {
                    cx.choice(e, "a CPU architecture", Prop::Arch.property().choices)
                        .map(|a| {
                            if a == "arm64" {
                                ir::Arch::Arm64
                            } else {
                                ir::Arch::X86_64
                            }
                        })
                });
                set(cx, &mut arch, s, v)
            }
            Prop::Os => {
                let v = w
                    .required(cx, "an operating system family")
                    .and_then(|e| {
                        cx.choice(e, "an operating system family", Prop::Os.property().choices)
                    })
                    .map(str::to_ascii_uppercase);
                set(cx, &mut os, s, v)
            }
            Prop::Storage => {
                let v = w.required(cx, "a size in GiB").and_then(|e| {
                    let g = cx.gib(e)?;
                    if !(21..=200).contains(&g) {
                        cx.push(errors::out_of_range(
                            "ephemeral storage",
                            &format!("{g}GiB"),
                            "21GiB to 200GiB",
                            e.span,
                        ));
                        return None;
                    }
                    Some(g)
                });
                set(cx, &mut storage, s, v)
            }
            Prop::Tag => {
                if let Some(t) = tag(cx, &mut w, s) {
                    tags.push(t);
                }
            }
        }
        w.finish(cx);
    }
    let network_mode = network.unwrap_or(NetworkMode::Awsvpc);
    if let Some(span) = unlisted {
        if compat.as_deref() != Some(&[Compatibility::Ec2]) {
            cx.push(errors::unlisted_not_ec2(span));
        }
    }
    let requires_compatibilities =
        unlisted.is_none() && (compat.is_some() || network_mode == NetworkMode::Awsvpc);
    let compatibilities = compat.unwrap_or_else(|| {
        if network_mode == NetworkMode::Awsvpc {
            vec![Compatibility::Fargate]
        } else {
            vec![Compatibility::Ec2]
        }
    });
    apply_patterns(&mut containers, &ambassador_targets);
    let mut task = ir::Task {
        family: family.unwrap_or_else(|| name.clone()),
        name,
        network_mode,
        compatibilities,
        requires_compatibilities,
        cpu: cpu.map(|c| c.0),
        memory: memory.map(|m| m.0),
        execution_role: execution_role.unwrap_or(Role::Generated),
        task_role: task_role.unwrap_or(if permissions.is_empty() {
            Role::None
        } else {
            Role::Generated
        }),
        execution_needs: ir::ExecutionNeeds::default(),
        permissions,
        volumes,
        containers,
        arch,
        os_family: os,
        ephemeral_storage_gib: storage,
        tags,
        settings,
        span: stmt.words[0].span,
    };
    task.shrink_to_fit();
    Some(task)
}

/// Adds the dependencies each pattern implies, unless the source already
/// declares a dependency between the same two containers.
fn apply_patterns(
    containers: &mut [ir::Container],
    ambassador_targets: &[(String, (String, crate::diag::Span))],
) {
    let apps: Vec<String> = containers
        .iter()
        .filter(|c| c.role == ContainerRole::App)
        .map(|c| c.name.clone())
        .collect();
    let inits: Vec<(String, crate::diag::Span)> = containers
        .iter()
        .filter(|c| c.role == ContainerRole::Init)
        .map(|c| (c.name.clone(), c.span))
        .collect();
    let routers: Vec<(String, crate::diag::Span)> = containers
        .iter()
        .filter(|c| c.role == ContainerRole::LogRouter)
        .map(|c| (c.name.clone(), c.span))
        .collect();
    for c in containers.iter_mut() {
        let mut add = |target: &str, condition: Condition, span| {
            if target != c.name && !c.depends_on.iter().any(|d| d.container == target) {
                c.depends_on.push(ir::Dependency {
                    container: target.to_string(),
                    condition,
                    span,
                });
            }
        };
        match c.role {
            ContainerRole::App => {
                for (init, span) in &inits {
                    add(init, Condition::Success, *span);
                }
            }
            ContainerRole::Sidecar => {
                if let Some(app) = apps.first() {
                    add(app, Condition::Start, c.span);
                }
            }
            ContainerRole::Ambassador => {
                // The dependency is blamed on `for NAME` when it is written.
                let target = ambassador_targets
                    .iter()
                    .find(|(a, _)| *a == c.name)
                    .map(|(_, t)| t.clone());
                if let Some((app, span)) =
                    target.or_else(|| apps.first().map(|a| (a.clone(), c.span)))
                {
                    add(&app, Condition::Healthy, span);
                }
            }
            ContainerRole::Init | ContainerRole::LogRouter => {}
        }
        let uses_firelens = c
            .log
            .as_ref()
            .is_some_and(|l| l.driver == ir::LogDriver::Awsfirelens);
        if uses_firelens && c.role != ContainerRole::LogRouter {
            for (router, span) in &routers {
                add(router, Condition::Start, *span);
            }
        }
    }
}

fn role_arn(cx: &mut Cx, e: &Expr) -> Option<Role> {
    let t = cx.text(e)?;
    let resolved = cx.scope.resolve(&t);
    if !cx.scope.incomplete(&t) && !super::rules::role_ok(&resolved) {
        cx.push(errors::bad_role_arn(&resolved, e.span));
        return None;
    }
    Some(Role::Arn(t))
}

fn action(cx: &mut Cx, e: &Expr) -> Option<String> {
    let a = cx.literal(e)?;
    let valid = a.split_once(':').is_some_and(|(svc, act)| {
        !svc.is_empty()
            && svc.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !act.is_empty()
            && act.chars().all(|c| c.is_ascii_alphanumeric() || c == '*')
    });
    if !valid {
        cx.push(errors::bad_action(&a, e.span));
        return None;
    }
    Some(a)
}

/// `volume NAME efs FS_ID [root "/"] [access_point AP] [iam] [encrypt off]
/// [encrypt_port N]`, `volume NAME fsx FS_ID root SHARE credentials ARN
/// domain DOMAIN`, `volume NAME bind [host "/path"]`, or
/// `volume NAME docker [scope task|shared] [autoprovision] [driver "local"]
/// { driver_opt type = "nfs"; label team = "core" }`.
fn volume(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::Volume> {
    // Each kind reads only its own keywords, so another kind's (`iam` on a
    // bind volume, `credentials` on EFS) is reported by `finish`, not lost.
    let kind_word = s
        .words
        .get(1)
        .and_then(|e| e.as_ident())
        .map(|i| i.name.as_str());
    let (efs, fsx, docker, bind) = (
        kind_word == Some("efs"),
        kind_word == Some("fsx"),
        kind_word == Some("docker"),
        kind_word == Some("bind"),
    );
    let scope = docker
        .then(|| w.keyword(cx, "scope"))
        .flatten()
        .and_then(|e| cx.choice(e, "a Docker volume scope", &["task", "shared"]))
        .map(str::to_string);
    let driver = docker
        .then(|| w.keyword(cx, "driver"))
        .flatten()
        .and_then(|e| cx.literal(e));
    let autoprovision = docker && w.flag("autoprovision");
    let root = (efs || fsx)
        .then(|| w.keyword(cx, "root"))
        .flatten()
        .and_then(|e| cx.literal(e));
    let access_point = efs
        .then(|| w.keyword(cx, "access_point"))
        .flatten()
        .and_then(|e| cx.text(e));
    let encrypt = efs
        .then(|| w.keyword(cx, "encrypt"))
        .flatten()
        .and_then(|e| cx.boolean(e));
    let encrypt_port = efs
        .then(|| w.keyword(cx, "encrypt_port"))
        .flatten()
        .and_then(|e| cx.int(e));
    let iam = efs && w.flag("iam");
    let host = bind
        .then(|| w.keyword(cx, "host"))
        .flatten()
        .and_then(|e| cx.literal(e));
    let credentials = fsx
        .then(|| w.keyword(cx, "credentials"))
        .flatten()
        .and_then(|e| cx.text(e));
    let domain = fsx
        .then(|| w.keyword(cx, "domain"))
        .flatten()
        .and_then(|e| cx.literal(e));
    let name = w
        .required(cx, "a volume name")
        .and_then(|e| cx.name(e, "a volume name"))?;
    let kind = w
        .required(cx, "`efs`, `fsx`, `bind` or `docker`")
        .and_then(|e| cx.choice(e, "a volume kind", Prop::Volume.property().choices))?;
    let kind = match kind {
        "efs" => {
            let fs = w
                .required(cx, "an EFS file system ID")
                .and_then(|e| cx.text(e))?;
            // Transit encryption costs nothing and IAM authorization needs it: on by default.
            VolumeKind::Efs(ir::EfsVolume {
                file_system_id: fs,
                root_directory: root,
                transit_encryption: encrypt.unwrap_or(true),
                transit_encryption_port: encrypt_port,
                access_point,
                iam,
            })
        }
        "fsx" => {
            let fs = w
                .required(cx, "an FSx for Windows File Server file system ID")
                .and_then(|e| cx.text(e))?;
            // ECS requires the share, the credentials and the domain; one
            // missing is reported here, and the volume is still declared so
            // its mount points are not reported as unknown too.
            let root = root.filter(|r| !r.is_empty());
            let domain = domain.filter(|d| !d.is_empty());
            let credentials = credentials.filter(|c| !c.parts.is_empty());
            let missing: Vec<&str> = [
                ("root", root.is_none()),
                ("credentials", credentials.is_none()),
                ("domain", domain.is_none()),
            ]
            .into_iter()
            .filter_map(|(k, absent)| absent.then_some(k))
            .collect();
            if !missing.is_empty() {
                cx.push(errors::limit::fsx_incomplete(&name, &missing, s.span));
            }
            VolumeKind::FsxWindows(ir::FsxWindowsVolume {
                file_system_id: fs,
                root_directory: root.unwrap_or_default(),
                credentials: credentials.unwrap_or_default(),
                domain: domain.unwrap_or_default(),
            })
        }
        "docker" => {
            let mut driver_opts = Vec::new();
            let mut labels = Vec::new();
            for b in block(s) {
                let Some(prop) = DockerVolume::from_name(&b.head.name) else {
                    unknown_property(cx, Id::DockerVolume, b);
                    continue;
                };
                let mut bw = Words::new(b);
                match prop {
                    DockerVolume::DriverOpt => driver_opts.extend(tag(cx, &mut bw, b)),
                    DockerVolume::Label => labels.extend(tag(cx, &mut bw, b)),
                }
                bw.finish(cx);
            }
            // ECS provisions a volume only when it outlives the task.
            if autoprovision && scope.as_deref() != Some("shared") {
                cx.push(errors::autoprovision_without_shared(s.span));
            }
            VolumeKind::Docker(ir::DockerVolume {
                scope,
                autoprovision,
                driver,
                driver_opts,
                labels,
            })
        }
        _ => VolumeKind::Bind { host_path: host },
    };
    Some(ir::Volume {
        name,
        kind,
        span: s.span,
    })
}
