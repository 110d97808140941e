//! Lowers `service` declarations.
//!
//! ```text
//! service api in prod {
//!   task web
//!   count 3
//!   launch fargate                       // or: capacity FARGATE_SPOT weight 2
//!   expose app:3000 via public { path "/api/*"; health "/health" }
//!   deploy rolling min 50% max 200% circuit_breaker rollback
//!   autoscale 2..10 cpu 70%
//!   discovery "api.internal"
//!   callers [worker]
//! }
//! ```

use super::args::Words;
use super::cluster::capacity;
use super::network::subnets;
use super::read::{block, reference, set, tag, unknown_property};
use super::vocabulary::{Expose, Id, Kind, Service as Prop};
use super::{errors, Cx};
use crate::ast::{Expr, ExprKind, Statement};
use crate::ir::{self, Compatibility, DeploymentStrategy, Launch, PlacementKind, Scheduling};

pub fn lower_service(cx: &mut Cx, stmt: &Statement) -> Option<ir::Service> {
    let name = super::scope::decl_name(cx, stmt)?.name;
    let mut head = Words::new(stmt).skip(1);
    let cluster_expr = head.keyword(cx, "in");
    head.finish(cx);
    let cluster = match cluster_expr {
        Some(e) => reference(cx, e, Kind::Cluster),
        None => match cx.scope.names(Kind::Cluster).as_slice() {
            [only] => Some(only.to_string()),
            _ => {
                cx.push(errors::service_without_cluster(
                    &name,
                    stmt.words[0].span,
                    &cx.scope.names(Kind::Cluster),
                ));
                None
            }
        },
    };
    let mut task = None;
    let mut count = None;
    let mut daemon = false;
    let mut launch = None;
    let mut strategy = Vec::new();
    let mut platform = None;
    let mut network = None;
    let mut service_subnets = None;
    let mut security_groups = None;
    let mut public_ip = None;
    let mut exposures = Vec::new();
    let mut deployment = None;
    let mut hooks = Vec::new();
    let mut alarms = None;
    let mut autoscale = None;
    let mut queue = None;
    let mut strategies = Vec::new();
    let mut constraints = Vec::new();
    let mut discovery = None;
    let mut connect = None;
    let mut grace = None;
    let mut callers: Vec<ir::Caller> = Vec::new();
    let mut egress = Vec::new();
    let mut exec = None;
    let mut tags = Vec::new();
    for s in block(stmt) {
        let Some(prop) = Prop::from_name(&s.head.name) else {
            unknown_property(cx, Id::Service, s);
            continue;
        };
        let mut w = Words::new(s);
        match prop {
            Prop::Task => {
                let v = w
                    .required(cx, "a task name")
                    .and_then(|e| reference(cx, e, Kind::Task).map(|n| (n, e.span)));
                set(cx, &mut task, s, v)
            }
            Prop::Count => {
                let v = w
                    .required(cx, "a number of tasks")
                    .and_then(|e| cx.int(e).map(|n| (n, e.span)));
                set(cx, &mut count, s, v)
            }
            Prop::Daemon => daemon = true,
            Prop::Launch => {
                let v = w.required(cx, "fargate, ec2 or external").and_then(|e| {
                    cx.choice(e, "a launch type", Prop::Launch.property().choices)
                        .map(|l| match l {
                            "fargate" => Compatibility::Fargate,
                            "ec2" => Compatibility::Ec2,
                            _ => Compatibility::External,
                        })
                });
                set(cx, &mut launch, s, v)
            }
            Prop::Capacity => {
                if let Some((p, item)) = capacity(cx, &mut w, false) {
                    strategy.push(item.unwrap_or(ir::StrategyItem {
                        provider: p.name().to_string(),
                        weight: 1,
                        base: 0,
                    }));
                }
            }
            Prop::Platform => {
                let v = w
                    .required(cx, "a platform version")
                    .and_then(|e| cx.literal(e));
                set(cx, &mut platform, s, v)
            }
            Prop::Network => {
                let v = w
                    .required(cx, "a network name")
                    .and_then(|e| reference(cx, e, Kind::Network));
                set(cx, &mut network, s, v)
            }
            Prop::Subnets => {
                let v = w.required(cx, "subnet IDs").and_then(|e| subnets(cx, e));
                set(cx, &mut service_subnets, s, v)
            }
            Prop::SecurityGroups => {
                let v = w
                    .required(cx, "security group IDs")
                    .and_then(|e| cx.texts(e));
                set(cx, &mut security_groups, s, v)
            }
            Prop::PublicIp => {
                let v = match w.positional() {
                    Some(e) => cx.boolean(e),
                    None => Some(true),
                };
                set(cx, &mut public_ip, s, v)
            }
            Prop::Expose => exposures.extend(expose(cx, &mut w, s)),
            Prop::Deploy => {
                let v = deploy(cx, &mut w);
                set(cx, &mut deployment, s, v)
            }
            Prop::Hook => hooks.extend(super::deploy::hook(cx, &mut w, s)),
            Prop::Alarms => {
                let v = super::deploy::alarms(cx, &mut w, s);
                set(cx, &mut alarms, s, v)
            }
            Prop::Autoscale => {
                let v = autoscaling(cx, &mut w, s);
                set(cx, &mut autoscale, s, v)
            }
            Prop::Queue => {
                let v = super::queue::read(cx, &mut w, s);
                set(cx, &mut queue, s, v)
            }
            Prop::Placement => strategies.extend(placement(cx, &mut w)),
            Prop::Constraint => {
                let expr = w.keyword(cx, "member_of").and_then(|e| cx.literal(e));
                match expr {
                    Some(x) => constraints.push(ir::PlacementConstraint::MemberOf(x)),
                    None => {
                        // `member_of` without a usable value is reported already.
                        let member_of = s
                            .words
                            .iter()
                            .any(|e| e.as_ident().is_some_and(|i| i.name == "member_of"));
                        if w.flag("distinct_instance") {
                            constraints.push(ir::PlacementConstraint::DistinctInstance)
                        } else if !member_of {
                            cx.push(errors::missing_word(
                                "constraint",
                                "`distinct_instance` or `member_of \"...\"`",
                                s.span,
                            ))
                        }
                    }
                }
            }
            Prop::Discovery => {
                let v = discovery_of(cx, &mut w);
                set(cx, &mut discovery, s, v)
            }
            Prop::Connect => {
                let v = super::connect::read(cx, &mut w, s);
                set(cx, &mut connect, s, v)
            }
            Prop::Grace => {
                let v = w.required(cx, "a duration").and_then(|e| cx.seconds(e));
                set(cx, &mut grace, s, v)
            }
            Prop::Callers => {
                if let Some(e) = w.required(cx, "a list of services") {
                    let items: Vec<Expr> = cx.list(e).into_iter().cloned().collect();
                    for i in &items {
                        if let Some(n) = reference(cx, i, Kind::Service) {
                            callers.push(ir::Caller {
                                service: n,
                                ports: Vec::new(),
                                span: i.span,
                            });
                        }
                    }
                }
            }
            Prop::Caller => {
                let ports = w.keyword(cx, "port").and_then(|e| cx.port(e, false));
                if let Some(e) = w.required(cx, "a service") {
                    if let Some(n) = reference(cx, e, Kind::Service) {
                        callers.push(ir::Caller {
                            service: n,
                            ports: ports.into_iter().collect(),
                            span: e.span,
                        });
                    }
                }
            }
            Prop::Egress => {
                let port = w.keyword(cx, "port").and_then(|e| cx.port(e, false));
                let protocol = if w.flag("udp") {
                    ir::Protocol::Udp
                } else {
                    ir::Protocol::Tcp
                };
                if let Some(cidr) = w.required(cx, "a CIDR block").and_then(|e| cx.ip_cidr(e)) {
                    egress.push(ir::EgressRule {
                        cidr,
                        port,
                        protocol,
                    });
                }
            }
            Prop::Exec => {
                let v = match w.positional() {
                    Some(e) => cx.boolean(e),
                    None => Some(true),
                };
                set(cx, &mut exec, s, v)
            }
            Prop::Tag => tags.extend(tag(cx, &mut w, s)),
        }
        w.finish(cx);
    }
    let Some((task, _)) = task else {
        if !block(stmt).iter().any(|s| s.head.name == Prop::Task.name()) {
            cx.push(errors::missing_property("service", &name, "task", stmt));
        }
        return None;
    };
    let cluster = cluster?;
    let launch = match (launch, strategy.is_empty()) {
        (Some(_), false) => {
            cx.push(errors::launch_and_capacity(stmt.words[0].span));
            return None;
        }
        (Some(l), true) => Launch::Type(l),
        (None, false) => Launch::Strategy(strategy),
        (None, true) => Launch::ClusterDefault,
    };
    let scheduling = if daemon {
        Scheduling::Daemon
    } else {
        Scheduling::Replica
    };
    let desired_count = match (scheduling, count) {
        (Scheduling::Daemon, Some((_, span))) => {
            cx.push(errors::daemon_with_count(span));
            None
        }
        (Scheduling::Daemon, None) => None,
        (Scheduling::Replica, c) => Some(c.map_or(1, |c| c.0)),
    };
    let network = Some(ir::ServiceNetwork {
        network: network.map(ir::Ref::new),
        subnets: service_subnets,
        security_groups: security_groups.unwrap_or_default(),
        public_ip: public_ip.unwrap_or(false),
    });
    let mut service = ir::Service {
        name,
        cluster: cluster.into(),
        task: task.into(),
        scheduling,
        desired_count,
        launch,
        platform_version: platform,
        network,
        exposures,
        deployment: ir::Deployment {
            hooks,
            alarms,
            ..deployment.unwrap_or_else(|| default_deployment(scheduling))
        },
        placement_strategies: strategies,
        placement_constraints: constraints,
        discovery: discovery.map(Box::new),
        connect: connect.map(Box::new),
        grace_period: grace,
        autoscale: autoscale.map(Box::new),
        queue: queue.map(Box::new),
        callers,
        egress,
        execute_command: exec.unwrap_or(false),
        tags,
        span: stmt.words[0].span,
    };
    service.shrink_to_fit();
    Some(service)
}

/// ECS's defaults: 100/200 for replica services, 0/100 for daemons.
fn default_deployment(scheduling: Scheduling) -> ir::Deployment {
    let (min, max) = if scheduling == Scheduling::Daemon {
        (0, 100)
    } else {
        (100, 200)
    };
    ir::Deployment {
        strategy: DeploymentStrategy::Rolling,
        minimum_healthy_percent: min,
        maximum_percent: max,
        circuit_breaker: None,
        bake_time_minutes: None,
        hooks: Vec::new(),
        alarms: None,
    }
}

/// `expose CONTAINER:PORT via LB [listener N] [path P] [host H] [health "/h"] { ... }`
fn expose(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::Exposure> {
    let via = w.keyword(cx, "via");
    if via.is_none()
        && !s
            .words
            .iter()
            .any(|w| w.as_ident().is_some_and(|i| i.name == "via"))
    {
        cx.push(errors::missing_word(
            "expose",
            "`via LOAD_BALANCER`",
            s.span,
        ));
    }
    let lb = via.and_then(|e| reference(cx, e, Kind::LoadBalancer));
    let mut listeners: Vec<u16> = w
        .keyword(cx, "listener")
        .and_then(|e| cx.port(e, false))
        .into_iter()
        .collect();
    let mut paths: Vec<String> = w
        .keyword(cx, "path")
        .and_then(|e| cx.literal(e))
        .into_iter()
        .collect();
    let mut hosts: Vec<String> = w
        .keyword(cx, "host")
        .and_then(|e| cx.literal(e))
        .into_iter()
        .collect();
    let inline_health = w.keyword(cx, "health").and_then(|e| cx.literal(e));
    let target = w.required(cx, "`container:port`")?;
    let ExprKind::Pair(container, port) = &target.kind else {
        cx.push(errors::type_mismatch(
            "`container:port`",
            target.describe(),
            target.span,
        ));
        return None;
    };
    let container_port = cx.port(port, false)?;
    let mut health = ir::TargetHealth {
        path: inline_health,
        interval: 30,
        timeout: 5,
        healthy_threshold: 5,
        unhealthy_threshold: 2,
        matcher: "200-399".to_string(),
    };
    let mut deregistration = None;
    let mut target_group = None;
    let mut traffic = ir::TrafficShift::default();
    let mut timeout_given = false;
    for b in block(s) {
        let Some(prop) = Expose::from_name(&b.head.name) else {
            unknown_property(cx, Id::Expose, b);
            continue;
        };
        let mut bw = Words::new(b);
        match prop {
            Expose::Path => {
                while let Some(e) = bw.positional() {
                    let items: Vec<Expr> = cx.list(e).into_iter().cloned().collect();
                    paths.extend(items.iter().filter_map(|i| cx.literal(i)));
                }
            }
            Expose::Host => {
                while let Some(e) = bw.positional() {
                    let items: Vec<Expr> = cx.list(e).into_iter().cloned().collect();
                    hosts.extend(items.iter().filter_map(|i| cx.literal(i)));
                }
            }
            Expose::Listener => {
                listeners.extend(bw.required(cx, "a port").and_then(|e| cx.port(e, false)))
            }
            Expose::Health => {
                if let Some(v) = bw.keyword(cx, "every").and_then(|e| cx.seconds(e)) {
                    health.interval = v;
                }
                if let Some(v) = bw.keyword(cx, "timeout").and_then(|e| cx.seconds(e)) {
                    health.timeout = v;
                    timeout_given = true;
                }
                if let Some(v) = bw.keyword(cx, "healthy").and_then(|e| cx.int(e)) {
                    health.healthy_threshold = v;
                }
                if let Some(v) = bw.keyword(cx, "unhealthy").and_then(|e| cx.int(e)) {
                    health.unhealthy_threshold = v;
                }
                if let Some(v) = bw.keyword(cx, "codes").and_then(|e| cx.literal(e)) {
                    health.matcher = v;
                }
                if let Some(e) = bw.positional() {
                    health.path = cx.literal(e);
                }
            }
            Expose::Deregistration => {
                deregistration = bw.required(cx, "a duration").and_then(|e| cx.seconds(e))
            }
            Expose::TargetGroup => {
                target_group = bw
                    .required(cx, "a target group ARN")
                    .and_then(|e| cx.text(e))
            }
            Expose::AlternateTargetGroup
            | Expose::ProductionRule
            | Expose::TestRule
            | Expose::TrafficRole
            | Expose::TestListener => super::deploy::traffic(cx, &mut bw, prop, b, &mut traffic),
        }
        bw.finish(cx);
    }
    // ELB takes only a timeout shorter than the interval: a short interval
    // without a timeout of its own gets one that fits.
    if !timeout_given && health.timeout >= health.interval {
        health.timeout = health.interval.saturating_sub(1).max(2);
    }
    Some(ir::Exposure {
        load_balancer: lb?.into(),
        container: container.name.clone(),
        container_port,
        listeners,
        paths,
        hosts,
        priority: 0,
        health,
        // ELB's default is 300 s; 30 s makes deployments finish faster and is
        // what most services want. Written out either way.
        deregistration_delay: deregistration.unwrap_or(30),
        target_group_arn: target_group,
        traffic,
        // The `container:port` word: what an error about the exposure is about.
        span: target.span,
    })
}

/// `deploy rolling|blue_green|canary 10% every 5m|linear 10% every 1m [min 50%] [max 200%] [circuit_breaker] [rollback] [bake 5m]`
fn deploy(cx: &mut Cx, w: &mut Words) -> Option<ir::Deployment> {
    let min = w.keyword(cx, "min").and_then(|e| percent_int(cx, e));
    let max = w.keyword(cx, "max").and_then(|e| percent_int(cx, e));
    let every = w
        .keyword(cx, "every")
        .and_then(|e| super::deploy::minutes(cx, e, "a step interval"));
    let bake = w
        .keyword(cx, "bake")
        .and_then(|e| super::deploy::minutes(cx, e, "a bake time"));
    let breaker = w.flag("circuit_breaker");
    let rollback = w.flag("rollback");
    let kind = w.required(cx, "rolling, blue_green, canary or linear")?;
    let kind = cx.choice(
        kind,
        "a deployment strategy",
        &["rolling", "blue_green", "canary", "linear"],
    )?;
    let strategy = match kind {
        "rolling" => DeploymentStrategy::Rolling,
        "blue_green" => DeploymentStrategy::BlueGreen,
        shifting => {
            let step = w.required(cx, "the percentage shifted per step")?;
            let percent = percent_int(cx, step)?;
            if shifting == "linear" {
                super::deploy::linear_step(cx, percent, step.span);
            }
            let interval_minutes = every.unwrap_or(5);
            if shifting == "canary" {
                DeploymentStrategy::Canary {
                    percent,
                    interval_minutes,
                }
            } else {
                DeploymentStrategy::Linear {
                    percent,
                    interval_minutes,
                }
            }
        }
    };
    Some(ir::Deployment {
        strategy,
        minimum_healthy_percent: min.unwrap_or(100),
        maximum_percent: max.unwrap_or(200),
        circuit_breaker: (breaker || rollback).then_some(ir::CircuitBreaker { rollback }),
        // ECS requires a bake time with BLUE_GREEN: none given is none.
        bake_time_minutes: bake.or((strategy == DeploymentStrategy::BlueGreen).then_some(0)),
        hooks: Vec::new(),
        alarms: None,
    })
}

fn percent_int(cx: &mut Cx, e: &Expr) -> Option<u32> {
    cx.percent_whole(e)
}

/// `autoscale MIN..MAX [cpu 70%] [memory 80%] [requests 1000] [backlog 100] [cooldown 60s]`
fn autoscaling(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<ir::AutoScale> {
    let given = [
        w.keyword(cx, "cpu"),
        w.keyword(cx, "memory"),
        w.keyword(cx, "requests"),
        w.keyword(cx, "backlog"),
    ];
    let cpu = given[0].and_then(|e| cx.percent(e));
    let memory = given[1].and_then(|e| cx.percent(e));
    let requests = given[2].and_then(|e| cx.number(e));
    let backlog = given[3].and_then(|e| cx.int(e).map(|n| (n, e.span)));
    let zero_backlog = matches!(backlog, Some((0, _)));
    if let Some((0, span)) = backlog {
        cx.push(
            crate::diag::Diagnostic::error(
                crate::diag::Code::QueueBacklog,
                "a backlog target of 0 messages per task",
                span,
                "target tracking needs a target above zero",
            )
            .with_help("give the messages one task works through in an acceptable time, such as `backlog 100`"),
        );
    }
    let backlog = backlog.map(|(n, _)| n);
    let cooldown = w.keyword(cx, "cooldown").and_then(|e| cx.seconds(e));
    let range = w.required(cx, "a range of task counts such as 2..10")?;
    let ExprKind::Range(lo, hi) = &range.kind else {
        cx.push(errors::type_mismatch(
            "a range such as 2..10",
            range.describe(),
            range.span,
        ));
        return None;
    };
    let (min, max) = (cx.int(lo)?, cx.int(hi)?);
    if zero_backlog {
        return None;
    }
    let mut targets = Vec::new();
    for (metric, value) in [
        (ir::ScalingMetric::Cpu, cpu),
        (ir::ScalingMetric::Memory, memory),
        (ir::ScalingMetric::Requests, requests),
    ] {
        if let Some(value) = value {
            targets.push(ir::ScalingTarget { metric, value });
        }
    }
    if targets.is_empty() && backlog.is_none() {
        // A target given but unreadable has been reported already.
        if given.iter().all(Option::is_none) {
            cx.push(errors::autoscale_without_target(s.span));
        }
        return None;
    }
    Some(ir::AutoScale {
        min,
        max,
        targets,
        scale_in_cooldown: cooldown.unwrap_or(300),
        scale_out_cooldown: cooldown.unwrap_or(60),
        backlog,
        span: s.span,
    })
}

/// `placement spread [az|instance|"attribute:..."]`, `placement binpack [memory|cpu]`, `placement random`
fn placement(cx: &mut Cx, w: &mut Words) -> Option<ir::PlacementStrategy> {
    let kind = w.required(cx, "spread, binpack or random")?;
    let kind = cx.choice(
        kind,
        "a placement strategy",
        &["spread", "binpack", "random"],
    )?;
    let field = w.positional();
    match kind {
        "spread" => {
            let field = match field {
                None => "attribute:ecs.availability-zone".to_string(),
                Some(e) => match e.as_ident().map(|i| i.name.as_str()) {
                    Some("az") => "attribute:ecs.availability-zone".to_string(),
                    Some("instance") => "instanceId".to_string(),
                    // A bare word that is no constant: a misspelt field.
                    Some(other) if !cx.scope.values.contains_key(other) => {
                        let other = other.to_string();
                        cx.push(errors::invalid_choice(
                            "a spread field",
                            &other,
                            &["az", "instance", "\"attribute:...\""],
                            e.span,
                        ));
                        return None;
                    }
                    _ => cx.literal(e)?,
                },
            };
            Some(ir::PlacementStrategy {
                kind: PlacementKind::Spread,
                field: Some(field),
            })
        }
        "binpack" => {
            let field = match field {
                None => "memory",
                Some(e) => cx.choice(e, "a binpack field", &["memory", "cpu"])?,
            };
            Some(ir::PlacementStrategy {
                kind: PlacementKind::Binpack,
                field: Some(field.to_string()),
            })
        }
        _ => Some(ir::PlacementStrategy {
            kind: PlacementKind::Random,
            field: None,
        }),
    }
}

/// `discovery "orders.internal" [ttl 60s] [registry ARN]`
fn discovery_of(cx: &mut Cx, w: &mut Words) -> Option<ir::Discovery> {
    let ttl = w.keyword(cx, "ttl").and_then(|e| cx.seconds(e));
    let registry = w.keyword(cx, "registry").and_then(|e| cx.text(e));
    let e = w.required(cx, "a DNS name such as \"orders.internal\"")?;
    let dns = cx.literal(e)?;
    let Some((name, namespace)) = dns.split_once('.') else {
        cx.push(errors::bad_discovery_name(&dns, e.span));
        return None;
    };
    let label_ok =
        |l: &str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !label_ok(name) || !namespace.split('.').all(label_ok) {
        cx.push(errors::bad_discovery_name(&dns, e.span));
        return None;
    }
    Some(ir::Discovery {
        name: name.to_string(),
        namespace: namespace.to_string(),
        registry_arn: registry,
        ttl: ttl.unwrap_or(60),
    })
}
