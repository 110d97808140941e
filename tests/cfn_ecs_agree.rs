//! The CloudFormation and ECS API backends must agree field by field: for
//! every example, each `RegisterTaskDefinition` / `CreateService` input of the
//! ECS backend, with its keys in CloudFormation's spelling, equals the
//! properties of the matching `AWS::ECS::TaskDefinition` / `AWS::ECS::Service`.
//!
//! Where CloudFormation holds a reference (`Ref`, `Fn::GetAtt`, `Fn::Sub`) the
//! ECS side holds the resolved value; those fields are not compared. The
//! differences that are by design are listed in `expected_difference`.
//!
//! Beyond task definitions and services, the two targets agree on what
//! surrounds them: security groups (the ECS target uses exactly the groups a
//! service names; the stack puts its generated group in front of them),
//! auto scaling (each `RegisterScalableTarget` / `PutScalingPolicy` input
//! against the `AWS::ApplicationAutoScaling::*` resources) and log groups
//! (each `CreateLogGroup` / `PutRetentionPolicy` input against the
//! `AWS::Logs::LogGroup`, and neither target adds `awslogs-create-group`
//! unless the program asks). The programs are the examples and
//! `tests/fixtures/agree/`, written for the ECS target to accept.

use serde_json::{Map, Value};
use wharf::emit::cloudformation::{emit_cloudformation, Format};
use wharf::emit::ecs::emit_ecs;

/// ECS key -> CloudFormation property name, where it is not just PascalCase.
fn cfn_key(k: &str) -> String {
    match k {
        "efsVolumeConfiguration" => "EFSVolumeConfiguration".into(),
        "fsxWindowsFileServerVolumeConfiguration" => {
            "FSxWindowsFileServerVolumeConfiguration".into()
        }
        "fileSystemId" => "FilesystemId".into(),
        "placementStrategy" => "PlacementStrategies".into(),
        "iam" => "IAM".into(),
        "properties" => "ProxyConfigurationProperties".into(),
        _ => {
            let mut c = k.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        }
    }
}

/// Maps whose keys are data (log driver options, labels), not property names.
const DATA_MAPS: &[&str] = &["options", "dockerLabels"];

fn to_cfn(v: &Value, key: Option<&str>) -> Value {
    match v {
        Value::Object(m) if key.is_some_and(|k| DATA_MAPS.contains(&k)) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), to_cfn(x, None)))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    // EFS spells it `FilesystemId`, FSx `FileSystemId`.
                    let name = match (key, k.as_str()) {
                        (Some("fsxWindowsFileServerVolumeConfiguration"), "fileSystemId") => {
                            "FileSystemId".to_string()
                        }
                        _ => cfn_key(k),
                    };
                    (name, to_cfn(x, Some(k)))
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| to_cfn(x, None)).collect()),
        other => other.clone(),
    }
}

fn is_reference(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|m| m.len() == 1 && m.keys().all(|k| k == "Ref" || k.starts_with("Fn::")))
}

/// Differences by design, each with its reason.
fn expected_difference(path: &str, ecs: Option<&Value>, cfn: Option<&Value>) -> bool {
    // CloudFormation's PropagateTags has no NONE; leaving it out means none.
    path.ends_with(".PropagateTags") && ecs == Some(&Value::from("NONE")) && cfn.is_none()
}

/// The programs compared: the examples and the agreement fixtures.
fn programs() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<_> = ["examples", "tests/fixtures/agree"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wharf"))
        .collect();
    paths.sort();
    paths
}

fn compare(path: &str, ecs: &Value, cfn: &Value, diffs: &mut Vec<String>) {
    if is_reference(cfn) {
        return;
    }
    match (ecs, cfn) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = format!("{path}.{k}");
                match (a.get(k), b.get(k)) {
                    (Some(x), Some(y)) => compare(&p, x, y, diffs),
                    (x, y) if expected_difference(&p, x, y) => {}
                    (x, y) => diffs.push(format!("{p}: ECS {x:?}, CloudFormation {y:?}")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                compare(&format!("{path}[{i}]"), x, y, diffs);
            }
        }
        (a, b) if a == b => {}
        (a, b) => diffs.push(format!("{path}: ECS {a}, CloudFormation {b}")),
    }
}

#[test]
fn ecs_and_cloudformation_agree_on_every_example() {
    let paths = programs();
    let mut diffs = Vec::new();
    let mut compared = 0;
    for path in &paths {
        let program = wharf::driver::compile(&wharf::driver::Disk, path, &Default::default())
            .unwrap_or_else(|f| panic!("{}: {:?}", path.display(), f.diags))
            .program;
        let Ok(ecs) = emit_ecs(&program) else {
            continue; // the ECS target refuses it; its snapshot shows why
        };
        let cfn = emit_cloudformation(&program, Format::Json).expect("CloudFormation emits");
        let template: Value = serde_json::from_str(&cfn[0].contents).unwrap();
        let resources = template["Resources"].as_object().unwrap();
        let find = |ty: &str, key: &str, name: &Value| {
            resources
                .values()
                .find(|r| r["Type"] == ty && &r["Properties"][key] == name)
                .map(|r| r["Properties"].clone())
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        compared += compare_surroundings(&name, &ecs, resources, &mut diffs);
        for a in &ecs {
            let v: Value = serde_json::from_str(&a.contents).unwrap();
            let (ty, key) = if a.path.starts_with("taskdefs/") {
                ("AWS::ECS::TaskDefinition", "family")
            } else if a.path.starts_with("services/") {
                ("AWS::ECS::Service", "serviceName")
            } else {
                continue;
            };
            let mut ecs_props = to_cfn(&v, None);
            let Some(mut cfn_props) = find(ty, &cfn_key(key), &v[key]) else {
                diffs.push(format!("{}: no {ty} for {}", path.display(), a.path));
                continue;
            };
            // The stack adds the service's own security group in front of the
            // given ones; the ECS target takes exactly the given ones.
            let groups = "/NetworkConfiguration/AwsvpcConfiguration/SecurityGroups";
            if cfn_props.pointer(groups).is_some() {
                let given = ecs_props.pointer(groups).and_then(Value::as_array);
                if given.is_none_or(|g| g.is_empty()) {
                    diffs.push(format!(
                        "{name}/{}: awsvpc service without security groups",
                        a.path
                    ));
                }
            }
            if let Some(Value::Array(g)) = cfn_props.pointer_mut(groups) {
                let generated = g.remove(0);
                if !is_reference(&generated) {
                    diffs.push(format!(
                        "{name}/{}: the stack's first group is not its own",
                        a.path
                    ));
                }
                if g.is_empty() {
                    if let Some(Value::Object(m)) =
                        cfn_props.pointer_mut("/NetworkConfiguration/AwsvpcConfiguration")
                    {
                        m.remove("SecurityGroups");
                    }
                }
            }
            if let Some(Value::Array(g)) = ecs_props.pointer(groups) {
                if g.is_empty() {
                    if let Some(Value::Object(m)) =
                        ecs_props.pointer_mut("/NetworkConfiguration/AwsvpcConfiguration")
                    {
                        m.remove("SecurityGroups");
                    }
                }
            }
            compare(
                &format!("{name}/{}", a.path),
                &ecs_props,
                &cfn_props,
                &mut diffs,
            );
            compared += 1;
        }
    }
    assert!(compared >= 20, "only {compared} definitions compared");
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

fn resources_of<'r>(resources: &'r Map<String, Value>, ty: &str) -> Vec<(&'r String, &'r Value)> {
    resources.iter().filter(|(_, r)| r["Type"] == ty).collect()
}

/// Log groups and auto scaling: every ECS input against its stack resource,
/// and every such resource against an ECS input. Returns how many matched.
fn compare_surroundings(
    name: &str,
    ecs: &[wharf::emit::Artifact],
    resources: &Map<String, Value>,
    diffs: &mut Vec<String>,
) -> usize {
    let under = |dir: &str| -> Vec<(String, Value)> {
        ecs.iter()
            .filter(|a| a.path.starts_with(dir))
            .map(|a| (a.path.clone(), serde_json::from_str(&a.contents).unwrap()))
            .collect()
    };
    let mut compared = 0;
    // Log groups: CreateLogGroup and PutRetentionPolicy vs AWS::Logs::LogGroup.
    let created = under("log_groups/");
    let retention = under("log_group_retention/");
    let stack_groups = resources_of(resources, "AWS::Logs::LogGroup");
    if created.len() != stack_groups.len() || retention.len() != stack_groups.len() {
        diffs.push(format!(
            "{name}: {} CreateLogGroup and {} PutRetentionPolicy inputs, {} stack log groups",
            created.len(),
            retention.len(),
            stack_groups.len()
        ));
    }
    for (path, v) in &created {
        let group = &v["logGroupName"];
        let Some((_, r)) = stack_groups
            .iter()
            .find(|(_, r)| &r["Properties"]["LogGroupName"] == group)
        else {
            diffs.push(format!(
                "{name}/{path}: no AWS::Logs::LogGroup named {group}"
            ));
            continue;
        };
        let days = retention
            .iter()
            .find(|(_, x)| &x["logGroupName"] == group)
            .map(|(_, x)| x["retentionInDays"].clone());
        if days.as_ref() != Some(&r["Properties"]["RetentionInDays"]) {
            diffs.push(format!(
                "{name}/{path}: retention {days:?}, stack {}",
                r["Properties"]["RetentionInDays"]
            ));
        }
        compared += 1;
    }
    // Auto scaling: PutScalingPolicy vs ScalingPolicy (by name), and the
    // RegisterScalableTarget of its service vs the policy's ScalableTarget.
    let targets = under("scalable_targets/");
    let policies = under("scaling_policies/");
    let stack_targets = resources_of(resources, "AWS::ApplicationAutoScaling::ScalableTarget");
    let stack_policies = resources_of(resources, "AWS::ApplicationAutoScaling::ScalingPolicy");
    if targets.len() != stack_targets.len() || policies.len() != stack_policies.len() {
        diffs.push(format!(
            "{name}: {} scalable targets and {} policies, stack {} and {}",
            targets.len(),
            policies.len(),
            stack_targets.len(),
            stack_policies.len()
        ));
    }
    for (path, p) in &policies {
        let Some((_, r)) = stack_policies
            .iter()
            .find(|(_, r)| r["Properties"]["PolicyName"] == p["PolicyName"])
        else {
            diffs.push(format!(
                "{name}/{path}: no stack scaling policy of that name"
            ));
            continue;
        };
        let props = &r["Properties"];
        for key in ["PolicyType", "TargetTrackingScalingPolicyConfiguration"] {
            compare(&format!("{name}/{path}.{key}"), &p[key], &props[key], diffs);
        }
        let target_id = props["ScalingTargetId"]["Ref"].as_str().unwrap_or_default();
        let stack_target = &resources[target_id]["Properties"];
        let ecs_target = targets
            .iter()
            .find(|(_, t)| t["ResourceId"] == p["ResourceId"])
            .map(|(_, t)| t);
        let Some(ecs_target) = ecs_target else {
            diffs.push(format!(
                "{name}/{path}: no RegisterScalableTarget for {}",
                p["ResourceId"]
            ));
            continue;
        };
        for key in [
            "ServiceNamespace",
            "ScalableDimension",
            "MinCapacity",
            "MaxCapacity",
        ] {
            compare(
                &format!("{name}/{path}.{key}"),
                &ecs_target[key],
                &stack_target[key],
                diffs,
            );
        }
        for key in ["ServiceNamespace", "ScalableDimension"] {
            if p[key] != ecs_target[key] {
                diffs.push(format!("{name}/{path}.{key}: policy and target differ"));
            }
        }
        compared += 1;
    }
    compared
}

/// The `UpdateService` input says what the `CreateService` input says, for
/// every member both operations have.
#[test]
fn update_service_repeats_create_service() {
    let mut checked = 0;
    for path in programs() {
        let program = wharf::driver::compile(&wharf::driver::Disk, &path, &Default::default())
            .unwrap_or_else(|f| panic!("{}: {:?}", path.display(), f.diags))
            .program;
        let Ok(ecs) = emit_ecs(&program) else {
            continue;
        };
        for a in ecs.iter().filter(|a| a.path.starts_with("services/")) {
            let create: Value = serde_json::from_str(&a.contents).unwrap();
            let update_path = a.path.replace("services/", "service_updates/");
            let update = ecs
                .iter()
                .find(|u| u.path == update_path)
                .unwrap_or_else(|| panic!("{}: no {update_path}", path.display()));
            let update: Value = serde_json::from_str(&update.contents).unwrap();
            assert_eq!(update["service"], create["serviceName"]);
            for (k, v) in update.as_object().unwrap() {
                if k == "service" {
                    continue;
                }
                let empty = v.as_array().is_some_and(|x| x.is_empty());
                match create.get(k) {
                    Some(c) => assert_eq!(c, v, "{}: {k}", a.path),
                    None => assert!(empty, "{}: {k} only in the update", a.path),
                }
            }
            for k in ["launchType", "schedulingStrategy", "tags", "serviceName"] {
                assert!(
                    update.get(k).is_none(),
                    "{}: UpdateService has no {k}",
                    a.path
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} services checked");
}
