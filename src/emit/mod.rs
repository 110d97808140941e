//! Backends: `&ir::Program` -> files. Backends read only the typed IR; a fact
//! a backend needs is added to `ir`, never re-derived from syntax.

pub mod cloudformation;
pub mod ecs;
pub mod local;
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
pub fn to_json(value: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("JSON values always serialize");
    s.push('\n');
    s
}
