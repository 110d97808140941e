//! Value limits of a container definition that the ECS API reference states
//! and that a value's own type cannot carry (E0450–E0457): ulimit names and
//! Fargate's nofile cap, the smallest memory a container can start with,
//! Fargate's start timeout range, environment file ARNs, port mapping names,
//! restart policy bounds, namespaced system controls, keys given twice, and
//! EFS volumes and mount points.
//! Stage: check, over the lowered task. Input: one task. Output: diagnostics.
//! Invariant: a rule refuses only what ECS refuses or what cannot start;
//! values built from inputs are checked as far as their literal parts go.

use super::errors::limit as e;
use super::Cx;
use crate::ir::{Container, NetworkMode, Task, Text, TextPart, VolumeKind};
use std::collections::HashMap;

/// `Ulimit.name` (ECS API reference, Ulimit): the resource names ECS accepts.
pub const ULIMIT_NAMES: &[&str] = &[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// Fargate's ceiling for the `nofile` hard limit (ECS API reference, Ulimit).
const FARGATE_NOFILE_MAX: u32 = 1_048_576;

/// The least memory, in MiB, Docker 20.10 and later start a container with
/// (ECS API reference, ContainerDefinition `memory` / `memoryReservation`).
const MIN_CONTAINER_MIB: u32 = 6;

/// IPC-namespace kernel parameters ECS sets per task (SystemControl).
const IPC_SYSCTLS: &[&str] = &[
    "kernel.msgmax",
    "kernel.msgmnb",
    "kernel.msgmni",
    "kernel.sem",
    "kernel.shmall",
    "kernel.shmmax",
    "kernel.shmmni",
    "kernel.shm_rmid_forced",
];

pub fn check_task(cx: &mut Cx, task: &Task) {
    for v in &task.volumes {
        match &v.kind {
            VolumeKind::Efs(efs) => {
                for problem in efs_problems(efs) {
                    cx.push(e::volume(&v.name, &problem, v.span));
                }
                if let Some(problem) = efs_port_problem(efs) {
                    cx.push(e::fsx_volume(&v.name, &problem, v.span));
                }
            }
            VolumeKind::FsxWindows(fsx) => {
                for problem in fsx_problems(task, fsx) {
                    cx.push(e::fsx_volume(&v.name, &problem, v.span));
                }
            }
            _ => {}
        }
    }
    for c in &task.containers {
        let mut paths: HashMap<&str, ()> = HashMap::new();
        for m in &c.mounts {
            // `C:\data` (or `C:/data`): absolute in a Windows container, which
            // a task definition written before `runtimePlatform` does not name.
            let windows_absolute = m
                .path
                .as_bytes()
                .first()
                .is_some_and(u8::is_ascii_alphabetic)
                && matches!(m.path.get(1..3), Some(":\\" | ":/"));
            // `/data/` and `/data` are one mount point.
            let key = match m.path.trim_end_matches(['/', '\\']) {
                "" => m.path.as_str(),
                trimmed => trimmed,
            };
            if !m.path.starts_with('/') && !windows_absolute {
                cx.push(e::mount(
                    &c.name,
                    &m.path,
                    "is not an absolute path",
                    m.span,
                ));
            } else if m.path == "/" {
                cx.push(e::mount(
                    &c.name,
                    &m.path,
                    "is the container's root, which Docker cannot mount over",
                    m.span,
                ));
            } else if paths.insert(key, ()).is_some() {
                cx.push(e::mount(&c.name, &m.path, "is mounted twice", m.span));
            }
        }
        check_ulimits(cx, task, c);
        check_memory(cx, c);
        if task.is_fargate() {
            if let Some(t) = c.start_timeout.filter(|t| !(2..=120).contains(t)) {
                cx.push(e::fargate_start_timeout(&c.name, t, c.span));
            }
        }
        for f in &c.settings.env_files {
            if let Some(problem) = env_file_problem(f) {
                cx.push(e::env_file(&c.name, &shown(f), problem, c.span));
            }
        }
        for p in &c.ports {
            if let Some(name) = &p.name {
                if !port_name_ok(name) {
                    cx.push(e::port_name(name, p.span));
                }
            }
        }
        for (path, _, _) in c.settings.linux.iter().flat_map(|l| &l.tmpfs) {
            if !path.starts_with('/') {
                cx.push(e::mount(
                    &c.name,
                    path,
                    "is a tmpfs mount that is not an absolute path",
                    c.span,
                ));
            }
        }
        if let Some(r) = &c.settings.restart {
            if let Some(period) = r.attempt_period.filter(|p| !(60..=1800).contains(p)) {
                cx.push(e::restart_period(&c.name, period, c.span));
            }
            if r.ignored_exit_codes.len() > 50 {
                cx.push(e::restart_exit_codes(
                    &c.name,
                    r.ignored_exit_codes.len(),
                    c.span,
                ));
            }
        }
        for (namespace, _) in &c.settings.system_controls {
            if let Some(problem) = sysctl_problem(task, namespace) {
                cx.push(e::system_control(&c.name, namespace, problem, c.span));
            }
        }
        check_duplicate_keys(cx, c);
        check_settings(cx, task, c);
    }
}

/// `KernelCapabilities.add` / `drop` (ECS API reference): the names ECS
/// takes.
pub const CAPABILITIES: &[&str] = &[
    "ALL",
    "AUDIT_CONTROL",
    "AUDIT_WRITE",
    "BLOCK_SUSPEND",
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "IPC_LOCK",
    "IPC_OWNER",
    "KILL",
    "LEASE",
    "LINUX_IMMUTABLE",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "MKNOD",
    "NET_ADMIN",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_RAW",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_CHROOT",
    "SYS_MODULE",
    "SYS_NICE",
    "SYS_PACCT",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "SYSLOG",
    "WAKE_ALARM",
];

/// Container settings whose values the ECS API reference bounds (E0439,
/// E0475-E0478): capability names, at most ten environment files, the DNS
/// search domain pattern, the forms of `dockerSecurityOptions`, and the
/// FireLens configuration file type.
fn check_settings(cx: &mut Cx, task: &Task, c: &Container) {
    let st = &c.settings;
    // ContainerDefinition.image: up to 255 characters, none of them
    // whitespace (no image reference holds one).
    let literal: String = c
        .image
        .parts
        .iter()
        .filter_map(|p| match p {
            TextPart::Lit(s) => Some(s.as_str()),
            TextPart::Input(_) => None,
        })
        .collect();
    if literal.chars().any(char::is_whitespace) {
        cx.push(e::bad_image(&c.name, "has whitespace in it", c.span));
    } else if c.image.is_literal() && literal.chars().count() > 255 {
        cx.push(e::bad_image(
            &c.name,
            "is longer than 255 characters",
            c.span,
        ));
    }
    if let Some(linux) = &st.linux {
        for (which, list) in [
            ("adds", &linux.add_capabilities),
            ("drops", &linux.drop_capabilities),
        ] {
            for cap in list.iter().filter(|x| !CAPABILITIES.contains(&x.as_str())) {
                cx.push(e::unknown_capability(&c.name, which, cap, c.span));
            }
        }
    }
    if st.env_files.len() > 10 {
        cx.push(e::env_file_count(&c.name, st.env_files.len(), c.span));
    }
    for d in st.dns_search_domains.iter().filter(|d| !dns_search_ok(d)) {
        cx.push(e::dns_search_domain(&c.name, d, c.span));
    }
    for o in &st.docker_security_options {
        if let Some(problem) = security_option_problem(o) {
            cx.push(e::security_option(&c.name, o, problem, c.span));
        }
    }
    if let Some(f) = &c.firelens {
        // FirelensConfiguration.options: these keys, `enable-ecs-log-metadata`
        // true or false, and the config file's type and value together.
        const KEYS: [&str; 3] = [
            "enable-ecs-log-metadata",
            "config-file-type",
            "config-file-value",
        ];
        for (k, v) in &f.options {
            if !KEYS.contains(&k.as_str()) {
                cx.push(e::firelens_config_file(
                    &c.name,
                    &format!(
                        "has option `{k}`; ECS takes only enable-ecs-log-metadata, \
                         config-file-type and config-file-value"
                    ),
                    c.span,
                ));
            } else if k == "enable-ecs-log-metadata" {
                if let Some(x) = v.as_literal().filter(|x| x != "true" && x != "false") {
                    cx.push(e::firelens_config_file(
                        &c.name,
                        &format!("sets enable-ecs-log-metadata to `{x}`, not true or false"),
                        c.span,
                    ));
                }
            }
        }
        let has = |key: &str| f.options.iter().any(|(k, _)| k == key);
        if has("config-file-type") != has("config-file-value") {
            cx.push(e::firelens_config_file(
                &c.name,
                "names a config file type or value without the other; ECS needs both",
                c.span,
            ));
        }
        if let Some((_, kind)) = f.options.iter().find(|(k, _)| k == "config-file-type") {
            match kind.as_literal().as_deref() {
                None | Some("file") => {}
                Some("s3") if task.is_fargate() => cx.push(e::firelens_config_file(
                    &c.name,
                    "reads its configuration from S3, which Fargate does not support",
                    c.span,
                )),
                Some("s3") => {}
                Some(other) => cx.push(e::firelens_config_file(
                    &c.name,
                    &format!("has config-file-type `{other}`, neither `s3` nor `file`"),
                    c.span,
                )),
            }
        }
    }
}

/// `dnsSearchDomains`: `^[a-zA-Z0-9-.]{0,253}[a-zA-Z0-9]$`.
fn dns_search_ok(d: &str) -> bool {
    let ok_char = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
    !d.is_empty()
        && d.len() <= 254
        && d.bytes().all(ok_char)
        && d.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// `dockerSecurityOptions`: "no-new-privileges", "apparmor:PROFILE",
/// "label:value" or "credentialspec:CredentialSpecFilePath".
fn security_option_problem(o: &str) -> Option<&'static str> {
    if o == "no-new-privileges" {
        return None;
    }
    match o.split_once(':') {
        Some(("apparmor" | "label" | "credentialspec", rest)) if !rest.is_empty() => None,
        Some(("apparmor" | "label" | "credentialspec", _)) => Some("has nothing after its `:`"),
        _ => Some("is none of the forms ECS takes"),
    }
}

fn check_ulimits(cx: &mut Cx, task: &Task, c: &Container) {
    for u in &c.ulimits {
        if !ULIMIT_NAMES.contains(&u.name.as_str()) {
            cx.push(e::unknown_ulimit(&c.name, &u.name, c.span));
        } else if u.name == "nofile" && task.is_fargate() && u.hard > FARGATE_NOFILE_MAX {
            cx.push(e::fargate_nofile(
                &c.name,
                u.hard,
                FARGATE_NOFILE_MAX,
                c.span,
            ));
        }
    }
}

fn check_memory(cx: &mut Cx, c: &Container) {
    for (what, v) in [
        ("memory", c.memory),
        ("memory_reservation", c.memory_reservation),
    ] {
        if let Some(mib) = v.filter(|m| *m < MIN_CONTAINER_MIB) {
            cx.push(e::container_memory_too_small(
                &c.name,
                what,
                mib,
                MIN_CONTAINER_MIB,
                c.span,
            ));
        }
    }
}

/// What is wrong with an `environmentFiles` value, judged on its literal
/// parts: it must be an S3 object ARN whose key ends in `.env`.
fn env_file_problem(f: &Text) -> Option<&'static str> {
    let first = match f.parts.first() {
        Some(TextPart::Lit(s)) => Some(s.as_str()),
        _ => None,
    };
    let last = match f.parts.last() {
        Some(TextPart::Lit(s)) => Some(s.as_str()),
        _ => None,
    };
    if let Some(first) = first {
        let arn_prefix = first.strip_prefix("arn:").and_then(|rest| {
            let (partition, rest) = rest.split_once(':')?;
            partition.starts_with("aws").then_some(rest)
        });
        match arn_prefix {
            None if f.is_literal() || first.len() >= 4 || !"arn:".starts_with(first) => {
                return Some("is not an S3 object ARN (`arn:aws:s3:::BUCKET/KEY.env`)");
            }
            Some(rest) if !rest.starts_with("s3:::") && rest.len() >= 5 => {
                return Some("is not an S3 object ARN (`arn:aws:s3:::BUCKET/KEY.env`)");
            }
            _ => {}
        }
        if let (true, Some(object)) = (f.is_literal(), first.split(":::").nth(1)) {
            if !object.contains('/') {
                return Some("names a bucket, not an object in it");
            }
        }
    }
    if let Some(last) = last {
        if !last.ends_with(".env") {
            return Some("does not end in `.env`, which ECS requires of environment files");
        }
    }
    None
}

/// What ECS refuses in an EFS volume (EFSVolumeConfiguration): a root
/// directory other than `/` beside an access point, and IDs that are not
/// `fs-...` / `fsap-...` (checked when literal).
fn efs_problems(efs: &crate::ir::EfsVolume) -> Vec<String> {
    let mut out = Vec::new();
    if efs.access_point.is_some() && efs.root_directory.as_deref().is_some_and(|r| r != "/") {
        out.push(
            "has both an access point and a root directory other than `/`; the access point \
             sets the directory"
                .to_string(),
        );
    }
    // With `iam` too, E0429 says it.
    if efs.access_point.is_some() && !efs.transit_encryption && !efs.iam {
        out.push(
            "has an access point without transit encryption, which ECS requires with one"
                .to_string(),
        );
    }
    let id_ok = |t: &Text, prefix: &str| {
        t.as_literal().is_none_or(|s| {
            s.strip_prefix(prefix)
                .is_some_and(|hex| !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        })
    };
    if !id_ok(&efs.file_system_id, "fs-") {
        out.push(format!(
            "names file system `{}`, not an ID like `fs-0123456789abcdef0`",
            shown(&efs.file_system_id)
        ));
    }
    if let Some(ap) = efs.access_point.as_ref().filter(|ap| !id_ok(ap, "fsap-")) {
        out.push(format!(
            "names access point `{}`, not an ID like `fsap-0123456789abcdef0`",
            shown(ap)
        ));
    }
    out
}

/// `EFSVolumeConfiguration.transitEncryptionPort`: a TCP port, used only
/// for encrypted traffic.
fn efs_port_problem(efs: &crate::ir::EfsVolume) -> Option<String> {
    let port = efs.transit_encryption_port?;
    if !(1..=65535).contains(&port) {
        return Some(format!(
            "has transit encryption port {port}, not a port from 1 to 65535"
        ));
    }
    (!efs.transit_encryption).then(|| {
        format!(
            "has transit encryption port {port} with transit encryption off; the port carries \
             only encrypted traffic"
        )
    })
}

/// `FSxWindowsFileServerVolumeConfiguration` (ECS API reference, and the
/// developer guide's "FSx for Windows File Server volumes"): Windows
/// containers only, an `fs-` file system ID, and the domain credentials in
/// a Secrets Manager secret or an SSM parameter, named by ARN.
fn fsx_problems(task: &Task, fsx: &crate::ir::FsxWindowsVolume) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(os) = task.os_family.as_deref().filter(|_| !task.is_windows()) {
        out.push(format!(
            "is an FSx for Windows File Server share, which only Windows containers mount, \
             and the task's operating system is {os}"
        ));
    }
    if fsx
        .file_system_id
        .as_literal()
        .is_some_and(|id| id.strip_prefix("fs-").is_none_or(str::is_empty))
    {
        out.push(format!(
            "names file system `{}`, not an ID like `fs-0123456789abcdef0`",
            shown(&fsx.file_system_id)
        ));
    }
    // `arn:PARTITION:SERVICE:...`: a service named must be one that stores
    // credentials; an ARN cut short (or built from inputs) is judged as far
    // as it goes.
    let arn_ok = match fsx.credentials.parts.first() {
        Some(TextPart::Lit(first)) => {
            let segments: Vec<&str> = first.split(':').collect();
            first.starts_with("arn:")
                && (segments.len() < 4 || matches!(segments[2], "secretsmanager" | "ssm"))
        }
        // Empty: reported as missing where the volume is read.
        Some(TextPart::Input(_)) | None => true,
    };
    if !arn_ok {
        out.push(format!(
            "takes its credentials from `{}`, not the ARN of a Secrets Manager secret or an \
             SSM parameter",
            shown(&fsx.credentials)
        ));
    }
    out
}

/// `PortMapping.name`: up to 64 of lowercase letters, digits, `_` and `-`,
/// not starting with `-`.
fn port_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn sysctl_problem(task: &Task, namespace: &str) -> Option<&'static str> {
    if task.is_windows() {
        return Some("system controls are not supported for Windows containers");
    }
    let ipc = IPC_SYSCTLS.contains(&namespace) || namespace.starts_with("fs.mqueue.");
    let net = namespace.starts_with("net.");
    if !ipc && !net {
        return Some(
            "only namespaced parameters can be set: the IPC ones (kernel.msg*, kernel.sem, \
             kernel.shm*, fs.mqueue.*) and the network ones (net.*)",
        );
    }
    if net && task.network_mode == NetworkMode::Host {
        return Some("network-namespace parameters are not supported in the `host` network mode");
    }
    if ipc && task.settings.ipc_mode.as_deref() == Some("host") {
        return Some("IPC-namespace parameters are not supported with `ipc host`");
    }
    None
}

/// A label key given twice loses one value silently (`dockerLabels` is a
/// map). ECS refuses a secret name that another secret or an environment
/// variable of the container already uses (RegisterTaskDefinition:
/// "the secret name must be unique").
fn check_duplicate_keys(cx: &mut Cx, c: &Container) {
    let mut labels: HashMap<&str, ()> = HashMap::new();
    for (k, _) in &c.labels {
        if labels.insert(k.as_str(), ()).is_some() {
            cx.push(e::duplicate_key(&c.name, "label", k, c.span));
        }
    }
    let mut names: HashMap<&str, bool> = c
        .environment
        .iter()
        .map(|(k, _)| (k.as_str(), false))
        .collect();
    for s in &c.secrets {
        if let Some(was_secret) = names.insert(s.name.as_str(), true) {
            let what = if was_secret {
                "secret"
            } else {
                "env and secret"
            };
            cx.push(e::duplicate_key(&c.name, what, &s.name, s.span));
        }
    }
}

fn shown(t: &Text) -> String {
    t.parts
        .iter()
        .map(|p| match p {
            TextPart::Lit(s) => s.clone(),
            TextPart::Input(i) => format!("${{{i}}}"),
        })
        .collect()
}
