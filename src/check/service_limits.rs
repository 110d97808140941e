//! Limits of what a service asks of ECS, Elastic Load Balancing,
//! Application Auto Scaling and resource tagging that the AWS API references
//! state (E0445-E0448, E0458, E0459, E0479): placement strategies and constraints,
//! capacity provider strategies, target group health check ranges, listener
//! rule condition values, target tracking values, and tag keys.
//! Stage: check, over the lowered program. Input: services and the load
//! balancers they name. Output: diagnostics. Invariant: a rule refuses only
//! what the API refuses; defaults Wharf fills in are always valid.

use super::errors::limit as e;
use super::Cx;
use crate::ir::{Compatibility, Index, Launch, LbKind, Program, Scheduling, StrategyItem, Text};

pub fn check(cx: &mut Cx, program: &Program, index: &Index) {
    for s in &program.services {
        for x in &s.exposures {
            let kind = index
                .load_balancers
                .get(x.load_balancer.as_str())
                .map(|lb| lb.kind);
            for problem in health_problems(&x.health, kind) {
                cx.push(e::target_health(&s.name, &problem, x.span));
            }
            if x.deregistration_delay > 3600 {
                cx.push(e::target_health(
                    &s.name,
                    &format!(
                        "deregistration delay {}s is longer than 3600s",
                        x.deregistration_delay
                    ),
                    x.span,
                ));
            }
            for problem in condition_problems(&x.paths, &x.hosts) {
                cx.push(e::rule_condition(&s.name, &problem, x.span));
            }
        }
        // CreateService: a daemon service places one task on each
        // instance, so it takes no placement strategy and no desired count
        // to scale; a platform version is for Fargate only.
        if s.scheduling == Scheduling::Daemon {
            if !s.placement_strategies.is_empty() {
                cx.push(e::service_setting(
                    &s.name,
                    "is a daemon service with a placement strategy, which ECS refuses",
                    "a daemon service runs one task on each instance: leave out `placement` \
                     (placement constraints are fine)",
                    s.span,
                ));
            }
            if let Some(a) = &s.autoscale {
                cx.push(e::service_setting(
                    &s.name,
                    "is a daemon service with auto scaling, which has no desired count to change",
                    "a daemon service runs one task on each instance: leave out `autoscale`, or \
                     make it a replica service",
                    a.span,
                ));
            }
        }
        // CreateService.networkConfiguration: only for a task in awsvpc
        // mode ("Network Configuration is not valid for the given
        // networkMode of this task definition").
        let mode = index.tasks.get(s.task.as_str()).map(|t| t.network_mode);
        if let (Some(net), Some(mode)) = (&s.network, mode) {
            let given = net.subnets.is_some() || !net.security_groups.is_empty();
            if given && mode != crate::ir::NetworkMode::Awsvpc {
                cx.push(e::service_setting(
                    &s.name,
                    &format!(
                        "names subnets or security groups, but its task `{}` runs in {} mode; \
                         ECS takes a network configuration only for awsvpc",
                        s.task,
                        mode.as_str()
                    ),
                    "leave out `subnets` and `security_groups`, or give the task `network awsvpc`",
                    s.span,
                ));
            }
        }
        if let (Some(v), Launch::Type(t)) = (&s.platform_version, &s.launch) {
            if *t != Compatibility::Fargate {
                cx.push(e::service_setting(
                    &s.name,
                    &format!(
                        "names platform version `{v}` but does not launch on Fargate; ECS \
                         refuses a platform version for other launch types"
                    ),
                    "leave out `platform`, or launch the service on Fargate",
                    s.span,
                ));
            }
        }
        if let Some(a) = &s.autoscale {
            for t in a
                .targets
                .iter()
                .filter(|t| t.value <= 0.0 || !t.value.is_finite())
            {
                cx.push(e::scaling_target_value(&s.name, t.value, a.span));
            }
        }
        // CreateService: at most 5 placement strategy rules, and at most 10
        // placement constraints counting the task definition's.
        if s.placement_strategies.len() > 5 {
            cx.push(e::placement(
                &s.name,
                &format!(
                    "{} placement strategies, more than 5",
                    s.placement_strategies.len()
                ),
                s.span,
            ));
        }
        let task_constraints = index
            .tasks
            .get(s.task.as_str())
            .map_or(0, |t| t.settings.placement_constraints.len());
        let constraints = s.placement_constraints.len() + task_constraints;
        if constraints > 10 {
            cx.push(e::placement(
                &s.name,
                &format!("{constraints} placement constraints with its task's, more than 10"),
                s.span,
            ));
        }
        if let Launch::Strategy(items) = &s.launch {
            if let Some(problem) = strategy_problem(items) {
                cx.push(e::strategy(
                    &format!("service `{}`", s.name),
                    &problem,
                    s.span,
                ));
            }
        }
        if let Some(problem) = tags_problem(&s.tags) {
            cx.push(e::tags(&format!("service `{}`", s.name), &problem, s.span));
        }
    }
    for c in &program.clusters {
        if let Some(problem) = strategy_problem(&c.default_strategy) {
            cx.push(e::strategy(
                &format!("cluster `{}`", c.name),
                &problem,
                c.span,
            ));
        }
    }
    for t in &program.tasks {
        if let Some(problem) = tags_problem(&t.tags) {
            cx.push(e::tags(&format!("task `{}`", t.name), &problem, t.span));
        }
    }
}

/// What the Elastic Load Balancing API refuses in a target group's health
/// check (CreateTargetGroup: HealthCheckIntervalSeconds 5-300,
/// HealthCheckTimeoutSeconds 2-120 and below the interval, thresholds 2-10,
/// HealthCheckPath starting with `/` and at most 1024 characters, HTTP
/// matcher codes 200-499).
fn health_problems(h: &crate::ir::TargetHealth, kind: Option<LbKind>) -> Vec<String> {
    let mut out = Vec::new();
    if !(5..=300).contains(&h.interval) {
        out.push(format!("interval {}s is outside 5s to 300s", h.interval));
    }
    if !(2..=120).contains(&h.timeout) {
        out.push(format!("timeout {}s is outside 2s to 120s", h.timeout));
    } else if h.timeout >= h.interval && (5..=300).contains(&h.interval) {
        out.push(format!(
            "timeout {}s is not shorter than the interval {}s",
            h.timeout, h.interval
        ));
    }
    for (what, v) in [
        ("healthy", h.healthy_threshold),
        ("unhealthy", h.unhealthy_threshold),
    ] {
        if !(2..=10).contains(&v) {
            out.push(format!("{what} threshold {v} is outside 2 to 10"));
        }
    }
    if let Some(path) = &h.path {
        if !path.starts_with('/') || path.len() > 1024 {
            out.push(format!(
                "path `{path}` must start with `/` and have at most 1024 characters"
            ));
        }
    }
    // ALB target groups take success codes 200-499, NLB ones 200-599; where
    // the load balancer is unknown (already an error) nothing is said.
    let highest = match kind {
        Some(LbKind::Alb) => Some(499),
        Some(LbKind::Nlb) => Some(599),
        None => None,
    };
    if let Some(highest) = highest.filter(|_| h.path.is_some()) {
        if !matcher_ok(&h.matcher, highest) {
            out.push(format!(
                "success codes `{}` are not HTTP codes from 200 to {highest} (`200`, `200,302` or `200-399`)",
                h.matcher
            ));
        }
    }
    out
}

fn matcher_ok(m: &str, highest: u16) -> bool {
    let code = |s: &str| {
        s.len() == 3
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.parse::<u16>().is_ok_and(|c| (200..=highest).contains(&c))
    };
    !m.is_empty()
        && m.split(',').all(|part| match part.split_once('-') {
            Some((a, b)) => code(a) && code(b) && a <= b,
            None => code(part),
        })
}

/// What a listener rule's conditions may hold (Application Load Balancer
/// listener rules: at most 3 values per condition and 5 wildcards per rule;
/// path patterns and host names of at most 128 characters in their
/// character sets; a host name has a `.` and only letters after the last).
fn condition_problems(paths: &[String], hosts: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (what, values) in [("path", paths), ("host", hosts)] {
        if values.len() > 3 {
            out.push(format!(
                "it has {} {what} values, more than the 3 one condition takes",
                values.len()
            ));
        }
    }
    if paths.len() + hosts.len() > 5 {
        out.push(format!(
            "it has {} path and host values, more than the 5 a rule takes",
            paths.len() + hosts.len()
        ));
    }
    let wildcards: usize = paths
        .iter()
        .chain(hosts)
        .map(|v| v.matches(['*', '?']).count())
        .sum();
    if wildcards > 5 {
        out.push(format!(
            "it has {wildcards} wildcards, more than the 5 a rule takes"
        ));
    }
    for p in paths {
        let ok = !p.is_empty()
            && p.len() <= 128
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.$/~\"'@:+&*?".contains(&b));
        if !ok {
            out.push(format!(
                "path `{p}` is not 1 to 128 of letters, digits and _ - . $ / ~ \" ' @ : + & * ?"
            ));
        }
    }
    for h in hosts {
        let chars = h
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.*?".contains(&b));
        let tail_ok = h.rsplit_once('.').is_some_and(|(_, last)| {
            last.bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'*' || b == b'?')
        });
        if h.is_empty() || h.len() > 128 || !chars || !tail_ok {
            out.push(format!(
                "host `{h}` is not a host name of at most 128 letters, digits and - . * ?, \
                 with a `.` and only letters after the last one"
            ));
        }
    }
    out
}

/// What ECS refuses in a capacity provider strategy (CapacityProviderStrategyItem):
/// a base on more than one provider, or no provider with a weight above zero.
fn strategy_problem(items: &[StrategyItem]) -> Option<String> {
    if items.is_empty() {
        return None;
    }
    let with_base: Vec<&str> = items
        .iter()
        .filter(|i| i.base > 0)
        .map(|i| i.provider.as_str())
        .collect();
    if with_base.len() > 1 {
        return Some(format!(
            "its capacity strategy gives a base to {} providers ({}); only one may have a base",
            with_base.len(),
            with_base.join(", ")
        ));
    }
    if items.iter().all(|i| i.weight == 0) {
        return Some(
            "its capacity strategy gives every provider a weight of 0, so no task is placed"
                .to_string(),
        );
    }
    None
}

/// What the tagging APIs refuse: more than 50 tags, a key given twice, keys
/// over 128 or values over 256 characters, keys starting with the reserved
/// `aws:` prefix.
fn tags_problem(tags: &[(String, Text)]) -> Option<String> {
    if tags.len() > 50 {
        return Some(format!(
            "it has {} tags, more than the 50 AWS allows",
            tags.len()
        ));
    }
    // TagKey / TagValue: letters, numbers, spaces and `_ . : / = + - @`.
    let charset_ok = |s: &str| {
        s.chars()
            .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
    };
    let mut seen = std::collections::HashSet::new();
    for (k, v) in tags {
        if !seen.insert(k.as_str()) {
            return Some(format!("tag key `{k}` is given twice"));
        }
        if !charset_ok(k) {
            return Some(format!(
                "tag key `{k}` has characters other than letters, numbers, spaces and _ . : / = + - @"
            ));
        }
        if let Some(value) = v.as_literal().filter(|value| !charset_ok(value)) {
            return Some(format!(
                "the value `{value}` of tag `{k}` has characters other than letters, numbers, spaces and _ . : / = + - @"
            ));
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            return Some(format!("tag key `{k}` uses the `aws:` prefix AWS reserves"));
        }
        if k.is_empty() || k.chars().count() > 128 {
            return Some(format!("tag key `{k}` is not 1 to 128 characters"));
        }
        if let Some(value) = v.as_literal() {
            if value.chars().count() > 256 {
                return Some(format!(
                    "the value of tag `{k}` is longer than 256 characters"
                ));
            }
        }
    }
    None
}
