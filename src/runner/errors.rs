//! Wording of every runner error (E06xx, and E0109 for `down`) in one place. Stage: runner.
//! Output: [`RunnerError`] values with a code, a message and a help line.
//! Runner errors concern a run, not a source span, so they carry no span.

use super::RunnerError;
use crate::diag::Code;
use std::net::SocketAddr;
use std::path::Path;

pub fn port_in_use(addr: SocketAddr, what: &str, err: &std::io::Error) -> RunnerError {
    RunnerError::new(
        Code::PortInUse,
        format!("cannot listen on {addr} for {what}: {err}"),
        "stop whatever uses the port (`ss -ltnp`), or set `localPort` on the listener in the manifest",
    )
}

pub fn driver_unavailable(driver: &str, why: &str) -> RunnerError {
    RunnerError::new(
        Code::DriverUnavailable,
        format!("the `{driver}` driver cannot run here: {why}"),
        "install it (for podman: `apt-get install podman runc busybox-static`) or use `--driver process`",
    )
}

pub fn not_steady(reason: &str) -> RunnerError {
    RunnerError::new(
        Code::RunnerFailed,
        format!("services did not reach their desired count of healthy tasks: {reason}"),
        "look at `wharf ps` and `wharf logs` for the stopped tasks' reasons, or raise `--timeout`",
    )
}

/// `wharf up --wait` gave up early: a service's tasks keep stopping (E0605).
pub fn failing(reason: &str) -> RunnerError {
    RunnerError::new(
        Code::RunnerFailed,
        format!("tasks keep stopping, so the services will not get steady: {reason}"),
        "the run goes on in the background: read why with `wharf logs` and `wharf ps`, fix the program, then `wharf down` and `wharf up` again",
    )
}

/// `wharf down` had to kill a runner that did not stop within `--timeout`
/// (E0109).
pub fn stop_forced(timeout: std::time::Duration) -> RunnerError {
    RunnerError::new(
        Code::StopForced,
        format!(
            "the runner did not stop within {timeout:?}; killed it and every process of its run"
        ),
        "raise `--timeout` above the containers' `stopTimeoutMs`, or make them exit on SIGTERM",
    )
}

pub fn runner_io(what: &str, err: &std::io::Error) -> RunnerError {
    RunnerError::new(
        Code::RunnerFailed,
        format!("{what}: {err}"),
        "check that the state directory `.wharf/` is writable",
    )
}

/// A second runner for a project (E0606): `busy` when the lock is held by a
/// wharf that is starting or stopping the project rather than by its runner.
pub fn already_running(project_dir: &Path, runner: Option<u32>) -> RunnerError {
    let message = match runner {
        Some(pid) => format!(
            "a runner (pid {pid}) already runs the project in `{}`",
            project_dir.display()
        ),
        None => format!(
            "another wharf command is starting or stopping the project in `{}`",
            project_dir.display()
        ),
    };
    RunnerError::new(
        Code::RunnerRunning,
        message,
        "stop it with `wharf down`, or start another run beside it with `-p NAME` (a project name)",
    )
}

/// Secrets without a local value (E0607), each with the container needing it.
pub fn secrets_missing(missing: &[String], unreadable: &[String], names: &[String]) -> RunnerError {
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("no local value for {}", missing.join(", ")));
    }
    if !unreadable.is_empty() {
        parts.push(format!("unreadable {}", unreadable.join(", ")));
    }
    let example = names.first().map_or("NAME", String::as_str);
    let help = if names.is_empty() {
        "make each file readable by the user running `wharf up`".to_string()
    } else {
        format!(
            "give each a value: `--secret {example}=...`, a line `{example}=...` in `.wharf/secrets.env` (or the file given with `--secrets-file`), or the environment variable `{example}`"
        )
    };
    RunnerError::new(
        Code::SecretMissing,
        format!("{}; no task was started", parts.join("; ")),
        help,
    )
}

/// A secrets file that cannot be read or parsed (E0608).
pub fn secrets_file(path: &Path, why: &str) -> RunnerError {
    RunnerError::new(
        Code::SecretsFileInvalid,
        format!("cannot read the secrets file `{}`: {why}", path.display()),
        "write one `NAME=VALUE` per line (`#` starts a comment), or leave out `--secrets-file`",
    )
}

/// A symbolic link where the run's state lives (E0609).
pub fn state_link(path: &Path) -> RunnerError {
    RunnerError::new(
        Code::StateLink,
        format!(
            "`{}` is a symbolic link; the runner writes, rotates and removes only files it creates in its state directory, so it does not follow links there",
            path.display()
        ),
        "remove the link (or the state directory of a run that is not running) and start again; run `wharf` from another directory to keep state elsewhere",
    )
}
