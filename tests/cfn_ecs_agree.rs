//! The CloudFormation and ECS API backends must agree field by field: for
//! every example, each `RegisterTaskDefinition` / `CreateService` input of the
//! ECS backend, with its keys in CloudFormation's spelling, equals the
//! properties of the matching `AWS::ECS::TaskDefinition` / `AWS::ECS::Service`.
//!
//! Where CloudFormation holds a reference (`Ref`, `Fn::GetAtt`, `Fn::Sub`) the
//! ECS side holds the resolved value; those fields are not compared. The
//! differences that are by design are listed in `expected_difference`.

use serde_json::{Map, Value};
use wharf::emit::cloudformation::{emit_cloudformation, Format};
use wharf::emit::ecs::emit_ecs;

/// ECS key -> CloudFormation property name, where it is not just PascalCase.
fn cfn_key(k: &str) -> String {
    match k {
        "efsVolumeConfiguration" => "EFSVolumeConfiguration".into(),
        "fileSystemId" => "FilesystemId".into(),
        "placementStrategy" => "PlacementStrategies".into(),
        "iam" => "IAM".into(),
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
                .map(|(k, x)| (cfn_key(k), to_cfn(x, Some(k))))
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
    // The stack creates every log group, so nothing needs awslogs to create one.
    path.ends_with(".Options.awslogs-create-group") && cfn.is_none()
        // CloudFormation's PropagateTags has no NONE; leaving it out means none.
        || path.ends_with(".PropagateTags") && ecs == Some(&Value::from("NONE")) && cfn.is_none()
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
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wharf"))
        .collect();
    paths.sort();
    let mut diffs = Vec::new();
    let mut compared = 0;
    for path in &paths {
        let (_, program) = wharf::cli::load::compile(path, &Default::default(), None)
            .unwrap_or_else(|f| panic!("{}: {:?}", path.display(), f.diags));
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
            // The stack adds the service's own security group in front of the given ones.
            let groups = "/NetworkConfiguration/AwsvpcConfiguration/SecurityGroups";
            if let Some(Value::Array(g)) = cfn_props.pointer_mut(groups) {
                g.remove(0);
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
            let name = path.file_name().unwrap().to_string_lossy();
            compare(
                &format!("{name}/{}", a.path),
                &ecs_props,
                &cfn_props,
                &mut diffs,
            );
            compared += 1;
        }
    }
    assert!(compared >= 10, "only {compared} definitions compared");
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}
