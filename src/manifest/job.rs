//! Jobs and schedules in the local manifest (see `crate::manifest`). A job
//! is a task run to completion on demand (`wharf run`) or by a schedule
//! (`wharf up`); its overrides replace a container's command (and local
//! command) and add environment variables, as RunTask's container
//! overrides do. A schedule fires its job by a cron expression in a time
//! zone, every `rateMs`, or once `at` a local time. The runner checks all
//! of it itself: a hand-written manifest does not pass through the checker.

use super::{span_of, Code, Diagnostic, FileId, LocalCommand, Manifest};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Job {
    pub name: String,
    /// The family of the task definition it runs.
    pub task: String,
    /// Tasks started per run.
    #[serde(default = "super::one")]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<ContainerOverride>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerOverride {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub environment: BTreeMap<String, String>,
    /// What the process driver runs instead of the container's local command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local: Option<LocalCommand>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Schedule {
    pub name: String,
    pub job: String,
    /// EventBridge Scheduler cron fields (`0 3 * * ? *`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cron: Option<String>,
    /// A rate, in milliseconds (the checker writes whole minutes; a
    /// hand-written manifest may fire faster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_ms: Option<u64>,
    /// Once, at `yyyy-mm-ddThh:mm:ss` in `timezone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(default = "utc")]
    pub timezone: String,
    #[serde(default = "super::yes")]
    pub enabled: bool,
}

/// The fastest a local schedule fires: a task start takes milliseconds, so
/// a faster rate would pile up tasks without bound.
pub const MIN_RATE_MS: u64 = 100;

fn utc() -> String {
    "UTC".into()
}

/// When a schedule fires, read from its manifest entry.
#[derive(Debug, Clone)]
pub enum When {
    Every(std::time::Duration),
    Expression(crate::cron::Expression, jiff::tz::TimeZone),
}

impl Schedule {
    /// The schedule's timing, or why it cannot be read.
    pub fn when(&self) -> Result<When, String> {
        let tz = crate::cron::time_zone(&self.timezone)
            .ok_or_else(|| format!("unknown time zone `{}`", self.timezone))?;
        match (&self.cron, self.rate_ms, &self.at) {
            (Some(c), None, None) => crate::cron::parse_cron(c)
                .map(|c| When::Expression(crate::cron::Expression::Cron(Box::new(c)), tz))
                .map_err(|e| e.to_string()),
            (None, Some(ms), None) if ms >= MIN_RATE_MS => {
                Ok(When::Every(std::time::Duration::from_millis(ms)))
            }
            (None, Some(_), None) => Err(format!("rateMs must be at least {MIN_RATE_MS}")),
            (None, None, Some(at)) => crate::cron::parse_at(at)
                .map(|dt| When::Expression(crate::cron::Expression::At(dt), tz)),
            _ => Err("give exactly one of cron, rateMs and at".into()),
        }
    }

    /// What `wharf ps` shows: `cron(...) Europe/Paris`, `every 60000 ms`.
    pub fn describe(&self) -> String {
        match (&self.cron, self.rate_ms, &self.at) {
            (Some(c), _, _) => format!("cron({c}) {}", self.timezone),
            (_, Some(ms), _) => format!("every {ms} ms"),
            (_, _, Some(at)) => format!("at({at}) {}", self.timezone),
            _ => String::new(),
        }
    }
}

impl Manifest {
    pub fn job(&self, name: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.name == name)
    }
}

/// The manifest's jobs and schedules, checked against its tasks.
pub(super) fn validate(m: &Manifest, file: FileId, text: &str, diags: &mut Vec<Diagnostic>) {
    let mut err = |needle: &str, message: String, help: &str| {
        diags.push(
            Diagnostic::error(
                Code::ManifestInvalid,
                message,
                span_of(file, text, needle),
                "here",
            )
            .with_help(help),
        );
    };
    for j in &m.jobs {
        let Some(task) = m.task(&j.task) else {
            err(
                &j.task,
                format!("job `{}` runs unknown task `{}`", j.name, j.task),
                "add the task definition or fix the name",
            );
            continue;
        };
        if j.count == 0 {
            err(
                &j.name,
                format!("job `{}` runs 0 tasks", j.name),
                "give count 1 or more",
            );
        }
        for o in &j.overrides {
            if task.container(&o.name).is_none() {
                err(
                    &o.name,
                    format!("job `{}` overrides unknown container `{}`", j.name, o.name),
                    "name a container of the job's task",
                );
            }
        }
    }
    for s in &m.schedules {
        if m.job(&s.job).is_none() {
            err(
                &s.job,
                format!("schedule `{}` runs unknown job `{}`", s.name, s.job),
                "declare the job under jobs or fix the name",
            );
        }
        if let Err(why) = s.when() {
            err(
                &s.name,
                format!("schedule `{}`: {why}", s.name),
                "see docs/manifest.md for the schedule fields",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::SourceMap;

    fn errors(text: &str) -> Vec<String> {
        match crate::manifest::parse(&mut SourceMap::new(), "m.json", text) {
            Ok(_) => Vec::new(),
            Err(d) => d.into_iter().map(|d| d.message).collect(),
        }
    }

    #[test]
    fn schedules_and_jobs_are_checked_by_the_runner() {
        let task = r#""tasks":[{"family":"t","containers":[{"name":"app","image":"x"}]}]"#;
        let ok = format!(
            r#"{{"version":1,{task},"jobs":[{{"name":"j","task":"t"}}],
              "schedules":[{{"name":"s","job":"j","cron":"0 3 * * ? *","timezone":"Asia/Tokyo"}}]}}"#
        );
        assert!(errors(&ok).is_empty(), "{:?}", errors(&ok));
        for (bad, why) in [
            (
                r#""jobs":[{"name":"j","task":"nope"}]"#,
                "unknown task `nope`",
            ),
            (
                r#""jobs":[{"name":"j","task":"t","overrides":[{"name":"db"}]}]"#,
                "unknown container `db`",
            ),
            (
                r#""jobs":[{"name":"j","task":"t"}],"schedules":[{"name":"s","job":"k","rateMs":1000}]"#,
                "unknown job `k`",
            ),
            (
                r#""jobs":[{"name":"j","task":"t"}],"schedules":[{"name":"s","job":"j","rateMs":5}]"#,
                "rateMs must be at least 100",
            ),
            (
                r#""jobs":[{"name":"j","task":"t"}],"schedules":[{"name":"s","job":"j","cron":"0 3 * * *"}]"#,
                "6 fields",
            ),
            (
                r#""jobs":[{"name":"j","task":"t"}],"schedules":[{"name":"s","job":"j","rateMs":1000,"at":"2026-01-01T00:00:00"}]"#,
                "exactly one",
            ),
            (
                r#""jobs":[{"name":"j","task":"t"}],"schedules":[{"name":"s","job":"j","rateMs":1000,"timezone":"Nowhere/City"}]"#,
                "unknown time zone",
            ),
        ] {
            let got = errors(&format!(r#"{{"version":1,{task},{bad}}}"#));
            assert!(got.iter().any(|m| m.contains(why)), "{bad}: {got:?}");
        }
    }
}
