//! Lowers `job` and `schedule` declarations, after tasks, clusters and
//! networks, since a job's launch and network are resolved against them.
//!
//! ```text
//! job migrate in prod {
//!   task web
//!   launch fargate                       // or: capacity FARGATE_SPOT weight 1
//!   network main                         // or: subnets [...]; security_groups [...]
//!   override app { command ["npm", "run", "migrate"]; env MODE = "migrate" }
//! }
//! schedule nightly {
//!   job migrate
//!   cron "0 3 * * ? *"                    // or: rate 15m, at "2026-12-01T09:30:00"
//!   timezone "Europe/Paris"
//! }
//! ```
//!
//! A job is one RunTask call: the checker resolves what ECS would pick (the
//! cluster's default capacity provider strategy, the network of the cluster
//! or the only network) and applies ECS's rules to it, so that the backends
//! only write it out. A schedule's expression is read by `crate::cron`, the
//! same code the runner fires local schedules with.

use super::args::Words;
use super::cluster::capacity;
use super::container::{argv, local_run};
use super::errors::{self, job as e};
use super::network::subnets;
use super::read::{block, reference, set, tag, unknown_property};
use super::vocabulary::{Id, Kind};
use super::Cx;
use crate::ast::{ExprKind, Statement};
use crate::cron;
use crate::ir::{self, Compatibility, JobLaunch, NetworkMode, ScheduleExpression};

/// Lowers every job, then every schedule, of the program.
pub fn lower_all(cx: &mut Cx, decls: &[((Kind, String), &Statement)], program: &mut ir::Program) {
    for ((kind, _), stmt) in decls.iter().filter(|((k, _), _)| *k == Kind::Job) {
        let _ = kind;
        program.jobs.extend(lower_job(cx, stmt, program));
    }
    for (_, stmt) in decls.iter().filter(|((k, _), _)| *k == Kind::Schedule) {
        program.schedules.extend(lower_schedule(cx, stmt));
    }
}

/// What a job block says, before it is resolved against its task and cluster.
struct Written {
    task: Option<(String, crate::diag::Span)>,
    count: Option<(u32, crate::diag::Span)>,
    launch: Option<Compatibility>,
    strategy: Vec<ir::StrategyItem>,
    platform: Option<String>,
    network: Option<String>,
    subnets: Option<ir::SubnetRef>,
    security_groups: Option<Vec<ir::Text>>,
    public_ip: Option<bool>,
    overrides: Vec<ir::ContainerOverride>,
    tags: Vec<(String, ir::Text)>,
}

fn read_job(cx: &mut Cx, stmt: &Statement) -> Written {
    let mut j = Written {
        task: None,
        count: None,
        launch: None,
        strategy: Vec::new(),
        platform: None,
        network: None,
        subnets: None,
        security_groups: None,
        public_ip: None,
        overrides: Vec::new(),
        tags: Vec::new(),
    };
    for s in block(stmt) {
        let mut w = Words::new(s);
        match s.head.name.as_str() {
            "task" => {
                let v = w
                    .required(cx, "a task name")
                    .and_then(|x| reference(cx, x, Kind::Task).map(|n| (n, x.span)));
                set(cx, &mut j.task, s, v)
            }
            "count" => {
                let v = w
                    .required(cx, "a number of tasks")
                    .and_then(|x| cx.int(x).map(|n| (n, x.span)));
                set(cx, &mut j.count, s, v)
            }
            "launch" => {
                let v = w.required(cx, "fargate, ec2 or external").and_then(|x| {
                    cx.choice(x, "a launch type", &["fargate", "ec2", "external"])
                        .map(|l| match l {
                            "fargate" => Compatibility::Fargate,
                            "ec2" => Compatibility::Ec2,
                            _ => Compatibility::External,
                        })
                });
                set(cx, &mut j.launch, s, v)
            }
            "capacity" => {
                if let Some((p, item)) = capacity(cx, &mut w, false) {
                    j.strategy.push(item.unwrap_or(ir::StrategyItem {
                        provider: p.name().to_string(),
                        weight: 1,
                        base: 0,
                    }));
                }
            }
            "platform" => {
                let v = w
                    .required(cx, "a platform version")
                    .and_then(|x| cx.literal(x));
                set(cx, &mut j.platform, s, v)
            }
            "network" => {
                let v = w
                    .required(cx, "a network name")
                    .and_then(|x| reference(cx, x, Kind::Network));
                set(cx, &mut j.network, s, v)
            }
            "subnets" => {
                let v = w.required(cx, "subnet IDs").and_then(|x| subnets(cx, x));
                set(cx, &mut j.subnets, s, v)
            }
            "security_groups" => {
                let v = w
                    .required(cx, "security group IDs")
                    .and_then(|x| cx.texts(x));
                set(cx, &mut j.security_groups, s, v)
            }
            "public_ip" => {
                let v = match w.positional() {
                    Some(x) => cx.boolean(x),
                    None => Some(true),
                };
                set(cx, &mut j.public_ip, s, v)
            }
            "override" => j.overrides.extend(container_override(cx, &mut w, s)),
            "tag" => j.tags.extend(tag(cx, &mut w, s)),
            _ => {
                unknown_property(cx, Id::Job, s);
                continue;
            }
        }
        w.finish(cx);
    }
    j
}

/// `override CONTAINER { command [...]; env K = "v"; local "..." }`.
fn container_override(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::ContainerOverride> {
    let name = w.required(cx, "a container name")?;
    let container = cx.name(name, "a container name")?;
    let mut o = ir::ContainerOverride {
        container,
        command: None,
        environment: Vec::new(),
        local_command: None,
        span: name.span,
    };
    for b in block(s) {
        let mut bw = Words::new(b);
        match b.head.name.as_str() {
            "command" => {
                let v = bw
                    .required(cx, "a list of arguments")
                    .and_then(|x| argv(cx, x));
                set(cx, &mut o.command, b, v)
            }
            "env" => o.environment.extend(tag(cx, &mut bw, b)),
            "local" => {
                let v = local_run(cx, &mut bw, b).and_then(|r| r.command);
                set(cx, &mut o.local_command, b, v)
            }
            _ => {
                unknown_property(cx, Id::Override, b);
                continue;
            }
        }
        bw.finish(cx);
    }
    Some(o)
}

fn lower_job(cx: &mut Cx, stmt: &Statement, program: &ir::Program) -> Option<ir::Job> {
    let name = super::scope::decl_name(cx, stmt)?.name;
    let span = stmt.words[0].span;
    let mut head = Words::new(stmt).skip(1);
    let cluster_expr = head.keyword(cx, "in");
    head.finish(cx);
    let cluster = match cluster_expr {
        Some(x) => reference(cx, x, Kind::Cluster),
        None => match cx.scope.names(Kind::Cluster).as_slice() {
            [only] => Some(only.to_string()),
            clusters => {
                cx.push(e::job_without_cluster(&name, span, clusters));
                None
            }
        },
    };
    let j = read_job(cx, stmt);
    let Some((task_name, _)) = j.task.clone() else {
        if !block(stmt).iter().any(|s| s.head.name == "task") {
            cx.push(errors::missing_property("job", &name, "task", stmt));
        }
        return None;
    };
    let count = match j.count {
        Some((n, at)) if !(1..=10).contains(&n) => {
            cx.push(e::job_count(n, at));
            n
        }
        Some((n, _)) => n,
        None => 1,
    };
    if j.launch.is_some() && !j.strategy.is_empty() {
        cx.push(e::launch_and_capacity(span));
        return None;
    }
    // A task or cluster that did not lower was reported already.
    let task = program.tasks.iter().find(|t| t.name == task_name)?;
    let cluster = program
        .clusters
        .iter()
        .find(|c| Some(&c.name) == cluster.as_ref())?;
    let launch = match (j.launch, j.strategy.is_empty()) {
        (Some(t), _) => JobLaunch::Type(t),
        (None, false) => JobLaunch::Strategy(j.strategy.clone()),
        // What RunTask does without either: the cluster's default strategy,
        // else a launch type the task supports (EC2 first, as ECS).
        (None, true) if !cluster.default_strategy.is_empty() => {
            JobLaunch::Strategy(cluster.default_strategy.clone())
        }
        (None, true) if task.compatibilities.contains(&Compatibility::Ec2) => {
            JobLaunch::Type(Compatibility::Ec2)
        }
        (None, true) => JobLaunch::Type(
            task.compatibilities
                .first()
                .copied()
                .unwrap_or(Compatibility::Ec2),
        ),
    };
    let fargate = match &launch {
        JobLaunch::Type(t) => *t == Compatibility::Fargate,
        JobLaunch::Strategy(items) => items.iter().any(|i| i.provider.starts_with("FARGATE")),
    };
    let needed = match &launch {
        JobLaunch::Type(t) => Some(*t),
        JobLaunch::Strategy(_) if fargate => Some(Compatibility::Fargate),
        JobLaunch::Strategy(_) => None,
    };
    if let Some(t) = needed.filter(|t| !task.compatibilities.contains(t)) {
        cx.push(e::launch_incompatible(
            &name,
            t.as_str(),
            &task.name,
            span,
            task.span,
        ));
    }
    if let JobLaunch::Strategy(items) = &launch {
        for i in items {
            if !cluster
                .capacity_providers
                .iter()
                .any(|p| p.name() == i.provider)
            {
                cx.push(e::unknown_capacity_provider(
                    &i.provider,
                    &cluster.name,
                    span,
                ));
            }
        }
    }
    let public_ip = j.public_ip.unwrap_or(false);
    if public_ip && !fargate {
        cx.push(e::public_ip_off_fargate(&name, span));
    }
    let network = if task.network_mode == NetworkMode::Awsvpc {
        let subnets = match (&j.subnets, &j.network) {
            (Some(given), _) => Some(ir::JobSubnets::Given(given.clone())),
            (None, Some(n)) => Some(ir::JobSubnets::Network {
                name: n.clone(),
                public: public_ip,
            }),
            (None, None) => cluster
                .network
                .clone()
                .or_else(|| (program.networks.len() == 1).then(|| program.networks[0].name.clone()))
                .map(|n| ir::JobSubnets::Network {
                    name: n,
                    public: public_ip,
                }),
        };
        match subnets {
            Some(subnets) => Some(ir::JobNetwork {
                subnets,
                security_groups: j.security_groups.clone().unwrap_or_default(),
                public_ip,
            }),
            None => {
                cx.push(e::without_subnets(&name, span));
                None
            }
        }
    } else {
        None
    };
    let names: Vec<&str> = task.containers.iter().map(|c| c.name.as_str()).collect();
    for o in &j.overrides {
        if !names.contains(&o.container.as_str()) {
            cx.push(errors::unknown_container(
                &o.container,
                &task.name,
                &names,
                o.span,
            ));
        }
    }
    Some(ir::Job {
        name,
        cluster: cluster.name.clone().into(),
        task: task.name.clone().into(),
        count,
        launch,
        fargate,
        platform_version: j.platform,
        network,
        overrides: j.overrides,
        tags: j.tags,
        span,
    })
}

fn lower_schedule(cx: &mut Cx, stmt: &Statement) -> Option<ir::Schedule> {
    let name = super::scope::decl_name(cx, stmt)?.name;
    let span = stmt.words[0].span;
    Words::new(stmt).skip(1).finish(cx);
    let mut job = None;
    let mut expressions: Vec<Option<ScheduleExpression>> = Vec::new();
    let mut timezone: Option<(String, crate::diag::Span)> = None;
    let mut enabled = None;
    let mut window = None;
    let mut retries = None;
    let mut max_age = None;
    let mut role = None;
    for s in block(stmt) {
        let mut w = Words::new(s);
        match s.head.name.as_str() {
            "job" => {
                let v = w
                    .required(cx, "a job name")
                    .and_then(|x| reference(cx, x, Kind::Job));
                set(cx, &mut job, s, v)
            }
            "cron" => {
                let v = w.required(cx, "six cron fields").and_then(|x| {
                    let text = cx.literal(x)?;
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    match cron::parse_cron(&text) {
                        Ok(_) => Some(ScheduleExpression::Cron(text)),
                        Err(err) => {
                            cx.push(e::cron(&text, &err, x.span));
                            None
                        }
                    }
                });
                expressions.push(v);
            }
            "rate" => {
                let v = w.required(cx, "a duration").and_then(|x| {
                    if matches!(cx.value(x).kind, ExprKind::Str(_)) {
                        let text = cx.literal(x)?;
                        match cron::parse(&format!("rate({text})")) {
                            Ok(cron::Expression::Rate { value, unit })
                                if unit.word(value)
                                    == text.split_whitespace().nth(1).unwrap_or("") =>
                            {
                                Some(ScheduleExpression::Rate { value, unit })
                            }
                            Ok(_) => {
                                cx.push(e::bad_rate_text(
                                    &text,
                                    "1 takes the singular unit, more the plural",
                                    x.span,
                                ));
                                None
                            }
                            Err(why) => {
                                cx.push(e::bad_rate_text(&text, &why, x.span));
                                None
                            }
                        }
                    } else {
                        let secs = cx.seconds(x)?;
                        rate_of(secs).or_else(|| {
                            cx.push(e::bad_rate(secs, x.span));
                            None
                        })
                    }
                });
                expressions.push(v);
            }
            "at" => {
                let v = w.required(cx, "a date and time").and_then(|x| {
                    let text = cx.literal(x)?;
                    match cron::parse_at(&text) {
                        Ok(_) => Some(ScheduleExpression::At(text)),
                        Err(why) => {
                            cx.push(e::bad_at(&why, x.span));
                            None
                        }
                    }
                });
                expressions.push(v);
            }
            "timezone" => {
                let v = w.required(cx, "an IANA time zone name").and_then(|x| {
                    let tz = cx.literal(x)?;
                    if cron::time_zone(&tz).is_some() {
                        Some((tz, x.span))
                    } else {
                        cx.push(e::unknown_zone(&tz, &cron::similar_zones(&tz), x.span));
                        None
                    }
                });
                set(cx, &mut timezone, s, v)
            }
            "enabled" => {
                let v = match w.positional() {
                    Some(x) => cx.boolean(x),
                    None => Some(true),
                };
                set(cx, &mut enabled, s, v)
            }
            "window" => {
                let v = w.required(cx, "a duration").and_then(|x| {
                    let secs = cx.seconds(x)?;
                    // FlexibleTimeWindow.MaximumWindowInMinutes: 1 to 1440.
                    if !secs.is_multiple_of(60) || !(60..=1440 * 60).contains(&secs) {
                        cx.push(e::schedule_range(
                            "a flexible window",
                            secs,
                            60,
                            86_400,
                            " s",
                            x.span,
                        ));
                        return None;
                    }
                    Some(secs / 60)
                });
                set(cx, &mut window, s, v)
            }
            "retries" => {
                let v = w.required(cx, "a number of retries").and_then(|x| {
                    let n = cx.int(x)?;
                    if n > 185 {
                        cx.push(e::schedule_range("retries", n, 0, 185, "", x.span));
                        return None;
                    }
                    Some(n)
                });
                set(cx, &mut retries, s, v)
            }
            "max_age" => {
                let v = w.required(cx, "a duration").and_then(|x| {
                    let secs = cx.seconds(x)?;
                    if !(60..=86_400).contains(&secs) {
                        cx.push(e::schedule_range(
                            "a maximum event age",
                            secs,
                            60,
                            86_400,
                            " s",
                            x.span,
                        ));
                        return None;
                    }
                    Some(secs)
                });
                set(cx, &mut max_age, s, v)
            }
            "role" => {
                let v = w.required(cx, "a role ARN").and_then(|x| cx.text(x));
                set(cx, &mut role, s, v)
            }
            _ => {
                unknown_property(cx, Id::Schedule, s);
                continue;
            }
        }
        w.finish(cx);
    }
    let Some(job) = job else {
        if !block(stmt).iter().any(|s| s.head.name == "job") {
            cx.push(errors::missing_property("schedule", &name, "job", stmt));
        }
        return None;
    };
    if expressions.len() != 1 {
        cx.push(e::expression_count(&name, expressions.len(), span));
        return None;
    }
    let expression = expressions.pop().flatten()?;
    Some(ir::Schedule {
        name,
        job: job.into(),
        expression,
        timezone: timezone.map_or_else(|| "UTC".to_string(), |(t, _)| t),
        enabled: enabled.unwrap_or(true),
        window_minutes: window,
        retries,
        max_age_seconds: max_age,
        role,
        span,
    })
}

/// A duration as EventBridge's rate: the largest of days, hours and minutes
/// that divides it; `None` below a minute or off whole minutes.
fn rate_of(seconds: u32) -> Option<ScheduleExpression> {
    if seconds < 60 || !seconds.is_multiple_of(60) {
        return None;
    }
    let s = u64::from(seconds);
    let unit = [
        cron::RateUnit::Days,
        cron::RateUnit::Hours,
        cron::RateUnit::Minutes,
    ]
    .into_iter()
    .find(|u| s.is_multiple_of(u.seconds()))?;
    Some(ScheduleExpression::Rate {
        value: s / unit.seconds(),
        unit,
    })
}
