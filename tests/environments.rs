//! `--env NAME` applies an environment's overrides, checked like the rest.

use std::path::Path;
use wharf::cli::load::compile;

fn build(env: Option<&str>) -> wharf::ir::Program {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/web-alb.wharf");
    match compile(&path, &Default::default(), env) {
        Ok((_, p)) => p,
        Err(f) => panic!(
            "{}",
            wharf::diag::render::human(&f.sources, &f.diags, false)
        ),
    }
}

#[test]
fn environments_override_inputs_tasks_and_services() {
    let base = build(None);
    let prod = build(Some("prod"));
    let dev = build(Some("dev"));
    let count = |p: &wharf::ir::Program, s: &str| p.service(s).desired_count;
    assert_eq!(
        (count(&base, "api"), count(&prod, "api"), count(&dev, "api")),
        (Some(3), Some(6), Some(1))
    );
    let size = |p: &wharf::ir::Program| (p.task("api").cpu, p.task("api").memory);
    assert_eq!(size(&base), (Some(512), Some(1024)));
    assert_eq!(size(&prod), (Some(1024), Some(2048)));
    let tag = |p: &wharf::ir::Program| {
        p.inputs
            .iter()
            .find(|i| i.name == "IMAGE_TAG")
            .unwrap()
            .value
            .clone()
    };
    assert_eq!(
        (tag(&base), tag(&prod)),
        ("v42".to_string(), "v42-release".to_string())
    );
    let scale = |p: &wharf::ir::Program| {
        p.service("api")
            .autoscale
            .as_ref()
            .map(|a| (a.min, a.max, a.targets.len()))
    };
    assert_eq!(scale(&prod), Some((6, 24, 2)));
    // What the environment does not mention stays as declared.
    assert_eq!(prod.service("api").exposures, base.service("api").exposures);
}

#[test]
fn an_override_is_checked_like_any_statement() {
    let dir = std::env::temp_dir().join(format!("wharf-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app.wharf");
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/web-alb.wharf"),
    )
    .unwrap()
    .replace(
        "task api { cpu 1vcpu; memory 2GiB }",
        "task api { cpu 1vcpu; memory 16GiB }",
    );
    std::fs::write(&path, src).unwrap();
    let failed = match compile(&path, &Default::default(), Some("prod")) {
        Ok(_) => panic!("an invalid Fargate size compiled"),
        Err(f) => f,
    };
    let text = wharf::diag::render::human(&failed.sources, &failed.diags, false);
    assert!(
        text.contains(
            "[E0401] Error: Fargate has no task size of 1vcpu (1024 units) with 16GiB memory"
        ),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
