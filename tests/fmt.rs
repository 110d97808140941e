//! The formatter is idempotent and never changes what a file means: the
//! parsed tree of the output equals the input's (spans aside), on every
//! example, fixture and stdlib file. Plus one golden case.

mod common;

use common::wharf_files;
use std::path::Path;
use wharf::diag::SourceMap;

fn tree(text: &str) -> Option<String> {
    let mut map = SourceMap::new();
    let id = map.add("t.wharf", text);
    let file = wharf::syntax::parse(map.get(id)).ok()?;
    // Debug output without spans: what the file says, not where.
    let debug = format!("{:?}", file.statements);
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(at) = rest.find("Span {") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').map_or(rest.len(), |e| at + e + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
    Some(out)
}

#[test]
fn formatting_is_idempotent_and_keeps_the_meaning() {
    let mut checked = 0;
    for path in wharf_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let Some(before) = tree(&text) else { continue };
        let once = wharf::fmt::format(&text);
        let twice = wharf::fmt::format(&once);
        assert_eq!(
            once,
            twice,
            "{}: formatting twice changes it",
            path.display()
        );
        let after = tree(&once).unwrap_or_else(|| {
            panic!(
                "{}: the formatted file does not parse:\n{once}",
                path.display()
            )
        });
        assert_eq!(
            before,
            after,
            "{}: formatting changed the meaning",
            path.display()
        );
        checked += 1;
    }
    assert!(checked > 80, "only {checked} files checked");
}

#[test]
fn shipped_examples_and_stdlib_are_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for path in wharf_files()
        .iter()
        .filter(|p| p.starts_with(root.join("examples")) || p.starts_with(root.join("stdlib")))
    {
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            wharf::fmt::format(&text),
            text,
            "{} is not formatted: run `wharf fmt`",
            path.display()
        );
    }
}

#[test]
fn golden() {
    let messy = "\n\n// a comment\ntask   web{\n\n      cpu 0.25vcpu ;memory 512MiB\n container app {image \"nginx:1.27\"   // trailing\n    port 80\n\n\n    secret  DB = secretsmanager( \"arn:aws:secretsmanager:us-east-1:123456789012:secret:db\" , key:\"password\" )\n  health [ \"CMD\" ,\"true\" ]\n\n  }\n\n}\nservice web in prod { expose app:80 via edge {path \"/*\"} }  \n\n\n";
    let want = "// a comment\ntask web {\n  cpu 0.25vcpu; memory 512MiB\n  container app { image \"nginx:1.27\" // trailing\n    port 80\n\n    secret DB = secretsmanager(\"arn:aws:secretsmanager:us-east-1:123456789012:secret:db\", key:\"password\")\n    health [\"CMD\", \"true\"]\n  }\n}\nservice web in prod { expose app:80 via edge { path \"/*\" } }\n";
    assert_eq!(wharf::fmt::format(messy), want);
}
