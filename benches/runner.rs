//! Runner benchmark (harness = false): time from `up` to every service healthy
//! for 10 services x 2 tasks with the process driver, and the local load
//! balancer's throughput and added p99 latency against calling the backends
//! directly, measured in one run. The backend is this binary itself, started
//! by the runner with `WHARF_BENCH_BACKEND=1`: a keep-alive HTTP/1.1 server
//! answering `ok`, optionally after `WORK_US` microseconds of waiting.
//!
//! Then, side by side on the same backends, nginx as a reverse proxy
//! (keep-alive upstreams, `worker_processes auto`) when `nginx` is installed,
//! with this benchmark's client and with `wrk` when installed. And the time
//! to healthy with ECS's default 30 s target health interval, where the
//! runner's fast first probes matter.
//!
//! The LB and nginx are measured interleaved, the order alternating, in
//! `WHARF_BENCH_ROUNDS` rounds (default 5) with each client; medians are
//! reported, with failed requests and the CPU time each proxy's own
//! threads or processes spent per request (the measure a busy machine
//! disturbs least).
//!
//! Run: `cargo bench --bench runner` (`apt-get install nginx-light wrk` for
//! the comparison).

use serde_json::json;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wharf::runner::{up_manifest, UpOptions};

const SERVICES: usize = 10;
const TASKS: u32 = 2;
const CLIENTS: usize = 8;
const ROUND: Duration = Duration::from_secs(4);

fn main() {
    if std::env::var_os("WHARF_BENCH_BACKEND").is_some() {
        backend();
        return;
    }
    if std::env::args().any(|a| a == "--list") {
        println!("runner: bench");
        return;
    }
    let exe = std::env::current_exe().expect("own path");
    let dir = std::env::temp_dir().join(format!("wharf-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench dir");

    println!("| measurement | value |");
    println!("| --- | --- |");
    {
        let m = manifest_with_interval(&exe, 0, 30_000);
        let opts = UpOptions {
            base_dir: dir.clone(),
            task_subnet: std::net::Ipv4Addr::new(127, 77, 0, 0),
            discovery_subnet: std::net::Ipv4Addr::new(127, 77, 1, 0),
            ..UpOptions::default()
        };
        let started = Instant::now();
        let h = up_manifest(&m, &opts, &dir.join(".wharf")).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            h.wait_for(Duration::from_secs(120), |s| s.all_steady()),
            "services did not become healthy"
        );
        println!(
            "| up -> all healthy, {SERVICES} services x {TASKS} tasks, target health every 30 s | {:.2} s |",
            started.elapsed().as_secs_f64()
        );
        h.shutdown();
    }
    for work_us in [0u64, 1000] {
        let m = manifest(&exe, work_us);
        let opts = UpOptions {
            base_dir: dir.clone(),
            task_subnet: std::net::Ipv4Addr::new(127, 77, 0, 0),
            discovery_subnet: std::net::Ipv4Addr::new(127, 77, 1, 0),
            ..UpOptions::default()
        };
        let started = Instant::now();
        let h = up_manifest(&m, &opts, &dir.join(".wharf")).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            h.wait_for(Duration::from_secs(120), |s| s.all_steady()),
            "services did not become healthy"
        );
        let startup = started.elapsed();
        let snap = h.snapshot();
        let lb = snap.listener("edge", 80).expect("listener");
        let backends: Vec<SocketAddr> = snap.services[0]
            .tasks
            .iter()
            .map(|t| format!("{}:8000", t.address).parse().unwrap())
            .collect();
        // Warm both paths, then measure the LB and direct.
        run_load(&[lb], "/s0/x", Duration::from_millis(500));
        run_load(&backends, "/s0/x", Duration::from_millis(500));
        let direct = run_load(&backends, "/s0/x", ROUND);
        let label = if work_us == 0 {
            "null backend"
        } else {
            "backend waiting 1 ms per request"
        };
        if work_us == 0 {
            println!(
                "| up -> all healthy, {SERVICES} services x {TASKS} tasks | {:.2} s |",
                startup.as_secs_f64()
            );
        }
        println!(
            "| {label}: direct | {:.0} req/s, p50 {:.3} ms, p99 {:.3} ms |",
            direct.rps, direct.p50, direct.p99
        );
        let Some(nginx) = Nginx::start(&dir, &backends) else {
            let via_lb = run_load(&[lb], "/s0/x", ROUND);
            println!(
                "| {label}: through the LB (nginx not installed) | {:.0} req/s, p50 {:.3} ms, p99 {:.3} ms, {} failed |",
                via_lb.rps, via_lb.p50, via_lb.p99, via_lb.failed
            );
            h.shutdown();
            continue;
        };
        run_load(&[nginx.addr], "/s0/x", Duration::from_millis(500));
        // Interleaved rounds, the order alternating, so that a change in the
        // machine's load hits both alike; medians of each.
        let rounds: usize = std::env::var("WHARF_BENCH_ROUNDS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(5)
            .max(1);
        let (mut ours, mut wrks) = ([Vec::new(), Vec::new()], [Vec::new(), Vec::new()]);
        let mut failed = [0u64, 0u64];
        // CPU microseconds per request of the proxy's own processes/threads:
        // what a request costs whatever else the machine runs.
        let mut cpu: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
        let nginx_pid = nginx.child.id();
        let ticks = |which: usize| {
            if which == 0 {
                lb_ticks()
            } else {
                nginx_ticks(nginx_pid)
            }
        };
        for round in 0..rounds {
            let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for which in order {
                let addr = [lb, nginx.addr][which];
                let before = ticks(which);
                let load = run_load(&[addr], "/s0/x", ROUND);
                cpu[which].push(cpu_us_per_request(
                    ticks(which) - before,
                    load.rps * ROUND.as_secs_f64(),
                ));
                failed[which] += load.failed;
                ours[which].push(load);
            }
            for which in order {
                let addr = [lb, nginx.addr][which];
                let before = ticks(which);
                if let Some(w) = wrk(addr) {
                    cpu[which].push(cpu_us_per_request(ticks(which) - before, w.rps * 4.0));
                    failed[which] += w.failed;
                    wrks[which].push(w);
                }
            }
        }
        drop(nginx);
        h.shutdown();
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let names = ["the LB", "nginx"];
        for which in 0..2 {
            println!(
                "| {label}: through {}, our client, median of {rounds} | {:.0} req/s, p50 {:.3} ms, p99 {:.3} ms |",
                names[which],
                median(ours[which].iter().map(|l| l.rps).collect()),
                median(ours[which].iter().map(|l| l.p50).collect()),
                median(ours[which].iter().map(|l| l.p99).collect()),
            );
        }
        let lb_ours = median(ours[0].iter().map(|l| l.rps).collect());
        let ng_ours = median(ours[1].iter().map(|l| l.rps).collect());
        println!(
            "| {label}: LB / direct throughput (our client) | {:.1} % |",
            100.0 * lb_ours / direct.rps
        );
        println!(
            "| {label}: LB / nginx throughput, our client | {:.1} % (rounds: {}) |",
            100.0 * lb_ours / ng_ours,
            ours[0]
                .iter()
                .zip(&ours[1])
                .map(|(l, n)| format!("{:.0}/{:.0}", l.rps, n.rps))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !wrks[0].is_empty() && wrks[0].len() == wrks[1].len() {
            let lb_wrk = median(wrks[0].iter().map(|w| w.rps).collect());
            let ng_wrk = median(wrks[1].iter().map(|w| w.rps).collect());
            println!(
                "| {label}, wrk -t2 -c{CLIENTS} -d4s, median of {rounds}: LB vs nginx | {lb_wrk:.0} vs {ng_wrk:.0} req/s ({:.1} %), p99 {:.2} vs {:.2} ms (rounds: {}) |",
                100.0 * lb_wrk / ng_wrk,
                median(wrks[0].iter().map(|w| w.p99).collect()),
                median(wrks[1].iter().map(|w| w.p99).collect()),
                wrks[0]
                    .iter()
                    .zip(&wrks[1])
                    .map(|(l, n)| format!("{:.0}/{:.0}", l.rps, n.rps))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let (lb_cpu, ng_cpu) = (median(cpu[0].clone()), median(cpu[1].clone()));
        println!(
            "| {label}: CPU per request, LB vs nginx (median of both clients' rounds) | {lb_cpu:.1} vs {ng_cpu:.1} us ({:.1} %) |",
            100.0 * lb_cpu / ng_cpu
        );
        println!(
            "| {label}: failed requests, LB / nginx (both clients, all rounds) | {} / {} |",
            failed[0], failed[1]
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn manifest(exe: &std::path::Path, work_us: u64) -> wharf::manifest::Manifest {
    manifest_with_interval(exe, work_us, 250)
}

/// nginx as a reverse proxy to the same backends, in the foreground.
struct Nginx {
    child: std::process::Child,
    addr: SocketAddr,
}

impl Nginx {
    fn start(dir: &std::path::Path, backends: &[SocketAddr]) -> Option<Nginx> {
        let port = TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let prefix = dir.join("nginx");
        std::fs::create_dir_all(prefix.join("logs")).ok()?;
        let servers: String = backends
            .iter()
            .map(|b| format!("    server {b};\n"))
            .collect();
        let conf = format!(
            "worker_processes auto;\npid {p}/nginx.pid;\nerror_log {p}/logs/error.log;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  keepalive_requests 100000000;\n  client_body_temp_path {p}/body;\n  proxy_temp_path {p}/proxy;\n\
             upstream backends {{\n{servers}    keepalive 64;\n    keepalive_requests 100000000;\n  }}\n\
             server {{\n    listen 127.0.0.1:{port};\n    location / {{\n      proxy_pass http://backends;\n\
             proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n    }}\n  }}\n}}\n",
            p = prefix.display()
        );
        std::fs::write(prefix.join("nginx.conf"), conf).ok()?;
        let child = std::process::Command::new("nginx")
            .arg("-p")
            .arg(&prefix)
            .arg("-c")
            .arg(prefix.join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .stderr(std::process::Stdio::null())
            .spawn()
            .ok()?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().ok()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(addr).is_err() {
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Nginx { child, addr })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGQUIT: nginx's graceful stop; its workers follow the master.
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGQUIT,
        );
        let _ = self.child.wait();
    }
}

/// CPU time (user + system, in clock ticks) of the load balancer's worker
/// threads in this process (`wharf-lb-*`).
fn lb_ticks() -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        if stat.contains("(wharf-lb-") {
            total += ticks_of(&stat);
        }
    }
    total
}

/// CPU time (clock ticks) of nginx's master `pid` and its workers.
fn nginx_ticks(pid: u32) -> u64 {
    let mut total = 0;
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        let Some(rest) = stat.rsplit(')').next() else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let this: Option<u32> = e.file_name().to_str().and_then(|n| n.parse().ok());
        if this == Some(pid) || fields.get(1).and_then(|p| p.parse().ok()) == Some(pid) {
            total += ticks_of(&stat);
        }
    }
    total
}

/// utime + stime of a `/proc/.../stat` line.
fn ticks_of(stat: &str) -> u64 {
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let get = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    get(11) + get(12)
}

/// Microseconds of CPU per request from clock ticks over a round.
fn cpu_us_per_request(ticks: u64, requests: f64) -> f64 {
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    ticks as f64 / hz * 1e6 / requests.max(1.0)
}

/// One `wrk` run.
struct Wrk {
    rps: f64,
    /// Milliseconds.
    p99: f64,
    /// Socket errors and non-2xx/3xx responses.
    failed: u64,
}

/// `wrk -t2 -c<CLIENTS> -d4s --latency`.
fn wrk(addr: SocketAddr) -> Option<Wrk> {
    let out = std::process::Command::new("wrk")
        .args(["-t2", &format!("-c{CLIENTS}"), "-d4s", "--latency"])
        .arg(format!("http://{addr}/s0/x"))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |prefix: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .map(str::trim)
    };
    let rps = field("Requests/sec:")?.parse().ok()?;
    let p99 = field("99%").map_or(f64::NAN, |v| {
        let (n, unit) = v.split_at(v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len()));
        let n: f64 = n.parse().unwrap_or(f64::NAN);
        match unit {
            "us" => n / 1000.0,
            "s" => n * 1000.0,
            _ => n,
        }
    });
    let mut failed = field("Non-2xx or 3xx responses:")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if let Some(errors) = field("Socket errors:") {
        failed += errors
            .split(',')
            .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
            .sum::<u64>();
    }
    Some(Wrk { rps, p99, failed })
}

fn manifest_with_interval(
    exe: &std::path::Path,
    work_us: u64,
    interval_ms: u64,
) -> wharf::manifest::Manifest {
    let task = json!({"family": "backend", "containers": [{
        "name": "app", "image": "bench", "portMappings": [{"containerPort": 8000}], "stopTimeoutMs": 2000,
        "local": {"command": [exe.display().to_string()], "environment": {"WHARF_BENCH_BACKEND": "1", "WORK_US": work_us.to_string()}}
    }]});
    let services: Vec<_> = (0..SERVICES)
        .map(|i| {
            json!({"name": format!("s{i}"), "task": "backend", "desiredCount": TASKS, "healthCheckGracePeriodMs": 60000,
               "loadBalancers": [{"loadBalancer": "edge", "listenerPort": 80, "containerName": "app", "containerPort": 8000,
                  "rules": [{"priority": i + 1, "pathPatterns": [format!("/s{i}/*")]}],
                  "healthCheck": {"path": "/health", "intervalMs": interval_ms, "timeoutMs": 1000, "healthyThreshold": 2, "unhealthyThreshold": 3},
                  "deregistrationDelayMs": 1000}]})
        })
        .collect();
    let v = json!({"version": 1, "tasks": [task], "services": services,
        "loadBalancers": [{"name": "edge", "kind": "alb", "listeners": [{"port": 80, "protocol": "HTTP", "localPort": 0}]}]});
    serde_json::from_value(v).expect("bench manifest")
}

struct Load {
    rps: f64,
    p50: f64,
    p99: f64,
    /// Responses other than 200.
    failed: u64,
}

/// `CLIENTS` keep-alive connections spread over `targets`, for `length`.
fn run_load(targets: &[SocketAddr], path: &str, length: Duration) -> Load {
    let stop = Arc::new(AtomicBool::new(false));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (addr, stop, path) = (targets[i % targets.len()], stop.clone(), path.to_string());
            std::thread::spawn(move || client(addr, &path, &stop))
        })
        .collect();
    std::thread::sleep(length);
    stop.store(true, Ordering::SeqCst);
    let mut lat = Vec::new();
    let mut failed = 0;
    for t in threads {
        let (l, f) = t.join().expect("client");
        lat.extend(l);
        failed += f;
    }
    lat.sort();
    let q =
        |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)].as_secs_f64() * 1000.0;
    Load {
        rps: lat.len() as f64 / length.as_secs_f64(),
        p50: q(0.50),
        p99: q(0.99),
        failed,
    }
}

/// One keep-alive connection sending requests until `stop`: the latency of
/// each 200 response, and how many responses were not 200.
fn client(addr: SocketAddr, path: &str, stop: &AtomicBool) -> (Vec<Duration>, u64) {
    let mut out = Vec::new();
    let mut failed = 0;
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_nodelay(true).ok();
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    let request = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n");
    let mut line = String::new();
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        writer.write_all(request.as_bytes()).expect("write");
        let mut length = 0usize;
        line.clear();
        reader.read_line(&mut line).expect("read");
        let ok = line.starts_with("HTTP/1.1 200");
        loop {
            line.clear();
            reader.read_line(&mut line).expect("read");
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).expect("body");
        if ok {
            out.push(t.elapsed());
        } else {
            failed += 1;
        }
    }
    (out, failed)
}

/// The benchmark's backend: thread per connection, HTTP/1.1 keep-alive.
fn backend() {
    let host = std::env::var("WHARF_HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let port = std::env::var("PORT").unwrap_or_else(|_| "8000".into());
    let work = Duration::from_micros(
        std::env::var("WORK_US")
            .ok()
            .and_then(|w| w.parse().ok())
            .unwrap_or(0),
    );
    let listener = TcpListener::bind(format!("{host}:{port}")).expect("backend bind");
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || {
            stream.set_nodelay(true).ok();
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut writer = stream;
            let mut line = String::new();
            loop {
                let mut close = false;
                loop {
                    line.clear();
                    match reader.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line.to_ascii_lowercase().starts_with("connection: close") {
                        close = true;
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                if !work.is_zero() {
                    std::thread::sleep(work);
                }
                if writer
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .is_err()
                    || close
                {
                    return;
                }
            }
        });
    }
}
