//! One entry of `containerDefinitions` -> a `container` block. Every
//! container is imported with the plain `container` head, never a pattern
//! (`sidecar`, `init`, `log_router`, ...), because patterns add
//! dependencies the JSON does not have; `essential off` and `depends_on`
//! say exactly what the JSON says.

use serde_json::{Map, Value};

use super::empty;
use super::writer::{ident_or_quoted, is_ident, list, quote, Block};
use crate::check::vocabulary::{Container as C, ContainerSetting as S, Linux as L, Pattern};

/// The `containerDefinitions` members the importer writes a statement for.
pub(super) const KNOWN: &[&str] = &[
    "name",
    "image",
    "cpu",
    "memory",
    "memoryReservation",
    "portMappings",
    "essential",
    "entryPoint",
    "command",
    "environment",
    "mountPoints",
    "secrets",
    "dependsOn",
    "startTimeout",
    "stopTimeout",
    "user",
    "workingDirectory",
    "readonlyRootFilesystem",
    "dockerLabels",
    "ulimits",
    "logConfiguration",
    "healthCheck",
    "firelensConfiguration",
    "repositoryCredentials",
    "links",
    "restartPolicy",
    "environmentFiles",
    "volumesFrom",
    "linuxParameters",
    "versionConsistency",
    "hostname",
    "disableNetworking",
    "privileged",
    "dnsServers",
    "dnsSearchDomains",
    "extraHosts",
    "dockerSecurityOptions",
    "interactive",
    "pseudoTerminal",
    "systemControls",
    "resourceRequirements",
    "credentialSpecs",
];

/// An integer member: a JSON number, or a string holding one, which ECS
/// (through CloudFormation and the console) reads as the number; that is
/// imported with a warning. Anything else is left out, with the reason.
pub(super) fn int(
    v: Option<&Value>,
    at: &str,
    dropped: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Option<u64> {
    match v? {
        Value::Null => None,
        Value::Number(n) => match n.as_u64() {
            Some(x) => Some(x),
            None => {
                dropped.push(format!("{at}: `{n}` is not a whole number"));
                None
            }
        },
        Value::String(s) => match s.trim().parse::<u64>() {
            Ok(x) => {
                warnings.push(format!(
                    "{at}: the string \"{s}\" is read as the number {x}"
                ));
                Some(x)
            }
            Err(_) => {
                dropped.push(format!("{at}: \"{s}\" is not a number"));
                None
            }
        },
        other => {
            dropped.push(format!("{at}: `{other}` is not a number"));
            None
        }
    }
}

pub(super) fn import_container(
    c: &Map<String, Value>,
    network_mode: &str,
    left_out_volumes: &[String],
    dropped: &mut Vec<String>,
    warnings: &mut Vec<String>,
) -> Block {
    let name = c.get("name").and_then(Value::as_str).unwrap_or("app");
    let at = format!("containerDefinitions[{name}]");
    let mut number = |key: &str, v: Option<&Value>| {
        let mut d = Vec::new();
        let n = int(v, &format!("{at}.{key}"), &mut d, warnings);
        (n, d)
    };
    let mut numbers = Vec::new();
    let mut get_int = |p: C| {
        let key = p.property().member();
        let (n, d) = number(key, c.get(key));
        numbers.extend(d);
        n
    };
    let cpu = get_int(C::Cpu);
    let memory = get_int(C::Memory);
    let reservation = get_int(C::MemoryReservation);
    let stop = get_int(C::StopTimeout);
    let start = get_int(C::StartTimeout);
    dropped.extend(numbers);
    let mut port_warnings = Vec::new();
    let mut drop = |what: String| dropped.push(format!("{at}.{what}"));
    let mut b = Block::new(format!(
        "{} {}",
        Pattern::Container.name(),
        ident_or_quoted(name)
    ));

    match c.get("image").and_then(Value::as_str) {
        Some(image) => b.line(format!("{} {}", C::Image.name(), quote(image))),
        None => drop("image: missing".into()),
    }
    if c.get("essential").and_then(Value::as_bool) == Some(false) {
        b.line(format!("{} off", C::Essential.name()));
    }
    if let Some(cpu) = cpu {
        b.line(format!("{} {cpu}", C::Cpu.name()));
    }
    for (value, p) in [(memory, C::Memory), (reservation, C::MemoryReservation)] {
        if let Some(mib) = value {
            b.line(format!("{} {mib}MiB", p.name()));
        }
    }
    for (i, p) in items(c, "portMappings").iter().enumerate() {
        let at = format!("{at}.portMappings[{i}]");
        match port(p, network_mode, &at, &mut port_warnings) {
            Ok(line) => b.line(line),
            Err(why) => drop(format!("portMappings[{i}]: {why}")),
        }
    }
    for (i, e) in items(c, "environment").iter().enumerate() {
        match (
            e.get("name").and_then(Value::as_str),
            e.get("value").and_then(Value::as_str),
        ) {
            (Some(k), Some(v)) => {
                let flag = kept_secret(k, v, |n| b.line(n));
                b.line(format!(
                    "{} {}{flag} = {}",
                    C::Env.name(),
                    ident_or_quoted(k),
                    quote(v)
                ))
            }
            _ => drop(format!("environment[{i}]: not a name and a string value")),
        }
    }
    for (i, s) in items(c, "secrets").iter().enumerate() {
        match secret(s) {
            Some(line) => b.line(line),
            None => drop(format!("secrets[{i}]: not a name and a valueFrom")),
        }
    }
    if let Some(h) = c.get("healthCheck").filter(|h| !empty(h)) {
        match health(h) {
            Ok(line) => b.line(line),
            Err(why) => drop(format!("healthCheck: {why}")),
        }
    }
    if let Some(l) = c.get("logConfiguration").filter(|l| !empty(l)) {
        match logs(l) {
            Ok(block) => b.child(block),
            Err(why) => drop(format!("logConfiguration: {why}")),
        }
    }
    if let Some(f) = c.get("firelensConfiguration").filter(|f| !empty(f)) {
        match firelens(f) {
            Ok(block) => b.child(block),
            Err(why) => drop(format!("firelensConfiguration: {why}")),
        }
    }
    for p in [C::Command, C::Entrypoint] {
        let key = p.property().member();
        if let Some(v) = c.get(key).filter(|v| !empty(v)) {
            match strings(v) {
                Some(argv) => b.line(format!("{} {}", p.name(), list(&argv))),
                None => drop(format!("{key}: not a list of strings")),
            }
        }
    }
    if let Some(dir) = c.get("workingDirectory").and_then(Value::as_str) {
        b.line(format!("{} {}", C::Workdir.name(), quote(dir)));
    }
    if let Some(user) = c.get("user").and_then(Value::as_str) {
        b.line(format!("{} {}", C::User.name(), quote(user)));
    }
    if c.get(C::Readonly.property().member())
        .and_then(Value::as_bool)
        == Some(true)
    {
        b.line(C::Readonly.name());
    }
    for (i, d) in items(c, "dependsOn").iter().enumerate() {
        let target = d.get("containerName").and_then(Value::as_str);
        let condition = d.get("condition").and_then(Value::as_str);
        match (target, condition) {
            (Some(t), Some(cond)) if is_ident(t) => {
                b.line(format!("{} {t} {cond}", C::DependsOn.name()))
            }
            _ => drop(format!(
                "dependsOn[{i}]: not a container name and a condition"
            )),
        }
    }
    for (i, m) in items(c, "mountPoints").iter().enumerate() {
        let volume = m.get("sourceVolume").and_then(Value::as_str);
        let path = m.get("containerPath").and_then(Value::as_str);
        match (volume, path) {
            (Some(v), Some(_)) if left_out_volumes.iter().any(|l| l == v) => drop(format!(
                "mountPoints[{i}]: volume `{v}` is left out, so its mount point is too"
            )),
            (Some(v), Some(p)) if is_ident(v) => {
                let ro = m.get("readOnly").and_then(Value::as_bool) == Some(true);
                b.line(format!(
                    "{} {v} {}{}",
                    C::Mount.name(),
                    quote(p),
                    if ro { " readonly" } else { "" }
                ));
            }
            _ => drop(format!("mountPoints[{i}]: not a volume name and a path")),
        }
    }
    for (value, p) in [(stop, C::StopTimeout), (start, C::StartTimeout)] {
        if let Some(s) = value {
            b.line(format!("{} {s}s", p.name()));
        }
    }
    for (i, u) in items(c, "ulimits").iter().enumerate() {
        let name = u.get("name").and_then(Value::as_str);
        let soft = u.get("softLimit").and_then(Value::as_u64);
        let hard = u.get("hardLimit").and_then(Value::as_u64);
        match (name, soft, hard) {
            (Some(n), Some(s), Some(h)) if is_ident(n) => {
                b.line(format!("{} {n} {s} {h}", C::Ulimit.name()))
            }
            _ => drop(format!("ulimits[{i}]: not a name and two limits")),
        }
    }
    if let Some(labels) = c.get("dockerLabels").and_then(Value::as_object) {
        for (k, v) in labels {
            match v.as_str() {
                Some(v) => {
                    let flag = kept_secret(k, v, |n| b.line(n));
                    b.line(format!(
                        "{} {}{flag} = {}",
                        C::Label.name(),
                        quote(k),
                        quote(v)
                    ))
                }
                None => drop(format!("dockerLabels.{k}: not a string")),
            }
        }
    }
    warnings.extend(port_warnings);
    settings(c, &mut b, &mut drop);
    for (key, value) in c {
        if !KNOWN.contains(&key.as_str()) && !empty(value) {
            drop(format!("{key}: no Wharf form"));
        } else if LISTS.contains(&key.as_str()) && !value.is_array() && !empty(value) {
            drop(format!("{key}: not a list"));
        }
    }
    b
}

/// Members that must be lists; anything else there is reported, not skipped.
const LISTS: &[&str] = &[
    "portMappings",
    "environment",
    "secrets",
    "dependsOn",
    "mountPoints",
    "ulimits",
];

fn items<'a>(c: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    c.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn strings(v: &Value) -> Option<Vec<String>> {
    v.as_array()?
        .iter()
        .map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// `port 80 [host 0] [udp] [name "web"]`; in awsvpc and host mode a host
/// port equal to the container port is what Wharf writes anyway.
fn port(
    p: &Value,
    network_mode: &str,
    at: &str,
    warnings: &mut Vec<String>,
) -> Result<String, String> {
    // `containerPortRange` "8000-8010": `port 8000..8010`.
    let range = match p.get("containerPortRange").filter(|v| !empty(v)) {
        None => None,
        Some(v) => {
            let text = v.as_str().unwrap_or_default();
            let bounds = text.split_once('-').and_then(|(a, b)| {
                Some((a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?))
            });
            match bounds {
                Some(b) if p.get("containerPort").is_none_or(empty) => Some(b),
                Some(_) => return Err("both `containerPort` and `containerPortRange`".into()),
                None => {
                    return Err(format!(
                        "`containerPortRange` {v} is not a range such as \"8000-8010\""
                    ))
                }
            }
        }
    };
    let mut bad = Vec::new();
    let container = int(
        p.get("containerPort"),
        &format!("{at}.containerPort"),
        &mut bad,
        warnings,
    );
    let host = int(
        p.get("hostPort"),
        &format!("{at}.hostPort"),
        &mut bad,
        warnings,
    );
    if let Some(why) = bad.first() {
        return Err(why.clone());
    }
    let mut line = match range {
        Some((first, last)) => format!("{} {first}..{last}", C::Port.name()),
        None => format!(
            "{} {}",
            C::Port.name(),
            container.ok_or("no containerPort")?
        ),
    };
    let container = container.unwrap_or(0);
    if let Some(host) = host {
        let implied =
            range.is_none() && matches!(network_mode, "awsvpc" | "host") && host == container;
        if !implied {
            line.push_str(&format!(" host {host}"));
        }
    }
    match p.get("protocol").and_then(Value::as_str) {
        None | Some("tcp") => {}
        Some("udp") => line.push_str(" udp"),
        Some(other) => return Err(format!("protocol `{other}`")),
    }
    if let Some(name) = p.get("name").and_then(Value::as_str) {
        line.push_str(&format!(" name {}", quote(name)));
    }
    match p.get("appProtocol").and_then(Value::as_str) {
        None => {}
        Some(a @ ("http" | "http2" | "grpc")) => line.push_str(&format!(" app_protocol {a}")),
        Some(other) => return Err(format!("appProtocol `{other}`")),
    }
    Ok(line)
}

/// `secret NAME = secretsmanager(ARN, key: .., stage: .., version: ..)` for a
/// Secrets Manager ARN (with its json key / stage / version suffix split
/// off), else `ssm(...)`.
fn secret(s: &Value) -> Option<String> {
    let name = s.get("name").and_then(Value::as_str)?;
    let value_from = s.get("valueFrom").and_then(Value::as_str)?;
    Some(format!(
        "{} {} = {}",
        C::Secret.name(),
        ident_or_quoted(name),
        secret_source(value_from)
    ))
}

pub(super) fn secret_source(value_from: &str) -> String {
    let parts: Vec<&str> = value_from.split(':').collect();
    if parts.len() < 7 || parts[0] != "arn" || parts[2] != "secretsmanager" {
        return format!("ssm({})", quote(value_from));
    }
    let mut args = quote(&parts[..7].join(":"));
    for (i, key) in ["key", "stage", "version"].iter().enumerate() {
        if let Some(v) = parts.get(7 + i).filter(|v| !v.is_empty()) {
            args.push_str(&format!(", {key}: {}", quote(v)));
        }
    }
    format!("secretsmanager({args})")
}

/// `health "cmd" every 30s ...` for CMD-SHELL, `health ["CMD", ...]` for
/// the exec form, `health raw [...]` for any other command array (ECS
/// passes it on as written); only the timings the JSON gives.
fn health(h: &Value) -> Result<String, String> {
    let command = h
        .get("command")
        .and_then(strings)
        .ok_or("no command list")?;
    let mut line = match command.first().map(String::as_str) {
        Some("CMD-SHELL") if command.len() == 2 => {
            format!("{} {}", C::Health.name(), quote(&command[1]))
        }
        Some("CMD") => format!("{} {}", C::Health.name(), list(&command)),
        Some(_) => format!("{} raw {}", C::Health.name(), list(&command)),
        None => return Err("an empty command".into()),
    };
    for (key, keyword, unit) in [
        ("interval", "every", "s"),
        ("timeout", "timeout", "s"),
        ("retries", "retries", ""),
        ("startPeriod", "grace", "s"),
    ] {
        if let Some(v) = h.get(key).and_then(Value::as_u64) {
            line.push_str(&format!(" {keyword} {v}{unit}"));
        }
    }
    Ok(line)
}

/// `logs DRIVER { "option" = "value"; secret "name" = ... }`; for awslogs
/// the group, region and stream prefix become keywords.
fn logs(l: &Value) -> Result<Block, String> {
    let driver = l
        .get("logDriver")
        .and_then(Value::as_str)
        .ok_or("no logDriver")?;
    let driver = match driver {
        "awslogs" | "fluentd" | "splunk" | "json-file" | "syslog" | "gelf" | "journald" => driver,
        "awsfirelens" => "firelens",
        other => return Err(format!("log driver `{other}` has no Wharf form")),
    };
    let mut head = format!("{} {driver}", C::Logs.name());
    let mut b_lines = Vec::new();
    let options = match l.get("options") {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => Some(o),
        Some(_) => return Err("options is not an object".into()),
    };
    for (k, v) in options.into_iter().flatten() {
        let v = v.as_str().ok_or(format!("option `{k}` is not a string"))?;
        let keyword = match (driver, k.as_str()) {
            ("awslogs", "awslogs-group") => Some("group"),
            ("awslogs", "awslogs-region") => Some("region"),
            ("awslogs", "awslogs-stream-prefix") => Some("prefix"),
            _ => None,
        };
        match keyword {
            Some(kw) => head.push_str(&format!(" {kw} {}", quote(v))),
            None => {
                let flag = kept_secret(k, v, |n| b_lines.push(n.to_string()));
                b_lines.push(format!("{}{flag} = {}", quote(k), quote(v)))
            }
        }
    }
    let secret_options = match l.get("secretOptions") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => return Err("secretOptions is not a list".into()),
    };
    for s in secret_options {
        let name = s.get("name").and_then(Value::as_str);
        let from = s.get("valueFrom").and_then(Value::as_str);
        match (name, from) {
            (Some(n), Some(f)) => b_lines.push(format!(
                "{} {} = {}",
                C::Secret.name(),
                quote(n),
                secret_source(f)
            )),
            _ => return Err("a secret option without name and valueFrom".into()),
        }
    }
    let mut b = Block::new(head);
    for line in b_lines {
        b.line(line);
    }
    Ok(b)
}

fn firelens(f: &Value) -> Result<Block, String> {
    let kind = match f.get("type").and_then(Value::as_str) {
        Some(k @ ("fluentbit" | "fluentd")) => k,
        other => return Err(format!("type `{}`", other.unwrap_or("missing"))),
    };
    let mut b = Block::new(format!("{} {kind}", C::Firelens.name()));
    for (k, v) in f
        .get("options")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let v = v.as_str().ok_or(format!("option `{k}` is not a string"))?;
        let flag = kept_secret(k, v, |n| b.line(n));
        b.line(format!("{}{flag} = {}", quote(k), quote(v)));
    }
    Ok(b)
}

/// A literal the checker would refuse as a secret (E0425: a secret-looking
/// name with a value that is plainly nothing else) is imported as written,
/// so the task definition still builds, but visibly: a comment above it and
/// the `not_secret` flag, which this returns to put after the name. A
/// credential-shaped value gets no flag: the build refuses it (E0443).
fn kept_secret(name: &str, value: &str, mut note: impl FnMut(&str)) -> &'static str {
    use crate::check::secrets;
    if secrets::secret_name(name)
        && !secrets::plain_value(value)
        && secrets::credential(Some(name), value).is_none()
    {
        note("// a literal secret, kept as imported: move it to Secrets Manager or SSM (`secret`)");
        " not_secret"
    } else {
        ""
    }
}

/// A list of strings as a Wharf list, or why not.
fn string_list(v: &Value) -> Result<String, String> {
    strings(v)
        .map(|items| list(&items))
        .ok_or_else(|| "not a list of strings".to_string())
}

fn flag(c: &Map<String, Value>, key: &str) -> Option<bool> {
    c.get(key).and_then(Value::as_bool)
}

/// The members `check::settings` reads (see docs/task-definition.md).
fn settings(c: &Map<String, Value>, b: &mut Block, drop: &mut dyn FnMut(String)) {
    if let Some(r) = c.get("repositoryCredentials").filter(|v| !empty(v)) {
        match r.get("credentialsParameter").and_then(Value::as_str) {
            // What `--generate-cli-skeleton` leaves for no credentials.
            Some("") => {}
            Some(arn) => b.line(format!("{} {}", S::RegistryCredentials.name(), quote(arn))),
            None => drop("repositoryCredentials: no credentialsParameter".into()),
        }
    }
    for p in [
        S::Links,
        S::Dns,
        S::DnsSearch,
        S::SecurityOptions,
        S::CredentialSpec,
    ] {
        let key = p.property().member();
        if let Some(v) = c.get(key).filter(|v| !empty(v)) {
            match string_list(v) {
                Ok(l) => b.line(format!("{} {l}", p.name())),
                Err(why) => drop(format!("{key}: {why}")),
            }
        }
    }
    for p in [S::Privileged, S::Interactive, S::Tty, S::DisableNetworking] {
        if flag(c, p.property().member()) == Some(true) {
            b.line(p.name());
        }
    }
    if let Some(h) = c.get("hostname").and_then(Value::as_str) {
        b.line(format!("{} {}", S::Hostname.name(), quote(h)));
    }
    match c.get("versionConsistency").and_then(Value::as_str) {
        None => {}
        Some("enabled") => b.line(format!("{} on", S::VersionConsistency.name())),
        Some("disabled") => b.line(format!("{} off", S::VersionConsistency.name())),
        Some(other) => drop(format!("versionConsistency: `{other}`")),
    }
    for (i, h) in items(c, "extraHosts").iter().enumerate() {
        match (
            h.get("hostname").and_then(Value::as_str),
            h.get("ipAddress").and_then(Value::as_str),
        ) {
            (Some(n), Some(ip)) => b.line(format!(
                "{} {} = {}",
                S::ExtraHost.name(),
                quote(n),
                quote(ip)
            )),
            _ => drop(format!("extraHosts[{i}]: not a hostname and an ipAddress")),
        }
    }
    for (i, sc) in items(c, "systemControls").iter().enumerate() {
        match (
            sc.get("namespace").and_then(Value::as_str),
            sc.get("value").and_then(Value::as_str),
        ) {
            (Some(n), Some(v)) => {
                b.line(format!("{} {} = {}", S::Sysctl.name(), quote(n), quote(v)))
            }
            _ => drop(format!("systemControls[{i}]: not a namespace and a value")),
        }
    }
    for (i, r) in items(c, "resourceRequirements").iter().enumerate() {
        let value = r
            .get("value")
            .and_then(Value::as_str)
            .and_then(|v| v.parse::<u32>().ok());
        match (r.get("type").and_then(Value::as_str), value) {
            (Some("GPU"), Some(n)) => b.line(format!("{} {n}", S::Gpu.name())),
            _ => drop(format!(
                "resourceRequirements[{i}]: only GPU counts have a Wharf form"
            )),
        }
    }
    for (i, f) in items(c, "environmentFiles").iter().enumerate() {
        match (
            f.get("type").and_then(Value::as_str),
            f.get("value").and_then(Value::as_str),
        ) {
            (Some("s3"), Some(v)) => b.line(format!("{} {}", S::EnvFile.name(), quote(v))),
            _ => drop(format!("environmentFiles[{i}]: not an s3 file")),
        }
    }
    for (i, v) in items(c, "volumesFrom").iter().enumerate() {
        match v.get("sourceContainer").and_then(Value::as_str) {
            Some(src) if is_ident(src) => {
                let ro = v.get("readOnly").and_then(Value::as_bool) == Some(true);
                b.line(format!(
                    "volumes_from {src}{}",
                    if ro { " readonly" } else { "" }
                ));
            }
            _ => drop(format!("volumesFrom[{i}]: not a container name")),
        }
    }
    if let Some(r) = c.get("restartPolicy").filter(|v| !empty(v)) {
        match r.get("enabled").and_then(Value::as_bool) {
            Some(true) => {
                let mut line = "restart".to_string();
                if let Some(codes) = r.get("ignoredExitCodes").and_then(Value::as_array) {
                    let codes: Vec<String> = codes.iter().map(Value::to_string).collect();
                    if !codes.is_empty() {
                        line.push_str(&format!(" ignore [{}]", codes.join(", ")));
                    }
                }
                if let Some(p) = r.get("restartAttemptPeriod").and_then(Value::as_u64) {
                    line.push_str(&format!(" period {p}s"));
                }
                b.line(line);
            }
            _ => drop("restartPolicy: only an enabled policy has a Wharf form".into()),
        }
    }
    if let Some(l) = c.get("linuxParameters").filter(|v| !empty(v)) {
        match linux(l) {
            Ok(block) => b.child(block),
            Err(why) => drop(format!("linuxParameters: {why}")),
        }
    }
}

fn linux(l: &Value) -> Result<Block, String> {
    let mut b = Block::new(S::Linux.name().to_string());
    let o = l.as_object().ok_or("not an object")?;
    for key in o.keys() {
        let known = [
            "capabilities",
            "devices",
            "initProcessEnabled",
            "sharedMemorySize",
            "tmpfs",
            "maxSwap",
            "swappiness",
        ];
        if !known.contains(&key.as_str()) && !empty(&o[key]) {
            return Err(format!("`{key}` has no Wharf form"));
        }
    }
    if o.get("initProcessEnabled").and_then(Value::as_bool) == Some(true) {
        b.line(L::Init.name());
    }
    if let Some(caps) = o.get("capabilities") {
        for (key, head) in [("add", "add_capabilities"), ("drop", "drop_capabilities")] {
            if let Some(v) = caps.get(key).filter(|v| !empty(v)) {
                b.line(format!("{head} {}", string_list(v)?));
            }
        }
    }
    for d in o
        .get("devices")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let host = d
            .get("hostPath")
            .and_then(Value::as_str)
            .ok_or("a device without hostPath")?;
        let mut line = format!("device {}", quote(host));
        if let Some(c) = d.get("containerPath").and_then(Value::as_str) {
            line.push_str(&format!(" container {}", quote(c)));
        }
        if let Some(p) = d.get("permissions").filter(|v| !empty(v)) {
            line.push_str(&format!(" permissions {}", string_list(p)?));
        }
        b.line(line);
    }
    for (key, head, unit) in [
        ("sharedMemorySize", "shared_memory", "MiB"),
        ("maxSwap", "max_swap", "MiB"),
        ("swappiness", "swappiness", ""),
    ] {
        if let Some(v) = o.get(key).and_then(Value::as_u64) {
            b.line(format!("{head} {v}{unit}"));
        }
    }
    for t in o
        .get("tmpfs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let path = t
            .get("containerPath")
            .and_then(Value::as_str)
            .ok_or("a tmpfs without containerPath")?;
        let size = t
            .get("size")
            .and_then(Value::as_u64)
            .ok_or("a tmpfs without size")?;
        let mut line = format!("tmpfs {} {size}MiB", quote(path));
        if let Some(opts) = t.get("mountOptions").filter(|v| !empty(v)) {
            line.push_str(&format!(" options {}", string_list(opts)?));
        }
        b.line(line);
    }
    Ok(b)
}
