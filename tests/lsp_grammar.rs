//! The VS Code extension's TextMate grammar, run through the tokenizer VS
//! Code uses (vscode-textmate + vscode-oniguruma, from npm) on the examples,
//! the stdlib and the LSP fixtures: `editors/vscode/test/tokenize.js`.
//! Needs node and `editors/vscode/test/setup.sh` (`scripts/test` runs it
//! where npm exists); without them the test prints SKIPPED on stderr, and
//! fails under CI, which installs them.

use std::io::Write;
use std::path::Path;
use std::process::Command;

fn skip(why: &str) {
    let msg = format!(
        "SKIPPED: lsp_grammar: {why} (run `bash editors/vscode/test/setup.sh`, which needs node and npm)"
    );
    if std::env::var_os("CI").is_some() {
        panic!("{msg}; required in CI");
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

/// The Vim syntax file loads without errors and names the groups of a
/// declaration, a property, a quantity, a string, a comment and a binding.
/// Skipped (with a SKIPPED line) where Vim is not installed.
#[test]
fn vim_syntax_names_the_groups() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if Command::new("vim").arg("--version").output().is_err() {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: vim_syntax_names_the_groups: vim is not installed"
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("wharf-vim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("t.wharf");
    std::fs::write(
        &file,
        "// a comment\ninput TAG: string = \"v1\"\ntask web {\n  cpu 0.25vcpu\n  container app { image \"x:${TAG}\" }\n}\n",
    )
    .unwrap();
    let out = dir.join("groups.txt");
    let probes = "[[1,4],[2,1],[2,7],[3,1],[3,6],[4,3],[4,7],[5,3],[5,13],[5,19],[5,25]]";
    let status = Command::new("vim")
        .args(["-N", "-u", "NONE", "-i", "NONE", "-Es"])
        .arg("-c")
        .arg(format!("set rtp^={}", root.join("editors/vim").display()))
        .args(["-c", "syntax on", "-c", "filetype on"])
        .arg("-c")
        .arg(format!("e {}", file.display()))
        .arg("-c")
        .arg(format!("call writefile([&ft] + map({probes}, 'synIDattr(synID(v:val[0], v:val[1], 1), \"name\")'), '{}')", out.display()))
        .args(["-c", "qa!"])
        .status()
        .unwrap();
    assert!(status.success());
    let groups = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        groups.lines().collect::<Vec<_>>(),
        [
            "wharf",
            "wharfComment",
            "wharfBinding",
            "wharfConstName",
            "wharfDecl",
            "wharfName",
            "wharfProperty",
            "wharfNumber",
            "wharfDecl",
            "wharfName",
            "wharfProperty",
            "wharfString",
        ]
    );
}
