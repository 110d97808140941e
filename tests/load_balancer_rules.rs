//! Load balancers and the security group rules around them.
//!
//! CIDR blocks (a service's `egress`, a load balancer's `allow`): IPv4 with
//! a prefix of 0 to 32 or IPv6 with 0 to 128, as EC2's `CidrIp` /
//! `CidrIpv6` take them; anything else is E0312 before a deployment fails on
//! it. An IPv6 block is written as `CidrIpv6`.
//!
//! A target group behind an ALB without a `health` path checks `/` over
//! HTTP, as ELB does, in the stack and in the local manifest alike.

#[path = "support/probe.rs"]
mod probe;

use serde_json::{json, Value};
use wharf::emit::cloudformation::{emit_cloudformation, Format};

const PROGRAM: &str = "region \"us-east-1\"\nnetwork main { vpc \"vpc-0123456789abcdef0\"; private_subnets [\"subnet-0a1b2c3d4e5f60718\", \"subnet-0f1e2d3c4b5a69788\"]; public_subnets [\"subnet-0aaa1111bbbb2222c\", \"subnet-0ddd3333eeee4444f\"] }\ncluster c { network main; capacity FARGATE weight 1 }\nalb web { public; listener 80 http; allow [ALLOW] }\ntask t { cpu 0.25vcpu; memory 512MiB; container app { image \"nginx\"; port 80 } }\nservice s in c { task t; expose app:80 via web; egress EGRESS port 443 }\n";

fn compile(egress: &str, allow: &str) -> Result<wharf::ir::Program, Vec<String>> {
    probe::compile(
        &PROGRAM
            .replace("EGRESS", &format!("\"{egress}\""))
            .replace("ALLOW", &format!("\"{allow}\"")),
    )
}

#[test]
fn cidr_blocks_ec2_takes_and_refuses() {
    for ok in [
        "0.0.0.0/0",
        "10.0.0.0/8",
        "10.1.2.3/32",
        "::/0",
        "2001:db8::/32",
        "2001:db8::1/128",
    ] {
        assert!(compile(ok, ok).is_ok(), "{ok} is a CIDR block");
    }
    for bad in [
        "10.0.0.0/33",
        "10.0.0.0",
        "10.0.0/8",
        "256.0.0.0/8",
        "::/129",
        "10.0.0.0/+8",
        "anywhere",
        "",
    ] {
        assert_eq!(
            compile(bad, "0.0.0.0/0").unwrap_err(),
            ["E0312"],
            "egress {bad:?}"
        );
        assert_eq!(
            compile("0.0.0.0/0", bad).unwrap_err(),
            ["E0312"],
            "allow {bad:?}"
        );
    }
}

#[test]
fn an_ipv6_block_is_written_as_cidr_ipv6() {
    let program = compile("::/0", "::/0").unwrap();
    let stack = emit_cloudformation(&program, Format::Json).unwrap();
    let template: Value = serde_json::from_str(&stack[0].contents).unwrap();
    let groups: Vec<&Value> = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::SecurityGroup")
        .collect();
    let egress: Vec<&Value> = groups
        .iter()
        .filter_map(|g| g["Properties"]["SecurityGroupEgress"].as_array())
        .flatten()
        .filter(|r| r["Description"] == "To ::/0")
        .collect();
    assert_eq!(
        egress,
        [
            &json!({"Description": "To ::/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv6": "::/0"})
        ]
    );
    let ingress: Vec<&Value> = groups
        .iter()
        .filter_map(|g| g["Properties"]["SecurityGroupIngress"].as_array())
        .flatten()
        .collect();
    assert!(
        ingress.iter().any(|r| r["CidrIpv6"] == "::/0"),
        "{ingress:?}"
    );
}

#[test]
fn an_alb_target_without_a_health_path_checks_slash_over_http() {
    let program = compile("0.0.0.0/0", "0.0.0.0/0").unwrap();
    let stack = emit_cloudformation(&program, Format::Json).unwrap();
    let template: Value = serde_json::from_str(&stack[0].contents).unwrap();
    let tg = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup")
        .unwrap();
    assert_eq!(tg["Properties"]["HealthCheckProtocol"], "HTTP");
    assert_eq!(tg["Properties"]["HealthCheckPath"], "/");
    assert_eq!(tg["Properties"]["Matcher"], json!({"HttpCode": "200-399"}));
    let local = wharf::emit::local::emit_local(&program).unwrap();
    let manifest: Value = serde_json::from_str(&local[0].contents).unwrap();
    assert_eq!(
        manifest["services"][0]["loadBalancers"][0]["healthCheck"]["path"],
        "/"
    );
}
