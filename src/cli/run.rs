//! `wharf run FILE JOB [--driver process|podman]`: runs a job (a one-off
//! task, or the job of a schedule) once, now, in the foreground, like
//! `docker compose run`: its logs are printed as they come, and wharf exits
//! with the exit code of the task's essential container (the first that
//! stopped with a non-zero code when the job runs several tasks). Ctrl-C
//! stops the task (stopTimeout, then SIGKILL); a second Ctrl-C kills it.
//!
//! The run is separate from a `wharf up` of the same project: it has its own
//! state directory, `.wharf/<project>/runs/<job>-<pid>/`, removed when the
//! run ends, and starts only the job's task (no service, no load balancer).
//!
//! Exit codes: the container's (0-255), 1 for an invalid program or
//! manifest, no such job (E0532) or a task that stopped before its
//! essential container ran (E0533, with the stopped reason), 3 driver
//! unavailable, 130 forced stop. Under `--message-format json` the log
//! records and a last `{"job", "tasks", "exitCode"}` object are JSON lines
//! on stdout.

use super::up::{compile_manifest, format_record, load_manifest, report, ProjectArgs, SecretArgs};
use super::{Context, Exit, MessageFormat};
use crate::diag::Code;
use crate::manifest::Manifest;
use crate::runner::state::TaskView;
use crate::runner::{self, up_manifest, DriverKind, UpOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct RunCommand {
    /// A `.wharf` program, or a local manifest (`manifest.json`).
    pub file: PathBuf,
    /// The job to run, or a schedule (whose job runs).
    pub job: String,
    /// How containers run: host processes or podman containers.
    #[arg(long, value_enum, default_value_t = DriverKind::Process)]
    pub driver: DriverKind,
    #[command(flatten)]
    pub project: ProjectArgs,
    #[command(flatten)]
    pub secrets: SecretArgs,
    /// Do not put containers in cgroups, even where the system allows it.
    #[arg(long)]
    pub no_cgroups: bool,
    #[command(flatten)]
    pub inputs: super::InputArgs,
}

/// The manifest of one run: the job, its task, nothing else.
fn only_job(manifest: &Manifest, name: &str) -> Option<Manifest> {
    let job_name = if manifest.job(name).is_some() {
        name.to_string()
    } else {
        manifest
            .schedules
            .iter()
            .find(|s| s.name == name)?
            .job
            .clone()
    };
    let job = manifest.job(&job_name)?.clone();
    Some(Manifest {
        version: manifest.version,
        tasks: manifest
            .tasks
            .iter()
            .filter(|t| t.family == job.task)
            .cloned()
            .collect(),
        services: Vec::new(),
        load_balancers: Vec::new(),
        jobs: vec![job],
        schedules: Vec::new(),
    })
}

/// The exit code a job's stopped tasks give: the first non-zero exit of an
/// essential container, else 0; `None` when an essential container of some
/// task never ran (the task failed before it).
pub fn exit_code_of(tasks: &[TaskView]) -> Option<i32> {
    let mut code = 0;
    for t in tasks {
        let essential: Vec<_> = t.containers.iter().filter(|c| c.essential).collect();
        if essential.iter().any(|c| c.exit_code.is_none()) {
            return None;
        }
        if let Some(c) = essential
            .iter()
            .filter_map(|c| c.exit_code)
            .find(|c| *c != 0)
        {
            if code == 0 {
                code = c;
            }
        }
    }
    Some(code)
}

/// `wharf ps`'s line for a job: its schedule, next run, tasks started, and
/// how the last one ended.
pub fn job_line(j: &crate::runner::job::JobView) -> String {
    let mut parts = vec![format!("job {}", j.name)];
    if let Some(s) = &j.schedule {
        parts.push(s.clone());
    }
    if let Some(n) = &j.next_run {
        parts.push(format!("next {n}"));
    }
    parts.push(format!("{} started, {} running", j.started, j.tasks.len()));
    if let Some(t) = j.stopped.last() {
        let codes: Vec<String> = t
            .containers
            .iter()
            .filter(|c| c.essential)
            .map(|c| match c.exit_code {
                Some(code) => format!("{}:exited({code})", c.name),
                None => format!("{}:not run", c.name),
            })
            .collect();
        parts.push(format!("last {} {}", t.id, codes.join(" ")));
    }
    parts.join(", ")
}

impl RunCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let full = match self.file.extension().and_then(|e| e.to_str()) {
            Some("json") => load_manifest(ctx, &self.file)?,
            Some("wharf") => compile_manifest(ctx, &self.file, &self.inputs)?,
            _ => {
                return Err(Exit::Usage(format!(
                    "`{}` is neither a .wharf program nor a manifest.json",
                    self.file.display()
                )))
            }
        };
        let Some(manifest) = only_job(&full, &self.job) else {
            let known: Vec<&str> = full.jobs.iter().map(|j| j.name.as_str()).collect();
            let help = if known.is_empty() {
                "declare a `job` in the program".to_string()
            } else {
                format!("jobs: {}", known.join(", "))
            };
            ctx.report_error(
                Code::NoSuchJob,
                &format!("no job or schedule named `{}`", self.job),
                &help,
            );
            return Err(Exit::InputErrors);
        };
        let job = manifest.jobs[0].name.clone();
        let base_dir = self
            .file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let (_, project_dir) = self.project.resolve()?;
        runner::project::check_state_dir(&project_dir).map_err(|e| report(ctx, &e))?;
        // A hand-written manifest may name a job anything: the folder name
        // keeps only safe characters, so it stays under the project's.
        let safe: String = job
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let state_dir = project_dir
            .join("runs")
            .join(format!("{safe}-{}", std::process::id()));
        std::fs::create_dir_all(&state_dir).map_err(|e| {
            report(
                ctx,
                &runner::errors::runner_io("cannot create the run's state directory", &e),
            )
        })?;
        let result = self.run_in(ctx, &manifest, &job, base_dir, &project_dir, &state_dir);
        let _ = std::fs::remove_dir_all(&state_dir);
        result
    }

    fn run_in(
        &self,
        ctx: &Context,
        manifest: &Manifest,
        job: &str,
        base_dir: PathBuf,
        project_dir: &Path,
        state_dir: &Path,
    ) -> Result<(), Exit> {
        let secrets = self
            .secrets
            .resolve(manifest, project_dir, &base_dir)
            .map_err(|e| report(ctx, &e))?;
        let opts = UpOptions {
            driver: self.driver,
            base_dir,
            secrets,
            own_process: true,
            cgroups: !self.no_cgroups,
            ..UpOptions::default()
        };
        let handle = up_manifest(manifest, &opts, state_dir).map_err(|e| report(ctx, &e))?;
        let json = ctx.message_format == MessageFormat::Json;
        let color = ctx.color_for(super::Stream::Stdout);
        let mut logs = handle.logs();
        let printer = handle.runtime().spawn(async move {
            while let Ok(r) = logs.recv().await {
                let line = if json {
                    serde_json::to_string(&r).unwrap_or_default()
                } else {
                    format_record(&r, color)
                };
                println!("{line}");
                let _ = std::io::stdout().flush();
            }
        });
        let outcome = {
            let _guard = handle.runtime().enter();
            let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .map_err(|e| Exit::Usage(format!("cannot listen for signals: {e}")))?;
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .map_err(|e| Exit::Usage(format!("cannot listen for signals: {e}")))?;
            handle.runtime().block_on(async {
                tokio::select! {
                    r = handle.runner().run_job(job) => Some(r),
                    _ = int.recv() => None,
                    _ = term.recv() => None,
                }
            })
        };
        // Let the printer show the last lines before the handle goes.
        handle.runtime().block_on(async {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        });
        printer.abort();
        let forced = match &outcome {
            None => {
                eprintln!("stopping job `{job}` (Ctrl-C again to force)...");
                handle.shutdown_until(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
            }
            Some(_) => {
                handle.shutdown();
                false
            }
        };
        let tasks = match outcome {
            None if forced => return Err(Exit::Code(130)),
            None => return Err(Exit::Code(130)),
            Some(None) => return Err(Exit::InputErrors),
            Some(Some(Err(e))) => return Err(report(ctx, &e)),
            Some(Some(Ok(tasks))) => tasks,
        };
        let code = exit_code_of(&tasks);
        if json {
            let tasks_json: Vec<serde_json::Value> = tasks
                .iter()
                .map(|t| {
                    serde_json::json!({ "id": t.id, "stoppedReason": t.stopped_reason,
                        "containers": t.containers.iter().map(|c| serde_json::json!({
                            "name": c.name, "essential": c.essential, "exitCode": c.exit_code })).collect::<Vec<_>>() })
                })
                .collect();
            println!(
                "{}",
                serde_json::json!({ "job": job, "tasks": tasks_json, "exitCode": code })
            );
        } else {
            for t in &tasks {
                eprintln!(
                    "job `{job}`: task {} stopped: {}",
                    t.id,
                    t.stopped_reason.as_deref().unwrap_or("done")
                );
            }
        }
        match code {
            Some(0) => Ok(()),
            Some(c) => Err(Exit::Code(u8::try_from(c).unwrap_or(1).max(1))),
            None => {
                let reason = tasks
                    .iter()
                    .find_map(|t| t.stopped_reason.clone())
                    .unwrap_or_else(|| "the task stopped".into());
                ctx.report_error(
                    Code::JobDidNotRun,
                    &format!("job `{job}` did not run: {reason}"),
                    "see the log lines above; `wharf explain E0533`",
                );
                Err(Exit::InputErrors)
            }
        }
    }
}
