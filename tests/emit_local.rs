//! The local backend: every example becomes a manifest the runner accepts,
//! byte-identical on rebuild, snapshotted per example
//! (`snapshots/emit_local__local@<file>.snap`), with no secret value in it.

use std::path::Path;
use wharf::diag::SourceMap;
use wharf::driver::{self, Disk};
use wharf::emit::{local::emit_local, render_artifacts};
use wharf::manifest::{self, SecretSource};

fn manifest_text(path: &Path) -> String {
    let program = driver::compile(&Disk, path, &Default::default())
        .unwrap_or_else(|d| panic!("{} does not check:\n{d}", path.display()))
        .program;
    let artifacts = emit_local(&program).expect("the local backend accepts every checked program");
    assert_eq!(artifacts.len(), 1);
    assert_eq!(artifacts[0].path, "manifest.json");
    artifacts[0].contents.clone()
}

#[test]
fn examples_local() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.bind(|| {
        insta::glob!("../examples", "*.wharf", |path| {
            let text = manifest_text(path);
            assert_eq!(text, manifest_text(path), "byte-identical rebuild");
            // The file is written a task and a service at a time; `wharf up`
            // runs the manifest value: both are one manifest.
            let program = driver::compile(&Disk, path, &Default::default())
                .unwrap()
                .program;
            let value = wharf::emit::local::to_manifest(&program).unwrap();
            assert_eq!(
                text,
                value.to_json(),
                "{}: file and value differ",
                path.display()
            );
            let parsed = manifest::parse(&mut SourceMap::new(), "manifest.json", &text)
                .unwrap_or_else(|d| {
                    panic!("{}: the runner rejects the manifest: {d:?}", path.display())
                });
            for c in parsed.tasks.iter().flat_map(|t| &t.containers) {
                for s in &c.secrets {
                    assert_eq!(
                        s.value_from,
                        SecretSource::Env {
                            var: s.name.clone()
                        }
                    );
                }
            }
            insta::assert_snapshot!(
                "local",
                render_artifacts(&[wharf::emit::Artifact {
                    path: "manifest.json".into(),
                    contents: text,
                }])
            );
        });
    });
}

#[test]
fn discovery_names_and_ports_reach_the_manifest() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/discovery.wharf");
    let m = manifest::parse(&mut SourceMap::new(), "m.json", &manifest_text(&path)).unwrap();
    let orders = m.services.iter().find(|s| s.name == "orders").unwrap();
    let d = orders.discovery.as_ref().unwrap();
    assert_eq!(
        (d.name.as_str(), d.container_name.as_str(), d.port),
        ("orders.internal", "orders", 7000)
    );
    assert_eq!(orders.desired_count, 2);
    let task = m.task(&orders.task).unwrap();
    let hc = task.containers[0].health_check.as_ref().unwrap();
    assert_eq!(hc.interval_ms % 1000, 0, "seconds become milliseconds");
}
