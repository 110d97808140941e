//! `ir::Task` -> `RegisterTaskDefinition` input. Keys in botocore member
//! order; task `cpu` and `memory` are strings, as the API wants them; the
//! network mode, compatibilities and runtime platform are always written.
//! Containers are lowered in `container.rs`.

use serde_json::Value;

use super::{container, enabled, errors, resolve, tags, Obj};
use crate::diag::Diagnostic;
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
        .opt("executionRoleArn", execution_role(program, task))
        .set("networkMode", task.network_mode.as_str())
        .set("containerDefinitions", Value::Array(containers))
        .list(
            "volumes",
            task.volumes.iter().map(|v| volume(program, v)).collect(),
        )
        .set(
            "requiresCompatibilities",
            task.compatibilities
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>(),
        )
        .opt("cpu", task.cpu.map(|c| c.to_string()))
        .opt("memory", task.memory.map(|m| m.to_string()))
        .list("tags", tags(program, &task.tags))
        .opt(
            "ephemeralStorage",
            task.ephemeral_storage_gib
                .map(|g| Obj::new().set("sizeInGiB", g).build()),
        )
        .set(
            "runtimePlatform",
            Obj::new()
                .set(
                    "cpuArchitecture",
                    match task.arch {
                        ir::Arch::X86_64 => "X86_64",
                        ir::Arch::Arm64 => "ARM64",
                    },
                )
                .set("operatingSystemFamily", "LINUX")
                .build(),
        )
        .build()
}

/// The task role: an ARN as given; a generated role is omitted when it
/// would grant nothing, and is E0506 when it would grant something.
fn task_role(
    program: &ir::Program,
    task: &ir::Task,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    match &task.task_role {
        ir::Role::Arn(arn) => Some(resolve(program, arn)),
        ir::Role::None => None,
        ir::Role::Generated => {
            if let Some(first) = task.permissions.first() {
                diags.push(errors::needs_task_role(&task.name, first.span, task.span));
            }
            None
        }
    }
}

/// The execution role: an ARN as given; a generated role becomes the
/// account's default `ecsTaskExecutionRole` when something needs it.
fn execution_role(program: &ir::Program, task: &ir::Task) -> Option<String> {
    match &task.execution_role {
        ir::Role::Arn(arn) => Some(resolve(program, arn)),
        ir::Role::None => None,
        ir::Role::Generated => {
            needs_execution_role(program, task).then(|| DEFAULT_EXECUTION_ROLE.to_string())
        }
    }
}

/// True when the ECS agent must act for the task: pull a private ECR image,
/// write to CloudWatch Logs, or read secrets.
pub(crate) fn needs_execution_role(program: &ir::Program, task: &ir::Task) -> bool {
    let needs = &task.execution_needs;
    let declared = !needs.ecr_repositories.is_empty()
        || !needs.log_groups.is_empty()
        || !needs.secrets.is_empty()
        || !needs.parameters.is_empty()
        || !needs.kms_keys.is_empty();
    declared
        || task.containers.iter().any(|c| {
            !c.secrets.is_empty()
                || resolve(program, &c.image).contains(".dkr.ecr.")
                || c.log.as_ref().is_some_and(|l| {
                    l.driver == ir::LogDriver::Awslogs || !l.secret_options.is_empty()
                })
        })
}

fn volume(program: &ir::Program, volume: &ir::Volume) -> Value {
    let v = Obj::new().set("name", volume.name.as_str());
    match &volume.kind {
        ir::VolumeKind::Bind { host_path: None } => v,
        ir::VolumeKind::Bind {
            host_path: Some(path),
        } => v.set("host", Obj::new().set("sourcePath", path.as_str()).build()),
        ir::VolumeKind::Efs(efs) => v.set("efsVolumeConfiguration", efs_volume(program, efs)),
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
        .opt("authorizationConfig", auth)
        .build()
}
