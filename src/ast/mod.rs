//! Untyped syntax tree. Stage: produced by `syntax::parse`, consumed by
//! `check`. Every node carries the span it was read from; nothing here knows
//! what a cluster or a container is, only statements and expressions.

use crate::diag::{FileId, Span};

/// One parsed source file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub id: FileId,
    pub statements: Vec<Statement>,
}

/// `head word* [= value] [{ block }]`
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub head: Ident,
    pub words: Vec<Expr>,
    /// Boxed, as the block: most statements have neither, and a program's
    /// statements are most of its tree (96 bytes each instead of 200).
    pub value: Option<Box<Expr>>,
    pub block: Option<Box<Block>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub statements: Vec<Statement>,
    pub span: Span,
    /// Read and found well formed, but not kept: `statements` is empty and
    /// `syntax::read_deferred` reads them again from the source when they
    /// are needed. A build defers the blocks of its task and service
    /// declarations (`syntax::parse_deferring`), so a large program's tree
    /// is never held whole: each is read when it is checked, then dropped.
    pub deferred: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// `"a ${B} c"`
    Str(Vec<StrPart>),
    /// `30s`, `512MiB`, `0.25vcpu`, `70%`, `3`; the digits are kept as written.
    Quantity(Quantity),
    /// `2..10`
    Range(Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Map(Vec<(Ident, Expr)>),
    /// `secretsmanager("arn", key: "password")`
    Call(Path, Vec<Expr>),
    /// `app:3000`, `key: "password"`
    Pair(Ident, Box<Expr>),
    /// `web`, `std.firelens`
    Path(Path),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    /// The number as written, without its unit (`0.25`, `512`, `-1`).
    pub number: String,
    /// The unit as written (`vcpu`, `MiB`, `s`, `%`), empty if none.
    pub unit: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    Text(String),
    Interp(Path),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    /// `a.b.c`
    pub fn dotted(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join(".")
    }

    /// The name if the path has a single segment.
    pub fn single(&self) -> Option<&Ident> {
        match self.segments.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }
}

impl Expr {
    /// The identifier if this expression is a bare name (`rollback`, `web`).
    pub fn as_ident(&self) -> Option<&Ident> {
        match &self.kind {
            ExprKind::Path(p) => p.single(),
            _ => None,
        }
    }

    /// The text if this is a string without interpolation.
    pub fn as_plain_str(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Str(parts) => parts
                .iter()
                .map(|p| match p {
                    StrPart::Text(t) => Some(t.as_str()),
                    StrPart::Interp(_) => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(|v| v.concat()),
            _ => None,
        }
    }

    /// What kind of value this is, in words, for "expected X, found Y".
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            ExprKind::Str(_) => "a string",
            ExprKind::Quantity(q) if q.unit.is_empty() => "a number",
            ExprKind::Quantity(_) => "a quantity with a unit",
            ExprKind::Range(..) => "a range",
            ExprKind::List(_) => "a list",
            ExprKind::Map(_) => "a map",
            ExprKind::Call(..) => "a function call",
            ExprKind::Pair(..) => "a `name: value` pair",
            ExprKind::Path(_) => "a name",
        }
    }
}
