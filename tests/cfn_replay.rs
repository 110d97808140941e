//! A split program's stacks are written from a replay of the items that
//! emitted their resources (`emit::cloudformation`'s `replay`): each replay
//! must give exactly what the first emission gave. Held over every example,
//! fixture and stdlib file that compiles, and over a fleet past a
//! template's limits with queues, callers and a shared load balancer.

mod common;

use std::path::Path;
use wharf::driver::{self, Disk, Memory, Options};
use wharf::emit::cloudformation::replay_matches_emission;

/// `examples/web-alb.wharf`'s network, cluster and load balancer with `n`
/// services behind it, each called by the one before, every third
/// consuming a queue it creates; and two clusters whose created capacities
/// share a name (so their AMI parameters are `GravitonAmiId` and
/// `GravitonAmiId2`, which a replay must name alike).
fn fleet(n: usize) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(root.join("examples/web-alb.wharf")).unwrap();
    let mut src = example[..example.find("task api").unwrap()].to_string();
    for i in 0..n {
        let queue = if i % 3 == 0 {
            format!("queue q{i} {{ env JOBS_URL }}")
        } else {
            String::new()
        };
        let callers = if i > 0 {
            format!("callers [w{}]", i - 1)
        } else {
            String::new()
        };
        src.push_str(&format!(
            "task w{i} {{ cpu 0.25vcpu; memory 512MiB; container app {{ image \"public.ecr.aws/acme/w:1\"; port 8080; logs awslogs }} }}\n\
             service w{i} in web {{ task w{i}; expose app:8080 via edge {{ path \"/w{i}/*\"; health \"/health\" }}; {callers}; {queue} }}\n"
        ));
    }
    for (cluster, instance) in [("shop", "m7g.large"), ("shop2", "m7i.large")] {
        src.push_str(&format!(
            "cluster {cluster} {{ network main; capacity graviton weight 1 {{ instance_type \"{instance}\"; instances 1..6 }} }}\n"
        ));
    }
    src
}

#[test]
fn every_program_replays_as_it_was_emitted() {
    let mut checked = 0;
    for f in common::wharf_files() {
        let Ok(c) = driver::compile(&Disk, &f, &Options::default()) else {
            continue;
        };
        if let Err(e) = replay_matches_emission(&c.program) {
            panic!("{}: {e}", f.display());
        }
        checked += 1;
    }
    assert!(checked > 40, "only {checked} programs compiled");
}

#[test]
fn a_fleet_past_the_limits_replays_as_it_was_emitted() {
    let fs = Memory::with("fleet.wharf", fleet(70));
    let program = match driver::compile(&fs, Path::new("fleet.wharf"), &Options::default()) {
        Ok(c) => c.program,
        Err(_) => panic!("the fleet compiles"),
    };
    let compared = replay_matches_emission(&program).unwrap();
    assert!(compared > 500, "{compared} entries: past 500 resources");
    let artifacts = wharf::emit::cloudformation::emit_cloudformation(
        &program,
        wharf::emit::cloudformation::Format::Json,
    )
    .unwrap();
    assert!(
        artifacts.iter().any(|a| a.path == "deploy-order.txt"),
        "the fleet is split"
    );
}
