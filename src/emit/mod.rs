//! Backends: `&ir::Program` -> files. Backends read only the typed IR; a fact
//! a backend needs is added to `ir`, never re-derived from syntax.

pub mod cloudformation;
pub mod ecs;
mod json;
pub mod local;
mod render;
mod target;

pub use target::{Target, TemplateFormat};

use crate::diag::{Code, Diagnostic};
use crate::ir;

/// Refuses a program with a secret input (`ir::Input::secret`) for a target
/// that substitutes input values into its files (ECS, local): the value
/// would sit in plain text in the output and in the task definition. Only
/// CloudFormation can take it, as a `NoEcho` parameter given at deploy time.
pub fn refuse_secret_inputs(program: &ir::Program, target: &str) -> Result<(), Vec<Diagnostic>> {
    let diags: Vec<Diagnostic> = program
        .inputs
        .iter()
        .filter_map(|i| {
            let used = i.secret?;
            let label = if used == i.span {
                format!("`{}` is named like a secret", i.name)
            } else {
                format!("a secret-looking variable takes `{}` here", i.name)
            };
            let d = Diagnostic::error(
                Code::SecretInputInPlainText,
                format!(
                    "input `{}` feeds a secret, and the {target} target would write its value in plain text",
                    i.name
                ),
                used,
                label,
            );
            let d = if used == i.span {
                d
            } else {
                d.with_label(i.span, "input declared here")
            };
            Some(d.with_help("keep the value in Secrets Manager or SSM and write `secret NAME = secretsmanager(\"arn:...\")` or `ssm(\"/name\")`; `--target cloudformation` takes the input as a NoEcho parameter instead"))
        })
        .collect();
    if diags.is_empty() {
        Ok(())
    } else {
        Err(diags)
    }
}

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
/// The bytes are serde_json's `to_string_pretty` (two-space indent, `": "`,
/// `{}` / `[]` when empty), written by a direct walk of the tree: the
/// generic serializer spent most of its time in dispatch, and every string
/// without a character to escape is copied as it is.
pub fn to_json(value: &serde_json::Value) -> String {
    let mut out = Vec::with_capacity(4096);
    write_pretty(&mut out, value, 0);
    out.push(b'\n');
    String::from_utf8(out).expect("JSON text is UTF-8")
}

pub(crate) fn newline_indent(out: &mut Vec<u8>, depth: usize) {
    out.push(b'\n');
    out.resize(out.len() + 2 * depth, b' ');
}

/// `value` as [`to_json`] writes it nested at `depth` (its inner lines
/// indented from there), without a final newline.
pub(crate) fn write_pretty(out: &mut Vec<u8>, value: &serde_json::Value, depth: usize) {
    use serde_json::Value;
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            serde_json::to_writer(&mut *out, n).expect("a number always serializes")
        }
        Value::String(s) => write_str(out, s),
        Value::Array(a) if a.is_empty() => out.extend_from_slice(b"[]"),
        Value::Array(a) => {
            out.push(b'[');
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                newline_indent(out, depth + 1);
                write_pretty(out, v, depth + 1);
            }
            newline_indent(out, depth);
            out.push(b']');
        }
        Value::Object(m) if m.is_empty() => out.extend_from_slice(b"{}"),
        Value::Object(m) => {
            out.push(b'{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                newline_indent(out, depth + 1);
                write_str(out, k);
                out.extend_from_slice(b": ");
                write_pretty(out, v, depth + 1);
            }
            newline_indent(out, depth);
            out.push(b'}');
        }
    }
}

/// Compact JSON as serde_json writes it (`to_string`), re-indented as
/// [`write_pretty`] writes the same value at `depth`: one pass over the
/// bytes, no tree. Strings and numbers are copied as they are, since both
/// writers spell them alike.
pub(crate) fn write_indented(out: &mut Vec<u8>, compact: &str, depth: usize) {
    let b = compact.as_bytes();
    let mut depth = depth;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                out.extend_from_slice(&b[start..=i]);
            }
            open @ (b'{' | b'[') => {
                out.push(open);
                if matches!(b.get(i + 1), Some(b'}' | b']')) {
                    out.push(b[i + 1]);
                    i += 1;
                } else {
                    depth += 1;
                    newline_indent(out, depth);
                }
            }
            close @ (b'}' | b']') => {
                depth -= 1;
                newline_indent(out, depth);
                out.push(close);
            }
            b',' => {
                out.push(b',');
                newline_indent(out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            other => out.push(other),
        }
        i += 1;
    }
}

/// Whether a string holds a quote, a backslash or a control character,
/// which JSON escapes. Without an early exit, so that it compiles to a
/// vector loop: most strings have none, and every string of a build is
/// asked (2 % of a 10,000-service build, perf).
pub(crate) fn needs_escape(s: &str) -> bool {
    s.bytes().fold(false, |any, b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

/// A JSON string literal: as it is unless it holds a quote, a backslash or a
/// control character, which serde_json escapes.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    if needs_escape(s) {
        serde_json::to_writer(&mut *out, s).expect("a string always serializes");
    } else {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// The direct writer gives serde_json's pretty bytes, escapes and
    /// numbers included.
    #[test]
    fn to_json_is_serde_json_pretty() {
        let v = json!({
            "empty": {}, "none": [], "null": null, "yes": true, "no": false,
            "n": [0, 1, -7, 18446744073709551615u64, -9223372036854775808i64, 0.25, 1e300, -0.0],
            "s": ["plain", "q\"uote", "back\\slash", "tab\tnl\ncr\r\u{8}\u{c}", "\u{1}\u{1f}\u{7f}", "é ✓ 𝄞", "", "in {a: [1, 2]}, \\\" x"],
            "nested": { "a": [ { "b": [[]] , "c": {"d": {}} } ], "\"k\"": 1 },
        });
        for value in [
            v.clone(),
            json!([]),
            json!({}),
            json!("x"),
            json!(3),
            json!([v]),
        ] {
            let expected = serde_json::to_string_pretty(&value).unwrap() + "\n";
            assert_eq!(super::to_json(&value), expected);
            for depth in [0, 2] {
                let mut pretty = Vec::new();
                super::write_pretty(&mut pretty, &value, depth);
                let mut indented = Vec::new();
                super::write_indented(&mut indented, &value.to_string(), depth);
                assert_eq!(
                    String::from_utf8(indented).unwrap(),
                    String::from_utf8(pretty).unwrap()
                );
            }
        }
    }
}
