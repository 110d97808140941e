//! `ir::Task` -> `RegisterTaskDefinition` input. Keys in botocore member
//! order; task `cpu` and `memory` are strings, as the API wants them; the
//! network mode is always written, `requiresCompatibilities` unless the
//! program leaves an EC2 task unmarked (ECS's default), `runtimePlatform`
//! only as the program names it, so an imported task definition comes back
//! without additions.
//! Containers are lowered in `container.rs`.

use serde_json::Value;

use super::{container, enabled, errors, resolve, tags, Obj};
use crate::diag::{Diagnostic, Span};
use crate::ir;

/// The role name AWS documents for an account's default task execution role.
pub(crate) const DEFAULT_EXECUTION_ROLE: &str = "ecsTaskExecutionRole";

pub(crate) fn emit_task_definition(
    program: &ir::Program,
    task: &ir::Task,
    diags: &mut Vec<Diagnostic>,
) -> Value {
    let containers = task
        .containers
        .iter()
        .map(|c| container::emit_container(program, task, c))
        .collect();
    Obj::new()
        .set("family", task.family.as_str())
        .opt("taskRoleArn", task_role(program, task, diags))
        .opt("executionRoleArn", execution_role(program, task, diags))
        .opt("networkMode", task.network_mode.member())
        .set("containerDefinitions", Value::Array(containers))
        .list(
            "volumes",
            task.volumes.iter().map(|v| volume(program, v)).collect(),
        )
        .list(
            "placementConstraints",
            task.settings
                .placement_constraints
                .iter()
                .map(|x| {
                    Obj::new()
                        .set("type", "memberOf")
                        .set("expression", x.as_str())
                        .build()
                })
                .collect(),
        )
        .opt(
            "requiresCompatibilities",
            task.requires_compatibilities.then(|| {
                task.compatibilities
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
            }),
        )
        .opt("cpu", task.cpu.map(|c| c.to_string()))
        .opt("memory", task.memory.map(|m| m.to_string()))
        .list("tags", tags(program, &task.tags))
        .opt("pidMode", task.settings.pid_mode.as_deref())
        .opt("ipcMode", task.settings.ipc_mode.as_deref())
        .opt(
            "proxyConfiguration",
            task.settings.proxy.as_ref().map(|(container, props)| {
                Obj::new()
                    .set("type", "APPMESH")
                    .set("containerName", container.as_str())
                    .list(
                        "properties",
                        props
                            .iter()
                            .map(|(k, v)| {
                                Obj::new()
                                    .set("name", k.as_str())
                                    .set("value", v.as_str())
                                    .build()
                            })
                            .collect(),
                    )
                    .build()
            }),
        )
        .opt(
            "ephemeralStorage",
            task.ephemeral_storage_gib
                .map(|g| Obj::new().set("sizeInGiB", g).build()),
        )
        .opt("runtimePlatform", runtime_platform(task))
        .opt(
            "enableFaultInjection",
            task.settings.fault_injection.then_some(true),
        )
        .build()
}

/// `runtimePlatform` as the program names it; absent, ECS places the task
/// on any platform (on Fargate: Linux on X86_64, its documented default).
fn runtime_platform(task: &ir::Task) -> Option<Value> {
    (task.arch.is_some() || task.os_family.is_some()).then(|| {
        Obj::new()
            .opt("cpuArchitecture", task.arch.map(ir::Arch::as_str))
            .opt("operatingSystemFamily", task.os_family.as_deref())
            .build()
    })
}

/// The task role: an ARN as given. A generated role is omitted when it
/// would grant nothing, and is E0506 when something needs it: `allow`
/// statements, IAM authorization to an EFS volume, or ECS Exec on a service
/// running the task (the grants the CloudFormation target puts in it).
pub(crate) fn task_role(
    program: &ir::Program,
    task: &ir::Task,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    match &task.task_role {
        ir::Role::Arn(arn) => Some(resolve(program, arn)),
        ir::Role::None => None,
        ir::Role::Generated => {
            let mut reasons: Vec<(Span, String)> = task
                .permissions
                .iter()
                .map(|p| (p.span, "this permission needs a generated task role".into()))
                .collect();
            reasons.extend(task.volumes.iter().filter_map(|v| match &v.kind {
                ir::VolumeKind::Efs(efs) if efs.iam => Some((
                    v.span,
                    format!(
                        "IAM authorization to volume `{}` mounts with the task role",
                        v.name
                    ),
                )),
                _ => None,
            }));
            reasons.extend(
                program
                    .services
                    .iter()
                    .filter(|s| s.task == task.name && s.execute_command)
                    .map(|s| {
                        (
                            s.span,
                            format!("ECS Exec into service `{}` needs a task role", s.name),
                        )
                    }),
            );
            if !reasons.is_empty() {
                diags.push(errors::needs_task_role(&task.name, &reasons, task.span));
            }
            None
        }
    }
}

/// The execution role: an ARN as given; a generated role, when something
/// needs it, becomes the ARN of the account's conventional
/// `ecsTaskExecutionRole` (the program names the account), else E0507.
pub(crate) fn execution_role(
    program: &ir::Program,
    task: &ir::Task,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    match &task.execution_role {
        ir::Role::Arn(arn) => Some(resolve(program, arn)),
        ir::Role::None => None,
        // The checker leaves `Generated` only where something needs the role.
        ir::Role::Generated => match &program.account {
            Some(account) => {
                let partition = match program.region.as_deref() {
                    Some(r) if r.starts_with("cn-") => "aws-cn",
                    Some(r) if r.starts_with("us-gov-") => "aws-us-gov",
                    _ => "aws",
                };
                Some(format!(
                    "arn:{partition}:iam::{account}:role/{DEFAULT_EXECUTION_ROLE}"
                ))
            }
            None => {
                diags.push(errors::needs_execution_role(&task.name, task.span));
                None
            }
        },
    }
}

fn volume(program: &ir::Program, volume: &ir::Volume) -> Value {
    let v = Obj::new().set("name", volume.name.as_str());
    match &volume.kind {
        ir::VolumeKind::Bind { host_path: None } => v,
        ir::VolumeKind::Bind {
            host_path: Some(path),
        } => v.set("host", Obj::new().set("sourcePath", path.as_str()).build()),
        ir::VolumeKind::Efs(efs) => v.set("efsVolumeConfiguration", efs_volume(program, efs)),
        ir::VolumeKind::FsxWindows(fsx) => v.set(
            "fsxWindowsFileServerVolumeConfiguration",
            Obj::new()
                .set("fileSystemId", resolve(program, &fsx.file_system_id))
                .set("rootDirectory", fsx.root_directory.as_str())
                .set(
                    "authorizationConfig",
                    Obj::new()
                        .set("credentialsParameter", resolve(program, &fsx.credentials))
                        .set("domain", fsx.domain.as_str())
                        .build(),
                )
                .build(),
        ),
        ir::VolumeKind::Docker(d) => v.set(
            "dockerVolumeConfiguration",
            Obj::new()
                .opt("scope", d.scope.as_deref())
                .opt("autoprovision", d.autoprovision.then_some(true))
                .opt("driver", d.driver.as_deref())
                .opt("driverOpts", super::string_map(program, &d.driver_opts))
                .opt("labels", super::string_map(program, &d.labels))
                .build(),
        ),
    }
    .build()
}

/// EFS: the root directory (ECS's silent default is `/`) and transit
/// encryption are always written; `authorizationConfig` only when there is
/// an access point or IAM authorization, and then with `iam` spelled out.
fn efs_volume(program: &ir::Program, efs: &ir::EfsVolume) -> Value {
    let auth = (efs.access_point.is_some() || efs.iam).then(|| {
        Obj::new()
            .opt(
                "accessPointId",
                efs.access_point.as_ref().map(|a| resolve(program, a)),
            )
            .set("iam", enabled(efs.iam))
            .build()
    });
    Obj::new()
        .set("fileSystemId", resolve(program, &efs.file_system_id))
        .set(
            "rootDirectory",
            efs.root_directory.as_deref().unwrap_or("/"),
        )
        .set("transitEncryption", enabled(efs.transit_encryption))
        .opt("transitEncryptionPort", efs.transit_encryption_port)
        .opt("authorizationConfig", auth)
        .build()
}
