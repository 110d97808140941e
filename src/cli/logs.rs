//! `wharf logs [-f] [-p NAME] [SERVICE]`: the project's log lines from
//! `.wharf/<project>/logs.jsonl`,
//! prefixed per task and container like `wharf up`; `-f` follows until the
//! runner stops.

use super::up::{format_record, ProjectArgs};
use super::{Context, Exit};
use crate::runner::project::live_runner;
use crate::runner::LogRecord;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct LogsCommand {
    /// Only this service's lines.
    pub service: Option<String>,
    /// Keep printing new lines until the runner stops.
    #[arg(short, long)]
    pub follow: bool,
    #[command(flatten)]
    pub project: ProjectArgs,
}

impl LogsCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let (_, state) = self.project.resolve()?;
        let path = state.join("logs.jsonl");
        let file = std::fs::File::open(&path).map_err(|e| {
            Exit::Usage(format!(
                "no logs at {} ({e}); start a run with `wharf up`",
                path.display()
            ))
        })?;
        let mut reader = BufReader::new(file);
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader.read_line(&mut line).unwrap_or(0);
            if n > 0 && line.ends_with('\n') {
                if let Ok(r) = serde_json::from_str::<LogRecord>(&line) {
                    if self.service.as_ref().is_none_or(|s| *s == r.service) {
                        println!("{}", format_record(&r, ctx.color));
                    }
                }
                continue;
            }
            if n > 0 {
                // A partial line: read it again once it is complete.
                let pos = reader
                    .stream_position()
                    .unwrap_or(0)
                    .saturating_sub(n as u64);
                let _ = reader.seek(SeekFrom::Start(pos));
            }
            if !self.follow || live_runner(&state).is_none() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
