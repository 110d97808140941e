//! The whole task definition has a Wharf form: every member of botocore's
//! `RegisterTaskDefinition` input and `ContainerDefinition` shape (copied
//! into `tests/fixtures/botocore_ecs_shapes.json`, so no botocore is needed
//! here) has a row in `docs/task-definition.md` with a form or a stated
//! reason; and every member with a form is written by the ECS target for
//! the agreement programs (`tests/fixtures/agree/`), so a form in the table
//! is one that works.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `section -> member -> (form, reason)` from the docs table.
fn table() -> BTreeMap<String, BTreeMap<String, (String, String)>> {
    let text = std::fs::read_to_string(root().join("docs/task-definition.md")).unwrap();
    let mut out: BTreeMap<String, BTreeMap<String, (String, String)>> = BTreeMap::new();
    let mut section = String::new();
    for line in text.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            section = h.trim().to_string();
            continue;
        }
        if !line.starts_with("| `") {
            continue;
        }
        // Cells split on `|` not escaped as `\|`.
        let cells: Vec<String> = line
            .replace("\\|", "\u{1}")
            .split('|')
            .map(|c| c.trim().replace('\u{1}', "|"))
            .collect();
        let member = cells[1].trim_matches('`').to_string();
        out.entry(section.clone())
            .or_default()
            .insert(member, (cells[2].clone(), cells[3].clone()));
    }
    out
}

fn shapes() -> BTreeMap<String, Vec<String>> {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/botocore_ecs_shapes.json")).unwrap(),
    )
    .unwrap();
    serde_json::from_value(v["shapes"].clone()).unwrap()
}

#[test]
fn every_member_has_a_form_or_a_reason() {
    let table = table();
    let shapes = shapes();
    let mut missing = Vec::new();
    for (shape, members) in &shapes {
        let rows = table.get(shape.as_str());
        for m in members {
            match rows.and_then(|r| r.get(m)) {
                Some((form, reason)) if !form.is_empty() || !reason.is_empty() => {}
                _ => missing.push(format!("{shape}.{m}")),
            }
        }
        // No row for a member botocore does not have (a stale table).
        for row in rows.into_iter().flat_map(|r| r.keys()) {
            assert!(
                members.contains(row),
                "{shape}.{row} is not a botocore member"
            );
        }
    }
    assert!(
        missing.is_empty(),
        "members with neither a Wharf form nor a reason in docs/task-definition.md: {missing:?}"
    );
}

#[test]
fn every_form_reaches_the_ecs_target() {
    let dir = root().join("tests/fixtures/agree");
    let mut task_keys = BTreeSet::new();
    let mut container_keys = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "wharf") {
            continue;
        }
        let program = match wharf::driver::compile(&wharf::driver::Disk, &path, &Default::default())
        {
            Ok(compiled) => compiled.program,
            Err(d) => panic!("{d}"),
        };
        let artifacts = wharf::emit::ecs::emit_ecs(&program)
            .unwrap_or_else(|d| panic!("{}: {d:?}", path.display()));
        for a in artifacts.iter().filter(|a| a.path.starts_with("taskdefs/")) {
            let td: Value = serde_json::from_str(&a.contents).unwrap();
            task_keys.extend(td.as_object().unwrap().keys().cloned());
            for c in td["containerDefinitions"].as_array().unwrap() {
                container_keys.extend(c.as_object().unwrap().keys().cloned());
            }
        }
    }
    let table = table();
    let mut unused = Vec::new();
    for (section, written) in [
        ("RegisterTaskDefinition", &task_keys),
        ("ContainerDefinition", &container_keys),
    ] {
        for (member, (form, _)) in &table[section] {
            if !form.is_empty() && !written.contains(member) {
                unused.push(format!("{section}.{member}"));
            }
        }
    }
    assert!(
        unused.is_empty(),
        "members with a form that no agreement program writes: {unused:?}"
    );
}
