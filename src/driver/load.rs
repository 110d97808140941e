//! Loads a program's files: the entry file and, transitively, the files it
//! imports (`import "common.wharf"`, relative to the importing file), each
//! once, depth first, read through the injected [`FileSystem`].

use super::fs::{FileSystem, ReadError};
use crate::ast::{self, ExprKind};
use crate::check;
use crate::diag::{Code, Diagnostic, SourceMap, Span};
use crate::syntax;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What the loader keeps of a file with syntax errors: nothing (a build),
/// or what still parses (an editor, which navigates a broken file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Recovery {
    Strict,
    Partial,
}

struct Loader<'a> {
    fs: &'a dyn FileSystem,
    recovery: Recovery,
    sources: &'a mut SourceMap,
    files: Vec<ast::File>,
    diags: Vec<Diagnostic>,
    seen: HashSet<PathBuf>,
    /// The identities of the files being loaded, outermost first.
    stack: Vec<PathBuf>,
}

/// Loads `entry` and its imports into `sources`: the parsed files and the
/// diagnostics met on the way (unsorted).
pub(super) fn load(
    fs: &dyn FileSystem,
    entry: &Path,
    sources: &mut SourceMap,
    recovery: Recovery,
) -> (Vec<ast::File>, Vec<Diagnostic>) {
    let mut loader = Loader {
        fs,
        recovery,
        sources,
        files: Vec::new(),
        diags: Vec::new(),
        seen: HashSet::new(),
        stack: Vec::new(),
    };
    match fs.read(entry) {
        Ok(text) => loader.visit(entry, text),
        Err(e) => {
            let id = loader.sources.add(entry.display().to_string(), "");
            loader.diags.push(
                Diagnostic::error(
                    e.code(),
                    e.message(&entry.display().to_string()),
                    Span::new(id, 0, 0),
                    "file",
                )
                .with_help(e.help()),
            );
        }
    }
    (loader.files, loader.diags)
}

impl Loader<'_> {
    fn visit(&mut self, path: &Path, text: String) {
        let identity = self.fs.identity(path);
        let id = self.sources.add(path.display().to_string(), text);
        self.seen.insert(identity.clone());
        self.stack.push(identity);
        let parsed = match self.recovery {
            Recovery::Partial => syntax::parse_partial(self.sources.get(id)),
            Recovery::Strict => match syntax::parse_deferring(self.sources.get(id), &check::defers)
            {
                Ok(f) => (Some(f), Vec::new()),
                Err(d) => (None, d),
            },
        };
        let file = match parsed {
            (Some(f), mut d) if d.is_empty() || self.recovery == Recovery::Partial => {
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
        let imports = self.imports(&file);
        self.files.push(file);
        for (rel, span) in imports {
            self.import(&dir, &rel, span);
        }
        self.stack.pop();
    }

    /// The paths a file imports, with their spans; an `import` without a
    /// path is reported.
    fn imports(&mut self, file: &ast::File) -> Vec<(String, Span)> {
        let mut out = Vec::new();
        for s in file.statements.iter().filter(|s| s.head.name == "import") {
            match s.words.first().map(|w| (&w.kind, w.span)) {
                Some((ExprKind::Str(_), span)) => {
                    if let Some(p) = s.words[0].as_plain_str() {
                        out.push((p, span));
                    }
                }
                _ => self.diags.push(
                    Diagnostic::error(
                        Code::ArgumentCount,
                        "`import` needs a file path",
                        s.span,
                        "no path",
                    )
                    .with_help("write `import \"common.wharf\"`"),
                ),
            }
        }
        out
    }

    fn import(&mut self, dir: &Path, rel: &str, span: Span) {
        let target = dir.join(rel);
        let identity = self.fs.identity(&target);
        if self.stack.contains(&identity) {
            self.diags.push(
                Diagnostic::error(
                    Code::ImportCycle,
                    format!("`{rel}` imports itself, through this import"),
                    span,
                    "import cycle",
                )
                .with_help("move what both files need into a third file that neither imports back"),
            );
            return;
        }
        if self.seen.contains(&identity) {
            return;
        }
        match self.fs.read(&target) {
            Ok(text) => self.visit(&target, text),
            Err(e @ ReadError::Io(_)) => self.diags.push(
                Diagnostic::error(e.code(), e.message(rel), span, "imported here").with_help(
                    format!(
                        "the path is relative to this file; looked for `{}`",
                        target.display()
                    ),
                ),
            ),
            Err(e) => self.diags.push(
                Diagnostic::error(e.code(), e.message(rel), span, "imported here")
                    .with_help(e.help()),
            ),
        }
    }
}
