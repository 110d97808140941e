//! Runs AWS's `cfn-lint` over the CloudFormation templates of every
//! `examples/*.wharf` and of the hand-built test programs, in JSON and YAML, and
//! requires zero errors and zero warnings. cfn-lint comes from
//! `scripts/validators.sh` (see `tests/support/validators.rs`). Set `WHARF_CFN_OUT=<dir>` to keep the
//! templates, as `<dir>/<json|yaml>/<examples|programs>/<program>/` (the
//! deploy test script uses them).

mod cfn_common;
#[path = "support/validators.rs"]
mod validators;

use std::path::{Path, PathBuf};

use wharf::emit::cloudformation::{emit_cloudformation, Format};
use wharf::ir::Program;

/// Every `examples/*.wharf`, checked (panics with the diagnostics if one does not).
pub fn examples() -> Vec<Program> {
    programs_in("examples")
}

/// Every `.wharf` program of a directory of the package, checked.
fn programs_in(dir: &str) -> Vec<Program> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "wharf"));
    paths.sort();
    paths
        .iter()
        .map(
            |p| match wharf::driver::compile(&wharf::driver::Disk, p, &Default::default()) {
                Ok(compiled) => compiled.program,
                Err(d) => panic!("{} does not check:\n{d}", p.display()),
            },
        )
        .collect()
}

/// (directory, program): examples and hand-built programs may share a name.
fn programs() -> Vec<(&'static str, Program)> {
    let mut all: Vec<(&str, Program)> = examples().into_iter().map(|p| ("examples", p)).collect();
    // The ECS-vs-CloudFormation agreement programs use every task
    // definition form (docs/task-definition.md).
    all.extend(
        programs_in("tests/fixtures/agree")
            .into_iter()
            .map(|p| ("agree", p)),
    );
    all.extend(
        [
            cfn_common::fargate_web(),
            cfn_common::ec2_bridge(),
            cfn_common::private_network(),
            cfn_common::many_services("fleet-small", 12),
            cfn_common::many_services("fleet-split", 50),
        ]
        .map(|p| ("programs", p)),
    );
    all
}

fn write(dir: &Path, group: &str, p: &Program, format: Format) -> Vec<PathBuf> {
    let sub = dir.join(format.extension()).join(group).join(&p.name);
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

#[test]
fn cfn_lint_is_clean() {
    let dir = match std::env::var_os("WHARF_CFN_OUT") {
        Some(d) => PathBuf::from(d),
        None => std::env::temp_dir().join(format!("wharf-cfn-lint-{}", std::process::id())),
    };
    let mut files = Vec::new();
    for format in [Format::Json, Format::Yaml] {
        for (group, p) in programs() {
            files.extend(write(&dir, group, &p, format));
        }
        // A split program: lint the shared stack, the first and the last
        // stacks of services and the links stack.
        let split = write(
            &dir,
            "programs",
            &cfn_common::many_services("fleet", 300),
            format,
        );
        let last_services = split
            .iter()
            .rfind(|f| {
                f.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("fleet-svc")
            })
            .cloned();
        files.extend(split.into_iter().filter(|f| {
            let n = f.file_name().unwrap().to_string_lossy().to_string();
            n.starts_with("fleet-shared")
                || n.starts_with("fleet-svc000")
                || n.starts_with("fleet-links")
                || Some(f) == last_services.as_ref()
        }));
    }
    if !validators::cfn_lint_runs() {
        validators::skip(
            "cfn_lint_is_clean",
            &format!("cfn-lint not found; {} templates not linted", files.len()),
        );
        return;
    }
    let out = validators::cfn_lint()
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

/// Reads every YAML template back with PyYAML (a YAML 1.1 reader, like
/// CloudFormation's) and requires exactly the JSON template's values: no
/// string may come back as a number or boolean. Skips without python3/PyYAML.
#[test]
fn yaml_reads_back_as_the_json_template() {
    const READ_BACK: &str = r#"
import json, sys, yaml
class L(yaml.SafeLoader): pass
def tag(loader, suffix, node):
    name = "Ref" if suffix == "Ref" else "Fn::" + suffix
    if isinstance(node, yaml.ScalarNode):
        v = loader.construct_scalar(node)
        v = v.split(".", 1) if suffix == "GetAtt" else v
    elif isinstance(node, yaml.SequenceNode):
        v = loader.construct_sequence(node, deep=True)
    else:
        v = loader.construct_mapping(node, deep=True)
    return {name: v}
L.add_multi_constructor("!", tag)
bad = 0
for line in sys.stdin:
    y, j = line.split()
    if yaml.load(open(y), Loader=L) != json.load(open(j)):
        print("differs:", y); bad += 1
sys.exit(1 if bad else 0)
"#;
    if !validators::python_has("yaml") {
        validators::skip(
            "yaml_reads_back_as_the_json_template",
            "python3 with PyYAML not found; YAML not read back",
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("wharf-cfn-yaml-{}", std::process::id()));
    let mut pairs = String::new();
    for (group, p) in programs() {
        let json = write(&dir, group, &p, Format::Json);
        let yaml = write(&dir, group, &p, Format::Yaml);
        assert_eq!(json.len(), yaml.len());
        for (j, y) in json.iter().zip(&yaml) {
            pairs.push_str(&format!("{} {}\n", y.display(), j.display()));
        }
    }
    let mut child = validators::python()
        .args(["-c", READ_BACK])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(pairs.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
