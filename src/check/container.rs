//! Lowers one container block (`container`, `sidecar`, `ambassador`, `init`,
//! `log_router`). The pattern sets the defaults for `essential`; the
//! dependencies a pattern implies are added by `task::apply_patterns`.
//!
//! ```text
//! container app {
//!   image "my-app:${IMAGE_TAG}"
//!   port 3000
//!   env NODE_ENV = "production"
//!   secret DB_PASSWORD = secretsmanager(DB_SECRET, key: "password")
//!   health "curl -f http://localhost:3000/health || exit 1" every 30s timeout 5s retries 3 grace 60s
//!   logs awslogs
//!   depends_on migrate success
//!   local { command "python3 -m http.server 3000" }
//! }
//! ```

use super::args::Words;
use super::read::{block, named_value, set, tag, unknown_property};
use super::vocabulary::{Container as Prop, ContainerSetting, Id, Local};
use super::{errors, Cx};
use crate::ast::{Expr, ExprKind, Statement};
use crate::diag::Span;
use crate::ir::{
    self, Condition, ContainerRole, HealthCommand, LogDriver, Protocol, SecretSource, Text,
};

/// The container and, for an ambassador, the app it fronts (`for app`)
/// with the span of that name.
pub fn lower_container(
    cx: &mut Cx,
    stmt: &Statement,
    role: ContainerRole,
) -> Option<(ir::Container, Option<(String, Span)>)> {
    let mut head = Words::new(stmt);
    let target = if role == ContainerRole::Ambassador {
        head.keyword(cx, "for")
            .and_then(|e| cx.name(e, "a container name").map(|n| (n, e.span)))
    } else {
        None
    };
    let name_expr = head.required(cx, "a container name")?;
    head.finish(cx);
    let name = match name_expr.as_ident() {
        Some(i) => i.name.clone(),
        None => cx.literal(name_expr)?,
    };
    let mut c = ir::Container {
        name,
        role,
        image: Text::default(),
        essential: matches!(
            role,
            ContainerRole::App | ContainerRole::Ambassador | ContainerRole::LogRouter
        ),
        cpu: None,
        memory: None,
        memory_reservation: None,
        ports: Vec::new(),
        environment: Vec::new(),
        secrets: Vec::new(),
        log: None,
        firelens: (role == ContainerRole::LogRouter).then(|| ir::Firelens {
            kind: ir::FirelensKind::Fluentbit,
            options: Vec::new(),
        }),
        health: None,
        command: None,
        entry_point: None,
        working_directory: None,
        user: None,
        read_only_root: false,
        depends_on: Vec::new(),
        mounts: Vec::new(),
        stop_timeout: None,
        start_timeout: None,
        ulimits: Vec::new(),
        labels: Vec::new(),
        local: None,
        settings: Default::default(),
        span: name_expr.span,
    };
    let mut image = None;
    let mut essential = None;
    let mut cpu = None;
    let mut memory = None;
    let mut reservation = None;
    let mut health = None;
    let mut log = None;
    let mut command = None;
    let mut entry = None;
    let mut workdir = None;
    let mut user = None;
    let mut readonly = None;
    let mut stop = None;
    let mut start = None;
    let mut local = None;
    for s in block(stmt) {
        if let Some(setting) = ContainerSetting::from_name(&s.head.name) {
            super::settings::container(cx, s, setting, &mut c.settings);
            continue;
        }
        let Some(prop) = Prop::from_name(&s.head.name) else {
            unknown_property(cx, Id::Container, s);
            continue;
        };
        let mut w = Words::new(s);
        match prop {
            Prop::Image => {
                let v = w.required(cx, "an image").and_then(|e| cx.text(e));
                set(cx, &mut image, s, v)
            }
            Prop::Essential => {
                let v = w.required(cx, "`on` or `off`").and_then(|e| cx.boolean(e));
                set(cx, &mut essential, s, v)
            }
            Prop::Cpu => {
                let v = w.required(cx, "a CPU amount").and_then(|e| cx.cpu(e));
                set(cx, &mut cpu, s, v)
            }
            Prop::Memory => {
                let v = w.required(cx, "a size").and_then(|e| cx.mib(e));
                set(cx, &mut memory, s, v)
            }
            Prop::MemoryReservation => {
                let v = w.required(cx, "a size").and_then(|e| cx.mib(e));
                set(cx, &mut reservation, s, v)
            }
            Prop::Port => c.ports.extend(port(cx, &mut w, s)),
            Prop::Env => {
                // Judged as a possible secret by `tag` (`Cx::read_named`).
                if let Some(kv) = tag(cx, &mut w, s) {
                    c.environment.push(kv);
                }
            }
            Prop::Label => {
                if let Some(kv) = tag(cx, &mut w, s) {
                    c.labels.push(kv);
                }
            }
            Prop::Secret => c.secrets.extend(secret(cx, &mut w, s)),
            Prop::Health => {
                let v = health_check(cx, &mut w, s);
                set(cx, &mut health, s, v)
            }
            Prop::Logs => {
                let v = log_config(cx, &mut w, s);
                set(cx, &mut log, s, v)
            }
            Prop::Firelens => {
                let kind = w.required(cx, "fluentbit or fluentd").and_then(|e| {
                    cx.choice(e, "a FireLens type", Prop::Firelens.property().choices)
                        .map(|k| {
                            if k == "fluentd" {
                                ir::FirelensKind::Fluentd
                            } else {
                                ir::FirelensKind::Fluentbit
                            }
                        })
                });
                if let Some(kind) = kind {
                    let options = options_block(cx, s);
                    c.firelens = Some(ir::Firelens { kind, options });
                }
            }
            Prop::Command => {
                let v = w
                    .required(cx, "a list of arguments")
                    .and_then(|e| argv(cx, e));
                set(cx, &mut command, s, v)
            }
            Prop::Entrypoint => {
                let v = w
                    .required(cx, "a list of arguments")
                    .and_then(|e| argv(cx, e));
                set(cx, &mut entry, s, v)
            }
            Prop::Workdir => {
                let v = w.required(cx, "a directory").and_then(|e| cx.text(e));
                set(cx, &mut workdir, s, v)
            }
            Prop::User => {
                let v = w.required(cx, "a user").and_then(|e| cx.literal(e));
                set(cx, &mut user, s, v)
            }
            Prop::Readonly => {
                let v = match w.positional() {
                    Some(e) => cx.boolean(e),
                    None => Some(true),
                };
                set(cx, &mut readonly, s, v)
            }
            Prop::DependsOn => {
                let target = w.positional();
                let condition = w.positional();
                match (target, condition) {
                    (Some(t), Some(cond)) => {
                        let name = cx.name(t, "a container name");
                        let condition = cx
                            .choice(
                                cond,
                                "a dependency condition",
                                Prop::DependsOn.property().choices,
                            )
                            .map(|c| match c {
                                "START" => Condition::Start,
                                "COMPLETE" => Condition::Complete,
                                "SUCCESS" => Condition::Success,
                                _ => Condition::Healthy,
                            });
                        if let (Some(container), Some(condition)) = (name, condition) {
                            c.depends_on.push(ir::Dependency {
                                container,
                                condition,
                                span: s.span,
                            });
                        }
                    }
                    _ => cx.push(errors::missing_word(
                        "depends_on",
                        "a container and a condition",
                        s.span,
                    )),
                }
            }
            Prop::Mount => {
                let read_only = w.flag("readonly");
                let volume = w
                    .required(cx, "a volume name")
                    .and_then(|e| cx.name(e, "a volume name"));
                let path = w
                    .required(cx, "a container path")
                    .and_then(|e| cx.literal(e));
                if let (Some(volume), Some(path)) = (volume, path) {
                    c.mounts.push(ir::Mount {
                        volume,
                        path,
                        read_only,
                        span: s.span,
                    });
                }
            }
            Prop::StopTimeout => {
                let v = w.required(cx, "a duration").and_then(|e| cx.seconds(e));
                set(cx, &mut stop, s, v)
            }
            Prop::StartTimeout => {
                let v = w.required(cx, "a duration").and_then(|e| cx.seconds(e));
                set(cx, &mut start, s, v)
            }
            Prop::Ulimit => {
                let name = w
                    .required(cx, "a ulimit name")
                    .and_then(|e| cx.name(e, "a ulimit name"));
                let soft = w.required(cx, "a soft limit").and_then(|e| cx.int(e));
                let hard = match w.positional() {
                    Some(e) => cx.int(e),
                    None => soft,
                };
                if let (Some(name), Some(soft), Some(hard)) = (name, soft, hard) {
                    if soft > hard {
                        cx.push(errors::rule::ulimit_soft_above_hard(
                            &name, soft, hard, s.span,
                        ));
                    } else {
                        c.ulimits.push(ir::Ulimit { name, soft, hard });
                    }
                }
            }
            Prop::Local => {
                let v = local_run(cx, &mut w, s);
                set(cx, &mut local, s, v)
            }
        }
        w.finish(cx);
    }
    // Only Fargate caps the stop timeout (120 s): `rules` checks it there.
    c.stop_timeout = stop;
    match image {
        Some(i) => c.image = i,
        None if role == ContainerRole::LogRouter => {
            c.image = Text::lit("public.ecr.aws/aws-observability/aws-for-fluent-bit:stable");
        }
        None => {
            // An `image` that failed to read has been reported already.
            if !block(stmt)
                .iter()
                .any(|s| s.head.name == Prop::Image.name())
            {
                let noun = stmt.head.name.clone();
                cx.push(errors::missing_property(&noun, &c.name, "image", stmt));
            }
            return None;
        }
    }
    c.essential = essential.unwrap_or(c.essential);
    c.cpu = cpu;
    c.memory = memory;
    c.memory_reservation = reservation;
    c.health = health;
    c.log = log;
    c.command = command;
    c.entry_point = entry;
    c.working_directory = workdir;
    c.user = user;
    c.read_only_root = readonly.unwrap_or(false);
    c.start_timeout = start;
    c.local = local.map(Box::new);
    Some((c, target))
}

/// `port 3000 [host 8080] [udp] [name "web"] [app_protocol http|http2|grpc]`,
/// or a range `port 8000..8010 [udp]` (`containerPortRange`).
fn port(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::PortMapping> {
    let host = w.keyword(cx, "host").and_then(|e| cx.port(e, true));
    let name = w.keyword(cx, "name").and_then(|e| cx.literal(e));
    let app_protocol = w.keyword(cx, "app_protocol").and_then(|e| {
        cx.choice(e, "an application protocol", &["http", "http2", "grpc"])
            .map(str::to_string)
    });
    let protocol = if w.one_of(&["udp", "tcp"]) == Some("udp") {
        Protocol::Udp
    } else {
        Protocol::Tcp
    };
    let at = w.required(cx, "a port or a port range such as 8000..8010")?;
    let (container_port, last_port) = match &cx.value(at).clone().kind {
        ExprKind::Range(first, last) => {
            let (first, last) = (cx.port(first, false), cx.port(last, false));
            (first?, Some(last?))
        }
        _ => (cx.port(at, false)?, None),
    };
    Some(ir::PortMapping {
        container_port,
        last_port,
        host_port: host,
        protocol,
        name,
        app_protocol,
        span: s.span,
    })
}

/// `secret NAME = secretsmanager(ARN, key: "k", stage: "AWSCURRENT", version: "id", kms: KEY)`
/// or `secret NAME = ssm("/param" or ARN, kms: KEY)`.
fn secret(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::Secret> {
    let (name, value) = named_value(cx, w, s)?;
    let source = secret_source(cx, value)?;
    Some(ir::Secret {
        name,
        source: source.0,
        kms_key: source.1,
        span: s.span,
    })
}

/// A secret source call; returns it with the KMS key named on it, if any.
pub fn secret_source(cx: &mut Cx, value: &Expr) -> Option<(SecretSource, Option<String>)> {
    let value = cx.value(value).clone();
    let ExprKind::Call(callee, args) = &value.kind else {
        cx.push(errors::secret_not_call(value.span));
        return None;
    };
    let mut positional = Vec::new();
    let mut named: Vec<(String, Expr, Span)> = Vec::new();
    for a in args {
        match &a.kind {
            ExprKind::Pair(k, v) => named.push((k.name.clone(), (**v).clone(), k.span)),
            _ => positional.push(a),
        }
    }
    let kind = callee.dotted();
    let allowed: &[&str] = match kind.as_str() {
        "secretsmanager" => &["key", "stage", "version", "kms"],
        "ssm" => &["kms"],
        _ => {
            cx.push(errors::secret_not_call(value.span));
            return None;
        }
    };
    let [first] = positional.as_slice() else {
        cx.push(errors::argument_count(
            &kind,
            1,
            positional.len(),
            value.span,
        ));
        return None;
    };
    let mut opts = std::collections::BTreeMap::new();
    for (k, v, span) in &named {
        if !allowed.contains(&k.as_str()) {
            cx.push(errors::unknown_named_argument(&kind, k, allowed, *span));
            continue;
        }
        if let Some(s) = cx.literal(v) {
            opts.insert(k.clone(), s);
        }
    }
    let reference = cx.literal(first)?;
    let source = if kind == "secretsmanager" {
        SecretSource::SecretsManager {
            arn: reference,
            json_key: opts.get("key").cloned(),
            version_stage: opts.get("stage").cloned(),
            version_id: opts.get("version").cloned(),
        }
    } else {
        SecretSource::Ssm {
            parameter: reference,
        }
    };
    Some((source, opts.get("kms").cloned()))
}

/// `health "shell command" | ["CMD", "a", "b"] | raw ["a", "b"] [every D] [timeout D] [retries N] [grace D]`
fn health_check(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::HealthCheck> {
    let raw = w.flag("raw");
    let interval = w.keyword(cx, "every").and_then(|e| cx.seconds(e));
    let timeout = w.keyword(cx, "timeout").and_then(|e| cx.seconds(e));
    let retries = w.keyword(cx, "retries").and_then(|e| cx.int(e));
    let grace = w.keyword(cx, "grace").and_then(|e| cx.seconds(e));
    let cmd = w.required(cx, "a command")?;
    let command = match &cx.value(cmd).kind {
        ExprKind::List(_) if raw => HealthCommand::Raw(argv(cx, cmd)?),
        ExprKind::List(_) => {
            let mut items = argv(cx, cmd)?;
            match items.first().and_then(Text::as_literal).as_deref() {
                Some("CMD-SHELL") if items.len() == 2 => HealthCommand::Shell(items.remove(1)),
                Some("CMD") => {
                    items.remove(0);
                    HealthCommand::Exec(items)
                }
                _ => HealthCommand::Exec(items),
            }
        }
        // A string, as written, is a command array of one.
        _ if raw => HealthCommand::Raw(vec![cx.text(cmd)?]),
        _ => HealthCommand::Shell(cx.text(cmd)?),
    };
    // ECS defaults, written out.
    Some(ir::HealthCheck {
        command,
        interval: interval.unwrap_or(30),
        timeout: timeout.unwrap_or(5),
        retries: retries.unwrap_or(3),
        start_period: grace.unwrap_or(0),
        span: s.span,
    })
}

/// `AWS::Logs::LogGroup` `RetentionInDays`: CloudWatch Logs accepts only
/// these values (PutRetentionPolicy).
const RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// `logs awslogs [group "/ecs/x"] [region "r"] [prefix "p"] [retention 30] { "opt" = "v" }`
fn log_config(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::LogConfig> {
    let group = w
        .keyword(cx, "group")
        .and_then(|e| cx.aws_name(crate::ir::names::NameKind::LogGroup, e));
    let region = w.keyword(cx, "region").and_then(|e| cx.text(e));
    let prefix = w.keyword(cx, "prefix").and_then(|e| cx.text(e));
    let retention = w.keyword(cx, "retention").and_then(|e| {
        let days = cx.int(e)?;
        if !RETENTION_DAYS.contains(&days) {
            cx.push(errors::rule::retention_not_allowed(
                days,
                RETENTION_DAYS,
                e.span,
            ));
            return None;
        }
        Some(days)
    });
    let drivers = Prop::Logs.property().choices;
    let driver = w
        .required(cx, "a log driver")
        .and_then(|e| cx.choice(e, "a log driver", drivers))?;
    let driver = match driver {
        "awslogs" => LogDriver::Awslogs,
        "firelens" | "awsfirelens" => LogDriver::Awsfirelens,
        "fluentd" => LogDriver::Fluentd,
        "splunk" => LogDriver::Splunk,
        "json-file" => LogDriver::JsonFile,
        "syslog" => LogDriver::Syslog,
        "gelf" => LogDriver::Gelf,
        _ => LogDriver::Journald,
    };
    let mut options = Vec::new();
    let mut secret_options = Vec::new();
    for o in block(s) {
        if o.head.name == "secret" {
            let mut ow = Words::new(o);
            secret_options.extend(secret(cx, &mut ow, o));
            ow.finish(cx);
        } else if let Some(kv) = option(cx, o) {
            options.push(kv);
        }
    }
    if driver == LogDriver::Awslogs {
        if let Some(r) = region {
            options.insert(0, ("awslogs-region".to_string(), r));
        }
        if let Some(p) = prefix {
            options.push(("awslogs-stream-prefix".to_string(), p));
        }
        if let Some(g) = &group {
            options.insert(0, ("awslogs-group".to_string(), Text::lit(g.clone())));
        }
    } else if group.is_some() || prefix.is_some() || region.is_some() {
        cx.push(errors::awslogs_option_elsewhere(driver.as_str(), s.span));
    }
    Some(ir::LogConfig {
        driver,
        options,
        secret_options,
        group,
        retention_days: retention,
        span: s.span,
    })
}

/// `"name" [not_secret] = value`: a log-driver or FireLens option, judged as
/// a possible secret like an environment variable (`splunk-token`).
fn option(cx: &mut Cx, o: &Statement) -> Option<(String, Text)> {
    let mut w = Words::new(o);
    let not_secret = w.flag("not_secret");
    w.finish(cx);
    let Some(v) = &o.value else {
        cx.push(errors::missing_value(&o.head.name, o.span));
        return None;
    };
    let t = cx.read_named(&o.head.name, not_secret, v, o.span)?;
    Some((o.head.name.clone(), t))
}

fn options_block(cx: &mut Cx, s: &Statement) -> Vec<(String, Text)> {
    block(s).iter().filter_map(|o| option(cx, o)).collect()
}

pub(super) fn argv(cx: &mut Cx, e: &Expr) -> Option<Vec<Text>> {
    if !matches!(cx.value(e).kind, ExprKind::List(_)) {
        cx.push(errors::type_mismatch(
            "a list of arguments such as [\"npm\", \"start\"]",
            e.describe(),
            e.span,
        ));
        return None;
    }
    cx.texts(e)
}

/// `local "shell command"` or `local { command "..." | [...]; workdir "."; env K = "v" }`
pub(super) fn local_run(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::LocalRun> {
    let mut run = ir::LocalRun {
        command: None,
        working_directory: None,
        environment: Vec::new(),
    };
    if let Some(e) = w.positional() {
        run.command = local_command(cx, e);
    }
    for b in block(s) {
        let Some(prop) = Local::from_name(&b.head.name) else {
            unknown_property(cx, Id::Local, b);
            continue;
        };
        let mut bw = Words::new(b);
        match prop {
            Local::Command => {
                if let Some(e) = bw.required(cx, "a command") {
                    run.command = local_command(cx, e);
                }
            }
            Local::Workdir => {
                run.working_directory = bw.required(cx, "a directory").and_then(|e| cx.literal(e))
            }
            Local::Env => {
                if let Some(kv) = tag(cx, &mut bw, b) {
                    run.environment.push(kv);
                }
            }
        }
        bw.finish(cx);
    }
    Some(run)
}

fn local_command(cx: &mut Cx, e: &Expr) -> Option<ir::LocalCommand> {
    match &cx.value(e).kind {
        ExprKind::List(_) => {
            let items = cx.texts(e)?;
            Some(ir::LocalCommand::Argv(
                items.iter().map(|t| cx.scope.resolve(t)).collect(),
            ))
        }
        _ => cx.literal(e).map(ir::LocalCommand::Shell),
    }
}
