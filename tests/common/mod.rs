//! Helpers for runner integration tests with real processes: manifests from
//! JSON, one loopback subnet per test (so parallel tests never share an
//! address), polling waits and a tiny HTTP client.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::time::Duration;
use wharf::manifest::Manifest;
use wharf::runner::{up_manifest, RunnerHandle, UpOptions};

/// Generous: a loaded 2-core machine must not make tests flaky.
pub const WAIT: Duration = Duration::from_secs(90);

pub fn manifest(v: Value) -> Manifest {
    let text = v.to_string();
    wharf::manifest::parse(&mut wharf::diag::SourceMap::new(), "test.json", &text)
        .unwrap_or_else(|d| panic!("test manifest is invalid: {d:?}"))
}

/// A scratch directory unique to this test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wharf-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Starts a run with its own subnets `127.<octet>.0.0` (tasks) and
/// `127.<octet>.1.0` (discovery).
pub fn up(m: &Manifest, octet: u8, dir: &std::path::Path) -> RunnerHandle {
    let opts = UpOptions {
        base_dir: dir.to_path_buf(),
        task_subnet: Ipv4Addr::new(127, octet, 0, 0),
        discovery_subnet: Ipv4Addr::new(127, octet, 1, 0),
        backoff_base: Duration::from_millis(300),
        ..UpOptions::default()
    };
    up_manifest(m, &opts, &dir.join(".wharf")).unwrap_or_else(|e| panic!("runner starts: {e}"))
}

pub fn shell(name: &str, essential: bool, cmd: &str) -> Value {
    json!({"name": name, "image": "busybox", "essential": essential, "stopTimeoutMs": 3000, "local": {"command": cmd}})
}

pub fn single_service(containers: Value, desired: u32) -> Value {
    json!({
        "version": 1,
        "tasks": [{"family": "t", "containers": containers}],
        "services": [{"name": "svc", "task": "t", "desiredCount": desired}]
    })
}

/// A `python3 -m http.server` container on `$WHARF_HOST:$PORT`.
pub fn http_server(port: u16) -> Value {
    json!({
        "name": "web", "image": "python:3", "stopTimeoutMs": 5000,
        "portMappings": [{"containerPort": port}],
        "local": {"command": "exec python3 -m http.server --bind $WHARF_HOST $PORT"}
    })
}

/// GET `path` with `Connection: close`; returns the status code and body.
pub fn get(addr: SocketAddr, host: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    let code = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    Ok((code, body))
}

/// Pids of live processes whose environment contains `needle`.
pub fn processes_with_env(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        if stat
            .rsplit(')')
            .next()
            .is_some_and(|r| r.trim_start().starts_with('Z'))
        {
            continue;
        }
        let env = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        if env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()) {
            found.push(pid);
        }
    }
    found
}

/// Polls `f` until it is true or `WAIT` passes.
pub fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < deadline {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

/// Every `.wharf` file of the examples, the test fixtures (all folders) and
/// the stdlib, sorted.
pub fn wharf_files() -> Vec<PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "wharf") {
                out.push(p);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "tests/fixtures", "stdlib"] {
        walk(&root.join(dir), &mut files);
    }
    files.sort();
    files
}
