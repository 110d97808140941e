//! The only place diagnostics become text: ariadne reports for people, JSON
//! lines for machines. Byte offsets throughout (`IndexType::Byte`).
//!
//! A report never quotes more than the lines its labels are on, and each of
//! those is cut to [`WIDTH`] columns around the label (with `…` where it is
//! cut), so a hostile file (one endless line, the process environment) is
//! never echoed whole. Messages, labels and help lines are cut likewise to
//! [`TEXT_WIDTH`] (help lines to twice that). A diagnostic about a file as a whole (a span `0..0` in an
//! empty text) is printed without a source excerpt.

use super::{Diagnostic, Severity, SourceMap};
use ariadne::{Cache, Color, Config, IndexType, Label, Report, ReportKind, Source};
use serde_json::json;
use std::collections::HashMap;
use std::fmt;

/// Columns of a source line shown in a report.
pub const WIDTH: usize = 200;
/// Characters of a message or label shown in a report (they quote what the
/// user wrote); a help line, which lists what is allowed, gets twice that.
pub const TEXT_WIDTH: usize = WIDTH;

/// A file's text as reports show it: lines longer than [`WIDTH`] cut to a
/// window around the first label on them, with a map from the file's byte
/// offsets to the shown text's.
struct View {
    text: String,
    /// Per line: (start in the file, start in the view, window start and end
    /// in the line, bytes of the `…` put before the window).
    lines: Vec<(usize, usize, usize, usize, usize)>,
}

impl View {
    /// `anchors` are the byte offsets labels start at, sorted.
    fn new(text: &str, anchors: &[usize]) -> View {
        let mut out = String::with_capacity(text.len().min(1 << 20));
        let mut lines = Vec::new();
        let mut start = 0;
        for raw in text.split_inclusive('\n') {
            let line = raw.strip_suffix('\n').unwrap_or(raw);
            let view_start = out.len();
            let chars = if line.len() > WIDTH {
                line.chars().count()
            } else {
                line.len()
            };
            if chars <= WIDTH {
                out.push_str(raw);
                lines.push((start, view_start, 0, line.len(), 0));
            } else {
                let anchor = anchors
                    .iter()
                    .find(|a| (start..=start + line.len()).contains(a))
                    .map_or(0, |a| line[..floor(line, a - start)].chars().count());
                let first = if anchor + 40 <= WIDTH { 0 } else { anchor - 40 };
                let last = (first + WIDTH).min(chars);
                let byte = |c: usize| line.char_indices().nth(c).map_or(line.len(), |(i, _)| i);
                let (ws, we) = (byte(first), byte(last));
                let prefix = if first > 0 { "…" } else { "" };
                out.push_str(prefix);
                out.push_str(&line[ws..we]);
                if we < line.len() {
                    out.push('…');
                }
                if raw.len() > line.len() {
                    out.push('\n');
                }
                lines.push((start, view_start, ws, we, prefix.len()));
            }
            start += raw.len();
        }
        View { text: out, lines }
    }

    fn map(&self, offset: usize) -> usize {
        let i = self
            .lines
            .partition_point(|l| l.0 <= offset)
            .saturating_sub(1);
        match self.lines.get(i) {
            Some(&(start, view_start, ws, we, prefix)) => {
                let rel = offset.saturating_sub(start).clamp(ws, we);
                view_start + prefix + rel - ws
            }
            None => 0,
        }
    }
}

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `text` cut to `max` characters, with `…` if it was longer.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// Lines of a help text shown: a help may list what a block accepts over
/// several lines, each of which is cut like any text.
const HELP_LINES: usize = 12;

/// A help text cut line by line to twice [`TEXT_WIDTH`], at most [`HELP_LINES`]
/// lines, so a long list stays whole and a hostile one stays bounded.
fn cut_help(help: &str) -> String {
    let mut lines: Vec<String> = help
        .lines()
        .take(HELP_LINES)
        .map(|l| cut(l, 2 * TEXT_WIDTH))
        .collect();
    if help.lines().nth(HELP_LINES).is_some() {
        lines.push("…".to_string());
    }
    lines.join("\n")
}

/// ariadne cache over our source map, showing views of files with long lines.
struct Sources<'a> {
    map: &'a SourceMap,
    views: &'a HashMap<u32, View>,
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
        // Built once per file (ariadne indexes its lines), not per report.
        let (views, map) = (self.views, self.map);
        Ok::<_, String>(self.cache[i].get_or_insert_with(|| {
            Source::from(match views.get(id) {
                Some(v) => v.text.clone(),
                None => map.files()[i].text.clone(),
            })
        }))
    }

    fn display<'b>(&self, id: &'b u32) -> Option<impl fmt::Display + 'b> {
        self.map.files().get(*id as usize).map(|f| f.name.clone())
    }
}

/// Views of the files that have a line longer than [`WIDTH`] and a label.
fn views(map: &SourceMap, diags: &[Diagnostic]) -> HashMap<u32, View> {
    let mut anchors: HashMap<u32, Vec<usize>> = HashMap::new();
    for d in diags {
        for l in std::iter::once(&d.primary).chain(&d.secondary) {
            anchors
                .entry(l.span.file.0)
                .or_default()
                .push(l.span.start as usize);
        }
    }
    anchors
        .into_iter()
        .filter_map(|(id, mut at)| {
            let text = &map.files().get(id as usize)?.text;
            if !text.split('\n').any(|l| l.len() > WIDTH) {
                return None;
            }
            at.sort_unstable();
            Some((id, View::new(text, &at)))
        })
        .collect()
}

/// A diagnostic about a whole file: no excerpt, the file's name instead.
fn whole_file(map: &SourceMap, d: &Diagnostic) -> Option<String> {
    let file = map.files().get(d.primary.span.file.0 as usize)?;
    if !file.text.is_empty() || d.primary.span.end != 0 || !d.secondary.is_empty() {
        return None;
    }
    let kind = match d.severity {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
    };
    let mut out = format!(
        "[{}] {kind}: {}\n   ╭─[ {} ]\n",
        d.code.as_str(),
        cut(&d.message, TEXT_WIDTH),
        file.name
    );
    if let Some(help) = &d.help {
        out.push_str(&format!("   │ Help: {}\n", cut_help(help)));
    }
    out.push_str("───╯\n");
    Some(out)
}

/// The sources with every span a diagnostic redacts (a secret's value)
/// masked, once for the whole batch; `None` when nothing is redacted.
fn masked(map: &SourceMap, diags: &[Diagnostic]) -> Option<SourceMap> {
    let spans: Vec<super::Span> = diags
        .iter()
        .flat_map(|d| d.redact.iter().copied())
        .collect();
    (!spans.is_empty()).then(|| map.masked(&spans))
}

/// Renders diagnostics as ariadne reports, one after another.
pub fn human(map: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let masked = masked(map, diags);
    let map = masked.as_ref().unwrap_or(map);
    let views = views(map, diags);
    let mut cache = Sources {
        map,
        views: &views,
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

/// One diagnostic as an ariadne report (or as a whole-file report).
fn report(cache: &mut Sources, d: &Diagnostic, color: bool) -> String {
    if let Some(text) = whole_file(cache.map, d) {
        return text;
    }
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let views = cache.views;
    let span = |s: super::Span| match views.get(&s.file.0) {
        Some(v) => (s.file.0, v.map(s.start as usize)..v.map(s.end as usize)),
        None => (s.file.0, s.start as usize..s.end as usize),
    };
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
        .with_message(cut(&d.message, TEXT_WIDTH))
        .with_label(
            Label::new(span(d.primary.span))
                .with_message(cut(&d.primary.message, TEXT_WIDTH))
                .with_color(primary_color),
        );
    for l in &d.secondary {
        report = report.with_label(
            Label::new(span(l.span))
                .with_message(cut(&l.message, TEXT_WIDTH))
                .with_color(Color::Blue),
        );
    }
    if let Some(help) = &d.help {
        report = report.with_help(cut_help(help));
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
        "message": cut(&l.message, TEXT_WIDTH),
    })
}

/// One JSON object per line (schema in docs/diagnostics.md): code, title,
/// severity, message, primary and secondary labels with byte offsets and
/// line/column, help, and the text a person would see (`rendered`);
/// messages, labels and help cut as in the human form.
pub fn json(map: &SourceMap, diags: &[Diagnostic]) -> String {
    let masked = masked(map, diags);
    let map = masked.as_ref().unwrap_or(map);
    let views = views(map, diags);
    let mut cache = Sources {
        map,
        views: &views,
        cache: Vec::new(),
    };
    let mut out = String::new();
    for d in diags {
        let value = json!({
            "type": "diagnostic",
            "code": d.code.as_str(),
            "title": d.code.title(),
            "severity": d.severity,
            "message": cut(&d.message, TEXT_WIDTH),
            "primary": location(map, &d.primary),
            "secondary": d.secondary.iter().map(|l| location(map, l)).collect::<Vec<_>>(),
            "help": d.help.as_deref().map(cut_help),
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
