//! Where the tests find the outside validators (botocore, cfn-lint, PyYAML):
//! the virtual environment `scripts/validators.sh` installs under
//! `target/validators`, else whatever `python3` / `cfn-lint` is on PATH.
//!
//! When a validator is missing, a test is skipped with a `SKIPPED:` line
//! written straight to stderr (past the test harness's capture, so a plain
//! `cargo test` shows it); under `scripts/test` or CI
//! (`WHARF_REQUIRE_VALIDATORS` or `CI` set) it fails instead.

#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

fn venv_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/validators/bin")
}

/// `python3` from the validators' environment when it exists.
pub fn python() -> Command {
    let venv = venv_bin().join("python3");
    Command::new(if venv.is_file() {
        venv
    } else {
        PathBuf::from("python3")
    })
}

/// `cfn-lint` from the validators' environment when it exists.
pub fn cfn_lint() -> Command {
    let venv = venv_bin().join("cfn-lint");
    Command::new(if venv.is_file() {
        venv
    } else {
        PathBuf::from("cfn-lint")
    })
}

/// The repository's copy of the botocore-based ECS validator.
pub fn validate_ecs_py() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/validate_ecs.py")
}

/// Whether `python()` can import `module`.
pub fn python_has(module: &str) -> bool {
    python()
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether `cfn_lint()` runs.
pub fn cfn_lint_runs() -> bool {
    cfn_lint()
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Validators are required (the test fails) rather than optional.
pub fn required() -> bool {
    std::env::var_os("WHARF_REQUIRE_VALIDATORS").is_some() || std::env::var_os("CI").is_some()
}

/// Reports a missing validator: fails when validators are required, else
/// prints a SKIPPED line past the harness's capture. Returns so that the
/// caller can `return` from the test.
pub fn skip(test: &str, missing: &str) {
    let msg = format!(
        "SKIPPED: {test}: {missing} (install with `bash scripts/validators.sh`, or run `scripts/test`)"
    );
    if required() {
        panic!("{msg}; validators are required here (WHARF_REQUIRE_VALIDATORS or CI is set)");
    }
    let _ = writeln!(std::io::stderr(), "{msg}");
}
