//! `cargo bench --bench lsp`: how long after an edit `wharf lsp` publishes
//! fresh diagnostics for one document of 1,000 services (the workload of
//! `benches/compile.rs`). The release binary is driven over stdio as an
//! editor drives it; each edit is an incremental change of one service's
//! `count` (alternately valid and invalid, so the diagnostics change), and
//! the time is from sending `didChange` to receiving `publishDiagnostics`.
//! The target is 200 ms.

#[path = "../tests/lsp_client/mod.rs"]
mod lsp_client;

use serde_json::json;
use std::time::{Duration, Instant};

/// The benchmark program with `n` services.
fn program(n: usize) -> String {
    let mut s = String::with_capacity(n * 900 + 1024);
    s.push_str(
        "region \"us-east-1\"\n\
         account \"123456789012\"\n\
         input VPC: vpc_id = \"vpc-0123456789abcdef0\"\n\
         input PUBLIC: subnets = \"subnet-0aaa1111bbbb2222c,subnet-0ddd3333eeee4444f\"\n\
         input PRIVATE: subnets = \"subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788\"\n\
         input IMAGE_TAG: string = \"v1\"\n\
         network main { vpc VPC; public_subnets PUBLIC; private_subnets PRIVATE }\n\
         cluster bench { capacity FARGATE weight 1; network main }\n\
         alb shared { public; listener 80 http }\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            r#"
task svc{i} {{
  cpu 0.25vcpu
  memory 512MiB
  task_role "arn:aws:iam::123456789012:role/svc{i}-task"
  container app {{
    image "123456789012.dkr.ecr.us-east-1.amazonaws.com/svc{i}:${{IMAGE_TAG}}"
    port 8080
    env SERVICE_NAME = "svc{i}"
    secret DB_PASSWORD = secretsmanager("arn:aws:secretsmanager:us-east-1:123456789012:secret:svc{i}-db", key: "password")
    health "curl -f http://localhost:8080/health || exit 1" every 15s timeout 5s retries 3
    logs firelens {{ Name = "cloudwatch_logs"; region = "us-east-1"; log_group_name = "/svc/svc{i}"; auto_create_group = "false" }}
  }}
  log_router log-router {{ memory_reservation 50MiB }}
}}
service svc{i} in bench {{
  task svc{i}
  count 2
  expose app:8080 via shared {{ path "/svc{i}/*"; health "/health"; target_group "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/svc{i}/0123456789abcdef" }}
  deploy rolling circuit_breaker rollback
}}
"#
        ));
    }
    s
}

fn main() {
    let services: usize = std::env::var("WHARF_LSP_BENCH_SERVICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let text = program(services);
    let dir = lsp_client::tempdir("bench");
    let path = dir.join("bench.wharf");
    std::fs::write(&path, &text).unwrap();
    let uri = lsp_client::uri(&path);
    let mut c = lsp_client::Client::start();
    let t0 = Instant::now();
    c.open(&uri, &text);
    let first = c.diagnostics(&uri);
    let open = t0.elapsed();
    assert!(
        first.is_empty(),
        "the benchmark program checks clean: {first:?}"
    );
    // `count 2` of the middle service, edited in place.
    let target = format!(
        "service svc{} in bench {{\n  task svc{}\n  count ",
        services / 2,
        services / 2
    );
    let at = text.find(&target).unwrap() + target.len();
    let line = text[..at].matches('\n').count() as u32;
    let col = (at - text[..at].rfind('\n').unwrap() - 1) as u32;
    let mut times: Vec<Duration> = Vec::new();
    let cpu_before = cpu_ticks(c.pid());
    for i in 0..30 {
        // Valid (3) and invalid (`3x`: E0302 unknown unit) in turn.
        let (old_len, new) = match i % 2 {
            0 => (1, "3x"),
            _ => (2, "2"),
        };
        let change = json!({
            "textDocument": {"uri": uri, "version": i + 2},
            "contentChanges": [{
                "range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + old_len}},
                "text": new
            }]
        });
        let t = Instant::now();
        c.notify("textDocument/didChange", change);
        let d = c.diagnostics(&uri);
        times.push(t.elapsed());
        assert_eq!(d.len(), if i % 2 == 0 { 1 } else { 0 }, "{d:?}");
    }
    let cpu = cpu_ticks(c.pid()).zip(cpu_before).map(|(a, b)| {
        // Clock ticks (USER_HZ, 100 on Linux) per edit, in ms.
        (a - b) as f64 * 10.0 / times.len() as f64
    });
    c.shutdown();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "wharf lsp, {services} services ({} KiB): open -> diagnostics {:.1} ms; edit -> fresh diagnostics over {} edits: median {:.1} ms, p90 {:.1} ms, max {:.1} ms (target 200 ms)",
        text.len() / 1024,
        ms(open),
        times.len(),
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[times.len() - 1]),
    );
    if let Some(cpu) = cpu {
        println!("server CPU time per edit (user + system, from /proc): {cpu:.1} ms");
    }
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!(
            "load average while measuring: {}",
            load.split(' ').take(3).collect::<Vec<_>>().join(" ")
        );
    }
}

/// utime + stime of a process, in clock ticks (Linux only).
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the `(comm)`: state is field 3; utime and stime are 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}
