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

/// The state directory of the default project of `dir` (`.wharf/<dir name>`).
fn state(dir: &Path) -> PathBuf {
    dir.join(".wharf")
        .join(wharf::runner::project::default_project(dir))
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

    common::eventually("the logs of the run", || {
        let logs = text(&wharf(&dir, &["logs", "web"]));
        logs.contains("| migrated") && logs.contains("task web-1 RUNNING")
    });

    // `--format json` is `--json`; a table is the default.
    let formatted: serde_json::Value =
        serde_json::from_slice(&wharf(&dir, &["ps", "--format", "json"]).stdout).unwrap();
    assert_eq!(formatted["runnerPid"], json["runnerPid"]);
    assert_eq!(formatted["running"], true);
    assert!(text(&wharf(&dir, &["ps", "--format", "table"])).starts_with("SERVICE"));
    let both = wharf(&dir, &["ps", "--json", "--format", "table"]);
    assert_eq!(both.status.code(), Some(2), "{}", text(&both));

    // A service the run does not have is an error, not silence.
    let nosuch = wharf(&dir, &["logs", "app"]);
    assert_eq!(nosuch.status.code(), Some(1), "{}", text(&nosuch));
    assert!(
        text(&nosuch).contains("E0691") && text(&nosuch).contains("its services: web"),
        "{}",
        text(&nosuch)
    );

    // `logs -f` prints the past, then follows until the runner stops.
    let mut follow = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .current_dir(&dir)
        .args(["--color", "never", "logs", "-f", "--tail", "1", "web"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let followed = std::thread::spawn({
        let out = follow.stdout.take().unwrap();
        move || std::io::read_to_string(out).unwrap()
    });

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
    // The follower saw the stop (lines written after it started) and ended.
    let status = follow.wait().unwrap();
    let followed = followed.join().unwrap();
    assert!(status.success(), "{followed}");
    assert!(followed.contains("STOPPED"), "{followed}");
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

/// A background runner that cannot start: its error is reported by the
/// `up --detach` that started it, in that command's message format.
#[test]
fn a_detached_runner_error_is_reported_in_the_callers_format() {
    let dir = scratch("cli-detach-port");
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let m = format!(
        r#"{{"version": 1, "loadBalancers": [{{"name": "lb", "kind": "nlb", "listeners": [{{"port": 9, "protocol": "TCP", "localPort": {port}}}]}}]}}"#
    );
    std::fs::write(dir.join("m.json"), m).unwrap();
    let detach = ["up", "m.json", "--detach", "--timeout", "120s"];
    let out = wharf(&dir, &detach);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("[E0604] Error: cannot listen on 127.0.0.1:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  Help: stop whatever uses the port"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "{}", text(&out));
    let out = wharf(&dir, &[&detach[..], &["--message-format", "json"]].concat());
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    assert!(out.stderr.is_empty(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON diagnostic per line"))
        .collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert_eq!(lines[0]["code"], "E0604");
    assert_eq!(lines[0]["primary"], serde_json::Value::Null);
    drop(busy);
}

#[test]
fn wait_that_never_gets_healthy_exits_1_with_e0605() {
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
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("E0605") && text(&out).contains("`s` has 0/1 healthy"),
        "{}",
        text(&out)
    );
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
}

/// Tasks that exit at once: `--wait` gives up when ECS's circuit breaker
/// would (3 stopped tasks here), long before its timeout, and says why.
#[test]
fn wait_gives_up_on_a_crash_loop_before_its_timeout() {
    let dir = scratch("cli-crash-loop");
    let m = r#"{"version": 1, "tasks": [{"family": "t", "containers": [{"name": "app", "image": "x",
        "local": {"command": "exit 3"}}]}],
        "services": [{"name": "s", "task": "t", "desiredCount": 2}]}"#;
    std::fs::write(dir.join("m.json"), m).unwrap();
    let started = std::time::Instant::now();
    let out = wharf(
        &dir,
        &["up", "m.json", "--detach", "--wait", "--timeout", "10m"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("[E0605] Error: tasks keep stopping")
            && text(&out).contains("(exit code 3)"),
        "{}",
        text(&out)
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(300),
        "gave up only at the timeout"
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

/// Starts `wharf up m.json` in the foreground with a unique marker variable.
fn foreground(dir: &Path, app: &str, stop_timeout_ms: u64) -> (std::process::Child, String) {
    let token = format!(
        "WHARF_FG_TOKEN=fg-{}-{}",
        std::process::id(),
        dir.display().to_string().len()
    );
    let (k, v) = token.split_once('=').unwrap();
    let m = serde_json::json!({"version": 1,
        "tasks": [{"family": "t", "containers": [{"name": "app", "image": "x", "stopTimeoutMs": stop_timeout_ms,
            "environment": {k: v}, "local": {"command": app}}]}],
        "services": [{"name": "s", "task": "t"}]});
    std::fs::write(dir.join("m.json"), m.to_string()).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .current_dir(dir)
        .args(["--color", "never", "up", "m.json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    (child, token)
}

fn sigint(child: &std::process::Child) {
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
}

fn exit_within(child: &mut std::process::Child, secs: u64) -> Option<i32> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

#[test]
fn foreground_up_prints_prefixed_logs_and_stops_on_ctrl_c() {
    let dir = scratch("cli-fg");
    let (mut child, token) = foreground(&dir, "echo hello-from-app; exec sleep 1000", 5000);
    common::eventually("the app to log", || {
        std::fs::read_to_string(state(&dir).join("logs.jsonl"))
            .unwrap_or_default()
            .contains("hello-from-app")
    });
    sigint(&child);
    assert_eq!(
        exit_within(&mut child, 60),
        Some(0),
        "graceful stop exits 0"
    );
    let mut out = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
    assert!(
        out.lines()
            .any(|l| l.starts_with("s-1 app") && l.ends_with("| hello-from-app")),
        "{out}"
    );
    // stderr is no terminal: no status line, no escape codes.
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(
        err.contains("stopping (Ctrl-C again to force)") && !err.contains('\x1b'),
        "{err:?}"
    );
    assert!(common::processes_with_env(&token).is_empty());
}

#[test]
fn second_ctrl_c_forces_the_stop_with_130() {
    let dir = scratch("cli-force");
    let (mut child, token) = foreground(
        &dir,
        "trap '' TERM; echo trap-set; while true; do sleep 0.2; done",
        120_000,
    );
    common::eventually("the TERM trap", || {
        std::fs::read_to_string(state(&dir).join("logs.jsonl"))
            .unwrap_or_default()
            .contains("trap-set")
    });
    sigint(&child);
    common::eventually("the graceful stop to begin", || {
        std::fs::read_to_string(state(&dir).join("logs.jsonl"))
            .unwrap_or_default()
            .contains("SIGTERM")
    });
    sigint(&child);
    assert_eq!(
        exit_within(&mut child, 30),
        Some(130),
        "forced stop exits 130"
    );
    common::eventually("no process left", || {
        common::processes_with_env(&token).is_empty()
    });
}

/// A run that does not stop within `down --timeout` is killed, and `down`
/// says so with a coded error and exit 1.
#[test]
fn down_that_must_kill_the_run_exits_1_with_e0109() {
    let dir = scratch("cli-down-forced");
    let token = format!("WHARF_DOWN_TOKEN=down-{}", std::process::id());
    let (k, v) = token.split_once('=').unwrap();
    let m = serde_json::json!({"version": 1,
        "tasks": [{"family": "t", "containers": [{"name": "app", "image": "x", "stopTimeoutMs": 120_000,
            "environment": {k: v},
            "local": {"command": "trap '' TERM; echo trap-set; while true; do sleep 0.2; done"}}]}],
        "services": [{"name": "s", "task": "t"}]});
    std::fs::write(dir.join("m.json"), m.to_string()).unwrap();
    let up = wharf(
        &dir,
        &["up", "m.json", "--detach", "--wait", "--timeout", "120s"],
    );
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    common::eventually("the TERM trap", || {
        std::fs::read_to_string(state(&dir).join("logs.jsonl"))
            .unwrap_or_default()
            .contains("trap-set")
    });
    let down = wharf(&dir, &["down", "--timeout", "1s"]);
    assert_eq!(down.status.code(), Some(1), "{}", text(&down));
    let stderr = String::from_utf8_lossy(&down.stderr);
    assert!(
        stderr.starts_with("[E0109] Error: the runner did not stop within 1s; killed it"),
        "{stderr}"
    );
    common::eventually("no process left", || {
        common::processes_with_env(&token).is_empty()
    });
}

#[test]
fn up_compiles_a_wharf_program_first() {
    let dir = scratch("cli-wharf");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runner/app.wharf");
    std::fs::copy(src, dir.join("app.wharf")).unwrap();
    let up = wharf(
        &dir,
        &["up", "app.wharf", "--detach", "--wait", "--timeout", "120s"],
    );
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    let compiled = std::fs::read_to_string(state(&dir).join("manifest.json")).unwrap();
    assert!(
        compiled.contains("\"name\": \"web.internal\""),
        "{compiled}"
    );
    let (code, _) = get("127.0.1.1:8100".parse().unwrap(), "web.internal", "/").unwrap();
    assert_eq!(
        code, 200,
        "the discovery name answers once the service is steady"
    );
    assert!(text(&wharf(&dir, &["ps"])).contains("discovery web.internal -> 127.0.1.1:8100"));
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
}

/// Service Connect locally: the alias `orders:7431` answers on its own
/// loopback address, in front of container port 7432 of `orders`; the
/// client `web` reaches it through `WHARF_SERVICE_ORDERS`, and `up` warns
/// (E0708) that no driver makes the alias resolve by name.
#[test]
fn up_answers_service_connect_aliases() {
    let dir = scratch("cli-connect");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runner/connect.wharf");
    std::fs::copy(src, dir.join("connect.wharf")).unwrap();
    let up = wharf(
        &dir,
        &[
            "up",
            "connect.wharf",
            "--detach",
            "--wait",
            "--timeout",
            "120s",
        ],
    );
    assert_eq!(up.status.code(), Some(0), "{}", text(&up));
    assert!(
        text(&up).contains("[E0708] Warning: the `process` driver cannot make Service Connect alias `orders:7431` of service `orders` resolve by name"),
        "{}",
        text(&up)
    );
    let compiled = std::fs::read_to_string(state(&dir).join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&compiled).unwrap();
    assert_eq!(
        manifest["services"][0]["connect"],
        serde_json::json!([{"name": "orders", "port": 7431, "containerName": "app", "containerPort": 7432}])
    );
    common::eventually("the client reaching the alias", || {
        std::fs::read_to_string(state(&dir).join("logs.jsonl"))
            .unwrap_or_default()
            .contains("reached-orders")
    });
    let (code, _) = get("127.0.1.1:7431".parse().unwrap(), "orders", "/").unwrap();
    assert_eq!(code, 200, "the alias answers once the service is steady");
    assert!(text(&wharf(&dir, &["ps"])).contains("orders -> 127.0.1.1:7431"));
    let down = wharf(&dir, &["down"]);
    assert_eq!(down.status.code(), Some(0), "{}", text(&down));
}

#[test]
fn up_reports_compile_errors_of_a_program() {
    let dir = scratch("cli-wharf-bad");
    std::fs::write(
        dir.join("bad.wharf"),
        "service web in nowhere { task missing }\n",
    )
    .unwrap();
    let out = wharf(&dir, &["up", "bad.wharf"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("E02"), "{}", text(&out));
}

#[test]
fn ps_on_a_damaged_state_file_says_so_and_how_to_recover() {
    let dir = scratch("damaged-state");
    // No state folder at all: no run.
    let none = wharf(&dir, &["ps"]);
    assert_eq!(none.status.code(), Some(1), "{}", text(&none));
    assert!(
        text(&none).contains("[E0690] Error: no run found"),
        "{}",
        text(&none)
    );
    // A state file that is not a run's state: named, with its reason, and
    // the way out; never "no run found".
    std::fs::create_dir_all(state(&dir)).unwrap();
    std::fs::write(state(&dir).join("state.json"), "{\"broken").unwrap();
    let damaged = wharf(&dir, &["ps"]);
    assert_eq!(damaged.status.code(), Some(1), "{}", text(&damaged));
    let out = text(&damaged);
    assert!(out.contains("[E0613] Error: the state of project"), "{out}");
    assert!(
        out.contains("cannot be read: EOF while parsing a string"),
        "{out}"
    );
    assert!(out.contains("state.json"), "{out}");
    assert!(
        out.contains("no runner is running: `wharf down` clears"),
        "{out}"
    );
    let json = wharf(&dir, &["ps", "--message-format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let line: serde_json::Value =
        serde_json::from_slice(json.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(line["code"], "E0613");
}

/// A Windows task cannot run on the local runner: `wharf up` refuses it
/// by name before anything starts (E0610), with either driver, and
/// `wharf run` refuses a job of a Windows task the same way.
#[test]
fn a_windows_task_is_refused_by_up_and_run_with_e0610() {
    let dir = scratch("cli-windows");
    let program = r#"region "us-east-1"
network main { vpc "vpc-0123456789abcdef0"; private_subnets ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"] }
cluster c { network main }
task iis {
  cpu 1vcpu
  memory 2GiB
  os windows_server_2022_core
  container app {
    image "mcr.microsoft.com/windows/servercore/iis:windowsservercore-ltsc2022"
    port 80
    local "true"
  }
}
service web in c { task iis }
job once in c { task iis }
"#;
    std::fs::write(dir.join("win.wharf"), program).unwrap();
    for driver in ["process", "podman"] {
        let out = wharf(&dir, &["up", "win.wharf", "--driver", driver]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let t = text(&out);
        assert!(
            t.contains("[E0610]") && t.contains("task `iis` (used by `web`)"),
            "{t}"
        );
        assert!(t.contains("WINDOWS_SERVER_2022_CORE"), "{t}");
    }
    let out = wharf(&dir, &["run", "win.wharf", "once", "--driver", "process"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("[E0610]"), "{}", text(&out));
    assert!(!state(&dir).join("state.json").exists());
}
