//! `wharf up FILE [--driver process|podman] [--detach] [--wait] [--timeout D]`:
//! runs a local manifest (`*.json`), or compiles a `.wharf` program to one
//! first, like `docker compose up`. Foreground by default
//! (prefixed coloured logs, a live status line; first Ctrl-C stops
//! gracefully, the second forces). State lives in `.wharf/` beside the file.
//! Exit codes: 0 stopped cleanly (or steady, with `--wait`), 1 invalid
//! program or manifest, no local command, or services not steady (`--wait`),
//! 3 driver unavailable, 4 port in use, 130 forced stop.

use super::{Context, Exit};
use crate::diag::{Code, SourceMap};
use crate::manifest::{self, Manifest};
use crate::runner::{
    self, up_manifest, DriverKind, LogRecord, RunnerError, Snapshot, Stream, UpOptions,
};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct UpCommand {
    /// A `.wharf` program, or a local manifest (`manifest.json`).
    pub file: PathBuf,
    /// How containers run: host processes or podman containers.
    #[arg(long, value_enum, default_value_t = DriverKind::Process)]
    pub driver: DriverKind,
    /// Run in the background; stop it with `wharf down`.
    #[arg(long)]
    pub detach: bool,
    /// With --detach: return once every service has its desired count of healthy tasks.
    #[arg(long, requires = "detach")]
    pub wait: bool,
    /// How long --wait waits (e.g. 90s, 5m).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub timeout: Duration,
    #[command(flatten)]
    pub inputs: super::InputArgs,
    /// Internal: the background runner started by --detach.
    #[arg(long, hide = true)]
    pub background: bool,
    /// Internal: state directory of a background runner.
    #[arg(long, hide = true)]
    pub state_dir: Option<PathBuf>,
    /// Internal: folder relative local working directories start from.
    #[arg(long, hide = true)]
    pub base_dir: Option<PathBuf>,
}

/// Compiles a `.wharf` program to a manifest, printing diagnostics on failure.
pub fn compile_manifest(
    ctx: &Context,
    file: &Path,
    inputs: &super::InputArgs,
) -> Result<Manifest, Exit> {
    let env = inputs.env.as_deref();
    let inputs = inputs.parse()?;
    let (sources, program) = super::load::compile(file, &inputs, env).map_err(|failed| {
        super::print_diagnostics(ctx, &failed.sources, &failed.diags);
        Exit::InputErrors
    })?;
    crate::emit::local::to_manifest(&program).map_err(|diags| {
        super::print_diagnostics(ctx, &sources, &diags);
        Exit::InputErrors
    })
}

/// `90s`, `5m`, `1h`, `500ms` or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map_or((s, "s"), |i| s.split_at(i));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration like 90s or 5m"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(format!("`{s}` has an unknown unit; use ms, s, m or h")),
    }
}

/// The exit code that tells CI which runner error happened.
pub fn exit_code(code: Code) -> u8 {
    match code {
        Code::DriverUnavailable => 3,
        Code::PortInUse => 4,
        _ => 1,
    }
}

/// Prints a runner error the way diagnostics are printed, and maps it to an exit.
pub fn report(ctx: &Context, err: &RunnerError) -> Exit {
    super::print_error(ctx, err.code, &err.message, Some(&err.help));
    Exit::Code(exit_code(err.code))
}

/// `.wharf/` beside the manifest or source file.
pub fn state_dir_for(file: &Path) -> PathBuf {
    file.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .join(".wharf")
}

/// Reads and checks a manifest file, printing diagnostics on failure.
pub fn load_manifest(ctx: &Context, file: &Path) -> Result<Manifest, Exit> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        report(
            ctx,
            &RunnerError::new(
                Code::ManifestInvalid,
                format!("cannot read `{}`: {e}", file.display()),
                "give the path of a manifest.json written by `wharf build`",
            ),
        )
    })?;
    let mut sources = SourceMap::new();
    manifest::parse(&mut sources, &file.display().to_string(), &text).map_err(|diags| {
        super::print_diagnostics(ctx, &sources, &diags);
        Exit::InputErrors
    })
}

/// Whether a process is alive (and not a zombie).
pub fn alive(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rfind(')')
        .and_then(|i| stat[i + 1..].trim_start().chars().next());
    matches!(state, Some(s) if s != 'Z' && s != 'X')
}

/// The pid of the runner using this state directory, if one is alive.
pub fn running_pid(state_dir: &Path) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(state_dir.join("runner.pid"))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    alive(pid).then_some(pid)
}

pub fn read_snapshot(state_dir: &Path) -> Option<Snapshot> {
    serde_json::from_str(&std::fs::read_to_string(state_dir.join("state.json")).ok()?).ok()
}

impl UpCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let manifest = match self.file.extension().and_then(|e| e.to_str()) {
            Some("json") => load_manifest(ctx, &self.file)?,
            Some("wharf") => compile_manifest(ctx, &self.file, &self.inputs)?,
            _ => {
                return Err(Exit::Usage(format!(
                    "`{}` is neither a .wharf program nor a manifest.json",
                    self.file.display()
                )))
            }
        };
        let state_dir = self
            .state_dir
            .clone()
            .unwrap_or_else(|| state_dir_for(&self.file));
        if let Some(pid) = running_pid(&state_dir) {
            if !self.background {
                return Err(Exit::Usage(format!(
                    "a runner (pid {pid}) already uses {}; stop it with `wharf down`",
                    state_dir.display()
                )));
            }
        }
        let base_dir = self.base_dir.clone().unwrap_or_else(|| {
            self.file
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf()
        });
        if self.detach {
            return self.detach(ctx, &manifest, &state_dir, &base_dir);
        }
        let opts = UpOptions {
            driver: self.driver,
            base_dir,
            ..UpOptions::default()
        };
        let handle = up_manifest(&manifest, &opts, &state_dir).map_err(|e| report(ctx, &e))?;
        let _guard = handle.runtime().enter();
        let mut int = signal(tokio::signal::unix::SignalKind::interrupt())?;
        let mut term = signal(tokio::signal::unix::SignalKind::terminate())?;
        let printer = (!self.background).then(|| {
            handle.runtime().spawn(print_logs(
                handle.logs(),
                handle.runner().snapshot_source(),
                ctx.color,
            ))
        });
        handle.runtime().block_on(async {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        });
        if !self.background {
            eprintln!("\r\x1b[2Kstopping (Ctrl-C again to force)...");
        }
        let forced = handle.shutdown_until(async move {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        });
        if let Some(p) = printer {
            p.abort();
        }
        if forced {
            Err(Exit::Code(130))
        } else {
            Ok(())
        }
    }

    /// Starts a background runner on the manifest (written to `.wharf/manifest.json`).
    fn detach(
        &self,
        ctx: &Context,
        manifest: &Manifest,
        state_dir: &Path,
        base_dir: &Path,
    ) -> Result<(), Exit> {
        std::fs::create_dir_all(state_dir)
            .map_err(|e| report(ctx, &runner::errors::runner_io("cannot create .wharf", &e)))?;
        let manifest_path = state_dir.join("manifest.json");
        std::fs::write(&manifest_path, manifest.to_json()).map_err(|e| {
            report(
                ctx,
                &runner::errors::runner_io("cannot write .wharf/manifest.json", &e),
            )
        })?;
        let _ = std::fs::remove_file(state_dir.join("state.json"));
        let out = std::fs::File::create(state_dir.join("runner.out")).map_err(|e| {
            report(
                ctx,
                &runner::errors::runner_io("cannot create runner.out", &e),
            )
        })?;
        let exe = std::env::current_exe()
            .map_err(|e| report(ctx, &runner::errors::runner_io("cannot find wharf", &e)))?;
        let mut cmd = std::process::Command::new(exe);
        cmd.arg("up")
            .arg(&manifest_path)
            .arg("--state-dir")
            .arg(state_dir)
            .arg("--base-dir")
            .arg(base_dir)
            .arg("--driver")
            .arg(match self.driver {
                DriverKind::Process => "process",
                DriverKind::Podman => "podman",
            });
        cmd.arg("--background").arg("--color").arg("never");
        cmd.stdin(std::process::Stdio::null())
            .stdout(out.try_clone().map_err(|e| {
                report(
                    ctx,
                    &runner::errors::runner_io("cannot share runner.out", &e),
                )
            })?)
            .stderr(out);
        // SAFETY: setsid is async-signal-safe; it detaches the runner from our terminal.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
                libc::setsid();
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|e| {
            report(
                ctx,
                &runner::errors::runner_io("cannot start the runner", &e),
            )
        })?;
        let started = Instant::now();
        let deadline = started + self.timeout.max(Duration::from_secs(1));
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let text =
                    std::fs::read_to_string(state_dir.join("runner.out")).unwrap_or_default();
                eprint!("{text}");
                return Err(Exit::Code(status.code().unwrap_or(5).clamp(1, 255) as u8));
            }
            if let Some(snap) = read_snapshot(state_dir).filter(|s| s.runner_pid == child.id()) {
                if !self.wait {
                    println!(
                        "runner started in the background (pid {}); `wharf ps`, `wharf logs -f`, `wharf down`",
                        child.id()
                    );
                    return Ok(());
                }
                if snap.all_steady() {
                    println!("{}", snap.status_line());
                    return Ok(());
                }
                if Instant::now() >= deadline {
                    let err = runner::errors::not_steady(&why_not_steady(&snap));
                    return Err(report(ctx, &err));
                }
            } else if Instant::now() >= deadline {
                return Err(report(
                    ctx,
                    &runner::errors::not_steady("the runner did not start in time"),
                ));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

fn signal(kind: tokio::signal::unix::SignalKind) -> Result<tokio::signal::unix::Signal, Exit> {
    tokio::signal::unix::signal(kind)
        .map_err(|e| Exit::Usage(format!("cannot listen for signals: {e}")))
}

/// Which services are short, with the last stop reason of each.
pub fn why_not_steady(snap: &Snapshot) -> String {
    let parts: Vec<String> = snap
        .services
        .iter()
        .filter(|s| !s.is_steady())
        .map(|s| {
            let last = s.stopped.last().and_then(|t| t.stopped_reason.clone());
            match last {
                Some(r) => format!(
                    "`{}` has {}/{} healthy (last stop: {r})",
                    s.name, s.healthy_count, s.desired_count
                ),
                None => format!(
                    "`{}` has {}/{} healthy",
                    s.name, s.healthy_count, s.desired_count
                ),
            }
        })
        .collect();
    parts.join("; ")
}

const COLOURS: &[&str] = &["36", "33", "32", "35", "34", "91", "96", "93"];

fn colour_of(name: &str) -> &'static str {
    let h = name
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
    COLOURS[h as usize % COLOURS.len()]
}

/// Formats one record: `api-1 app    | line`.
pub fn format_record(r: &LogRecord, color: bool) -> String {
    let who = if r.task.is_empty() {
        r.service.clone()
    } else {
        r.task.clone()
    };
    let prefix = format!("{who} {}", r.container);
    match (color, r.stream) {
        (true, Stream::Runner) => format!("\x1b[2m{prefix:<24} | {}\x1b[0m", r.line),
        (true, _) => format!("\x1b[{}m{prefix:<24}\x1b[0m | {}", colour_of(&who), r.line),
        (false, _) => format!("{prefix:<24} | {}", r.line),
    }
}

async fn print_logs(
    mut logs: tokio::sync::broadcast::Receiver<LogRecord>,
    snapshot: impl Fn() -> Snapshot,
    color: bool,
) {
    let tty = std::io::stderr().is_terminal();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tokio::select! {
            r = logs.recv() => match r {
                Ok(r) => {
                    if tty {
                        eprint!("\r\x1b[2K");
                    }
                    println!("{}", format_record(&r, color));
                    let _ = std::io::stdout().flush();
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => println!("({n} log lines skipped)"),
                Err(_) => return,
            },
            _ = tick.tick() => {}
        }
        if tty {
            eprint!("\r\x1b[2K\x1b[1m{}\x1b[0m", snapshot().status_line());
            let _ = std::io::stderr().flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(parse_duration("5 parsecs").is_err());
    }

    #[test]
    fn state_dir_is_beside_the_file() {
        assert_eq!(
            state_dir_for(Path::new("deploy/manifest.json")),
            PathBuf::from("deploy/.wharf")
        );
        assert_eq!(
            state_dir_for(Path::new("manifest.json")),
            PathBuf::from("./.wharf")
        );
    }
}
