//! Local load balancers and service discovery with real backends: listener
//! rules, healthy-only round robin, zero failed requests during a task
//! replacement, NLB pass-through and discovery addresses.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use wharf::runner::RunnerHandle;

fn echo(dir: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/http_echo.py");
    json!({
        "name": "web", "image": "python:3", "stopTimeoutMs": 5000,
        "portMappings": [{"containerPort": 8000}],
        "local": {"command": ["python3", script.display().to_string()], "environment": {"SICK_DIR": dir.display().to_string()}}
    })
}

fn exposure(lb: &str, rules: Value) -> Value {
    json!({
        "loadBalancer": lb, "listenerPort": 80, "containerName": "web", "containerPort": 8000, "rules": rules,
        "healthCheck": {"path": "/health", "intervalMs": 250, "timeoutMs": 1000, "healthyThreshold": 2, "unhealthyThreshold": 2},
        "deregistrationDelayMs": 3000
    })
}

fn service(name: &str, desired: u32, lbs: Value) -> Value {
    // The grace period covers python's start-up on a loaded machine.
    json!({"name": name, "task": "echo", "desiredCount": desired, "loadBalancers": lbs, "healthCheckGracePeriodMs": 30_000})
}

fn program(dir: &Path, services: Value, kind: &str) -> Value {
    json!({
        "version": 1,
        "tasks": [{"family": "echo", "containers": [echo(dir)]}],
        "services": services,
        "loadBalancers": [{"name": "edge", "kind": kind, "listeners": [{"port": 80, "protocol": if kind == "alb" { "HTTP" } else { "TCP" }, "localPort": 0}]}]
    })
}

fn listener(h: &RunnerHandle) -> SocketAddr {
    h.snapshot().listener("edge", 80).expect("listener bound")
}

fn tasks_behind(h: &RunnerHandle, n: usize) -> Vec<String> {
    let addr = listener(h);
    let mut seen = BTreeSet::new();
    for _ in 0..(n * 4) {
        let (code, body) = get(addr, "x", "/id").unwrap();
        assert_eq!(code, 200);
        seen.insert(body.split(' ').next().unwrap().to_string());
    }
    seen.into_iter().collect()
}

#[test]
fn listener_rules_route_by_priority_path_and_host() {
    let dir = scratch("rules");
    let services = json!([
        service(
            "api",
            1,
            json!([exposure(
                "edge",
                json!([{"priority": 10, "pathPatterns": ["/api/*"]}])
            )])
        ),
        service(
            "admin",
            1,
            json!([exposure(
                "edge",
                json!([{"priority": 5, "hostHeaders": ["admin.*"]}])
            )])
        ),
        service("site", 1, json!([exposure("edge", json!([]))])),
    ]);
    let h = up(&manifest(program(&dir, services, "alb")), 41, &dir);
    assert!(h.wait_for(WAIT, |s| s.all_steady()));
    let addr = listener(&h);
    let who = |host: &str, path: &str| {
        get(addr, host, path)
            .unwrap()
            .1
            .split('-')
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(who("shop.example.com", "/api/orders"), "api");
    assert_eq!(who("shop.example.com", "/index.html"), "site");
    assert_eq!(
        who("admin.example.com", "/api/orders"),
        "admin",
        "priority 5 is evaluated before 10"
    );
    let (_, body) = get(addr, "shop.example.com", "/api/x").unwrap();
    assert!(
        body.ends_with("/api/x shop.example.com"),
        "path and Host are forwarded: {body}"
    );
    h.shutdown();
}

#[test]
fn round_robin_over_healthy_targets_only_and_elb_failures_replace_tasks() {
    let dir = scratch("healthy-only");
    let mut svc = service("svc", 2, json!([exposure("edge", json!([]))]));
    svc["healthCheckGracePeriodMs"] = json!(8_000);
    let h = up(&manifest(program(&dir, json!([svc]), "alb")), 42, &dir);
    assert!(h.wait_for(WAIT, |s| s.all_steady()));
    assert_eq!(
        tasks_behind(&h, 2),
        ["svc-1", "svc-2"],
        "both targets get requests"
    );
    std::fs::write(dir.join("sick-svc-1"), "").unwrap();
    // Once svc-1's target is unhealthy the service replaces it with svc-3.
    assert!(h.wait_for(WAIT, |s| s.services[0]
        .stopped
        .iter()
        .any(|t| t.id == "svc-1")));
    let reason = h.snapshot().services[0].stopped[0]
        .stopped_reason
        .clone()
        .unwrap();
    assert_eq!(reason, "Task failed ELB health checks");
    assert!(h.wait_for(WAIT, |s| s.all_steady()));
    assert_eq!(tasks_behind(&h, 2), ["svc-2", "svc-3"]);
    h.shutdown();
}

#[test]
fn no_request_fails_during_a_replacement() {
    let dir = scratch("zero-errors");
    let services = json!([service(
        "svc",
        2,
        json!([exposure(
            "edge",
            json!([{"priority": 1, "pathPatterns": ["/*"]}])
        )])
    )]);
    let h = up(&manifest(program(&dir, services, "alb")), 43, &dir);
    assert!(h.wait_for(WAIT, |s| s.all_steady()));
    let addr = listener(&h);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let client = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let (mut ok, mut failed) = (0u32, Vec::new());
            // Bounded: at most 20 000 requests even if the replacement hangs.
            for i in 0..20_000u32 {
                if stop.load(std::sync::atomic::Ordering::SeqCst) && i >= 300 {
                    break;
                }
                match get(addr, "x", "/id") {
                    Ok((200, _)) => ok += 1,
                    other => failed.push(format!("{other:?}")),
                }
            }
            (ok, failed)
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    assert!(h.stop_task("svc-1"));
    assert!(h.wait_for(WAIT, |s| s.all_steady()
        && s.services[0].tasks.iter().all(|t| t.id != "svc-1")));
    assert!(h.stop_task("svc-2"));
    assert!(h.wait_for(WAIT, |s| {
        s.all_steady()
            && s.services[0].tasks.iter().all(|t| t.id != "svc-2")
            && s.services[0].stopped.len() == 2
    }));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (ok, failed) = client.join().unwrap();
    assert!(
        failed.is_empty(),
        "{} of {} requests failed: {:?}",
        failed.len(),
        ok as usize + failed.len(),
        &failed[..failed.len().min(5)]
    );
    assert!(ok >= 300);
    h.shutdown();
}

#[test]
fn nlb_passes_tcp_through_to_healthy_targets() {
    let dir = scratch("nlb");
    let mut e = exposure("edge", json!([]));
    e["healthCheck"] = json!({"intervalMs": 250, "timeoutMs": 1000, "healthyThreshold": 2, "unhealthyThreshold": 2});
    let services = json!([service("svc", 2, json!([e]))]);
    let h = up(&manifest(program(&dir, services, "nlb")), 44, &dir);
    assert!(h.wait_for(WAIT, |s| s.all_steady()));
    assert_eq!(tasks_behind(&h, 2), ["svc-1", "svc-2"]);
    h.shutdown();
}

#[test]
fn service_discovery_names_reach_the_service() {
    let dir = scratch("discovery");
    let mut orders = service("orders", 2, json!([]));
    orders["discovery"] = json!({"name": "orders.internal", "containerName": "web", "port": 8000});
    let caller = json!({"family": "caller", "containers": [shell("app", true, "echo target=$WHARF_SERVICE_ORDERS_INTERNAL; cat $WHARF_HOSTS_FILE; exec sleep 1000")]});
    let m = json!({
        "version": 1,
        "tasks": [{"family": "echo", "containers": [echo(&dir)]}, caller],
        "services": [orders, {"name": "caller", "task": "caller", "desiredCount": 1}],
    });
    let h = up(&manifest(m), 45, &dir);
    assert!(h.wait_for(WAIT, |s| s.all_steady()));
    let addr: SocketAddr = "127.45.1.1:8000".parse().unwrap();
    let mut body = String::new();
    eventually("the discovery address to answer", || {
        match get(addr, "orders.internal", "/id") {
            Ok((200, b)) => {
                body = b;
                true
            }
            _ => false,
        }
    });
    assert!(body.starts_with("orders-"), "{body}");
    eventually("the caller to print its discovery variables", || {
        let logs = std::fs::read_to_string(dir.join(".wharf/logs.jsonl")).unwrap_or_default();
        logs.contains("target=127.45.1.1:8000") && logs.contains("127.45.1.1 orders.internal")
    });
    h.shutdown();
}

#[test]
fn shutdown_drains_for_at_most_a_few_seconds() {
    let dir = scratch("drain-cap");
    let mut e = exposure("edge", json!([]));
    e["healthCheck"] = json!({"intervalMs": 250, "timeoutMs": 1000, "healthyThreshold": 2, "unhealthyThreshold": 2});
    e["deregistrationDelayMs"] = json!(300_000);
    let services = json!([service("svc", 1, json!([e]))]);
    let h = up(&manifest(program(&dir, services, "nlb")), 46, &dir);
    assert!(h.wait_for(WAIT, |s| s.all_steady()));
    // An idle connection through the NLB keeps the target's connection count above zero.
    let idle = std::net::TcpStream::connect(listener(&h)).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let started = std::time::Instant::now();
    h.shutdown();
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
    drop(idle);
}

/// Reads one HTTP/1.1 response with a Content-Length body.
fn read_response(reader: &mut impl std::io::BufRead) -> (u16, String) {
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    (
        status.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0),
        String::from_utf8(body).unwrap(),
    )
}

#[test]
fn keep_alive_clients_are_balanced_per_request() {
    let dir = scratch("keep-alive");
    let services = json!([service("svc", 2, json!([exposure("edge", json!([]))]))]);
    let h = up(&manifest(program(&dir, services, "alb")), 47, &dir);
    assert!(h.wait_for(WAIT, |s| s.all_steady()));
    let stream = std::net::TcpStream::connect(listener(&h)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    let mut seen = BTreeSet::new();
    for i in 0..20 {
        use std::io::Write;
        write!(writer, "GET /req/{i} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let (code, body) = read_response(&mut reader);
        assert_eq!(code, 200);
        assert!(body.contains(&format!("/req/{i} ")), "{body}");
        seen.insert(body.split(' ').next().unwrap().to_string());
    }
    assert_eq!(
        seen.len(),
        2,
        "one client connection still reaches both targets: {seen:?}"
    );
    h.shutdown();
}

/// A target whose app starts listening a second after it starts, checked
/// every 15 s, is healthy a moment after it listens (not 15 s later); the
/// app keeps every connection open despite `Connection: close`, as some
/// servers do, and its probes still pass.
#[test]
fn targets_are_healthy_soon_after_listening_even_on_kept_open_connections() {
    let dir = scratch("lb-fast");
    let server = r#"
import socket, threading, time, os
time.sleep(1)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((os.environ["WHARF_HOST"], 8000)); s.listen(64)
open(os.environ["MARK"], "w").write(str(time.time()))
def serve(c):
    buf = b""
    while True:
        d = c.recv(4096)
        if not d: return
        buf += d
        while b"\r\n\r\n" in buf:
            _, buf = buf.split(b"\r\n\r\n", 1)
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"#;
    std::fs::write(dir.join("server.py"), server).unwrap();
    let mark = dir.join("listening");
    let m = manifest(json!({
        "version": 1,
        "tasks": [{"family": "echo", "containers": [{
            "name": "web", "image": "python:3", "stopTimeoutMs": 2000,
            "portMappings": [{"containerPort": 8000}],
            "local": {"command": ["python3", dir.join("server.py").display().to_string()],
                      "environment": {"MARK": mark.display().to_string()}}}]}],
        "services": [{"name": "web", "task": "echo", "desiredCount": 2, "healthCheckGracePeriodMs": 60_000,
            "loadBalancers": [{"loadBalancer": "edge", "listenerPort": 80, "containerName": "web", "containerPort": 8000,
                "healthCheck": {"path": "/health", "intervalMs": 15000, "timeoutMs": 5000, "healthyThreshold": 3, "unhealthyThreshold": 2}}]}],
        "loadBalancers": [{"name": "edge", "kind": "alb", "listeners": [{"port": 80, "protocol": "HTTP", "localPort": 0}]}]
    }));
    let h = up(&m, 47, &dir);
    assert!(h.wait_for(WAIT, |s| s.all_steady()));
    let steady = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let listening: f64 = std::fs::read_to_string(&mark).unwrap().parse().unwrap();
    // Probes come every 200 ms until the first pass; allow for a loaded machine.
    assert!(
        steady - listening < 5.0,
        "healthy {:.2} s after listening (interval 15 s)",
        steady - listening
    );
    let (code, body) = get(listener(&h), "x", "/").unwrap_or((0, String::new()));
    assert_eq!((code, body.as_str()), (200, "ok"));
    h.shutdown();
}

/// A WebSocket handshake through the ALB reaches a target and gets its
/// `101` (not a `200`), and the connection then carries bytes both ways.
#[test]
fn websocket_upgrades_pass_through_the_load_balancer() {
    use std::io::{Read, Write};
    let dir = scratch("lb-ws");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ws_echo.py");
    let m = manifest(json!({
        "version": 1,
        "tasks": [{"family": "ws", "containers": [{
            "name": "web", "image": "python:3", "stopTimeoutMs": 2000,
            "portMappings": [{"containerPort": 8000}],
            "local": {"command": ["python3", script.display().to_string()]}}]}],
        "services": [{"name": "ws", "task": "ws", "desiredCount": 2, "healthCheckGracePeriodMs": 60_000,
            "loadBalancers": [{"loadBalancer": "edge", "listenerPort": 80, "containerName": "web", "containerPort": 8000,
                "healthCheck": {"path": "/health", "intervalMs": 500, "timeoutMs": 2000, "healthyThreshold": 2, "unhealthyThreshold": 2}}]}],
        "loadBalancers": [{"name": "edge", "kind": "alb", "listeners": [{"port": 80, "protocol": "HTTP", "localPort": 0}]}]
    }));
    let h = up(&m, 48, &dir);
    assert!(h.wait_for(WAIT, |s| s.all_steady()));
    let mut conn = std::net::TcpStream::connect(listener(&h)).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    conn.write_all(
        b"GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
          Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(
            conn.read(&mut byte).unwrap(),
            1,
            "{}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(
        head.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo="),
        "{head}"
    );
    for msg in ["hello", "again"] {
        conn.write_all(msg.as_bytes()).unwrap();
        let mut buf = [0u8; 64];
        let n = conn.read(&mut buf).unwrap();
        let echoed = String::from_utf8_lossy(&buf[..n]).to_string();
        assert!(
            echoed.starts_with("ws-") && echoed.ends_with(&format!(":{msg}")),
            "{echoed}"
        );
    }
    drop(conn);
    h.shutdown();
}

/// Keep-alive clients hammer the ALB while one target is `kill -9`ed: no
/// request fails, because a GET whose target dies is retried on the other.
#[test]
fn no_request_fails_when_a_target_is_killed_mid_run() {
    let dir = scratch("lb-kill9");
    let services = json!([service("svc", 2, json!([exposure("edge", json!([]))]))]);
    let h = up(&manifest(program(&dir, services, "alb")), 49, &dir);
    assert!(h.wait_for(WAIT, |s| s.all_steady()));
    let addr = listener(&h);
    let victim = h.snapshot().services[0].tasks[0].containers[0]
        .pid
        .expect("a pid");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                use std::io::{BufRead, BufReader, Write};
                let (mut ok, mut failed) = (0u32, Vec::new());
                let mut conn = std::net::TcpStream::connect(addr).unwrap();
                conn.set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    if conn
                        .write_all(b"GET /id HTTP/1.1\r\nHost: x\r\n\r\n")
                        .is_err()
                    {
                        failed.push("write".to_string());
                        break;
                    }
                    let mut status = String::new();
                    let _ = reader.read_line(&mut status);
                    let mut len = 0usize;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                            break;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0u8; len];
                    let _ = std::io::Read::read_exact(&mut reader, &mut body);
                    if status.starts_with("HTTP/1.1 200") {
                        ok += 1;
                    } else {
                        failed.push(status.trim().to_string());
                        if status.is_empty() {
                            break;
                        }
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(victim as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (mut ok, mut failed) = (0, Vec::new());
    for c in clients {
        let (o, f) = c.join().unwrap();
        ok += o;
        failed.extend(f);
    }
    assert!(
        failed.is_empty(),
        "{} of {} requests failed: {:?}",
        failed.len(),
        ok as usize + failed.len(),
        &failed[..failed.len().min(5)]
    );
    assert!(ok >= 100, "{ok} requests");
    h.shutdown();
}

/// One response read from `reader` as raw parts: status, lower-cased head,
/// body. The body follows its framing: Content-Length, chunked (decoded,
/// trailers dropped), none for HEAD/204, or until the connection closes.
fn read_framed(reader: &mut impl std::io::BufRead, head_request: bool) -> (u16, String, Vec<u8>) {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "closed in a head: {head}"
        );
        head.push_str(&line.to_ascii_lowercase());
        if line == "\r\n" {
            break;
        }
    }
    let status: u16 = head.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let field = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .map(|v| v.trim().to_string())
    };
    let mut body = Vec::new();
    if head_request || status == 204 || status == 100 {
    } else if field("transfer-encoding").as_deref() == Some("chunked") {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).unwrap();
            let n = usize::from_str_radix(size.trim(), 16).unwrap();
            if n == 0 {
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap() > 0 && line != "\r\n" {
                    line.clear();
                }
                break;
            }
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).unwrap();
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(n) = field("content-length") {
        body = vec![0; n.parse().unwrap()];
        reader.read_exact(&mut body).unwrap();
    } else {
        reader.read_to_end(&mut body).unwrap();
    }
    (status, head, body)
}

/// The ALB forwards every framing a client or target may use, on one
/// kept-alive client connection where HTTP allows it: chunked responses
/// (with trailers), a large body, a body ended by closing, HEAD and 204
/// without bodies, request bodies by Content-Length (small and streamed
/// large) or chunked, `Expect: 100-continue`, and an HTTP/1.0 client (a
/// chunked response decoded for it). Malformed requests get 400 or 431.
#[test]
fn every_http_framing_passes_through_the_load_balancer() {
    use std::io::{BufReader, Write};
    let dir = scratch("lb-framing");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/http_edge.py");
    let m = manifest(json!({
        "version": 1,
        "tasks": [{"family": "edge", "containers": [{
            "name": "web", "image": "python:3", "stopTimeoutMs": 2000,
            "portMappings": [{"containerPort": 8000}],
            "local": {"command": ["python3", script.display().to_string()]}}]}],
        "services": [{"name": "edge", "task": "edge", "desiredCount": 2, "healthCheckGracePeriodMs": 60_000,
            "loadBalancers": [{"loadBalancer": "edge", "listenerPort": 80, "containerName": "web", "containerPort": 8000,
                "healthCheck": {"path": "/health", "intervalMs": 500, "timeoutMs": 2000, "healthyThreshold": 2, "unhealthyThreshold": 2}}]}],
        "loadBalancers": [{"name": "edge", "kind": "alb", "listeners": [{"port": 80, "protocol": "HTTP", "localPort": 0}]}]
    }));
    let h = up(&m, 52, &dir);
    assert!(h.wait_for(WAIT, |s| s.all_steady()));
    let addr = listener(&h);
    let open = || {
        let s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        (BufReader::new(s.try_clone().unwrap()), s)
    };
    let (mut r, mut w) = open();
    w.write_all(b"GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (status, head, body) = read_framed(&mut r, false);
    assert_eq!((status, body.as_slice()), (200, &b"abcdef"[..]), "{head}");
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    w.write_all(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (status, _, body) = read_framed(&mut r, false);
    assert_eq!((status, body.len()), (200, 3 * 1024 * 1024));
    assert!(body.iter().enumerate().all(|(i, b)| *b as usize == i % 251));
    w.write_all(b"HEAD /big HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (status, head, _) = read_framed(&mut r, true);
    assert_eq!(status, 200);
    assert!(
        head.contains(&format!("content-length: {}", 3 * 1024 * 1024)),
        "{head}"
    );
    w.write_all(b"GET /empty HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_framed(&mut r, false).0, 204);
    w.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        .unwrap();
    let (status, _, body) = read_framed(&mut r, false);
    assert_eq!(
        (status, String::from_utf8(body).unwrap()),
        (200, "3 294".to_string())
    );
    let large: Vec<u8> = (0..2 * 1024 * 1024 + 7).map(|i| (i % 7) as u8).collect();
    let sum: u64 = large.iter().map(|b| u64::from(*b)).sum();
    write!(
        w,
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        large.len()
    )
    .unwrap();
    w.write_all(&large).unwrap();
    let (status, _, body) = read_framed(&mut r, false);
    assert_eq!(
        (status, String::from_utf8(body).unwrap()),
        (200, format!("{} {sum}", large.len()))
    );
    w.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3;x=y\r\ncde\r\n0\r\n\r\n").unwrap();
    let (status, _, body) = read_framed(&mut r, false);
    assert_eq!(
        (status, String::from_utf8(body).unwrap()),
        (200, "5 495".to_string())
    );
    w.write_all(
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n",
    )
    .unwrap();
    assert_eq!(read_framed(&mut r, false).0, 100);
    w.write_all(b"hi").unwrap();
    let (status, _, body) = read_framed(&mut r, false);
    assert_eq!(
        (status, String::from_utf8(body).unwrap()),
        (200, "2 209".to_string())
    );
    w.write_all(b"GET /close HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let (status, head, body) = read_framed(&mut r, false);
    assert_eq!(
        (status, body.as_slice()),
        (200, &b"until the end"[..]),
        "{head}"
    );
    assert!(head.contains("connection: close"), "{head}");

    let (mut r, mut w) = open();
    w.write_all(b"GET /chunked HTTP/1.0\r\nHost: x\r\n\r\n")
        .unwrap();
    let (status, head, body) = read_framed(&mut r, false);
    assert_eq!((status, body.as_slice()), (200, &b"abcdef"[..]), "{head}");
    assert!(!head.contains("transfer-encoding"), "{head}");

    for (request, code) in [
        (
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 2\r\n\r\n".to_vec(),
            400,
        ),
        (b"BROKEN\r\n\r\n".to_vec(), 400),
        (
            [
                b"GET / HTTP/1.1\r\nX: ".to_vec(),
                vec![b'a'; 70_000],
                b"\r\n\r\n".to_vec(),
            ]
            .concat(),
            431,
        ),
    ] {
        let (mut r, mut w) = open();
        let _ = w.write_all(&request);
        let (status, head, _) = read_framed(&mut r, false);
        assert_eq!(status, code, "{head}");
    }
    h.shutdown();
}
