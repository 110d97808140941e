//! Where every error of every subcommand becomes output: a [`Diagnostics`]
//! (diagnostics with the sources they point into, or errors that belong to
//! no place in a source) rendered by an [`Emitter`] in the chosen
//! `--message-format` and colour. The emitter returns text; the command
//! line writes it (`cli::Context::report`), so the core still never prints.

use super::render;
use super::{Code, Diagnostic, Severity, SourceMap, Span};
use std::cell::RefCell;

/// How diagnostics are written: `human` (stderr), `json` (one object per
/// line on stdout, schema in docs/diagnostics.md) or `sarif` (one SARIF
/// 2.1.0 log on stdout, for code scanning).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageFormat {
    Human,
    Json,
    Sarif,
}

/// A failed step: its diagnostics and the sources they point into, plus
/// errors that belong to no place in a source (a run that cannot start, a
/// usage error).
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    pub sources: SourceMap,
    pub diags: Vec<Diagnostic>,
    pub unplaced: Vec<Unplaced>,
}

/// An error with no place in a source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced {
    /// `None` only for usage errors, which have no code.
    pub code: Option<Code>,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostics {
    pub fn new(sources: SourceMap, diags: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics {
            sources,
            diags,
            unplaced: Vec::new(),
        }
    }

    /// One error about a file as a whole (a file that cannot be read, an
    /// output folder that cannot be written): it points at the start of an
    /// empty source named after the file, which reports show without an
    /// excerpt.
    pub fn about_file(
        name: &str,
        code: Code,
        message: impl Into<String>,
        label: &str,
        help: impl Into<String>,
    ) -> Diagnostics {
        let mut sources = SourceMap::new();
        let id = sources.add(name, "");
        let d = Diagnostic::error(code, message, Span::new(id, 0, 0), label).with_help(help);
        Diagnostics::new(sources, vec![d])
    }

    /// One error that belongs to no place in a source.
    pub fn unplaced(
        code: Option<Code>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diagnostics {
        Diagnostics {
            unplaced: vec![Unplaced {
                code,
                severity: Severity::Error,
                message: message.into(),
                help,
            }],
            ..Diagnostics::default()
        }
    }

    /// Reads back what another wharf process wrote with
    /// `--message-format json` (a background runner's output): each
    /// diagnostic line becomes an error with no place here (that process's
    /// sources are not), and every other line is returned as it was.
    pub fn from_json_lines(text: &str) -> (Diagnostics, String) {
        let mut out = Diagnostics::default();
        let mut rest = String::new();
        for line in text.split_inclusive('\n') {
            match unplaced_from_json(line) {
                Some(u) => out.unplaced.push(u),
                None => rest.push_str(line),
            }
        }
        (out, rest)
    }

    /// Every diagnostic as people read it, without colour (for tests and
    /// panics).
    pub fn human(&self) -> String {
        Emitter::new(MessageFormat::Human, false)
            .render(self)
            .stderr
    }
}

/// One line of `--message-format json` as an error with no place; `None`
/// for a line that is not a diagnostic.
fn unplaced_from_json(line: &str) -> Option<Unplaced> {
    let v: serde_json::Value = serde_json::from_str(line.trim_end()).ok()?;
    if v["type"] != "diagnostic" {
        return None;
    }
    let severity = match v["severity"].as_str()? {
        "warning" => Severity::Warning,
        _ => Severity::Error,
    };
    Some(Unplaced {
        code: v["code"].as_str().and_then(|c| c.parse().ok()),
        severity,
        message: v["message"].as_str()?.to_string(),
        help: v["help"].as_str().map(str::to_string),
    })
}

impl std::fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.human())
    }
}

/// Rendered diagnostics and the stream each part goes to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub stdout: String,
    pub stderr: String,
}

/// Renders diagnostics in one format and colour; under `sarif` it gathers
/// results until [`Emitter::finish`] wraps them in one log.
#[derive(Debug)]
pub struct Emitter {
    format: MessageFormat,
    color: bool,
    sarif: RefCell<Vec<serde_json::Value>>,
}

impl Emitter {
    pub fn new(format: MessageFormat, color: bool) -> Emitter {
        Emitter {
            format,
            color,
            sarif: RefCell::default(),
        }
    }

    /// Human reports go to stderr, JSON lines to stdout; SARIF results are
    /// kept for [`Emitter::finish`] and render nothing now.
    pub fn render(&self, d: &Diagnostics) -> Rendered {
        let mut out = Rendered::default();
        match self.format {
            MessageFormat::Human => {
                if !d.diags.is_empty() {
                    out.stderr = render::human(&d.sources, &d.diags, self.color);
                }
                for u in &d.unplaced {
                    out.stderr.push_str(&render::human_unplaced(
                        u.code,
                        u.severity,
                        &u.message,
                        u.help.as_deref(),
                        self.color,
                    ));
                }
            }
            MessageFormat::Json => {
                out.stdout = render::json(&d.sources, &d.diags);
                for u in &d.unplaced {
                    out.stdout.push_str(&render::json_unplaced(
                        u.code,
                        u.severity,
                        &u.message,
                        u.help.as_deref(),
                    ));
                }
            }
            MessageFormat::Sarif => {
                let mut sarif = self.sarif.borrow_mut();
                sarif.extend(render::sarif_results(&d.sources, &d.diags));
                sarif.extend(d.unplaced.iter().map(|u| {
                    render::sarif_unplaced(u.code, u.severity, &u.message, u.help.as_deref())
                }));
            }
        }
        out
    }

    /// Under `sarif`, the log of every result gathered (with its final
    /// newline); none when another document was printed and nothing was
    /// found, or in another format.
    pub fn finish(&self, document_printed: bool) -> Option<String> {
        let results = self.sarif.take();
        if self.format != MessageFormat::Sarif || (document_printed && results.is_empty()) {
            return None;
        }
        Some(format!("{:#}\n", render::sarif_log(results)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_go_to_their_streams() {
        let d = Diagnostics::unplaced(
            Some(Code::RunnerFailed),
            "no runner",
            Some("start one".into()),
        );
        let human = Emitter::new(MessageFormat::Human, false).render(&d);
        assert_eq!(human.stdout, "");
        assert_eq!(
            human.stderr,
            "[E0605] Error: no runner\n  Help: start one\n"
        );
        let json = Emitter::new(MessageFormat::Json, false).render(&d);
        assert_eq!(json.stderr, "");
        let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(v["code"], "E0605");
        assert_eq!(v["primary"], serde_json::Value::Null);
        let sarif = Emitter::new(MessageFormat::Sarif, false);
        assert_eq!(sarif.render(&d), Rendered::default());
        let log: serde_json::Value = serde_json::from_str(&sarif.finish(false).unwrap()).unwrap();
        assert_eq!(log["runs"][0]["results"][0]["ruleId"], "E0605");
        assert_eq!(sarif.finish(true), None);
    }

    #[test]
    fn json_lines_are_read_back() {
        let d = Diagnostics::unplaced(Some(Code::PortInUse), "port 80 is taken", None);
        let json = Emitter::new(MessageFormat::Json, false).render(&d).stdout;
        let text = format!("thread 'main' panicked\n{json}");
        let (back, rest) = Diagnostics::from_json_lines(&text);
        assert_eq!(back.unplaced, d.unplaced);
        assert_eq!(rest, "thread 'main' panicked\n");
    }
}
