//! Every example, compiled and emitted per backend, snapshotted with insta
//! (`snapshots/examples__<backend>@<file>.snap`). A backend that cannot
//! express a program snapshots its diagnostics instead, so a refusal is as
//! visible in review as an output change. Also checks byte-identical rebuilds.

use std::path::Path;
use wharf::diag::render;
use wharf::driver::{self, Compiled, Disk};
use wharf::emit::{self, render_artifacts};

fn compile(path: &Path) -> (wharf::diag::SourceMap, wharf::ir::Program) {
    // Relative to the repository (tests run there), so that file names in
    // snapshots do not depend on where the clone lives.
    let path = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path);
    match driver::compile(&Disk, path, &Default::default()) {
        Ok(Compiled {
            sources, program, ..
        }) => (sources, program),
        Err(d) => panic!("{} does not check:\n{d}", path.display()),
    }
}

fn snapshot_ecs(path: &Path) -> String {
    let (sources, program) = compile(path);
    match emit::ecs::emit_ecs(&program) {
        Ok(artifacts) => render_artifacts(&artifacts),
        Err(diags) => format!("----- REFUSED\n{}", render::human(&sources, &diags, false)),
    }
}

#[test]
fn examples_ecs() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.bind(|| {
        insta::glob!("../examples", "*.wharf", |path| {
            insta::assert_snapshot!("ecs", snapshot_ecs(path));
        });
    });
}

#[test]
fn rebuilds_are_byte_identical() {
    let mut entries: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wharf"))
        .collect();
    entries.sort();
    assert!(
        entries.len() >= 12,
        "expected at least 12 examples, found {}",
        entries.len()
    );
    for path in entries {
        assert_eq!(
            snapshot_ecs(&path),
            snapshot_ecs(&path),
            "{} differs between runs",
            path.display()
        );
    }
}

#[allow(dead_code)]
#[path = "../benches/workload.rs"]
mod bench;

/// The benchmark measures a program every backend accepts.
#[test]
fn benchmark_program_compiles_for_every_backend() {
    let fs = driver::Memory::with("bench.wharf", bench::program(3));
    let built = driver::build(
        &fs,
        Path::new("bench.wharf"),
        &Default::default(),
        emit::Target::Ecs,
        emit::TemplateFormat::Json,
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let (program, ecs) = (built.program, built.artifacts);
    assert_eq!(
        ecs.len(),
        1 + 3 * 5,
        "a cluster, then per service a task definition, CreateService and UpdateService \
         inputs, and its FireLens log group with its retention"
    );
    let format = emit::cloudformation::Format::Json;
    assert!(emit::cloudformation::emit_cloudformation(&program, format).is_ok());
}
