//! `wharf down [-p NAME]`: stops the project's run (`.wharf/<project>/` of
//! the current directory). The runner is signalled only once it is proven
//! to be the run's own: the project lock is held and the recorded pid has
//! the recorded start time (checked through a pidfd). SIGTERM makes it stop
//! every task in reverse dependency order; after `--timeout` it gets SIGKILL.
//! A run whose runner is gone (the lock is free but a record remains) is
//! finished here: its cgroup, marked processes and recorded descendants are
//! killed.

use super::up::{parse_duration, report, ProjectArgs};
use super::{Context, Exit};
use crate::runner::errors;
use crate::runner::project::{finish_dead_run, live_runner, signal_verified, RunLock};
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct DownCommand {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// How long to wait for a graceful stop before killing the runner.
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// How long `down` waits for a `wharf up` that holds the lock to record its runner.
const STARTING: Duration = Duration::from_secs(10);

/// Polls for the project lock until `deadline`.
fn lock_by(state: &Path, deadline: Instant) -> Result<Option<RunLock>, crate::runner::RunnerError> {
    loop {
        if let Some(lock) = RunLock::try_acquire(state)? {
            return Ok(Some(lock));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl DownCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let (project, state) = self.project.resolve()?;
        if !state.exists() {
            println!("nothing is running in project `{project}`");
            return Ok(());
        }
        let started = Instant::now();
        // The lock is free: no runner lives. Finish what a dead one left.
        let record = loop {
            if let Some(lock) = RunLock::try_acquire(&state).map_err(|e| report(ctx, &e))? {
                match finish_dead_run(&state, &lock) {
                    Some(n) => println!(
                        "the runner of project `{project}` was gone; finished its run ({n} process(es) killed)"
                    ),
                    None => println!("nothing is running in project `{project}`"),
                }
                return Ok(());
            }
            if let Some(r) = live_runner(&state) {
                break r;
            }
            // Held, but not by a recorded runner: a `wharf up` is starting it.
            if started.elapsed() >= STARTING {
                return Err(report(ctx, &errors::already_running(&state, None)));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        if !signal_verified(record.pid, record.start_time, libc::SIGTERM) {
            // It died between the check and the signal: the lock tells.
            let lock = lock_by(&state, Instant::now() + STARTING).map_err(|e| report(ctx, &e))?;
            if let Some(lock) = lock {
                finish_dead_run(&state, &lock);
            }
            println!("stopped");
            return Ok(());
        }
        let deadline = Instant::now()
            .checked_add(self.timeout)
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600 * 24 * 365));
        if let Some(lock) = lock_by(&state, deadline).map_err(|e| report(ctx, &e))? {
            // A graceful stop removes the record; a runner dying mid-stop leaves it.
            finish_dead_run(&state, &lock);
            println!("stopped");
            return Ok(());
        }
        signal_verified(record.pid, record.start_time, libc::SIGKILL);
        if let Some(lock) =
            lock_by(&state, Instant::now() + STARTING).map_err(|e| report(ctx, &e))?
        {
            finish_dead_run(&state, &lock);
        }
        Err(report(ctx, &errors::stop_forced(self.timeout)))
    }
}
