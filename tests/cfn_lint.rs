//! Runs AWS's `cfn-lint` over the CloudFormation templates of every
//! `examples/*.wharf` and of the hand-built test programs, in JSON and YAML, and
//! requires zero errors and zero warnings. Skips (with a message) when
//! `cfn-lint` is not installed. Set `WHARF_CFN_OUT=<dir>` to keep the
//! templates (the deploy test script uses them).

mod cfn_common;

use std::path::{Path, PathBuf};
use std::process::Command;

use wharf::emit::cloudformation::{emit_cloudformation, Format};
use wharf::ir::Program;

/// Every `examples/*.wharf`, checked (panics with the diagnostics if one does not).
pub fn examples() -> Vec<Program> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "wharf"));
    paths.sort();
    paths
        .iter()
        .map(
            |p| match wharf::cli::load::compile(p, &Default::default(), None) {
                Ok((_, program)) => program,
                Err(f) => panic!(
                    "{} does not check:\n{}",
                    p.display(),
                    wharf::diag::render::human(&f.sources, &f.diags, false)
                ),
            },
        )
        .collect()
}

fn programs() -> Vec<Program> {
    let mut all = examples();
    all.extend([
        cfn_common::fargate_web(),
        cfn_common::ec2_bridge(),
        cfn_common::private_network(),
        cfn_common::many_services("fleet-small", 12),
        cfn_common::many_services("fleet-split", 50),
    ]);
    all
}

fn write(dir: &Path, p: &Program, format: Format) -> Vec<PathBuf> {
    let sub = dir.join(format.extension()).join(&p.name);
    std::fs::create_dir_all(&sub).unwrap();
    let artifacts = emit_cloudformation(p, format)
        .unwrap_or_else(|d| panic!("{}: unexpected diagnostics {d:#?}", p.name));
    let mut templates = Vec::new();
    for a in &artifacts {
        let path = sub.join(&a.path);
        std::fs::write(&path, &a.contents).unwrap();
        if a.path.ends_with(format.extension()) {
            templates.push(path);
        }
    }
    templates
}

fn cfn_lint_available() -> bool {
    Command::new("cfn-lint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn cfn_lint_is_clean() {
    let dir = match std::env::var_os("WHARF_CFN_OUT") {
        Some(d) => PathBuf::from(d),
        None => std::env::temp_dir().join(format!("wharf-cfn-lint-{}", std::process::id())),
    };
    let mut files = Vec::new();
    for format in [Format::Json, Format::Yaml] {
        for p in programs() {
            files.extend(write(&dir, &p, format));
        }
        // A split program: lint the shared, two service and the links stacks.
        let split = write(&dir, &cfn_common::many_services("fleet", 300), format);
        files.extend(split.into_iter().filter(|f| {
            let n = f.file_name().unwrap().to_string_lossy().to_string();
            n.starts_with("fleet-shared")
                || n.starts_with("fleet-svc000")
                || n.starts_with("fleet-svc299")
                || n.starts_with("fleet-links")
        }));
    }
    if !cfn_lint_available() {
        eprintln!(
            "SKIPPED: cfn-lint not found on PATH (pip install cfn-lint); {} templates not linted",
            files.len()
        );
        return;
    }
    let out = Command::new("cfn-lint")
        .args(["--format", "parseable", "--"])
        .args(&files)
        .output()
        .expect("cfn-lint runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cfn-lint found problems (exit {:?}):\n{report}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("cfn-lint: {} templates clean", files.len());
    if std::env::var_os("WHARF_CFN_OUT").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
