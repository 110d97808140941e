//! What wharf prints for machines and shells, from the real binary:
//! `--version`, `--message-format json` and `sarif` for findings and for
//! errors that have no place in a file, `explain` as JSON, completions and
//! the man page.

use serde_json::Value;
use std::process::{Command, Output};

const BAD: &str = "tests/fixtures/errors/E0201_unknown_task.wharf";

fn wharf(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wharf"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the wharf binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8")
}

#[test]
fn version_names_the_commit() {
    let out = wharf(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    let line = stdout(&out);
    let rest = line
        .strip_prefix(&format!("wharf {} (", env!("CARGO_PKG_VERSION")))
        .unwrap_or_else(|| panic!("{line}"));
    // `(<12 hex digits or "unknown"> <date or "unknown">)`
    let (commit, date) = rest
        .trim_end()
        .trim_end_matches(')')
        .split_once(' ')
        .unwrap();
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{line}"
    );
    assert!(date == "unknown" || date.len() == 10, "{line}");
}

#[test]
fn json_diagnostic_has_offsets_line_column_help_and_rendered_text() {
    let out = wharf(&["check", BAD, "--message-format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_empty(), "JSON mode prints nothing for people");
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    let d: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(d["type"], "diagnostic");
    assert_eq!(d["code"], "E0201");
    assert_eq!(d["title"], "unknown task");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "unknown task `wbe`");
    let p = &d["primary"];
    assert_eq!(p["file"], BAD);
    assert_eq!(
        (p["line"].as_u64(), p["column"].as_u64()),
        (Some(11), Some(8))
    );
    assert_eq!(
        (p["end_line"].as_u64(), p["end_column"].as_u64()),
        (Some(11), Some(11))
    );
    let src = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BAD))
        .unwrap();
    let (start, end) = (
        p["start"].as_u64().unwrap() as usize,
        p["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&src[start..end], "wbe");
    assert!(d["help"].as_str().unwrap().contains("web"), "{d}");
    let rendered = d["rendered"].as_str().unwrap();
    assert!(
        rendered.starts_with("[E0201] Error: unknown task `wbe`"),
        "{rendered}"
    );
    assert!(
        !rendered.contains('\u{1b}'),
        "rendered text has no colour codes"
    );
}

#[test]
fn sarif_is_one_log_with_rules_and_regions() {
    let out = wharf(&["check", BAD, "--message-format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "wharf");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "E0201");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "E0201");
    assert_eq!(result["level"], "error");
    let loc = &result["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], BAD);
    assert_eq!(loc["region"]["startLine"], 11);
    assert_eq!(loc["region"]["startColumn"], 8);
    assert_eq!(loc["region"]["byteLength"], 3);
}

#[test]
fn sarif_of_a_clean_program_has_no_results() {
    let out = wharf(&[
        "check",
        "examples/web-alb.wharf",
        "--message-format",
        "sarif",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn a_usage_error_in_json_mode_is_json_with_exit_2() {
    let out = wharf(&["explain", "E9999", "--message-format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let d: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(d["severity"], "error");
    assert_eq!(d["primary"], Value::Null);
    assert!(d["message"].as_str().unwrap().contains("E9999"), "{d}");
}

#[test]
fn explain_as_json() {
    for format in ["json", "sarif"] {
        let out = wharf(&["explain", "E0201", "--message-format", format]);
        assert_eq!(out.status.code(), Some(0));
        let d: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        assert_eq!(d["type"], "explanation");
        assert_eq!(d["code"], "E0201");
        assert_eq!(d["title"], "unknown task");
        assert!(
            d["explanation"].as_str().unwrap().contains("```wharf"),
            "{d}"
        );
    }
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "_wharf()"),
        ("zsh", "#compdef wharf"),
        ("fish", "complete -c wharf"),
        ("elvish", "edit:completion:arg-completer[wharf]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = wharf(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = stdout(&out);
        assert!(
            script.contains(marker),
            "{shell}: {}",
            &script[..script.len().min(300)]
        );
        assert!(script.contains("build"), "{shell} completes subcommands");
    }
    assert_eq!(wharf(&["completions", "tcsh"]).status.code(), Some(2));
}

#[test]
fn man_page_lists_the_subcommands() {
    let out = wharf(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.starts_with(".TH"),
        "{}",
        &page[..80]
    );
    assert!(page.contains(".TH wharf 1"), "{}", &page[..200]);
    for sub in [
        "build",
        "check",
        "fmt",
        "explain",
        "import",
        "up",
        "down",
        "completions",
    ] {
        assert!(page.contains(sub), "man page mentions {sub}");
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("man");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = wharf(&["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.join("wharf.1").is_file());
    assert!(dir.join("wharf-build.1").is_file());
}

/// A usage error (clap's) is one diagnostic without a code in the format
/// asked for, with exit 2; people still get clap's own text.
#[test]
fn usage_errors_follow_the_message_format() {
    let out = wharf(&["--message-format", "json", "check"]);
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON line");
    assert_eq!(v["type"], "diagnostic");
    assert_eq!(v["code"], Value::Null);
    assert_eq!(v["severity"], "error");
    assert_eq!(
        v["message"],
        "the following required arguments were not provided: <FILE>"
    );
    assert!(v["help"]
        .as_str()
        .unwrap()
        .starts_with("Usage: wharf check <FILE>"));

    let out = wharf(&["--message-format=sarif", "bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let log: Value = serde_json::from_str(&stdout(&out)).expect("a SARIF log");
    assert_eq!(
        log["runs"][0]["results"][0]["message"]["text"]
            .as_str()
            .unwrap()
            .split('\n')
            .next()
            .unwrap(),
        "unrecognized subcommand 'bogus'"
    );

    let out = wharf(&["check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: the following required"));
}
