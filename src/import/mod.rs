//! `wharf import`: a `RegisterTaskDefinition` input, or the output of
//! `aws ecs describe-task-definition`, becomes Wharf source. Stage: the
//! inverse of `emit::ecs` for one task definition. Input: the parsed JSON.
//! Output: the source text, and the fields that have no Wharf form.
//!
//! Invariant: for every field that is imported, building the source with
//! `--target ecs` gives the field back, modulo the defaults Wharf writes out
//! (`essential`, port `protocol` and `hostPort`, `readonlyRootFilesystem`,
//! health check timings, the awslogs stream prefix on Fargate, ...).
//! Fields with no Wharf form (`links`, `linuxParameters`, task placement
//! constraints, ...) are listed in [`Imported::dropped`], never silently
//! lost. Values ECS would default when absent are imported as that default
//! (`encrypt off`), so the meaning is kept; what the
//! original leaves out and Wharf would otherwise add (`requiresCompatibilities`
//! of a task that is not awsvpc, `runtimePlatform`) stays out.
//! The core is pure: reading the file and printing belong to `cli::import`.

mod container;
mod placeholders;
mod writer;

use serde_json::{Map, Value};

use crate::check::vocabulary::{Task as T, TaskSetting as TS, Top};
use writer::{is_ident, quote, Block};

/// The Wharf source for one task definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub source: String,
    /// JSON paths of fields left out because Wharf cannot express them, each
    /// with the reason.
    pub dropped: Vec<String>,
    /// Values imported as ECS would read them, not as written (a number
    /// written as a JSON string), each with its JSON path.
    pub warnings: Vec<String>,
    /// Template placeholders that became inputs: each placeholder text as
    /// written (`{{execution-role-arn}}`) with its input's name.
    pub inputs: Vec<(String, String)>,
}

/// Members of `describe-task-definition` output that registration does not
/// take (the model's read-only members); skipped without a word.
pub const READ_ONLY: &[&str] = &[
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
    "deleteRequestedAt",
];

/// Imports one task definition; `origin` (the file name) goes in the header
/// comment. Errors when the JSON is not a task definition at all.
pub fn import_task_definition(doc: &Value, origin: &str) -> Result<Imported, String> {
    let td = unwrap_describe(doc)?;
    let marked = placeholders::mark(td);
    let (td, placeholder_inputs) = match &marked {
        Some((m, pairs)) => (m, pairs.clone()),
        None => (td, Vec::new()),
    };
    if !td.contains_key("family") && !td.contains_key("containerDefinitions") {
        return Err(
            "not a task definition: it has neither `family` nor `containerDefinitions`".into(),
        );
    }
    let family = td
        .get("family")
        .and_then(Value::as_str)
        .ok_or("the task definition has no `family`")?;
    let containers = td
        .get("containerDefinitions")
        .and_then(Value::as_array)
        .ok_or("the task definition has no `containerDefinitions` list")?;

    let mut dropped = Vec::new();
    let mut warnings = Vec::new();
    let mut task = Block::new(format!("{} {}", Top::Task.name(), task_name(family)));
    if !is_ident(family) {
        task.line(format!("{} {}", T::Family.name(), quote(family)));
    }
    // Absent, ECS picks bridge on Linux and NAT on Windows: `network default`
    // writes no networkMode either.
    // Inputs written bare, as an enum member's value (`network MODE`).
    let mut enum_inputs: Vec<String> = Vec::new();
    let placeholder_mode = td
        .get("networkMode")
        .and_then(Value::as_str)
        .and_then(placeholders::whole_input);
    if let Some(name) = placeholder_mode {
        enum_inputs.push(name.to_string());
    }
    let mode = match td.get("networkMode") {
        _ if placeholder_mode.is_some() => "input",
        None | Some(Value::Null) => "default",
        Some(m) => match network_mode(m) {
            Ok((mode, None)) => mode,
            Ok((mode, Some(warning))) => {
                warnings.push(format!("networkMode: {warning}"));
                mode
            }
            Err(why) => {
                dropped.push(format!("networkMode: {why}"));
                "default"
            }
        },
    };
    match placeholder_mode {
        Some(name) => task.line(format!("{} {name}", T::Network.name())),
        None => task.line(format!("{} {mode}", T::Network.name())),
    }
    // Without `compat`, Wharf writes no requiresCompatibilities for a task
    // that is not awsvpc (ECS then validates for EC2, as it did the original).
    match compat(td, &mut dropped, &mut enum_inputs) {
        Some(c) => task.line(format!("{} {c}", T::Compat.name())),
        None if mode == "awsvpc" => task.line(format!("{} ec2 unlisted", T::Compat.name())),
        None => {}
    }
    if let Some(cpu) = td.get("cpu").filter(|v| !v.is_null()) {
        match task_cpu(cpu) {
            Some(units) => task.line(format!("{} {units}", T::Cpu.name())),
            None => dropped.push(format!("cpu: `{cpu}` is not a CPU amount")),
        }
    }
    if let Some(memory) = td.get("memory").filter(|v| !v.is_null()) {
        match task_memory(memory) {
            Some(mib) => task.line(format!("{} {mib}MiB", T::Memory.name())),
            None => dropped.push(format!("memory: `{memory}` is not a size")),
        }
    }
    for (key, keyword) in [
        ("executionRoleArn", "execution_role"),
        ("taskRoleArn", "task_role"),
    ] {
        // `""` is what `--generate-cli-skeleton` leaves for no role.
        if let Some(arn) = td
            .get(key)
            .and_then(Value::as_str)
            .filter(|a| !a.is_empty())
        {
            task.line(format!("{keyword} {}", quote(arn)));
        }
    }
    // A volume left out takes its mount points with it (noted on each), so
    // the imported program still builds.
    let mut left_out_volumes = Vec::new();
    for (i, v) in array(td, "volumes").iter().enumerate() {
        match volume(v) {
            Ok(line) => task.line(line),
            Err(why) => {
                let name = v.get("name").and_then(Value::as_str);
                match name {
                    Some(n) => {
                        dropped.push(format!("volumes[{i}] (`{n}`), the whole volume: {why}"));
                        left_out_volumes.push(n.to_string());
                    }
                    None => dropped.push(format!("volumes[{i}]: {why}")),
                }
            }
        }
    }
    runtime_platform(td, &mut task, &mut dropped);
    if let Some(size) = td
        .get("ephemeralStorage")
        .and_then(|e| e.get("sizeInGiB"))
        .and_then(Value::as_u64)
    {
        task.line(format!("{} {size}GiB", T::Storage.name()));
    }
    let tags = match doc.get("tags") {
        Some(t) if td.get("tags").is_none() && t.is_array() => t,
        _ => td.get("tags").unwrap_or(&Value::Null),
    };
    for t in tags.as_array().map(Vec::as_slice).unwrap_or_default() {
        match (
            t.get("key").and_then(Value::as_str),
            t.get("value").and_then(Value::as_str),
        ) {
            (Some(k), Some(v)) if !k.is_empty() => {
                task.line(format!("{} {} = {}", T::Tag.name(), quote(k), quote(v)))
            }
            _ => dropped.push(format!("tags: `{t}` is not a key and value")),
        }
    }
    task_settings(td, &mut task, &mut dropped);
    for key in td.keys() {
        let known = [
            "family",
            "networkMode",
            "requiresCompatibilities",
            "cpu",
            "memory",
            "executionRoleArn",
            "taskRoleArn",
            "volumes",
            "runtimePlatform",
            "ephemeralStorage",
            "tags",
            "containerDefinitions",
            "pidMode",
            "ipcMode",
            "placementConstraints",
            "proxyConfiguration",
            "enableFaultInjection",
        ];
        if !known.contains(&key.as_str()) && !READ_ONLY.contains(&key.as_str()) && !empty(&td[key])
        {
            dropped.push(format!("{key}: no Wharf form"));
        } else if ["volumes", "requiresCompatibilities", "tags"].contains(&key.as_str())
            && !td[key].is_array()
            && !empty(&td[key])
        {
            dropped.push(format!("{key}: not a list"));
        }
    }
    for (i, c) in containers.iter().enumerate() {
        match c.as_object() {
            Some(c) => task.section(container::import_container(
                c,
                mode,
                &left_out_volumes,
                &mut dropped,
                &mut warnings,
            )),
            None => dropped.push(format!("containerDefinitions[{i}]: not an object")),
        }
    }

    let body = task.render(0);
    let dropped: Vec<String> = dropped.iter().map(|d| placeholders::unmark(d)).collect();
    let warnings: Vec<String> = warnings.iter().map(|w| placeholders::unmark(w)).collect();
    let mut used = placeholders::declared(&body);
    for name in enum_inputs {
        if !used.contains(&name) {
            used.push(name);
        }
    }
    let inputs: Vec<(String, String)> = placeholder_inputs
        .into_iter()
        .filter(|(_, name)| used.contains(name))
        .collect();
    let mut source = format!("// Imported from `{origin}` by `wharf import`.\n");
    if !dropped.is_empty() {
        source.push_str("// Left out (no Wharf form):\n");
        for d in &dropped {
            source.push_str(&format!("//   {d}\n"));
        }
    }
    if !warnings.is_empty() {
        source.push_str("// Read as ECS reads them:\n");
        for w in &warnings {
            source.push_str(&format!("//   {w}\n"));
        }
    }
    source.push('\n');
    if !used.is_empty() {
        source.push_str(
            "// Template placeholders, given with `--input NAME=VALUE` (or the environment):\n",
        );
        for name in &used {
            source.push_str(&format!("input {name}: string\n"));
        }
        source.push('\n');
    }
    source.push_str(&body);
    Ok(Imported {
        source,
        dropped,
        warnings,
        inputs,
    })
}

/// The task definition itself, out of `{"taskDefinition": {...}}` if wrapped.
fn unwrap_describe(doc: &Value) -> Result<&Map<String, Value>, String> {
    let obj = doc
        .as_object()
        .ok_or("the top-level JSON value is not an object")?;
    match obj.get("taskDefinition") {
        Some(Value::Object(inner)) if !obj.contains_key("containerDefinitions") => Ok(inner),
        _ => Ok(obj),
    }
}

/// A Wharf name for the task: the family, or it with every character a name
/// cannot hold replaced by `_` (the family is then written out).
fn task_name(family: &str) -> String {
    if is_ident(family) {
        return family.to_string();
    }
    let mut name: String = family
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        name.insert(0, '_');
    }
    name
}

/// The Wharf network mode for a `networkMode` value, with a warning when
/// it is not written as ECS's API takes it: another case (`AWSVPC`), or
/// the console's `<default>` (also written `default`), which means no
/// networkMode (Docker's NAT on Windows, bridge on Linux; ECS API
/// reference, RegisterTaskDefinition `networkMode`).
fn network_mode(v: &Value) -> Result<(&'static str, Option<String>), String> {
    const MODES: [&str; 4] = ["awsvpc", "bridge", "host", "none"];
    let Some(written) = v.as_str() else {
        return Err(format!("`{v}` is not a network mode"));
    };
    let trimmed = written.trim();
    if let Some(m) = MODES.iter().find(|m| **m == written) {
        return Ok((m, None));
    }
    if let Some(m) = MODES.iter().find(|m| m.eq_ignore_ascii_case(trimmed)) {
        return Ok((
            m,
            Some(format!(
                "`{written}` is read as `{m}`, as ECS's API spells it"
            )),
        ));
    }
    if ["default", "<default>"].contains(&trimmed.to_ascii_lowercase().as_str()) {
        return Ok((
            "default",
            Some(format!(
                "`{written}` is the console's <default>, which the API writes as no networkMode"
            )),
        ));
    }
    Err(format!("`{written}` is not a network mode"))
}

/// `requiresCompatibilities`, if the original lists any; ECS checks an
/// unlisted one against EC2.
fn compat(
    td: &Map<String, Value>,
    dropped: &mut Vec<String>,
    enum_inputs: &mut Vec<String>,
) -> Option<String> {
    let mut names = Vec::new();
    for c in array(td, "requiresCompatibilities") {
        match c.as_str() {
            Some("EC2") => names.push("ec2"),
            Some("FARGATE") => names.push("fargate"),
            Some("EXTERNAL") => names.push("external"),
            Some(s) if placeholders::whole_input(s).is_some() => {
                let name = placeholders::whole_input(s).unwrap_or_default();
                enum_inputs.push(name.to_string());
                names.push(name);
            }
            _ => dropped.push(format!("requiresCompatibilities: `{c}` has no Wharf form")),
        }
    }
    match names.as_slice() {
        [] => None,
        [one] => Some(one.to_string()),
        many => Some(format!("[{}]", many.join(", "))),
    }
}

fn runtime_platform(td: &Map<String, Value>, task: &mut Block, dropped: &mut Vec<String>) {
    let Some(p) = td.get("runtimePlatform").and_then(Value::as_object) else {
        return;
    };
    match p.get("cpuArchitecture").and_then(Value::as_str) {
        None => {}
        Some("X86_64") => task.line(format!("{} x86_64", T::Arch.name())),
        Some("ARM64") => task.line(format!("{} arm64", T::Arch.name())),
        Some(other) => dropped.push(format!("runtimePlatform.cpuArchitecture: `{other}`")),
    }
    match p.get("operatingSystemFamily").and_then(Value::as_str) {
        None => {}
        Some(os) => match crate::check::OS_FAMILIES
            .iter()
            .find(|f| f.eq_ignore_ascii_case(os))
        {
            Some(f) => task.line(format!("{} {f}", T::Os.name())),
            None => dropped.push(format!(
                "runtimePlatform.operatingSystemFamily: `{os}` is not an ECS operating system family"
            )),
        },
    }
}

fn volume(v: &Value) -> Result<String, String> {
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .ok_or("a volume without a name")?;
    if !is_ident(name) {
        return Err(format!("name `{name}` is not a Wharf name"));
    }
    let extra: Vec<&String> = v
        .as_object()
        .into_iter()
        .flat_map(|o| o.iter())
        .filter(|(k, val)| {
            ![
                "name",
                "host",
                "efsVolumeConfiguration",
                "dockerVolumeConfiguration",
                "fsxWindowsFileServerVolumeConfiguration",
            ]
            .contains(&k.as_str())
                && !empty(val)
        })
        .map(|(k, _)| k)
        .collect();
    if let Some(k) = extra.first() {
        return Err(format!("`{k}` has no Wharf form"));
    }
    if let Some(efs) = v.get("efsVolumeConfiguration") {
        let fs = efs
            .get("fileSystemId")
            .and_then(Value::as_str)
            .ok_or("an EFS volume without fileSystemId")?;
        let mut line = format!("{} {name} efs {}", T::Volume.name(), quote(fs));
        if let Some(root) = efs.get("rootDirectory").and_then(Value::as_str) {
            line.push_str(&format!(" root {}", quote(root)));
        }
        let auth = efs.get("authorizationConfig");
        if let Some(ap) = auth
            .and_then(|a| a.get("accessPointId"))
            .and_then(Value::as_str)
        {
            line.push_str(&format!(" access_point {}", quote(ap)));
        }
        if auth.and_then(|a| a.get("iam")).and_then(Value::as_str) == Some("ENABLED") {
            line.push_str(" iam");
        }
        let encrypted = efs.get("transitEncryption").and_then(Value::as_str) == Some("ENABLED");
        line.push_str(if encrypted {
            " encrypt on"
        } else {
            " encrypt off"
        });
        match efs.get("transitEncryptionPort") {
            None | Some(Value::Null) => {}
            Some(p) => match p.as_u64() {
                Some(port) => line.push_str(&format!(" encrypt_port {port}")),
                None => return Err(format!("transitEncryptionPort `{p}` is not a port")),
            },
        }
        return Ok(line);
    }
    if let Some(f) = v
        .get("fsxWindowsFileServerVolumeConfiguration")
        .filter(|f| !empty(f))
    {
        return fsx_volume(name, f);
    }
    if let Some(d) = v.get("dockerVolumeConfiguration").filter(|d| d.is_object()) {
        return docker_volume(name, d);
    }
    match v
        .get("host")
        .and_then(|h| h.get("sourcePath"))
        .and_then(Value::as_str)
    {
        Some(path) => Ok(format!(
            "{} {name} bind host {}",
            T::Volume.name(),
            quote(path)
        )),
        None => Ok(format!("{} {name} bind", T::Volume.name())),
    }
}

/// `volume NAME fsx FS_ID root SHARE credentials ARN domain DOMAIN`: ECS
/// requires every member, so one missing is reported, not guessed.
fn fsx_volume(name: &str, f: &Value) -> Result<String, String> {
    let member = |v: Option<&Value>, key: &str| {
        v.and_then(Value::as_str).map(quote).ok_or(format!(
            "an FSx for Windows File Server volume without `{key}`"
        ))
    };
    let auth = f.get("authorizationConfig");
    Ok(format!(
        "{} {name} fsx {} root {} credentials {} domain {}",
        T::Volume.name(),
        member(f.get("fileSystemId"), "fileSystemId")?,
        member(f.get("rootDirectory"), "rootDirectory")?,
        member(
            auth.and_then(|a| a.get("credentialsParameter")),
            "authorizationConfig.credentialsParameter"
        )?,
        member(
            auth.and_then(|a| a.get("domain")),
            "authorizationConfig.domain"
        )?,
    ))
}

/// `pid`, `ipc`, `placement_constraint`, `proxy`, `fault_injection`.
fn task_settings(td: &Map<String, Value>, task: &mut Block, dropped: &mut Vec<String>) {
    for p in [TS::Pid, TS::Ipc] {
        let (key, allowed) = (p.property().member(), p.property().choices);
        match td.get(key).and_then(Value::as_str) {
            None => {}
            Some(m) if allowed.contains(&m) => task.line(format!("{} {m}", p.name())),
            Some(other) => dropped.push(format!("{key}: `{other}`")),
        }
    }
    for (i, p) in array(td, "placementConstraints").iter().enumerate() {
        match (
            p.get("type").and_then(Value::as_str),
            p.get("expression").and_then(Value::as_str),
        ) {
            (Some("memberOf"), Some(x)) => {
                task.line(format!("{} {}", TS::PlacementConstraint.name(), quote(x)))
            }
            _ => dropped.push(format!(
                "placementConstraints[{i}]: not a memberOf expression"
            )),
        }
    }
    if let Some(p) = td.get("proxyConfiguration").filter(|v| !empty(v)) {
        let container = p.get("containerName").and_then(Value::as_str);
        let kind = p.get("type").and_then(Value::as_str).unwrap_or("APPMESH");
        match container {
            Some(c) if is_ident(c) && kind == "APPMESH" => {
                let mut b = Block::new(format!("{} {c}", TS::Proxy.name()));
                for prop in p
                    .get("properties")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let (Some(n), Some(v)) = (
                        prop.get("name").and_then(Value::as_str),
                        prop.get("value").and_then(Value::as_str),
                    ) {
                        b.line(format!("{} = {}", quote(n), quote(v)));
                    }
                }
                task.child(b);
            }
            _ => dropped.push("proxyConfiguration: not an App Mesh proxy container".into()),
        }
    }
    if td.get("enableFaultInjection").and_then(Value::as_bool) == Some(true) {
        task.line(TS::FaultInjection.name());
    }
}

/// `volume NAME docker [scope ..] [autoprovision] [driver ".."] { driver_opt ..; label .. }`
fn docker_volume(name: &str, d: &Value) -> Result<String, String> {
    let mut line = format!("{} {name} docker", T::Volume.name());
    match d.get("scope").and_then(Value::as_str) {
        None => {}
        Some(s @ ("task" | "shared")) => line.push_str(&format!(" scope {s}")),
        Some(other) => return Err(format!("Docker volume scope `{other}`")),
    }
    match d.get("autoprovision") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => line.push_str(" autoprovision"),
        Some(other) => return Err(format!("autoprovision `{other}` is not a boolean")),
    }
    if let Some(driver) = d.get("driver").and_then(Value::as_str) {
        line.push_str(&format!(" driver {}", quote(driver)));
    }
    let mut block = Vec::new();
    for (key, keyword) in [("driverOpts", "driver_opt"), ("labels", "label")] {
        for (k, v) in d.get(key).and_then(Value::as_object).into_iter().flatten() {
            let v = v.as_str().ok_or(format!("{key}.{k} is not a string"))?;
            block.push(format!("{keyword} {} = {}", quote(k), quote(v)));
        }
    }
    if !block.is_empty() {
        line.push_str(&format!(" {{ {} }}", block.join("; ")));
    }
    Ok(line)
}

/// Task cpu: `"256"`, `256`, `"1 vCPU"`, `"0.25 vcpu"` -> units.
fn task_cpu(v: &Value) -> Option<u64> {
    let s = scalar(v)?;
    let lower = s.to_ascii_lowercase();
    match lower.strip_suffix("vcpu") {
        Some(n) => n
            .trim()
            .parse::<f64>()
            .ok()
            .map(|f| (f * 1024.0).round() as u64),
        None => lower.parse().ok(),
    }
}

/// Task memory: `"512"`, `512`, `"2GB"`, `"2 GB"` -> MiB.
fn task_memory(v: &Value) -> Option<u64> {
    let s = scalar(v)?;
    let lower = s.to_ascii_lowercase().replace(' ', "");
    match lower.strip_suffix("gb") {
        Some(n) => n.parse::<f64>().ok().map(|f| (f * 1024.0).round() as u64),
        None => lower.strip_suffix("mb").unwrap_or(&lower).parse().ok(),
    }
}

/// A string or a number as text.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn array<'a>(obj: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    obj.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// `null`, `[]`, `{}` and `""`: what a CLI skeleton leaves in and ECS ignores.
fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
