//! `wharf down`: stops the run in `.wharf/` gracefully (SIGTERM to the runner,
//! which stops every task in reverse dependency order) and waits for it;
//! after `--timeout` it sends SIGKILL, and PR_SET_PDEATHSIG takes the
//! containers down with it.

use super::up::{parse_duration, running_pid};
use super::{Context, Exit};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct DownCommand {
    /// The run's state directory.
    #[arg(long, default_value = ".wharf")]
    pub state: PathBuf,
    /// How long to wait for a graceful stop before killing the runner.
    #[arg(long, default_value = "2m", value_parser = parse_duration)]
    pub timeout: Duration,
}

impl DownCommand {
    pub fn run(self, _ctx: &mut Context) -> Result<(), Exit> {
        let Some(pid) = running_pid(&self.state) else {
            println!("nothing is running in {}", self.state.display());
            return Ok(());
        };
        // SAFETY: kill(2) on the runner's pid read from its own pid file.
        unsafe {
            libc::kill(pid as i32, libc::SIGTERM);
        }
        let deadline = Instant::now() + self.timeout;
        while super::up::alive(pid) {
            if Instant::now() >= deadline {
                // SAFETY: as above.
                unsafe {
                    libc::kill(pid as i32, libc::SIGKILL);
                }
                eprintln!(
                    "the runner did not stop within {:?}; killed it",
                    self.timeout
                );
                return Err(Exit::Code(1));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        println!("stopped");
        Ok(())
    }
}
