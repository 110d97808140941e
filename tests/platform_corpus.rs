//! The real Windows and ARM64 task definitions AWS publishes (copies in
//! `tests/corpus/taskdefs`, see its README) go through Wharf unrefused:
//! imported, checked with the runtime platform rules, and built for both
//! targets, each writing the original's `runtimePlatform` exactly
//! (`RuntimePlatform` with capitalised members in CloudFormation).

#[path = "support/probe.rs"]
mod probe;

use serde_json::Value;
use std::path::Path;
use wharf::emit::cloudformation::{emit_cloudformation, Format};
use wharf::emit::ecs::emit_ecs;
use wharf::import::import_task_definition;

/// The corpus files that name a Windows family or ARM64, with what their
/// `runtimePlatform` says.
const PLATFORM_FILES: &[&str] = &[
    // Fargate Windows Server 2019 Core, 2 vCPU, awsvpc (three pages carry it).
    "amazon-ecs-developer-guide/AWS_Fargate.block03.json",
    "amazon-ecs-developer-guide/ECS_AWSCLI_Fargate_windows.block02.json",
    "amazon-ecs-developer-guide/example_task_definitions.block01.json",
    // Fargate Linux ARM64.
    "amazon-ecs-developer-guide/ecs-arm64.block01.json",
];

fn corpus(rel: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/taskdefs")
        .join(rel);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// `runtimePlatform` members with the case CloudFormation writes them in.
fn capitalised(v: &Value) -> Value {
    let o = v.as_object().expect("runtimePlatform is an object");
    Value::Object(
        o.iter()
            .map(|(k, v)| {
                let mut c = k.chars();
                let first = c.next().unwrap().to_ascii_uppercase();
                (format!("{first}{}", c.as_str()), v.clone())
            })
            .collect(),
    )
}

#[test]
fn aws_windows_and_arm64_task_definitions_build_with_their_runtime_platform() {
    for rel in PLATFORM_FILES {
        let original = corpus(rel);
        let want = original["runtimePlatform"].clone();
        assert!(want.is_object(), "{rel} names a runtime platform");
        let imported = import_task_definition(&original, rel).unwrap();
        assert!(imported.dropped.is_empty(), "{rel}: {:?}", imported.dropped);
        let program = probe::compile(&imported.source)
            .unwrap_or_else(|codes| panic!("{rel} refused: {codes:?}\n{}", imported.source));
        let ecs = emit_ecs(&program).unwrap();
        let taskdef = ecs
            .iter()
            .find(|a| a.path.starts_with("taskdefs/"))
            .expect("a task definition");
        let td: Value = serde_json::from_str(&taskdef.contents).unwrap();
        assert_eq!(td["runtimePlatform"], want, "{rel}: ECS target");

        let cfn = emit_cloudformation(&program, Format::Json).unwrap();
        let template: Value = serde_json::from_str(&cfn[0].contents).unwrap();
        let resources = template["Resources"].as_object().unwrap();
        let platforms: Vec<&Value> = resources
            .values()
            .filter(|r| r["Type"] == "AWS::ECS::TaskDefinition")
            .map(|r| &r["Properties"]["RuntimePlatform"])
            .collect();
        assert_eq!(platforms, [&capitalised(&want)], "{rel}: CloudFormation");
    }
}

/// The corpus's Windows task definitions that predate `runtimePlatform`
/// (an ECS Anywhere and an FSx sample) stay as they are: without `os`,
/// Wharf writes no platform, as ECS assumes none.
#[test]
fn windows_samples_without_a_runtime_platform_get_none() {
    for rel in [
        "amazon-ecs-developer-guide/example_task_definitions.block08.json",
        "amazon-ecs-developer-guide/ecs-anywhere-runtask.block01.json",
    ] {
        let imported = import_task_definition(&corpus(rel), rel).unwrap();
        let program = probe::compile(&imported.source)
            .unwrap_or_else(|codes| panic!("{rel} refused: {codes:?}\n{}", imported.source));
        let ecs = emit_ecs(&program).unwrap();
        for a in ecs.iter().filter(|a| a.path.starts_with("taskdefs/")) {
            let td: Value = serde_json::from_str(&a.contents).unwrap();
            assert!(td.get("runtimePlatform").is_none(), "{rel}");
        }
    }
}
