//! Resolution of a service's task definition into a [`TaskSpec`]: the final
//! argv, environment and address of every container. Stage: runner. Input:
//! manifest, network and options. Output: a spec no driver needs to look
//! anything up in. Invariant: secret values come from the runner's
//! environment (or a file) at this moment and live only in the spec; a
//! missing value makes the task fail with ResourceInitializationError, as
//! ECS does, instead of starting without it.

use super::driver::{volume_var, ContainerSpec, Mount, TaskSpec};
use super::process::local_argv;
use super::secrets::Secrets;
use super::Shared;
use crate::manifest::{PortProtocol, SecretSource, Service, TaskDefinition, Volume, VolumeScope};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub fn task_spec(shared: &Shared, svc: &Service, id: &str) -> Result<TaskSpec, String> {
    let def = shared
        .manifest
        .task(&svc.task)
        .ok_or_else(|| format!("unknown task `{}`", svc.task))?;
    task_spec_of(shared, def, &svc.name, id)
}

/// [`task_spec`] of a given task definition (a job's, with its overrides
/// applied), for the service or job named `owner`.
pub fn task_spec_of(
    shared: &Shared,
    def: &TaskDefinition,
    owner: &str,
    id: &str,
) -> Result<TaskSpec, String> {
    let ports: Vec<u16> = def
        .containers
        .iter()
        .flat_map(|c| c.port_mappings.iter())
        .filter(|p| p.protocol == PortProtocol::Tcp)
        .flat_map(|p| match p.last_port {
            // A range is mapped to the same ports, as in awsvpc mode.
            Some(last) => p.container_port..=last,
            None => {
                let port = p.host_port.unwrap_or(p.container_port);
                port..=port
            }
        })
        .collect();
    let address = shared.net.allocate(&ports)?;
    let mut init_error = None;
    let volume_dirs = volume_dirs(shared, &def.volumes, id);
    let containers = def
        .containers
        .iter()
        .map(|c| {
            let mut env: BTreeMap<String, String> = c.environment.clone();
            for s in &c.secrets {
                match secret_value(&shared.opts.secrets, &s.value_from) {
                    Ok(v) => {
                        shared.logs.masks.add(&v);
                        env.insert(s.name.clone(), v);
                    }
                    Err(why) => {
                        init_error.get_or_insert(format!(
                            "ResourceInitializationError: secret `{}` of container `{}`: {why}",
                            s.name, c.name
                        ));
                    }
                }
            }
            let mut mounts = Vec::new();
            for mp in &c.mount_points {
                match volume_dirs
                    .iter()
                    .find(|(name, _)| *name == mp.source_volume)
                {
                    Some((_, Ok(dir))) => {
                        env.insert(volume_var(&mp.source_volume), dir.display().to_string());
                        mounts.push(Mount {
                            volume: mp.source_volume.clone(),
                            host_dir: dir.clone(),
                            container_path: mp.container_path.clone(),
                            read_only: mp.read_only,
                        });
                    }
                    Some((_, Err(why))) => {
                        init_error.get_or_insert(format!(
                            "ResourceInitializationError: volume `{}` of container `{}`: {why}",
                            mp.source_volume, c.name
                        ));
                    }
                    None => {}
                }
            }
            if let Some(local) = &c.local {
                env.extend(local.environment.clone());
            }
            env.insert("WHARF_HOST".into(), address.to_string());
            if let Some(p) = c.port_mappings.first() {
                env.insert("PORT".into(), p.container_port.to_string());
            }
            env.insert("WHARF_TASK_ID".into(), id.to_string());
            env.insert("WHARF_SERVICE".into(), owner.to_string());
            env.insert(
                "ECS_CONTAINER_METADATA_URI_V4".into(),
                shared.metadata.uri(id, &c.name),
            );
            env.insert(
                "ECS_CONTAINER_METADATA_URI".into(),
                shared.metadata.uri(id, &c.name),
            );
            env.extend(shared.net.discovery_env());
            if let Some(hosts) = &shared.hosts_file {
                env.insert("WHARF_HOSTS_FILE".into(), hosts.display().to_string());
            }
            let working_directory = c
                .local
                .as_ref()
                .and_then(|l| l.working_directory.as_ref())
                .map(|d| shared.opts.base_dir.join(d))
                .unwrap_or_else(|| shared.opts.base_dir.clone());
            ContainerSpec {
                name: c.name.clone(),
                image: c.image.clone(),
                entry_point: c.entry_point.clone(),
                command: c.command.clone(),
                local_argv: local_argv(c),
                working_directory: Some(working_directory.display().to_string()),
                image_working_directory: c.working_directory.clone(),
                env,
                ports: c.port_mappings.clone(),
                mounts,
                marker: format!("{}/{id}/{}", shared.run_id, c.name),
            }
        })
        .collect();
    Ok(TaskSpec {
        id: id.to_string(),
        family: def.family.clone(),
        service: owner.to_string(),
        address,
        hosts: shared.net.hosts(),
        containers,
        init_error,
        platform: def
            .runtime_platform
            .as_ref()
            .and_then(|p| p.oci_platform())
            .map(str::to_string),
    })
}

/// Where the run keeps its volumes: `<state>/volumes`, or a temporary
/// folder for runs without a state directory.
pub fn volumes_root(shared: &Shared) -> PathBuf {
    match &shared.opts.state_dir {
        Some(dir) => dir.join("volumes"),
        None => std::env::temp_dir().join(format!("{}-volumes", shared.run_id)),
    }
}

/// The directory of a task-scoped volume's task: removed when the task stops.
pub fn task_volumes(shared: &Shared, task_id: &str) -> PathBuf {
    volumes_root(shared).join("tasks").join(task_id)
}

/// Makes the directory of every volume of a task: a fresh one per task for
/// task-scoped volumes (ECS bind volumes start empty), one per storage key
/// for shared volumes (EFS, host paths), kept across tasks and runs.
fn volume_dirs(
    shared: &Shared,
    volumes: &[Volume],
    task_id: &str,
) -> Vec<(String, Result<PathBuf, String>)> {
    let task_dir = task_volumes(shared, task_id);
    let _ = std::fs::remove_dir_all(&task_dir);
    volumes
        .iter()
        .map(|v| {
            let dir = match (v.scope, &v.key) {
                (VolumeScope::Shared, Some(key)) => {
                    let safe: String = key
                        .chars()
                        .map(|c| {
                            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                                c
                            } else {
                                '_'
                            }
                        })
                        .collect();
                    volumes_root(shared).join("shared").join(safe)
                }
                (VolumeScope::Shared, None) => volumes_root(shared).join("shared").join(&v.name),
                (VolumeScope::Task, _) => task_dir.join(&v.name),
            };
            let made = std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))
                .and_then(|_| {
                    std::fs::canonicalize(&dir).map_err(|e| format!("`{}`: {e}", dir.display()))
                });
            (v.name.clone(), made)
        })
        .collect()
}

fn secret_value(given: &Secrets, source: &SecretSource) -> Result<String, String> {
    match source {
        SecretSource::Env { var } => given
            .get(var)
            .map(str::to_string)
            .or_else(|| std::env::var(var).ok())
            .ok_or_else(|| format!("no local value for `{var}`")),
        SecretSource::File { path } => super::secrets::read_bounded(
            std::path::Path::new(path),
            super::secrets::MAX_SECRET_VALUE,
        )
        .map(|s| s.strip_suffix('\n').unwrap_or(&s).to_string())
        .map_err(|e| format!("file `{path}` cannot be read: {e}")),
    }
}
