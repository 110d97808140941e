//! ECS API JSON backend: exact output for hand-built programs (one snapshot
//! per program, `//// path` per file), determinism, and the E05xx
//! diagnostics for what only CloudFormation can create.

#[path = "common/ecs_programs.rs"]
mod programs;

use programs::*;
use wharf::diag::Code;
use wharf::emit::ecs::emit_ecs;
use wharf::emit::render_artifacts;
use wharf::ir::*;

fn snapshot(name: &str, program: &Program) {
    let artifacts = emit_ecs(program).unwrap_or_else(|d| panic!("{name}: {d:#?}"));
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(true);
    settings.bind(|| insta::assert_snapshot!(name, render_artifacts(&artifacts)));
}

#[test]
fn fargate_web() {
    snapshot("fargate_web", &programs::fargate_web());
}

#[test]
fn ec2_bridge() {
    snapshot("ec2_bridge", &programs::ec2_bridge());
}

#[test]
fn daemon() {
    snapshot("daemon", &programs::daemon());
}

#[test]
fn firelens() {
    snapshot("firelens", &programs::firelens());
}

#[test]
fn efs() {
    snapshot("efs", &programs::efs());
}

#[test]
fn output_is_sorted_and_identical_across_runs() {
    for (name, program) in programs::all() {
        let first = emit_ecs(&program).unwrap();
        let second = emit_ecs(&program.clone()).unwrap();
        assert_eq!(first, second, "{name}");
        let paths: Vec<&str> = first.iter().map(|a| a.path.as_str()).collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted, "{name}");
        assert!(first.iter().all(|a| a.contents.ends_with("}\n")), "{name}");
    }
}

#[test]
fn generated_execution_role_is_omitted_when_nothing_needs_it() {
    let artifacts = emit_ecs(&programs::ec2_bridge()).unwrap();
    let taskdef = &artifacts
        .iter()
        .find(|a| a.path == "taskdefs/worker.json")
        .unwrap()
        .contents;
    assert!(!taskdef.contains("executionRoleArn"), "{taskdef}");
    assert!(!taskdef.contains("taskRoleArn"), "{taskdef}");
}

#[test]
fn exposure_without_target_group_is_e0501_at_the_exposure() {
    let mut p = programs::fargate_web();
    p.services[0].exposures[0].target_group_arn = None;
    let diags = emit_ecs(&p).unwrap_err();
    assert_eq!(diags.len(), 1);
    let d = &diags[0];
    assert_eq!(d.code, Code::EcsNeedsTargetGroup);
    assert_eq!(d.primary.span, p.services[0].exposures[0].span);
    assert_eq!(
        d.message,
        "service `api` exposes a container via `web` without a target group ARN"
    );
    assert!(d.help.as_deref().unwrap().contains("target_group"));
}

#[test]
fn awsvpc_service_in_a_created_network_is_e0502() {
    let mut p = programs::fargate_web();
    p.networks[0].kind = NetworkKind::Created(CreatedVpc {
        cidr: "10.0.0.0/16".into(),
        azs: 2,
        nat: NatMode::Single,
        endpoints: Vec::new(),
    });
    let diags = emit_ecs(&p).unwrap_err();
    assert_eq!(diags.len(), 1);
    let d = &diags[0];
    assert_eq!(d.code, Code::EcsNeedsSubnets);
    assert_eq!(d.primary.span, p.services[0].span);
    assert_eq!(d.secondary.len(), 1);
    assert_eq!(d.secondary[0].span, p.networks[0].span);
    assert!(d.secondary[0].message.contains("`main`"));
}

#[test]
fn service_level_subnets_avoid_e0502_in_a_created_network() {
    let mut p = programs::fargate_web();
    p.networks[0].kind = NetworkKind::Created(CreatedVpc {
        cidr: "10.0.0.0/16".into(),
        azs: 2,
        nat: NatMode::Single,
        endpoints: Vec::new(),
    });
    p.services[0].network.as_mut().unwrap().subnets =
        Some(SubnetRef::Ids(vec![lit("subnet-x1"), lit("subnet-x2")]));
    let artifacts = emit_ecs(&p).unwrap();
    let service = &artifacts
        .iter()
        .find(|a| a.path == "services/api.json")
        .unwrap()
        .contents;
    assert!(service.contains("\"subnet-x1\""), "{service}");
}

#[test]
fn discovery_without_registry_is_e0503() {
    let mut p = programs::fargate_web();
    p.services[0].discovery.as_mut().unwrap().registry_arn = None;
    let diags = emit_ecs(&p).unwrap_err();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, Code::EcsNeedsRegistry);
    assert_eq!(diags[0].primary.span, p.services[0].span);
    assert!(diags[0].message.contains("`api.shop.local`"));
}

#[test]
fn generated_task_role_with_permissions_is_e0506() {
    let mut p = programs::ec2_bridge();
    p.tasks[0].task_role = Role::Generated;
    p.tasks[0].permissions = vec![Permission {
        actions: vec!["sqs:ReceiveMessage".into()],
        resources: vec![lit("arn:aws:sqs:us-east-1:123456789012:jobs")],
        span: span(800),
    }];
    let diags = emit_ecs(&p).unwrap_err();
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, Code::EcsNeedsTaskRole);
    assert_eq!(diags[0].primary.span, span(800));
    assert_eq!(diags[0].secondary[0].span, p.tasks[0].span);
}

#[test]
fn efs_iam_and_ecs_exec_need_a_task_role_too() {
    let mut p = programs::efs();
    p.tasks[0].task_role = Role::Generated;
    p.clusters = vec![cluster("files")];
    p.services = vec![Service {
        execute_command: true,
        network: Some(ServiceNetwork {
            network: None,
            subnets: Some(SubnetRef::Ids(vec![lit("subnet-1")])),
            security_groups: vec![lit("sg-1")],
            public_ip: false,
        }),
        ..service("files", "files", "files")
    }];
    let diags = emit_ecs(&p).unwrap_err();
    assert_eq!(diags.len(), 1);
    let d = &diags[0];
    assert_eq!(d.code, Code::EcsNeedsTaskRole);
    assert_eq!(
        d.message,
        "task `files` needs a generated task role, which the ECS API cannot create"
    );
    assert_eq!(d.primary.span, p.tasks[0].volumes[0].span);
    assert!(d.primary.message.contains("volume `data`"));
    let secondary: Vec<_> = d.secondary.iter().map(|l| l.span).collect();
    assert_eq!(secondary, [p.services[0].span, p.tasks[0].span]);
}

#[test]
fn traffic_shifting_deployments_without_named_resources_are_e0508() {
    for strategy in [
        DeploymentStrategy::BlueGreen,
        DeploymentStrategy::Canary {
            percent: 10,
            interval_minutes: 5,
        },
        DeploymentStrategy::Linear {
            percent: 20,
            interval_minutes: 1,
        },
    ] {
        let mut p = programs::fargate_web();
        p.services[0].deployment.strategy = strategy;
        let diags = emit_ecs(&p).unwrap_err();
        assert_eq!(diags.len(), 1, "{strategy:?}");
        assert_eq!(diags[0].code, Code::EcsTrafficShift);
        assert_eq!(diags[0].primary.span, p.services[0].span);
    }
}

#[test]
fn every_problem_is_reported_and_nothing_emitted() {
    let mut p = programs::fargate_web();
    p.services[0].exposures[0].target_group_arn = None;
    p.services[0].discovery.as_mut().unwrap().registry_arn = None;
    p.tasks[0].task_role = Role::Generated;
    p.tasks[0].permissions = vec![Permission {
        actions: vec!["s3:GetObject".into()],
        resources: vec![lit("arn:aws:s3:::bucket/*")],
        span: span(800),
    }];
    let codes: Vec<Code> = emit_ecs(&p).unwrap_err().iter().map(|d| d.code).collect();
    // Sorted by position: task (200) < service (400) < exposure (410) < permission (800).
    assert_eq!(
        codes,
        [
            Code::EcsNeedsRegistry,
            Code::EcsNeedsTargetGroup,
            Code::EcsNeedsTaskRole
        ]
    );
}

#[test]
fn e05xx_codes_have_explanations() {
    for code in [
        Code::EcsNeedsTargetGroup,
        Code::EcsNeedsSubnets,
        Code::EcsNeedsRegistry,
        Code::EcsNeedsTaskRole,
        Code::EcsTrafficShift,
    ] {
        let text = wharf::diag::explain::explanation(code)
            .unwrap_or_else(|| panic!("no explanation for {code}"));
        assert!(text.contains("```"), "{code} has no example");
    }
}
