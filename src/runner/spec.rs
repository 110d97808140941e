//! Resolution of a service's task definition into a [`TaskSpec`]: the final
//! argv, environment and address of every container. Stage: runner. Input:
//! manifest, network and options. Output: a spec no driver needs to look
//! anything up in. Invariant: secret values come from the runner's
//! environment (or a file) at this moment and live only in the spec; a
//! missing value makes the task fail with ResourceInitializationError, as
//! ECS does, instead of starting without it.

use super::driver::{ContainerSpec, TaskSpec};
use super::process::local_argv;
use super::secrets::Secrets;
use super::Shared;
use crate::manifest::{PortProtocol, SecretSource, Service};
use std::collections::BTreeMap;

pub fn task_spec(shared: &Shared, svc: &Service, id: &str) -> Option<TaskSpec> {
    let def = shared.manifest.task(&svc.task)?;
    let ports: Vec<u16> = def
        .containers
        .iter()
        .flat_map(|c| c.port_mappings.iter())
        .filter(|p| p.protocol == PortProtocol::Tcp)
        .map(|p| p.host_port.unwrap_or(p.container_port))
        .collect();
    let address = shared.net.allocate(&ports)?;
    let mut init_error = None;
    let containers = def
        .containers
        .iter()
        .map(|c| {
            let mut env: BTreeMap<String, String> = c.environment.clone();
            for s in &c.secrets {
                match secret_value(&shared.opts.secrets, &s.value_from) {
                    Ok(v) => {
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
            if let Some(local) = &c.local {
                env.extend(local.environment.clone());
            }
            env.insert("WHARF_HOST".into(), address.to_string());
            if let Some(p) = c.port_mappings.first() {
                env.insert("PORT".into(), p.container_port.to_string());
            }
            env.insert("WHARF_TASK_ID".into(), id.to_string());
            env.insert("WHARF_SERVICE".into(), svc.name.clone());
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
                marker: format!("{}/{id}/{}", shared.run_id, c.name),
            }
        })
        .collect();
    Some(TaskSpec {
        id: id.to_string(),
        family: def.family.clone(),
        service: svc.name.clone(),
        address,
        hosts: shared.net.hosts(),
        containers,
        init_error,
    })
}

fn secret_value(given: &Secrets, source: &SecretSource) -> Result<String, String> {
    match source {
        SecretSource::Env { var } => given
            .get(var)
            .map(str::to_string)
            .or_else(|| std::env::var(var).ok())
            .ok_or_else(|| format!("no local value for `{var}`")),
        SecretSource::File { path } => std::fs::read_to_string(path)
            .map(|s| s.strip_suffix('\n').unwrap_or(&s).to_string())
            .map_err(|e| format!("file `{path}` cannot be read: {e}")),
    }
}
