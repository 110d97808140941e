//! `cargo bench --bench compile`: check + emit time (ECS API JSON and
//! CloudFormation), source throughput and peak heap for generated programs
//! of 1, 100, 1,000 and 10,000 services.
//!
//! Per service (the workload Pkl and CDK are compared on): a Fargate task
//! with an `app` container (port, env, health check, a secret, FireLens
//! logging) and a FireLens `log-router` that `app` waits for (START), and a
//! Fargate service (desired 2, circuit breaker, private subnets) behind a
//! path rule on one shared ALB. Peak memory comes from a counting allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use std::path::Path;
use wharf::driver::{self, Memory, Options};
use wharf::emit::{Target, TemplateFormat};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

#[path = "workload.rs"]
mod workload;
use workload::program;

/// Services per source file written for the whole-process comparison.
const PART: usize = 10_000;

struct Measure {
    check: Duration,
    emit: Duration,
    cfn: Duration,
    /// Peak heap of parse + check + ECS emit.
    peak: usize,
    /// Peak heap of the CloudFormation emit (the program still held).
    cfn_peak: usize,
    files: usize,
    stacks: usize,
}

fn run_once(src: &str) -> Measure {
    // The program is compiled as the command line compiles it, through the
    // driver, from a file system in memory (held outside the measure).
    let fs = Memory::with("bench.wharf", src);
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let t0 = Instant::now();
    let program = driver::compile(&fs, Path::new("bench.wharf"), &Options::default())
        .unwrap_or_else(|d| panic!("benchmark program checks:\n{d}"))
        .program;
    let t1 = Instant::now();
    let artifacts = Target::Ecs
        .emit(&program, TemplateFormat::Json)
        .expect("benchmark program emits");
    let t2 = Instant::now();
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    // A CloudFormation build does not hold ECS output: measure it alone.
    let files = artifacts.len();
    drop(artifacts);
    let cfn_base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(cfn_base, Ordering::Relaxed);
    let stacks = Target::Cloudformation
        .emit(&program, TemplateFormat::Json)
        .expect("benchmark program emits CloudFormation");
    let t3 = Instant::now();
    let cfn_peak = PEAK.load(Ordering::Relaxed).saturating_sub(cfn_base);
    Measure {
        check: t1 - t0,
        emit: t2 - t1,
        cfn: t3 - t2,
        peak,
        cfn_peak,
        files,
        stacks: stacks.iter().filter(|a| a.path.ends_with(".json")).count(),
    }
}

fn main() {
    // `WHARF_BENCH_WRITE=DIR`: write the workload's sources for the
    // whole-process comparison (bench/whole-process.sh) and stop.
    if let Ok(dir) = std::env::var("WHARF_BENCH_WRITE") {
        let sizes =
            std::env::var("WHARF_BENCH_SIZES").unwrap_or_else(|_| "1,100,1000,10000".into());
        for n in sizes
            .split(',')
            .filter_map(|x| x.trim().parse::<usize>().ok())
        {
            let dir = std::path::Path::new(&dir);
            // A source file may hold 16 MiB (E0106): past 10,000 services
            // the program is a main file importing parts of 10,000.
            let main = if n <= PART {
                program(n)
            } else {
                let mut main = workload::header();
                for (k, from) in (0..n).step_by(PART).enumerate() {
                    let part = format!("services-{n}-part{}.wharf", k + 1);
                    let services = workload::services(from..(from + PART).min(n));
                    std::fs::write(dir.join(&part), services).expect("write");
                    main.push_str(&format!("import \"{part}\"\n"));
                }
                main
            };
            std::fs::write(dir.join(format!("services-{n}.wharf")), main).expect("write");
            std::fs::write(
                dir.join(format!("services-{n}.pkl")),
                workload::pkl_services(n),
            )
            .expect("write");
        }
        return;
    }
    let sizes: Vec<usize> = match std::env::var("WHARF_BENCH_SIZES") {
        Ok(v) => v.split(',').filter_map(|x| x.trim().parse().ok()).collect(),
        Err(_) => vec![1, 100, 1_000, 10_000],
    };
    println!(
        "| services | source | parse + check | emit ECS | check + ECS | throughput | \
         peak heap | emit CloudFormation | its peak heap | ECS files | stacks |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for n in sizes {
        let src = program(n);
        let runs = if n >= 10_000 { 3 } else { 5 };
        // Best of several runs: the least disturbed by the rest of the machine.
        let best = (0..runs)
            .map(|_| run_once(&src))
            .min_by_key(|m| m.check + m.emit)
            .expect("at least one run");
        let total = best.check + best.emit;
        let mb = src.len() as f64 / 1e6;
        println!(
            "| {n} | {:.2} MB | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} MB/s | {:.1} MB | {:.1} ms | {:.1} MB | {} | {} |",
            mb,
            best.check.as_secs_f64() * 1e3,
            best.emit.as_secs_f64() * 1e3,
            total.as_secs_f64() * 1e3,
            mb / total.as_secs_f64(),
            best.peak as f64 / 1e6,
            best.cfn.as_secs_f64() * 1e3,
            best.cfn_peak as f64 / 1e6,
            best.files,
            best.stacks
        );
    }
}
