//! Wording of the diagnostics about jobs and schedules (E0480-E0490, and the
//! ECS rules they share with services: E0430-E0432, E0437).

use crate::cron::CronError;
use crate::diag::{Code, Diagnostic, Span};

pub fn cron(text: &str, e: &CronError, span: Span) -> Diagnostic {
    let (code, help) = match e {
        CronError::FieldCount(_) | CronError::Syntax { .. } => (
            Code::CronSyntax,
            "write six fields `minutes hours day-of-month month day-of-week year`, such as \"0 3 * * ? *\"",
        ),
        CronError::Range { .. } => (
            Code::CronRange,
            "minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12, day-of-week 1-7 (1 is Sunday), year 1970-2199, `#` 1-5",
        ),
        CronError::DayFields { both: true } => (
            Code::CronDayFields,
            "write `?` in day-of-month (`0 3 ? * MON *`) or in day-of-week (`0 3 1 * ? *`)",
        ),
        CronError::DayFields { both: false } => (
            Code::CronDayFields,
            "give day-of-month (`*` for every day) or day-of-week, and `?` in the other",
        ),
        CronError::Never => (
            Code::CronNever,
            "check the day and month: a date such as 30 February never comes",
        ),
    };
    Diagnostic::error(
        code,
        format!("cron expression `{text}`: {e}"),
        span,
        "EventBridge Scheduler refuses this",
    )
    .with_help(help)
}

pub fn bad_rate(seconds: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::RateInvalid,
        format!("a rate of {seconds} s is not a whole number of minutes of at least one"),
        span,
        "EventBridge Scheduler counts rates in minutes, hours or days",
    )
    .with_help("use `rate 1m` or more, in whole minutes (`rate 90m`, `rate 6h`, `rate 24h`)")
}

pub fn bad_rate_text(text: &str, why: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::RateInvalid,
        format!("rate `{text}`: {why}"),
        span,
        "not an EventBridge Scheduler rate",
    )
    .with_help(
        "write a duration (`rate 15m`) or `rate \"15 minutes\"`; 1 takes the singular (`1 hour`)",
    )
}

pub fn unknown_zone(name: &str, similar: &[String], span: Span) -> Diagnostic {
    let help = match similar {
        [] => {
            "use an IANA time zone name such as \"Europe/Paris\", \"America/New_York\" or \"UTC\""
                .to_string()
        }
        s => format!("did you mean `{}`?", s.join("`, `")),
    };
    Diagnostic::error(
        Code::UnknownTimeZone,
        format!("unknown time zone `{name}`"),
        span,
        "not in the IANA time zone database",
    )
    .with_help(help)
}

pub fn bad_at(why: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::AtInvalid,
        format!("one-time schedule: {why}"),
        span,
        "not yyyy-mm-ddThh:mm:ss",
    )
    .with_help("write the local date and time in the schedule's time zone, such as \"2026-12-01T09:30:00\"")
}

pub fn expression_count(schedule: &str, found: usize, span: Span) -> Diagnostic {
    let message = if found == 0 {
        format!("schedule `{schedule}` says not when to run")
    } else {
        format!("schedule `{schedule}` has {found} of `cron`, `rate` and `at`")
    };
    Diagnostic::error(
        Code::ScheduleExpressionCount,
        message,
        span,
        "this schedule",
    )
    .with_help(
        "give exactly one: `cron \"0 3 * * ? *\"`, `rate 15m` or `at \"2026-12-01T09:30:00\"`",
    )
}

pub fn job_count(n: u32, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::JobCount,
        format!("a job runs 1 to 10 tasks at a time, not {n}"),
        span,
        "RunTask's `count` is 1 to 10",
    )
    .with_help("use a count from 1 to 10, or several jobs")
}

pub fn schedule_range(
    what: &str,
    value: u32,
    lo: u32,
    hi: u32,
    unit: &str,
    span: Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::ScheduleRange,
        format!("{what} of {value}{unit} is outside {lo}{unit} to {hi}{unit}"),
        span,
        "EventBridge Scheduler refuses this",
    )
    .with_help(format!("use {what} from {lo}{unit} to {hi}{unit}"))
}

pub fn job_without_cluster(name: &str, span: Span, clusters: &[&str]) -> Diagnostic {
    let help = if clusters.is_empty() {
        "declare a `cluster` and place the job with `job NAME in CLUSTER`".to_string()
    } else {
        format!(
            "write `job {name} in CLUSTER`; clusters: {}",
            clusters.join(", ")
        )
    };
    Diagnostic::error(
        Code::MissingProperty,
        format!("job `{name}` is in no cluster"),
        span,
        "which cluster?",
    )
    .with_help(help)
}

pub fn launch_and_capacity(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::ConflictingProperties,
        "a job has either `launch` or `capacity`, not both",
        span,
        "this job",
    )
    .with_help("keep `launch TYPE`, or the `capacity` strategy")
}

pub fn launch_incompatible(
    job: &str,
    launch: &str,
    task: &str,
    span: Span,
    task_span: Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::LaunchIncompatible,
        format!("job `{job}` launches on {launch}, which task `{task}` does not support"),
        span,
        format!("{launch} job"),
    )
    .with_label(task_span, "task declared here")
    .with_help(format!(
        "add `compat {}` to the task, or change the job's launch",
        launch.to_ascii_lowercase()
    ))
}

pub fn unknown_capacity_provider(provider: &str, cluster: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnknownCapacityProvider,
        format!("capacity provider `{provider}` is not in cluster `{cluster}`"),
        span,
        "this job",
    )
    .with_help(format!(
        "declare `capacity {provider}` in cluster `{cluster}`"
    ))
}

pub fn without_subnets(job: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::AwsvpcWithoutSubnets,
        format!("job `{job}` runs an awsvpc task but has no subnets"),
        span,
        "awsvpc job",
    )
    .with_help("add `subnets [...]` or `network NAME` to the job, or `network NAME` to its cluster")
}

pub fn public_ip_off_fargate(job: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::PublicIpOnEc2,
        format!("job `{job}` asks for a public IP but does not run on Fargate"),
        span,
        "public_ip on",
    )
    .with_help(
        "ECS assigns public IPs to Fargate tasks only; remove `public_ip` or launch on Fargate",
    )
}

pub fn spot_platform(
    what: &str,
    name: &str,
    task: &str,
    platform: &str,
    span: Span,
    task_span: Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::FargateSpotPlatform,
        format!("{what} `{name}` places {platform} task `{task}` on Fargate Spot"),
        span,
        "its capacity provider strategy names FARGATE_SPOT",
    )
    .with_label(task_span, format!("the task runs on {platform}"))
    .with_help(
        "Fargate Spot runs only Linux x86_64 tasks: use `capacity FARGATE` or `launch fargate`",
    )
}
