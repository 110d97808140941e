//! The `podman` driver with real containers: one pod per task, dependsOn and
//! essential exit, health checks through `podman exec`, and no pod left after
//! shutdown. The image is built locally with `podman import` of a busybox
//! rootfs. Skipped, with the reason printed, when podman cannot run here.

mod common;

use common::*;
use serde_json::json;
use std::process::Command;
use wharf::runner::{up_manifest, DriverKind, UpOptions};

const IMAGE: &str = "localhost/wharf-busybox:test";

/// Builds the test image; `Err` says why podman is unusable.
fn podman_ready(dir: &std::path::Path) -> Result<(), String> {
    let conf = dir.join("containers.conf");
    wharf::runner::podman::probe(&conf)?;
    let busybox = ["/bin/busybox", "/usr/bin/busybox"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .ok_or("busybox-static is not installed")?;
    let root = dir.join("rootfs");
    std::fs::create_dir_all(root.join("bin")).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(root.join("tmp")).map_err(|e| e.to_string())?;
    std::fs::copy(busybox, root.join("bin/busybox")).map_err(|e| e.to_string())?;
    for cmd in [
        "sh", "sleep", "echo", "test", "true", "touch", "cat", "httpd", "wget",
    ] {
        let _ = std::os::unix::fs::symlink("busybox", root.join("bin").join(cmd));
    }
    let tar = dir.join("rootfs.tar");
    let ok = Command::new("tar")
        .arg("-C")
        .arg(&root)
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .status()
        .map_err(|e| e.to_string())?;
    if !ok.success() {
        return Err("tar failed".into());
    }
    let out = Command::new("podman")
        .env("CONTAINERS_CONF", &conf)
        .arg("import")
        .arg(&tar)
        .arg(IMAGE)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "podman import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

fn container(name: &str, essential: bool, script: &str) -> serde_json::Value {
    json!({"name": name, "image": IMAGE, "essential": essential, "stopTimeoutMs": 3000,
           "command": ["sh", "-c", script], "environment": {"PATH": "/bin"}})
}

#[test]
fn podman_driver_runs_pods_with_ecs_semantics() {
    let dir = scratch("podman");
    if let Err(why) = podman_ready(&dir) {
        eprintln!(
            "SKIPPED podman_driver_runs_pods_with_ecs_semantics: podman does not work here: {why}"
        );
        return;
    }
    // A pod of a run whose runner (pid 999999) died: the next run removes it.
    let conf = dir.join("containers.conf");
    let stale = Command::new("podman")
        .env("CONTAINERS_CONF", &conf)
        .args([
            "pod",
            "create",
            "--name",
            "wharf-999999-dead-pm-1",
            "--label",
            "wharf.run=wharf-999999-dead",
        ])
        .output()
        .unwrap();
    assert!(
        stale.status.success(),
        "{}",
        String::from_utf8_lossy(&stale.stderr)
    );
    let mut app = container(
        "app",
        true,
        "echo app-up; echo ok > /tmp/index.html; exec httpd -f -p $WHARF_HOST:$PORT -h /tmp",
    );
    app["portMappings"] = json!([{"containerPort": 8200}]);
    app["dependsOn"] = json!([{"containerName": "init", "condition": "SUCCESS"}]);
    // `localhost` in a health check means the task itself, as in awsvpc.
    app["healthCheck"] = json!({"command": {"CMD-SHELL": "wget -q -O /dev/null http://localhost:8200/"},
                                "intervalMs": 500, "timeoutMs": 10000, "retries": 3});
    let m = manifest(json!({
        "version": 1,
        "tasks": [{"family": "pm", "containers": [container("init", false, "echo migrating"), app]}],
        "services": [{"name": "pm", "task": "pm", "desiredCount": 1, "healthCheckGracePeriodMs": 60000,
            "loadBalancers": [{"loadBalancer": "edge", "listenerPort": 80, "containerName": "app", "containerPort": 8200,
                "healthCheck": {"path": "/", "intervalMs": 300, "timeoutMs": 2000, "healthyThreshold": 2, "unhealthyThreshold": 3}}]}],
        "loadBalancers": [{"name": "edge", "kind": "alb", "listeners": [{"port": 80, "protocol": "HTTP", "localPort": 0}]}]
    }));
    let opts = UpOptions {
        driver: DriverKind::Podman,
        base_dir: dir.clone(),
        ..UpOptions::default()
    };
    let opts = UpOptions {
        task_subnet: std::net::Ipv4Addr::new(127, 51, 0, 0),
        discovery_subnet: std::net::Ipv4Addr::new(127, 51, 1, 0),
        ..opts
    };
    let h = up_manifest(&m, &opts, &dir.join(".wharf")).unwrap_or_else(|e| panic!("{e}"));
    assert!(h.wait_for(WAIT, |s| s.all_steady()), "{:#?}", h.snapshot());
    let snap = h.snapshot();
    let t = &snap.services[0].tasks[0];
    assert_eq!(t.containers[0].exit_code, Some(0));
    assert_eq!(format!("{:?}", t.health), "Healthy");
    let (code, body) = get(snap.listener("edge", 80).unwrap(), "x", "/index.html").unwrap();
    assert_eq!(
        (code, body.trim()),
        (200, "ok"),
        "the ALB reaches the container"
    );
    h.shutdown();
    let conf = dir.join(".wharf/containers.conf");
    let pods = Command::new("podman")
        .env("CONTAINERS_CONF", &conf)
        .args(["pod", "ps", "-q"])
        .output()
        .unwrap();
    let left = String::from_utf8_lossy(&pods.stdout).to_string();
    let logs = std::fs::read_to_string(dir.join(".wharf/logs.jsonl")).unwrap();
    assert!(
        logs.contains("migrating") && logs.contains("app-up"),
        "container output reaches the logs"
    );
    let ours = Command::new("podman")
        .env("CONTAINERS_CONF", &conf)
        .args(["pod", "ps", "--format", "{{.Name}}"])
        .output()
        .unwrap();
    let names = String::from_utf8_lossy(&ours.stdout);
    assert!(
        !names.lines().any(|n| n.ends_with("-pm-1")),
        "pod removed at shutdown; left: {left}"
    );
}
