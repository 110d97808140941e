//! ECS semantics of the runner with the fake driver and tokio's paused clock:
//! fast and deterministic. Real processes are in `runner_process.rs`.

use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use wharf::manifest::Manifest;
use wharf::runner::fake::{FakeDriver, FakeEvent, Script};
use wharf::runner::{Runner, Snapshot, TaskStatus, UpOptions};

fn manifest(containers: serde_json::Value, desired: u32) -> Manifest {
    serde_json::from_value(json!({
        "version": 1,
        "tasks": [{ "family": "app", "containers": containers }],
        "services": [{ "name": "svc", "task": "app", "desiredCount": desired }]
    }))
    .expect("test manifest is valid")
}

fn container(name: &str, essential: bool, deps: &[(&str, &str)]) -> serde_json::Value {
    json!({
        "name": name, "image": "fake", "essential": essential, "stopTimeoutMs": 2000,
        "dependsOn": deps.iter().map(|(c, cond)| json!({"containerName": c, "condition": cond})).collect::<Vec<_>>(),
    })
}

fn with_health(mut c: serde_json::Value) -> serde_json::Value {
    c["healthCheck"] = json!({"command": {"CMD-SHELL": "check"}, "intervalMs": 1000, "timeoutMs": 500, "retries": 2});
    c
}

async fn start(m: &Manifest, fake: &Arc<FakeDriver>) -> Runner {
    let opts = UpOptions {
        backoff_base: Duration::from_secs(2),
        ..UpOptions::default()
    };
    Runner::start(m, &opts, Arc::new(fake.clone()), "test")
        .await
        .expect("runner starts")
}

fn started(events: &[FakeEvent], container: &str) -> Vec<usize> {
    events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, FakeEvent::Started { container: c, .. } if c == container))
        .map(|(i, _)| i)
        .collect()
}

fn index_of(events: &[FakeEvent], want: &FakeEvent) -> usize {
    events
        .iter()
        .position(|e| e == want)
        .unwrap_or_else(|| panic!("{want:?} not in {events:?}"))
}

fn task_running(s: &Snapshot) -> bool {
    s.services[0]
        .tasks
        .iter()
        .any(|t| t.last_status == TaskStatus::Running)
}

#[tokio::test(start_paused = true)]
async fn start_success_and_healthy_conditions_order_the_start() {
    let fake = FakeDriver::new();
    fake.script("init", vec![Script::exits(Duration::from_secs(3), 0)]);
    fake.script("db", vec![Script::healthy(Duration::from_secs(5))]);
    let m = manifest(
        json!([
            container("init", false, &[]),
            with_health(container("db", false, &[])),
            container("app", true, &[("init", "SUCCESS"), ("db", "HEALTHY")]),
            container("sidecar", false, &[("app", "START")]),
        ]),
        1,
    );
    let mut r = start(&m, &fake).await;
    assert!(r.wait_for(Duration::from_secs(60), task_running).await);
    assert!(
        r.wait_for(Duration::from_secs(10), |s| s.services[0].tasks[0]
            .containers[3]
            .started)
            .await
    );
    let ev = fake.events();
    let exit_init = index_of(
        &ev,
        &FakeEvent::Exited {
            task: "svc-1".into(),
            container: "init".into(),
            code: 0,
        },
    );
    let app = started(&ev, "app")[0];
    assert!(app > exit_init, "app waits for init SUCCESS: {ev:?}");
    assert!(
        started(&ev, "sidecar")[0] > app,
        "sidecar waits for app START"
    );
    let timed = fake.timed_events();
    let app_at = timed
        .iter()
        .find(|(_, e)| matches!(e, FakeEvent::Started { container, .. } if container == "app"))
        .unwrap()
        .0;
    assert!(
        app_at >= Duration::from_secs(5),
        "app waits for db HEALTHY (5 s), started at {app_at:?}"
    );
    r.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn complete_accepts_any_exit_code() {
    let fake = FakeDriver::new();
    fake.script("job", vec![Script::exits(Duration::from_secs(1), 3)]);
    let m = manifest(
        json!([
            container("job", false, &[]),
            container("app", true, &[("job", "COMPLETE")])
        ]),
        1,
    );
    let mut r = start(&m, &fake).await;
    assert!(r.wait_for(Duration::from_secs(30), task_running).await);
    assert_eq!(started(&fake.events(), "app").len(), 1);
    r.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn failed_success_dependency_is_terminal_and_the_task_is_replaced() {
    let fake = FakeDriver::new();
    fake.script(
        "migrate",
        vec![
            Script::exits(Duration::from_secs(1), 1),
            Script::exits(Duration::from_secs(1), 0),
        ],
    );
    let m = manifest(
        json!([
            container("migrate", false, &[]),
            container("app", true, &[("migrate", "SUCCESS")])
        ]),
        1,
    );
    let mut r = start(&m, &fake).await;
    let first_stopped = |s: &Snapshot| s.services[0].stopped.iter().any(|t| t.id == "svc-1");
    assert!(r.wait_for(Duration::from_secs(30), first_stopped).await);
    let snap = r.snapshot();
    let old = snap.services[0]
        .stopped
        .iter()
        .find(|t| t.id == "svc-1")
        .unwrap();
    let app = old.containers.iter().find(|c| c.name == "app").unwrap();
    assert_eq!(app.exit_code, Some(143));
    assert!(!app.started, "the waiting container is never started");
    assert!(
        old.stopped_reason
            .as_deref()
            .unwrap()
            .contains("Essential container"),
        "{:?}",
        old.stopped_reason
    );
    // The replacement's migration succeeds, so its app starts.
    assert!(r.wait_for(Duration::from_secs(60), task_running).await);
    let ev = fake.events();
    assert!(ev.contains(&FakeEvent::Started {
        task: "svc-2".into(),
        container: "app".into()
    }));
    assert!(!ev.contains(&FakeEvent::Started {
        task: "svc-1".into(),
        container: "app".into()
    }));
    r.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn start_timeout_of_the_dependency_gives_up() {
    let fake = FakeDriver::new();
    fake.script("db", vec![Script::long_running()]);
    let mut db = with_health(container("db", false, &[]));
    db["startTimeoutMs"] = json!(5000);
    let m = manifest(json!([db, container("app", true, &[("db", "HEALTHY")])]), 1);
    let mut r = start(&m, &fake).await;
    assert!(
        r.wait_for(Duration::from_secs(60), |s| !s.services[0]
            .stopped
            .is_empty())
            .await
    );
    let snap = r.snapshot();
    let app = &snap.services[0].stopped[0].containers[1];
    assert_eq!(app.exit_code, Some(143));
    assert!(
        app.reason.as_deref().unwrap().contains("startTimeout"),
        "{:?}",
        app.reason
    );
    r.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn essential_exit_stops_dependents_first_then_replaces() {
    let fake = FakeDriver::new();
    fake.script(
        "app",
        vec![
            Script::exits(Duration::from_secs(5), 2),
            Script::long_running(),
        ],
    );
    let m = manifest(
        json!([
            container("db", false, &[]),
            container("app", true, &[("db", "START")]),
            container("proxy", false, &[("db", "START")]),
        ]),
        1,
    );
    let mut r = start(&m, &fake).await;
    assert!(
        r.wait_for(Duration::from_secs(60), |s| s.services[0]
            .tasks
            .iter()
            .any(|t| t.id == "svc-2" && t.last_status == TaskStatus::Running))
            .await
    );
    let ev = fake.events();
    let proxy = index_of(
        &ev,
        &FakeEvent::Terminated {
            task: "svc-1".into(),
            container: "proxy".into(),
        },
    );
    let db = index_of(
        &ev,
        &FakeEvent::Terminated {
            task: "svc-1".into(),
            container: "db".into(),
        },
    );
    assert!(
        proxy < db,
        "dependents stop before what they depend on: {ev:?}"
    );
    let reason = r.snapshot().services[0].stopped[0]
        .stopped_reason
        .clone()
        .unwrap();
    assert!(reason.contains("`app` (exit code 2)"), "{reason}");
    r.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn sigkill_follows_sigterm_after_stop_timeout() {
    let fake = FakeDriver::new();
    fake.script(
        "app",
        vec![Script {
            ignores_sigterm: true,
            ..Script::default()
        }],
    );
    let m = manifest(json!([container("app", true, &[])]), 1);
    let mut r = start(&m, &fake).await;
    assert!(r.wait_for(Duration::from_secs(30), task_running).await);
    r.shutdown().await;
    let timed = fake.timed_events();
    let killed = timed
        .iter()
        .find(|(_, e)| matches!(e, FakeEvent::Killed { .. }))
        .expect("SIGKILL sent");
    let started = timed
        .iter()
        .find(|(_, e)| matches!(e, FakeEvent::Started { .. }))
        .unwrap();
    assert!(
        killed.0 - started.0 >= Duration::from_secs(2),
        "stopTimeout of 2 s honoured"
    );
    assert!(timed
        .iter()
        .any(|(_, e)| matches!(e, FakeEvent::Exited { code: 137, .. })));
}

#[tokio::test(start_paused = true)]
async fn unhealthy_essential_container_replaces_the_task() {
    let fake = FakeDriver::new();
    let sick = Script {
        healthy_after: Some(Duration::ZERO),
        unhealthy_after: Some(Duration::from_secs(4)),
        ..Script::default()
    };
    fake.script("app", vec![sick, Script::healthy(Duration::ZERO)]);
    let m = manifest(json!([with_health(container("app", true, &[]))]), 1);
    let mut r = start(&m, &fake).await;
    assert!(
        r.wait_for(Duration::from_secs(60), |s| !s.services[0]
            .stopped
            .is_empty())
            .await
    );
    let reason = r.snapshot().services[0].stopped[0]
        .stopped_reason
        .clone()
        .unwrap();
    assert_eq!(reason, "Task failed container health checks");
    assert!(
        r.wait_for(Duration::from_secs(60), |s| s.all_steady())
            .await
    );
    r.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn unhealthy_non_essential_container_does_not() {
    let fake = FakeDriver::new();
    fake.script("helper", vec![Script::long_running()]);
    let m = manifest(
        json!([
            container("app", true, &[]),
            with_health(container("helper", false, &[]))
        ]),
        1,
    );
    let mut r = start(&m, &fake).await;
    assert!(
        r.wait_for(Duration::from_secs(30), |s| s.services[0]
            .tasks
            .first()
            .is_some_and(
                |t| t.containers[1].health == wharf::runner::Health::Unhealthy
            ))
        .await
    );
    tokio::time::sleep(Duration::from_secs(20)).await;
    let snap = r.snapshot();
    assert!(
        snap.services[0].stopped.is_empty(),
        "task health comes from essential containers only"
    );
    r.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn crashed_task_is_replaced_to_hold_desired_count() {
    let fake = FakeDriver::new();
    let m = manifest(json!([container("app", true, &[])]), 3);
    let mut r = start(&m, &fake).await;
    assert!(
        r.wait_for(Duration::from_secs(30), |s| s.services[0].running_count
            == 3)
            .await
    );
    assert!(fake.crash("svc-2", "app"));
    assert!(
        r.wait_for(Duration::from_secs(60), |s| s.services[0].stopped.len()
            == 1
            && s.services[0].running_count == 3)
            .await
    );
    let ids: Vec<String> = r.snapshot().services[0]
        .tasks
        .iter()
        .map(|t| t.id.clone())
        .collect();
    assert_eq!(ids, ["svc-1", "svc-3", "svc-4"]);
    r.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn replacement_backoff_grows() {
    let fake = FakeDriver::new();
    fake.script("app", vec![Script::exits(Duration::from_millis(100), 1)]);
    let m = manifest(json!([container("app", true, &[])]), 1);
    let mut r = start(&m, &fake).await;
    assert!(
        r.wait_for(Duration::from_secs(120), |s| s.services[0].stopped.len()
            >= 4)
            .await
    );
    r.shutdown().await;
    let starts: Vec<Duration> = fake
        .timed_events()
        .into_iter()
        .filter(|(_, e)| matches!(e, FakeEvent::Started { .. }))
        .map(|(t, _)| t)
        .collect();
    let gaps: Vec<Duration> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.len() >= 3, "{gaps:?}");
    assert!(
        gaps[1] > gaps[0] && gaps[2] > gaps[1],
        "backoff grows: {gaps:?}"
    );
}

/// A sibling task that has been up for a long time must not reset the
/// backoff of a replacement that keeps failing.
#[tokio::test(start_paused = true)]
async fn backoff_grows_beside_a_long_lived_sibling() {
    let fake = FakeDriver::new();
    // The first start lives; every later one exits after 100 ms.
    fake.script(
        "app",
        vec![
            Script::long_running(),
            Script::exits(Duration::from_millis(100), 1),
        ],
    );
    let m = manifest(json!([container("app", true, &[])]), 2);
    let opts = UpOptions {
        backoff_base: Duration::from_secs(1),
        backoff_max: Duration::from_secs(60),
        backoff_reset: Duration::from_secs(5),
        ..UpOptions::default()
    };
    let mut r = Runner::start(&m, &opts, Arc::new(fake.clone()), "test")
        .await
        .expect("runner starts");
    assert!(
        r.wait_for(Duration::from_secs(300), |s| s.services[0].stopped.len()
            >= 5)
            .await
    );
    r.shutdown().await;
    let starts: Vec<Duration> = fake
        .timed_events()
        .into_iter()
        .filter(|(_, e)| matches!(e, FakeEvent::Started { task, .. } if task != "svc-1"))
        .map(|(t, _)| t)
        .collect();
    let gaps: Vec<u64> = starts
        .windows(2)
        .map(|w| (w[1] - w[0]).as_millis() as u64)
        .collect();
    // 100 ms of life, then 1 s, 2 s, 4 s, 8 s of backoff.
    assert!(gaps.len() >= 4, "{gaps:?}");
    for (gap, backoff) in gaps.iter().zip([1000, 2000, 4000, 8000]) {
        assert!(
            *gap >= backoff && *gap < backoff + 1000,
            "backoff doubles despite the long-lived svc-1: {gaps:?}"
        );
    }
}

/// An app that answers its check 1 s after start is HEALTHY within a
/// fraction of a second of that, not at the next 30 s interval; one that
/// never answers becomes UNHEALTHY only after `retries` intervals, as on ECS.
#[tokio::test(start_paused = true)]
async fn first_success_is_found_fast_but_failures_keep_their_pace() {
    let fake = FakeDriver::new();
    fake.script("app", vec![Script::healthy(Duration::from_secs(1))]);
    fake.script("sick", vec![Script::long_running()]);
    let mut app = container("app", true, &[]);
    app["healthCheck"] = json!({"command": {"CMD-SHELL": "check"}, "intervalMs": 30000, "timeoutMs": 500, "retries": 3});
    let mut sick = container("sick", false, &[]);
    sick["healthCheck"] = json!({"command": {"CMD-SHELL": "check"}, "intervalMs": 10000, "timeoutMs": 500, "retries": 3});
    let m = manifest(json!([app, sick]), 1);
    let t0 = tokio::time::Instant::now();
    let mut r = start(&m, &fake).await;
    let health_of = |s: &Snapshot, name: &str| {
        s.services[0].tasks.first().and_then(|t| {
            t.containers
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.health)
        })
    };
    assert!(
        r.wait_for(Duration::from_secs(60), |s| health_of(s, "app")
            == Some(wharf::runner::Health::Healthy))
            .await
    );
    let healthy_at = t0.elapsed();
    assert!(
        healthy_at >= Duration::from_secs(1) && healthy_at < Duration::from_millis(1500),
        "healthy {healthy_at:?} after start"
    );
    assert!(
        r.wait_for(Duration::from_secs(120), |s| health_of(s, "sick")
            == Some(wharf::runner::Health::Unhealthy))
            .await
    );
    let unhealthy_at = t0.elapsed();
    assert!(
        unhealthy_at >= Duration::from_secs(30) && unhealthy_at < Duration::from_secs(32),
        "three counted failures 10 s apart: {unhealthy_at:?}"
    );
    r.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn shutdown_stops_every_task() {
    let fake = FakeDriver::new();
    let m = manifest(
        json!([
            container("db", false, &[]),
            container("app", true, &[("db", "START")])
        ]),
        2,
    );
    let mut r = start(&m, &fake).await;
    assert!(
        r.wait_for(Duration::from_secs(30), |s| s.all_steady())
            .await
    );
    r.shutdown().await;
    let snap = r.snapshot();
    assert!(snap.services[0].tasks.is_empty());
    assert!(snap.services[0]
        .stopped
        .iter()
        .all(|t| t.last_status == TaskStatus::Stopped));
    let ev = fake.events();
    assert_eq!(
        ev.iter()
            .filter(|e| matches!(e, FakeEvent::Exited { .. }))
            .count(),
        4
    );
}
