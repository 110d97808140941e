//! Stage 2: `ast::File`s -> `ir::Program`. Resolves names, dispatches every
//! statement through its block's vocabulary (`vocabulary`, one table per
//! block), reads it through its schema (`args::Words`), converts values to
//! typed units, applies the pattern defaults (sidecar, ambassador, init, log
//! router), derives the facts backends need (rule priorities, owned log
//! groups, execution role needs), then runs the ECS rules over the result.
//! Every problem is collected; any error means no IR.

mod args;
mod capacity;
mod cluster;
mod connect;
mod constants;
mod container;
mod deploy;
mod derive;

pub use derive::derive_execution_role;
pub use vocabulary::OS_FAMILIES;
mod environment;
mod errors;
mod job;
mod limits;
pub mod names;
mod queue;
/// What the checker accepts as written, for `wharf import` to tell a
/// template's placeholder from a value.
pub mod valid {
    pub use super::rules::{role_ok, secretsmanager_arn_ok, ssm_parameter_ok};
}
mod network;
mod platform;
mod read;
mod rules;
mod runtime;
mod scope;
pub mod secrets;
mod service;
mod service_limits;
mod settings;
mod task;
mod template;
mod values;

pub mod vocabulary;

use crate::ast;
use crate::diag::{self, Diagnostic};
use crate::ir;
use indexmap::IndexMap;
use scope::Scope;
use vocabulary::Kind;

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
    /// Constants on a cycle or atop an over-long chain (reported once by
    /// `constants::analyse`): they have no value.
    broken: std::collections::HashSet<String>,
    /// Each constant's text, expanded once: interpolating a constant twice
    /// copies its text instead of expanding it again. `None`: it failed.
    let_texts: std::collections::HashMap<String, Option<ir::Text>>,
    /// Set when a read met a broken constant: what was being lowered is
    /// partial, like after an error of its own.
    read_broken: std::cell::Cell<bool>,
    /// The statement being read carries `not_secret`: its value is not
    /// judged a secret (a visible, per-variable exception).
    not_secret: bool,
    /// The name the value being read is given to (`DB_PASSWORD`,
    /// `splunk-token`): context for the credential detector.
    value_name: Option<String>,
    /// Inputs that feed a secret-looking variable, with the first such use.
    secret_inputs: IndexMap<String, diag::Span>,
    /// Inputs whose value the checker substituted (`Cx::literal`: names,
    /// paths, ARNs), with the first such use: their value is in the output
    /// of every target.
    resolved_inputs: IndexMap<String, diag::Span>,
    /// Where each input's default is written, to hide it in a diagnostic.
    input_defaults: std::collections::HashMap<String, diag::Span>,
    /// Inputs some string uses (symbolically or substituted).
    used_inputs: std::collections::HashSet<String>,
    /// Templates being expanded, outermost first (recursion is a repeat).
    template_chain: Vec<String>,
    /// Statements every `use` so far has produced (`template::MAX_EXPANDED`).
    template_output: usize,
    /// The sources the tree was read from, to read deferred blocks again
    /// (`ast::Block::deferred`); `None` for a tree read whole.
    sources: Option<&'a crate::diag::SourceMap>,
    /// The program's templates, to expand what is read of a deferred block.
    templates: std::rc::Rc<IndexMap<String, template::Template>>,
}

impl Cx<'_> {
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// A declaration whose block a build deferred, with the block read
    /// again and its templates expanded, as expanding the tree does
    /// (`template::expand_statement`); `None` for a declaration read whole.
    fn undefer(&mut self, stmt: &ast::Statement) -> Option<ast::Statement> {
        let deferred = stmt.block.as_ref().filter(|b| b.deferred)?;
        let block = self
            .sources
            .filter(|m| (deferred.span.file.0 as usize) < m.files().len())
            .and_then(|m| crate::syntax::read_deferred(m.get(deferred.span.file), deferred));
        // A deferred block was read from these sources once already.
        debug_assert!(block.is_some(), "deferred block without its source");
        let full = ast::Statement {
            head: stmt.head.clone(),
            words: stmt.words.clone(),
            value: stmt.value.clone(),
            block: block.map(Box::new),
            span: stmt.span,
        };
        let templates = self.templates.clone();
        // A declaration (not a `use`) expands to itself.
        template::expand_statement(self, full, &templates).pop()
    }

    /// [`Cx::undefer`] for a second look (where a rule points into a
    /// declaration already checked): what reading it reports was reported
    /// the first time, so it is not reported again.
    fn reread(&mut self, stmt: &ast::Statement) -> Option<ast::Statement> {
        let (diags, output) = (self.diags.len(), self.template_output);
        let full = self.undefer(stmt);
        self.diags.truncate(diags);
        self.template_output = output;
        full
    }
}

/// The top-level statements whose blocks a build defers (see
/// `ast::Block::deferred`): task and service declarations, most of a large
/// program's tree. Each is read again when it is checked, then dropped.
pub fn defers(stmt: &ast::Statement) -> bool {
    matches!(
        vocabulary::decl_kind(&stmt.head.name),
        Some(Kind::Task | Kind::Service)
    )
}

/// Checks a whole program (the main file first, then its imports, then the
/// stdlib files named in `options.stdlib`).
pub fn check(files: &[ast::File], options: &Options) -> (Option<ir::Program>, Vec<Diagnostic>) {
    check_files(std::borrow::Cow::Borrowed(files), options, None)
}

/// [`check`] of a tree that may have deferred blocks, read again from
/// `sources` (the map the tree was read into).
pub fn check_read(
    files: &[ast::File],
    options: &Options,
    sources: &crate::diag::SourceMap,
) -> (Option<ir::Program>, Vec<Diagnostic>) {
    check_files(std::borrow::Cow::Borrowed(files), options, Some(sources))
}

/// [`check`] of a tree the caller no longer needs: expanding templates or an
/// environment then moves its statements instead of copying them. Its
/// blocks may be deferred, read again from `sources`.
pub fn check_owned(
    files: Vec<ast::File>,
    options: &Options,
    sources: &crate::diag::SourceMap,
) -> (Option<ir::Program>, Vec<Diagnostic>) {
    check_files(std::borrow::Cow::Owned(files), options, Some(sources))
}

fn check_files(
    files: std::borrow::Cow<'_, [ast::File]>,
    options: &Options,
    sources: Option<&crate::diag::SourceMap>,
) -> (Option<ir::Program>, Vec<Diagnostic>) {
    let mut cx = Cx {
        scope: Scope::default(),
        diags: Vec::new(),
        incomplete: Default::default(),
        broken: Default::default(),
        let_texts: Default::default(),
        read_broken: Default::default(),
        not_secret: false,
        value_name: None,
        secret_inputs: IndexMap::new(),
        resolved_inputs: IndexMap::new(),
        input_defaults: Default::default(),
        used_inputs: Default::default(),
        template_chain: Vec::new(),
        template_output: 0,
        sources,
        templates: Default::default(),
    };
    let first_file = files.first().map(|f| f.id);
    // The selected environment is kept apart: the tree may be moved below.
    let env = environment::select(&mut cx, &files, options.environment.as_deref()).cloned();
    let env = env.as_ref();
    if let Some(env) = env {
        cx.scope.input_overrides = environment::input_overrides(env);
    }
    scope::collect_settings(&mut cx, &files, options);
    let templates = std::rc::Rc::new(template::collect(&mut cx, &files, &options.stdlib));
    cx.templates = templates.clone();
    // The tree is changed only when templates or an environment change it,
    // and copied only when the caller keeps it.
    let program_files = if env.is_some() || template::used(&files, &templates, &options.stdlib) {
        let mut e = template::expand(&mut cx, files.into_owned(), &templates, &options.stdlib);
        if let Some(env) = env {
            environment::apply(&mut cx, &mut e, env);
        }
        std::borrow::Cow::Owned(e)
    } else {
        template::check_stdlib(&mut cx, &files, &options.stdlib);
        files
    };
    let program_files: &[ast::File] = &program_files;
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
            .map_or_else(|| default_stack_name(&options.name), |(n, _)| n.clone()),
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
        jobs: Vec::new(),
        schedules: Vec::new(),
    };

    let decls: Vec<((Kind, String), &ast::Statement)> = cx
        .scope
        .decls
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    // Sized once: grown by doubling, the vectors of a large program's
    // tasks and services (hundreds of bytes each) would be up to half empty.
    let count = |kind: Kind| decls.iter().filter(|((k, _), _)| *k == kind).count();
    program.tasks.reserve_exact(count(Kind::Task));
    program.services.reserve_exact(count(Kind::Service));
    for kind in [
        Kind::Network,
        Kind::Cluster,
        Kind::LoadBalancer,
        Kind::Task,
        Kind::Service,
    ] {
        for ((k, name), stmt) in decls.iter().filter(|((k, _), _)| *k == kind) {
            let before = cx.diags.len();
            cx.read_broken.set(false);
            // A deferred declaration is read here and dropped once lowered.
            let read = cx.undefer(stmt);
            let stmt = read.as_ref().unwrap_or(stmt);
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
                // Lowered by `job::lower_all`, against the lowered tasks.
                Kind::Job | Kind::Schedule => {}
            }
            // Name and type errors (E01xx-E03xx) drop what they are about, so
            // the declaration is partial; an ECS rule error (E04xx) raised
            // while lowering leaves it whole.
            let partial = cx.read_broken.get()
                || cx.diags[before..]
                    .iter()
                    .any(|d| d.is_error() && d.code.as_str() < "E0400");
            if partial {
                cx.incomplete.insert((*k, name.clone()));
            }
        }
    }

    job::lower_all(&mut cx, &decls, &mut program);
    queue::resolve(&mut cx, &mut program);
    connect::resolve(&mut cx, &mut program);

    // The rules run on whatever lowered, so name errors and ECS rule errors
    // are reported together; the derived facts only for a complete program.
    names::check(&mut cx, &program);
    rules::check(&mut cx, &program);
    platform::check(&mut cx, &program);
    runtime::check_platform_versions(&mut cx, &program);
    // Nothing to deploy: CloudFormation refuses a template without resources
    // and the ECS target would write nothing, so an empty build succeeding
    // would hide a mistake (a wrong file, an environment that removed all).
    let declares_something = !(program.clusters.is_empty()
        && program.tasks.is_empty()
        && program.services.is_empty()
        && program.load_balancers.is_empty())
        || program
            .networks
            .iter()
            .any(|n| matches!(n.kind, ir::NetworkKind::Created(_)));
    if !declares_something && !cx.diags.iter().any(Diagnostic::is_error) {
        let span = first_file
            .map(|f| diag::Span::new(f, 0, 0))
            .unwrap_or_default();
        cx.push(errors::rule::empty_program(span));
    }
    if !cx.diags.iter().any(Diagnostic::is_error) {
        if let Some(env) = env {
            environment::physical_names(&mut cx, &mut program, env);
        }
        queue::name(&mut cx, &mut program);
        derive::derive(&mut cx, &mut program);
        names::check_derived(&mut cx, &program);
    }
    for input in &mut program.inputs {
        input.secret = cx.secret_inputs.get(&input.name).copied();
        // An input named like a secret (`DB_PASSWORD`) is one, once used.
        let named_secret = input.ty == ir::InputType::String
            && secrets::secret_name(&input.name)
            && cx.used_inputs.contains(&input.name);
        if input.secret.is_none() && named_secret {
            input.secret = Some(input.span);
        }
        let baked = cx.resolved_inputs.get(&input.name);
        if let (Some(secret), Some(&used)) = (input.secret, baked) {
            cx.diags
                .push(errors::secret_input_resolved(&input.name, used, secret));
        }
        // A secret's default is a secret written in the source.
        let literal_default = input
            .default
            .as_deref()
            .is_some_and(|d| !secrets::plain_value(d));
        if let (Some(secret), true) = (input.secret, literal_default) {
            let mut d = errors::secret_input_default(&input.name, input.span, secret);
            if let Some(&at) = cx.input_defaults.get(&input.name) {
                d = d.with_redacted(at);
            }
            cx.diags.push(d);
        }
    }
    let mut diags = cx.diags;
    diag::sort(&mut diags);
    if diags.iter().any(Diagnostic::is_error) {
        (None, diags)
    } else {
        (Some(program), diags)
    }
}

/// The stack name when the source has none: the main file's stem, made
/// into a name CloudFormation accepts (`my_app.wharf` gives `my-app`).
fn default_stack_name(stem: &str) -> String {
    let kind = ir::names::NameKind::Stack;
    match kind.check(stem) {
        Ok(()) => stem.to_string(),
        Err(_) => kind.sanitize(stem),
    }
}
