//! `wharf logs [-f] [-p NAME] [SERVICE]`: the project's log lines from
//! `.wharf/<project>/logs.jsonl` and its rotated files (`logs.jsonl.N`,
//! oldest first), prefixed per task and container like `wharf up`; `-f`
//! follows the current file, across rotations, until the runner stops.

use super::up::{format_record, ProjectArgs};
use super::{Context, Exit};
use crate::runner::project::live_runner;
use crate::runner::LogRecord;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
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

/// Rotated files of `path`, oldest (highest number) first.
fn rotated_files(path: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<(u32, std::path::PathBuf)> = (1..)
        .map(|n| (n, crate::runner::rotated_log(path, n)))
        .take_while(|(_, p)| p.exists())
        .collect();
    found.reverse();
    found.into_iter().map(|(_, p)| p).collect()
}

impl LogsCommand {
    /// Prints one record if it is wanted; `Err` once stdout is gone (`| head`).
    fn print(&self, ctx: &Context, out: &mut impl Write, line: &str) -> Result<(), Exit> {
        if let Ok(r) = serde_json::from_str::<LogRecord>(line) {
            if self.service.as_ref().is_none_or(|s| *s == r.service) {
                writeln!(out, "{}", format_record(&r, ctx.color)).map_err(|_| Exit::Code(0))?;
            }
        }
        Ok(())
    }

    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        match self.show(ctx) {
            // The reader went away (`wharf logs | head`): not an error.
            Err(Exit::Code(0)) => Ok(()),
            other => other,
        }
    }

    fn show(&self, ctx: &Context) -> Result<(), Exit> {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let (project, state) = self.project.resolve()?;
        let path = state.join("logs.jsonl");
        let open = |p: &Path| {
            std::fs::File::open(p).map_err(|e| {
                super::print_file_diagnostic(
                    ctx,
                    p,
                    crate::diag::Code::NoRun,
                    &format!("no logs for project `{project}` ({e})"),
                    "log file",
                    "start a run with `wharf up`, or name the project with `-p`",
                );
                Exit::InputErrors
            })
        };
        for old in rotated_files(&path) {
            if let Ok(f) = std::fs::File::open(&old) {
                for line in BufReader::new(f).lines().map_while(Result::ok) {
                    self.print(ctx, &mut out, &line)?;
                }
            }
        }
        let file = open(&path)?;
        let mut inode = file.metadata().map(|m| m.ino()).unwrap_or(0);
        let mut reader = BufReader::new(file);
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader.read_line(&mut line).unwrap_or(0);
            if n > 0 && line.ends_with('\n') {
                self.print(ctx, &mut out, &line)?;
                continue;
            }
            out.flush().map_err(|_| Exit::Code(0))?;
            if n > 0 {
                // A partial line: read it again once it is complete.
                let pos = reader
                    .stream_position()
                    .unwrap_or(0)
                    .saturating_sub(n as u64);
                let _ = reader.seek(SeekFrom::Start(pos));
            }
            if !self.follow {
                return Ok(());
            }
            // Rotated: what is left of the old file has been read; go on with the new one.
            let now = std::fs::metadata(&path).map(|m| m.ino()).unwrap_or(inode);
            if now != inode && n == 0 {
                if let Ok(f) = std::fs::File::open(&path) {
                    inode = now;
                    reader = BufReader::new(f);
                    continue;
                }
            }
            if live_runner(&state).is_none() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
