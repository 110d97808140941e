//! EC2 capacity a cluster creates (issue 12 item 6) through the public
//! driver: the launch template with the ECS-optimized AMI parameter, the
//! auto scaling group, instance role, profile and security group, the
//! capacity provider, the load balancer's ingress to bridge and host tasks,
//! and the checks (E0497-E0499, E0535, E0536).

use std::path::Path;

use serde_json::{json, Value};
use wharf::diag::Code;
use wharf::driver::{self, Memory};
use wharf::emit::{Target, TemplateFormat};

fn build(source: &str, target: Target) -> Result<Value, Vec<Code>> {
    let fs = Memory::with("cap.wharf", source);
    match driver::build(
        &fs,
        Path::new("cap.wharf"),
        &Default::default(),
        target,
        TemplateFormat::Json,
    ) {
        Ok(b) => Ok(b
            .artifacts
            .iter()
            .find(|a| a.path == "cap.json")
            .map_or(Value::Null, |a| serde_json::from_str(&a.contents).unwrap())),
        Err(d) => Err(d.diags.iter().map(|d| d.code).collect()),
    }
}

const NET: &str = r#"
network main {
  vpc "vpc-0a1b2c3d"
  public_subnets ["subnet-0000aaaa", "subnet-1111bbbb"]
  private_subnets ["subnet-2222cccc", "subnet-3333dddd"]
}
alb edge { public; network main; listener 80 http }
"#;

fn program(capacity: &str, task: &str, service: &str) -> String {
    format!(
        "{NET}
cluster prod {{ {capacity} }}
task api {{ {task} }}
service api in prod {{ task api; expose app:8080 via edge {{ path \"/api/*\"; health \"/health\" }}; {service} }}"
    )
}

#[test]
fn x86_capacity_with_a_host_mode_service() {
    let t = build(
        &program(
            "capacity workers weight 1 { instance_type \"c7i.xlarge\"; instances 0..3; protect off }",
            "network host; compat ec2; container app { image \"api:1\"; memory 512MiB; port 8080 }",
            "count 1",
        ),
        Target::Cloudformation,
    )
    .expect("builds");
    assert_eq!(
        t["Parameters"]["WorkersAmiId"]["Default"],
        "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
    );
    let r = &t["Resources"];
    let group = &r["WorkersAutoScalingGroup"]["Properties"];
    assert_eq!(group["MinSize"], "0");
    assert_eq!(group["MaxSize"], "3");
    assert_eq!(group.get("DesiredCapacity"), None);
    assert_eq!(group["NewInstancesProtectedFromScaleIn"], false);
    assert_eq!(
        group["VPCZoneIdentifier"],
        json!(["subnet-2222cccc", "subnet-3333dddd"])
    );
    assert_eq!(
        r["WorkersCapacityProvider"]["Properties"]["AutoScalingGroupProvider"],
        json!({ "AutoScalingGroupArn": { "Ref": "WorkersAutoScalingGroup" },
            "ManagedScaling": { "Status": "ENABLED", "TargetCapacity": 100 },
            "ManagedTerminationProtection": "DISABLED" })
    );
    let data = &r["WorkersLaunchTemplate"]["Properties"]["LaunchTemplateData"];
    assert_eq!(data["ImageId"], json!({ "Ref": "WorkersAmiId" }));
    assert_eq!(data["InstanceType"], "c7i.xlarge");
    assert_eq!(data["MetadataOptions"]["HttpTokens"], "required");
    assert_eq!(
        data["UserData"]["Fn::Base64"]["Fn::Sub"][1],
        json!({ "Cluster": { "Ref": "ProdCluster" } })
    );
    assert_eq!(
        r["WorkersInstanceRole"]["Properties"]["ManagedPolicyArns"],
        json!([{ "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role" }])
    );
    // Host mode: the container port itself, from the load balancer's group.
    let rule = &r["WorkersFromApi8080"]["Properties"];
    assert_eq!(rule["FromPort"], 8080);
    assert_eq!(rule["ToPort"], 8080);
    assert_eq!(
        rule["SourceSecurityGroupId"],
        json!({ "Fn::GetAtt": ["EdgeLoadBalancerSecurityGroup", "GroupId"] })
    );
}

#[test]
fn bridge_static_and_dynamic_ports_and_awsvpc_gets_no_rule() {
    let dynamic = build(
        &program(
            "capacity workers weight 1 { instance_type \"t3.medium\"; instances 1..2 }",
            "network bridge; compat ec2; container app { image \"api:1\"; memory 512MiB; port 8080 host 0 }",
            "",
        ),
        Target::Cloudformation,
    )
    .unwrap();
    let rule = &dynamic["Resources"]["WorkersFromApi8080"]["Properties"];
    assert_eq!(
        (rule["FromPort"].clone(), rule["ToPort"].clone()),
        (json!(32768), json!(65535))
    );
    let fixed = build(
        &program(
            "capacity workers weight 1 { instance_type \"t3.medium\"; instances 1..2 }",
            "network bridge; compat ec2; container app { image \"api:1\"; memory 512MiB; port 8080 host 80 }",
            "",
        ),
        Target::Cloudformation,
    )
    .unwrap();
    assert_eq!(
        fixed["Resources"]["WorkersFromApi8080"]["Properties"]["FromPort"],
        80
    );
    let awsvpc = build(
        &program(
            "capacity workers weight 1 { instance_type \"t3.medium\"; instances 1..2 }",
            "compat ec2; cpu 256; memory 512MiB; container app { image \"api:1\"; port 8080 }",
            "",
        ),
        Target::Cloudformation,
    )
    .unwrap();
    assert!(awsvpc["Resources"].get("WorkersFromApi8080").is_none());
}

#[test]
fn checks() {
    let cap = |block: &str| {
        program(
            &format!("capacity workers weight 1 {{ {block} }}"),
            "network bridge; compat ec2; arch arm64; container app { image \"api:1\"; memory 512MiB; port 8080 host 0 }",
            "",
        )
    };
    let cases: &[(&str, &[Code])] = &[
        (
            "instance_type \"m7g.large\"; instances 3..2",
            &[Code::CapacitySize],
        ),
        (
            "instance_type \"m7g.large\"; instances 0..0",
            &[Code::CapacitySize],
        ),
        (
            "instance_type \"m7g.large\"; instances 1..3; desired 4",
            &[Code::CapacitySize],
        ),
        (
            "instance_type \"m7g.large\"; instances 1..3; root_volume 20GiB",
            &[Code::CapacitySize],
        ),
        (
            "instance_type \"large\"; instances 1..3",
            &[Code::InstanceType],
        ),
        (
            "instance_type \"M7G.large\"; instances 1..3",
            &[Code::InstanceType],
        ),
        (
            "instance_type \"m7g.large\"; instances 1..3; arch x86_64",
            &[Code::InstanceType],
        ),
        (
            "instance_type \"m7g.large\"; instances 1..3; target 0%",
            &[Code::OutOfRange],
        ),
        ("instances 1..3", &[Code::MissingProperty]),
        // x86_64 instances under an ARM64 task: the emitter's E0536.
        (
            "instance_type \"m7i.large\"; instances 1..3",
            &[Code::CapacityPlatform],
        ),
    ];
    for (block, codes) in cases {
        assert_eq!(
            build(&cap(block), Target::Cloudformation).err().as_deref(),
            Some(*codes),
            "{block}"
        );
    }
    for ok in [
        "instance_type \"m7g.large\"; instances 1..3; desired 3; root_volume 30GiB",
        "instance_type \"a1.medium\"; instances 0..1",
        "instance_type \"c6gn.2xlarge\"; instances 1..1; arch arm64; target 1%",
    ] {
        assert!(build(&cap(ok), Target::Cloudformation).is_ok(), "{ok}");
    }
    // No network anywhere: E0499.
    let bare = "cluster prod { capacity workers { instance_type \"t3.small\"; instances 1..2 } }";
    assert_eq!(
        build(bare, Target::Cloudformation).unwrap_err(),
        [Code::CapacityNetwork]
    );
    // The ECS API cannot create it (the exposure's missing target group
    // is another refusal of the same build).
    let made = cap("instance_type \"m7g.large\"; instances 1..3");
    assert!(build(&made, Target::Ecs)
        .unwrap_err()
        .contains(&Code::EcsCreatedCapacity));
}

/// Windows end to end on created capacity: the ECS-optimized Windows
/// Server AMI of the edition, PowerShell user data, the static host port
/// of the default (NAT) network mode; a task of another Windows version or
/// a Linux task there is E0536.
#[test]
fn windows_capacity() {
    let win = |os: &str, task_os: &str| {
        format!(
            "{NET}
cluster prod {{ capacity win weight 1 {{ instance_type \"m6i.xlarge\"; instances 1..3; os {os} }} }}
task iis {{
  compat ec2
  network default
  {task_os}
  container app {{ image \"iis:ltsc2022\"; cpu 1024; memory 2GiB; port 8080 host 8081 }}
}}
service iis in prod {{ task iis; expose app:8080 via edge {{ health \"/\" }} }}"
        )
    };
    let t = build(
        &win("windows_server_2022_core", "os windows_server_2022_core"),
        Target::Cloudformation,
    )
    .expect("builds");
    assert_eq!(
        t["Parameters"]["WinAmiId"]["Default"],
        "/aws/service/ami-windows-latest/Windows_Server-2022-English-Core-ECS_Optimized/image_id"
    );
    let script = &t["Resources"]["WinLaunchTemplate"]["Properties"]["LaunchTemplateData"]
        ["UserData"]["Fn::Base64"]["Fn::Sub"][0];
    assert!(script
        .as_str()
        .unwrap()
        .contains("Initialize-ECSAgent -Cluster '${Cluster}'"));
    assert_eq!(
        t["Resources"]["WinFromIis8080"]["Properties"]["FromPort"],
        8081
    );
    for (os, task_os) in [
        ("windows_server_2022_core", "os windows_server_2019_core"),
        ("windows_server_2022_core", ""),
    ] {
        assert_eq!(
            build(&win(os, task_os), Target::Cloudformation).unwrap_err(),
            [Code::CapacityPlatform],
            "{os} / {task_os}"
        );
    }
    // No Windows AMI for ARM64 instances, nor for the retired semi-annual
    // channel releases.
    let arm = win("windows_server_2022_core", "os windows_server_2022_core")
        .replace("m6i.xlarge", "m7g.xlarge");
    assert_eq!(
        build(&arm, Target::Cloudformation).unwrap_err(),
        [Code::InstanceType]
    );
    assert_eq!(
        build(
            &win("windows_server_20h2_core", "os windows_server_20h2_core"),
            Target::Cloudformation
        )
        .unwrap_err(),
        [Code::InstanceType]
    );
}
