//! Native ECS deployments (blue/green, linear, canary; lifecycle hooks;
//! deployment alarms; the resources a load balancer shifts traffic with):
//! the explanation of each code does what it says, the rules of the ECS API
//! reference are probed on both sides with exact codes, and both targets
//! write what the API and the CloudFormation schema take.

use std::path::Path;

#[path = "support/probe.rs"]
mod probe;

use serde_json::Value;
use wharf::diag::{explain, Code};
use wharf::driver::{self, Memory};
use wharf::emit::cloudformation::{emit_cloudformation, Format};
use wharf::emit::ecs::emit_ecs;

/// Codes of checking `source`, else of building it for `target` (`check`:
/// checking only).
fn codes(source: &str, target: &str) -> Vec<String> {
    let program = match probe::compile(source) {
        Ok(program) => program,
        Err(codes) => return codes,
    };
    let result = match target {
        "check" => Ok(()),
        "ecs" => emit_ecs(&program).map(|_| ()),
        _ => emit_cloudformation(&program, Format::Json).map(|_| ()),
    };
    match result {
        Ok(()) => Vec::new(),
        Err(diags) => diags.iter().map(|d| d.code.as_str().to_string()).collect(),
    }
}

fn block_after(text: &str, marker: &str) -> String {
    let at = text.find(marker).unwrap_or_else(|| panic!("no {marker}"));
    let rest = &text[at..];
    let start = rest.find("```wharf\n").expect("a ```wharf block") + "```wharf\n".len();
    let end = rest[start..].find("```").expect("a closed block");
    rest[start..start + end].to_string()
}

/// Each code's `Wrong:` example gives exactly that code (the check codes
/// when checking, the target codes when building for their target), and
/// its `Right:` example builds for that target.
#[test]
fn explanations_do_what_they_say() {
    let cases: &[(&str, &str)] = &[
        ("E0508", "ecs"),
        ("E0524", "ecs"),
        ("E0525", "cloudformation"),
        ("E0526", "cloudformation"),
        ("E0527", "ecs"),
        ("E0715", "cloudformation"),
        ("E0716", "cloudformation"),
        ("E0717", "cloudformation"),
        ("E0718", "check"),
        ("E0719", "cloudformation"),
        ("E0720", "cloudformation"),
        ("E0721", "cloudformation"),
        ("E0722", "cloudformation"),
        ("E0723", "cloudformation"),
        ("E0724", "cloudformation"),
        ("E0725", "cloudformation"),
    ];
    for (code, target) in cases {
        let c: Code = code.parse().unwrap();
        let text = explain::explanation(c).unwrap_or_else(|| panic!("{code}: no explanation"));
        let wrong = block_after(text, "Wrong:");
        let mut found = codes(&wrong, target);
        found.dedup();
        assert_eq!(found, [*code], "{code}: Wrong\n{wrong}");
        let right = block_after(text, "Right:");
        assert_eq!(
            codes(&right, target),
            Vec::<String>::new(),
            "{code}: Right\n{right}"
        );
    }
}

/// A Fargate service behind an ALB with listeners 80 and 8080; `{}` is the
/// service's statements after its `expose` block, `{x}` more statements of
/// that block.
const BASE: &str = r#"region "us-east-1"
account "123456789012"
input SUBNETS: subnets = "subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788"
network main { vpc "vpc-0abc1234"; public_subnets SUBNETS; private_subnets SUBNETS }
cluster prod { network main; capacity FARGATE weight 1 }
alb web { network main; public; listener 80 http; listener 8080 http }
task site {
  cpu 256; memory 512MiB
  container app { image "nginx:1.27"; port 80 }
}
service site in prod {
  security_groups ["sg-0123456789abcdef0"]
  task site
  expose app:80 via web {
    listener 80
    health "/"
    target_group "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/site/0123456789abcdef"
    {x}
  }
  {}
}
"#;

const NAMED: &str = r#"alternate_target_group "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/site-green/1123456789abcdef"
    production_rule "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
    traffic_role "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers""#;

const LAMBDA: &str = "\"arn:aws:lambda:us-east-1:123456789012:function:smoke\"";

fn program(expose: &str, service: &str) -> String {
    BASE.replacen("{x}", expose, 1).replacen("{}", service, 1)
}

/// Each probe: (expose-block statements, service statements, target,
/// exact codes, the rule it probes).
#[test]
fn deployment_rule_probes() {
    let hook = |rest: &str| format!("deploy blue_green bake 5m\n  hook {rest}");
    let cases: Vec<(&str, String, &str, Vec<&str>, &str)> = vec![
        // bakeTimeInMinutes, stepBakeTimeInMinutes, canaryBakeTimeInMinutes: 0..1440 whole minutes.
        ("", "deploy blue_green bake 1440m".into(), "check", vec![], "bake of 24 h"),
        ("", "deploy blue_green bake 0m".into(), "check", vec![], "bake of 0"),
        ("", "deploy blue_green bake 1441m".into(), "check", vec!["E0716"], "bake over 24 h"),
        ("", "deploy canary 5% every 30s".into(), "check", vec!["E0716"], "half a minute"),
        ("", "deploy linear 10% every 25h".into(), "check", vec!["E0716"], "step over 24 h"),
        // stepPercent 3.0..100.0; canaryPercent 0.1..100.0.
        ("", "deploy linear 3% every 1m".into(), "check", vec![], "3% linear step"),
        ("", "deploy linear 2% every 1m".into(), "check", vec!["E0717"], "2% linear step"),
        ("", "deploy canary 1% every 1m".into(), "check", vec![], "1% canary"),
        ("", "deploy linear 100% every 1m".into(), "check", vec![], "one step of 100%"),
        ("", "deploy canary 101% every 1m".into(), "check", vec!["E0422"], "over 100%"),
        // Stages as the API lists them; PAUSE not at the two shifting stages.
        ("", hook(&format!("reconcile_service lambda {LAMBDA}")), "check", vec![], "reconcile stage"),
        ("", hook(&format!("[pre_production_traffic_shift, production_traffic_shift] lambda {LAMBDA}")), "check", vec![], "production stages"),
        ("", hook(&format!("pre_deploy lambda {LAMBDA}")), "check", vec!["E0304"], "unknown stage"),
        ("", hook("production_traffic_shift pause"), "check", vec!["E0718"], "pause while traffic moves"),
        ("", hook("test_traffic_shift pause"), "check", vec!["E0718"], "pause while test traffic moves"),
        ("", hook("[post_scale_up, pre_production_traffic_shift] pause"), "check", vec![], "pause between stages"),
        ("", hook(&format!("[post_scale_up, post_scale_up] lambda {LAMBDA}")), "check", vec!["E0719"], "stage twice"),
        ("", hook(&format!("[] lambda {LAMBDA}")), "check", vec!["E0719"], "no stage"),
        ("", hook("post_scale_up lambda \"arn:aws:sns:us-east-1:123456789012:topic\""), "check", vec!["E0723"], "not a Lambda ARN"),
        ("", hook(&format!("post_scale_up lambda {LAMBDA} role \"arn:aws:iam::123456789012:user/u\"")), "check", vec!["E0724"], "a user, not a role"),
        ("", hook("post_scale_up pause role \"arn:aws:iam::123456789012:role/r\""), "check", vec!["E0724"], "role on a pause hook"),
        ("", hook("post_scale_up"), "check", vec!["E0306"], "no target"),
        // alarmNames: one or more.
        ("", "alarms [\"a\"]".into(), "check", vec![], "one alarm on a rolling deployment"),
        ("", "alarms []".into(), "check", vec!["E0720"], "no alarm"),
        // Linear and canary need traffic to shift; blue/green runs without.
        ("", "deploy canary 10% every 1m".into(), "check", vec![], "canary behind an ALB"),
        // Advanced configuration only for traffic-shifting strategies.
        (NAMED, "deploy rolling".into(), "check", vec!["E0721"], "rolling with an alternate group"),
        ("test_listener 8080", "".into(), "check", vec!["E0721"], "default rolling with a test listener"),
        ("alternate_target_group \"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/site/0123456789abcdef\"", "deploy blue_green bake 5m".into(), "check", vec!["E0725"], "alternate is production"),
        ("test_listener 8080", "deploy blue_green bake 5m".into(), "check", vec![], "test listener on another listener"),
        ("test_listener 80", "deploy blue_green bake 5m".into(), "check", vec!["E0722"], "test listener is production's"),
        ("test_listener 9000", "deploy blue_green bake 5m".into(), "check", vec!["E0722"], "no such listener"),
        ("traffic_role \"ecsElb\"", "deploy blue_green bake 5m".into(), "check", vec!["E0724"], "traffic role not an ARN"),
        // ECS API target: what it names and what it refuses.
        (NAMED, "deploy canary 10% every 5m".into(), "ecs", vec![], "all three named"),
        ("", "deploy canary 10% every 5m".into(), "ecs", vec!["E0508"], "nothing named"),
        (NAMED, "deploy rolling".into(), "ecs", vec!["E0721"], "named on rolling"),
        ("", "deploy blue_green bake 5m\n  alarms [\"a\"] rollback".into(), "ecs", vec!["E0508"], "blue/green without ARNs"),
        ("", "alarms [\"a\"] rollback".into(), "ecs", vec![], "alarms on rolling, ECS"),
        (NAMED, hook(&format!("post_scale_up lambda {LAMBDA}")), "ecs", vec!["E0524"], "hook without role"),
        (NAMED, hook(&format!("post_scale_up lambda {LAMBDA} role \"arn:aws:iam::123456789012:role/h\"")), "ecs", vec![], "hook with role"),
        (NAMED, hook("[pre_production_traffic_shift, post_scale_up] pause"), "ecs", vec![], "pause hooks, ECS"),
        ("test_listener 8080", "deploy blue_green bake 5m".into(), "ecs", vec!["E0508", "E0527"], "test listener, ECS"),
        // CloudFormation target.
        ("", hook(&format!("post_scale_up lambda {LAMBDA}")), "cloudformation", vec![], "generated hook role"),
        ("", hook(&format!("pre_production_traffic_shift lambda {LAMBDA}")), "cloudformation", vec!["E0525"], "stage the schema lacks"),
        ("", hook("post_scale_up pause"), "cloudformation", vec!["E0525"], "pause hook, CloudFormation"),
        ("", "deploy canary 10% every 1440m bake 540m".into(), "cloudformation", vec![], "33 hours of canary"),
        ("", "deploy canary 10% every 1440m bake 541m".into(), "cloudformation", vec!["E0526"], "over 33 hours of canary"),
        // Linear: bake + every x (100/P - 1) when P divides 100, else floor(100/P).
        ("", "deploy linear 10% every 220m bake 0m".into(), "cloudformation", vec![], "9 steps of 220 min"),
        ("", "deploy linear 10% every 221m bake 0m".into(), "cloudformation", vec!["E0526"], "9 steps of 221 min"),
        ("", "deploy linear 11% every 220m bake 0m".into(), "cloudformation", vec![], "11%: 9 steps of 220 min"),
        ("", "deploy linear 11% every 220m bake 1m".into(), "cloudformation", vec!["E0526"], "11%: 9 steps and a minute"),
        ("", "deploy linear 3% every 60m bake 0m".into(), "cloudformation", vec![], "3%: 33 steps of an hour"),
        ("", "deploy linear 3% every 61m bake 0m".into(), "cloudformation", vec!["E0526"], "3%: 33 steps of 61 min"),
        ("", "deploy linear 100% every 1440m bake 1440m".into(), "cloudformation", vec![], "one step: bake only"),
        ("", "deploy linear 3% every 61m bake 0m".into(), "ecs", vec!["E0508"], "no such limit for the ECS API"),
    ];
    for (expose, service, target, want, rule) in cases {
        let source = program(expose, &service);
        assert_eq!(codes(&source, target), want, "{rule} ({target}):\n{source}");
    }
}

/// Linear and canary deployments of a service no load balancer reaches.
#[test]
fn stepwise_shift_needs_a_load_balancer() {
    let source = r#"cluster prod { capacity FARGATE weight 1 }
task w { cpu 256; memory 512MiB; container app { image "busybox" } }
service w in prod { task w; subnets ["subnet-0a1b2c3d"]; deploy linear 10% every 1m }
"#;
    assert_eq!(codes(source, "check"), ["E0715"]);
    let blue_green = source.replace("linear 10% every 1m", "blue_green");
    assert_eq!(codes(&blue_green, "check"), Vec::<String>::new());
}

fn built(source: &str, target: &str) -> Vec<wharf::emit::Artifact> {
    let fs = Memory::with("probe.wharf", source.to_string());
    let program = driver::compile(&fs, Path::new("probe.wharf"), &Default::default())
        .unwrap_or_else(|d| panic!("{d}"))
        .program;
    match target {
        "ecs" => emit_ecs(&program),
        _ => emit_cloudformation(&program, Format::Json),
    }
    .unwrap_or_else(|d| panic!("{:?}", d.iter().map(|d| d.code).collect::<Vec<_>>()))
}

fn json_of(artifacts: &[wharf::emit::Artifact], path: &str) -> Value {
    let a = artifacts
        .iter()
        .find(|a| a.path == path)
        .unwrap_or_else(|| panic!("no {path}"));
    serde_json::from_str(&a.contents).unwrap()
}

/// The ECS API target writes the named resources as `advancedConfiguration`
/// and the deployment's strategy, step, bake time, hooks and alarms as
/// `CreateService` and `UpdateService` take them.
#[test]
fn ecs_target_writes_the_native_deployment() {
    let source = program(
        &format!("{NAMED}\n    test_rule \"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/0467ef3c8400ae65/3b2e8c1d0a4f5e67\""),
        &format!("deploy linear 20% every 2m bake 30m\n  hook [post_scale_up, production_traffic_shift] lambda {LAMBDA} role \"arn:aws:iam::123456789012:role/hooks\"\n  hook pre_production_traffic_shift pause\n  alarms [\"site-5xx\", \"site-latency\"] rollback"),
    );
    let out = built(&source, "ecs");
    let create = json_of(&out, "services/site.json");
    assert_eq!(
        create["loadBalancers"][0]["advancedConfiguration"].to_string(),
        r#"{"alternateTargetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/site-green/1123456789abcdef","productionListenerRule":"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee","testListenerRule":"arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/0467ef3c8400ae65/3b2e8c1d0a4f5e67","roleArn":"arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers"}"#
    );
    assert_eq!(
        create["deploymentConfiguration"].to_string(),
        r#"{"deploymentCircuitBreaker":{"enable":false,"rollback":false},"maximumPercent":200,"minimumHealthyPercent":100,"alarms":{"alarmNames":["site-5xx","site-latency"],"rollback":true,"enable":true},"strategy":"LINEAR","bakeTimeInMinutes":30,"lifecycleHooks":[{"hookTargetArn":"arn:aws:lambda:us-east-1:123456789012:function:smoke","roleArn":"arn:aws:iam::123456789012:role/hooks","lifecycleStages":["POST_SCALE_UP","PRODUCTION_TRAFFIC_SHIFT"]},{"targetType":"PAUSE","lifecycleStages":["PRE_PRODUCTION_TRAFFIC_SHIFT"]}],"linearConfiguration":{"stepPercent":20,"stepBakeTimeInMinutes":2}}"#
    );
    let update = json_of(&out, "service_updates/site.json");
    assert_eq!(
        update["deploymentConfiguration"],
        create["deploymentConfiguration"]
    );
    assert_eq!(update["loadBalancers"], create["loadBalancers"]);
}

/// `blue_green` without `bake` writes the bake time ECS requires with it.
#[test]
fn blue_green_always_has_a_bake_time() {
    let out = built(&program(NAMED, "deploy blue_green"), "ecs");
    let create = json_of(&out, "services/site.json");
    assert_eq!(create["deploymentConfiguration"]["bakeTimeInMinutes"], 0);
    assert_eq!(create["deploymentConfiguration"]["strategy"], "BLUE_GREEN");
}

/// CloudFormation: one hook role per service, assumable by ECS only and
/// allowed to invoke exactly the hook functions without a role of their
/// own; the test listener rule forwards to both target groups and is the
/// service's `TestListenerRule`.
#[test]
fn cloudformation_generates_least_privilege_hook_role_and_test_rule() {
    let other = "\"arn:aws:lambda:us-east-1:123456789012:function:other\"";
    let source = program(
        "test_listener 8080",
        &format!("deploy canary 5% every 10m bake 20m\n  hook post_test_traffic_shift lambda {LAMBDA}\n  hook post_scale_up lambda {other}\n  hook post_production_traffic_shift lambda {LAMBDA}\n  hook pre_scale_up lambda \"arn:aws:lambda:us-east-1:123456789012:function:own\" role \"arn:aws:iam::123456789012:role/own\"\n  alarms [\"site-5xx\"]"),
    );
    let out = built(&source, "cloudformation");
    let t: Value = serde_json::from_str(&out[0].contents).unwrap();
    let r = &t["Resources"];
    let role = &r["SiteHookRole"]["Properties"];
    assert_eq!(
        role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
        "ecs.amazonaws.com"
    );
    assert_eq!(
        role["Policies"][0]["PolicyDocument"]["Statement"].to_string(),
        r#"[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":["arn:aws:lambda:us-east-1:123456789012:function:smoke","arn:aws:lambda:us-east-1:123456789012:function:other"]}]"#
    );
    let dc = &r["SiteService"]["Properties"]["DeploymentConfiguration"];
    let roles: Vec<String> = dc["LifecycleHooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["RoleArn"].to_string())
        .collect();
    let generated = r#"{"Fn::GetAtt":["SiteHookRole","Arn"]}"#;
    assert_eq!(
        roles,
        [
            generated,
            generated,
            generated,
            r#""arn:aws:iam::123456789012:role/own""#
        ]
    );
    assert_eq!(dc["Strategy"], "CANARY");
    assert_eq!(
        dc["CanaryConfiguration"].to_string(),
        r#"{"CanaryPercent":5,"CanaryBakeTimeInMinutes":10}"#
    );
    assert_eq!(dc["BakeTimeInMinutes"], 20);
    assert_eq!(
        dc["Alarms"].to_string(),
        r#"{"AlarmNames":["site-5xx"],"Rollback":false,"Enable":true}"#
    );
    let advanced = &r["SiteService"]["Properties"]["LoadBalancers"][0]["AdvancedConfiguration"];
    assert_eq!(
        advanced["TestListenerRule"]["Ref"],
        "SiteWebApp80TestRule8080"
    );
    let test_rule = &r["SiteWebApp80TestRule8080"]["Properties"];
    assert_eq!(test_rule["ListenerArn"]["Ref"], "WebListener8080");
    assert_eq!(
        test_rule["Actions"][0]["ForwardConfig"]["TargetGroups"].to_string(),
        r#"[{"TargetGroupArn":{"Ref":"SiteWebApp80TargetGroup"},"Weight":100},{"TargetGroupArn":{"Ref":"SiteWebApp80AlternateTargetGroup"},"Weight":0}]"#
    );
    // A service whose every hook names its role gets no generated role.
    let own = program("", &format!("deploy blue_green bake 5m\n  hook post_scale_up lambda {LAMBDA} role \"arn:aws:iam::123456789012:role/own\""));
    let t: Value = serde_json::from_str(&built(&own, "cloudformation")[0].contents).unwrap();
    assert!(t["Resources"].get("SiteHookRole").is_none());
}

/// Locally a deployment has one revision: the shipped example's manifest
/// routes its test listener to the service like its production listener,
/// and has nothing else of the deployment (`wharf up` restarts tasks).
#[test]
fn local_manifest_routes_test_traffic_to_the_only_revision() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/blue-green.wharf");
    let program = driver::compile(&driver::Disk, &path, &Default::default())
        .unwrap_or_else(|d| panic!("{d}"))
        .program;
    let out = wharf::emit::local::emit_local(&program).unwrap();
    let manifest: Value = serde_json::from_str(&out[0].contents).unwrap();
    let ports = |service: &str| -> Vec<u64> {
        manifest["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == service)
            .unwrap()["loadBalancers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["listenerPort"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(ports("api"), [80, 9080]);
    assert_eq!(ports("admin"), [80]);
    wharf::manifest::parse(
        &mut wharf::diag::SourceMap::new(),
        "manifest.json",
        &out[0].contents,
    )
    .unwrap_or_else(|d| panic!("the runner rejects the manifest: {d:?}"));
}
