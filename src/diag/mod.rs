//! Diagnostics shared by every stage: source files, spans, codes and the
//! `Diagnostic` value itself. Stages build diagnostics; only `render` turns
//! them into text, so the core never prints.

mod code;
mod emitter;
pub mod explain;
pub mod render;

pub use code::Code;
pub use emitter::{Diagnostics, Emitter, MessageFormat, Rendered, Unplaced};

use serde::Serialize;

/// Index of a file in a [`SourceMap`]; stable for the whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file (pest's unit, and ariadne's with `IndexType::Byte`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both; both must be in the same file.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One source text with the name diagnostics show for it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub id: FileId,
    pub name: String,
    pub text: String,
}

/// Every file of a run: user files, imports and the embedded stdlib.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// Byte offset of each line's start, per file, built on first use, so
    /// that locating N spans costs O(N log lines), not O(N * file size).
    line_starts: Vec<std::sync::OnceLock<Vec<u32>>>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile {
            id,
            name: name.into(),
            text: text.into(),
        });
        self.line_starts.push(std::sync::OnceLock::new());
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// A copy with the text at each span replaced by `*`, byte for byte (a
    /// multi-byte character becomes as many `*`), so every offset still
    /// points where it did.
    pub fn masked(&self, spans: &[Span]) -> SourceMap {
        let mut out = self.clone();
        for s in spans {
            let Some(file) = out.files.get_mut(s.file.0 as usize) else {
                continue;
            };
            let end = (s.end as usize).min(file.text.len());
            let start = floor_char_boundary(&file.text, (s.start as usize).min(end));
            let end = floor_char_boundary(&file.text, end);
            file.text
                .replace_range(start..end, &"*".repeat(end - start));
        }
        out
    }

    /// 1-based line and column (in chars) of a byte offset, for JSON diagnostics.
    pub fn line_col(&self, id: FileId, offset: u32) -> (usize, usize) {
        let text = &self.get(id).text;
        let starts = self.line_starts[id.0 as usize].get_or_init(|| {
            std::iter::once(0)
                .chain(
                    text.bytes()
                        .enumerate()
                        .filter(|&(_, b)| b == b'\n')
                        .map(|(i, _)| i as u32 + 1),
                )
                .collect()
        });
        let offset = floor_char_boundary(text, (offset as usize).min(text.len()));
        // The last line start at or before the offset.
        let line = starts.partition_point(|&s| s as usize <= offset);
        let start = starts[line - 1] as usize;
        let col = text[start..offset].chars().count() + 1;
        (line, col)
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A span with the words shown under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

/// One problem found in the input. Every diagnostic has a code, a primary
/// span with a label, and (for errors) a help line saying what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    /// Source ranges holding a secret: the renderer shows them as `*`, so
    /// the quoted source line does not repeat the value.
    #[serde(skip)]
    pub redact: Vec<Span>,
}

impl Diagnostic {
    pub fn error(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            primary: Label::new(span, label),
            secondary: Vec::new(),
            help: None,
            redact: Vec::new(),
        }
    }

    /// A warning: the program is accepted (ECS would take it) and builds,
    /// but says something that does nothing or is likely a mistake.
    pub fn warning(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span, label)
        }
    }

    /// Hides the source text at `span` wherever this diagnostic quotes it.
    pub fn with_redacted(mut self, span: Span) -> Diagnostic {
        self.redact.push(span);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label::new(span, message));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by position so reports read top to bottom and are deterministic.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.primary.span.file, a.primary.span.start, a.code.as_str()).cmp(&(
            b.primary.span.file,
            b.primary.span.start,
            b.code.as_str(),
        ))
    });
}

/// "did you mean" helper: the closest candidate within a small edit distance.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    let limit = (len / 3).max(1);
    candidates
        .into_iter()
        // The distance is at least the difference in length: skip early.
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(!ca.eq_ignore_ascii_case(cb));
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos() {
        assert_eq!(
            closest("contaner", ["container", "cluster"]),
            Some("container")
        );
        assert_eq!(closest("xyz", ["container"]), None);
    }
}
