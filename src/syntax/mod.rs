//! Stage 1: source text -> `ast::File`. The only module that imports pest.
//! A line that is not a statement becomes one diagnostic (the grammar's
//! `bad_stmt` recovery rule) and parsing continues, so one run reports every
//! broken line; a file with any diagnostic yields no tree.

use crate::ast::{self, Expr, ExprKind, Ident, Quantity, StrPart};
use crate::diag::{Code, Diagnostic, FileId, SourceFile, Span};
use pest::error::InputLocation;
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/wharf.pest"]
struct WharfParser;

mod fast;

/// Parses one file. Errors are complete: every unreadable line is reported.
/// Valid input takes the fast reader; anything it does not accept is parsed
/// by pest, which reports the errors.
pub fn parse(src: &SourceFile) -> Result<ast::File, Vec<Diagnostic>> {
    match fast::parse(&src.text, src.id) {
        Some(file) => Ok(file),
        None => parse_with_pest(src),
    }
}

/// The fast reader alone: `None` where it defers to pest. For the agreement tests.
pub fn parse_fast(src: &SourceFile) -> Option<ast::File> {
    fast::parse(&src.text, src.id)
}

/// The pest path alone (the grammar of record); `parse` falls back to it.
pub fn parse_with_pest(src: &SourceFile) -> Result<ast::File, Vec<Diagnostic>> {
    let pairs = match WharfParser::parse(Rule::file, &src.text) {
        Ok(pairs) => pairs,
        Err(err) => return Err(vec![syntax_error(src, err)]),
    };
    let mut lower = Lower {
        file: src.id,
        text: &src.text,
        diags: Vec::new(),
    };
    let file = pairs
        .into_iter()
        .next()
        .expect("the file rule always yields one pair");
    let statements = lower.statements(file);
    if lower.diags.is_empty() {
        Ok(ast::File {
            id: src.id,
            statements,
        })
    } else {
        Err(lower.diags)
    }
}

struct Lower<'s> {
    file: FileId,
    text: &'s str,
    diags: Vec<Diagnostic>,
}

impl Lower<'_> {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    fn statements(&mut self, pair: Pair<Rule>) -> Vec<ast::Statement> {
        let mut out = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::statement => out.push(self.statement(p)),
                Rule::bad_stmt => self.bad_statement(p),
                Rule::EOI => {}
                rule => unexpected(rule),
            }
        }
        out
    }

    fn bad_statement(&mut self, pair: Pair<Rule>) {
        let span = self.span(&pair);
        let text = pair.as_str();
        let diag = if text.matches('"').count() % 2 == 1 {
            let at = text.find('"').unwrap_or(0);
            let start = span.start as usize + at;
            Diagnostic::error(
                Code::UnterminatedString,
                "unterminated string",
                Span::new(self.file, start, span.end as usize),
                "this string is not closed on its line",
            )
            .with_help("close the string with `\"`; write a literal quote as `\\\"`")
        } else if let Some(at) = self.unclosed_brace(text, span.start as usize) {
            Diagnostic::error(
                Code::Syntax,
                "unclosed `{`",
                Span::new(self.file, at, at + 1),
                "this block is never closed",
            )
            .with_help("add the matching `}` where the block ends")
        } else {
            Diagnostic::error(Code::BadLine, "this line is not a statement", span, "cannot read this line")
                .with_help("a statement is `name words... [= value] [{ ... }]`; check brackets, quotes and commas")
        };
        self.diags.push(diag);
    }

    /// The span of a rule that may end with an absent optional element: pest
    /// then includes the whitespace and comments skipped before it, so the
    /// span ends where the last child ends.
    fn tight(&self, pair: &Pair<Rule>) -> Span {
        Span::new(self.file, pair.as_span().start(), tight_end(pair))
    }

    /// The offset of the last `{` on an unreadable line, if the file from
    /// this line on opens more blocks than it closes: the line failed
    /// because its block never ends, not because of what it says.
    fn unclosed_brace(&self, line: &str, start: usize) -> Option<usize> {
        let at = line.rfind('{')?;
        let rest = &self.text[start..];
        let opens = rest.matches('{').count();
        let closes = rest.matches('}').count();
        (opens > closes).then_some(start + at)
    }

    fn statement(&mut self, pair: Pair<Rule>) -> ast::Statement {
        let span = self.tight(&pair);
        let mut inner = pair.into_inner();
        let head = self.head(inner.next().expect("statement starts with a head"));
        let mut words = Vec::new();
        let mut value = None;
        let mut block = None;
        for p in inner {
            match p.as_rule() {
                Rule::assign => {
                    let e = p.into_inner().next().expect("assign holds an expr");
                    value = Some(self.expr(e));
                }
                Rule::block => {
                    let bspan = self.span(&p);
                    block = Some(ast::Block {
                        statements: self.statements(p),
                        span: bspan,
                    });
                }
                _ => words.push(self.expr(p)),
            }
        }
        ast::Statement {
            head,
            words,
            value,
            block,
            span,
        }
    }

    fn head(&mut self, p: Pair<Rule>) -> Ident {
        let span = self.span(&p);
        match p.as_rule() {
            Rule::ident => Ident {
                name: p.as_str().to_string(),
                span,
            },
            Rule::string => {
                let e = self.string(p);
                let name = e.as_plain_str().unwrap_or_default();
                Ident { name, span }
            }
            rule => unexpected(rule),
        }
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn path(&self, pair: Pair<Rule>) -> ast::Path {
        let span = self.span(&pair);
        let segments = pair.into_inner().map(|p| self.ident(p)).collect();
        ast::Path { segments, span }
    }

    fn expr(&mut self, p: Pair<Rule>) -> Expr {
        let span = match p.as_rule() {
            Rule::number | Rule::reference => self.tight(&p),
            _ => self.span(&p),
        };
        let kind = match p.as_rule() {
            Rule::quantity => ExprKind::Quantity(quantity(p.as_str())),
            Rule::string => return self.string(p),
            Rule::number => {
                let mut it = p.into_inner();
                let lo = it.next().expect("number holds a quantity");
                match it.next() {
                    None => ExprKind::Quantity(quantity(lo.as_str())),
                    Some(hi) => {
                        let lo = Expr {
                            span: self.span(&lo),
                            kind: ExprKind::Quantity(quantity(lo.as_str())),
                        };
                        let hi = Expr {
                            span: self.span(&hi),
                            kind: ExprKind::Quantity(quantity(hi.as_str())),
                        };
                        ExprKind::Range(Box::new(lo), Box::new(hi))
                    }
                }
            }
            Rule::list => ExprKind::List(p.into_inner().map(|e| self.expr(e)).collect()),
            Rule::map => ExprKind::Map(
                p.into_inner()
                    .map(|entry| {
                        let mut it = entry.into_inner();
                        let key = it.next().expect("entry key");
                        let key = match key.as_rule() {
                            Rule::string => {
                                let span = self.span(&key);
                                Ident {
                                    name: self.string(key).as_plain_str().unwrap_or_default(),
                                    span,
                                }
                            }
                            _ => self.ident(key),
                        };
                        let value = self.expr(it.next().expect("entry value"));
                        (key, value)
                    })
                    .collect(),
            ),
            Rule::reference => {
                let mut it = p.into_inner();
                let path = self.path(it.next().expect("reference starts with a path"));
                match it.next() {
                    None => ExprKind::Path(path),
                    Some(args) if args.as_rule() == Rule::args => {
                        ExprKind::Call(path, args.into_inner().map(|e| self.expr(e)).collect())
                    }
                    Some(value) => {
                        let v = value.into_inner().next().expect("pair value");
                        let value = self.expr(v);
                        match path.single() {
                            Some(name) => ExprKind::Pair(name.clone(), Box::new(value)),
                            None => {
                                self.diags.push(
                                    Diagnostic::error(
                                        Code::Syntax,
                                        "a `name: value` pair needs a plain name",
                                        path.span,
                                        "dotted name",
                                    )
                                    .with_help("write a single name before `:`"),
                                );
                                ExprKind::Path(path)
                            }
                        }
                    }
                }
            }
            Rule::path => ExprKind::Path(self.path(p)),
            rule => unexpected(rule),
        };
        Expr { kind, span }
    }

    fn string(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let mut parts: Vec<StrPart> = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::text => push_text(&mut parts, p.as_str()),
                Rule::escape => {
                    let c = match &p.as_str()[1..] {
                        "n" => "\n",
                        "t" => "\t",
                        "r" => "\r",
                        other => other,
                    };
                    push_text(&mut parts, c);
                }
                Rule::interp => {
                    let path = p.into_inner().next().expect("interp holds a path");
                    parts.push(StrPart::Interp(self.path(path)));
                }
                rule => unexpected(rule),
            }
        }
        Expr {
            kind: ExprKind::Str(parts),
            span,
        }
    }
}

/// Where a rule's last real token ends (see `Lower::tight`).
fn tight_end(pair: &Pair<Rule>) -> usize {
    match pair.as_rule() {
        Rule::statement | Rule::number | Rule::reference | Rule::assign => {
            match pair.clone().into_inner().last() {
                Some(last) => tight_end(&last),
                None => pair.as_span().end(),
            }
        }
        _ => pair.as_span().end(),
    }
}

fn push_text(parts: &mut Vec<StrPart>, text: &str) {
    if let Some(StrPart::Text(t)) = parts.last_mut() {
        t.push_str(text);
    } else {
        parts.push(StrPart::Text(text.to_string()));
    }
}

fn quantity(text: &str) -> Quantity {
    let split = text
        .find(|c: char| c.is_ascii_alphabetic() || c == '%')
        .unwrap_or(text.len());
    Quantity {
        number: text[..split].to_string(),
        unit: text[split..].to_string(),
    }
}

#[track_caller]
fn unexpected(rule: Rule) -> ! {
    panic!("internal error: grammar produced an unexpected {rule:?} here")
}

/// A pest error as one diagnostic, with the expected rules in words.
fn syntax_error(src: &SourceFile, err: pest::error::Error<Rule>) -> Diagnostic {
    let (start, end) = match err.location {
        InputLocation::Pos(p) => (p, p),
        InputLocation::Span((s, e)) => (s, e),
    };
    let end = if end == start {
        next_boundary(&src.text, start)
    } else {
        end
    };
    let span = Span::new(src.id, start, end);
    let expected = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives.iter().map(|r| describe(*r)).collect();
            words.sort_unstable();
            words.dedup();
            words
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let found = src.text[start..]
        .chars()
        .next()
        .map_or("end of file".to_string(), |c| format!("`{c}`"));
    if found == "`}`" {
        return Diagnostic::error(
            Code::Syntax,
            "unexpected `}`",
            span,
            "this `}` closes no block",
        )
        .with_help("remove it, or add the `{` it was meant to close");
    }
    let label = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}", join_or(&expected))
    };
    Diagnostic::error(Code::Syntax, format!("unexpected {found}"), span, label)
        .with_help("check for a missing `}` or `]`, or a stray character before this point")
}

fn next_boundary(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
}

fn join_or(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Rules in words, so a user never sees a grammar rule name.
fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::file | Rule::stmt | Rule::statement | Rule::head => "a statement",
        Rule::number => "a number",
        Rule::reference => "a name",
        Rule::args => "arguments `(...)`",
        Rule::pair_value => "`: value`",
        Rule::block => "a `{ ... }` block",
        Rule::bad_stmt => "a statement",
        Rule::assign => "`=`",
        Rule::expr | Rule::quantity | Rule::unit => "a value",
        Rule::list => "a list `[...]`",
        Rule::map | Rule::entry => "a map entry `name: value`",
        Rule::path | Rule::ident => "a name",
        Rule::string | Rule::text | Rule::escape => "a string",
        Rule::interp => "`${name}`",
        Rule::EOI => "end of file",
        Rule::WHITESPACE | Rule::COMMENT | Rule::nl | Rule::sep | Rule::word => "a new line",
    }
}
