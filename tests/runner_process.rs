//! The runner with real processes (`process` driver): dependsOn conditions,
//! essential exit, health checks, kill -9, teardown and the metadata endpoint.

mod common;

use common::*;
use serde_json::json;
use std::time::Duration;
use wharf::runner::TaskStatus;

#[test]
fn depends_on_conditions_order_real_processes() {
    let dir = scratch("conditions");
    let d = dir.display();
    let mut db = shell(
        "db",
        false,
        &format!("sleep 1; touch {d}/db-ready; exec sleep 1000"),
    );
    db["healthCheck"] = json!({"command": {"CMD": ["test", "-f", format!("{d}/db-ready")]}, "intervalMs": 300, "timeoutMs": 2000, "retries": 2});
    let mut app = shell(
        "app",
        true,
        &format!("test -f {d}/init-done && test -f {d}/db-ready && test -f {d}/job-done && echo preconditions-ok; exec sleep 1000"),
    );
    app["dependsOn"] = json!([
        {"containerName": "init", "condition": "SUCCESS"},
        {"containerName": "job", "condition": "COMPLETE"},
        {"containerName": "db", "condition": "HEALTHY"},
    ]);
    let mut side = shell("side", false, "echo side-up; exec sleep 1000");
    side["dependsOn"] = json!([{"containerName": "app", "condition": "START"}]);
    let m = manifest(single_service(
        json!([
            shell("init", false, &format!("sleep 0.5; touch {d}/init-done")),
            shell("job", false, &format!("touch {d}/job-done; exit 7")),
            db,
            app,
            side,
        ]),
        1,
    ));
    let h = up(&m, 31, &dir);
    let mut logs = h.logs();
    assert!(h.wait_for(WAIT, |s| s.services[0]
        .tasks
        .first()
        .is_some_and(|t| t.containers[4].started)));
    let snap = h.snapshot();
    let task = &snap.services[0].tasks[0];
    assert_eq!(task.last_status, TaskStatus::Running);
    assert_eq!(
        task.containers[1].exit_code,
        Some(7),
        "COMPLETE accepts a non-zero exit"
    );
    let mut seen = String::new();
    eventually("app's preconditions line", || {
        while let Ok(r) = logs.try_recv() {
            seen.push_str(&r.line);
            seen.push('\n');
        }
        seen.contains("preconditions-ok")
    });
    h.shutdown();
}

#[test]
fn failed_success_dependency_stops_the_waiting_container_with_143() {
    let dir = scratch("success-fails");
    let mut app = shell("app", true, "exec sleep 1000");
    app["dependsOn"] = json!([{"containerName": "migrate", "condition": "SUCCESS"}]);
    let m = manifest(single_service(
        json!([shell("migrate", false, "exit 1"), app]),
        1,
    ));
    let h = up(&m, 32, &dir);
    assert!(h.wait_for(WAIT, |s| !s.services[0].stopped.is_empty()));
    let snap = h.snapshot();
    let t = &snap.services[0].stopped[0];
    assert_eq!(t.last_status, TaskStatus::Stopped);
    assert_eq!(t.containers[0].exit_code, Some(1));
    assert_eq!(t.containers[1].exit_code, Some(143));
    assert!(!t.containers[1].started, "never started");
    h.shutdown();
}

#[test]
fn essential_exit_stops_the_task_and_the_service_replaces_it() {
    let dir = scratch("essential");
    let m = manifest(single_service(
        json!([
            shell("app", true, "sleep 1; exit 3"),
            shell("helper", false, "exec sleep 1000")
        ]),
        1,
    ));
    let h = up(&m, 33, &dir);
    assert!(h.wait_for(WAIT, |s| s.services[0].stopped.len() >= 2));
    let snap = h.snapshot();
    let first = &snap.services[0].stopped[0];
    assert!(
        first
            .stopped_reason
            .as_deref()
            .unwrap_or("")
            .contains("exit code 3"),
        "{:?}",
        first.stopped_reason
    );
    assert_eq!(
        first.containers[1].exit_code,
        Some(143),
        "the helper got SIGTERM"
    );
    h.shutdown();
}

#[test]
fn failing_health_check_replaces_the_task() {
    let dir = scratch("health");
    let mut app = shell("app", true, "exec sleep 1000");
    app["healthCheck"] = json!({"command": {"CMD-SHELL": "exit 1"}, "intervalMs": 200, "timeoutMs": 2000, "retries": 2});
    let m = manifest(single_service(json!([app]), 1));
    let h = up(&m, 34, &dir);
    assert!(h.wait_for(WAIT, |s| !s.services[0].stopped.is_empty()));
    let snap = h.snapshot();
    assert_eq!(
        snap.services[0].stopped[0].stopped_reason.as_deref(),
        Some("Task failed container health checks")
    );
    assert!(h.wait_for(WAIT, |s| s.services[0]
        .tasks
        .iter()
        .any(|t| t.id != "svc-1")));
    h.shutdown();
}

#[test]
fn kill_dash_nine_restores_the_desired_count() {
    let dir = scratch("kill9");
    let m = manifest(single_service(
        json!([shell("app", true, "exec sleep 1000")]),
        2,
    ));
    let h = up(&m, 35, &dir);
    assert!(h.wait_for(WAIT, |s| s.services[0].running_count == 2));
    let snap = h.snapshot();
    let victim = &snap.services[0].tasks[0];
    let pid = victim.containers[0]
        .pid
        .expect("process driver reports pids");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let victim_id = victim.id.clone();
    assert!(h.wait_for(WAIT, |s| {
        let svc = &s.services[0];
        svc.stopped.iter().any(|t| t.id == victim_id)
            && svc.running_count == 2
            && svc.tasks.len() == 2
    }));
    let snap = h.snapshot();
    let stopped = snap.services[0]
        .stopped
        .iter()
        .find(|t| t.id == victim_id)
        .unwrap();
    assert_eq!(stopped.containers[0].exit_code, Some(137));
    h.shutdown();
}

#[test]
fn shutdown_leaves_no_process_behind_even_a_daemon() {
    let dir = scratch("teardown");
    let token = format!("WHARF_TEST_TOKEN=teardown-{}", std::process::id());
    let (k, v) = token.split_once('=').unwrap();
    // The subshell double-forks a setsid'd sleeper and exits: a classic daemon.
    let mut app = shell(
        "app",
        true,
        "(setsid sh -c 'sleep 1000' &); sleep 1000 & wait",
    );
    app["environment"] = json!({k: v});
    let mut term_ignorer = shell(
        "stubborn",
        false,
        "trap '' TERM; while true; do sleep 1; done",
    );
    term_ignorer["environment"] = json!({k: v});
    term_ignorer["stopTimeoutMs"] = json!(1000);
    let m = manifest(single_service(json!([app, term_ignorer]), 2));
    let h = up(&m, 36, &dir);
    assert!(h.wait_for(WAIT, |s| s.services[0].running_count == 2));
    eventually("the daemons to start", || {
        processes_with_env(&token).len() >= 2 * 5
    });
    h.shutdown();
    let left = processes_with_env(&token);
    assert!(left.is_empty(), "processes left behind: {left:?}");
}

#[test]
fn metadata_endpoint_answers_for_task_and_container() {
    let dir = scratch("metadata");
    let app = shell(
        "app",
        true,
        "echo uri=$ECS_CONTAINER_METADATA_URI_V4; exec sleep 1000",
    );
    let m = manifest(single_service(json!([app]), 1));
    let h = up(&m, 37, &dir);
    assert!(h.wait_for(WAIT, |s| s.services[0].running_count == 1));
    let snap = h.snapshot();
    let base: std::net::SocketAddr = snap
        .metadata_endpoint
        .trim_start_matches("http://")
        .trim_end_matches("/v4")
        .parse()
        .unwrap();
    let id = &snap.services[0].tasks[0].id;
    let (code, body) = get(base, "meta", &format!("/v4/{id}/app")).unwrap();
    assert_eq!(code, 200);
    let c: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(c["Name"], "app");
    assert_eq!(c["KnownStatus"], "RUNNING");
    assert_eq!(
        c["Networks"][0]["IPv4Addresses"][0],
        snap.services[0].tasks[0].address
    );
    let (code, body) = get(base, "meta", &format!("/v4/{id}/app/task")).unwrap();
    assert_eq!(code, 200);
    let t: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(t["Family"], "t");
    assert!(t["TaskARN"].as_str().unwrap().ends_with(id));
    assert_eq!(t["Containers"].as_array().unwrap().len(), 1);
    assert_eq!(
        get(base, "meta", &format!("/v4/{id}/app/stats")).unwrap().0,
        200
    );
    assert_eq!(
        get(base, "meta", &format!("/v4/{id}/app/task/stats"))
            .unwrap()
            .0,
        200
    );
    assert_eq!(get(base, "meta", "/v4/nope/app").unwrap().0, 404);
    let want = format!("uri=http://{base}/v4/{id}/app");
    eventually("the container to print its metadata URI", || {
        std::fs::read_to_string(dir.join(".wharf/logs.jsonl"))
            .unwrap_or_default()
            .contains(&want)
    });
    h.shutdown();
}

#[test]
fn stop_timeout_then_sigkill_for_a_term_ignoring_container() {
    let dir = scratch("stoptimeout");
    let mut app = shell(
        "app",
        true,
        "trap '' TERM; echo trap-set; while true; do sleep 0.2; done",
    );
    app["stopTimeoutMs"] = json!(1500);
    let m = manifest(single_service(json!([app]), 1));
    let h = up(&m, 38, &dir);
    assert!(h.wait_for(WAIT, |s| s.services[0].running_count == 1));
    // SIGTERM before the trap is installed would end the shell at once.
    eventually("the TERM trap", || {
        std::fs::read_to_string(dir.join(".wharf/logs.jsonl"))
            .unwrap_or_default()
            .contains("trap-set")
    });
    let started = std::time::Instant::now();
    h.shutdown();
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "waited for stopTimeout"
    );
    let snap: wharf::runner::Snapshot =
        serde_json::from_str(&std::fs::read_to_string(dir.join(".wharf/state.json")).unwrap())
            .unwrap();
    assert_eq!(
        snap.services[0].stopped[0].containers[0].exit_code,
        Some(137)
    );
}

#[test]
fn secrets_are_read_at_start_and_a_missing_one_starts_nothing() {
    let dir = scratch("secrets");
    std::fs::write(dir.join("db-password"), "s3cret-from-file\n").unwrap();
    let mut good = shell(
        "app",
        true,
        "echo password=$DB_PASSWORD token=$API_TOKEN lengths=$(printf %s $DB_PASSWORD | wc -c),$(printf %s $API_TOKEN | wc -c); exec sleep 1000",
    );
    good["secrets"] = json!([
        {"name": "DB_PASSWORD", "valueFrom": {"kind": "file", "path": dir.join("db-password").display().to_string()}},
        {"name": "API_TOKEN", "valueFrom": {"kind": "env", "var": "WHARF_TEST_UNSET_SECRET_VAR"}}
    ]);
    let mut bad = shell("app", true, "exec sleep 1000");
    bad["secrets"] = json!([{"name": "API_TOKEN", "valueFrom": {"kind": "env", "var": "WHARF_TEST_UNSET_SECRET_VAR"}}]);
    let both = |good: &serde_json::Value| {
        manifest(json!({
            "version": 1,
            "tasks": [{"family": "good", "containers": [good]}, {"family": "bad", "containers": [bad]}],
            "services": [{"name": "good", "task": "good"}, {"name": "bad", "task": "bad"}]
        }))
    };
    // No value anywhere: nothing starts, and the error names the secret and its containers.
    let m = both(&good);
    let opts = wharf::runner::UpOptions {
        base_dir: dir.clone(),
        task_subnet: std::net::Ipv4Addr::new(127, 39, 0, 0),
        discovery_subnet: std::net::Ipv4Addr::new(127, 39, 1, 0),
        ..Default::default()
    };
    let err = match wharf::runner::up_manifest(&m, &opts, &dir.join(".wharf")) {
        Err(e) => e,
        Ok(_) => panic!("a run with a missing secret must not start"),
    };
    assert_eq!(err.code.as_str(), "E0607");
    assert!(
        err.message
            .contains("`WHARF_TEST_UNSET_SECRET_VAR` (good/app)")
            && err
                .message
                .contains("`WHARF_TEST_UNSET_SECRET_VAR` (bad/app)"),
        "{err}"
    );
    assert!(
        !dir.join(".wharf/logs.jsonl").exists() || {
            let logs = std::fs::read_to_string(dir.join(".wharf/logs.jsonl")).unwrap();
            !logs.contains("RUNNING")
        }
    );
    // Given through the options (as `wharf up` does from --secret, files, environment).
    let mut secrets = wharf::runner::secrets::Secrets::default();
    secrets.insert("WHARF_TEST_UNSET_SECRET_VAR", "t0ken-given");
    let h = wharf::runner::up_manifest(
        &m,
        &wharf::runner::UpOptions { secrets, ..opts },
        &dir.join(".wharf"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(h.wait_for(WAIT, |s| s.services.iter().all(|s| s.running_count == 1)));
    // The container printed both values: each is masked in the log (only
    // an exact value is), and their lengths are the given ones.
    eventually("the secret values to reach the container", || {
        std::fs::read_to_string(dir.join(".wharf/logs.jsonl"))
            .unwrap_or_default()
            .contains("password=*** token=*** lengths=16,11")
    });
    let logs = std::fs::read_to_string(dir.join(".wharf/logs.jsonl")).unwrap_or_default();
    assert!(!logs.contains("t0ken-given") && !logs.contains("s3cret"));
    let state = std::fs::read_to_string(dir.join(".wharf/state.json")).unwrap_or_default();
    assert!(!state.contains("t0ken-given") && !state.contains("s3cret"));
    let manifest_text = serde_json::to_string(&m).unwrap();
    assert!(
        !manifest_text.contains("s3cret"),
        "the manifest holds no secret value"
    );
    h.shutdown();
}

#[test]
fn a_new_run_kills_what_a_killed_runner_left_behind() {
    let dir = scratch("dead-run");
    // A process of a run whose runner (pid 999999) no longer exists.
    let mut orphan = std::process::Command::new("sleep")
        .arg("1000")
        .env("WHARF_CONTAINER_ID", "wharf-999999-dead/svc-1/app")
        .spawn()
        .unwrap();
    let m = manifest(single_service(
        json!([shell("app", true, "exec sleep 1000")]),
        1,
    ));
    let h = up(&m, 40, &dir);
    let mut status = None;
    eventually("the orphan to be killed", || {
        status = orphan.try_wait().unwrap();
        status.is_some()
    });
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.unwrap().signal(), Some(9));
    h.shutdown();
}

/// Service Connect aliases locally: one alias served on two ports shares
/// one loopback address (a privileged port answers 8000 above it), each
/// port in front of its own container port, and every container gets the
/// alias's address in `WHARF_SERVICE_<NAME>` (its first port).
#[test]
fn service_connect_aliases_answer_on_one_address_per_name() {
    let dir = scratch("connect-aliases");
    let mut server = http_server(7441);
    server["portMappings"] = json!([{"containerPort": 7441}, {"containerPort": 7442}]);
    server["local"] = json!({"command":
        "python3 -m http.server --bind $WHARF_HOST 7442 & exec python3 -m http.server --bind $WHARF_HOST 7441"});
    let client = shell(
        "client",
        true,
        "echo alias-at=$WHARF_SERVICE_ORDERS; exec sleep 1000",
    );
    let m = manifest(json!({
        "version": 1,
        "tasks": [
            {"family": "orders", "containers": [server]},
            {"family": "web", "containers": [client]}
        ],
        "services": [
            {"name": "orders", "task": "orders", "connect": [
                {"name": "orders", "port": 80, "containerName": "web", "containerPort": 7441},
                {"name": "orders", "port": 7443, "containerName": "web", "containerPort": 7442}
            ]},
            {"name": "web", "task": "web"}
        ]
    }));
    let h = up(&m, 61, &dir);
    let mut logs = h.logs();
    let mut seen = String::new();
    eventually("the client's variable", || {
        while let Ok(r) = logs.try_recv() {
            seen.push_str(&r.line);
            seen.push('\n');
        }
        seen.contains("alias-at=")
    });
    assert!(seen.contains("alias-at=127.61.1.1:8080"), "{seen}");
    for port in [8080, 7443] {
        let addr = std::net::SocketAddr::from(([127, 61, 1, 1], port));
        eventually("the alias answering", || {
            get(addr, "orders", "/").is_ok_and(|(code, _)| code == 200)
        });
    }
    h.shutdown();
}
