//! The only place diagnostics become text: ariadne reports for people, JSON
//! lines for machines. Byte offsets throughout (`IndexType::Byte`).

use super::{Diagnostic, Severity, SourceMap};
use ariadne::{Cache, Color, Config, IndexType, Label, Report, ReportKind, Source};
use serde_json::json;
use std::fmt;

/// ariadne cache over our source map.
struct Sources<'a> {
    map: &'a SourceMap,
    cache: Vec<Option<Source<String>>>,
}

impl<'a> Cache<u32> for Sources<'a> {
    type Storage = String;

    fn fetch(&mut self, id: &u32) -> Result<&Source<String>, impl fmt::Debug> {
        let i = *id as usize;
        if i >= self.map.files().len() {
            return Err(format!("no file {i}"));
        }
        if self.cache.len() <= i {
            self.cache.resize_with(i + 1, || None);
        }
        let text = self.map.files()[i].text.clone();
        Ok::<_, String>(self.cache[i].get_or_insert_with(|| Source::from(text)))
    }

    fn display<'b>(&self, id: &'b u32) -> Option<impl fmt::Display + 'b> {
        self.map.files().get(*id as usize).map(|f| f.name.clone())
    }
}

/// Renders diagnostics as ariadne reports, one after another.
pub fn human(map: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let mut cache = Sources {
        map,
        cache: Vec::new(),
    };
    let mut text = String::new();
    for d in diags {
        text.push_str(&report(&mut cache, d, color));
    }
    let n = diags.iter().filter(|d| d.is_error()).count();
    if n > 0 {
        let plural = if n == 1 { "" } else { "s" };
        text.push_str(&format!("error: aborting because of {n} error{plural}\n"));
    }
    text
}

/// One diagnostic as an ariadne report.
fn report(cache: &mut Sources, d: &Diagnostic, color: bool) -> String {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let span = |s: super::Span| (s.file.0, s.start as usize..s.end as usize);
    let primary_color = if d.severity == Severity::Error {
        Color::Red
    } else {
        Color::Yellow
    };
    let mut report = Report::build(kind, span(d.primary.span))
        .with_config(
            Config::new()
                .with_index_type(IndexType::Byte)
                .with_color(color),
        )
        .with_code(d.code.as_str())
        .with_message(&d.message)
        .with_label(
            Label::new(span(d.primary.span))
                .with_message(&d.primary.message)
                .with_color(primary_color),
        );
    for l in &d.secondary {
        report = report.with_label(
            Label::new(span(l.span))
                .with_message(&l.message)
                .with_color(Color::Blue),
        );
    }
    if let Some(help) = &d.help {
        report = report.with_help(help);
    }
    let mut out = Vec::new();
    report
        .finish()
        .write(cache, &mut out)
        .expect("writing to a Vec cannot fail");
    String::from_utf8_lossy(&out).into_owned()
}

/// A label's place: file, byte offsets, and 1-based line and column (in
/// characters) of both ends.
fn location(map: &SourceMap, l: &super::Label) -> serde_json::Value {
    let (line, column) = map.line_col(l.span.file, l.span.start);
    let (end_line, end_column) = map.line_col(l.span.file, l.span.end);
    json!({
        "file": map.get(l.span.file).name,
        "start": l.span.start, "end": l.span.end,
        "line": line, "column": column, "end_line": end_line, "end_column": end_column,
        "message": l.message,
    })
}

/// One JSON object per line (schema in docs/diagnostics.md): code, title,
/// severity, message, primary and secondary labels with byte offsets and
/// line/column, help, and the text a person would see (`rendered`).
pub fn json(map: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut cache = Sources {
        map,
        cache: Vec::new(),
    };
    let mut out = String::new();
    for d in diags {
        let value = json!({
            "type": "diagnostic",
            "code": d.code.as_str(),
            "title": d.code.title(),
            "severity": d.severity,
            "message": d.message,
            "primary": location(map, &d.primary),
            "secondary": d.secondary.iter().map(|l| location(map, l)).collect::<Vec<_>>(),
            "help": d.help,
            "rendered": report(&mut cache, d, false),
        });
        out.push_str(&value.to_string());
        out.push('\n');
    }
    out
}

/// A coded error that belongs to no place in a source file (a file that
/// cannot be read, a runner failure), as one JSON line in the same schema
/// as `json`, with `primary: null`.
pub fn json_unplaced(
    code: Option<super::Code>,
    severity: Severity,
    message: &str,
    help: Option<&str>,
) -> String {
    let rendered = human_unplaced(code, severity, message, help, false);
    let value = json!({
        "type": "diagnostic",
        "code": code.map(|c| c.as_str()),
        "title": code.map(|c| c.title()),
        "severity": severity,
        "message": message,
        "primary": null,
        "secondary": [],
        "help": help,
        "rendered": rendered,
    });
    format!("{value}\n")
}

/// The human form of an error with no place in a file, shaped like
/// ariadne's first and help lines.
pub fn human_unplaced(
    code: Option<super::Code>,
    severity: Severity,
    message: &str,
    help: Option<&str>,
    color: bool,
) -> String {
    let (kind, paint) = match severity {
        Severity::Error => ("Error", "\x1b[31m"),
        Severity::Warning => ("Warning", "\x1b[33m"),
    };
    let head = match code {
        Some(c) => format!("[{}] {kind}:", c.as_str()),
        None => format!("{}:", kind.to_lowercase()),
    };
    let mut out = if color {
        format!("{paint}{head}\x1b[0m {message}\n")
    } else {
        format!("{head} {message}\n")
    };
    if let Some(help) = help {
        if color {
            out.push_str(&format!("  \x1b[36mHelp\x1b[0m: {help}\n"));
        } else {
            out.push_str(&format!("  Help: {help}\n"));
        }
    }
    out
}

/// One SARIF 2.1.0 result per diagnostic (the run's `results`), for code
/// scanning; `sarif_log` wraps them with the tool's rules.
pub fn sarif_results(map: &SourceMap, diags: &[Diagnostic]) -> Vec<serde_json::Value> {
    let region = |l: &super::Label| {
        let (line, column) = map.line_col(l.span.file, l.span.start);
        let (end_line, end_column) = map.line_col(l.span.file, l.span.end);
        json!({
            "physicalLocation": {
                "artifactLocation": { "uri": sarif_uri(&map.get(l.span.file).name) },
                "region": {
                    "startLine": line, "startColumn": column,
                    "endLine": end_line, "endColumn": end_column,
                    "byteOffset": l.span.start, "byteLength": l.span.end - l.span.start,
                },
            },
            "message": { "text": l.message },
        })
    };
    diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            json!({
                "ruleId": d.code.as_str(),
                "level": sarif_level(d.severity),
                "message": { "text": text },
                "locations": [region(&d.primary)],
                "relatedLocations": d.secondary.iter().map(region).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// A SARIF result for an error with no place in a file.
pub fn sarif_unplaced(
    code: Option<super::Code>,
    severity: Severity,
    message: &str,
    help: Option<&str>,
) -> serde_json::Value {
    let mut text = message.to_string();
    if let Some(help) = help {
        text.push_str(&format!("\nhelp: {help}"));
    }
    let mut v = json!({ "level": sarif_level(severity), "message": { "text": text } });
    if let Some(c) = code {
        v["ruleId"] = json!(c.as_str());
    }
    v
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// File names as SARIF URIs: relative paths stay relative (to the
/// repository root that code scanning resolves them against), absolute ones
/// become `file://` URIs; `/` separators, and the characters URIs reserve
/// percent-encoded.
fn sarif_uri(name: &str) -> String {
    let mut out = String::new();
    if name.starts_with('/') {
        out.push_str("file://");
    }
    for b in name.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b'\\' => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The whole SARIF 2.1.0 log: one run of the tool `wharf`, its rules (every
/// code that appears in `results`, with its title and `wharf explain` as
/// help) and the results.
pub fn sarif_log(results: Vec<serde_json::Value>) -> serde_json::Value {
    let mut ids: Vec<&str> = results
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let rules: Vec<serde_json::Value> = ids
        .iter()
        .filter_map(|id| id.parse::<super::Code>().ok())
        .map(|c| {
            json!({
                "id": c.as_str(),
                "name": c.title(),
                "shortDescription": { "text": c.title() },
                "help": { "text": format!("run `wharf explain {}`", c.as_str()) },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "wharf",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}
