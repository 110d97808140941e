//! Port ranges (`port 8000..8010`, ECS's `containerPortRange`): the rules of
//! the ECS API reference (PortMapping) with their exact codes, what each
//! target writes, and `wharf import` carrying a range back.

#[path = "support/probe.rs"]
mod probe;

use probe::{codes, compile};
use serde_json::{json, Value};
use wharf::emit::cloudformation::{emit_cloudformation, Format};
use wharf::emit::ecs::emit_ecs;
use wharf::import::import_task_definition;

/// An awsvpc Fargate task; `{app}` and `{side}` are statements of its two
/// containers.
const AWSVPC: &str = "task t {\n  cpu 0.25vcpu\n  memory 512MiB\n  container app {\n    image \"nginx:1.27\"\n    {app}\n  }\n  container side {\n    image \"envoy:1\"\n    essential off\n    {side}\n  }\n}\n";

/// An EC2 task in network mode `{mode}`.
const EC2: &str = "task t {\n  network {mode}\n  compat ec2\n  container app {\n    image \"nginx:1.27\"\n    memory 256MiB\n    {app}\n  }\n  container side {\n    image \"envoy:1\"\n    memory 128MiB\n    essential off\n    {side}\n  }\n}\n";

fn source(template: &str, mode: &str, app: &str, side: &str) -> String {
    template
        .replace("{mode}", mode)
        .replace("{app}", app)
        .replace("{side}", side)
}

#[test]
fn port_range_rules() {
    let many: String = (0..101)
        .map(|i| format!("port {}..{}\n", 10000 + i * 2, 10001 + i * 2))
        .collect();
    let cases: Vec<(String, &[&str], &str)> = vec![
        (
            source(AWSVPC, "", "port 8000..8010", ""),
            &[],
            "a range in awsvpc mode",
        ),
        (
            source(EC2, "bridge", "port 8000..8010 udp", "port 8000..8010 udp"),
            &[],
            "bridge: each container has its own ports",
        ),
        (
            source(AWSVPC, "", "port 8000..8010 host 8000", ""),
            &["E0424"],
            "no host port on a range",
        ),
        (
            source(AWSVPC, "", "port 8010..8000", ""),
            &["E0424"],
            "the first port below the last",
        ),
        (
            source(AWSVPC, "", "port 8000..8000", ""),
            &["E0424"],
            "a range of one port",
        ),
        (
            source(EC2, "host", "port 8000..8010", ""),
            &["E0424"],
            "bridge or awsvpc mode only",
        ),
        (
            source(AWSVPC, "", "port 8000..8010\nport 8005", ""),
            &["E0424"],
            "a port in a range and in a single mapping",
        ),
        (
            source(AWSVPC, "", "port 8000..8010 udp\nport 8010..8020", ""),
            &["E0424"],
            "one port in two mappings of a container, whatever the protocols",
        ),
        (
            source(AWSVPC, "", "port 8000..8009\nport 8010..8019", ""),
            &[],
            "ranges that meet without overlapping",
        ),
        (
            source(AWSVPC, "", "port 8000..8010", "port 8005"),
            &["E0424"],
            "awsvpc: two containers share one network namespace",
        ),
        (
            source(AWSVPC, "", "port 8000..8010", "port 8005 udp"),
            &[],
            "awsvpc: the same number for another protocol",
        ),
        (
            source(AWSVPC, "", &many, ""),
            &["E0424"],
            "at most 100 ranges per container",
        ),
        (
            source(AWSVPC, "", "port 0..10", ""),
            &["E0303"],
            "ports 1 to 65535",
        ),
    ];
    for (src, want, rule) in &cases {
        assert_eq!(codes(src), *want, "{rule}:\n{src}");
    }
}

#[test]
fn a_load_balancer_targets_one_port_not_a_range() {
    let src = "region \"us-east-1\"\nnetwork main { vpc \"vpc-0123456789abcdef0\"; public_subnets [\"subnet-0aaa1111bbbb2222c\", \"subnet-0ddd3333eeee4444f\"] }\ncluster c { network main }\nalb web { public; listener 80 http }\ntask t {\n  cpu 0.25vcpu\n  memory 512MiB\n  container app { image \"nginx\"; port 8000..8010 }\n}\nservice s in c {\n  task t\n  expose app:8005 via web\n}\n";
    // An exposed port inside a range is not a mapped port.
    assert_eq!(codes(src), ["E0421"]);
    let single = src.replace("port 8000..8010", "port 8005");
    assert_eq!(codes(&single), Vec::<String>::new());
}

fn task_definition_json(src: &str) -> Value {
    let program = compile(src).unwrap_or_else(|c| panic!("{c:?}\n{src}"));
    let files = emit_ecs(&program).unwrap();
    let td = files
        .iter()
        .find(|a| a.path.starts_with("taskdefs/"))
        .expect("a task definition");
    serde_json::from_str(&td.contents).unwrap()
}

#[test]
fn both_targets_write_container_port_range_and_no_host_port() {
    let src = source(AWSVPC, "", "port 80\nport 8000..8010 udp", "");
    let td = task_definition_json(&src);
    assert_eq!(
        td["containerDefinitions"][0]["portMappings"],
        json!([
            {"containerPort": 80, "hostPort": 80, "protocol": "tcp"},
            {"containerPortRange": "8000-8010", "protocol": "udp"}
        ])
    );
    let program = compile(&src).unwrap();
    let stack = emit_cloudformation(&program, Format::Json).unwrap();
    let template: Value = serde_json::from_str(&stack[0].contents).unwrap();
    let (_, resource) = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::ECS::TaskDefinition")
        .unwrap();
    assert_eq!(
        resource["Properties"]["ContainerDefinitions"][0]["PortMappings"],
        json!([
            {"ContainerPort": 80, "HostPort": 80, "Protocol": "tcp"},
            {"ContainerPortRange": "8000-8010", "Protocol": "udp"}
        ])
    );
}

#[test]
fn import_carries_a_range_back() {
    let original = json!({
        "family": "media",
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": "256",
        "memory": "512",
        "containerDefinitions": [{
            "name": "rtp",
            "image": "public.ecr.aws/acme/rtp:1",
            "essential": true,
            "portMappings": [
                {"containerPort": 8080, "protocol": "tcp"},
                {"containerPortRange": "10000-10100", "protocol": "udp"}
            ]
        }]
    });
    let imported = import_task_definition(&original, "media.json").unwrap();
    assert!(imported.dropped.is_empty(), "{:?}", imported.dropped);
    assert!(
        imported.source.contains("port 10000..10100 udp\n"),
        "{}",
        imported.source
    );
    let td = task_definition_json(&imported.source);
    assert_eq!(
        td["containerDefinitions"][0]["portMappings"][1],
        json!({"containerPortRange": "10000-10100", "protocol": "udp"})
    );
    // Both members, or a text that is not a range, are reported, not guessed.
    for bad in [
        json!({"containerPort": 10000, "containerPortRange": "10000-10100"}),
        json!({"containerPortRange": "10000"}),
    ] {
        let mut doc = original.clone();
        doc["containerDefinitions"][0]["portMappings"] = json!([bad]);
        let imported = import_task_definition(&doc, "media.json").unwrap();
        assert_eq!(imported.dropped.len(), 1, "{:?}", imported.dropped);
    }
}
