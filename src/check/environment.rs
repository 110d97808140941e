//! Environments: one source, several deployments.
//!
//! ```text
//! environment prod {
//!   input IMAGE_TAG = "2.0.1"              // a different default for an input
//!   service api { count 6; autoscale 6..30 cpu 60% }
//!   task api { cpu 1vcpu; memory 2GiB; container app { env LOG_LEVEL = "warn" } }
//! }
//! ```
//!
//! `--env prod` merges the environment into the program after templates are
//! expanded (so it reaches declarations a template made): a statement
//! replaces the declaration's statements that set the same thing (see
//! [`merge_key`]), a block with the same name is merged into recursively,
//! and anything new is added. The merged statements keep their spans, so an
//! override is checked like any other statement and errors point into it.

use super::read::unknown_property;
use super::vocabulary::{self, decl_kind, Id, Kind};
use super::{errors, Cx};
use crate::ast::{Expr, ExprKind, File, Statement};
use crate::diag::Span;
use indexmap::IndexMap;

/// Finds the selected environment; E0215 if it is not declared.
pub fn select<'f>(cx: &mut Cx, files: &'f [File], name: Option<&str>) -> Option<&'f Statement> {
    let mut found: IndexMap<String, &'f Statement> = IndexMap::new();
    for stmt in files
        .iter()
        .flat_map(|f| f.statements.iter())
        .filter(|s| s.head.name == "environment")
    {
        let Some(id) = stmt.words.first().and_then(Expr::as_ident) else {
            cx.push(errors::missing_word(
                "environment",
                "a name",
                stmt.head.span,
            ));
            continue;
        };
        if let Some(prev) = found.get(&id.name) {
            cx.push(errors::duplicate(
                "environment",
                &id.name,
                id.span,
                prev.words[0].span,
            ));
            continue;
        }
        found.insert(id.name.clone(), stmt);
    }
    let name = name?;
    match found.get(name) {
        Some(s) => Some(*s),
        None => {
            let known: Vec<&str> = found.keys().map(String::as_str).collect();
            let span = files
                .first()
                .map(|f| Span::new(f.id, 0, 0))
                .unwrap_or_default();
            cx.push(errors::unknown_environment(name, &known, span));
            None
        }
    }
}

/// `input NAME = value` statements of the environment: new defaults.
pub fn input_overrides(env: &Statement) -> IndexMap<String, Expr> {
    env.block
        .iter()
        .flat_map(|b| b.statements.iter())
        .filter(|s| s.head.name == "input")
        .filter_map(|s| {
            Some((
                s.words.first()?.as_ident()?.name.clone(),
                (**s.value.as_ref()?).clone(),
            ))
        })
        .collect()
}

/// Merges the environment's declaration overrides into the program.
pub fn apply(cx: &mut Cx, files: &mut [File], env: &Statement) {
    let inputs: Vec<String> = cx.scope.input_names();
    for o in env.block.iter().flat_map(|b| b.statements.iter()) {
        if o.head.name == "input" {
            match o.words.first().and_then(Expr::as_ident) {
                Some(id) if o.value.is_some() => {
                    if !inputs.contains(&id.name) {
                        let known: Vec<&str> = inputs.iter().map(String::as_str).collect();
                        cx.push(errors::unknown_value(&id.name, &known, id.span, false));
                    }
                }
                _ => cx.push(errors::missing_value("input", o.span)),
            }
            continue;
        }
        if o.head.name == "stack" {
            // Pins the stack name of this environment; read by `physical_names`.
            if o.words.first().and_then(|e| cx.literal(e)).is_none() {
                cx.push(errors::missing_word("stack", "a stack name", o.span));
            }
            continue;
        }
        let declares =
            vocabulary::Environment::from_name(&o.head.name).and_then(|p| p.property().declares);
        let Some(kind) = declares else {
            unknown_property(cx, Id::Environment, o);
            continue;
        };
        let Some(name) = o.words.first().and_then(Expr::as_ident) else {
            cx.push(errors::missing_word(
                &o.head.name,
                "the name of the declaration it overrides",
                o.span,
            ));
            continue;
        };
        let target = files
            .iter_mut()
            .flat_map(|f| f.statements.iter_mut())
            .find(|s| {
                decl_kind(&s.head.name) == Some(kind)
                    && s.words
                        .first()
                        .and_then(Expr::as_ident)
                        .is_some_and(|i| i.name == name.name)
            });
        match target {
            Some(t) => {
                // A deferred declaration is read now, to be merged into.
                if let Some(full) = cx.undefer(t) {
                    *t = full;
                }
                merge(t, o)
            }
            None => {
                let names = declared(files, kind);
                let known: Vec<&str> = names.iter().map(String::as_str).collect();
                cx.push(errors::unknown_reference(
                    kind, &name.name, &known, name.span,
                ));
            }
        }
    }
}

fn declared(files: &[File], kind: Kind) -> Vec<String> {
    files
        .iter()
        .flat_map(|f| f.statements.iter())
        .filter(|s| decl_kind(&s.head.name) == Some(kind))
        .filter_map(|s| {
            s.words
                .first()
                .and_then(Expr::as_ident)
                .map(|i| i.name.clone())
        })
        .collect()
}

/// What a statement sets: its property, plus its name for named ones.
fn merge_key(s: &Statement) -> (String, Option<String>) {
    let named = vocabulary::named(&s.head.name) || s.value.is_some();
    let name = named
        .then(|| s.words.first())
        .flatten()
        .map(|w| match &w.kind {
            ExprKind::Path(p) => p.dotted(),
            ExprKind::Pair(k, v) => format!(
                "{}:{}",
                k.name,
                v.as_plain_str().unwrap_or_else(|| render(v))
            ),
            _ => w.as_plain_str().unwrap_or_else(|| render(w)),
        });
    (s.head.name.clone(), name)
}

fn render(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Quantity(q) => format!("{}{}", q.number, q.unit),
        ExprKind::Path(p) => p.dotted(),
        _ => String::new(),
    }
}

/// Merges the override's block into the target's block.
fn merge(target: &mut Statement, over: &Statement) {
    let Some(ob) = &over.block else { return };
    let Some(tb) = &mut target.block else {
        target.block = over.block.clone();
        return;
    };
    for o in &ob.statements {
        let key = merge_key(o);
        let both_blocks = o.block.is_some() && key.1.is_some();
        if both_blocks {
            if let Some(t) = tb
                .statements
                .iter_mut()
                .find(|t| t.block.is_some() && merge_key(t) == key)
            {
                merge(t, o);
                continue;
            }
        }
        let first = tb.statements.iter().position(|t| merge_key(t) == key);
        tb.statements.retain(|t| merge_key(t) != key);
        match first {
            Some(i) => tb.statements.insert(i.min(tb.statements.len()), o.clone()),
            None => tb.statements.push(o.clone()),
        }
    }
}

/// Physical names under `--env NAME`: two environments of one program must
/// deploy side by side in one account, so every name AWS keeps unique per
/// account and region gets the environment's name, unless the environment
/// pins it. Run on the lowered program, before `derive` fills in defaults:
///
/// - the stack: `<stack>-<env>`, unless the environment says `stack "..."`;
/// - clusters and services: `<name>-<env>` (references follow: a service's
///   cluster, callers, the servers of Service Connect calls); ECS keeps cluster names per account and service
///   names per cluster, and CloudFormation's `ClusterName` / `ServiceName`
///   would collide;
/// - awslogs log groups: the group given or `/ecs/<family>`, with `-<env>`,
///   and FireLens `log_group_name`s likewise, unless the `logs` statement
///   comes from the environment block (the environment named the group).
pub fn physical_names(cx: &mut Cx, program: &mut crate::ir::Program, env: &Statement) {
    use crate::ir::{LogDriver, Text};
    let Some(name) = env
        .words
        .first()
        .and_then(Expr::as_ident)
        .map(|i| i.name.clone())
    else {
        return;
    };
    let inside = |span: Span| {
        span.file == env.span.file && span.start >= env.span.start && span.end <= env.span.end
    };
    let pinned_stack = env
        .block
        .iter()
        .flat_map(|b| b.statements.iter())
        .filter(|s| s.head.name == "stack")
        .find_map(|s| s.words.first().and_then(|e| cx.literal(e)));
    program.name = pinned_stack.unwrap_or_else(|| format!("{}-{name}", program.name));
    let suffix = |n: &str| format!("{n}-{name}");
    for c in &mut program.clusters {
        c.name = suffix(&c.name);
    }
    for s in &mut program.services {
        s.name = suffix(&s.name);
        s.cluster = suffix(&s.cluster).into();
        for c in &mut s.callers {
            c.service = suffix(&c.service);
        }
        // Service Connect calls, resolved to their server by name.
        let servers = s.connect.iter_mut().flat_map(|c| &mut c.uses);
        for (server, _) in servers.filter_map(|u| u.server.as_mut()) {
            *server = suffix(server);
        }
    }
    for t in &mut program.tasks {
        let family = t.family.clone();
        for c in &mut t.containers {
            let Some(log) = c.log.as_mut().filter(|l| !inside(l.span)) else {
                continue;
            };
            match log.driver {
                LogDriver::Awslogs => {
                    // A group from an input is the caller's to name.
                    let from_input = log.group.is_none()
                        && log
                            .options
                            .iter()
                            .any(|(k, v)| k == "awslogs-group" && v.as_literal().is_none());
                    if from_input {
                        continue;
                    }
                    let given = log.group.clone().or_else(|| {
                        log.options
                            .iter()
                            .find(|(k, _)| k == "awslogs-group")
                            .and_then(|(_, v)| v.as_literal())
                    });
                    let group = suffix(&given.unwrap_or_else(|| format!("/ecs/{family}")));
                    log.options.retain(|(k, _)| k != "awslogs-group");
                    log.options
                        .insert(0, ("awslogs-group".to_string(), Text::lit(group.clone())));
                    log.group = Some(group);
                }
                LogDriver::Awsfirelens => {
                    for (k, v) in &mut log.options {
                        if k == "log_group_name" {
                            if let Some(g) = v.as_literal() {
                                *v = Text::lit(suffix(&g));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
