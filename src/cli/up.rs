//! `wharf up FILE [--driver process|podman] [--detach] [--wait] [--timeout D]`:
//! runs a local manifest (`*.json`), or compiles a `.wharf` program to one
//! first, like `docker compose up`. Foreground by default
//! (prefixed coloured logs, a live status line; first Ctrl-C stops
//! gracefully, the second forces). State lives in `.wharf/<project>/` of the
//! current directory (the project defaults to the directory's name, `-p`).
//! Exit codes: 0 stopped cleanly (or steady, with `--wait`), 1 invalid
//! program or manifest, no local command, or services not steady (`--wait`),
//! 3 driver unavailable, 4 port in use, 130 forced stop.

use super::{Context, Exit};
use crate::diag::{Code, Diagnostics, SourceMap};
use crate::driver::{self, Disk, FileSystem};
use crate::manifest::{self, Manifest};
use crate::runner::project::{finish_dead_run, live_runner, RunLock};
use crate::runner::{
    self, up_locked, DriverKind, LogRecord, RunnerError, Snapshot, Stream, UpOptions,
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
    pub project: ProjectArgs,
    #[command(flatten)]
    pub secrets: SecretArgs,
    /// Rotate the run's log file when it reaches this size (bytes, or with k, m, g), like docker's json-file `max-size`.
    #[arg(long, value_name = "SIZE", default_value = "20m", value_parser = parse_size)]
    pub log_max_size: u64,
    /// How many log files to keep, the current one included, like docker's json-file `max-file`.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub log_max_file: u32,
    /// Do not put containers in cgroups, even where the system allows it (then
    /// process groups, the environment marker and recorded descendants track them).
    #[arg(long)]
    pub no_cgroups: bool,
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
    /// Internal: the project lock a background runner inherits.
    #[arg(long, hide = true)]
    pub lock_fd: Option<i32>,
}

/// `-p/--project`: which run of the current directory a command concerns.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct ProjectArgs {
    /// The project (run) name [default: the current directory's name]. State lives in `.wharf/<project>/`.
    #[arg(short = 'p', long = "project", value_name = "NAME", value_parser = runner::project::check_project)]
    pub project: Option<String>,
}

impl ProjectArgs {
    /// The project's name and state directory, `<cwd>/.wharf/<project>`.
    pub fn resolve(&self) -> Result<(String, PathBuf), Exit> {
        let cwd = std::env::current_dir()
            .map_err(|e| Exit::Usage(format!("cannot read the current directory: {e}")))?;
        let name = self
            .project
            .clone()
            .unwrap_or_else(|| runner::project::default_project(&cwd));
        let dir = runner::project::state_dir(&cwd, &name);
        Ok((name, dir))
    }
}

/// Compiles a `.wharf` program to a manifest, printing diagnostics on failure.
pub fn compile_manifest(
    ctx: &Context,
    file: &Path,
    inputs: &super::InputArgs,
) -> Result<Manifest, Exit> {
    let options = inputs.options()?;
    let mut compiled = driver::compile(&Disk, file, &options).map_err(|d| ctx.fail(&d))?;
    ctx.warn(
        compiled.sources.clone(),
        std::mem::take(&mut compiled.warnings),
    );
    crate::emit::local::to_manifest(&compiled.program)
        .map_err(|diags| ctx.fail(&Diagnostics::new(compiled.sources, diags)))
}

/// `90s`, `5m`, `1h`, `500ms` or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let (num, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map_or((s, "s"), |i| s.split_at(i));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration like 90s or 5m"))?;
    let secs = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        _ => return Err(format!("`{s}` has an unknown unit; use ms, s, m or h")),
    };
    match secs.filter(|s| *s <= MAX_DURATION_SECS) {
        Some(secs) => Ok(Duration::from_secs(secs)),
        None => Err(format!("`{s}` is too long; at most 10 years")),
    }
}

/// `20m`, `512k`, `1g` or plain bytes (powers of 1024), at least 1 KiB.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let lower = s.to_ascii_lowercase();
    let (num, unit) = lower
        .find(|c: char| !c.is_ascii_digit())
        .map_or((lower.as_str(), ""), |i| lower.split_at(i));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size like 20m or 512k"))?;
    let factor: u64 = match unit.trim_end_matches('b') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        _ => return Err(format!("`{s}` has an unknown unit; use k, m or g")),
    };
    match n.checked_mul(factor) {
        Some(b) if b >= 1024 => Ok(b),
        Some(_) => Err(format!("`{s}` is too small; at least 1k")),
        None => Err(format!("`{s}` is too large")),
    }
}

/// The longest duration a flag takes: ten years, far beyond any wait, far below overflow.
const MAX_DURATION_SECS: u64 = 10 * 366 * 24 * 3600;

/// The exit code that tells CI which runner error happened.
pub fn exit_code(code: Code) -> u8 {
    match code {
        Code::DriverUnavailable => 3,
        Code::PortInUse => 4,
        _ => 1,
    }
}

/// How `wharf up` and `wharf run` are given the local values of secrets.
#[derive(clap::Args, Debug)]
pub struct SecretArgs {
    /// Give a secret its local value (repeatable); beats the environment and the secrets file.
    #[arg(long = "secret", value_name = "NAME=VALUE", value_parser = runner::secrets::parse_pair)]
    pub given: Vec<(String, String)>,
    /// `NAME=VALUE` lines giving secrets local values [default: `.wharf/secrets.env`, then `secrets.env` beside the program, where present].
    #[arg(long, value_name = "FILE")]
    pub secrets_file: Option<PathBuf>,
}

impl SecretArgs {
    /// The local values of a program's secrets: `--secret`, then
    /// `--secrets-file` or else `secrets.env` in the state root (the parent
    /// of the project's `state_dir`) and beside the program, then the
    /// environment.
    pub fn resolve(
        &self,
        manifest: &Manifest,
        state_dir: &Path,
        base_dir: &Path,
    ) -> Result<runner::secrets::Secrets, RunnerError> {
        let in_state_root = state_dir
            .parent()
            .map(|root| root.join("secrets.env"))
            .unwrap_or_default();
        let beside_program = base_dir.join("secrets.env");
        let files: Vec<(&Path, bool)> = match &self.secrets_file {
            Some(f) => vec![(f.as_path(), true)],
            None => vec![
                (in_state_root.as_path(), false),
                (beside_program.as_path(), false),
            ],
        };
        let env = |name: &str| std::env::var(name).ok();
        runner::secrets::resolve(
            manifest,
            &runner::secrets::Sources {
                given: &self.given,
                files: &files,
                env: &env,
            },
        )
    }
}

/// Prints a runner error the way diagnostics are printed, and maps it to an exit.
pub fn report(ctx: &Context, err: &RunnerError) -> Exit {
    ctx.report_error(err.code, &err.message, &err.help);
    Exit::Code(exit_code(err.code))
}

/// Reads and checks a manifest file, printing diagnostics on failure.
pub fn load_manifest(ctx: &Context, file: &Path) -> Result<Manifest, Exit> {
    let text = Disk
        .read(file)
        .map_err(|e| ctx.fail(&e.diagnostics(file)))?;
    let mut sources = SourceMap::new();
    manifest::parse(&mut sources, &file.display().to_string(), &text)
        .map_err(|diags| ctx.fail(&Diagnostics::new(sources, diags)))
}

/// How long `up --wait` watches a steady run whose tasks have no health
/// check before it believes them: a task that crashes at start is RUNNING
/// for a moment first.
const SETTLE: Duration = Duration::from_secs(2);

pub fn read_snapshot(state_dir: &Path) -> Option<Snapshot> {
    load_snapshot(state_dir).ok().flatten()
}

/// The run's `state.json`: `Ok(None)` when there is none, `Err(why)` when
/// it is there but cannot be read or is not a snapshot (damaged by hand, or
/// written by another version of Wharf).
pub fn load_snapshot(state_dir: &Path) -> Result<Option<Snapshot>, String> {
    match std::fs::read_to_string(state_dir.join("state.json")) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| e.to_string()),
    }
}

impl UpCommand {
    fn log_limits(&self) -> runner::LogLimits {
        runner::LogLimits {
            max_size: self.log_max_size,
            max_file: self.log_max_file,
        }
    }

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
        let base_dir = self.base_dir.clone().unwrap_or_else(|| {
            self.file
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf()
        });
        if self.background {
            return self.background(ctx, &manifest, base_dir);
        }
        let (project, state_dir) = self.project.resolve()?;
        runner::project::check_state_dir(&state_dir).map_err(|e| report(ctx, &e))?;
        let lock = RunLock::acquire_soon(&state_dir)
            .map_err(|e| report(ctx, &e))?
            .ok_or_else(|| {
                report(
                    ctx,
                    &runner::errors::already_running(
                        &state_dir,
                        live_runner(&state_dir).map(|r| r.pid),
                    ),
                )
            })?;
        if let Some(n) = finish_dead_run(&state_dir, &lock) {
            eprintln!(
                "the previous run of project `{project}` had lost its runner; finished it ({n} process(es) killed)"
            );
        }
        let secrets = self
            .secrets
            .resolve(&manifest, &state_dir, &base_dir)
            .map_err(|e| report(ctx, &e))?;
        connect_warnings(ctx, &manifest, self.driver);
        if self.detach {
            return self.detach(ctx, &manifest, &state_dir, &base_dir, lock, &secrets);
        }
        let opts = UpOptions {
            driver: self.driver,
            base_dir,
            secrets,
            own_process: true,
            log_limits: self.log_limits(),
            cgroups: !self.no_cgroups,
            ..UpOptions::default()
        };
        let handle = up_locked(&manifest, &opts, &state_dir, lock).map_err(|e| report(ctx, &e))?;
        for line in listener_lines(&handle.snapshot()) {
            eprintln!("{line}");
        }
        for line in manifest.services.iter().filter_map(|s| s.queue_line()) {
            eprintln!("{line}");
        }
        self.serve(ctx, handle)
    }

    /// The runner started by `--detach`: inherits the lock, reads the
    /// secrets from its standard input, runs until SIGTERM.
    fn background(
        &self,
        ctx: &mut Context,
        manifest: &Manifest,
        base_dir: PathBuf,
    ) -> Result<(), Exit> {
        let (Some(state_dir), Some(fd)) = (self.state_dir.clone(), self.lock_fd) else {
            return Err(Exit::Usage(
                "--background needs --state-dir and --lock-fd".into(),
            ));
        };
        let lock = RunLock::inherit(fd).map_err(|e| report(ctx, &e))?;
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text);
        let secrets = runner::secrets::Secrets::from_json(&text).unwrap_or_default();
        let opts = UpOptions {
            driver: self.driver,
            base_dir,
            secrets,
            own_process: true,
            log_limits: self.log_limits(),
            cgroups: !self.no_cgroups,
            ..UpOptions::default()
        };
        let handle = up_locked(manifest, &opts, &state_dir, lock).map_err(|e| report(ctx, &e))?;
        self.serve(ctx, handle)
    }

    /// Runs until SIGINT / SIGTERM, then stops gracefully (a second signal forces).
    fn serve(&self, ctx: &Context, handle: runner::RunnerHandle) -> Result<(), Exit> {
        let _guard = handle.runtime().enter();
        let mut int = signal(tokio::signal::unix::SignalKind::interrupt())?;
        let mut term = signal(tokio::signal::unix::SignalKind::terminate())?;
        let printer = (!self.background).then(|| {
            handle.runtime().spawn(print_logs(
                handle.logs(),
                handle.runner().snapshot_source(),
                ctx.color_for(super::Stream::Stdout),
                ctx.color_for(super::Stream::Stderr),
            ))
        });
        handle.runtime().block_on(async {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        });
        if !self.background {
            // Clear the status line, which only a terminal shows.
            if std::io::stderr().is_terminal() {
                eprint!("\r\x1b[2K");
            }
            eprintln!("stopping (Ctrl-C again to force)...");
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

    /// Starts a background runner on the manifest (written to the state
    /// directory's `manifest.json`), handing it the project lock and the
    /// secrets (through a pipe: never on a command line or in a file).
    fn detach(
        &self,
        ctx: &Context,
        manifest: &Manifest,
        state_dir: &Path,
        base_dir: &Path,
        lock: RunLock,
        secrets: &runner::secrets::Secrets,
    ) -> Result<(), Exit> {
        let manifest_path = state_dir.join("manifest.json");
        std::fs::write(&manifest_path, manifest.to_json()).map_err(|e| {
            report(
                ctx,
                &runner::errors::runner_io("cannot write the run's manifest.json", &e),
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
        let lock_fd = lock.raw_fd();
        let mut cmd = std::process::Command::new(exe);
        cmd.arg("up")
            .arg(&manifest_path)
            .arg("--state-dir")
            .arg(state_dir)
            .arg("--base-dir")
            .arg(base_dir)
            .arg("--lock-fd")
            .arg(lock_fd.to_string())
            .arg("--log-max-size")
            .arg(self.log_max_size.to_string())
            .arg("--log-max-file")
            .arg(self.log_max_file.to_string())
            .arg("--driver")
            .arg(match self.driver {
                DriverKind::Process => "process",
                DriverKind::Podman => "podman",
            });
        if self.no_cgroups {
            cmd.arg("--no-cgroups");
        }
        // Its errors come back as JSON lines in runner.out, which `relay`
        // reports in this command's format and colour.
        cmd.arg("--background")
            .arg("--color")
            .arg("never")
            .arg("--message-format")
            .arg("json");
        cmd.stdin(std::process::Stdio::piped())
            .stdout(out.try_clone().map_err(|e| {
                report(
                    ctx,
                    &runner::errors::runner_io("cannot share runner.out", &e),
                )
            })?)
            .stderr(out);
        // SAFETY: setsid and fcntl are async-signal-safe. setsid detaches the
        // runner from our terminal; clearing FD_CLOEXEC hands it the lock.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
                libc::setsid();
                libc::fcntl(lock_fd, libc::F_SETFD, 0);
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|e| {
            report(
                ctx,
                &runner::errors::runner_io("cannot start the runner", &e),
            )
        })?;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(secrets.to_json().as_bytes());
        }
        // The runner holds the lock now too; ours goes once it has recorded itself.
        let mut lock = Some(lock);
        let mut steady: Option<(Vec<String>, Instant)> = None;
        let started = Instant::now();
        let deadline = started
            .checked_add(self.timeout.max(Duration::from_secs(1)))
            .unwrap_or(started + Duration::from_secs(MAX_DURATION_SECS));
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let text =
                    std::fs::read_to_string(state_dir.join("runner.out")).unwrap_or_default();
                relay(ctx, &text);
                return Err(Exit::Code(status.code().unwrap_or(5).clamp(1, 255) as u8));
            }
            if let Some(snap) = read_snapshot(state_dir).filter(|s| s.runner_pid == child.id()) {
                drop(lock.take());
                if !self.wait {
                    println!(
                        "runner started in the background (pid {}); `wharf ps`, `wharf logs -f`, `wharf down`",
                        child.id()
                    );
                    for line in listener_lines(&snap) {
                        println!("{line}");
                    }
                    return Ok(());
                }
                // Steady, and still steady with the same tasks after
                // SETTLE when some task has no health check to prove it
                // serves (a process that exits at once is RUNNING at first).
                match snap.steady_tasks() {
                    Some(tasks) => {
                        let ids: Vec<String> = tasks.iter().map(|t| t.to_string()).collect();
                        let since = match &steady {
                            Some((seen, at)) if *seen == ids => *at,
                            _ => {
                                steady = Some((ids, Instant::now()));
                                Instant::now()
                            }
                        };
                        if !snap.needs_settling() || since.elapsed() >= SETTLE {
                            println!("{}", snap.status_line());
                            for line in listener_lines(&snap) {
                                println!("{line}");
                            }
                            return Ok(());
                        }
                    }
                    None => steady = None,
                }
                if Instant::now() >= deadline {
                    let err = runner::errors::not_steady(&why_not_steady(&snap));
                    return Err(report(ctx, &err));
                }
                // Tasks that keep stopping will not get steady by waiting
                // longer: say so now, as ECS's circuit breaker would. The
                // run goes on (`wharf ps`, `wharf logs`, `wharf down`).
                if snap.services.iter().any(|s| s.failing()) {
                    let err = runner::errors::failing(&why_not_steady(&snap));
                    return Err(report(ctx, &err));
                }
            } else if Instant::now() >= deadline {
                return Err(report(
                    ctx,
                    &runner::errors::not_steady("the runner did not start in time"),
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Reports what a background runner that stopped wrote: its errors (JSON
/// lines) in this command's format and colour, any other line (a panic) on
/// stderr as it is.
fn relay(ctx: &Context, text: &str) {
    let (errors, rest) = Diagnostics::from_json_lines(text);
    eprint!("{rest}");
    ctx.report(&errors);
}

/// `listener edge:443 -> http://127.0.0.1:8443`, and for a redirect
/// listener `listener edge:80 -> http://127.0.0.1:8080 (redirects to :443)`.
pub fn listener_line(l: &crate::runner::state::ListenerView) -> String {
    let base = format!(
        "listener {}:{} -> http://{}",
        l.load_balancer, l.port, l.local_address
    );
    match l.redirect_to {
        Some(to) => format!("{base} (redirects to :{to})"),
        None => base,
    }
}

/// E0708: no local driver makes a Service Connect alias resolve by DNS
/// (`http://orders:80`); a process reaches it through its
/// `WHARF_SERVICE_*` variable (or the run's hosts file), on the local port.
/// Said once per alias, as a warning, so the call that fails by name is
/// not a mystery.
pub fn connect_warnings(ctx: &Context, manifest: &Manifest, driver: DriverKind) {
    let driver = match driver {
        DriverKind::Process => "process",
        DriverKind::Podman => "podman",
    };
    for s in &manifest.services {
        for a in &s.connect {
            let var = runner::discovery_var(&a.name);
            ctx.report_warning(
                Code::ConnectLocalName,
                &format!(
                    "the `{driver}` driver cannot make Service Connect alias `{}:{}` of service `{}` resolve by name; it answers on local port {} at the address in `{var}`",
                    a.name,
                    a.port,
                    s.name,
                    a.local_port()
                ),
                &format!(
                    "call `http://${{{var}}}/` in local runs (every container has the variable; `WHARF_HOSTS_FILE` maps the name for tools that read a hosts file)"
                ),
            );
        }
    }
}

/// [`listener_line`] for each load balancer listener.
pub fn listener_lines(snap: &Snapshot) -> Vec<String> {
    snap.listeners.iter().map(listener_line).collect()
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
            if let Some(problem) = &s.problem {
                return format!(
                    "`{}` has {}/{} healthy ({problem})",
                    s.name, s.healthy_count, s.desired_count
                );
            }
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
    status_color: bool,
) {
    // The live status line is for a terminal only: it is redrawn in place.
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
            let line = snapshot().status_line();
            if status_color {
                eprint!("\r\x1b[2K\x1b[1m{line}\x1b[0m");
            } else {
                eprint!("\r\x1b[2K{line}");
            }
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
        assert!(parse_duration("18446744073709551615h").is_err());
        assert!(parse_duration("18446744073709551615s").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("20m"), Ok(20 << 20));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("1gb"), Ok(1 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("10").is_err());
        assert!(parse_size("99999999999999g").is_err());
        assert!(parse_size("5 parsecs").is_err());
    }
}
