//! `wharf graph` on the shipped examples, through the real binary: exact
//! Mermaid and DOT (snapshots), determinism, and DOT that Graphviz renders.

use std::process::{Command, Output};

fn wharf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("AWS_REGION")
        .env_remove("IMAGE_TAG")
        .env_remove("SUBNETS")
        .output()
        .expect("the wharf binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

fn graph(rel: &str, format: &str) -> String {
    let out = wharf(&["graph", rel, "--format", format, "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn graph_of_every_example() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("../examples", "*.wharf", |path| {
            let rel = format!("examples/{}", path.file_name().unwrap().to_string_lossy());
            insta::assert_snapshot!("graph_mermaid", graph(&rel, "mermaid"));
            insta::assert_snapshot!("graph_dot", graph(&rel, "dot"));
        });
    });
}

#[test]
fn mermaid_is_the_default_and_output_is_deterministic() {
    let a = wharf(&["graph", "examples/web-alb.wharf"]);
    let b = wharf(&["graph", "examples/web-alb.wharf"]);
    assert_eq!(a.stdout, b.stdout);
    assert!(text(&a.stdout).starts_with("flowchart LR\n"));
}

#[test]
fn load_balancer_path_reaches_the_containers() {
    let m = graph("examples/web-alb.wharf", "mermaid");
    for line in [
        "  lb0_l0 -->|\"redirect to 443\"| lb0_l1\n",
        "  lb0_l1 -->|\"priority 10: path /api/*\"| tg0_0\n",
        "  tg0_0 --> svc0\n",
        "  svc0 --> task0\n",
        "  task0 --> c0_0\n",
        "  svc1 -.->|\"calls\"| svc0\n",
    ] {
        assert!(m.contains(line), "missing {line:?} in\n{m}");
    }
    let p = graph("examples/patterns.wharf", "mermaid");
    assert!(
        p.contains("  c0_4 -->|\"dependsOn HEALTHY\"| c0_2\n"),
        "{p}"
    );
    let d = graph("examples/discovery.wharf", "mermaid");
    assert!(d.contains("dns0([\"orders.internal\"])"), "{d}");
    assert!(d.contains("  svc1 -.->|\"calls port 7000\"| svc0\n"), "{d}");
}

#[test]
fn dot_renders_with_graphviz() {
    let available = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        println!("SKIPPED: Graphviz `dot` is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("wharf-graph-dot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".wharf"))
        .collect();
    names.sort();
    for name in names {
        let src = graph(&format!("examples/{name}"), "dot");
        let file = dir.join(format!("{name}.dot"));
        std::fs::write(&file, &src).unwrap();
        let out = Command::new("dot")
            .arg("-Tsvg")
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("<svg"), "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README's picture is what `wharf graph` draws for web-alb today.
#[test]
fn readme_picture_is_current() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let want = format!(
        "```mermaid\n{}```\n",
        graph("examples/web-alb.wharf", "mermaid")
    );
    assert!(
        readme.contains(&want),
        "README.md's mermaid block differs from `wharf graph examples/web-alb.wharf`"
    );
}
