//! The pipeline's rooms: below the command line, the language server and
//! the runner, no code prints, reads the environment, starts a process or
//! touches a file, except the driver's file system (`src/driver/fs.rs`),
//! which every read of source goes through.

use std::path::{Path, PathBuf};

/// Where printing, the environment, processes and files are allowed.
const ALLOWED: &[&str] = &["cli/", "runner/", "lsp/", "main.rs", "driver/fs.rs"];

/// What reaches outside the process's own memory.
const FORBIDDEN: &[&str] = &[
    "std::fs",
    "std::env::",
    "std::io::stdout",
    "std::io::stderr",
    "std::io::stdin",
    "std::process::Command",
    "println!",
    "eprintln!",
    "print!(",
    "eprint!(",
    "dbg!(",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn nothing_below_the_command_line_prints_or_touches_files() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut found = Vec::new();
    let mut checked = 0;
    for path in &files {
        let rel = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if ALLOWED.iter().any(|a| rel.starts_with(a)) {
            continue;
        }
        checked += 1;
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if let Some(f) = FORBIDDEN.iter().find(|f| code.contains(*f)) {
                found.push(format!("src/{rel}:{}: {f}", n + 1));
            }
        }
    }
    assert!(checked > 50, "only {checked} files checked");
    assert!(
        found.is_empty(),
        "outside cli, runner, lsp and the driver's file system:\n{}",
        found.join("\n")
    );
}
