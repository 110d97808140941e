//! The stdlib parses, and every template in it expands and checks without a
//! single diagnostic when used the way its comment says.

use wharf::driver::{self, Memory, Options};

/// Compiles `src` (the stdlib is loaded with every program); the program,
/// or every diagnostic as people read it.
fn compile(src: &str) -> Result<wharf::ir::Program, String> {
    let fs = Memory::with("uses-stdlib.wharf", src);
    driver::compile(&fs, "uses-stdlib.wharf".as_ref(), &Options::default())
        .map(|c| c.program)
        .map_err(|d| d.human())
}

const EVERY_TEMPLATE: &str = r#"
region "us-east-1"
account "123456789012"
input SUBNETS: subnets = "subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788"
network main { vpc "vpc-0123456789abcdef0"; private_subnets SUBNETS; public_subnets SUBNETS }
cluster prod { capacity FARGATE weight 1; capacity FARGATE_SPOT; network main }
alb edge { public; listener 80 http }

use std.web_service(name: api, cluster: prod, lb: edge, image: "public.ecr.aws/acme/api:1", path: "/api/*", port: 3000)
use std.queue_worker(name: thumbs, cluster: prod, image: "public.ecr.aws/acme/thumbs:3", scale: 1..4)

task sizes-s { use std.fargate_small(); container app { image "a:1" } }
task sizes-m { use std.fargate_medium(); container app { image "a:1" } }
task sizes-l { use std.fargate_large(); container app { image "a:1" } }
task sizes-xl { use std.fargate_xlarge(); container app { image "a:1" } }

task mesh {
  use std.fargate_medium()
  init migrate = std.migration(image: "public.ecr.aws/acme/app:1", command: ["npm", "run", "migrate"])
  log_router router = std.firelens()
  container app {
    image "public.ecr.aws/acme/app:1"
    port 3000
    health "curl -f http://localhost:3000/health || exit 1"
    logs firelens { Name = "cloudwatch_logs"; region = "us-east-1"; log_group_name = "/mesh/app" }
  }
  ambassador proxy for app = std.envoy(port: 8080) { memory_reservation 256MiB }
}
"#;

#[test]
fn stdlib_typechecks() {
    let p = compile(EVERY_TEMPLATE).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = p.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["api", "thumbs"]);
    let api = p.task("api");
    assert_eq!((api.cpu, api.memory), (Some(512), Some(1024)));
    assert_eq!(p.service("api").exposures[0].paths, ["/api/*"]);
    assert_eq!(
        p.service("thumbs")
            .autoscale
            .as_ref()
            .map(|a| (a.min, a.max)),
        Some((1, 4))
    );
    let mesh = p.task("mesh");
    let proxy = mesh.container("proxy");
    assert_eq!(
        proxy.memory_reservation,
        Some(256),
        "the block overrides the template"
    );
    assert_eq!(proxy.ports[0].container_port, 8080);
    let deps: Vec<(&str, &str)> = mesh
        .container("app")
        .depends_on
        .iter()
        .map(|d| (d.container.as_str(), d.condition.as_str()))
        .collect();
    assert_eq!(deps, [("migrate", "SUCCESS"), ("router", "START")]);
    assert!(mesh.container("router").firelens.is_some());
}

#[test]
fn optional_parameter_leaves_its_statements_out() {
    let p = compile(EVERY_TEMPLATE).unwrap();
    assert_eq!(p.service("api").exposures[0].target_group_arn, None);
    let with_tg = EVERY_TEMPLATE.replace(
        "port: 3000)",
        "port: 3000, target_group: \"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/0123456789abcdef\")",
    );
    let p = compile(&with_tg).unwrap();
    assert!(p.service("api").exposures[0].target_group_arn.is_some());
}

#[test]
fn a_wrong_argument_type_points_at_the_use() {
    let err = compile(&EVERY_TEMPLATE.replace("port: 3000)", "port: 99999)")).unwrap_err();
    assert!(
        err.contains("[E0303] Error: a port of 99999 is out of range"),
        "{err}"
    );
    assert!(
        err.contains("uses-stdlib.wharf:9:"),
        "the span is the argument at the use:\n{err}"
    );
}
