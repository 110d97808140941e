//! Jobs and schedules in the local manifest. Stage: emit (local). Input:
//! `ir::Job`, `ir::Schedule`; output: `manifest::Job`, `manifest::Schedule`.
//! What only AWS uses (launch, network, retries, the flexible window, the
//! role) has no local meaning and is not written; a rate becomes
//! milliseconds, a cron expression and an `at` time keep their time zone.

use crate::ir;
use crate::manifest as m;

pub(super) fn job(program: &ir::Program, j: &ir::Job) -> m::Job {
    m::Job {
        name: j.name.clone(),
        task: program.task(&j.task).family.clone(),
        count: j.count,
        overrides: j
            .overrides
            .iter()
            .map(|o| m::ContainerOverride {
                name: o.container.clone(),
                command: o
                    .command
                    .as_ref()
                    .map(|c| c.iter().map(|t| t.resolve(&program.inputs)).collect()),
                environment: o
                    .environment
                    .iter()
                    .map(|(k, v)| (k.clone(), v.resolve(&program.inputs)))
                    .collect(),
                local: o.local_command.as_ref().map(|c| match c {
                    ir::LocalCommand::Shell(s) => m::LocalCommand::Shell(s.clone()),
                    ir::LocalCommand::Argv(a) => m::LocalCommand::Argv(a.clone()),
                }),
            })
            .collect(),
    }
}

pub(super) fn schedule(s: &ir::Schedule) -> m::Schedule {
    let (cron, rate_ms, at) = match &s.expression {
        ir::ScheduleExpression::Cron(c) => (Some(c.clone()), None, None),
        ir::ScheduleExpression::Rate { value, unit } => {
            (None, Some(value * unit.seconds() * 1000), None)
        }
        ir::ScheduleExpression::At(a) => (None, None, Some(a.clone())),
    };
    m::Schedule {
        name: s.name.clone(),
        job: s.job.to_string(),
        cron,
        rate_ms,
        at,
        timezone: s.timezone.clone(),
        enabled: s.enabled,
    }
}
