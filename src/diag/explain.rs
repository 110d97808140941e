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

/// The families of codes, by their first three characters.
const FAMILIES: &[(&str, &str)] = &[
    ("E01", "Syntax and loading"),
    ("E02", "Names"),
    ("E03", "Types and values"),
    ("E04", "ECS rules"),
    ("E05", "Backends and output"),
    ("E06", "Local runner"),
    (
        "E07",
        "Newer ECS features: Service Connect, native deployments, Windows and ARM64",
    ),
];

/// docs/troubleshooting.md: every code, by family, with its title and its
/// explanation, made from the same text `wharf explain` prints (a test keeps
/// the file current).
pub fn troubleshooting_markdown() -> String {
    let mut out = String::from(
        "# Troubleshooting\n\n\
         <!-- Generated from src/diag/explain.md by `WHARF_UPDATE_DOCS=1 cargo test --test docs`; do not edit. -->\n\n\
         Every message Wharf prints starts with a stable code such as `[E0401]`.\n\
         Find the code below, or run `wharf explain E0401` for the same text in the\n\
         terminal. `--message-format json` and `sarif` carry the code too\n\
         ([diagnostics.md](diagnostics.md)). Exit codes: 0 success, 1 errors in the\n\
         input, 2 usage errors; the runner adds 3 (driver unavailable) and 4 (port in\n\
         use).\n",
    );
    for (prefix, family) in FAMILIES {
        let codes: Vec<Code> = Code::ALL
            .iter()
            .copied()
            .filter(|c| c.as_str().starts_with(prefix))
            .collect();
        if codes.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n## {family} ({prefix}xx)\n\n| code | what |\n| --- | --- |\n"
        ));
        for c in &codes {
            let anchor = c.as_str().to_lowercase();
            out.push_str(&format!(
                "| [{}](#{anchor}) | {} |\n",
                c.as_str(),
                c.title()
            ));
        }
        for c in codes {
            out.push_str(&format!("\n### {}\n\n**{}**\n\n", c.as_str(), c.title()));
            let body = explanation(c).unwrap_or("No explanation has been written for this code.");
            // Headings inside an explanation sit below the code's own.
            for line in body.lines() {
                if line.starts_with('#') {
                    out.push_str("###");
                }
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}
