//! Wording of every runner error (E0601-E0605) in one place. Stage: runner.
//! Output: [`RunnerError`] values with a code, a message and a help line.
//! Runner errors concern a run, not a source span, so they carry no span.

use super::RunnerError;
use crate::diag::Code;
use std::net::SocketAddr;

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

pub fn runner_io(what: &str, err: &std::io::Error) -> RunnerError {
    RunnerError::new(
        Code::RunnerFailed,
        format!("{what}: {err}"),
        "check that the state directory `.wharf/` is writable",
    )
}
