//! Runtime platform rules across declarations: what a task's platform
//! (`arch`, `os`) allows of the capacity that runs it. Runs after lowering,
//! over services and jobs alike, with the cluster's default strategy
//! spelled out where they use it.
//!
//! Fargate Spot runs neither ARM64 nor Windows tasks (Amazon ECS Developer
//! Guide, "AWS Fargate capacity providers": Linux tasks with the ARM64
//! architecture and Windows containers do not support the Fargate Spot
//! capacity provider): such a task placed there never starts (E0491).

use super::errors::job::spot_platform;
use super::Cx;
use crate::ir::{self, Arch, JobLaunch, Launch, Scheduling};

pub fn check(cx: &mut Cx, program: &ir::Program) {
    let index = ir::Index::new(program);
    for s in &program.services {
        let (Some(task), Some(cluster)) = (
            index.tasks.get(s.task.as_str()),
            index.clusters.get(s.cluster.as_str()),
        ) else {
            continue;
        };
        let items = match (&s.launch, s.scheduling) {
            (_, Scheduling::Daemon) | (Launch::Type(_), _) => continue,
            (Launch::Strategy(items), _) => items,
            (Launch::ClusterDefault, _) => &cluster.default_strategy,
        };
        spot(cx, "service", &s.name, task, items, s.span);
    }
    for j in &program.jobs {
        let (JobLaunch::Strategy(items), Some(task)) =
            (&j.launch, index.tasks.get(j.task.as_str()))
        else {
            continue;
        };
        spot(cx, "job", &j.name, task, items, j.span);
    }
}

fn spot(
    cx: &mut Cx,
    what: &str,
    name: &str,
    task: &ir::Task,
    items: &[ir::StrategyItem],
    span: crate::diag::Span,
) {
    if !items.iter().any(|i| i.provider == "FARGATE_SPOT") {
        return;
    }
    let platform = if task.is_windows() {
        "Windows"
    } else if task.arch == Some(Arch::Arm64) {
        "ARM64"
    } else {
        return;
    };
    cx.push(spot_platform(
        what, name, &task.name, platform, span, task.span,
    ));
}
