//! A few runs of the real binary, colour off: exit codes, where output goes,
//! and the shape of `--message-format json`.

use std::process::{Command, Output};

const BAD: &str = "tests/fixtures/errors/E0201_unknown_task.wharf";
const GOOD: &str = "examples/my-app.wharf";

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

#[test]
fn check_bad_file_exits_1_with_the_diagnostic_on_stderr() {
    let out = wharf(&["check", BAD, "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("[E0201] Error: unknown task `wbe`"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{BAD}:11:8")), "{stderr}");
    assert!(stderr.contains("error: aborting because of 1 error"));
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes with --color never"
    );
    assert!(out.stdout.is_empty(), "human diagnostics go to stderr only");
}

#[test]
fn check_json_prints_one_object_per_line() {
    let path = "tests/fixtures/errors/E0415_health_check_range.wharf";
    let out = wharf(&["check", path, "--message-format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).expect("a JSON object");
    assert_eq!(v["code"], "E0415");
    assert_eq!(v["severity"], "error");
    assert_eq!(v["primary"]["file"], path);
    assert_eq!(v["primary"]["line"], 8);
    assert_eq!(v["primary"]["column"], 5);
    assert!(v["help"].as_str().is_some_and(|h| h.contains("5s to 300s")));
}

#[test]
fn check_json_with_several_errors() {
    let dir = std::env::temp_dir().join(format!("wharf-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("two.wharf");
    std::fs::write(
        &file,
        "task web {\n  cpu 0.25vcpu\n  memory 512MiB\n  container app {\n    image \"nginx\"\n    port 99999\n    stop_timeout 30sec\n  }\n}\n",
    )
    .unwrap();
    let out = wharf(&["check", file.to_str().unwrap(), "--message-format=json"]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(1));
    let found: Vec<(String, u64, u64)> = text(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON object");
            (
                v["code"].as_str().unwrap().to_string(),
                v["primary"]["line"].as_u64().unwrap(),
                v["primary"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("E0303".to_string(), 6, 10), ("E0302".to_string(), 7, 18)]
    );
}

#[test]
fn check_good_file_exits_0() {
    let out = wharf(&["check", GOOD, "--color", "never"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("no errors"));
}

#[test]
fn explain_known_code_exits_0() {
    let out = wharf(&["explain", "E0401"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("E0401: invalid Fargate cpu and memory combination"),
        "{stdout}"
    );
    assert!(stdout.contains("Wrong:") && stdout.contains("Right:"));
}

#[test]
fn explain_accepts_lowercase() {
    let out = wharf(&["explain", "e0201"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("E0201: unknown task"));
}

#[test]
fn explain_unknown_code_exits_2() {
    let out = wharf(&["explain", "E9999"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`E9999` is not a Wharf diagnostic code"));
}

#[test]
fn unknown_flag_exits_2() {
    let out = wharf(&["check", GOOD, "--colour", "never"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--colour"));
}

#[test]
fn missing_file_exits_1() {
    let out = wharf(&[
        "check",
        "tests/fixtures/no-such-file.wharf",
        "--color",
        "never",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("[E0104]"));
}

#[test]
fn input_flag_fills_an_input() {
    let path = "tests/fixtures/errors/E0211_missing_input.wharf";
    let out = wharf(&["check", path, "--color", "never", "--input", "IMAGE_TAG=v2"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = wharf(&["check", path, "--color", "never", "--input", "IMAGE_TAG"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "not NAME=VALUE is a usage error"
    );
}

/// An input with no value is E0211 and only that: the role, log group and
/// names built from it are not judged on the empty text it leaves.
#[test]
fn a_missing_input_is_reported_once() {
    let dir = std::env::temp_dir().join(format!("wharf-missing-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("app.wharf");
    std::fs::write(
        &file,
        "input ROLE: string\ninput GROUP: string\n\
         task web {\n  cpu 0.25vcpu\n  memory 512MiB\n  execution_role \"arn:aws:iam::123456789012:role/exec\"\n  task_role \"${ROLE}\"\n  \
         container app {\n    image \"nginx:1.27\"\n    logs awslogs group \"${GROUP}\"\n  }\n}\n",
    )
    .unwrap();
    let out = wharf(&["--message-format", "json", "check", file.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    let codes: Vec<String> = text(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["code"].as_str().map(str::to_string))
        .collect();
    assert_eq!(codes, ["E0211", "E0211"], "{}", text(&out.stdout));
}

#[test]
fn dash_out_prints_a_one_file_build_and_refuses_a_many_file_build() {
    let out = wharf(&["build", GOOD, "--target", "cloudformation", "-o", "-"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let template: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the template on stdout");
    assert_eq!(template["AWSTemplateFormatVersion"], "2010-09-09");
    assert!(
        !std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("-")
            .exists(),
        "no folder named `-`"
    );

    let out = wharf(&["build", GOOD, "--target", "ecs", "-o", "-"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr)
            .contains("`-o -` prints a build of one file, and this ecs build has 6 files"),
        "{}",
        text(&out.stderr)
    );
}

/// `wharf graph ... | head -1`: the reader goes after one line; wharf ends
/// quietly as `cat` would (SIGPIPE), never with a panic.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_a_report_without_a_panic() {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let dir = std::env::temp_dir().join(format!("wharf-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("many.wharf");
    let mut source = String::from("cluster c {}\n");
    for i in 0..3000 {
        source.push_str(&format!(
            "task t{i} {{ cpu 256; memory 512MiB; container a {{ image \"x\" }} }}\n"
        ));
    }
    std::fs::write(&file, source).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["graph", file.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the wharf binary runs");
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(!stderr.contains("panicked"), "{stderr}");
    const SIGPIPE: i32 = 13;
    assert_eq!(status.signal(), Some(SIGPIPE), "{status:?}");
}

/// A warning (something ECS accepts and ignores) is printed, and the
/// program still checks and builds: exit 0, the files written, the warning
/// on stderr for people and as a `"severity": "warning"` line in JSON.
#[test]
fn a_warning_is_printed_and_the_program_still_builds() {
    const WARNED: &str = "tests/fixtures/errors/E0434_grace_without_load_balancer.wharf";
    let check = wharf(&["check", WARNED, "--color", "never"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    let stderr = text(&check.stderr);
    assert!(
        stderr.contains("[E0434] Warning: service `jobs`"),
        "{stderr}"
    );
    assert!(!stderr.contains("aborting"), "{stderr}");
    assert!(stderr.contains("no errors"), "{stderr}");

    let json = wharf(&["check", WARNED, "--message-format", "json"]);
    assert_eq!(json.status.code(), Some(0));
    let line: serde_json::Value =
        serde_json::from_str(text(&json.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(
        (line["code"].as_str(), line["severity"].as_str()),
        (Some("E0434"), Some("warning"))
    );

    let out = std::env::temp_dir().join(format!("wharf-warned-{}", std::process::id()));
    let build = wharf(&[
        "build",
        WARNED,
        "--target",
        "cloudformation",
        "-o",
        out.to_str().unwrap(),
        "--color",
        "never",
    ]);
    assert_eq!(build.status.code(), Some(0), "{}", text(&build.stderr));
    assert!(text(&build.stderr).contains("[E0434] Warning"));
    assert!(out.join("E0434-grace-without-load-balancer.json").is_file());
    let _ = std::fs::remove_dir_all(&out);

    // `-o -` keeps stdout for the file: the warning goes to stderr even in JSON.
    let piped = wharf(&[
        "build",
        WARNED,
        "--target",
        "cloudformation",
        "-o",
        "-",
        "--message-format",
        "json",
    ]);
    assert_eq!(piped.status.code(), Some(0));
    let template: serde_json::Value =
        serde_json::from_slice(&piped.stdout).expect("stdout is the template alone");
    assert_eq!(template["AWSTemplateFormatVersion"], "2010-09-09");
    assert!(text(&piped.stderr).contains("[E0434] Warning"));
}
