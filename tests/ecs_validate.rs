//! The ECS API JSON of every fixture program, checked by botocore: task
//! definitions and services with `shared/tools/validate_ecs.py` (the check
//! `aws ecs ... --cli-input-json` runs), clusters and capacity providers
//! with botocore's `ParamValidator` on the `CreateCluster` and
//! `CreateCapacityProvider` input shapes. Skipped, with a printed reason,
//! only when python3 or botocore is missing.

#[path = "common/ecs_programs.rs"]
mod programs;

use std::path::{Path, PathBuf};
use std::process::Command;

use wharf::emit::ecs::emit_ecs;

/// Validates files against an operation's input shape; exits 1 on any error.
const VALIDATE_BY_OPERATION: &str = r#"
import json, sys
import botocore.session
from botocore.validate import ParamValidator
model = botocore.session.get_session().get_service_model("ecs")
shape = model.operation_model(sys.argv[1]).input_shape
failed = 0
for path in sys.argv[2:]:
    report = ParamValidator().validate(json.load(open(path)), shape)
    if report.has_errors():
        failed += 1
        print("FAIL", path, report.generate_report())
    else:
        print("OK  ", path)
sys.exit(1 if failed else 0)
"#;

fn botocore_available() -> Result<(), String> {
    match Command::new("python3")
        .args(["-c", "import botocore"])
        .output()
    {
        Err(e) => Err(format!("python3 not runnable: {e}")),
        Ok(o) if !o.status.success() => Err("python3 has no botocore module".into()),
        Ok(_) => Ok(()),
    }
}

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

#[test]
fn fixture_outputs_pass_botocore_validation() {
    if let Err(reason) = botocore_available() {
        println!("skipped: {reason}");
        return;
    }
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/validate_ecs.py");
    assert!(tool.is_file(), "validator not found at {}", tool.display());

    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ecs_validate");
    let _ = std::fs::remove_dir_all(&out);
    let mut counts = [0usize; 4];
    for (name, program) in programs::all() {
        let dir = out.join(name);
        for a in emit_ecs(&program).unwrap_or_else(|d| panic!("{name}: {d:#?}")) {
            let path = dir.join(&a.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &a.contents).unwrap();
        }
        let taskdefs = files_under(&dir, "taskdefs");
        let services = files_under(&dir, "services");
        let clusters = files_under(&dir, "clusters");
        let providers = files_under(&dir, "capacity_providers");
        assert!(!taskdefs.is_empty(), "{name} has no task definition");
        for (kind, files) in [("taskdef", &taskdefs), ("service", &services)] {
            if !files.is_empty() {
                run(Command::new("python3")
                    .arg(&tool)
                    .args(["--kind", kind])
                    .args(files));
            }
        }
        for (operation, files) in [
            ("CreateCluster", &clusters),
            ("CreateCapacityProvider", &providers),
        ] {
            if !files.is_empty() {
                run(Command::new("python3")
                    .args(["-c", VALIDATE_BY_OPERATION, operation])
                    .args(files));
            }
        }
        for (i, n) in [&taskdefs, &services, &clusters, &providers]
            .iter()
            .map(|f| f.len())
            .enumerate()
        {
            counts[i] += n;
        }
    }
    // Every kind of document was exercised.
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
    println!(
        "validated {} task definitions, {} services, {} clusters, {} capacity providers",
        counts[0], counts[1], counts[2], counts[3]
    );
}
