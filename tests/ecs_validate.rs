//! The ECS API JSON of every fixture program, checked by botocore: task
//! definitions and services with `tools/validate_ecs.py` (the check
//! `aws ecs ... --cli-input-json` runs), clusters and capacity providers
//! with botocore's `ParamValidator` on the `CreateCluster` and
//! `CreateCapacityProvider` input shapes. botocore comes from
//! `scripts/validators.sh` (see `tests/support/validators.rs`).

#[path = "common/ecs_programs.rs"]
mod programs;
#[path = "support/validators.rs"]
mod validators;

use std::path::{Path, PathBuf};
use std::process::Command;

use wharf::emit::ecs::emit_ecs;

/// Validates files against an operation's input shape; exits 1 on any error.
const VALIDATE_BY_OPERATION: &str = r#"
import json, sys
import botocore.session
from botocore.validate import ParamValidator
model = botocore.session.get_session().get_service_model(sys.argv[1])
shape = model.operation_model(sys.argv[2]).input_shape
failed = 0
for path in sys.argv[3:]:
    report = ParamValidator().validate(json.load(open(path)), shape)
    if report.has_errors():
        failed += 1
        print("FAIL", path, report.generate_report())
    else:
        print("OK  ", path)
sys.exit(1 if failed else 0)
"#;

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    print!("{stdout}{stderr}");
    assert!(out.status.success(), "{cmd:?} failed:\n{stdout}{stderr}");
}

fn files_under(dir: &Path, sub: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// The ECS target's other directories: each holds inputs of one operation
/// of one AWS service, validated against that operation's input shape.
const OTHER_KINDS: &[(&str, &str, &str)] = &[
    ("service_updates", "ecs", "UpdateService"),
    ("run_tasks", "ecs", "RunTask"),
    ("schedules", "scheduler", "CreateSchedule"),
    ("schedule_roles", "iam", "CreateRole"),
    ("schedule_role_policies", "iam", "PutRolePolicy"),
    ("queues", "sqs", "CreateQueue"),
    ("queue_policies", "iam", "PutRolePolicy"),
    ("log_groups", "logs", "CreateLogGroup"),
    ("log_group_retention", "logs", "PutRetentionPolicy"),
    (
        "scalable_targets",
        "application-autoscaling",
        "RegisterScalableTarget",
    ),
    (
        "scaling_policies",
        "application-autoscaling",
        "PutScalingPolicy",
    ),
];

/// Validates the other kinds (`OTHER_KINDS`) under `dirs`; returns how many
/// documents of each kind.
fn validate_other_kinds(dirs: &[PathBuf]) -> Vec<usize> {
    OTHER_KINDS
        .iter()
        .map(|(sub, service, operation)| {
            let files: Vec<PathBuf> = dirs.iter().flat_map(|d| files_under(d, sub)).collect();
            if !files.is_empty() {
                run(validators::python()
                    .args(["-c", VALIDATE_BY_OPERATION, service, operation])
                    .args(&files));
            }
            files.len()
        })
        .collect()
}

/// Validates every document of every program directory in `dirs`, one
/// python run per kind (botocore takes a second to load); returns how many
/// of each kind (task definitions, services, clusters, capacity providers).
fn validate_dirs(tool: &Path, dirs: &[PathBuf]) -> [usize; 4] {
    validate_other_kinds(dirs);
    validate_ecs_kinds(tool, dirs)
}

fn validate_ecs_kinds(tool: &Path, dirs: &[PathBuf]) -> [usize; 4] {
    let gather =
        |sub: &str| -> Vec<PathBuf> { dirs.iter().flat_map(|d| files_under(d, sub)).collect() };
    let taskdefs = gather("taskdefs");
    let services = gather("services");
    let clusters = gather("clusters");
    let providers = gather("capacity_providers");
    for (kind, files) in [("taskdef", &taskdefs), ("service", &services)] {
        if !files.is_empty() {
            run(validators::python()
                .arg(tool)
                .args(["--kind", kind])
                .args(files));
        }
    }
    for (operation, files) in [
        ("CreateCluster", &clusters),
        ("CreateCapacityProvider", &providers),
    ] {
        if !files.is_empty() {
            run(validators::python()
                .args(["-c", VALIDATE_BY_OPERATION, "ecs", operation])
                .args(files));
        }
    }
    [
        taskdefs.len(),
        services.len(),
        clusters.len(),
        providers.len(),
    ]
}

fn write_artifacts(dir: &Path, artifacts: &[wharf::emit::Artifact]) {
    let _ = std::fs::remove_dir_all(dir);
    for a in artifacts {
        let path = dir.join(&a.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &a.contents).unwrap();
    }
}

/// The validator, or `None` (reported by `validators::skip`) when botocore
/// cannot be imported.
fn validator(test: &str) -> Option<PathBuf> {
    if !validators::python_has("botocore") {
        validators::skip(test, "python3 with botocore not found");
        return None;
    }
    Some(validators::validate_ecs_py())
}

#[test]
fn fixture_outputs_pass_botocore_validation() {
    let Some(tool) = validator("fixture_outputs_pass_botocore_validation") else {
        return;
    };
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ecs_validate/fixtures");
    let mut dirs = Vec::new();
    for (name, program) in programs::all() {
        let dir = out.join(name);
        write_artifacts(
            &dir,
            &emit_ecs(&program).unwrap_or_else(|d| panic!("{name}: {d:#?}")),
        );
        assert!(
            !files_under(&dir, "taskdefs").is_empty(),
            "{name} has no task definition"
        );
        dirs.push(dir);
    }
    let total = validate_dirs(&tool, &dirs);
    // Every kind of document was exercised.
    assert!(total.iter().all(|&n| n > 0), "{total:?}");
    println!(
        "validated {} task definitions, {} services, {} clusters, {} capacity providers",
        total[0], total[1], total[2], total[3]
    );
}

/// `examples/*.wharf` built for the ECS target. The examples that ask for
/// what only CloudFormation creates (security group rules of their own,
/// request-count scaling) are refused with E05xx codes, and exactly those;
/// every other example builds and passes botocore.
#[test]
fn examples_pass_botocore_validation() {
    let Some(tool) = validator("examples_pass_botocore_validation") else {
        return;
    };
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&examples)
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    sources.retain(|p| p.extension().is_some_and(|e| e == "wharf"));
    sources.sort();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ecs_validate/examples");
    let mut dirs = Vec::new();
    let mut skipped = 0;
    let refused = [
        "discovery",
        "ec2-capacity",
        "service-connect",
        "web-alb",
        "worker",
        "worker-queue",
    ];
    for path in &sources {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let program = match wharf::driver::compile(&wharf::driver::Disk, path, &Default::default())
        {
            Ok(compiled) => compiled.program,
            Err(failed) => panic!("{name} does not compile: {:#?}", failed.diags),
        };
        match emit_ecs(&program) {
            Ok(_) if refused.contains(&name.as_str()) => {
                panic!("{name}: expected the ECS target to refuse it")
            }
            Ok(artifacts) => {
                let dir = out.join(&name);
                write_artifacts(&dir, &artifacts);
                dirs.push(dir);
            }
            Err(diags)
                if refused.contains(&name.as_str())
                    && diags.iter().all(|d| d.code.as_str().starts_with("E05")) =>
            {
                let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
                println!("{name}: not buildable for --target ecs ({codes:?})");
                skipped += 1;
            }
            Err(diags) => panic!("{name}: {diags:#?}"),
        }
    }
    let built = dirs.len();
    let total = validate_dirs(&tool, &dirs);
    println!(
        "examples: {built} built and validated, {skipped} need CloudFormation; \
         {} task definitions, {} services, {} clusters, {} capacity providers",
        total[0], total[1], total[2], total[3]
    );
    assert!(built > 0 || sources.is_empty(), "no example builds for ECS");
}

/// The agreement programs (`tests/fixtures/agree/`) carry what the examples
/// the ECS target accepts do not: auto scaling and owned log groups. Every
/// kind of input the ECS target writes is validated at least once here.
#[test]
fn agreement_programs_pass_botocore_validation() {
    let Some(tool) = validator("agreement_programs_pass_botocore_validation") else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/agree");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wharf"))
        .collect();
    sources.sort();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ecs_validate/agree");
    let mut dirs = Vec::new();
    for path in &sources {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let program = wharf::driver::compile(&wharf::driver::Disk, path, &Default::default())
            .unwrap_or_else(|f| panic!("{name}: {:#?}", f.diags))
            .program;
        let artifacts = emit_ecs(&program).unwrap_or_else(|d| panic!("{name}: {d:#?}"));
        let dir = out.join(&name);
        write_artifacts(&dir, &artifacts);
        dirs.push(dir);
    }
    let main = validate_ecs_kinds(&tool, &dirs);
    let other = validate_other_kinds(&dirs);
    assert!(main[0] > 0 && main[1] > 0, "{main:?}");
    assert!(other.iter().all(|&n| n > 0), "{other:?}");
    println!("agreement programs: {main:?} {other:?} (other kinds: {OTHER_KINDS:?})");
}
