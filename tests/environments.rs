//! `--env NAME` applies an environment's overrides, checked like the rest.

use std::path::Path;
use wharf::driver::{self, Disk, Options};

/// Compiles `path` with the overrides of the environment `env`.
fn compile(
    path: &Path,
    env: Option<&str>,
) -> Result<wharf::driver::Compiled, wharf::diag::Diagnostics> {
    let options = Options {
        environment: env.map(str::to_string),
        ..Options::default()
    };
    driver::compile(&Disk, path, &options)
}

fn build(env: Option<&str>) -> wharf::ir::Program {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/web-alb.wharf");
    match compile(&path, env) {
        Ok(compiled) => compiled.program,
        Err(d) => panic!("{d}"),
    }
}

#[test]
fn environments_override_inputs_tasks_and_services() {
    let base = build(None);
    let prod = build(Some("prod"));
    let dev = build(Some("dev"));
    let count = |p: &wharf::ir::Program, s: &str| p.service(s).desired_count;
    // Under `--env`, service names carry the environment (see below).
    assert_eq!(
        (
            count(&base, "api"),
            count(&prod, "api-prod"),
            count(&dev, "api-dev")
        ),
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
        p.service("api-prod")
            .autoscale
            .as_ref()
            .map(|a| (a.min, a.max, a.targets.len()))
    };
    assert_eq!(scale(&prod), Some((6, 24, 2)));
    // What the environment does not mention stays as declared.
    assert_eq!(
        prod.service("api-prod").exposures,
        base.service("api").exposures
    );
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
    let failed = match compile(&path, Some("prod")) {
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

/// Every name AWS keeps unique per account and region in one deployment of
/// the CloudFormation target: the stack, and the physical names of its
/// clusters, services and log groups.
fn physical_names(program: &wharf::ir::Program) -> Vec<String> {
    use wharf::emit::cloudformation::{emit_cloudformation, Format};
    let mut names = vec![format!("stack {}", program.name)];
    for a in emit_cloudformation(program, Format::Json).expect("CloudFormation emits") {
        let t: serde_json::Value = serde_json::from_str(&a.contents).unwrap();
        for r in t["Resources"].as_object().unwrap().values() {
            for key in ["ClusterName", "ServiceName", "LogGroupName"] {
                if let Some(n) = r["Properties"][key].as_str() {
                    names.push(format!("{key} {n}"));
                }
            }
        }
    }
    names.sort();
    names
}

/// `--env dev` and `--env prod` of one program deploy side by side: no
/// stack, cluster, service or log group name in common, and each name is
/// the base name with the environment's. The ECS target names the same.
#[test]
fn two_environments_have_disjoint_physical_names() {
    let dev = physical_names(&build(Some("dev")));
    let prod = physical_names(&build(Some("prod")));
    let base = physical_names(&build(None));
    assert!(dev.len() >= 6, "{dev:?}");
    let common: Vec<&String> = dev.iter().filter(|n| prod.contains(n)).collect();
    assert!(common.is_empty(), "shared between dev and prod: {common:?}");
    let with = |names: &[String], env: &str| {
        names
            .iter()
            .map(|n| n.replace(&format!("-{env}"), ""))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        with(&dev, "dev"),
        base,
        "dev names are the base names with -dev"
    );
    assert_eq!(with(&prod, "prod"), base);
    assert!(
        dev.contains(&"stack storefront-web-dev".to_string()),
        "{dev:?}"
    );

    // The ECS target writes the same cluster and service names.
    let ecs = wharf::emit::ecs::emit_ecs(&build(Some("dev")));
    if let Ok(artifacts) = ecs {
        for a in artifacts.iter().filter(|a| a.path.starts_with("services/")) {
            let v: serde_json::Value = serde_json::from_str(&a.contents).unwrap();
            assert!(v["serviceName"].as_str().unwrap().ends_with("-dev"));
            assert!(v["cluster"].as_str().unwrap().ends_with("-dev"));
        }
    }
}

/// An environment pins its own stack name, and a log group it names itself.
#[test]
fn an_environment_pins_names_it_gives() {
    let dir = std::env::temp_dir().join(format!("wharf-env-pin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("app.wharf");
    std::fs::write(
        &path,
        r#"stack "shop"
region "us-east-1"
cluster main { capacity FARGATE weight 1 }
task web {
  cpu 0.25vcpu
  memory 512MiB
  container app { image "nginx:1.27"; logs awslogs group "/shop/web" }
}
service web in main { task web; subnets ["subnet-0a1b2c3d"]; security_groups ["sg-0123456789abcdef0"] }
environment prod {
  stack "shop-production"
  task web { container app { logs awslogs group "/shop/web-live" } }
}
environment dev { }
"#,
    )
    .unwrap();
    let build = |env: &str| match compile(&path, Some(env)) {
        Ok(compiled) => compiled.program,
        Err(d) => panic!("{d}"),
    };
    let (prod, dev) = (build("prod"), build("dev"));
    assert_eq!(prod.name, "shop-production");
    assert_eq!(dev.name, "shop-dev");
    let groups = |p: &wharf::ir::Program| {
        p.log_groups
            .iter()
            .map(|g| g.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(groups(&prod), ["/shop/web-live"]);
    assert_eq!(groups(&dev), ["/shop/web-dev"]);
    assert_eq!(dev.clusters[0].name, "main-dev");
    assert_eq!(dev.services[0].cluster, "main-dev");
    std::fs::remove_dir_all(&dir).unwrap();
}
