//! docs/language.md is a reference for every statement of every block, and
//! its tables are written from the checker's vocabulary
//! (`wharf::check::vocabulary`): the table under each block's section is
//! exactly `Block::reference_table()`, a row per statement the block takes
//! (what it takes, its default, what it becomes, an example), so the page
//! cannot drift from what the checker reads. After changing the vocabulary,
//! `WHARF_BLESS_DOCS=1 cargo test --test docs_reference` rewrites the tables.

use std::collections::BTreeMap;
use wharf::check::vocabulary::BLOCKS;

const COLUMNS: &str = "| statement | takes | default | becomes | example |";

/// Per section heading, its reference table: (first line, line after it).
fn tables(page: &str) -> BTreeMap<String, Vec<(usize, usize)>> {
    let lines: Vec<&str> = page.lines().collect();
    let mut out: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    let mut section = String::new();
    let mut in_code = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            section = line.trim_start_matches('#').trim().to_string();
        } else if !in_code && line.trim() == COLUMNS {
            let start = i;
            while i < lines.len() && lines[i].starts_with('|') {
                i += 1;
            }
            out.entry(section.clone()).or_default().push((start, i));
            continue;
        }
        i += 1;
    }
    out
}

fn path() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md").to_string()
}

/// What is wrong with the page's reference tables, one line each.
fn problems(page: &str) -> Vec<String> {
    let lines: Vec<&str> = page.lines().collect();
    let found = tables(page);
    let mut wrong = Vec::new();
    for (section, spans) in &found {
        if !BLOCKS.iter().any(|b| b.section == section.as_str()) {
            wrong.push(format!(
                "a reference table under `{section}`, no block's section"
            ));
        }
        if spans.len() > 1 {
            wrong.push(format!(
                "{} reference tables under `{section}`",
                spans.len()
            ));
        }
    }
    for b in BLOCKS {
        let Some(&[(start, end)]) = found.get(b.section).map(Vec::as_slice) else {
            wrong.push(format!("no reference table under `{}`", b.section));
            continue;
        };
        let written: String = lines[start..end].iter().map(|l| format!("{l}\n")).collect();
        let expected = b.reference_table();
        if written != expected {
            wrong.push(format!(
                "the table under `{}` is not the vocabulary's:\n{}",
                b.section,
                diff(&written, &expected)
            ));
        }
    }
    wrong
}

fn diff(written: &str, expected: &str) -> String {
    let mut out = String::new();
    for l in written
        .lines()
        .filter(|l| !expected.lines().any(|e| e == *l))
    {
        out.push_str(&format!("  page:       {l}\n"));
    }
    for l in expected
        .lines()
        .filter(|l| !written.lines().any(|w| w == *l))
    {
        out.push_str(&format!("  vocabulary: {l}\n"));
    }
    if out.is_empty() {
        out.push_str("  (the same rows in another order)\n");
    }
    out
}

/// The page with every block's table replaced by the vocabulary's.
fn blessed(page: &str) -> String {
    let lines: Vec<&str> = page.lines().collect();
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    for (section, found) in tables(page) {
        if let Some(b) = BLOCKS.iter().find(|b| b.section == section) {
            for (start, end) in found {
                spans.push((start, end, b.reference_table()));
            }
        }
    }
    spans.sort();
    let mut out = String::new();
    let mut i = 0;
    for (start, end, table) in spans {
        for l in &lines[i..start] {
            out.push_str(l);
            out.push('\n');
        }
        out.push_str(&table);
        i = end;
    }
    for l in &lines[i..] {
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[test]
fn the_reference_tables_are_the_vocabulary() {
    let page = std::fs::read_to_string(path()).unwrap();
    if std::env::var_os("WHARF_BLESS_DOCS").is_some() {
        let new = blessed(&page);
        if new != page {
            // Renamed into place, so the other tests never read half a page.
            let tmp = format!("{}.{}.tmp", path(), std::process::id());
            std::fs::write(&tmp, new).unwrap();
            std::fs::rename(&tmp, path()).unwrap();
        }
        return;
    }
    let wrong = problems(&page);
    assert!(
        wrong.is_empty(),
        "{}\n(WHARF_BLESS_DOCS=1 cargo test --test docs_reference rewrites the tables)",
        wrong.join("\n")
    );
}

#[test]
fn every_example_uses_its_statement() {
    for b in BLOCKS {
        for p in b.properties() {
            assert!(
                p.example.contains(p.name),
                "the example of `{}` under `{}` does not use it",
                p.name,
                b.section
            );
            for (column, cell) in [
                ("takes", p.takes),
                ("default", p.default),
                ("becomes", p.becomes),
            ] {
                assert!(
                    !cell.is_empty(),
                    "`{}` under `{}` has no {column}",
                    p.name,
                    b.section
                );
            }
        }
    }
}

#[test]
fn a_missing_row_is_found() {
    // The check itself: a page without the `cpu` row of `task` fails it.
    let page = std::fs::read_to_string(path()).unwrap();
    let cut: String = page
        .lines()
        .filter(|l| !l.starts_with("| `cpu` | a CPU amount (`256`"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(cut, page, "the task's cpu row exists");
    let wrong = problems(&cut);
    assert_eq!(wrong.len(), 1, "{wrong:?}");
    assert!(
        wrong[0].starts_with("the table under `task`"),
        "{}",
        wrong[0]
    );
    assert!(wrong[0].contains("vocabulary: | `cpu` |"), "{}", wrong[0]);
    // And a row the vocabulary does not have.
    let extra = page.replacen(
        "| `family` |",
        "| `qqq` | a flag | none | nothing | `qqq` |\n| `family` |",
        1,
    );
    assert!(problems(&extra)
        .iter()
        .any(|w| w.contains("page:       | `qqq`")));
}
