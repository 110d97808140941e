//! No secret value in any output or message. Every example and every
//! fixture in `tests/fixtures/secrets/` is built by the real binary for every
//! target, with secret values in the environment and on the command line;
//! every file written, stdout and stderr are then searched for each value.
//!
//! A fixture names its secrets in comments: `// secret-env: NAME=VALUE` is
//! given as the environment variable and as `--input NAME=VALUE` (in
//! separate runs), `// secret-literal: VALUE` is written in its source.
//! Which fixtures must build and which must be refused is asserted too, so
//! the search cannot pass because nothing was built.

use std::path::{Path, PathBuf};
use std::process::Command;

const TARGETS: &[&[&str]] = &[
    &["--target", "ecs"],
    &["--target", "cloudformation"],
    &["--target", "cloudformation", "--format", "yaml"],
    &["--target", "local"],
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn wharf_files(dir: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wharf"))
        .collect();
    out.sort();
    out
}

struct Secrets {
    env: Vec<(String, String)>,
    literals: Vec<String>,
}

fn secrets_of(source: &str) -> Secrets {
    let mut s = Secrets {
        env: Vec::new(),
        literals: Vec::new(),
    };
    for line in source.lines() {
        if let Some(kv) = line.strip_prefix("// secret-env: ") {
            let (k, v) = kv.split_once('=').expect("NAME=VALUE");
            s.env.push((k.to_string(), v.to_string()));
        }
        if let Some(v) = line.strip_prefix("// secret-literal: ") {
            s.literals.push(v.to_string());
        }
    }
    s
}

/// Everything one build left behind: every output file, stdout, stderr.
fn build(
    file: &Path,
    target: &[&str],
    secrets: &Secrets,
    as_input: bool,
    out: &Path,
) -> (bool, String) {
    let _ = std::fs::remove_dir_all(out);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wharf"));
    cmd.arg("build")
        .arg(file)
        .args(target)
        .arg("-o")
        .arg(out)
        .args(["--color", "never"])
        .current_dir(root());
    for (k, v) in &secrets.env {
        if as_input {
            cmd.arg("--input").arg(format!("{k}={v}"));
        } else {
            cmd.env(k, v);
        }
    }
    let o = cmd.output().expect("wharf runs");
    let mut seen = String::from_utf8_lossy(&o.stdout).into_owned();
    seen.push_str(&String::from_utf8_lossy(&o.stderr));
    let mut files = vec![out.to_path_buf()];
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        } else if p.is_file() {
            seen.push_str(&String::from_utf8_lossy(&std::fs::read(&p).unwrap()));
        }
    }
    let _ = std::fs::remove_dir_all(out);
    (o.status.success(), seen)
}

#[test]
fn no_secret_value_in_any_output_or_message() {
    let out = std::env::temp_dir().join(format!("wharf-secrets-{}", std::process::id()));
    let fixtures = wharf_files("tests/fixtures/secrets");
    assert!(fixtures.len() >= 3, "secret fixtures are missing");
    // Every value any fixture uses, searched for in every build.
    let mut all: Vec<String> = Vec::new();
    for f in &fixtures {
        let s = secrets_of(&std::fs::read_to_string(f).unwrap());
        all.extend(s.env.into_iter().map(|(_, v)| v));
        all.extend(s.literals);
    }
    assert!(all.len() >= 5);
    let mut built = 0;
    for file in fixtures.iter().chain(&wharf_files("examples")) {
        let source = std::fs::read_to_string(file).unwrap();
        let secrets = secrets_of(&source);
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        for target in TARGETS {
            for as_input in [false, true] {
                let (ok, seen) = build(file, target, &secrets, as_input, &out);
                built += usize::from(ok);
                for value in &all {
                    assert!(
                        !seen.contains(value.as_str()),
                        "{name} {target:?}: a secret value appears in the output or messages:\n{}",
                        &seen[..seen.len().min(4000)]
                    );
                }
                let expect_ok = match name.as_str() {
                    "literal_credentials.wharf" => Some(false),
                    "not_secrets.wharf" => Some(true),
                    "wrong_input_type.wharf" => Some(false),
                    // CloudFormation takes secret inputs as NoEcho parameters.
                    "secret_inputs.wharf" => Some(target.contains(&"cloudformation")),
                    _ => None,
                };
                if let Some(expect) = expect_ok {
                    assert_eq!(ok, expect, "{name} {target:?}:\n{seen}");
                }
                if name == "secret_inputs.wharf" && ok {
                    assert!(seen.contains("\"NoEcho\": true") || seen.contains("NoEcho: true"));
                    assert!(
                        !seen.contains("Default"),
                        "a secret input with a default:\n{seen}"
                    );
                }
                if name == "wrong_input_type.wharf" {
                    assert!(seen.contains("[E0307]"), "{seen}");
                }
                if name == "secret_inputs.wharf" && !ok {
                    assert!(seen.contains("[E0444]"), "{seen}");
                }
            }
        }
    }
    assert!(built > 40, "only {built} builds succeeded");
}

/// Real-world task definitions (`tests/fixtures/import/`: the AWS guide's
/// WordPress/MySQL sample, MIT-0, and Datadog-agent and Splunk-logging task
/// definitions shaped like the vendors' published ones) import and build
/// for ECS and CloudFormation: placeholders such as `<YOUR_DATADOG_API_KEY>`,
/// `splunk-url` and `*_FILE` paths are not secrets, and a literal password
/// is kept visibly, with `not_secret` and a comment.
#[test]
fn vendor_task_definitions_import_and_build() {
    let dir = std::env::temp_dir().join(format!("wharf-vendor-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/import"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 3);
    for json in files {
        let name = json.file_stem().unwrap().to_string_lossy().into_owned();
        let source = dir.join(format!("{name}.wharf"));
        let o = Command::new(env!("CARGO_BIN_EXE_wharf"))
            .args(["import", "--color", "never", "-o"])
            .arg(&source)
            .arg(&json)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{name}: import failed:\n{}",
            String::from_utf8_lossy(&o.stderr)
        );
        let text = std::fs::read_to_string(&source).unwrap();
        if name == "aws_mysql_literal_password" {
            assert!(
                text.contains("env MYSQL_ROOT_PASSWORD not_secret = "),
                "{text}"
            );
        }
        for target in ["ecs", "cloudformation"] {
            let o = Command::new(env!("CARGO_BIN_EXE_wharf"))
                .args(["build", "--color", "never", "--target", target, "-o"])
                .arg(dir.join(format!("out-{name}-{target}")))
                .arg(&source)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{name} {target}:\n{text}\n{}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
