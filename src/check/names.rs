//! Names that become AWS names or file names, checked against AWS's rule for
//! their kind (the table in `ir::names`), whatever their source.
//!
//! Two entry points, one rule table:
//! - [`Cx::aws_name`] reads a name written as a value (`stack "..."`,
//!   `family "..."`, `logs awslogs group "..."`): it resolves `let`
//!   constants and inputs (given with `--input`, from the environment, or
//!   their default, possibly replaced by an `environment` block), checks the
//!   result, and on failure points at the value and at every input and
//!   constant it came from.
//! - [`check`] walks the lowered program for the names that are declared
//!   (clusters, services, tasks, containers, volumes, capacity providers,
//!   possibly given as strings by a template) or derived (the awslogs
//!   groups after `derive`, awslogs options built from inputs).
//!
//! A name that fails is an error, so the program yields no IR and no output
//! file is ever named after it.

use super::scope::Binding;
use super::Cx;
use crate::ast::Expr;
use crate::diag::{Code, Diagnostic, Span};
use crate::ir::names::{NameKind, NameProblem};
use crate::ir::{CapacityProvider, LogDriver, Program, TextPart};

/// The code of a bad name: E0411 for the task definition's own names (its
/// code since before this table), E0216 for the others.
fn code(kind: NameKind) -> Code {
    match kind {
        NameKind::Family | NameKind::Container => Code::InvalidName,
        _ => Code::InvalidAwsName,
    }
}

/// The diagnostic for `name` of `kind` failing with `problem` at `span`.
pub fn bad_name(kind: NameKind, name: &str, problem: &NameProblem, span: Span) -> Diagnostic {
    let rule = kind.rule();
    Diagnostic::error(
        code(kind),
        format!("`{}` is not a valid {} name", shown(name), rule.noun),
        span,
        problem.describe(),
    )
    .with_help(format!(
        "a {} name is 1 to {} {} ({})",
        rule.noun, rule.max_len, rule.allowed, rule.reference
    ))
}

/// A name as messages show it: escaped, and cut so a long value cannot
/// fill the screen.
fn shown(name: &str) -> String {
    const MAX: usize = 80;
    let escaped: String = name.chars().flat_map(char::escape_debug).collect();
    match escaped.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &escaped[..i]),
        None => escaped,
    }
}

impl Cx<'_> {
    /// A name of `kind` written as the value `e`; `None` (with the error
    /// reported) when it is not one AWS accepts.
    pub fn aws_name(&mut self, kind: NameKind, e: &Expr) -> Option<String> {
        let text = self.text(e)?;
        let name = self.scope.resolve(&text);
        if self.scope.incomplete(&text) {
            return Some(name);
        }
        match kind.check(&name) {
            Ok(()) => Some(name),
            Err(problem) => {
                let mut d = bad_name(kind, &name, &problem, e.span);
                let origin = self.value(e).span;
                if origin != e.span {
                    d = d.with_label(origin, "the name is defined here");
                }
                for part in &text.parts {
                    let TextPart::Input(input) = part else {
                        continue;
                    };
                    if let Some(Binding::Input(i)) = self.scope.values.get(input) {
                        let origin = self
                            .scope
                            .input_origins
                            .get(input)
                            .copied()
                            .unwrap_or("its default");
                        let label = format!(
                            "input `{input}` is `{}` in this build, {origin}",
                            shown(&i.value)
                        );
                        d = d.with_label(i.span, label);
                    }
                }
                self.push(d);
                None
            }
        }
    }
}

/// Checks every declared and derived name of a lowered program.
pub fn check(cx: &mut Cx, program: &Program) {
    let one = |cx: &mut Cx, kind: NameKind, name: &str, span: Span| {
        if let Err(problem) = kind.check(name) {
            cx.push(bad_name(kind, name, &problem, span));
        }
    };
    for c in &program.clusters {
        one(cx, NameKind::Cluster, &c.name, c.span);
        for p in &c.capacity_providers {
            if let CapacityProvider::Ec2(e) = p {
                one(cx, NameKind::CapacityProvider, &e.name, c.span);
            }
        }
    }
    for s in &program.services {
        one(cx, NameKind::Service, &s.name, s.span);
    }
    for t in &program.tasks {
        one(cx, NameKind::Family, &t.family, t.span);
        for c in &t.containers {
            one(cx, NameKind::Container, &c.name, c.span);
            let Some(log) = &c.log else { continue };
            // A group given as an option, possibly through an input.
            for (key, value) in &log.options {
                // Built from an input with no value (E0211 says so), or
                // what such an input left empty.
                if cx.scope.incomplete(value)
                    || (!cx.scope.missing.is_empty() && cx.scope.resolve(value).is_empty())
                {
                    continue;
                }
                if key == "awslogs-group" && log.driver == LogDriver::Awslogs {
                    let resolved = cx.scope.resolve(value);
                    one(cx, NameKind::LogGroup, &resolved, log.span);
                } else if key == "log_group_name" && log.driver == LogDriver::Awsfirelens {
                    // FireLens's cloudwatch_logs plugin fills `$(field)`
                    // and `${ENV}` at run time: only the rest is a name.
                    let resolved = cx.scope.resolve(value);
                    let filled = fill_fluent_bit_templates(&resolved);
                    if let Err(problem) = NameKind::LogGroup.check(&filled) {
                        cx.push(bad_name(NameKind::LogGroup, &resolved, &problem, log.span));
                    }
                }
            }
        }
        for v in &t.volumes {
            one(cx, NameKind::Volume, &v.name, v.span);
        }
    }
}

/// Whether `value` holds a Fluent Bit template, filled at run time (so Wharf
/// cannot create or name the log group itself).
pub(super) fn has_fluent_bit_template(value: &str) -> bool {
    fill_fluent_bit_templates(value) != value
}

/// `value` with each Fluent Bit template replaced by `*`: the IAM resource
/// pattern that covers every name it can become.
pub(super) fn fluent_bit_wildcard(value: &str) -> String {
    fill_templates_with(value, "*")
}

/// `value` with each Fluent Bit template (`$(record.field)`, `${ENV_VAR}`)
/// replaced by one letter, so the literal rest can be checked as a name.
fn fill_fluent_bit_templates(value: &str) -> String {
    fill_templates_with(value, "x")
}

fn fill_templates_with(value: &str, fill: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let close = match after.chars().next() {
            Some('(') => after.find(')'),
            Some('{') => after.find('}'),
            _ => None,
        };
        match close {
            Some(end) if end > 1 => {
                out.push_str(fill);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Checks the awslogs groups `derive` named (`/ecs/<family>` by default).
pub fn check_derived(cx: &mut Cx, program: &Program) {
    let mut seen = std::collections::HashSet::new();
    for t in &program.tasks {
        for c in &t.containers {
            let Some(log) = c.log.as_ref().filter(|l| l.driver == LogDriver::Awslogs) else {
                continue;
            };
            let Some(group) = log.group.as_deref() else {
                continue;
            };
            if !seen.insert(group) {
                continue;
            }
            // An empty group came from an input with no value (E0211).
            if group.is_empty() && !cx.scope.missing.is_empty() {
                continue;
            }
            if let Err(problem) = NameKind::LogGroup.check(group) {
                cx.push(bad_name(NameKind::LogGroup, group, &problem, log.span));
            }
        }
    }
}
