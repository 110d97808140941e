//! `wharf ps [--format table|json] [-p NAME]`: services and tasks of the
//! project's run (`.wharf/<project>/` of the current directory), read from
//! the runner's `state.json` (the runner writes it on every change).
//! `--json` is short for `--format json`.

use super::up::{load_snapshot, ProjectArgs};
use super::{Context, Exit};
use crate::runner::project::live_runner;
use crate::runner::state::{ContainerStatus, Health};
use crate::runner::Snapshot;

#[derive(clap::Args, Debug)]
pub struct PsCommand {
    /// `table` for people, or `json`: the whole snapshot and `running`.
    #[arg(long, value_enum, default_value_t = PsFormat::Table)]
    pub format: PsFormat,
    /// Short for `--format json`.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    #[command(flatten)]
    pub project: ProjectArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PsFormat {
    Table,
    Json,
}

impl PsCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let (project, state) = self.project.resolve()?;
        let runner = live_runner(&state);
        let snap = match load_snapshot(&state) {
            Ok(Some(snap)) => snap,
            Ok(None) => {
                let (message, help) = match &runner {
                    // Between the lock and the first state write.
                    Some(r) => (
                        format!("the run of project `{project}` has not written its state yet (runner pid {})", r.pid),
                        "it writes it as soon as its tasks are placed: run `wharf ps` again in a moment".to_string(),
                    ),
                    None => (
                        format!("no run found for project `{project}`"),
                        "start a run with `wharf up`, or name the project with `-p`".to_string(),
                    ),
                };
                return Err(ctx.fail(&crate::diag::Diagnostics::about_file(
                    &state.display().to_string(),
                    crate::diag::Code::NoRun,
                    message,
                    "state folder",
                    help,
                )));
            }
            Err(why) => {
                let help = match &runner {
                    Some(r) => format!(
                        "the runner (pid {}) is still running and rewrites the file on its next change; `wharf down` stops the run whatever the file holds",
                        r.pid
                    ),
                    None => "no runner is running: `wharf down` clears what is left of the run, then `wharf up` starts a new one".to_string(),
                };
                let file = state.join("state.json");
                return Err(ctx.fail(&crate::diag::Diagnostics::about_file(
                    &file.display().to_string(),
                    crate::diag::Code::StateDamaged,
                    format!("the state of project `{project}`'s run cannot be read: {why}"),
                    "state file",
                    help,
                )));
            }
        };
        let live = runner.is_some_and(|r| r.pid == snap.runner_pid);
        if self.json || self.format == PsFormat::Json {
            let mut v = serde_json::to_value(&snap).unwrap_or_default();
            v["running"] = serde_json::json!(live);
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            return Ok(());
        }
        if !live {
            println!("(the runner is not running; last known state)");
        }
        print!("{}", table(&snap));
        Ok(())
    }
}

/// The human table: one line per task, then the listeners.
pub fn table(snap: &Snapshot) -> String {
    let mut rows = vec![[
        "SERVICE",
        "TASK",
        "STATUS",
        "HEALTH",
        "ADDRESS",
        "CONTAINERS",
    ]
    .map(String::from)
    .to_vec()];
    for s in &snap.services {
        for t in s.tasks.iter().chain(s.stopped.iter().rev().take(3)) {
            let containers: Vec<String> = t
                .containers
                .iter()
                .map(|c| {
                    let state = match (c.status, c.exit_code) {
                        (ContainerStatus::Stopped, Some(code)) => format!("exited({code})"),
                        (status, _) => format!("{status:?}").to_lowercase(),
                    };
                    match c.health {
                        Health::Unknown => format!("{}:{state}", c.name),
                        h => format!("{}:{state}/{}", c.name, format!("{h:?}").to_lowercase()),
                    }
                })
                .collect();
            rows.push(vec![
                format!("{} ({}/{})", s.name, s.healthy_count, s.desired_count),
                t.id.clone(),
                t.last_status.as_str().to_string(),
                format!("{:?}", t.health).to_uppercase(),
                t.address.clone(),
                containers.join(" "),
            ]);
        }
    }
    let widths: Vec<usize> = (0..6)
        .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    for s in &snap.services {
        if let Some(p) = &s.problem {
            out.push_str(&format!("service {} cannot start a task: {p}\n", s.name));
        }
    }
    for l in &snap.listeners {
        out.push_str(&super::up::listener_line(l));
        out.push('\n');
    }
    for s in &snap.services {
        if let Some(d) = &s.discovery {
            out.push_str(&format!("discovery {d}\n"));
        }
    }
    for j in &snap.jobs {
        out.push_str(&super::run::job_line(j));
        out.push('\n');
    }
    out
}
