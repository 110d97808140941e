//! Docs made from the code stay current: docs/troubleshooting.md is the
//! explanations of every diagnostic code. `WHARF_UPDATE_DOCS=1 cargo test
//! --test docs` rewrites it; otherwise a difference fails.

use std::path::Path;

#[test]
fn troubleshooting_page_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/troubleshooting.md");
    let want = wharf::diag::explain::troubleshooting_markdown();
    if std::env::var_os("WHARF_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/troubleshooting.md is out of date: run `WHARF_UPDATE_DOCS=1 cargo test --test docs`"
    );
}

/// The ```wharf blocks of a Markdown page (fences with other info strings,
/// such as `wharf fragment` or `sh`, are not programs).
fn wharf_blocks(page: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in page.lines().enumerate() {
        match &mut current {
            None if line.trim_end() == "```wharf" => current = Some((i + 1, String::new())),
            Some(_) if line.trim_end() == "```" => blocks.push(current.take().unwrap()),
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// Every whole program in the cookbook and the migration guide is accepted
/// by `wharf check` (the real binary).
#[test]
fn every_program_in_the_guides_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docs");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut checked = 0;
    for page in ["docs/cookbook.md", "docs/migrating.md"] {
        let text = std::fs::read_to_string(root.join(page)).unwrap();
        let blocks = wharf_blocks(&text);
        assert!(!blocks.is_empty(), "{page} has no wharf block");
        for (line, program) in blocks {
            let file = tmp.join(format!(
                "{}-{line}.wharf",
                page.trim_start_matches("docs/").trim_end_matches(".md")
            ));
            std::fs::write(&file, &program).unwrap();
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
                .args(["check", file.to_str().unwrap(), "--color", "never"])
                .env_remove("IMAGE_TAG")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{page}:{line}: the program does not check:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            checked += 1;
        }
    }
    assert!(checked >= 8, "{checked}");
}

/// The README's diagnostics example shows what `wharf check` prints for its
/// program, exactly.
#[test]
fn readme_diagnostics_example_is_real_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = readme
        .split("## Diagnostics\n")
        .nth(1)
        .expect("a Diagnostics section");
    let program = section
        .split("```wharf\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("its program");
    let shown = section
        .split("```text\n$ wharf check broken.wharf\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("its output");
    let dir = std::env::temp_dir().join(format!("wharf-readme-diag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("broken.wharf"), program).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wharf"))
        .current_dir(&dir)
        .args(["check", "broken.wharf", "--color", "never"])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr), shown);
}
