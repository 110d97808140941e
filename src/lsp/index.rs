//! Declared names and where they are used, read from the syntax tree of
//! every file of a program (imports and the stdlib included). Which kind of
//! name a word refers to follows from where it stands: `in X` on a service
//! is a cluster, `task X` in a service a task, `expose C:PORT via LB` a
//! container of the service's task and a load balancer, `depends_on C` a
//! container of the same task, a name in a value a `let`, an `input` or a
//! template parameter. Linear in the size of the program.

use super::vocab::Block;
use crate::ast::{Expr, ExprKind, File, Ident, Statement, StrPart};
use crate::check::vocabulary::pattern;
use crate::diag::{FileId, Span};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymKind {
    Network,
    Cluster,
    LoadBalancer,
    Task,
    Service,
    Container,
    Volume,
    Let,
    Input,
    Template,
    Param,
    Environment,
    File,
}

impl SymKind {
    pub fn noun(self) -> &'static str {
        match self {
            SymKind::Network => "network",
            SymKind::Cluster => "cluster",
            SymKind::LoadBalancer => "load balancer",
            SymKind::Task => "task",
            SymKind::Service => "service",
            SymKind::Container => "container",
            SymKind::Volume => "volume",
            SymKind::Let => "constant",
            SymKind::Input => "input",
            SymKind::Template => "template",
            SymKind::Param => "template parameter",
            SymKind::Environment => "environment",
            SymKind::File => "file",
        }
    }

    fn of_head(head: &str) -> Option<SymKind> {
        Some(match head {
            "network" => SymKind::Network,
            "cluster" => SymKind::Cluster,
            "alb" | "nlb" => SymKind::LoadBalancer,
            "task" => SymKind::Task,
            "service" => SymKind::Service,
            _ => return None,
        })
    }
}

/// A declared name.
#[derive(Debug, Clone)]
pub struct Symbol {
    pub kind: SymKind,
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// The whole declaring statement.
    pub span: Span,
    /// The symbol this one belongs to: the task of a container or volume,
    /// the template of a parameter.
    pub parent: Option<usize>,
    /// Index of the declaring statement's path in the file tree, so hover
    /// can show what a `let` or `param` holds.
    pub value: Option<Expr>,
    /// `input NAME: TYPE`, `param NAME: TYPE`.
    pub ty: Option<String>,
}

#[derive(Debug, Clone, Copy)]
pub struct Reference {
    pub span: Span,
    pub target: usize,
}

#[derive(Debug, Default)]
pub struct Index {
    pub symbols: Vec<Symbol>,
    pub refs: Vec<Reference>,
    by_name: HashMap<(SymKind, Option<usize>, String), usize>,
    /// The stdlib's files: their templates are `std.NAME`.
    stdlib: Vec<FileId>,
}

impl Index {
    /// Indexes `files`; `imports` maps an `import` statement's path span to
    /// the file it loaded.
    pub fn build(files: &[File], stdlib: &[FileId], imports: &[(Span, FileId)]) -> Index {
        let mut ix = Index {
            stdlib: stdlib.to_vec(),
            ..Index::default()
        };
        for &(_, file) in imports {
            if ix.file_symbol(file).is_none() {
                ix.add(
                    SymKind::File,
                    String::new(),
                    Span::new(file, 0, 0),
                    Span::new(file, 0, 0),
                    None,
                );
            }
        }
        for (span, file) in imports {
            if let Some(target) = ix.file_symbol(*file) {
                ix.refs.push(Reference {
                    span: *span,
                    target,
                });
            }
        }
        for f in files {
            for s in &f.statements {
                ix.declare_top(s);
            }
        }
        for f in files {
            for s in &f.statements {
                ix.walk(s, Block::Top, &Cx::default());
            }
        }
        ix
    }

    fn file_symbol(&self, file: FileId) -> Option<usize> {
        self.symbols
            .iter()
            .position(|s| s.kind == SymKind::File && s.name_span.file == file)
    }

    fn add(
        &mut self,
        kind: SymKind,
        name: String,
        name_span: Span,
        span: Span,
        parent: Option<usize>,
    ) -> usize {
        let id = self.symbols.len();
        // Stdlib templates are looked up as `std.NAME`.
        let key = if kind == SymKind::Template && self.is_std(name_span) {
            format!("std.{name}")
        } else {
            name.clone()
        };
        self.by_name.entry((kind, parent, key)).or_insert(id);
        self.symbols.push(Symbol {
            kind,
            name,
            name_span,
            span,
            parent,
            value: None,
            ty: None,
        });
        id
    }

    pub fn lookup(&self, kind: SymKind, parent: Option<usize>, name: &str) -> Option<usize> {
        self.by_name.get(&(kind, parent, name.to_string())).copied()
    }

    fn is_std(&self, span: Span) -> bool {
        self.stdlib.contains(&span.file)
    }

    /// Whether a symbol is declared in the stdlib (and so cannot be renamed).
    pub fn in_stdlib(&self, id: usize) -> bool {
        self.is_std(self.symbols[id].name_span)
    }

    fn declare_top(&mut self, s: &Statement) {
        let head = s.head.name.as_str();
        if let Some(kind) = SymKind::of_head(head) {
            let Some(name) = s.words.first().and_then(name_of) else {
                return;
            };
            let id = self.add(kind, name.name, name.span, s.span, None);
            if kind == SymKind::Task {
                if let Some(b) = &s.block {
                    for c in &b.statements {
                        self.declare_in_task(c, id);
                    }
                }
            }
            return;
        }
        match head {
            "let" => {
                if let Some(name) = s.words.first().and_then(Expr::as_ident) {
                    let id = self.add(SymKind::Let, name.name.clone(), name.span, s.span, None);
                    self.symbols[id].value = s.value.as_deref().cloned();
                }
            }
            "input" => {
                let (name, ty) = match s.words.first().map(|w| &w.kind) {
                    Some(ExprKind::Pair(name, ty)) => {
                        (name.clone(), ty.as_ident().map(|t| t.name.clone()))
                    }
                    Some(ExprKind::Path(p)) if p.single().is_some() => {
                        (p.segments[0].clone(), None)
                    }
                    _ => return,
                };
                let id = self.add(SymKind::Input, name.name, name.span, s.span, None);
                self.symbols[id].value = s.value.as_deref().cloned();
                self.symbols[id].ty = Some(ty.unwrap_or_else(|| "string".to_string()));
            }
            "template" => {
                let Some(name) = s.words.first().and_then(Expr::as_ident) else {
                    return;
                };
                let id = self.add(
                    SymKind::Template,
                    name.name.clone(),
                    name.span,
                    s.span,
                    None,
                );
                for p in s.block.iter().flat_map(|b| &b.statements) {
                    if p.head.name != "param" {
                        continue;
                    }
                    let (pname, ty) = match p.words.first().map(|w| &w.kind) {
                        Some(ExprKind::Pair(n, ty)) => {
                            (n.clone(), ty.as_ident().map(|t| t.name.clone()))
                        }
                        Some(ExprKind::Path(path)) if path.single().is_some() => {
                            (path.segments[0].clone(), None)
                        }
                        _ => continue,
                    };
                    let pid = self.add(SymKind::Param, pname.name, pname.span, p.span, Some(id));
                    self.symbols[pid].value = p.value.as_deref().cloned();
                    self.symbols[pid].ty = ty;
                }
            }
            "environment" => {
                if let Some(name) = s.words.first().and_then(name_of) {
                    self.add(SymKind::Environment, name.name, name.span, s.span, None);
                }
            }
            _ => {}
        }
    }

    fn declare_in_task(&mut self, s: &Statement, task: usize) {
        match s.head.name.as_str() {
            head if pattern(head).is_some() => {
                if let Some(name) = s.words.first().and_then(name_of) {
                    self.add(SymKind::Container, name.name, name.span, s.span, Some(task));
                }
            }
            "volume" => {
                if let Some(name) = s.words.first().and_then(name_of) {
                    self.add(SymKind::Volume, name.name, name.span, s.span, Some(task));
                }
            }
            _ => {}
        }
    }

    fn refer(&mut self, span: Span, target: Option<usize>) {
        if let Some(target) = target {
            self.refs.push(Reference { span, target });
        }
    }

    /// The symbol a name refers to in a value: a template parameter of the
    /// enclosing template, else a `let` or an `input`.
    fn value_name(&self, cx: &Cx, name: &str) -> Option<usize> {
        cx.template
            .and_then(|t| self.lookup(SymKind::Param, Some(t), name))
            .or_else(|| self.lookup(SymKind::Let, None, name))
            .or_else(|| self.lookup(SymKind::Input, None, name))
    }

    /// The template a call names: `std.NAME` in the stdlib, else the user's.
    fn template(&self, path: &crate::ast::Path) -> Option<usize> {
        match path.segments.as_slice() {
            [std, _] if std.name == "std" => self.lookup(SymKind::Template, None, &path.dotted()),
            [_] => self.lookup(SymKind::Template, None, &path.dotted()),
            _ => None,
        }
    }

    fn walk(&mut self, s: &Statement, block: Block, cx: &Cx) {
        let head = s.head.name.as_str();
        let mut cx = cx.clone();
        // What the first word and keyword-introduced words refer to.
        let mut first: Option<SymKind> = None;
        let mut skip_first = false;
        match (block, head) {
            (Block::Top, "network" | "cluster" | "alb" | "nlb" | "task" | "service") => {
                skip_first = true;
                let kind = SymKind::of_head(head).expect("a declaration head");
                let name = s.words.first().and_then(name_of);
                if let Some(n) = &name {
                    let id = self.lookup(kind, None, &n.name);
                    if kind == SymKind::Task {
                        cx.task = id;
                    }
                    if kind == SymKind::Service {
                        cx.task =
                            service_task(s).and_then(|t| self.lookup(SymKind::Task, None, &t));
                    }
                }
            }
            (Block::Environment, "network" | "cluster" | "alb" | "nlb" | "task" | "service") => {
                let kind = SymKind::of_head(head).expect("a declaration head");
                first = Some(kind);
                let name = s.words.first().and_then(name_of);
                if let (Some(n), SymKind::Task) = (&name, kind) {
                    cx.task = self.lookup(SymKind::Task, None, &n.name);
                }
            }
            (Block::Environment, "input") => {
                if let Some(ExprKind::Path(p)) = s.words.first().map(|w| &w.kind) {
                    if let Some(id) = p.single() {
                        let t = self.lookup(SymKind::Input, None, &id.name);
                        self.refer(id.span, t);
                    }
                }
                skip_first = true;
            }
            (Block::Top, "let" | "input" | "environment" | "import" | "stack") => skip_first = true,
            (Block::Top, "template") => {
                skip_first = true;
                cx.template = s
                    .words
                    .first()
                    .and_then(Expr::as_ident)
                    .and_then(|n| self.lookup(SymKind::Template, None, &n.name));
            }
            (_, "param") => skip_first = true,
            (Block::Task | Block::Template, "volume") => skip_first = true,
            (Block::Task | Block::Template, head) if pattern(head).is_some() => skip_first = true,
            (Block::Service, "task") => first = Some(SymKind::Task),
            (Block::Service | Block::Cluster | Block::LoadBalancer, "network") => {
                first = Some(SymKind::Network)
            }
            (Block::Service, "callers" | "caller") => first = Some(SymKind::Service),
            (Block::Service, "expose") => first = Some(SymKind::Container),
            (Block::Container, "depends_on") => first = Some(SymKind::Container),
            (Block::Container, "mount") => first = Some(SymKind::Volume),
            (_, "use") => {
                for w in &s.words {
                    if let ExprKind::Call(path, args) = &w.kind {
                        self.call(path, args, &cx);
                    }
                }
                return;
            }
            _ => {}
        }
        let mut keyword: Option<SymKind> = None;
        for (i, w) in s.words.iter().enumerate() {
            if i == 0 && skip_first {
                keyword = None;
                continue;
            }
            let hint = if i == 0 { first } else { keyword.take() };
            if let Some(id) = w.as_ident() {
                let kw = match id.name.as_str() {
                    "in" if block == Block::Top && head == "service" => Some(SymKind::Cluster),
                    "via" if head == "expose" => Some(SymKind::LoadBalancer),
                    "for" if head == "ambassador" => Some(SymKind::Container),
                    _ => None,
                };
                if kw.is_some() && hint.is_none() {
                    keyword = kw;
                    continue;
                }
            }
            self.word(w, hint, &cx);
        }
        if let Some(v) = &s.value {
            match &v.kind {
                ExprKind::Call(path, args) => self.call(path, args, &cx),
                _ => self.expr(v, &cx),
            }
        }
        if let Some(b) = &s.block {
            let inner = block.child(head);
            for c in &b.statements {
                self.walk(c, inner, &cx);
            }
        }
    }

    /// A word that names something of `hint`'s kind, or a value.
    fn word(&mut self, w: &Expr, hint: Option<SymKind>, cx: &Cx) {
        match (hint, &w.kind) {
            (Some(kind), ExprKind::List(items)) => {
                for item in items {
                    self.word(item, Some(kind), cx);
                }
            }
            (Some(SymKind::Container), ExprKind::Pair(name, value)) => {
                let t = cx
                    .task
                    .and_then(|t| self.lookup(SymKind::Container, Some(t), &name.name));
                self.refer(name.span, t);
                self.expr(value, cx);
            }
            (Some(kind), _) => match name_of(w) {
                Some(name) => {
                    let parent = match kind {
                        SymKind::Container | SymKind::Volume => cx.task,
                        _ => None,
                    };
                    let t = if parent.is_none()
                        && matches!(kind, SymKind::Container | SymKind::Volume)
                    {
                        None
                    } else {
                        self.lookup(kind, parent, &name.name)
                    };
                    match t {
                        Some(t) => self.refer(name.span, Some(t)),
                        None => self.expr(w, cx),
                    }
                }
                None => self.expr(w, cx),
            },
            (None, _) => self.expr(w, cx),
        }
    }

    fn call(&mut self, path: &crate::ast::Path, args: &[Expr], cx: &Cx) {
        let template = self.template(path);
        if let (Some(t), Some(last)) = (template, path.segments.last()) {
            self.refer(last.span, Some(t));
        }
        for a in args {
            match &a.kind {
                ExprKind::Pair(name, value) => {
                    let p = template.and_then(|t| self.lookup(SymKind::Param, Some(t), &name.name));
                    self.refer(name.span, p);
                    self.expr(value, cx);
                }
                _ => self.expr(a, cx),
            }
        }
    }

    /// Names used as values.
    fn expr(&mut self, e: &Expr, cx: &Cx) {
        match &e.kind {
            ExprKind::Path(p) => {
                if let Some(id) = p.single() {
                    let t = self.value_name(cx, &id.name);
                    self.refer(id.span, t);
                }
            }
            ExprKind::Str(parts) => {
                for part in parts {
                    if let StrPart::Interp(p) = part {
                        if let Some(id) = p.single() {
                            let t = self.value_name(cx, &id.name);
                            self.refer(id.span, t);
                        }
                    }
                }
            }
            ExprKind::Range(a, b) => {
                self.expr(a, cx);
                self.expr(b, cx);
            }
            ExprKind::List(items) => {
                for i in items {
                    self.expr(i, cx);
                }
            }
            ExprKind::Map(entries) => {
                for (_, v) in entries {
                    self.expr(v, cx);
                }
            }
            ExprKind::Call(path, args) => {
                if self.template(path).is_some() {
                    self.call(path, args, cx);
                } else {
                    for a in args {
                        self.expr(a, cx);
                    }
                }
            }
            ExprKind::Pair(_, v) => self.expr(v, cx),
            ExprKind::Quantity(_) => {}
        }
    }

    /// The symbol declared or referred to at `offset` of `file`.
    pub fn at(&self, file: FileId, offset: u32) -> Option<(usize, Span)> {
        let inside = |sp: &Span| sp.file == file && sp.start <= offset && offset <= sp.end;
        self.refs
            .iter()
            .find(|r| inside(&r.span))
            .map(|r| (r.target, r.span))
            .or_else(|| {
                self.symbols
                    .iter()
                    .position(|s| s.kind != SymKind::File && inside(&s.name_span))
                    .map(|i| (i, self.symbols[i].name_span))
            })
    }

    /// Every place that names `target`, its declaration first.
    pub fn occurrences(&self, target: usize) -> Vec<Span> {
        let mut out = Vec::new();
        if self.symbols[target].kind != SymKind::File {
            out.push(self.symbols[target].name_span);
        }
        out.extend(
            self.refs
                .iter()
                .filter(|r| r.target == target)
                .map(|r| r.span),
        );
        out
    }

    /// Names of `kind` (with the parent for containers and volumes).
    pub fn names(&self, kind: SymKind, parent: Option<usize>) -> Vec<&Symbol> {
        self.symbols
            .iter()
            .filter(|s| s.kind == kind && s.parent == parent)
            .collect()
    }
}

/// Context of a walk: the task whose containers a name may refer to, the
/// template whose parameters are in scope.
#[derive(Debug, Clone, Default)]
struct Cx {
    task: Option<usize>,
    template: Option<usize>,
}

/// A declaration's name: a bare name or a plain string.
fn name_of(e: &Expr) -> Option<Ident> {
    match e.as_ident() {
        Some(id) => Some(id.clone()),
        None => e.as_plain_str().map(|name| Ident { name, span: e.span }),
    }
}

/// The task a service runs (`task X` in its block).
fn service_task(s: &Statement) -> Option<String> {
    s.block
        .as_ref()?
        .statements
        .iter()
        .find(|c| c.head.name == "task")
        .and_then(|c| c.words.first())
        .and_then(name_of)
        .map(|i| i.name)
}
