//! `wharf up / ps / logs / down` as a user runs them (the real binary,
//! `--color never`), and the exit codes that tell CI what failed.

mod common;

use common::{get, scratch};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wharf(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .current_dir(dir)
        .arg("--color")
        .arg("never")
        .args(args)
        .output()
        .expect("wharf runs")
}

fn fixture(dir: &Path, name: &str) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/manifests")
        .join(name);
    let dst = dir.join(name);
    std::fs::copy(src, &dst).expect("fixture copied");
    dst
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn up_detach_wait_then_ps_logs_down() {
    let dir = scratch("cli");
    fixture(&dir, "web.json");
    let up = wharf(
        &dir,
        &["up", "web.json", "--detach", "--wait", "--timeout", "120s"],
    );
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    assert!(text(&up).contains("web 2/2 healthy"), "{}", text(&up));

    let ps = wharf(&dir, &["ps"]);
    let table = text(&ps);
    assert!(
        table.contains("web-1") && table.contains("web-2") && table.contains("RUNNING"),
        "{table}"
    );
    assert!(table.contains("migrate:exited(0)"), "{table}");

    let json: serde_json::Value =
        serde_json::from_slice(&wharf(&dir, &["ps", "--json"]).stdout).unwrap();
    assert_eq!(json["running"], true);
    let listener: std::net::SocketAddr = json["listeners"][0]["localAddress"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(get(listener, "localhost", "/").unwrap().0, 200);

    let logs = text(&wharf(&dir, &["logs", "web"]));
    assert!(
        logs.contains("migrate") && logs.contains("| migrated"),
        "{logs}"
    );
    assert!(logs.contains("task web-1 RUNNING"), "{logs}");

    let runner_pid = json["runnerPid"].as_u64().unwrap();
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
    assert!(
        !Path::new(&format!("/proc/{runner_pid}")).exists() || {
            let stat =
                std::fs::read_to_string(format!("/proc/{runner_pid}/stat")).unwrap_or_default();
            stat.contains(") Z")
        }
    );
    let after = text(&wharf(&dir, &["ps"]));
    assert!(
        after.contains("not running") && after.contains("STOPPED"),
        "{after}"
    );
}

#[test]
fn invalid_manifest_exits_1_with_e0601() {
    let dir = scratch("cli-invalid");
    std::fs::write(
        dir.join("m.json"),
        r#"{"version": 1, "services": [{"name": "a", "task": "nope"}]}"#,
    )
    .unwrap();
    let out = wharf(&dir, &["up", "m.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("E0601") && text(&out).contains("unknown task `nope`"),
        "{}",
        text(&out)
    );
}

#[test]
fn missing_local_command_exits_1_with_e0603() {
    let dir = scratch("cli-nolocal");
    let m = r#"{"version": 1, "tasks": [{"family": "t", "containers": [{"name": "app", "image": "x"}]}],
                "services": [{"name": "s", "task": "t"}]}"#;
    std::fs::write(dir.join("m.json"), m).unwrap();
    let out = wharf(&dir, &["up", "m.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("E0603") && text(&out).contains("`t/app`"),
        "{}",
        text(&out)
    );
}

#[test]
fn busy_listener_port_exits_4_with_e0604() {
    let dir = scratch("cli-port");
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let m = format!(
        r#"{{"version": 1, "loadBalancers": [{{"name": "lb", "kind": "nlb", "listeners": [{{"port": 9, "protocol": "TCP", "localPort": {port}}}]}}]}}"#
    );
    std::fs::write(dir.join("m.json"), m).unwrap();
    let out = wharf(&dir, &["up", "m.json"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    assert!(text(&out).contains("E0604"), "{}", text(&out));
}

#[test]
fn wait_that_never_gets_healthy_exits_5_with_e0605() {
    let dir = scratch("cli-unhealthy");
    let m = r#"{"version": 1, "tasks": [{"family": "t", "containers": [{"name": "app", "image": "x",
        "healthCheck": {"command": {"CMD": ["false"]}, "intervalMs": 200, "retries": 1},
        "local": {"command": "exec sleep 1000"}}]}],
        "services": [{"name": "s", "task": "t"}]}"#;
    std::fs::write(dir.join("m.json"), m).unwrap();
    let out = wharf(
        &dir,
        &["up", "m.json", "--detach", "--wait", "--timeout", "3s"],
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    assert!(
        text(&out).contains("E0605") && text(&out).contains("`s` has 0/1 healthy"),
        "{}",
        text(&out)
    );
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
}

#[test]
fn up_rejects_other_files() {
    let dir = scratch("cli-other");
    let out = wharf(&dir, &["up", "app.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out).contains("neither a .wharf program nor a manifest.json"),
        "{}",
        text(&out)
    );
}
