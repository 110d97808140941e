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

/// How deep blocks, lists, maps and argument lists may nest. Both readers
/// recurse once per level (and so do the checker, the formatter and the
/// backends after them), so the depth is refused before either runs: a real
/// program nests a handful of levels, a hostile one thousands.
pub const MAX_NESTING: usize = 64;

/// A UTF-8 byte order mark some editors put first: skipped by both readers,
/// so spans keep counting from the file's first byte.
const BOM: &str = "\u{FEFF}";

/// If a string or a comment starts at byte `i`, the byte just past it; the
/// grammar's reading: a string ends at its closing quote or, unterminated,
/// with its line; `//` runs to the end of the line, `/* */` to its `*/`.
fn past_string_or_comment(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    match bytes[i] {
        b'"' => {
            let mut j = i + 1;
            while j < bytes.len() && !matches!(bytes[j], b'"' | b'\n') {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            Some((j + 1).min(bytes.len()))
        }
        b'/' if bytes.get(i + 1) == Some(&b'/') => {
            Some(text[i..].find('\n').map_or(bytes.len(), |e| i + e))
        }
        b'/' if bytes.get(i + 1) == Some(&b'*') => Some(
            text[i + 2..]
                .find("*/")
                .map_or(bytes.len(), |e| i + 2 + e + 2),
        ),
        _ => None,
    }
}

/// The first bracket that opens level `MAX_NESTING + 1`, as a diagnostic.
/// One linear pass over the text, skipping strings and comments the way the
/// grammar reads them; closers never take the depth below zero.
fn too_deep(text: &str, file: FileId) -> Option<Diagnostic> {
    let bytes = text.as_bytes();
    let (mut i, mut depth) = (0, 0usize);
    while i < bytes.len() {
        if let Some(next) = past_string_or_comment(text, i) {
            i = next;
            continue;
        }
        match bytes[i] {
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(
                        Diagnostic::error(
                            Code::NestingTooDeep,
                            format!("brackets nested more than {MAX_NESTING} deep"),
                            Span::new(file, i, i + 1),
                            format!("this opens level {depth}"),
                        )
                        .with_help("flatten the structure: move inner blocks into their own declarations or `let` constants"),
                    );
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses one file. Errors are complete: every unreadable line is reported.
/// Valid input takes the fast reader; anything it does not accept is parsed
/// by pest, which reports the errors.
pub fn parse(src: &SourceFile) -> Result<ast::File, Vec<Diagnostic>> {
    parse_deferring(src, &|_| false)
}

/// [`parse`], deferring the blocks of the top-level statements `defer`
/// picks (see `ast::Block::deferred`) when the fast reader reads the file;
/// pest's tree, for what only pest reads, defers nothing.
pub fn parse_deferring(
    src: &SourceFile,
    defer: &dyn Fn(&ast::Statement) -> bool,
) -> Result<ast::File, Vec<Diagnostic>> {
    if let Some(d) = too_deep(&src.text, src.id) {
        return Err(vec![d]);
    }
    match fast::parse_deferring(&src.text, src.id, defer) {
        Some(file) => Ok(file),
        None => parse_with_pest(src),
    }
}

/// The statements of a deferred block, read again from its file: `None`
/// if `src` is not the file the block was read from.
pub fn read_deferred(src: &SourceFile, block: &ast::Block) -> Option<ast::Block> {
    if block.span.file != src.id {
        return None;
    }
    fast::read_deferred(&src.text, src.id, block)
}

/// The fast reader alone: `None` where it defers to pest. For the agreement tests.
pub fn parse_fast(src: &SourceFile) -> Option<ast::File> {
    fast::parse(&src.text, src.id)
}

/// The pest path alone (the grammar of record); `parse` falls back to it.
pub fn parse_with_pest(src: &SourceFile) -> Result<ast::File, Vec<Diagnostic>> {
    match recover(src) {
        (Some(file), diags) if diags.is_empty() => Ok(file),
        (_, diags) => Err(diags),
    }
}

/// For editors, which keep answering from a broken file: the diagnostics
/// `parse` reports and the statements that could still be read (the
/// recovery rule skips each unreadable line). No tree only when nothing can
/// be recovered (a `}` that closes no block).
pub fn parse_partial(src: &SourceFile) -> (Option<ast::File>, Vec<Diagnostic>) {
    if let Some(d) = too_deep(&src.text, src.id) {
        return (None, vec![d]);
    }
    match fast::parse(&src.text, src.id) {
        Some(file) => (Some(file), Vec::new()),
        None => recover(src),
    }
}

fn recover(src: &SourceFile) -> (Option<ast::File>, Vec<Diagnostic>) {
    let (file, diags) = recover_statements(src);
    // A character the grammar never reads outside a string (a pasted
    // typographic quote or no-break space, an emoji in a name) shows as a
    // confusing error at the next `}` or as a whole unreadable line: it is
    // named where it is instead. The statements read around it stay, for
    // editors.
    if diags.is_empty() {
        return (file, diags);
    }
    match stray_character(&src.text, src.id) {
        Some(d) => (file, vec![d]),
        None => (file, diags),
    }
}

fn recover_statements(src: &SourceFile) -> (Option<ast::File>, Vec<Diagnostic>) {
    if let Some(d) = too_deep(&src.text, src.id) {
        return (None, vec![d]);
    }
    // An unclosed block makes pest retry every block inside it as a broken
    // line and again as a block: exponential in the nesting. Found first.
    if let Some(d) = unclosed_block(&src.text, src.id) {
        return (None, vec![d]);
    }
    let pairs = match WharfParser::parse(Rule::file, &src.text) {
        Ok(pairs) => pairs,
        Err(err) => return (None, vec![syntax_error(src, err)]),
    };
    let mut lower = Lower {
        file: src.id,
        text: &src.text,
        diags: Vec::new(),
        seen: Default::default(),
    };
    let file = pairs
        .into_iter()
        .next()
        .expect("the file rule always yields one pair");
    let statements = lower.statements(file);
    let file = ast::File {
        id: src.id,
        statements,
    };
    (Some(file), lower.diags)
}

/// Unreadable lines reported before the parser stops reporting more: each
/// report may look at the rest of the file (`unclosed_brace`), so the cap
/// keeps a file of thousands of broken lines linear, and nobody reads a
/// hundred errors that one missing `}` caused.
const MAX_SYNTAX_ERRORS: usize = 100;

struct Lower<'s> {
    file: FileId,
    text: &'s str,
    diags: Vec<Diagnostic>,
    /// (span, message) of each diagnostic, to report a line left over from
    /// one unclosed block once in constant time.
    seen: std::collections::HashSet<(u32, u32, String)>,
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
        if self.diags.len() >= MAX_SYNTAX_ERRORS {
            return;
        }
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
        } else if let Some((at, closer)) = self.unclosed_brace(text, span.start as usize) {
            unclosed(self.file, at, closer)
        } else if let Some((name, colon)) = yaml_style(text) {
            let at = span.start as usize + colon;
            Diagnostic::error(
                Code::BadLine,
                format!("`{name}:` is not how a property is written"),
                Span::new(self.file, at, at + 1),
                "`:` after the property name",
            )
            .with_help(match text[colon + 1..].trim() {
                "" => "write the value after the name, without `:`".to_string(),
                value => format!("write `{name} {value}`, without `:`"),
            })
        } else {
            Diagnostic::error(Code::BadLine, "this line is not a statement", span, "cannot read this line")
                .with_help("a statement is `name words... [= value] [{ ... }]`; check brackets, quotes and commas")
        };
        // Lines left over from one unclosed block may blame the same `{`.
        let key = (
            diag.primary.span.start,
            diag.primary.span.end,
            diag.message.clone(),
        );
        if self.seen.insert(key) {
            self.diags.push(diag);
        }
    }

    /// The span of a rule that may end with an absent optional element: pest
    /// then includes the whitespace and comments skipped before it, so the
    /// span ends where the last child ends.
    fn tight(&self, pair: &Pair<Rule>) -> Span {
        Span::new(self.file, pair.as_span().start(), tight_end(pair))
    }

    /// Where the block left open starts, if the file from this unreadable
    /// line on opens more blocks than it closes (the line failed because its
    /// block never ends, not because of what it says). Indentation decides
    /// where it is telling: a `}` first on its line closes the open `{` of a
    /// line indented alike, so a `{` opened after that one and still open is
    /// the culprit; the `}` is returned with it. Otherwise this line's `{` if
    /// it is left open at the end of the file, else the innermost one.
    fn unclosed_brace(&self, line: &str, start: usize) -> Option<(usize, Option<usize>)> {
        let own = start + line.rfind('{')?;
        let all = braces(self.text, start);
        let opens = all.iter().filter(|b| b.open).count();
        if opens * 2 <= all.len() {
            return None;
        }
        let mut open: Vec<(usize, usize)> = Vec::new();
        for brace in all {
            if brace.open {
                open.push((brace.at, brace.indent));
                continue;
            }
            if brace.first_on_line {
                if let Some(i) = open.iter().rposition(|&(_, ind)| ind == brace.indent) {
                    if i + 1 < open.len() {
                        return Some((open[i + 1].0, Some(brace.at)));
                    }
                    open.truncate(i);
                    continue;
                }
            }
            open.pop();
        }
        if open.iter().any(|&(at, _)| at == own) {
            return Some((own, None));
        }
        open.last().map(|&(at, _)| (at, None))
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
                        deferred: false,
                    });
                }
                _ => words.push(self.expr(p)),
            }
        }
        ast::Statement {
            head,
            words,
            value: value.map(Box::new),
            block: block.map(Box::new),
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

/// The unclosed-block diagnostic: the `{` left open and, when indentation
/// shows it, the `}` that was meant for an enclosing block.
fn unclosed(file: FileId, at: usize, closer: Option<usize>) -> Diagnostic {
    let d = Diagnostic::error(
        Code::Syntax,
        "unclosed `{`",
        Span::new(file, at, at + 1),
        "this block is never closed",
    )
    .with_help("add the matching `}` where the block ends");
    match closer {
        Some(c) => d.with_label(
            Span::new(file, c, c + 1),
            "this `}` lines up with an enclosing block",
        ),
        None => d,
    }
}

/// A file that opens more `{` than it closes, as one diagnostic: one
/// linear pass. Indentation decides which block is unclosed, as in
/// `Lower::unclosed_brace`: a `}` first on its line closes the `{` of a line
/// indented alike, so a block opened after that one is the culprit;
/// otherwise the outermost block still open at the end of the file.
fn unclosed_block(text: &str, file: FileId) -> Option<Diagnostic> {
    let all = braces(text, 0);
    let opens = all.iter().filter(|b| b.open).count();
    if opens * 2 <= all.len() {
        return None;
    }
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut naive: Vec<usize> = Vec::new();
    for brace in &all {
        if brace.open {
            open.push((brace.at, brace.indent));
            naive.push(brace.at);
            continue;
        }
        naive.pop();
        if brace.first_on_line {
            if let Some(i) = open.iter().rposition(|&(_, ind)| ind == brace.indent) {
                if i + 1 < open.len() {
                    return Some(unclosed(file, open[i + 1].0, Some(brace.at)));
                }
                open.truncate(i);
                continue;
            }
        }
        open.pop();
    }
    let at = open.first().map(|&(at, _)| at).or(naive.first().copied())?;
    Some(unclosed(file, at, None))
}

/// A brace outside strings and comments.
struct Brace {
    at: usize,
    open: bool,
    /// Leading blanks of its line.
    indent: usize,
    /// Nothing but blanks before it on its line.
    first_on_line: bool,
}

/// The braces of `text` from `start` (a line start), skipping strings and
/// comments.
fn braces(text: &str, start: usize) -> Vec<Brace> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut indent, mut blank_so_far) = (start, 0, true);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => (indent, blank_so_far) = (0, true),
            b' ' | b'\t' if blank_so_far => indent += 1,
            b'"' => {
                let open = i;
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                blank_so_far = false;
                if i >= bytes.len() || bytes[i] == b'\n' {
                    // Unterminated: the grammar reads the line as broken,
                    // up to a `}`, which still closes a block.
                    let end = i.min(bytes.len());
                    out.extend((open..end).filter(|&j| bytes[j] == b'}').map(|at| Brace {
                        at,
                        open: false,
                        indent,
                        first_on_line: false,
                    }));
                    continue;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                blank_so_far = false;
                continue;
            }
            c @ (b'{' | b'}') => {
                out.push(Brace {
                    at: i,
                    open: c == b'{',
                    indent,
                    first_on_line: blank_so_far,
                });
                blank_so_far = false;
            }
            _ => blank_so_far = false,
        }
        i += 1;
    }
    out
}

/// The first character outside strings and comments that the grammar can
/// never read: anything not ASCII (a byte-order mark opening the file
/// aside), and control characters other than tab, line feed and carriage
/// return. One pass, no backtracking.
fn stray_character(text: &str, file: FileId) -> Option<Diagnostic> {
    let bytes = text.as_bytes();
    let mut i = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
    while i < bytes.len() {
        if let Some(next) = past_string_or_comment(text, i) {
            i = next;
            continue;
        }
        match bytes[i] {
            b'\t' | b'\n' | b'\r' => {}
            c if c < 0x20 || c == 0x7f || c >= 0x80 => {
                let ch = text[i..].chars().next()?;
                return Some(stray(file, i, ch));
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn stray(file: FileId, at: usize, ch: char) -> Diagnostic {
    let span = Span::new(file, at, at + ch.len_utf8());
    let code = format!("U+{:04X}", ch as u32);
    let (message, label, help) = match ch {
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2018}' | '\u{2019}' | '\u{00AB}' | '\u{00BB}' => (
            format!("`{ch}` is a typographic quote"),
            format!("{code}, not `\"`"),
            "write strings between straight double quotes `\"...\"` (word processors and web pages curl them)".to_string(),
        ),
        '\u{00A0}' | '\u{2000}'..='\u{200B}' | '\u{202F}' | '\u{205F}' | '\u{3000}' | '\u{FEFF}' => (
            format!("an invisible space character ({code}) is here"),
            format!("{code}, not a plain space"),
            "replace it with a plain space; it often comes with text pasted from a web page or a chat".to_string(),
        ),
        '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => (
            format!("a text-direction control character ({code}) is here"),
            format!("{code}: the line displays in another order than it reads"),
            "remove it; it can make code look different from what it does".to_string(),
        ),
        c if c.is_control() => (
            format!("a control character ({code}) is here"),
            format!("{code} cannot appear outside a string"),
            "remove it; the file may not be a Wharf source, or was saved with an odd encoding".to_string(),
        ),
        c => (
            format!("`{c}` cannot appear outside a string"),
            format!("{code} is not part of a name"),
            "names are ASCII letters, digits, `-` and `_`; other text goes in a string `\"...\"`".to_string(),
        ),
    };
    Diagnostic::error(Code::BadLine, message, span, label).with_help(help)
}

/// `port: 80` (a YAML or JSON habit): the name and the offset of its `:`.
fn yaml_style(line: &str) -> Option<(&str, usize)> {
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(line.len());
    let name = &line[..end];
    let rest = &line[end..];
    let colon = end + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    let starts_like_name = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    (starts_like_name && line[colon..].starts_with(':')).then_some((name, colon))
}

/// Where a rule's last real token ends (see `Lower::tight`).
fn tight_end(pair: &Pair<Rule>) -> usize {
    match pair.as_rule() {
        Rule::statement | Rule::number | Rule::reference | Rule::assign | Rule::pair_value => {
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
