//! Templates: a pattern written once and used many times.
//!
//! ```text
//! template web_service {
//!   param name: name
//!   param port: port = 8080
//!   task name { container app { image "web:1"; port port } }
//!   service name { task name; expose app:port via edge }
//! }
//! use web_service(name: api, port: 3000)
//! log_router router = std.firelens()          // a block filled from a template
//! ```
//!
//! Expansion works on the syntax tree, before declarations are collected:
//! a `use` statement is replaced by the template's body with every
//! parameter replaced by its argument (in values and in `${...}`), anywhere
//! a statement may stand, the top level included. Arguments are checked
//! against the parameter types first. A parameter declared `= none` is
//! optional: when it is not given, every statement that mentions it is left
//! out. Stdlib templates (`stdlib/*.wharf`) are named `std.NAME`.

use super::vocabulary::{self, PARAM_TYPES};
use super::{errors, Cx};
use crate::ast::{Block, Expr, ExprKind, File, Ident, Statement, StrPart};
use crate::diag::{FileId, Span};
use indexmap::IndexMap;

/// `use` inside `use` deeper than this is refused (E0316); a template that
/// uses itself is found by the chain of templates being expanded (E0313).
const MAX_DEPTH: usize = 32;

/// Statements all `use`s of a program may produce together (E0316): a
/// template that uses another twice, which uses another twice, ... would
/// otherwise double its output at every level.
pub const MAX_EXPANDED: usize = 20_000;

pub struct Template {
    pub name: String,
    pub params: Vec<Param>,
    pub body: Vec<Statement>,
    pub span: Span,
}

pub struct Param {
    pub name: Ident,
    pub ty: &'static str,
    pub default: Option<Expr>,
}

/// Collects the top-level `template` declarations; stdlib ones as `std.NAME`.
pub fn collect(cx: &mut Cx, files: &[File], stdlib: &[FileId]) -> IndexMap<String, Template> {
    let mut out: IndexMap<String, Template> = IndexMap::new();
    for file in files {
        let is_std = stdlib.contains(&file.id);
        for stmt in file.statements.iter().filter(|s| s.head.name == "template") {
            let Some(name) = stmt.words.first().and_then(Expr::as_ident) else {
                cx.push(errors::missing_word("template", "a name", stmt.head.span));
                continue;
            };
            let full = if is_std {
                format!("std.{}", name.name)
            } else {
                name.name.clone()
            };
            let mut params = Vec::new();
            let mut body = Vec::new();
            for s in stmt.block.iter().flat_map(|b| b.statements.iter()) {
                if s.head.name == "param" {
                    params.extend(param(cx, s));
                } else {
                    body.push(s.clone());
                }
            }
            if let Some(prev) = out.get(&full) {
                cx.push(errors::duplicate("template", &full, name.span, prev.span));
                continue;
            }
            out.insert(
                full.clone(),
                Template {
                    name: full,
                    params,
                    body,
                    span: name.span,
                },
            );
        }
    }
    out
}

/// `param NAME: TYPE [= default]`
fn param(cx: &mut Cx, s: &Statement) -> Option<Param> {
    let (name, ty) = match s.words.as_slice() {
        [Expr {
            kind: ExprKind::Pair(name, ty),
            ..
        }] => (name.clone(), ty),
        _ => {
            cx.push(errors::malformed_param(s.span));
            return None;
        }
    };
    let ty = cx.choice(ty, "a parameter type", PARAM_TYPES)?;
    Some(Param {
        name,
        ty,
        default: s.value.as_deref().cloned(),
    })
}

/// Whether any statement of the program's own files uses a template:
/// `use ...`, or a container block filled with `= template(...)`. What the
/// templates themselves (and the stdlib's) use counts only once used.
pub fn used(files: &[File], templates: &IndexMap<String, Template>, stdlib: &[FileId]) -> bool {
    // A deferred block is expanded when it is read again (`Cx::undefer`),
    // so it may use one.
    fn uses(s: &Statement, templates: &IndexMap<String, Template>) -> bool {
        expands(s, templates)
            || s.block
                .as_ref()
                .is_some_and(|b| b.deferred || b.statements.iter().any(|s| uses(s, templates)))
    }
    files
        .iter()
        .filter(|f| !stdlib.contains(&f.id))
        .flat_map(|f| &f.statements)
        .any(|s| s.head.name != "template" && uses(s, templates))
}

/// Whether expanding changes this statement itself: a `use`, or a pattern
/// whose value calls a template.
fn expands(s: &Statement, templates: &IndexMap<String, Template>) -> bool {
    s.head.name == "use"
        || (vocabulary::pattern(&s.head.name).is_some()
            && s.value
                .as_ref()
                .and_then(|v| callee(v))
                .is_some_and(|n| templates.contains_key(&n)))
}

/// Stdlib files hold only templates.
pub fn check_stdlib(cx: &mut Cx, files: &[File], stdlib: &[FileId]) {
    for f in files.iter().filter(|f| stdlib.contains(&f.id)) {
        for s in f.statements.iter().filter(|s| s.head.name != "template") {
            cx.push(errors::unknown_statement(
                &s.head.name,
                "in the stdlib",
                &["template"],
                s.head.span,
            ));
        }
    }
}

/// The files with every `use` expanded and `template` declarations removed.
/// Stdlib files hold only templates and are not part of the result.
pub fn expand(
    cx: &mut Cx,
    files: Vec<File>,
    templates: &IndexMap<String, Template>,
    stdlib: &[FileId],
) -> Vec<File> {
    check_stdlib(cx, &files, stdlib);
    let mut out = Vec::new();
    for f in files {
        if stdlib.contains(&f.id) {
            continue;
        }
        let mut statements = Vec::with_capacity(f.statements.len());
        for s in f
            .statements
            .into_iter()
            .filter(|s| s.head.name != "template")
        {
            statements.extend(expand_statement(cx, s, templates));
        }
        statements.shrink_to_fit();
        out.push(File {
            id: f.id,
            statements,
        });
    }
    out
}

/// One top-level statement, expanded: itself with the templates its block
/// uses expanded, or what a top-level `use` makes. A declaration whose
/// expansion reported an error is partial: the rules keep away from it, as
/// from any declaration with an error.
pub fn expand_statement(
    cx: &mut Cx,
    s: Statement,
    templates: &IndexMap<String, Template>,
) -> Vec<Statement> {
    // What the declaration is, before its statement moves.
    let decl = vocabulary::decl_kind(&s.head.name).and_then(|kind| {
        let name = s.words.first().and_then(Expr::as_ident)?;
        Some((kind, name.name.clone()))
    });
    let before = cx.diags.len();
    let expanded = expand_all(cx, vec![s], templates, 0);
    if cx.diags.len() > before {
        if let Some(decl) = decl {
            cx.incomplete.insert(decl);
        }
    }
    expanded
}

/// Expands what a statement's block uses.
fn expand_block(
    cx: &mut Cx,
    s: &mut Statement,
    templates: &IndexMap<String, Template>,
    depth: usize,
) {
    if let Some(b) = s.block.as_mut() {
        let inner = std::mem::take(&mut b.statements);
        b.statements = expand_all(cx, inner, templates, depth);
    }
}

fn expand_all(
    cx: &mut Cx,
    stmts: Vec<Statement>,
    templates: &IndexMap<String, Template>,
    depth: usize,
) -> Vec<Statement> {
    // Most blocks use no template: they keep their vector, and only what
    // is nested in them is expanded (no copy of a large program's tree).
    if !stmts.iter().any(|s| expands(s, templates)) {
        let mut stmts = stmts;
        for s in &mut stmts {
            expand_block(cx, s, templates, depth);
        }
        return stmts;
    }
    let mut out = Vec::with_capacity(stmts.len());
    for mut s in stmts {
        if s.head.name == "use" {
            if let Some(body) = instantiate(cx, &s, s.words.first(), templates, depth) {
                out.extend(body);
            }
            continue;
        }
        // `log_router router = std.firelens(...) { extra }`: the template
        // fills the block; the block's own statements override the
        // template's with the same property (and name, for `env K = v`).
        if vocabulary::pattern(&s.head.name).is_some() {
            if let Some(v) = s.value.take() {
                match callee(&v).filter(|n| templates.contains_key(n)) {
                    Some(_) => {
                        let filled =
                            instantiate(cx, &s, Some(&v), templates, depth).unwrap_or_default();
                        let block = s.block.take();
                        let span = block.as_ref().map_or(v.span, |b| b.span);
                        let own: Vec<Statement> = block.map(|b| b.statements).unwrap_or_default();
                        let keys: Vec<(String, Option<String>)> =
                            own.iter().map(override_key).collect();
                        let mut filled: Vec<Statement> = filled
                            .into_iter()
                            .filter(|t| !keys.contains(&override_key(t)))
                            .collect();
                        filled.extend(own);
                        s.block = Some(Box::new(Block {
                            statements: filled,
                            span,
                            deferred: false,
                        }));
                    }
                    None => s.value = Some(v),
                }
            }
        }
        expand_block(cx, &mut s, templates, depth);
        out.push(s);
    }
    out
}

/// What a statement sets: its property, plus the name for `env K = v`.
fn override_key(s: &Statement) -> (String, Option<String>) {
    let name = s
        .value
        .as_ref()
        .and(s.words.first())
        .map(|w| match &w.kind {
            ExprKind::Path(p) => p.dotted(),
            _ => w.as_plain_str().unwrap_or_default(),
        });
    (s.head.name.clone(), name)
}

fn callee(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Call(p, _) | ExprKind::Path(p) => Some(p.dotted()),
        _ => None,
    }
}

/// The body of the template `call` names, with its arguments bound.
fn instantiate(
    cx: &mut Cx,
    at: &Statement,
    call: Option<&Expr>,
    templates: &IndexMap<String, Template>,
    depth: usize,
) -> Option<Vec<Statement>> {
    let Some(call) = call else {
        cx.push(errors::missing_word(
            "use",
            "a template such as `std.firelens()`",
            at.span,
        ));
        return None;
    };
    let (name, args): (String, &[Expr]) = match &call.kind {
        ExprKind::Call(p, args) => (p.dotted(), args),
        ExprKind::Path(p) => (p.dotted(), &[]),
        _ => {
            cx.push(errors::type_mismatch(
                "a template call such as `std.firelens()`",
                call.describe(),
                call.span,
            ));
            return None;
        }
    };
    let Some(t) = templates.get(&name) else {
        let known: Vec<&str> = templates.keys().map(String::as_str).collect();
        cx.push(errors::unknown_template(&name, &known, call.span));
        return None;
    };
    if cx.template_chain.contains(&name) {
        push_once(cx, errors::template_recursion(&name, call.span));
        return None;
    }
    if depth >= MAX_DEPTH || cx.template_output > MAX_EXPANDED {
        // Once for the program: every `use` after the bound fails alike.
        let reported = cx
            .diags
            .iter()
            .any(|d| d.code == crate::diag::Code::TemplateTooLarge);
        if !reported {
            cx.push(errors::template_too_large(
                &name,
                MAX_DEPTH,
                MAX_EXPANDED,
                call.span,
            ));
        }
        return None;
    }
    let bound = bind(cx, t, args, call.span)?;
    let absent: Vec<&str> = t
        .params
        .iter()
        .filter(|p| !bound.contains_key(&p.name.name))
        .map(|p| p.name.name.as_str())
        .collect();
    let body: Vec<Statement> = t
        .body
        .iter()
        .filter(|s| !mentions(s, &absent))
        .map(|s| subst_stmt(s, &bound, &absent))
        .collect();
    cx.template_output += count(&body);
    cx.template_chain.push(name);
    let out = expand_all(cx, body, templates, depth + 1);
    cx.template_chain.pop();
    Some(out)
}

/// Statements, nested blocks included.
fn count(stmts: &[Statement]) -> usize {
    stmts
        .iter()
        .map(|s| 1 + s.block.as_ref().map_or(0, |b| count(&b.statements)))
        .sum()
}

/// Reports `d` unless the same error is already reported at its span (a
/// template used in many places fails the same way in each).
fn push_once(cx: &mut Cx, d: crate::diag::Diagnostic) {
    let seen = cx
        .diags
        .iter()
        .any(|x| x.code == d.code && x.primary.span == d.primary.span);
    if !seen {
        cx.push(d);
    }
}

/// Matches arguments (positional, then `name: value`) to parameters and
/// checks each against its type.
fn bind(
    cx: &mut Cx,
    t: &Template,
    args: &[Expr],
    call_span: Span,
) -> Option<IndexMap<String, Expr>> {
    let mut bound: IndexMap<String, Expr> = IndexMap::new();
    let mut ok = true;
    let mut positional = 0;
    for a in args {
        match &a.kind {
            ExprKind::Pair(k, v) => {
                if t.params.iter().any(|p| p.name.name == k.name) {
                    if bound.insert(k.name.clone(), (**v).clone()).is_some() {
                        cx.push(errors::duplicate_property(&k.name, k.span));
                        ok = false;
                    }
                } else {
                    let known: Vec<&str> = t.params.iter().map(|p| p.name.name.as_str()).collect();
                    cx.push(errors::unknown_template_argument(
                        &t.name, &k.name, &known, k.span,
                    ));
                    ok = false;
                }
            }
            _ => match t.params.get(positional) {
                Some(p) => {
                    bound.insert(p.name.name.clone(), a.clone());
                    positional += 1;
                }
                None => {
                    cx.push(errors::unknown_template_argument(
                        &t.name,
                        "(positional)",
                        &[],
                        a.span,
                    ));
                    ok = false;
                }
            },
        }
    }
    for p in &t.params {
        match bound.get(&p.name.name) {
            Some(arg) => {
                let arg = arg.clone();
                ok &= check_type(cx, p.ty, &arg);
            }
            None => match &p.default {
                Some(d) if d.as_ident().is_some_and(|i| i.name == "none") => {}
                Some(d) => {
                    bound.insert(p.name.name.clone(), d.clone());
                }
                None => {
                    cx.push(errors::missing_template_argument(
                        &t.name,
                        &p.name.name,
                        call_span,
                        p.name.span,
                    ));
                    ok = false;
                }
            },
        }
    }
    ok.then_some(bound)
}

fn check_type(cx: &mut Cx, ty: &str, e: &Expr) -> bool {
    match ty {
        "string" => cx.text(e).is_some(),
        "name" => match (&e.kind, e.as_plain_str()) {
            (ExprKind::Path(p), _) if p.single().is_some() => true,
            (_, Some(_)) => true,
            _ => {
                cx.push(errors::type_mismatch("a name", e.describe(), e.span));
                false
            }
        },
        "int" => cx.int(e).is_some(),
        "bool" => cx.boolean(e).is_some(),
        "port" => cx.port(e, false).is_some(),
        "duration" => cx.seconds(e).is_some(),
        "size" => cx.mib(e).is_some(),
        "cpu" => cx.cpu(e).is_some(),
        "percent" => cx.percent(e).is_some(),
        "list" | "range" => {
            let want_list = ty == "list";
            let v = cx.value(e);
            let fits = if want_list {
                matches!(v.kind, ExprKind::List(_))
            } else {
                matches!(v.kind, ExprKind::Range(..))
            };
            if !fits {
                let found = v.describe();
                cx.push(errors::type_mismatch(
                    if want_list {
                        "a list"
                    } else {
                        "a range such as 1..10"
                    },
                    found,
                    e.span,
                ));
            }
            fits
        }
        _ => true,
    }
}

fn subst_stmt(s: &Statement, bound: &IndexMap<String, Expr>, absent: &[&str]) -> Statement {
    Statement {
        head: s.head.clone(),
        words: s.words.iter().map(|w| subst(w, bound)).collect(),
        value: s.value.as_ref().map(|v| Box::new(subst(v, bound))),
        block: s.block.as_ref().map(|b| {
            Box::new(Block {
                statements: b
                    .statements
                    .iter()
                    .filter(|x| !mentions(x, absent))
                    .map(|x| subst_stmt(x, bound, absent))
                    .collect(),
                span: b.span,
                deferred: b.deferred,
            })
        }),
        span: s.span,
    }
}

/// Whether a statement's own words or value name one of `params` (its
/// block is filtered statement by statement).
fn mentions(s: &Statement, params: &[&str]) -> bool {
    fn expr(e: &Expr, params: &[&str]) -> bool {
        match &e.kind {
            ExprKind::Path(p) => p
                .single()
                .is_some_and(|id| params.contains(&id.name.as_str())),
            ExprKind::Str(parts) => parts.iter().any(|part| match part {
                StrPart::Interp(p) => p
                    .single()
                    .is_some_and(|id| params.contains(&id.name.as_str())),
                StrPart::Text(_) => false,
            }),
            ExprKind::Range(a, b) => expr(a, params) || expr(b, params),
            ExprKind::List(items) | ExprKind::Call(_, items) => {
                items.iter().any(|i| expr(i, params))
            }
            ExprKind::Map(entries) => entries.iter().any(|(_, v)| expr(v, params)),
            ExprKind::Pair(_, v) => expr(v, params),
            ExprKind::Quantity(_) => false,
        }
    }
    !params.is_empty()
        && (s.words.iter().any(|w| expr(w, params))
            || s.value.as_ref().is_some_and(|v| expr(v, params)))
}

/// Replaces parameter names by their arguments; the argument keeps its own
/// span, so an error in it points at the `use`.
fn subst(e: &Expr, bound: &IndexMap<String, Expr>) -> Expr {
    let kind = match &e.kind {
        ExprKind::Path(p) => {
            if let Some(arg) = p.single().and_then(|id| bound.get(&id.name)) {
                return arg.clone();
            }
            e.kind.clone()
        }
        ExprKind::Str(parts) => {
            let mut out: Vec<StrPart> = Vec::new();
            for part in parts {
                match part {
                    StrPart::Interp(p)
                        if p.single().is_some_and(|id| bound.contains_key(&id.name)) =>
                    {
                        let arg = &bound[&p.single().expect("checked").name];
                        match &arg.kind {
                            ExprKind::Str(inner) => out.extend(inner.iter().cloned()),
                            ExprKind::Quantity(q) => {
                                out.push(StrPart::Text(format!("{}{}", q.number, q.unit)))
                            }
                            ExprKind::Path(ap) => out.push(StrPart::Interp(ap.clone())),
                            _ => out.push(part.clone()),
                        }
                    }
                    _ => out.push(part.clone()),
                }
            }
            ExprKind::Str(merge_text(out))
        }
        ExprKind::Range(a, b) => {
            ExprKind::Range(Box::new(subst(a, bound)), Box::new(subst(b, bound)))
        }
        ExprKind::List(items) => ExprKind::List(items.iter().map(|i| subst(i, bound)).collect()),
        ExprKind::Map(entries) => ExprKind::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), subst(v, bound)))
                .collect(),
        ),
        ExprKind::Call(p, args) => {
            ExprKind::Call(p.clone(), args.iter().map(|a| subst(a, bound)).collect())
        }
        ExprKind::Pair(k, v) => ExprKind::Pair(k.clone(), Box::new(subst(v, bound))),
        ExprKind::Quantity(_) => e.kind.clone(),
    };
    Expr { kind, span: e.span }
}

fn merge_text(parts: Vec<StrPart>) -> Vec<StrPart> {
    let mut out: Vec<StrPart> = Vec::new();
    for p in parts {
        match (out.last_mut(), p) {
            (Some(StrPart::Text(a)), StrPart::Text(b)) => a.push_str(&b),
            (_, p) => out.push(p),
        }
    }
    out
}
