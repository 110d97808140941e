//! Two environments of one program deployed side by side in one account:
//! `examples/web-alb.wharf` built with `--env dev` and `--env prod` for
//! CloudFormation, both stacks created in the same moto server (a local AWS
//! stand-in, 127.0.0.1 only), each checked against what its template
//! declares, and the physical names of the two stacks (clusters, services,
//! log groups, load balancers, ...) disjoint, so neither stack takes the
//! other's names.
//!
//! moto and the AWS CLI come from `bash scripts/validators.sh --deploy`
//! (`target/deploy-venv`). Without them the test is skipped with a
//! `SKIPPED:` line, or fails under CI / `WHARF_REQUIRE_VALIDATORS` (see
//! `tests/support/validators.rs`). `scripts/moto_stack.py` adapts each
//! template to what moto implements and prints every resource it removes.

#[path = "support/validators.rs"]
mod validators;

use std::collections::BTreeSet;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const TEST: &str = "two_environments_deploy_side_by_side_on_moto";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn venv_bin() -> PathBuf {
    root().join("target/deploy-venv/bin")
}

/// The moto server this test started; stopped when dropped, also when an
/// assertion fails.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts moto on a free port of 127.0.0.1 and waits (polling, up to two
/// minutes on a loaded machine) until it accepts connections. A port taken
/// by someone else between the probe and moto's bind makes moto exit; then
/// another port is tried.
fn start_moto(log: &Path) -> Moto {
    for _ in 0..5 {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(venv_bin().join("moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::fs::File::create(log).unwrap())
            .stderr(Stdio::from(
                std::fs::OpenOptions::new().append(true).open(log).unwrap(),
            ))
            .spawn()
            .expect("moto_server starts");
        let mut moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if moto.child.try_wait().unwrap().is_some() {
                break;
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok() {
                return moto;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        drop(moto);
    }
    panic!(
        "moto_server did not start: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// A command with the deploy environment first on PATH and test credentials
/// that reach nothing but the local moto server.
fn tool(program: &str) -> Command {
    let mut c = Command::new(venv_bin().join(program));
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![venv_bin()];
    paths.extend(std::env::split_paths(&path));
    c.env("PATH", std::env::join_paths(paths).unwrap())
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_SESSION_TOKEN", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_PAGER", "")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null());
    c
}

fn run(mut c: Command, what: &str) -> String {
    let out: Output = c.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn aws(moto: &Moto, args: &[&str]) -> String {
    let mut c = tool("aws");
    c.arg("--endpoint-url").arg(&moto.endpoint).args(args);
    run(c, &format!("aws {}", args.join(" ")))
}

fn helper(args: &[&str]) -> String {
    let mut c = tool("python3");
    c.arg(root().join("scripts/moto_stack.py")).args(args);
    run(c, &format!("moto_stack.py {}", args.join(" ")))
}

/// Builds the program for one environment: the stack name and its template.
fn build(env: &str, out: &Path) -> (String, PathBuf) {
    let out_put = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["--color", "never", "build"])
        .arg(root().join("examples/web-alb.wharf"))
        .args([
            "--target",
            "cloudformation",
            "--format",
            "json",
            "--env",
            env,
        ])
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        out_put.status.success(),
        "wharf build --env {env} failed: {}",
        String::from_utf8_lossy(&out_put.stderr)
    );
    let templates: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(templates.len(), 1, "one stack per environment");
    let stack = templates[0]
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    (stack, templates[0].clone())
}

#[test]
fn two_environments_deploy_side_by_side_on_moto() {
    for t in ["moto_server", "aws", "python3"] {
        if !venv_bin().join(t).is_file() {
            validators::skip(
                TEST,
                &format!("{t} is not in target/deploy-venv (bash scripts/validators.sh --deploy)"),
            );
            return;
        }
    }
    let work = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("deploy_environments-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let moto = start_moto(&work.join("moto.log"));
    let cert = aws(
        &moto,
        &[
            "acm",
            "request-certificate",
            "--domain-name",
            "wharf.example.com",
            "--query",
            "CertificateArn",
            "--output",
            "text",
        ],
    );
    let cert = cert.trim();

    let mut physical: Vec<(String, BTreeSet<String>)> = Vec::new();
    for env in ["dev", "prod"] {
        let (stack, template) = build(env, &work.join(env));
        let t = template.to_str().unwrap();
        let adapted = work.join(format!("{env}.moto.json"));
        let params = work.join(format!("{env}.params.json"));
        helper(&["adapt", t, adapted.to_str().unwrap(), cert]);
        helper(&["params", t, &moto.endpoint, params.to_str().unwrap()]);
        aws(
            &moto,
            &[
                "cloudformation",
                "create-stack",
                "--stack-name",
                &stack,
                "--template-body",
                &format!("file://{}", adapted.display()),
                "--parameters",
                &format!("file://{}", params.display()),
                "--capabilities",
                "CAPABILITY_IAM",
            ],
        );
        let status = aws(
            &moto,
            &[
                "cloudformation",
                "describe-stacks",
                "--stack-name",
                &stack,
                "--query",
                "Stacks[0].StackStatus",
                "--output",
                "text",
            ],
        );
        assert_eq!(status.trim(), "CREATE_COMPLETE", "stack {stack}");
        // What moto created holds the values the template declares.
        let checked = helper(&["check", t, &moto.endpoint, &stack]);
        assert!(checked.contains(" 0 mismatches"), "{stack}: {checked}");

        let resources: Value = serde_json::from_str(&aws(
            &moto,
            &[
                "cloudformation",
                "list-stack-resources",
                "--stack-name",
                &stack,
                "--output",
                "json",
            ],
        ))
        .unwrap();
        let mut names = BTreeSet::new();
        let mut kinds = BTreeSet::new();
        for r in resources["StackResourceSummaries"].as_array().unwrap() {
            kinds.insert(r["ResourceType"].as_str().unwrap().to_string());
            // moto leaves the ID of a few resource types empty.
            if let Some(id) = r["PhysicalResourceId"].as_str().filter(|id| !id.is_empty()) {
                names.insert(id.to_string());
            }
        }
        for kind in [
            "AWS::ECS::Cluster",
            "AWS::ECS::Service",
            "AWS::Logs::LogGroup",
        ] {
            assert!(kinds.contains(kind), "{stack} has no {kind}: {kinds:?}");
        }
        physical.push((stack, names));
    }

    let (dev, prod) = (&physical[0], &physical[1]);
    assert_ne!(dev.0, prod.0, "both environments have one stack name");
    let shared: Vec<&String> = dev.1.intersection(&prod.1).collect();
    assert!(
        shared.is_empty(),
        "{} and {} share physical names: {shared:?}",
        dev.0,
        prod.0
    );
    // Both clusters live in the account, each with its services.
    let clusters: Value =
        serde_json::from_str(&aws(&moto, &["ecs", "list-clusters", "--output", "json"])).unwrap();
    let clusters: Vec<&str> = clusters["clusterArns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(clusters.len(), 2, "{clusters:?}");
    for cluster in clusters {
        let services: Value = serde_json::from_str(&aws(
            &moto,
            &[
                "ecs",
                "list-services",
                "--cluster",
                cluster,
                "--output",
                "json",
            ],
        ))
        .unwrap();
        assert_eq!(
            services["serviceArns"].as_array().unwrap().len(),
            2,
            "{cluster}: {services}"
        );
    }
    drop(moto);
    let _ = std::fs::remove_dir_all(&work);
}
