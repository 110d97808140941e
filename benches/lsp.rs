//! `cargo bench --bench lsp`: how long after an edit `wharf lsp` publishes
//! fresh diagnostics for one document of 1,000 services (the workload of
//! `benches/workload.rs`). The release binary is driven over stdio as an
//! editor drives it; each edit is an incremental change of one service's
//! `count` (alternately valid and invalid, so the diagnostics change), and
//! the time is from sending `didChange` to receiving `publishDiagnostics`.
//! The target is 200 ms.

#[path = "../tests/lsp_client/mod.rs"]
mod lsp_client;

use serde_json::json;
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "workload.rs"]
mod workload;
use workload::program;

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
