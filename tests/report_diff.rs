//! `wharf diff` through the real binary: a shipped example against an
//! edited copy, exact text (snapshot), replacements flagged from the
//! create-only properties, JSON output, `--exit-code`, and bad input.

use std::path::PathBuf;
use std::process::{Command, Output};

fn wharf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("AWS_REGION")
        .env_remove("IMAGE_TAG")
        .env_remove("SUBNETS")
        .output()
        .expect("the wharf binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("output is UTF-8")
}

/// An example with text replaced, written to a scratch file.
fn edited(example: &str, name: &str, edits: &[(&str, &str)]) -> PathBuf {
    let src = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example),
    )
    .unwrap();
    let mut out = src.clone();
    for (from, to) in edits {
        assert!(out.contains(from), "{example} contains {from:?}");
        out = out.replace(from, to);
    }
    let dir = std::env::temp_dir().join(format!("wharf-diff-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(example);
    std::fs::write(&file, out).unwrap();
    file
}

fn web_alb_edited() -> PathBuf {
    edited(
        "web-alb.wharf",
        "alb",
        &[
            ("count 3", "count 4"),
            ("  public\n", "  internal\n"),
            ("port 3000", "port 3001"),
            ("web:3000", "web:3001"),
            ("port: 3000", "port: 3001"),
        ],
    )
}

#[test]
fn web_alb_changes_in_terraform_plan_form() {
    let new = web_alb_edited();
    let out = wharf(&["diff", "examples/web-alb.wharf", new.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("diff_web_alb_cloudformation", stdout));
    // The examples of replacement: a load balancer's scheme.
    assert!(stdout.contains(
        "-/+ EdgeLoadBalancer (AWS::ElasticLoadBalancingV2::LoadBalancer) must be REPLACED\n"
    ));
    assert!(stdout
        .contains("      ~ Scheme: \"internet-facing\" -> \"internal\" # forces replacement\n"));
    assert!(stdout.contains("  ~ ApiService (AWS::ECS::Service) will be updated in place\n      ~ DesiredCount: 3 -> 4\n"));
}

#[test]
fn exit_code_flag_says_whether_anything_changed() {
    let new = web_alb_edited();
    let out = wharf(&[
        "diff",
        "examples/web-alb.wharf",
        new.to_str().unwrap(),
        "--exit-code",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = wharf(&[
        "diff",
        "examples/web-alb.wharf",
        "examples/web-alb.wharf",
        "--exit-code",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "No changes.\n");
}

#[test]
fn family_and_task_size_replace_the_task_definition_json() {
    let new = edited(
        "my-app.wharf",
        "myapp",
        &[
            ("cpu 0.25vcpu", "cpu 0.5vcpu"),
            ("memory 512MiB", "memory 1GiB"),
            ("count 3", "count 5"),
        ],
    );
    let out = wharf(&[
        "diff",
        "examples/my-app.wharf",
        new.to_str().unwrap(),
        "--message-format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(
        v["summary"],
        serde_json::json!({"create": 0, "update": 1, "replace": 1, "delete": 0})
    );
    let td = &v["changes"][0];
    assert_eq!(td["resource"], "MyAppTaskDefinition");
    assert_eq!(td["action"], "replace");
    assert_eq!(
        td["fields"][0],
        serde_json::json!({"path": "Cpu", "old": "256", "new": "512", "forces_replacement": true})
    );
    let svc = &v["changes"][1];
    assert_eq!(svc["action"], "update");
    assert_eq!(
        svc["fields"][0],
        serde_json::json!({"path": "DesiredCount", "old": 3, "new": 5, "forces_replacement": false})
    );
}

#[test]
fn ecs_target_compares_file_by_file() {
    let new = edited("my-app.wharf", "ecs", &[("count 3", "count 5")]);
    let out = wharf(&[
        "diff",
        "examples/my-app.wharf",
        new.to_str().unwrap(),
        "--target",
        "ecs",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "  ~ service_updates/web-service.json (service_updates) will be updated in place\n      ~ desiredCount: 3 -> 5\n  ~ services/web-service.json (services) will be updated in place\n      ~ desiredCount: 3 -> 5\n\nPlan: 0 to add, 2 to change, 0 to replace, 0 to destroy.\n"
    );
}

#[test]
fn a_program_with_errors_is_reported_not_diffed() {
    let out = wharf(&[
        "diff",
        "examples/my-app.wharf",
        "tests/fixtures/errors/E0201_unknown_task.wharf",
        "--color",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("[E0201]"),
        "{}",
        text(&out.stderr)
    );
}

/// The embedded create-only table is what `scripts/create_only.py` extracts
/// from the pinned cfn-lint (installed by `scripts/validators.sh`).
#[test]
fn create_only_table_matches_cfn_lint() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/validators/bin/python");
    if !python.exists() {
        println!("SKIPPED: cfn-lint is not installed (bash scripts/validators.sh)");
        return;
    }
    let out_file =
        std::env::temp_dir().join(format!("wharf-create-only-{}.json", std::process::id()));
    let out = Command::new(&python)
        .arg(root.join("scripts/create_only.py"))
        .arg(&out_file)
        .output()
        .expect("python runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let fresh = std::fs::read_to_string(&out_file).unwrap();
    let _ = std::fs::remove_file(&out_file);
    let embedded = std::fs::read_to_string(root.join("src/report/create_only.json")).unwrap();
    assert_eq!(
        fresh, embedded,
        "run scripts/create_only.py to refresh src/report/create_only.json"
    );
}

#[test]
fn sarif_success_prints_only_the_report() {
    let out = wharf(&[
        "diff",
        "examples/my-app.wharf",
        "examples/my-app.wharf",
        "--message-format",
        "sarif",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(v["changes"], serde_json::json!([]));
    let out = wharf(&[
        "diff",
        "examples/my-app.wharf",
        "tests/fixtures/errors/E0201_unknown_task.wharf",
        "--message-format",
        "sarif",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one SARIF log");
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "E0201");
}

#[test]
fn a_built_folder_is_compared_with_a_program() {
    let dir = std::env::temp_dir().join(format!("wharf-diff-built-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = wharf(&[
        "build",
        "examples/my-app.wharf",
        "--target",
        "cloudformation",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let same = wharf(&[
        "diff",
        dir.to_str().unwrap(),
        "examples/my-app.wharf",
        "--exit-code",
    ]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));
    assert_eq!(text(&same.stdout), "No changes.\n");
    let new = edited("my-app.wharf", "built", &[("count 3", "count 4")]);
    let changed = wharf(&["diff", dir.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(
        text(&changed.stdout),
        "  ~ WebServiceService (AWS::ECS::Service) will be updated in place\n      ~ DesiredCount: 3 -> 4\n\nPlan: 0 to add, 1 to change, 0 to replace, 0 to destroy.\n"
    );
    // A folder Wharf did not write is refused with a code.
    std::fs::remove_file(dir.join(".wharf-output")).unwrap();
    let refused = wharf(&[
        "diff",
        dir.to_str().unwrap(),
        "examples/my-app.wharf",
        "--message-format",
        "json",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(refused.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&refused.stdout).expect("a JSON diagnostic");
    assert_eq!(v["code"], "E0512");
}
