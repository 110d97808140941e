//! Backends: `&ir::Program` -> files. Backends read only the typed IR; a fact
//! a backend needs is added to `ir`, never re-derived from syntax.

pub mod cloudformation;
pub mod ecs;
pub mod local;

/// One output file, with a path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub path: String,
    pub contents: String,
}

/// Renders artifacts as one text with a `//// path` header per file, the form
/// snapshots use.
pub fn render_artifacts(artifacts: &[Artifact]) -> String {
    let mut out = String::new();
    for a in artifacts {
        out.push_str("//// ");
        out.push_str(&a.path);
        out.push('\n');
        out.push_str(&a.contents);
        if !a.contents.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Pretty JSON with a final newline: the one JSON form every backend writes.
pub fn to_json(value: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("JSON values always serialize");
    s.push('\n');
    s
}
