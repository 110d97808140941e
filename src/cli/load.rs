//! Reads a program from disk: the main file and, transitively, the files it
//! imports (`import "common.wharf"`, relative to the importing file), then
//! runs the checker. The only place the compiler reads source files.

use crate::ast::{self, ExprKind};
use crate::check::{self, Options};
use crate::diag::{Code, Diagnostic, FileId, SourceMap, Span};
use crate::ir;
use crate::syntax;
use indexmap::IndexMap;
use std::path::{Path, PathBuf};

/// A failed compile: the sources (to render against) and the diagnostics.
pub struct Failed {
    pub sources: SourceMap,
    pub diags: Vec<Diagnostic>,
}

/// Parses and checks `path` and its imports, for the environment `env`.
pub fn compile(
    path: &Path,
    inputs: &IndexMap<String, String>,
    env: Option<&str>,
) -> Result<(SourceMap, ir::Program), Failed> {
    let mut sources = SourceMap::new();
    let (mut files, mut diags) = load(path, &mut sources);
    let (std_files, stdlib, mut std_diags) = crate::stdlib::load(&mut sources);
    files.extend(std_files);
    diags.append(&mut std_diags);
    if !diags.is_empty() {
        crate::diag::sort(&mut diags);
        return Err(Failed { sources, diags });
    }
    let options = Options {
        inputs: inputs.clone(),
        env: std::env::vars().collect(),
        stdlib,
        environment: env.map(str::to_string),
        name: path
            .file_stem()
            .map_or_else(|| "wharf".to_string(), |s| s.to_string_lossy().into_owned()),
    };
    match check::check(&files, &options) {
        (Some(program), _) => Ok((sources, program)),
        (None, diags) => Err(Failed { sources, diags }),
    }
}

/// Loads the main file and its imports, depth first; each file once.
pub fn load(path: &Path, sources: &mut SourceMap) -> (Vec<ast::File>, Vec<Diagnostic>) {
    load_with(
        path,
        sources,
        &Reader {
            read: &|p: &Path| std::fs::read_to_string(p),
            partial: false,
        },
    )
}

/// How `load_with` reads a file and what it keeps of one with syntax errors.
/// The language server reads open documents from the editor, not the disk,
/// and keeps what parses of a broken file (`syntax::parse_partial`).
pub struct Reader<'a> {
    pub read: &'a dyn Fn(&Path) -> std::io::Result<String>,
    pub partial: bool,
}

/// `load`, reading through `reader`.
pub fn load_with(
    path: &Path,
    sources: &mut SourceMap,
    reader: &Reader,
) -> (Vec<ast::File>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let mut seen: IndexMap<PathBuf, FileId> = IndexMap::new();
    let text = match (reader.read)(path) {
        Ok(t) => t,
        Err(e) => {
            let id = sources.add(path.display().to_string(), "");
            diags.push(
                Diagnostic::error(
                    Code::ImportNotFound,
                    format!("cannot read `{}`: {e}", path.display()),
                    Span::new(id, 0, 0),
                    "file",
                )
                .with_help("check the path"),
            );
            return (files, diags);
        }
    };
    let mut stack = Vec::new();
    let mut cx = Visit {
        sources,
        files: &mut files,
        diags: &mut diags,
        seen: &mut seen,
        stack: &mut stack,
        reader,
    };
    cx.visit(path, text);
    (files, diags)
}

struct Visit<'v, 'r> {
    sources: &'v mut SourceMap,
    files: &'v mut Vec<ast::File>,
    diags: &'v mut Vec<Diagnostic>,
    seen: &'v mut IndexMap<PathBuf, FileId>,
    stack: &'v mut Vec<PathBuf>,
    reader: &'v Reader<'r>,
}

impl Visit<'_, '_> {
    fn visit(&mut self, path: &Path, text: String) {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let id = self.sources.add(path.display().to_string(), text);
        self.seen.insert(canonical.clone(), id);
        self.stack.push(canonical);
        let parsed = if self.reader.partial {
            syntax::parse_partial(self.sources.get(id))
        } else {
            match syntax::parse(self.sources.get(id)) {
                Ok(f) => (Some(f), Vec::new()),
                Err(d) => (None, d),
            }
        };
        let file = match parsed {
            (Some(f), mut d) if d.is_empty() || self.reader.partial => {
                self.diags.append(&mut d);
                f
            }
            (_, mut d) => {
                self.diags.append(&mut d);
                self.stack.pop();
                return;
            }
        };
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let imports: Vec<(String, Span)> = file
            .statements
            .iter()
            .filter(|s| s.head.name == "import")
            .filter_map(|s| match s.words.first().map(|w| (&w.kind, w.span)) {
                Some((ExprKind::Str(_), span)) => s.words[0].as_plain_str().map(|p| (p, span)),
                _ => {
                    self.diags.push(
                        Diagnostic::error(
                            Code::ArgumentCount,
                            "`import` needs a file path",
                            s.span,
                            "no path",
                        )
                        .with_help("write `import \"common.wharf\"`"),
                    );
                    None
                }
            })
            .collect();
        self.files.push(file);
        for (rel, span) in imports {
            let target = dir.join(&rel);
            let canonical = target.canonicalize().unwrap_or_else(|_| target.clone());
            if self.stack.contains(&canonical) {
                self.diags.push(
                    Diagnostic::error(
                        Code::ImportCycle,
                        format!("`{rel}` imports itself, through this import"),
                        span,
                        "import cycle",
                    )
                    .with_help(
                        "move what both files need into a third file that neither imports back",
                    ),
                );
                continue;
            }
            if self.seen.contains_key(&canonical) {
                continue;
            }
            match (self.reader.read)(&target) {
                Ok(text) => self.visit(&target, text),
                Err(e) => self.diags.push(
                    Diagnostic::error(
                        Code::ImportNotFound,
                        format!("cannot read `{rel}`: {e}"),
                        span,
                        "imported here",
                    )
                    .with_help(format!(
                        "the path is relative to this file; looked for `{}`",
                        target.display()
                    )),
                ),
            }
        }
        self.stack.pop();
    }
}
