//! Service Connect end to end through the public stages: probes of each
//! rule against the ECS API reference (`ServiceConnectConfiguration`,
//! `ServiceConnectService`, `ServiceConnectClientAlias`,
//! `TimeoutConfiguration`), each on one side of the rule with the exact
//! codes `wharf check` gives, and what each target writes.

use std::path::Path;

#[path = "support/probe.rs"]
mod probe;

use probe::codes;
use serde_json::{json, Value};
use wharf::driver::{self, Memory};
use wharf::emit::{Target, TemplateFormat};

/// Two tasks with named ports (`api`: HTTP; `ledger`: TCP) and a client
/// task; `{}` is the services.
const SHOP: &str = r#"region "us-east-1"
input SUBNETS: subnets = "subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788"
cluster shop { capacity FARGATE weight 1 }
task orders {
  cpu 256
  memory 512MiB
  container app { image "orders:1"; port 7000 name "api" app_protocol http }
}
task billing {
  cpu 256
  memory 512MiB
  container app { image "billing:1"; port 7200 name "ledger"; port 7300 }
}
task web {
  cpu 256
  memory 512MiB
  container app { image "web:1"; port 8080 }
}
{}
"#;

fn source(services: &str) -> String {
    SHOP.replacen("{}", services, 1)
}

/// A service `name` of task `task` with `connect`.
fn svc(name: &str, task: &str, connect: &str) -> String {
    format!(
        "service {name} in shop {{\n  task {task}\n  subnets SUBNETS\n  connect {connect}\n}}\n"
    )
}

#[test]
fn service_connect_probes() {
    let long = |n: usize| "a".repeat(n);
    let cases: Vec<(String, &[&str], &str)> = vec![
        // ServiceConnectService.portName: a name of the task's port mappings.
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 80 }"#), &[], "a named port"),
        (svc("orders", "orders", r#""internal" { serve http as "orders" port 80 }"#), &["E0700"], "a name no port has"),
        (svc("web", "web", r#""internal" { serve web as "web" port 80 }"#), &["E0700"], "a task without named ports"),
        // ServiceConnectClientAlias.port: 1 to 65535 here.
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 65535 }"#), &[], "the highest port"),
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 0 }"#), &["E0303"], "port 0"),
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 65536 }"#), &["E0303"], "past 65535"),
        // discoveryName: up to 64 of a-z 0-9 _ -, not starting with -.
        (svc("orders", "orders", &format!(r#""internal" {{ serve api as "orders" port 80 discovery "{}" }}"#, long(64))), &[], "a 64-character discovery name"),
        (svc("orders", "orders", &format!(r#""internal" {{ serve api as "orders" port 80 discovery "{}" }}"#, long(65))), &["E0701"], "a 65-character discovery name"),
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 80 discovery "orders_v2-b" }"#), &[], "underscores and hyphens"),
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 80 discovery "orders.v2" }"#), &["E0701"], "a dot in a discovery name"),
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 80 discovery "-orders" }"#), &["E0701"], "a leading hyphen"),
        // dnsName: up to 127 of a-z 0-9 _ - ., not starting with -.
        (svc("orders", "orders", &format!(r#""internal" {{ serve api as "{}" port 80 }}"#, long(127))), &[], "a 127-character alias"),
        (svc("orders", "orders", &format!(r#""internal" {{ serve api as "{}" port 80 }}"#, long(128))), &["E0701"], "a 128-character alias"),
        (svc("orders", "orders", r#""internal" { serve api as "orders.shop.internal" port 80 }"#), &[], "a fully qualified alias"),
        (svc("orders", "orders", r#""internal" { serve api as "Orders" port 80 }"#), &["E0701"], "capitals"),
        (svc("orders", "orders", r#""internal" { serve api as "orders api" port 80 }"#), &["E0701"], "a space"),
        // Each alias name and port, and each discovery name, once per namespace.
        (svc("orders", "orders", r#""internal" { serve api as "shop" port 80 }"#) + &svc("billing", "billing", r#""internal" { serve ledger as "shop" port 80 }"#), &["E0702"], "one alias and port twice"),
        (svc("orders", "orders", r#""internal" { serve api as "shop" port 80 }"#) + &svc("billing", "billing", r#""internal" { serve ledger as "shop" port 81 }"#), &[], "one alias on two ports"),
        (svc("orders", "orders", r#""internal" { serve api as "shop" port 80 }"#) + &svc("billing", "billing", r#""edge" { serve ledger as "shop" port 80 }"#), &[], "one alias in two namespaces"),
        (svc("orders", "orders", r#""internal" { serve api as "a" port 80 }"#) + &svc("orders2", "orders", r#""internal" { serve api as "b" port 80 }"#), &["E0702"], "the default discovery name (the port name) twice"),
        (svc("orders", "orders", r#""internal" { serve api as "a" port 80 }"#) + &svc("orders2", "orders", r#""internal" { serve api as "b" port 80 discovery "api-2" }"#), &[], "distinct discovery names"),
        // A call names an alias of its namespace, on its port.
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 80 }"#) + &svc("web", "web", r#""internal" { uses "orders" }"#), &[], "a call without a port"),
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 80 }"#) + &svc("web", "web", r#""internal" { uses "orders" port 80 }"#), &[], "a call on the alias port"),
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 80 }"#) + &svc("web", "web", r#""internal" { uses "orders" port 7000 }"#), &["E0704"], "a call on the container port"),
        (svc("orders", "orders", r#""internal" { serve api as "shop" port 80 }"#) + &svc("billing", "billing", r#""internal" { serve ledger as "shop" port 81 }"#) + &svc("web", "web", r#""internal" { uses "shop" }"#), &["E0704"], "an alias on two ports, called without one"),
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 80 }"#) + &svc("web", "web", r#""internal" { uses "order" }"#), &["E0703"], "a misspelt alias"),
        (svc("web", "web", r#""internal" { uses "orders" }"#), &["E0703"], "nobody serves"),
        (svc("web", "web", &format!(r#""{ARN}" {{ uses "payments" port 443 }}"#)), &[], "an existing namespace may hold other stacks' aliases"),
        (svc("orders", "orders", &format!(r#""{ARN}" {{ serve api as "orders" port 80 }}"#)) + &svc("web", "web", &format!(r#""{ARN}" {{ uses "orders" port 81 }}"#)), &["E0704"], "but an alias the program serves there is checked"),
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 80 }"#) + &svc("web", "web", r#""edge" { uses "orders" }"#), &["E0705"], "served in another namespace"),
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 80; uses "orders" }"#), &[], "a service calling itself"),
        // TimeoutConfiguration: perRequestTimeout only when appProtocol isn't TCP.
        (svc("orders", "orders", r#""internal" { serve api as "orders" port 80 idle 0s request 30s }"#), &[], "both timeouts on HTTP"),
        (svc("billing", "billing", r#""internal" { serve ledger as "billing" port 80 idle 3600s }"#), &[], "idle only on TCP"),
        (svc("billing", "billing", r#""internal" { serve ledger as "billing" port 80 request 30s }"#), &["E0707"], "a per-request timeout on TCP"),
        // A namespace.
        (svc("web", "web", r#""internal""#), &[], "a client only, no block"),
        (svc("web", "web", r#""arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-0123456789abcdef""#), &[], "an existing namespace"),
        ("service web in shop {\n  task web\n  subnets SUBNETS\n  connect { uses \"orders\" }\n}\n".to_string(), &["E0706"], "no namespace"),
        (svc("web", "web", r#""arn:aws:ecs:us-east-1:123456789012:cluster/shop""#), &["E0706"], "an ARN that is not a namespace's"),
    ];
    for (services, want, rule) in cases {
        let src = source(&services);
        assert_eq!(codes(&src), want, "{rule}:\n{src}");
    }
}

fn build(services: &str, target: Target) -> Result<Vec<(String, Value)>, Vec<String>> {
    let src = source(services);
    let fs = Memory::with("shop.wharf", src);
    match driver::build(
        &fs,
        Path::new("shop.wharf"),
        &Default::default(),
        target,
        TemplateFormat::Json,
    ) {
        Ok(b) => Ok(b
            .artifacts
            .iter()
            .map(|a| {
                (
                    a.path.clone(),
                    serde_json::from_str(&a.contents).unwrap_or(Value::Null),
                )
            })
            .collect()),
        Err(d) => Err(d
            .diags
            .iter()
            .map(|d| d.code.as_str().to_string())
            .collect()),
    }
}

const ARN: &str = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-0123456789abcdef";

#[test]
fn cloudformation_creates_the_namespace_and_opens_the_server_to_its_callers() {
    let services = svc(
        "orders",
        "orders",
        r#""internal" { serve api as "orders" port 80 ingress 7001 idle 60s }"#,
    ) + &svc("web", "web", r#""internal" { uses "orders" }"#);
    let out = build(&services, Target::Cloudformation).expect("builds");
    let t = &out[0].1;
    let r = &t["Resources"];
    assert_eq!(
        r["InternalNamespace"],
        json!({"Type": "AWS::ServiceDiscovery::HttpNamespace", "Properties": {"Name": "internal", "Description": "Wharf Service Connect namespace `internal`"}})
    );
    assert_eq!(
        r["OrdersService"]["Properties"]["ServiceConnectConfiguration"],
        json!({"Enabled": true, "Namespace": {"Fn::GetAtt": ["InternalNamespace", "Arn"]},
            "Services": [{"PortName": "api", "ClientAliases": [{"Port": 80, "DnsName": "orders"}],
                "IngressPortOverride": 7001, "Timeout": {"IdleTimeoutSeconds": 60}}]})
    );
    assert_eq!(
        r["WebService"]["Properties"]["ServiceConnectConfiguration"],
        json!({"Enabled": true, "Namespace": {"Fn::GetAtt": ["InternalNamespace", "Arn"]}})
    );
    // The caller reaches the port the server's tasks listen on: the ingress override.
    assert_eq!(
        r["OrdersFromWebConnect7001Ingress"]["Properties"],
        json!({"Description": "Service Connect from service web to port 7001",
            "GroupId": {"Fn::GetAtt": ["OrdersSecurityGroup", "GroupId"]},
            "SourceSecurityGroupId": {"Fn::GetAtt": ["WebSecurityGroup", "GroupId"]},
            "IpProtocol": "tcp", "FromPort": 7001, "ToPort": 7001})
    );
}

#[test]
fn a_namespace_shared_with_discovery_is_the_private_dns_one() {
    let services = "service orders in shop {\n  task orders\n  subnets SUBNETS\n  discovery \"orders.internal\"\n  connect \"internal\" { serve api as \"orders\" port 80 }\n}\n";
    let out = build(services, Target::Cloudformation).expect("builds");
    let r = &out[0].1["Resources"];
    assert_eq!(
        r["InternalNamespace"]["Type"],
        "AWS::ServiceDiscovery::PrivateDnsNamespace"
    );
    assert_eq!(
        r["OrdersService"]["Properties"]["ServiceConnectConfiguration"]["Namespace"],
        json!({"Fn::GetAtt": ["InternalNamespace", "Arn"]})
    );
    let namespaces = r
        .as_object()
        .unwrap()
        .values()
        .filter(|v| v["Type"].as_str().is_some_and(|t| t.contains("Namespace")))
        .count();
    assert_eq!(namespaces, 1, "one namespace, not two");
}

#[test]
fn ecs_target_writes_an_existing_namespace_and_refuses_a_created_one() {
    let existing = format!("service orders in shop {{\n  task orders\n  subnets SUBNETS\n  security_groups [\"sg-0123456789abcdef0\"]\n  connect \"{ARN}\" {{ serve api as \"orders\" port 80 request 5s }}\n}}\n");
    let out = build(&existing, Target::Ecs).expect("builds");
    let create = &out
        .iter()
        .find(|(p, _)| p == "services/orders.json")
        .expect("the service")
        .1;
    assert_eq!(
        create["serviceConnectConfiguration"],
        json!({"enabled": true, "namespace": ARN, "services": [{"portName": "api",
            "clientAliases": [{"port": 80, "dnsName": "orders"}], "timeout": {"perRequestTimeoutSeconds": 5}}]})
    );
    let update = &out
        .iter()
        .find(|(p, _)| p == "service_updates/orders.json")
        .expect("the update")
        .1;
    assert_eq!(
        update["serviceConnectConfiguration"],
        create["serviceConnectConfiguration"]
    );
    let created = existing.replace(ARN, "internal");
    assert_eq!(build(&created, Target::Ecs).unwrap_err(), ["E0515"]);
}

#[test]
fn the_local_manifest_lists_the_aliases_a_service_serves() {
    let services = svc(
        "billing",
        "billing",
        r#""internal" { serve ledger as "billing" port 80 }"#,
    ) + &svc("web", "web", r#""internal" { uses "billing" }"#);
    let out = build(&services, Target::Local).expect("builds");
    let m = &out
        .iter()
        .find(|(p, _)| p == "manifest.json")
        .expect("a manifest")
        .1;
    assert_eq!(
        m["services"][0]["connect"],
        json!([{"name": "billing", "port": 80, "containerName": "app", "containerPort": 7200}])
    );
    assert!(
        m["services"][1].get("connect").is_none(),
        "a client serves nothing"
    );
    let manifest: wharf::manifest::Manifest = serde_json::from_value(m.clone()).unwrap();
    assert_eq!(
        manifest.services[0].connect[0].local_port(),
        8080,
        "privileged ports move up 8000 locally"
    );
}

#[test]
fn the_stdlib_serves_one_http_port_under_an_alias() {
    let services = r#"use std.connect_service(service: orders2, cluster: shop, image: "orders:5", namespace: "internal", alias: "orders", alias_port: 8000, subnets: SUBNETS)
"#
    .to_string()
        + &svc("web", "web", r#""internal" { uses "orders" port 8000 }"#);
    let src = source(&services);
    let fs = Memory::with("probe.wharf", src);
    let program = driver::compile(&fs, Path::new("probe.wharf"), &Default::default())
        .unwrap_or_else(|d| panic!("{d}"))
        .program;
    let served = &program
        .service("orders2")
        .connect
        .as_ref()
        .expect("connect")
        .services[0];
    assert_eq!(
        (
            served.port_name.as_str(),
            served.dns_name.as_str(),
            served.port
        ),
        ("http", "orders", 8000)
    );
    let used = &program.service("web").connect.as_ref().unwrap().uses[0];
    assert_eq!(
        used.server,
        Some(("orders2".to_string(), 8080)),
        "the container port behind the alias"
    );
}

/// Under `--env`, services get the environment's suffix, and the security
/// group rule of a Service Connect call still joins the renamed services.
#[test]
fn environments_rename_the_servers_of_calls() {
    let services = svc(
        "orders",
        "orders",
        r#""internal" { serve api as "orders" port 80 }"#,
    ) + &svc("web", "web", r#""internal" { uses "orders" }"#)
        + "environment prod { service web { count 3 } }\n";
    let fs = Memory::with("shop.wharf", source(&services));
    let options = driver::Options {
        environment: Some("prod".into()),
        ..Default::default()
    };
    let built = driver::build(
        &fs,
        Path::new("shop.wharf"),
        &options,
        Target::Cloudformation,
        TemplateFormat::Json,
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let used = &built
        .program
        .service("web-prod")
        .connect
        .as_ref()
        .unwrap()
        .uses[0];
    assert_eq!(used.server, Some(("orders-prod".to_string(), 7000)));
    let t: Value = serde_json::from_str(&built.artifacts[0].contents).unwrap();
    let rules: Vec<&String> = t["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::EC2::SecurityGroupIngress")
        .filter(|(_, r)| {
            r["Properties"]["Description"]
                .as_str()
                .is_some_and(|d| d.starts_with("Service Connect"))
        })
        .map(|(k, _)| k)
        .collect();
    assert_eq!(rules.len(), 1, "{rules:?}");
}

/// An alias served in two other namespaces: the message names the one
/// served first in the program, every time.
#[test]
fn a_call_into_another_namespace_names_the_first_that_serves_it() {
    let services = svc(
        "orders",
        "orders",
        r#""blue" { serve api as "orders" port 80 }"#,
    ) + &svc(
        "billing",
        "billing",
        r#""green" { serve ledger as "orders" port 80 }"#,
    ) + &svc("web", "web", r#""edge" { uses "orders" }"#);
    for _ in 0..8 {
        let fs = Memory::with("probe.wharf", source(&services));
        let Err(failed) = driver::compile(&fs, Path::new("probe.wharf"), &Default::default())
        else {
            panic!("expected E0705");
        };
        let messages: Vec<&str> = failed.diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            ["service `web` calls `orders`, which is served in namespace `blue`, not `edge`"]
        );
    }
}
