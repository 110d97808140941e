//! Stage 2: `ast::File`s -> `ir::Program`. Resolves names, reads every
//! statement through its schema (`args::Words`), converts values to typed
//! units, applies the pattern defaults (sidecar, ambassador, init, log
//! router), derives the facts backends need (rule priorities, owned log
//! groups, execution role needs), then runs the ECS rules over the result.
//! Every problem is collected; any error means no IR.

mod args;
mod cluster;
mod container;
mod derive;

pub use derive::derive_execution_role;
pub use task::OS_FAMILIES;
mod environment;
mod errors;
mod network;
mod rules;
mod scope;
mod service;
mod settings;
mod task;
mod template;
mod values;

use crate::ast;
use crate::diag::{self, Diagnostic};
use crate::ir;
use indexmap::IndexMap;
use scope::{Kind, Scope};

/// What a build adds to the source: input values and the stack name.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--input NAME=VALUE` from the command line.
    pub inputs: IndexMap<String, String>,
    /// Environment variables, consulted for inputs not given on the command line.
    pub env: IndexMap<String, String>,
    /// Default stack name (the main file's stem) when the source has no `stack`.
    pub name: String,
    /// `--env NAME`: the environment whose overrides apply.
    pub environment: Option<String>,
    /// Files that are the embedded stdlib: their templates are `std.NAME`.
    pub stdlib: Vec<crate::diag::FileId>,
}

/// The checking context: scope and collected diagnostics.
pub struct Cx<'a> {
    pub scope: Scope<'a>,
    diags: Vec<Diagnostic>,
    /// Declarations whose lowering reported an error: what was lowered of
    /// them is partial, so the rules leave them alone (no follow-on errors).
    incomplete: std::collections::HashSet<(Kind, String)>,
}

impl Cx<'_> {
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }
}

/// Checks a whole program (the main file first, then its imports, then the
/// stdlib files named in `options.stdlib`).
pub fn check(files: &[ast::File], options: &Options) -> (Option<ir::Program>, Vec<Diagnostic>) {
    let mut cx = Cx {
        scope: Scope::default(),
        diags: Vec::new(),
        incomplete: Default::default(),
    };
    let env = environment::select(&mut cx, files, options.environment.as_deref());
    if let Some(env) = env {
        cx.scope.input_overrides = environment::input_overrides(env);
    }
    scope::collect_settings(&mut cx, files, options);
    let templates = template::collect(&mut cx, files, &options.stdlib);
    // The tree is copied only when templates or an environment change it.
    let expanded: Vec<ast::File>;
    let program_files: &[ast::File] = if env.is_some() || template::used(files, &templates) {
        let mut e = template::expand(&mut cx, files, &templates, &options.stdlib);
        if let Some(env) = env {
            environment::apply(&mut cx, &mut e, env);
        }
        expanded = e;
        &expanded
    } else {
        template::check_stdlib(&mut cx, files, &options.stdlib);
        files
    };
    scope::collect_decls(&mut cx, program_files);

    let region = match cx.scope.region.clone() {
        Some(e) => cx.literal(&e),
        None => options.env.get("AWS_REGION").cloned(),
    };
    let account = match cx.scope.account.clone() {
        Some(e) => cx.literal(&e).and_then(|a| {
            if a.len() == 12 && a.chars().all(|c| c.is_ascii_digit()) {
                Some(a)
            } else {
                cx.push(errors::bad_account(&a, e.span));
                None
            }
        }),
        None => None,
    };
    let mut program = ir::Program {
        name: cx
            .scope
            .stack
            .as_ref()
            .map_or_else(|| options.name.clone(), |(n, _)| n.clone()),
        region,
        account,
        inputs: cx.scope.inputs(),
        networks: Vec::new(),
        clusters: Vec::new(),
        load_balancers: Vec::new(),
        tasks: Vec::new(),
        services: Vec::new(),
        log_groups: Vec::new(),
        namespaces: Vec::new(),
    };

    let decls: Vec<((Kind, String), &ast::Statement)> = cx
        .scope
        .decls
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    for kind in [
        Kind::Network,
        Kind::Cluster,
        Kind::LoadBalancer,
        Kind::Task,
        Kind::Service,
    ] {
        for ((k, name), stmt) in decls.iter().filter(|((k, _), _)| *k == kind) {
            let before = cx.diags.len();
            match k {
                Kind::Network => program
                    .networks
                    .extend(network::lower_network(&mut cx, stmt)),
                Kind::Cluster => program
                    .clusters
                    .extend(cluster::lower_cluster(&mut cx, stmt)),
                Kind::LoadBalancer => program
                    .load_balancers
                    .extend(network::lower_load_balancer(&mut cx, stmt)),
                Kind::Task => program.tasks.extend(task::lower_task(&mut cx, stmt)),
                Kind::Service => program
                    .services
                    .extend(service::lower_service(&mut cx, stmt)),
            }
            // Name and type errors (E01xx-E03xx) drop what they are about, so
            // the declaration is partial; an ECS rule error (E04xx) raised
            // while lowering leaves it whole.
            let partial = cx.diags[before..]
                .iter()
                .any(|d| d.is_error() && d.code.as_str() < "E0400");
            if partial {
                cx.incomplete.insert((*k, name.clone()));
            }
        }
    }

    // The rules run on whatever lowered, so name errors and ECS rule errors
    // are reported together; the derived facts only for a complete program.
    rules::check(&mut cx, &program);
    if !cx.diags.iter().any(Diagnostic::is_error) {
        if let Some(env) = env {
            environment::physical_names(&mut cx, &mut program, env);
        }
        derive::derive(&mut cx, &mut program);
    }
    let mut diags = cx.diags;
    diag::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        (None, diags)
    } else {
        (Some(program), diags)
    }
}
