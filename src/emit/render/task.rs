//! `ir::Task` -> the `RegisterTaskDefinition` input (ECS API) or the
//! `AWS::ECS::TaskDefinition` properties (CloudFormation), in botocore
//! member order. Task `cpu` and `memory` are strings, as the API wants them;
//! the network mode is always written, `requiresCompatibilities` unless the
//! program leaves an EC2 task unmarked (ECS's default), `runtimePlatform`
//! only as the program names it, so an imported task definition comes back
//! without additions. EFS volumes write the root directory (ECS's silent
//! default is `/`) and transit encryption; `authorizationConfig` only with
//! an access point or IAM authorization, and then with `iam` spelled out.

use serde_json::Value;

use super::{container, Dialect, Fields};
use crate::ir;

/// The task's roles as the target writes them (an ARN, a reference to a
/// role the target creates), or absent.
pub(crate) struct Roles {
    pub task: Option<Value>,
    pub execution: Option<Value>,
}

pub(crate) fn task_definition<D: Dialect + ?Sized>(d: &D, task: &ir::Task, roles: Roles) -> Value {
    let containers = task
        .containers
        .iter()
        .map(|c| container::container(d, task, c))
        .collect::<Vec<_>>();
    let s = &task.settings;
    Fields::new(d, "RegisterTaskDefinitionRequest")
        .set("family", task.family.as_str())
        .opt("taskRoleArn", roles.task)
        .opt("executionRoleArn", roles.execution)
        .opt("networkMode", task.network_mode.member())
        .set("containerDefinitions", Value::Array(containers))
        .list(
            "volumes",
            task.volumes.iter().map(|v| volume(d, v)).collect(),
        )
        .list(
            "placementConstraints",
            s.placement_constraints
                .iter()
                .map(|x| {
                    Fields::new(d, "TaskDefinitionPlacementConstraint")
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
        .list("tags", tags(d, &task.tags))
        .opt("pidMode", s.pid_mode.as_deref())
        .opt("ipcMode", s.ipc_mode.as_deref())
        .opt(
            "proxyConfiguration",
            s.proxy.as_ref().map(|(container, props)| {
                Fields::new(d, "ProxyConfiguration")
                    .set("type", "APPMESH")
                    .set("containerName", container.as_str())
                    .list(
                        "properties",
                        props
                            .iter()
                            .map(|(k, v)| {
                                Fields::new(d, "KeyValuePair")
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
            task.ephemeral_storage_gib.map(|g| {
                Fields::new(d, "EphemeralStorage")
                    .set("sizeInGiB", g)
                    .build()
            }),
        )
        .opt("runtimePlatform", runtime_platform(d, task))
        .opt("enableFaultInjection", s.fault_injection.then_some(true))
        .build()
}

/// Resource tags (`[{"key": .., "value": ..}]`).
pub(crate) fn tags<D: Dialect + ?Sized>(d: &D, tags: &[(String, ir::Text)]) -> Vec<Value> {
    tags.iter()
        .map(|(k, v)| {
            Fields::new(d, "Tag")
                .set("key", k.as_str())
                .text("value", v)
                .build()
        })
        .collect()
}

/// `runtimePlatform` as the program names it; absent, ECS places the task
/// on any platform (on Fargate: Linux on X86_64, its documented default).
fn runtime_platform<D: Dialect + ?Sized>(d: &D, task: &ir::Task) -> Option<Value> {
    (task.arch.is_some() || task.os_family.is_some()).then(|| {
        Fields::new(d, "RuntimePlatform")
            .opt("cpuArchitecture", task.arch.map(ir::Arch::as_str))
            .opt("operatingSystemFamily", task.os_family.as_deref())
            .build()
    })
}

fn enabled(on: bool) -> &'static str {
    if on {
        "ENABLED"
    } else {
        "DISABLED"
    }
}

fn volume<D: Dialect + ?Sized>(d: &D, volume: &ir::Volume) -> Value {
    let v = Fields::new(d, "Volume").set("name", volume.name.as_str());
    match &volume.kind {
        ir::VolumeKind::Bind { host_path: None } => v,
        ir::VolumeKind::Bind {
            host_path: Some(path),
        } => v.set(
            "host",
            Fields::new(d, "HostVolumeProperties")
                .set("sourcePath", path.as_str())
                .build(),
        ),
        ir::VolumeKind::Efs(efs) => v.set("efsVolumeConfiguration", efs_volume(d, efs)),
        ir::VolumeKind::FsxWindows(fsx) => v.set(
            "fsxWindowsFileServerVolumeConfiguration",
            Fields::new(d, "FSxWindowsFileServerVolumeConfiguration")
                .text("fileSystemId", &fsx.file_system_id)
                .set("rootDirectory", fsx.root_directory.as_str())
                .set(
                    "authorizationConfig",
                    Fields::new(d, "FSxWindowsFileServerAuthorizationConfig")
                        .text("credentialsParameter", &fsx.credentials)
                        .set("domain", fsx.domain.as_str())
                        .build(),
                )
                .build(),
        ),
        ir::VolumeKind::Docker(dv) => v.set(
            "dockerVolumeConfiguration",
            Fields::new(d, "DockerVolumeConfiguration")
                .opt("scope", dv.scope.as_deref())
                .opt("autoprovision", dv.autoprovision.then_some(true))
                .opt("driver", dv.driver.as_deref())
                .map("driverOpts", &dv.driver_opts)
                .map("labels", &dv.labels)
                .build(),
        ),
    }
    .build()
}

fn efs_volume<D: Dialect + ?Sized>(d: &D, efs: &ir::EfsVolume) -> Value {
    let auth = (efs.access_point.is_some() || efs.iam).then(|| {
        Fields::new(d, "EFSAuthorizationConfig")
            .opt(
                "accessPointId",
                efs.access_point.as_ref().map(|a| d.text(a)),
            )
            .set("iam", enabled(efs.iam))
            .build()
    });
    Fields::new(d, "EFSVolumeConfiguration")
        .text("fileSystemId", &efs.file_system_id)
        .set(
            "rootDirectory",
            efs.root_directory.as_deref().unwrap_or("/"),
        )
        .set("transitEncryption", enabled(efs.transit_encryption))
        .opt("transitEncryptionPort", efs.transit_encryption_port)
        .opt("authorizationConfig", auth)
        .build()
}
