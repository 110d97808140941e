//! The VS Code extension's TextMate grammar, run through the tokenizer VS
//! Code uses (vscode-textmate + vscode-oniguruma, from npm) on the examples,
//! the stdlib and the LSP fixtures: `editors/vscode/test/tokenize.js`.
//! Needs node and `editors/vscode/test/setup.sh`; without them the test
//! prints SKIPPED on stderr, and fails under CI or WHARF_REQUIRE_VALIDATORS.

use std::io::Write;
use std::path::Path;
use std::process::Command;

fn skip(why: &str) {
    let msg = format!(
        "SKIPPED: lsp_grammar: {why} (run `bash editors/vscode/test/setup.sh`, which needs node and npm)"
    );
    if std::env::var_os("CI").is_some() || std::env::var_os("WHARF_REQUIRE_VALIDATORS").is_some() {
        panic!("{msg}; required here (CI or WHARF_REQUIRE_VALIDATORS is set)");
    }
    let _ = writeln!(std::io::stderr(), "{msg}");
}

#[test]
fn textmate_grammar_scopes_the_examples() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let test_dir = root.join("editors/vscode/test");
    if Command::new("node").arg("--version").output().is_err() {
        return skip("node is not installed");
    }
    if !test_dir.join("node_modules/vscode-textmate").is_dir() {
        return skip("vscode-textmate is not installed");
    }
    let out = Command::new("node")
        .arg(test_dir.join("tokenize.js"))
        .args(["examples", "stdlib", "tests/fixtures/lsp"])
        .current_dir(root)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("tokenized "), "{stdout}");
}
