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
    let reader = Reader {
        read: &|p: &Path| std::fs::read_to_string(p),
        partial: false,
    };
    load_with(path, sources, &reader)
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
    visit(
        path, text, sources, &mut files, &mut diags, &mut seen, &mut stack, reader,
    );
    (files, diags)
}

#[allow(clippy::too_many_arguments)]
fn visit(
    path: &Path,
    text: String,
    sources: &mut SourceMap,
    files: &mut Vec<ast::File>,
    diags: &mut Vec<Diagnostic>,
    seen: &mut IndexMap<PathBuf, FileId>,
    stack: &mut Vec<PathBuf>,
    reader: &Reader,
) {
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let id = sources.add(path.display().to_string(), text);
    seen.insert(canonical.clone(), id);
    stack.push(canonical);
    let parsed = match reader.partial {
        true => syntax::parse_partial(sources.get(id)),
        false => match syntax::parse(sources.get(id)) {
            Ok(f) => (Some(f), Vec::new()),
            Err(d) => (None, d),
        },
    };
    let file = match parsed {
        (Some(f), mut d) if d.is_empty() || reader.partial => {
            diags.append(&mut d);
            f
        }
        (_, mut d) => {
            diags.append(&mut d);
            stack.pop();
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
                diags.push(
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
    files.push(file);
    for (rel, span) in imports {
        let target = dir.join(&rel);
        let canonical = target.canonicalize().unwrap_or_else(|_| target.clone());
        if stack.contains(&canonical) {
            diags.push(
                Diagnostic::error(
                    Code::ImportCycle,
                    format!("`{rel}` imports itself, through this import"),
                    span,
                    "import cycle",
                )
                .with_help("move what both files need into a third file that neither imports back"),
            );
            continue;
        }
        if seen.contains_key(&canonical) {
            continue;
        }
        match (reader.read)(&target) {
            Ok(text) => visit(&target, text, sources, files, diags, seen, stack, reader),
            Err(e) => diags.push(
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
    stack.pop();
}
