//! The fast path of stage 1: a hand-written recursive-descent reader of the
//! grammar in `grammar/wharf.pest`, producing exactly the tree (spans
//! included) that the pest path produces for valid input. It gives up with
//! `None` at the first thing it does not expect; `syntax::parse` then runs
//! pest, which remains the definition of the language and the only source
//! of syntax diagnostics. `tests/parser_agreement.rs` checks that both agree.
//!
//! Why: pest spends ~1,500 instructions per source byte on this grammar
//! (implicit whitespace attempts, backtracking, stack guards); this reader
//! spends a few dozen, which is what the 10,000-service benchmark needs.

use crate::ast::{self, Block, Expr, ExprKind, Ident, Path, Quantity, Statement, StrPart};
use crate::diag::{FileId, Span};

/// `syntax::parse` refuses deeper nesting before this reader runs.
const MAX_DEPTH: usize = super::MAX_NESTING;

pub fn parse(text: &str, file: FileId) -> Option<ast::File> {
    parse_deferring(text, file, &|_| false)
}

/// [`parse`], where the block of each top-level statement `defer` picks is
/// read (so the file is known to be well formed) and then dropped, its
/// span kept (`Block::deferred`); [`read_deferred`] reads it again.
pub fn parse_deferring(
    text: &str,
    file: FileId,
    defer: &dyn Fn(&Statement) -> bool,
) -> Option<ast::File> {
    let mut p = Reader {
        b: text.as_bytes(),
        text,
        pos: if text.starts_with(super::BOM) {
            super::BOM.len()
        } else {
            0
        },
        file,
        depth: 0,
        defer,
    };
    let statements = p.statements(false)?;
    Some(ast::File {
        id: file,
        statements,
    })
}

/// The statements of a block [`parse_deferring`] deferred, read again from
/// the same text.
pub fn read_deferred(text: &str, file: FileId, block: &Block) -> Option<Block> {
    let mut p = Reader {
        b: text.as_bytes(),
        text,
        pos: block.span.start as usize,
        file,
        depth: 0,
        defer: &|_| false,
    };
    (p.peek() == Some(b'{')).then(|| p.block()).flatten()
}

struct Reader<'a> {
    b: &'a [u8],
    text: &'a str,
    pos: usize,
    file: FileId,
    depth: usize,
    /// Top-level statements whose block is deferred.
    defer: &'a dyn Fn(&Statement) -> bool,
}

/// A vector without its spare capacity. The tree of a large program is
/// held whole while it is checked, and a vector grown by `push` keeps room
/// for four elements: most statements have one or two words, most blocks a
/// handful of statements (N=1,000 services: 19 MB of tree, a third spare).
fn trimmed<T>(mut v: Vec<T>) -> Vec<T> {
    v.shrink_to_fit();
    v
}

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn at(&self, s: &[u8]) -> bool {
        self.b[self.pos..].starts_with(s)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// Implicit WHITESPACE and COMMENT: spaces, tabs, `\r`, a `\` line
    /// continuation, `// ...` up to the line end, `/* ... */`.
    fn skip(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r') => self.pos += 1,
                Some(b'\\') if self.at(b"\\\n") => self.pos += 2,
                Some(b'\\') if self.at(b"\\\r\n") => self.pos += 3,
                Some(b'/') if self.at(b"//") => {
                    while !matches!(self.peek(), None | Some(b'\n' | b'\r')) {
                        self.pos += 1;
                    }
                }
                Some(b'/') if self.at(b"/*") => match self.text[self.pos + 2..].find("*/") {
                    Some(i) => self.pos += 2 + i + 2,
                    None => return,
                },
                _ => return,
            }
        }
    }

    /// Skips whitespace, comments and newlines (`nl*` inside brackets).
    fn skip_nl(&mut self) {
        loop {
            self.skip();
            if self.peek() == Some(b'\n') {
                self.pos += 1;
            } else {
                return;
            }
        }
    }

    /// Skips separators (`sep*`): newlines and `;`.
    fn skip_sep(&mut self) -> bool {
        let mut any = false;
        loop {
            self.skip();
            if matches!(self.peek(), Some(b'\n' | b';')) {
                self.pos += 1;
                any = true;
            } else {
                return any;
            }
        }
    }

    /// The statements of the file (`in_block = false`) or of a block, up to
    /// the closing `}` (not consumed).
    fn statements(&mut self, in_block: bool) -> Option<Vec<Statement>> {
        let mut out = Vec::new();
        self.skip_sep();
        loop {
            match self.peek() {
                None if !in_block => return Some(trimmed(out)),
                Some(b'}') if in_block => return Some(trimmed(out)),
                None | Some(b'}') => return None,
                _ => {}
            }
            let mut s = self.statement()?;
            if !in_block && (self.defer)(&s) {
                if let Some(b) = s.block.as_mut() {
                    b.statements = Vec::new();
                    b.deferred = true;
                }
            }
            out.push(s);
            let separated = self.skip_sep();
            match self.peek() {
                None if !in_block => {}
                Some(b'}') if in_block => {}
                _ if separated => {}
                _ => return None,
            }
        }
    }

    fn statement(&mut self) -> Option<Statement> {
        let start = self.pos;
        let head = match self.peek()? {
            b'"' => {
                let e = self.string()?;
                Ident {
                    name: e.as_plain_str().unwrap_or_default(),
                    span: e.span,
                }
            }
            c if ident_start(c) => self.ident(),
            _ => return None,
        };
        let mut end = head.span.end as usize;
        let mut words = Vec::new();
        loop {
            let save = self.pos;
            self.skip();
            match self.peek() {
                Some(c) if c != b'{' && self.starts_expr(c) => {
                    let e = self.expr()?;
                    end = e.span.end as usize;
                    words.push(e);
                }
                _ => {
                    self.pos = save;
                    break;
                }
            }
        }
        let save = self.pos;
        self.skip();
        let mut value = None;
        if self.peek() == Some(b'=') {
            self.pos += 1;
            self.skip_nl();
            let e = self.expr()?;
            end = e.span.end as usize;
            value = Some(e);
        } else {
            self.pos = save;
        }
        let save = self.pos;
        self.skip();
        let mut block = None;
        if self.peek() == Some(b'{') {
            let b = self.block()?;
            end = b.span.end as usize;
            block = Some(b);
        } else {
            self.pos = save;
        }
        Some(Statement {
            head,
            words: trimmed(words),
            value: value.map(Box::new),
            block: block.map(Box::new),
            span: self.span(start, end),
        })
    }

    fn nest(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn block(&mut self) -> Option<Block> {
        let start = self.pos;
        self.pos += 1;
        self.nest()?;
        let statements = self.statements(true)?;
        self.depth -= 1;
        self.pos += 1;
        Some(Block {
            statements,
            span: self.span(start, self.pos),
            deferred: false,
        })
    }

    fn starts_expr(&self, c: u8) -> bool {
        c.is_ascii_digit() || c == b'-' || c == b'"' || c == b'[' || c == b'{' || ident_start(c)
    }

    fn expr(&mut self) -> Option<Expr> {
        match self.peek()? {
            b'"' => self.string(),
            b'[' => self.list(),
            b'{' => self.map(),
            c if c.is_ascii_digit() || c == b'-' => self.number(),
            c if ident_start(c) => self.reference(),
            _ => None,
        }
    }

    fn ident(&mut self) -> Ident {
        let start = self.pos;
        self.pos += 1;
        while self.peek().is_some_and(ident_char) {
            self.pos += 1;
        }
        Ident {
            name: self.text[start..self.pos].to_string(),
            span: self.span(start, self.pos),
        }
    }

    fn path(&mut self) -> Option<Path> {
        let start = self.pos;
        if !self.peek().is_some_and(ident_start) {
            return None;
        }
        let mut segments = vec![self.ident()];
        while self.peek() == Some(b'.') && self.b.get(self.pos + 1).is_some_and(|c| ident_start(*c))
        {
            self.pos += 1;
            segments.push(self.ident());
        }
        Some(Path {
            segments: trimmed(segments),
            span: self.span(start, self.pos),
        })
    }

    fn quantity(&mut self) -> Option<Expr> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == digits {
            return None;
        }
        if self.peek() == Some(b'.') && self.b.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
        }
        let unit_start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'%')
        {
            self.pos += 1;
        }
        let q = Quantity {
            number: self.text[start..unit_start].to_string(),
            unit: self.text[unit_start..self.pos].to_string(),
        };
        Some(Expr {
            kind: ExprKind::Quantity(q),
            span: self.span(start, self.pos),
        })
    }

    fn number(&mut self) -> Option<Expr> {
        let lo = self.quantity()?;
        let save = self.pos;
        self.skip();
        if self.at(b"..") {
            self.pos += 2;
            self.skip();
            let hi = self.quantity()?;
            let span = lo.span.to(hi.span);
            return Some(Expr {
                kind: ExprKind::Range(Box::new(lo), Box::new(hi)),
                span,
            });
        }
        self.pos = save;
        Some(lo)
    }

    fn reference(&mut self) -> Option<Expr> {
        let path = self.path()?;
        let save = self.pos;
        self.skip();
        match self.peek() {
            Some(b'(') => {
                let (args, end) = self.items(b'(', b')', Self::expr)?;
                let span = self.span(path.span.start as usize, end);
                Some(Expr {
                    kind: ExprKind::Call(path, args),
                    span,
                })
            }
            Some(b':') => {
                self.pos += 1;
                self.skip();
                // Any value but a map (a `{` there would be read as a block).
                let value = match self.peek()? {
                    b'{' => return None,
                    _ => self.expr()?,
                };
                let name = path.single()?.clone();
                let span = path.span.to(value.span);
                Some(Expr {
                    kind: ExprKind::Pair(name, Box::new(value)),
                    span,
                })
            }
            _ => {
                self.pos = save;
                Some(Expr {
                    span: path.span,
                    kind: ExprKind::Path(path),
                })
            }
        }
    }

    /// `open item (, item)* ,? close` with newlines allowed; returns the
    /// items and the end offset (after `close`).
    fn items<T>(
        &mut self,
        open: u8,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<(Vec<T>, usize)> {
        debug_assert_eq!(self.peek(), Some(open));
        self.pos += 1;
        self.nest()?;
        let mut out = Vec::new();
        self.skip_nl();
        if self.peek() != Some(close) {
            loop {
                out.push(item(self)?);
                self.skip_nl();
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        self.skip_nl();
                        if self.peek() == Some(close) {
                            break;
                        }
                    }
                    c if c == close => break,
                    _ => return None,
                }
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Some((trimmed(out), self.pos))
    }

    fn list(&mut self) -> Option<Expr> {
        let start = self.pos;
        let (items, end) = self.items(b'[', b']', Self::expr)?;
        Some(Expr {
            kind: ExprKind::List(items),
            span: self.span(start, end),
        })
    }

    fn map(&mut self) -> Option<Expr> {
        let start = self.pos;
        let (entries, end) = self.items(b'{', b'}', |p| {
            let key = match p.peek()? {
                b'"' => {
                    let e = p.string()?;
                    Ident {
                        name: e.as_plain_str().unwrap_or_default(),
                        span: e.span,
                    }
                }
                c if ident_start(c) => p.ident(),
                _ => return None,
            };
            p.skip();
            if p.peek() != Some(b':') {
                return None;
            }
            p.pos += 1;
            p.skip_nl();
            Some((key, p.expr()?))
        })?;
        Some(Expr {
            kind: ExprKind::Map(entries),
            span: self.span(start, end),
        })
    }

    fn string(&mut self) -> Option<Expr> {
        let start = self.pos;
        self.pos += 1;
        let mut parts: Vec<StrPart> = Vec::new();
        let mut text_start = self.pos;
        let flush = |parts: &mut Vec<StrPart>, s: &str| {
            if s.is_empty() {
                return;
            }
            if let Some(StrPart::Text(t)) = parts.last_mut() {
                t.push_str(s);
            } else {
                parts.push(StrPart::Text(s.to_string()));
            }
        };
        loop {
            match self.peek()? {
                b'"' => {
                    flush(&mut parts, &self.text[text_start..self.pos]);
                    self.pos += 1;
                    break;
                }
                b'\n' | b'\r' => return None,
                b'\\' => {
                    flush(&mut parts, &self.text[text_start..self.pos]);
                    let c = match self.b.get(self.pos + 1)? {
                        b'"' => "\"",
                        b'\\' => "\\",
                        b'n' => "\n",
                        b't' => "\t",
                        b'r' => "\r",
                        b'$' => "$",
                        _ => return None,
                    };
                    flush(&mut parts, c);
                    self.pos += 2;
                    text_start = self.pos;
                }
                b'$' if self.at(b"${") => {
                    flush(&mut parts, &self.text[text_start..self.pos]);
                    self.pos += 2;
                    self.skip();
                    let path = self.path()?;
                    self.skip();
                    if self.peek() != Some(b'}') {
                        return None;
                    }
                    self.pos += 1;
                    parts.push(StrPart::Interp(path));
                    text_start = self.pos;
                }
                _ => self.pos += 1,
            }
        }
        Some(Expr {
            kind: ExprKind::Str(trimmed(parts)),
            span: self.span(start, self.pos),
        })
    }
}
