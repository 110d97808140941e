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
