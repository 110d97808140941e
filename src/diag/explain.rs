//! Long explanations for `wharf explain CODE`, kept in one embedded Markdown
//! file (`explain.md`) with one `## E0xxx` section per code.

use super::Code;

const TEXT: &str = include_str!("explain.md");

/// The explanation of a code, without its heading; `None` if none is written.
pub fn explanation(code: Code) -> Option<&'static str> {
    let heading = format!("## {}", code.as_str());
    let start = TEXT.find(&heading)? + heading.len();
    let rest = &TEXT[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    Some(rest[..end].trim_matches('\n'))
}
