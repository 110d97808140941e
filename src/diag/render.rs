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
    let mut out = Vec::new();
    let mut cache = Sources {
        map,
        cache: Vec::new(),
    };
    for d in diags {
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
        let report = report.finish();
        if d.redact.is_empty() {
            report.write(&mut cache, &mut out)
        } else {
            let masked = map.masked(&d.redact);
            let mut own = Sources {
                map: &masked,
                cache: Vec::new(),
            };
            report.write(&mut own, &mut out)
        }
        .expect("writing to a Vec cannot fail");
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    let n = diags.iter().filter(|d| d.is_error()).count();
    if n > 0 {
        let plural = if n == 1 { "" } else { "s" };
        format!("{text}error: aborting because of {n} error{plural}\n")
    } else {
        text
    }
}

/// One JSON object per line, with file name, 1-based line and column.
pub fn json(map: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let label = |l: &super::Label| {
            let (line, column) = map.line_col(l.span.file, l.span.start);
            let (end_line, end_column) = map.line_col(l.span.file, l.span.end);
            json!({
                "file": map.get(l.span.file).name,
                "start": l.span.start, "end": l.span.end,
                "line": line, "column": column, "end_line": end_line, "end_column": end_column,
                "message": l.message,
            })
        };
        let value = json!({
            "code": d.code.as_str(),
            "severity": d.severity,
            "message": d.message,
            "primary": label(&d.primary),
            "secondary": d.secondary.iter().map(label).collect::<Vec<_>>(),
            "help": d.help,
        });
        out.push_str(&value.to_string());
        out.push('\n');
    }
    out
}
