//! `wharf logs` options like `docker compose logs` (`--tail`, `--since`,
//! `--timestamps`, a service), read from a project's log files as the runner
//! writes them, and colour that follows the stream it is written to. The
//! real binary; no run is started (`tests/runner_cli.rs` follows a live one).

mod common;

use common::scratch;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const RECORDS: &[(u64, &str, &str, &str, &str)] = &[
    // ts (ms), service, task, container, line
    (1_000, "web", "web-1", "app", "a1"),
    (2_000, "web", "web-2", "app", "b1"),
    (3_000, "web", "web-1", "app", "a2"),
    (4_000, "db", "db-1", "pg", "d1"),
    (5_000, "web", "web-1", "app", "a3"),
];

/// A project directory whose run wrote `RECORDS`, the first two in a rotated file.
fn project(name: &str) -> PathBuf {
    let dir = scratch(name);
    let state = dir
        .join(".wharf")
        .join(wharf::runner::project::default_project(&dir));
    std::fs::create_dir_all(&state).unwrap();
    let lines: Vec<String> = RECORDS
        .iter()
        .map(|(ts, service, task, container, line)| {
            serde_json::json!({"ts": ts, "service": service, "task": task,
                "container": container, "stream": "stdout", "line": line})
            .to_string()
                + "\n"
        })
        .collect();
    let current = state.join("logs.jsonl");
    std::fs::write(wharf::runner::rotated_log(&current, 1), lines[..2].concat()).unwrap();
    std::fs::write(&current, lines[2..].concat()).unwrap();
    dir
}

fn wharf(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .expect("wharf runs")
}

fn stdout(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn all_lines_oldest_first_then_a_service() {
    let dir = project("logs-all");
    assert_eq!(
        stdout(&wharf(&dir, &["logs"])),
        "web-1 app                | a1\n\
         web-2 app                | b1\n\
         web-1 app                | a2\n\
         db-1 pg                  | d1\n\
         web-1 app                | a3\n"
    );
    assert_eq!(
        stdout(&wharf(&dir, &["logs", "db"])),
        "db-1 pg                  | d1\n"
    );
}

#[test]
fn tail_keeps_the_last_lines_of_each_container_in_order() {
    let dir = project("logs-tail");
    assert_eq!(
        stdout(&wharf(&dir, &["logs", "--tail", "1"])),
        "web-2 app                | b1\n\
         db-1 pg                  | d1\n\
         web-1 app                | a3\n"
    );
    assert_eq!(
        stdout(&wharf(&dir, &["logs", "-n", "2", "web"])),
        "web-2 app                | b1\n\
         web-1 app                | a2\n\
         web-1 app                | a3\n"
    );
    assert_eq!(stdout(&wharf(&dir, &["logs", "-n", "0"])), "");
    assert_eq!(
        stdout(&wharf(&dir, &["logs", "-n", "all"])).lines().count(),
        5
    );
}

#[test]
fn since_and_timestamps() {
    let dir = project("logs-since");
    assert_eq!(
        stdout(&wharf(
            &dir,
            &["logs", "--since", "1970-01-01T00:00:03Z", "--timestamps"]
        )),
        "web-1 app                | 1970-01-01T00:00:03.000Z a2\n\
         db-1 pg                  | 1970-01-01T00:00:04.000Z d1\n\
         web-1 app                | 1970-01-01T00:00:05.000Z a3\n"
    );
    // The same instant with an offset, and as Unix seconds.
    let at = |since: &str| stdout(&wharf(&dir, &["logs", "--since", since]));
    assert_eq!(at("1970-01-01T01:00:04+01:00"), at("4"));
    assert_eq!(at("4").lines().count(), 2);
    // These lines are from 1970: ten minutes back keeps none.
    assert_eq!(at("10m"), "");
    assert_eq!(at("1h30m"), "");
    // A window: from 2 s (Unix seconds) to before 4 s.
    assert_eq!(
        stdout(&wharf(
            &dir,
            &["logs", "--since", "2", "--until", "1970-01-01T00:00:04Z"]
        )),
        "web-2 app                | b1\n\
         web-1 app                | a2\n"
    );
    let bad = wharf(&dir, &["logs", "--since", "last tuesday"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("RFC 3339"));
}

#[test]
fn no_run_is_e0690() {
    let dir = scratch("logs-none");
    let o = wharf(&dir, &["logs", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("E0690"));
}

/// A pseudo-terminal: (the side wharf writes to, the side the test reads).
fn pty() -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    // SAFETY: openpty writes two new descriptors into the given ints; the
    // name, termios and window size pointers may be null.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors are new and owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(slave), OwnedFd::from_raw_fd(master)) }
}

/// What wharf wrote to a terminal, read until wharf closed it.
fn read_terminal(master: OwnedFd) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        // SAFETY: reads into a buffer of the given length.
        let n = unsafe { libc::read(master.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n <= 0 {
            // EIO once the last writer has closed its side.
            return String::from_utf8_lossy(&out).into_owned();
        }
        out.extend_from_slice(&buf[..n as usize]);
    }
}

#[test]
fn colour_follows_the_stream_written_to() {
    let dir = project("logs-colour");
    let wharf = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_wharf"));
        c.current_dir(&dir).env_remove("NO_COLOR").arg("logs");
        c
    };
    // stderr a terminal, stdout a file (`wharf logs > file`): no escape codes.
    let (term, master) = pty();
    let o = wharf().stderr(Stdio::from(term)).output().unwrap();
    drop(master);
    let text = stdout(&o);
    assert!(text.contains("| a1") && !text.contains('\x1b'), "{text:?}");

    // stdout a terminal: coloured prefixes, unless NO_COLOR or --color never.
    let (term, master) = pty();
    let mut child = wharf().stdout(Stdio::from(term)).spawn().unwrap();
    let text = read_terminal(master);
    assert!(child.wait().unwrap().success());
    assert!(text.contains("\x1b[") && text.contains("a3"), "{text:?}");

    for (env, flag) in [(Some("1"), "--color=auto"), (None, "--color=never")] {
        let (term, master) = pty();
        let mut cmd = wharf();
        if let Some(v) = env {
            cmd.env("NO_COLOR", v);
        }
        let mut child = cmd.arg(flag).stdout(Stdio::from(term)).spawn().unwrap();
        // Our copy of the terminal side goes, so reading ends when wharf's does.
        drop(cmd);
        let text = read_terminal(master);
        assert!(child.wait().unwrap().success());
        assert!(text.contains("a3") && !text.contains('\x1b'), "{text:?}");
    }

    // --color always wins over a file.
    let o = wharf().arg("--color=always").output().unwrap();
    assert!(stdout(&o).contains('\x1b'));
}
