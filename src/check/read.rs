//! Reading a statement's parts, the same way in every block: a
//! declaration's block, a property set once (a second setting is E0308), a
//! reference to a declaration checked to exist, and `NAME = value` pairs
//! (`env`, `label`, `tag`, `secret`, options).

use super::args::Words;
use super::vocabulary::{Id, Kind};
use super::{errors, Cx};
use crate::ast::{Expr, ExprKind, Statement};
use crate::ir;

/// The statements of a declaration's block (none if it has no block).
pub fn block(stmt: &Statement) -> &[Statement] {
    // A deferred block is read again before it is checked (`Cx::undefer`).
    debug_assert!(
        !stmt.block.as_ref().is_some_and(|b| b.deferred),
        "statements of a deferred block"
    );
    stmt.block.as_ref().map_or(&[], |b| b.statements.as_slice())
}

/// Whether the declaration's block has a statement with one of these heads
/// (written, even if it could not be read).
pub fn has_statement(stmt: &Statement, heads: &[&str]) -> bool {
    block(stmt)
        .iter()
        .any(|s| heads.contains(&s.head.name.as_str()))
}

/// Sets a property once; a second setting is E0308.
pub fn set<T>(cx: &mut Cx, slot: &mut Option<T>, stmt: &Statement, value: Option<T>) {
    let Some(v) = value else { return };
    if slot.is_some() {
        cx.push(errors::duplicate_property(&stmt.head.name, stmt.head.span));
    } else {
        *slot = Some(v);
    }
}

/// A reference to a declaration of `kind`, checked to exist.
pub fn reference(cx: &mut Cx, e: &Expr, kind: Kind) -> Option<String> {
    let name = cx.name(e, &format!("a {} name", kind.noun()))?;
    if cx.scope.has(kind, &name) {
        Some(name)
    } else {
        let candidates = cx.scope.names(kind);
        let d = errors::unknown_reference(kind, &name, &candidates, e.span);
        cx.push(d);
        None
    }
}

/// `tag KEY = "value"`
/// `not_secret` (anywhere among the words) exempts this one value from the
/// secret checks; the value is read with its name as the detector's context.
pub fn tag(cx: &mut Cx, w: &mut Words, s: &Statement) -> Option<(String, ir::Text)> {
    let not_secret = w.flag("not_secret");
    let (key, value) = named_value(cx, w, s)?;
    let v = cx.read_named(&key, not_secret, value, s.span)?;
    Some((key, v))
}

/// `HEAD NAME = value` (env, label, tag, secret): the name, which may be
/// dotted (`com.example.team`) or quoted, and the value expression.
pub fn named_value<'s>(cx: &mut Cx, w: &mut Words, s: &'s Statement) -> Option<(String, &'s Expr)> {
    let name = w.required(cx, "a name").and_then(|e| match &e.kind {
        ExprKind::Path(p) => Some(p.dotted()),
        _ => cx.literal(e),
    })?;
    let Some(value) = &s.value else {
        // A word after the name is the value with its `=` forgotten.
        match w.positional() {
            Some(v) => cx.push(errors::missing_equals(&s.head.name, v.span)),
            None => cx.push(errors::missing_value(&s.head.name, s.span)),
        }
        return None;
    };
    Some((name, value))
}

/// Reports a statement the block `id` does not take (E0208).
pub fn unknown_property(cx: &mut Cx, id: Id, s: &Statement) {
    cx.push(errors::unknown_property(
        &s.head.name,
        id.block(),
        s.head.span,
    ));
}
