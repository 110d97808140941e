//! Hostile inputs, one test per kind (issue 7, "bounded work on any input"):
//! each runs the real binary under a wall-clock limit and asserts the exact
//! diagnostic code (or success), the exit code, a time bound and that
//! nothing was written beside the source. Every case here hung, crashed
//! (stack overflow, exit 134) or was silently accepted before.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Each case finishes in milliseconds; the bound leaves room for a loaded
/// 2-core machine and a debug build, and is far below the minutes (or the
/// crash) these inputs used to take.
const BOUND: Duration = Duration::from_secs(3);

/// A scratch directory of its own for one case.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wharf-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Run {
    code: Option<i32>,
    stderr: String,
    took: Duration,
}

/// Runs `wharf ARGS` in `dir`, killing it if it outlives twice the bound.
fn wharf(dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(args)
        .args(["--color", "never"])
        .current_dir(dir)
        .env_remove("AWS_REGION")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the wharf binary runs");
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut { stderr }, &mut s).ok();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BOUND * 2 {
            child.kill().ok();
            child.wait().ok();
            panic!(
                "`wharf {}` still running after {:?}",
                args.join(" "),
                BOUND * 2
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.code(),
        stderr: reader.join().unwrap(),
        took: started.elapsed(),
    }
}

/// Writes `source` as `case.wharf`, runs `wharf check` (or `build` to
/// `out` when `target` is given) and asserts exit 1 with `code` first.
fn refused(name: &str, source: &str, code: &str) -> Run {
    let dir = scratch(name);
    std::fs::write(dir.join("case.wharf"), source).unwrap();
    let run = wharf(&dir, &["check", "case.wharf"]);
    assert_eq!(run.code, Some(1), "{name}: exit code\n{}", run.stderr);
    let first = run
        .stderr
        .find("] Error")
        .map(|i| &run.stderr[i - 6..i + 1]);
    assert_eq!(
        first,
        Some(format!("[{code}]").as_str()),
        "{name}:\n{}",
        cut(&run.stderr)
    );
    assert!(run.took < BOUND, "{name}: took {:?}", run.took);
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(left.len(), 1, "{name}: `check` wrote files");
    std::fs::remove_dir_all(&dir).ok();
    run
}

/// Like [`refused`], for a program that must check cleanly.
fn accepted(name: &str, source: &str) {
    let dir = scratch(name);
    std::fs::write(dir.join("case.wharf"), source).unwrap();
    let run = wharf(&dir, &["check", "case.wharf"]);
    assert_eq!(run.code, Some(0), "{name}:\n{}", cut(&run.stderr));
    assert!(run.took < BOUND, "{name}: took {:?}", run.took);
    std::fs::remove_dir_all(&dir).ok();
}

fn cut(s: &str) -> &str {
    &s[..s.len().min(3000)]
}

/// A complete task around one container line.
fn task_with(container_line: &str) -> String {
    format!(
        "task web {{\n  cpu 0.25vcpu\n  memory 512MiB\n  container app {{\n    image \"nginx:1.27\"\n    {container_line}\n  }}\n}}\n"
    )
}

fn service_with(line: &str) -> String {
    format!(
        "cluster prod {{ capacity FARGATE weight 1 }}\n{}service web in prod {{\n  task web\n  subnets [\"subnet-0a1b2c3d\"]\n  {line}\n}}\n",
        task_with("port 80")
    )
}

// ---------------------------------------------------------------------------
// Nesting: the stack used to overflow (exit 134) from 5,000 levels.
// ---------------------------------------------------------------------------

#[test]
fn deep_blocks() {
    let n = 20_000;
    let src = format!("task t {}{}\n", "{ a ".repeat(n), "}".repeat(n));
    refused("deep_blocks", &src, "E0120");
}

#[test]
fn deep_lists() {
    let n = 25_000;
    let src = format!("let a = {}{}\n", "[".repeat(n), "]".repeat(n));
    refused("deep_lists", &src, "E0120");
}

#[test]
fn deep_maps() {
    let n = 10_000;
    let src = format!("let a = {}1{}\n", "{a: ".repeat(n), "}".repeat(n));
    refused("deep_maps", &src, "E0120");
}

#[test]
fn deep_call_arguments() {
    let n = 10_000;
    let src = format!("let a = {}{}\n", "f(".repeat(n), ")".repeat(n));
    refused("deep_calls", &src, "E0120");
}

#[test]
fn nesting_at_the_limit_is_read() {
    // 64 levels are accepted by the reader (the value then fails to type).
    let src = format!(
        "let a = {}{}\n{}",
        "[".repeat(64),
        "]".repeat(64),
        task_with("port 80")
    );
    accepted("nesting_limit", &src);
}

// ---------------------------------------------------------------------------
// Error recovery: 8,000 unclosed `{` took 60 s.
// ---------------------------------------------------------------------------

#[test]
fn eight_thousand_unclosed_braces() {
    refused("unclosed", &"task t {\n".repeat(8000), "E0120");
}

#[test]
fn thousands_of_broken_lines_are_linear_and_capped() {
    let run = refused("broken_lines", &"a { ] }\n".repeat(16_000), "E0103");
    let reported = run.stderr.matches("] Error").count();
    assert!(
        reported <= 100,
        "{reported} diagnostics for one kind of mistake"
    );
}

#[test]
fn unclosed_blocks_below_the_depth_limit() {
    let src = format!("{}{}", "x {\n}\n".repeat(4000), "y { ]\n".repeat(8000));
    refused("unclosed_shallow", &src, "E0101");
}

// ---------------------------------------------------------------------------
// Expansion: doubling interpolation took > 60 s and 1 GB.
// ---------------------------------------------------------------------------

#[test]
fn doubling_interpolation() {
    let mut src: String = (1..26)
        .map(|i| format!("let L{i} = \"${{L{}}}${{L{}}}\"\n", i + 1, i + 1))
        .collect();
    src.push_str("let L26 = \"ab\"\n");
    src.push_str(&task_with("env A = L1"));
    refused("doubling", &src, "E0315");
}

#[test]
fn doubling_empty_inputs() {
    // Empty texts do not grow in bytes, only in parts: counted all the same.
    let mut src = String::from("input E = \"\"\n");
    src.extend((1..40).map(|i| format!("let L{i} = \"${{L{}}}${{L{}}}\"\n", i + 1, i + 1)));
    src.push_str("let L40 = \"${E}\"\n");
    src.push_str(&task_with("env A = L1"));
    refused("doubling_empty", &src, "E0315");
}

// ---------------------------------------------------------------------------
// Constants: a chain of 31 was reported as a cycle (E0309).
// ---------------------------------------------------------------------------

fn chain(n: usize, last: &str) -> String {
    let mut src: String = (1..n)
        .map(|i| format!("let C{i} = \"${{C{}}}\"\n", i + 1))
        .collect();
    src.push_str(&format!("let C{n} = {last}\n"));
    src.push_str(&task_with("env A = C1"));
    src
}

#[test]
fn a_chain_of_31_constants_is_not_a_cycle() {
    accepted("chain31", &chain(31, "\"x\""));
    accepted("chain100", &chain(100, "\"x\""));
}

#[test]
fn a_real_cycle_is_one_error() {
    let run = refused("cycle", &chain(5000, "\"${C1}\""), "E0309");
    assert_eq!(
        run.stderr.matches("] Error").count(),
        1,
        "{}",
        cut(&run.stderr)
    );
}

#[test]
fn an_over_long_chain_is_refused() {
    refused("chain_long", &chain(20_000, "\"x\""), "E0314");
}

// ---------------------------------------------------------------------------
// Values AWS rejects.
// ---------------------------------------------------------------------------

#[test]
fn int32_overflow_desired_count() {
    refused("count", &service_with("count 2147483648"), "E0303");
}

#[test]
fn int32_overflow_grace() {
    refused("grace", &service_with("grace 2147483648s"), "E0303");
}

#[test]
fn int32_overflow_ulimit() {
    refused("ulimit", &task_with("ulimit nofile 2147483648"), "E0303");
}

#[test]
fn capacity_weight_above_1000() {
    let src = "cluster prod { capacity FARGATE weight 1001 }\n".to_string() + &task_with("port 80");
    refused("weight", &src, "E0303");
}

#[test]
fn ulimit_soft_above_hard() {
    refused(
        "ulimit_order",
        &task_with("ulimit nofile 4096 1024"),
        "E0440",
    );
}

#[test]
fn retention_not_allowed_by_cloudwatch() {
    refused(
        "retention",
        &task_with("logs awslogs retention 42"),
        "E0304",
    );
}

#[test]
fn non_finite_autoscale_target() {
    let huge = format!("1{}%", "0".repeat(400));
    refused(
        "target",
        &service_with(&format!("autoscale 1..4 cpu {huge}")),
        "E0303",
    );
}

#[test]
fn empty_iam_permission() {
    let src = "task web {\n  cpu 0.25vcpu\n  memory 512MiB\n  allow [] on []\n  container app { image \"nginx:1.27\" }\n}\n";
    refused("allow", src, "E0441");
}

#[test]
fn fractional_durations_are_not_rounded() {
    refused("duration", &task_with("stop_timeout 1.5s"), "E0301");
    refused("duration_ms", &task_with("stop_timeout 500ms"), "E0301");
    accepted("duration_whole", &task_with("stop_timeout 2000ms"));
    // 0.1m is 6.000...1 seconds in floating point: still six whole seconds.
    accepted("duration_minutes", &task_with("stop_timeout 0.1m"));
}

#[test]
fn fractional_sizes_are_not_rounded() {
    refused("size", &task_with("memory 1.5MiB"), "E0301");
}

#[test]
fn an_empty_program_fails_the_build() {
    let dir = scratch("empty_build");
    std::fs::write(dir.join("case.wharf"), "// nothing\nlet a = \"b\"\n").unwrap();
    for target in ["ecs", "cloudformation", "local"] {
        let run = wharf(
            &dir,
            &["build", "case.wharf", "--target", target, "-o", "out"],
        );
        assert_eq!(run.code, Some(1), "{target}: {}", run.stderr);
        assert!(run.stderr.contains("[E0442]"), "{target}: {}", run.stderr);
        assert!(!dir.join("out").exists(), "{target}: wrote output");
    }
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------------------
// Encoding: a UTF-8 BOM was refused.
// ---------------------------------------------------------------------------

#[test]
fn a_byte_order_mark_is_skipped_and_spans_stay_right() {
    accepted("bom", &format!("\u{FEFF}{}", task_with("port 80")));
    let dir = scratch("bom_span");
    let src = format!("\u{FEFF}{}", task_with("colour red"));
    std::fs::write(dir.join("case.wharf"), &src).unwrap();
    let run = wharf(&dir, &["check", "case.wharf", "--message-format", "json"]);
    assert_eq!(run.code, Some(1));
    let out = Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(["check", "case.wharf", "--message-format", "json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert_eq!(v["code"], "E0208");
    let start = v["primary"]["start"].as_u64().unwrap() as usize;
    assert!(src[start..].starts_with("colour"), "span starts at {start}");
    std::fs::remove_dir_all(&dir).ok();
}

// ---------------------------------------------------------------------------
// Templates: a template using another twice at every level doubled the
// program 2^n times (and a deep acyclic chain was called recursion).
// ---------------------------------------------------------------------------

#[test]
fn doubling_templates() {
    let mut src: String = (0..30)
        .map(|i| format!("template t{i} {{ use t{}(); use t{}() }}\n", i + 1, i + 1))
        .collect();
    src.push_str("template t30 { label a = \"b\" }\n");
    src.push_str(&task_with("use t0()"));
    let run = refused("template_doubling", &src, "E0316");
    assert_eq!(
        run.stderr.matches("] Error").count(),
        1,
        "{}",
        cut(&run.stderr)
    );
}

#[test]
fn template_chains() {
    let chain = |n: usize| {
        let mut src: String = (0..n)
            .map(|i| format!("template t{i} {{ use t{}() }}\n", i + 1))
            .collect();
        src.push_str(&format!("template t{n} {{ label a = \"b\" }}\n"));
        src.push_str(&task_with("use t0()"));
        src
    };
    accepted("template_chain_20", &chain(20));
    refused("template_chain_3000", &chain(3000), "E0316");
    let cycle =
        "template a { use b() }\ntemplate b { use a() }\n".to_string() + &task_with("use a()");
    refused("template_cycle", &cycle, "E0313");
}

// ---------------------------------------------------------------------------
// Credentials, wherever they are written (the full search over every output
// is tests/secrets_output.rs).
// ---------------------------------------------------------------------------

#[test]
fn credentials_are_refused_in_every_place() {
    for (name, line) in [
        ("cred_env", "env UPLOAD = \"AKIAIOSFODNN7EXAMPLE\""),
        ("cred_name", "env AKIAIOSFODNN7EXAMPLE = \"x\""),
        (
            "cred_label",
            "label team = \"xoxb-123456789012-abcdefghij\"",
        ),
        (
            "cred_command",
            "command [\"curl\", \"https://u:hunter2@example.com\"]",
        ),
        (
            "cred_log_option",
            "logs splunk { \"splunk-url\" = \"https://a:b@s.example.com\" }",
        ),
        (
            "cred_pem",
            "env CA = \"-----BEGIN RSA PRIVATE KEY-----MIIE\"",
        ),
    ] {
        let run = refused(name, &task_with(line), "E0443");
        assert!(
            !run.stderr.contains("AKIAIOSFODNN7EXAMPLE"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    }
    accepted(
        "cred_not_secret",
        &task_with("env UPLOAD not_secret = \"AKIAIOSFODNN7EXAMPLE\""),
    );
}

#[test]
fn false_alarms_are_not_raised() {
    for line in [
        "env TOKEN_ENDPOINT = \"https://auth.example.com/oauth/token\"",
        "env MYSQL_ALLOW_EMPTY_PASSWORD = \"yes\"",
        "env SORT_KEY = \"created_at\"",
        "env DB_PASSWORD_FILE = \"/run/secrets/db\"",
        "env DD_API_KEY = \"<YOUR_DATADOG_API_KEY>\"",
    ] {
        accepted("false_alarm", &task_with(line));
    }
    refused(
        "literal_password",
        &task_with("env DB_PASSWORD = \"hunter2\""),
        "E0425",
    );
}
