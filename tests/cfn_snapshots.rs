//! Snapshots of the CloudFormation backend on hand-built programs, plus the
//! properties the split must keep (limits, imports matching earlier exports).

mod cfn_common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use wharf::driver::{Compiled, Disk};
use wharf::emit::cloudformation::{emit_cloudformation, Format};
use wharf::emit::{render_artifacts, Artifact};
use wharf::ir::Program;

fn emit(p: &Program, f: Format) -> Vec<Artifact> {
    match emit_cloudformation(p, f) {
        Ok(a) => a,
        Err(d) => panic!("unexpected diagnostics: {d:#?}"),
    }
}

fn snapshot(name: &str, p: &Program, f: Format) {
    let out = render_artifacts(&emit(p, f));
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, out));
}

#[test]
fn fargate_web_json() {
    snapshot(
        "cfn_fargate_web_json",
        &cfn_common::fargate_web(),
        Format::Json,
    );
}

#[test]
fn fargate_web_yaml() {
    snapshot(
        "cfn_fargate_web_yaml",
        &cfn_common::fargate_web(),
        Format::Yaml,
    );
}

#[test]
fn ec2_bridge_json() {
    snapshot(
        "cfn_ec2_bridge_json",
        &cfn_common::ec2_bridge(),
        Format::Json,
    );
}

#[test]
fn private_network_json() {
    snapshot(
        "cfn_private_network_json",
        &cfn_common::private_network(),
        Format::Json,
    );
}

#[test]
fn private_network_yaml() {
    snapshot(
        "cfn_private_network_yaml",
        &cfn_common::private_network(),
        Format::Yaml,
    );
}

/// Every example's stack (JSON), or its diagnostics when CloudFormation
/// cannot express it, as `snapshots/cfn_examples@<file>.snap`.
#[test]
fn examples() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::glob!("../examples", "*.wharf", |path| {
            let out = match wharf::driver::compile(&Disk, path, &Default::default()) {
                Ok(Compiled {
                    sources, program, ..
                }) => match emit_cloudformation(&program, Format::Json) {
                    Ok(a) => render_artifacts(&a),
                    Err(d) => format!(
                        "----- REFUSED\n{}",
                        wharf::diag::render::human(&sources, &d, false)
                    ),
                },
                Err(f) => panic!("{} does not check: {:?}", path.display(), f.diags),
            };
            insta::assert_snapshot!("cfn_examples", out);
        });
    });
}

#[test]
fn output_is_deterministic() {
    let p = cfn_common::fargate_web();
    assert_eq!(emit(&p, Format::Json), emit(&p, Format::Json));
    assert_eq!(emit(&p, Format::Yaml), emit(&p, Format::Yaml));
}

#[test]
fn unused_inputs_are_not_parameters() {
    let a = emit(&cfn_common::ec2_bridge(), Format::Json);
    let t: Value = serde_json::from_str(&a[0].contents).unwrap();
    let params: Vec<&String> = t["Parameters"].as_object().unwrap().keys().collect();
    assert_eq!(params, ["VpcId", "PublicSubnets", "AsgArn"]);
}

#[test]
fn no_star_resources_but_ecr_auth_and_exec() {
    for p in [
        cfn_common::fargate_web(),
        cfn_common::ec2_bridge(),
        cfn_common::private_network(),
    ] {
        let t: Value = serde_json::from_str(&emit(&p, Format::Json)[0].contents).unwrap();
        for (id, r) in t["Resources"].as_object().unwrap() {
            if r["Type"] != "AWS::IAM::Role" {
                continue;
            }
            for policy in r["Properties"]["Policies"].as_array().into_iter().flatten() {
                for st in policy["PolicyDocument"]["Statement"].as_array().unwrap() {
                    if st["Resource"] == "*" {
                        let sid = st["Sid"].as_str().unwrap_or("");
                        assert!(sid == "EcrAuthorization" || sid == "EcsExec", "{id}: {st}");
                    }
                }
            }
        }
    }
}

/// Every `Fn::ImportValue` name in `v`.
fn imports(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(s)) = m.get("Fn::ImportValue") {
                out.insert(s.clone());
            }
            m.values().for_each(|x| imports(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| imports(x, out)),
        _ => {}
    }
}

/// The services of each service stack, in deploy order: (file, first, last)
/// read from the stacks' descriptions.
fn service_stacks(artifacts: &[Artifact]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for a in artifacts.iter().filter(|a| a.path.ends_with(".json")) {
        let t: Value = serde_json::from_str(&a.contents).unwrap();
        let d = t["Description"].as_str().unwrap();
        let names: Vec<&str> = d.split('`').skip(3).step_by(2).collect();
        match names.as_slice() {
            [one] => out.push((a.path.clone(), one.to_string(), one.to_string())),
            [first, last] => out.push((a.path.clone(), first.to_string(), last.to_string())),
            _ => {}
        }
    }
    out
}

#[test]
fn three_hundred_services_split_into_joined_stacks() {
    let p = cfn_common::many_services("fleet", 300);
    let artifacts = emit(&p, Format::Json);
    // shared + stacks of consecutive services + links + deploy-order.txt
    let paths: Vec<&str> = artifacts.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "fleet-shared.json",
            "fleet-svc000.json",
            "fleet-svc005.json",
            "fleet-svc056.json",
            "fleet-svc070.json",
            "fleet-svc122.json",
            "fleet-svc153.json",
            "fleet-svc179.json",
            "fleet-svc197.json",
            "fleet-svc214.json",
            "fleet-svc269.json",
            "fleet-links.json",
            "deploy-order.txt"
        ]
    );
    // Every service is in exactly one stack, in declaration order, and
    // each stack is named after its first service.
    let stacks = service_stacks(&artifacts);
    let mut next = 0;
    for (file, first, last) in &stacks {
        assert_eq!(first, &format!("svc{next:03}"));
        assert_eq!(file, &format!("fleet-{first}.json"));
        next = last[3..].parse::<usize>().unwrap() + 1;
    }
    assert_eq!(next, 300);
    let order = &artifacts.last().unwrap();
    assert_eq!(order.path, "deploy-order.txt");
    let mut step_of: BTreeMap<String, usize> = BTreeMap::new();
    for line in order.contents.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split(' ').collect();
        step_of.insert(f[2].to_string(), f[0].parse().unwrap());
    }
    assert_eq!(step_of["fleet-shared.json"], 1);
    assert_eq!(step_of["fleet-svc000.json"], 2);
    // svc005 calls svc004: the links stack imports from both stacks.
    assert_eq!(step_of["fleet-svc005.json"], 2);
    assert_eq!(step_of["fleet-links.json"], 3);
    // export name -> step of the stack exporting it
    let mut exported: BTreeMap<String, usize> = BTreeMap::new();
    let mut templates = Vec::new();
    for a in &artifacts[..artifacts.len() - 1] {
        let t: Value = serde_json::from_str(&a.contents).unwrap();
        assert!(t["Resources"].as_object().unwrap().len() <= 500);
        assert!(t.get("Outputs").map_or(0, |o| o.as_object().unwrap().len()) <= 200);
        assert!(a.contents.len() <= 1_048_576);
        for o in t
            .get("Outputs")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(name) = o.1["Export"]["Name"].as_str() {
                exported.insert(name.to_string(), step_of[&a.path]);
            }
        }
        templates.push((a.path.clone(), t));
    }
    let mut total_imports = 0;
    for (path, t) in &templates {
        let mut used = BTreeSet::new();
        imports(t, &mut used);
        total_imports += used.len();
        for name in used {
            let step = exported
                .get(&name)
                .unwrap_or_else(|| panic!("{path}: no export {name}"));
            assert!(
                *step < step_of[path],
                "{path} imports {name} from a later step"
            );
        }
    }
    // Each service's stack imports the shared stack's cluster, listener and
    // network; the links stack imports both sides of each caller rule.
    assert!(total_imports > 300, "{total_imports}");
    let svc = artifacts
        .iter()
        .find(|a| a.path == "fleet-svc000.json")
        .unwrap();
    let head: String = order
        .contents
        .lines()
        .take(12)
        .collect::<Vec<_>>()
        .join("\n");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!("cfn_split_deploy_order_head", head);
        insta::assert_snapshot!("cfn_split_service_stack", svc.contents);
    });
}

/// Where the services go depends on their names, not their positions:
/// adding a service at the end, or removing one in the middle, leaves every
/// other stack's services where they were.
#[test]
fn packing_is_stable_under_adding_and_removing_services() {
    let before = service_stacks(&emit(
        &cfn_common::many_services("fleet", 300),
        Format::Json,
    ));
    let added = service_stacks(&emit(
        &cfn_common::many_services("fleet", 301),
        Format::Json,
    ));
    let mut expected = before.clone();
    expected.last_mut().unwrap().2 = "svc300".into();
    assert_eq!(added, expected);
    // Without svc100 (svc101 then calls svc099): only its stack changes.
    let mut p = cfn_common::many_services("fleet", 300);
    p.services.remove(100);
    p.services[100].callers[0].service = "svc099".into();
    let removed = service_stacks(&emit(&p, Format::Json));
    let holds_100 = |s: &&(String, String, String)| {
        s.1[3..].parse::<usize>().unwrap() <= 100 && s.2[3..].parse::<usize>().unwrap() >= 100
    };
    let unchanged: Vec<_> = before.iter().filter(|s| !holds_100(s)).collect();
    let kept: Vec<_> = removed.iter().filter(|s| !holds_100(s)).collect();
    assert_eq!(kept, unchanged);
    assert_eq!(removed.len(), before.len());
}

#[test]
fn small_programs_are_not_split() {
    let artifacts = emit(&cfn_common::many_services("fleet", 10), Format::Yaml);
    assert_eq!(artifacts.len(), 1);
    assert_eq!(artifacts[0].path, "fleet.yaml");
}

#[test]
fn inexpressible_constructs_are_coded_diagnostics() {
    let mut p = cfn_common::private_network();
    let second = p.services[0].exposures[0].clone();
    p.services[1].exposures.push(second);
    if let wharf::ir::NetworkKind::Created(c) = &mut p.networks[0].kind {
        c.cidr = "10.0.0.0/26".into();
    }
    let diags = emit_cloudformation(&p, Format::Json).unwrap_err();
    let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"E0509"), "{codes:?}");
    assert!(codes.contains(&"E0510"), "{codes:?}");
    assert!(diags.iter().all(|d| d.help.is_some()));
}

#[test]
fn caller_rules_are_cut_into_links_stacks() {
    // 849 caller rules: more than one stack may hold.
    let artifacts = emit(&cfn_common::many_services("big", 850), Format::Json);
    let links: Vec<&str> = artifacts
        .iter()
        .map(|a| a.path.as_str())
        .filter(|p| p.starts_with("big-links"))
        .collect();
    assert_eq!(
        links,
        ["big-links-1.json", "big-links-2.json", "big-links-3.json"]
    );
    let order = &artifacts.last().unwrap().contents;
    assert!(order.contains("3 big-links-3 big-links-3.json"), "{order}");
}
