//! Names visible to a program: top-level declarations by kind, `let`
//! constants and typed inputs with their value for this build.

use super::read::unknown_property;
use super::vocabulary::{self, Id, Kind, INPUT_TYPES};
use super::{errors, Cx, Options};
use crate::ast::{self, Expr, ExprKind, Statement};
use crate::diag::{Diagnostic, Span};
use crate::ir::{Input, InputType, Text, TextPart};
use indexmap::IndexMap;

pub enum Binding {
    Let(Expr),
    Input(Input),
}

#[derive(Default)]
pub struct Scope<'a> {
    pub values: IndexMap<String, Binding>,
    pub decls: IndexMap<(Kind, String), &'a Statement>,
    pub stack: Option<(String, Span)>,
    pub region: Option<Expr>,
    pub account: Option<Expr>,
    /// Input defaults replaced by the selected environment.
    pub input_overrides: IndexMap<String, Expr>,
    /// Where each input's value for this build came from, in words.
    pub input_origins: IndexMap<String, &'static str>,
    /// Inputs with no value (E0211): text built from one is not judged,
    /// which would only repeat that error in other words.
    pub missing: std::collections::HashSet<String>,
}

impl Scope<'_> {
    pub fn names(&self, kind: Kind) -> Vec<&str> {
        self.decls
            .keys()
            .filter(|(k, _)| *k == kind)
            .map(|(_, n)| n.as_str())
            .collect()
    }

    pub fn has(&self, kind: Kind, name: &str) -> bool {
        self.decls.contains_key(&(kind, name.to_string()))
    }

    pub fn input_names(&self) -> Vec<String> {
        self.values
            .iter()
            .filter(|(_, b)| matches!(b, Binding::Input(_)))
            .map(|(k, _)| k.clone())
            .collect()
    }

    pub fn inputs(&self) -> Vec<Input> {
        self.values
            .values()
            .filter_map(|b| match b {
                Binding::Input(i) => Some(i.clone()),
                Binding::Let(_) => None,
            })
            .collect()
    }

    /// A text with inputs replaced by this build's values.
    /// Whether the text uses an input that has no value.
    pub fn incomplete(&self, t: &Text) -> bool {
        t.parts
            .iter()
            .any(|p| matches!(p, TextPart::Input(n) if self.missing.contains(n)))
    }

    pub fn resolve(&self, t: &Text) -> String {
        t.parts
            .iter()
            .map(|p| match p {
                TextPart::Lit(s) => s.clone(),
                TextPart::Input(n) => match self.values.get(n) {
                    Some(Binding::Input(i)) => i.value.clone(),
                    _ => String::new(),
                },
            })
            .collect()
    }
}

/// Collects the declarations of the (template-expanded) files; reports
/// duplicates and unknown top-level statements.
pub fn collect_decls<'a>(cx: &mut Cx<'a>, files: &'a [ast::File]) {
    for file in files {
        for stmt in &file.statements {
            let Some(top) = vocabulary::Top::from_name(&stmt.head.name) else {
                unknown_property(cx, Id::Top, stmt);
                continue;
            };
            if let Some(kind) = top.property().declares {
                let Some(name) = decl_name(cx, stmt) else {
                    continue;
                };
                let key = (kind, name.name.clone());
                if let Some(prev) = cx.scope.decls.get(&key) {
                    let prev_span = prev.words[0].span;
                    cx.push(errors::duplicate(
                        kind.noun(),
                        &name.name,
                        name.span,
                        prev_span,
                    ));
                } else {
                    cx.scope.decls.insert(key, stmt);
                }
            }
        }
    }
}

/// Collects constants, inputs and program settings of all files.
pub fn collect_settings(cx: &mut Cx, files: &[ast::File], options: &Options) {
    let mut first_span: IndexMap<String, Span> = IndexMap::new();
    // Constants first, and their graph checked, so no later read of a value
    // can loop or recurse without bound.
    for file in files {
        for stmt in &file.statements {
            if stmt.head.name == "let" {
                collect_let(cx, stmt, &mut first_span);
            }
        }
    }
    cx.broken = super::constants::analyse(cx);
    for file in files {
        for stmt in &file.statements {
            match stmt.head.name.as_str() {
                "input" => collect_input(cx, stmt, options, &mut first_span),
                "stack" => {
                    let mut w = super::args::Words::new(stmt);
                    if let Some(e) = w.required(cx, "a stack name") {
                        if let Some(s) = cx.aws_name(crate::ir::names::NameKind::Stack, e) {
                            cx.scope.stack = Some((s, e.span));
                        }
                    }
                    w.finish(cx);
                }
                "account" => {
                    let mut w = super::args::Words::new(stmt);
                    if let Some(e) = w.required(cx, "a 12-digit AWS account ID") {
                        cx.scope.account = Some(e.clone());
                    }
                    w.finish(cx);
                }
                "region" => {
                    let mut w = super::args::Words::new(stmt);
                    if let Some(e) = w.required(cx, "a region such as \"us-east-1\"") {
                        cx.scope.region = Some(e.clone());
                    }
                    w.finish(cx);
                }
                _ => {}
            }
        }
    }
    for name in options.inputs.keys() {
        if !matches!(cx.scope.values.get(name), Some(Binding::Input(_))) {
            let span = files
                .first()
                .map(|f| Span::new(f.id, 0, 0))
                .unwrap_or_default();
            let inputs: Vec<&str> = cx
                .scope
                .values
                .iter()
                .filter(|(_, b)| matches!(b, Binding::Input(_)))
                .map(|(k, _)| k.as_str())
                .collect();
            cx.push(errors::unknown_cli_input(name, &inputs, span));
        }
    }
}

/// A declaration's name: a bare name, or a string (what a template's
/// `name` parameter may be given as).
pub fn decl_name(cx: &mut Cx, stmt: &Statement) -> Option<ast::Ident> {
    let first = stmt.words.first();
    match first.and_then(Expr::as_ident) {
        Some(id) => Some(id.clone()),
        None if first.and_then(Expr::as_plain_str).is_some() => {
            let e = first.expect("checked above");
            Some(ast::Ident {
                name: e.as_plain_str().unwrap_or_default(),
                span: e.span,
            })
        }
        None => {
            cx.push(errors::missing_word(
                &stmt.head.name,
                "a name",
                stmt.head.span,
            ));
            None
        }
    }
}

fn check_unique(cx: &mut Cx, name: &ast::Ident, first: &mut IndexMap<String, Span>) -> bool {
    if let Some(prev) = first.get(&name.name) {
        cx.push(errors::duplicate("constant", &name.name, name.span, *prev));
        return false;
    }
    first.insert(name.name.clone(), name.span);
    true
}

fn collect_let(cx: &mut Cx, stmt: &Statement, first: &mut IndexMap<String, Span>) {
    let (Some(name), Some(value)) = (stmt.words.first().and_then(Expr::as_ident), &stmt.value)
    else {
        cx.push(errors::malformed_let(stmt.span));
        return;
    };
    if stmt.words.len() > 1 {
        cx.push(errors::malformed_let(stmt.span));
    }
    if check_unique(cx, name, first) {
        cx.scope
            .values
            .insert(name.name.clone(), Binding::Let((**value).clone()));
    }
}

fn collect_input(
    cx: &mut Cx,
    stmt: &Statement,
    options: &Options,
    first: &mut IndexMap<String, Span>,
) {
    // `input NAME: type [= default]` or `input NAME [= default]` (string)
    let (name, ty) = match stmt.words.first().map(|w| &w.kind) {
        Some(ExprKind::Pair(name, ty)) => {
            let Some(t) = cx.choice(ty, "an input type", INPUT_TYPES) else {
                return;
            };
            (name.clone(), input_type(t))
        }
        Some(ExprKind::Path(p)) if p.single().is_some() => {
            (p.segments[0].clone(), InputType::String)
        }
        _ => {
            cx.push(errors::malformed_input(stmt.span));
            return;
        }
    };
    let mut description = None;
    if let Some(block) = &stmt.block {
        for s in &block.statements {
            match vocabulary::Input::from_name(&s.head.name) {
                Some(vocabulary::Input::Description) => {
                    let mut w = super::args::Words::new(s);
                    if let Some(e) = w.required(cx, "a description") {
                        description = cx.literal(e);
                    }
                    w.finish(cx);
                }
                None => unknown_property(cx, Id::Input, s),
            }
        }
    }
    let default_expr = cx
        .scope
        .input_overrides
        .get(&name.name)
        .cloned()
        .or_else(|| stmt.value.as_deref().cloned());
    if let Some(e) = &default_expr {
        cx.input_defaults.insert(name.name.clone(), e.span);
    }
    let default = match &default_expr {
        Some(e) => match &e.kind {
            ExprKind::Str(_) => cx.literal(e),
            ExprKind::Quantity(q) if q.unit.is_empty() => Some(q.number.clone()),
            ExprKind::List(_) => cx.texts(e).map(|ts| {
                ts.iter()
                    .map(|t| cx.scope.resolve(t))
                    .collect::<Vec<_>>()
                    .join(",")
            }),
            ExprKind::Path(p) if p.single().is_some() => cx.boolean(e).map(|b| b.to_string()),
            _ => {
                cx.push(errors::type_mismatch(
                    "a default value",
                    e.describe(),
                    e.span,
                ));
                None
            }
        },
        None => None,
    };
    let given = options
        .inputs
        .get(&name.name)
        .or_else(|| options.env.get(&name.name))
        .cloned();
    let origin = if options.inputs.contains_key(&name.name) {
        "given with `--input`"
    } else if options.env.contains_key(&name.name) {
        "taken from the environment variable of that name"
    } else if cx.scope.input_overrides.contains_key(&name.name) {
        "the default of the selected environment"
    } else {
        "its default"
    };
    cx.scope.input_origins.insert(name.name.clone(), origin);
    let value = match given.or_else(|| default.clone()) {
        Some(v) => {
            if let Some(d) = validate_input(&name.name, ty, &v, stmt.span) {
                cx.push(d);
            }
            v
        }
        None => {
            // A default that was written but refused has its own error:
            // saying "no default here" too would be wrong.
            if default_expr.is_none() {
                cx.push(errors::missing_input(&name.name, stmt.span));
            }
            cx.scope.missing.insert(name.name.clone());
            String::new()
        }
    };
    if check_unique(cx, &name, first) {
        let input = Input {
            name: name.name.clone(),
            ty,
            default,
            value,
            description,
            span: name.span,
            secret: None,
        };
        cx.scope
            .values
            .insert(name.name.clone(), Binding::Input(input));
    }
}

fn input_type(t: &str) -> InputType {
    match t {
        "int" => InputType::Int,
        "bool" => InputType::Bool,
        "vpc_id" => InputType::VpcId,
        "subnets" => InputType::SubnetIds,
        "security_groups" => InputType::SecurityGroupIds,
        _ => InputType::String,
    }
}

fn validate_input(name: &str, ty: InputType, value: &str, span: Span) -> Option<Diagnostic> {
    let ok = match ty {
        InputType::String => true,
        InputType::Int => value.parse::<i64>().is_ok(),
        InputType::Bool => matches!(value, "true" | "false"),
        InputType::VpcId => value.starts_with("vpc-"),
        InputType::SubnetIds => {
            !value.is_empty() && value.split(',').all(|s| s.trim().starts_with("subnet-"))
        }
        InputType::SecurityGroupIds => {
            !value.is_empty() && value.split(',').all(|s| s.trim().starts_with("sg-"))
        }
    };
    (!ok).then(|| errors::invalid_input_value(name, ty, value, span))
}
