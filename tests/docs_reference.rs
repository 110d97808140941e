//! docs/language.md is a reference for every statement of every block: each
//! statement the checker accepts in a block (`Block::heads()`, which
//! `tests/lsp_vocab.rs` proves equal to the checker's lists) has a row in the
//! table of that block's section, with what it takes, its default, the ECS
//! or CloudFormation field it becomes and an example; and no row names a
//! statement the block does not take. So the reference cannot drift.

use std::collections::BTreeMap;
use wharf::lsp::Block;

/// The section (heading text) documenting each block.
const SECTIONS: &[(Block, &str)] = &[
    (Block::Top, "Top level"),
    (Block::Input, "input"),
    (Block::Network, "network"),
    (Block::Cluster, "cluster"),
    (Block::LoadBalancer, "alb / nlb"),
    (Block::Task, "task"),
    (Block::Container, "container (and the pattern blocks)"),
    (Block::Local, "local"),
    (Block::Service, "service"),
    (Block::Expose, "expose"),
    (Block::Job, "job"),
    (Block::Override, "override"),
    (Block::Schedule, "schedule"),
    (Block::Template, "Templates and the stdlib"),
    (Block::Environment, "Environments"),
];

const COLUMNS: &str = "| statement | takes | default | becomes | example |";

/// Cells of a Markdown table row (`\|` is a pipe inside a cell).
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// Per section heading, the statement of each reference row and its cells.
fn reference(page: &str) -> BTreeMap<String, Vec<(String, Vec<String>)>> {
    let mut out: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
    let mut section = String::new();
    let mut in_table = false;
    let mut in_code = false;
    for line in page.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if line.starts_with('#') {
            section = line.trim_start_matches('#').trim().to_string();
            in_table = false;
            continue;
        }
        if line.trim() == COLUMNS {
            in_table = true;
            continue;
        }
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        if in_table && !line.starts_with("| ---") {
            let c = cells(line);
            let head = c[0].trim_matches('`').to_string();
            out.entry(section.clone()).or_default().push((head, c));
        }
    }
    out
}

fn page() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md")).unwrap()
}

#[test]
fn every_statement_of_every_block_has_a_reference_row() {
    let reference = reference(&page());
    let mut missing = Vec::new();
    for (block, section) in SECTIONS {
        let rows = reference.get(*section);
        for head in block.heads() {
            let here = rows.is_some_and(|r| r.iter().any(|(h, _)| h == head));
            // A template's body takes the statements of the places it is
            // used in: those are documented in their own sections.
            let elsewhere = *block == Block::Template
                && [Block::Top, Block::Task, Block::Container, Block::Service]
                    .iter()
                    .any(|b| b.heads().contains(head));
            if !here && !elsewhere {
                missing.push(format!("`{head}` under `{section}` ({block:?})"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/language.md has no reference row for: {}",
        missing.join(", ")
    );
}

#[test]
fn every_reference_row_is_a_statement_with_all_columns() {
    let reference = reference(&page());
    let mut wrong = Vec::new();
    for (section, rows) in &reference {
        let Some((block, _)) = SECTIONS.iter().find(|(_, s)| s == section) else {
            wrong.push(format!(
                "a reference table under `{section}`, no block's section"
            ));
            continue;
        };
        for (head, c) in rows {
            if !block.heads().contains(&head.as_str()) {
                wrong.push(format!("`{head}` is not a statement of `{section}`"));
            }
            if c.len() != 5 || c.iter().any(|cell| cell.is_empty()) {
                wrong.push(format!("`{head}` under `{section}` lacks a column: {c:?}"));
            }
            let example = c.get(4).map_or("", |e| e.trim_matches('`'));
            if !example.contains(head.as_str()) {
                wrong.push(format!(
                    "the example of `{head}` under `{section}` does not use it"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_missing_row_is_found() {
    // The check itself: a page without the `cpu` row of `task` fails it.
    let page = page();
    let cut: String = page
        .lines()
        .filter(|l| !l.starts_with("| `cpu` | a CPU amount (`256`"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(cut, page, "the task's cpu row exists");
    let rows = reference(&cut);
    assert!(!rows["task"].iter().any(|(h, _)| h == "cpu"));
    assert!(rows["container (and the pattern blocks)"]
        .iter()
        .any(|(h, _)| h == "cpu"));
}
