//! The graph of `let` constants, checked once before any value is read: a
//! constant that reaches itself (directly, through interpolation, a list or a
//! call) is reported once per cycle (E0309) and has no value afterwards, and
//! a chain of constants deeper than [`MAX_CHAIN`] is refused (E0314), because
//! reading a constant follows its chain. Both walks are iterative, so neither
//! the analysis nor a hostile program can exhaust the stack, and each visits
//! every constant and reference once.

use super::errors;
use super::scope::Binding;
use super::Cx;
use crate::ast::{Expr, ExprKind, StrPart};
use crate::diag::Span;
use std::collections::HashSet;

/// Constants defined in terms of constants defined in terms of ...: a real
/// program needs a few levels; reading one follows the chain recursively.
pub const MAX_CHAIN: usize = 100;

/// Reports cycles and over-long chains; returns the constants left without a
/// value (on a cycle), which readers treat as already reported.
pub fn analyse(cx: &mut Cx) -> HashSet<String> {
    let names: Vec<String> = cx
        .scope
        .values
        .iter()
        .filter(|(_, b)| matches!(b, Binding::Let(_)))
        .map(|(n, _)| n.clone())
        .collect();
    let index: std::collections::HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    // Edges: (target constant, span of the reference), in source order.
    let edges: Vec<Vec<(usize, Span)>> = names
        .iter()
        .map(|n| {
            let mut refs = Vec::new();
            if let Some(Binding::Let(e)) = cx.scope.values.get(n) {
                references(e, &mut refs);
            }
            refs.into_iter()
                .filter_map(|(name, span)| index.get(name.as_str()).map(|&i| (i, span)))
                .collect()
        })
        .collect();

    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done,
    }
    let mut state = vec![State::New; names.len()];
    // Longest chain below each finished constant (1 for a literal).
    let mut depth = vec![1usize; names.len()];
    let mut cyclic = vec![false; names.len()];
    let mut reported_long = vec![false; names.len()];
    for root in 0..names.len() {
        if state[root] != State::New {
            continue;
        }
        // (constant, next edge to follow)
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = State::Open;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(target, span)) = edges[node].get(*next) {
                *next += 1;
                match state[target] {
                    State::New => {
                        state[target] = State::Open;
                        stack.push((target, 0));
                    }
                    State::Open => {
                        // A reference back into the open path closes a cycle:
                        // every constant from `target` up is on it.
                        cx.push(errors::recursive_constant(&names[target], span));
                        let from = stack
                            .iter()
                            .rposition(|&(n, _)| n == target)
                            .expect("an open constant is on the stack");
                        for &(n, _) in &stack[from..] {
                            cyclic[n] = true;
                        }
                    }
                    State::Done => {}
                }
                continue;
            }
            stack.pop();
            state[node] = State::Done;
            let below = edges[node]
                .iter()
                .filter(|(t, _)| state[*t] == State::Done && !cyclic[*t])
                .map(|(t, _)| depth[*t])
                .max()
                .unwrap_or(0);
            depth[node] = below + 1;
            if depth[node] > MAX_CHAIN && !cyclic[node] {
                // Report the top of the chain only: the constants under it
                // are within the limit, or reported themselves.
                let deeper = edges[node].iter().any(|(t, _)| reported_long[*t]);
                if !deeper {
                    let span = match cx.scope.values.get(&names[node]) {
                        Some(Binding::Let(e)) => e.span,
                        _ => Span::default(),
                    };
                    cx.push(errors::constant_chain_too_deep(
                        &names[node],
                        MAX_CHAIN,
                        span,
                    ));
                }
                reported_long[node] = true;
            }
        }
    }
    names
        .into_iter()
        .enumerate()
        .filter(|(i, _)| cyclic[*i] || reported_long[*i])
        .map(|(_, n)| n)
        .collect()
}

/// Every name an expression refers to (bare names and interpolations), with
/// the span of the reference. Expressions nest at most `MAX_NESTING` deep.
fn references(e: &Expr, out: &mut Vec<(String, Span)>) {
    match &e.kind {
        ExprKind::Str(parts) => {
            for p in parts {
                if let StrPart::Interp(path) = p {
                    out.push((path.dotted(), path.span));
                }
            }
        }
        ExprKind::Path(p) => {
            if let Some(id) = p.single() {
                out.push((id.name.clone(), id.span));
            }
        }
        ExprKind::Range(a, b) => {
            references(a, out);
            references(b, out);
        }
        ExprKind::List(items) | ExprKind::Call(_, items) => {
            for i in items {
                references(i, out);
            }
        }
        ExprKind::Map(entries) => {
            for (_, v) in entries {
                references(v, out);
            }
        }
        ExprKind::Pair(_, v) => references(v, out),
        ExprKind::Quantity(_) => {}
    }
}
