//! One program as the editor sees it: a document, the files it imports (the
//! editor's text for open ones, the disk for the others) and the stdlib,
//! loaded and checked by the driver (`driver::load`, `Loaded::check`)
//! exactly as `wharf check` does, and indexed for navigation. A file with syntax
//! errors reports them (the checker then does not run, as in `wharf check`)
//! and is indexed from what still parses.

use super::index::Index;
use crate::ast;
use crate::diag::{Diagnostic, FileId, SourceMap, Span};
use crate::driver::{self, FileSystem, Recovery};
use std::path::{Path, PathBuf};

pub struct Analysis {
    pub sources: SourceMap,
    pub files: Vec<ast::File>,
    /// The path of each file of `sources`, by `FileId`.
    pub paths: Vec<PathBuf>,
    pub stdlib: Vec<FileId>,
    pub diags: Vec<Diagnostic>,
    pub index: Index,
    /// How long each step took (for `WHARF_LSP_TRACE`).
    pub timings: Timings,
}

/// Milliseconds spent loading (reading and parsing), checking and indexing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    pub load: f64,
    pub check: f64,
    pub index: f64,
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "load {:.1} ms, check {:.1} ms, index {:.1} ms",
            self.load, self.check, self.index
        )
    }
}

impl Analysis {
    /// Loads and checks `root`, read through `fs` (the editor's buffers
    /// over the disk); `options` as `wharf check` would take them.
    /// `stdlib_dir` is where the stdlib's files are written for the editor
    /// to open.
    pub fn new(
        root: &Path,
        fs: &dyn FileSystem,
        options: &driver::Options,
        stdlib_dir: &Path,
    ) -> Analysis {
        let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1e3;
        let mut timings = Timings::default();
        let t = std::time::Instant::now();
        let mut loaded = driver::load(fs, root, Recovery::Partial);
        timings.load = ms(t);
        let t = std::time::Instant::now();
        if loaded.diags.is_empty() {
            loaded.diags = loaded.check(options).1;
        }
        timings.check = ms(t);
        let driver::Loaded {
            sources,
            files,
            user_files,
            stdlib,
            diags,
            ..
        } = loaded;
        let t = std::time::Instant::now();
        let paths: Vec<PathBuf> = sources
            .files()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if i < user_files {
                    super::normalize(Path::new(&f.name))
                } else {
                    let name = f.name.trim_start_matches("<stdlib/").trim_end_matches('>');
                    stdlib_dir.join(name)
                }
            })
            .collect();
        let imports = imports(&files, &paths);
        let index = Index::build(&files, &stdlib, &imports);
        timings.index = ms(t);
        Analysis {
            sources,
            files,
            paths,
            stdlib,
            diags,
            index,
            timings,
        }
    }

    pub fn file_of(&self, path: &Path) -> Option<FileId> {
        self.paths
            .iter()
            .position(|p| p == path)
            .map(|i| FileId(i as u32))
    }

    pub fn path(&self, file: FileId) -> &Path {
        &self.paths[file.0 as usize]
    }

    pub fn text(&self, file: FileId) -> &str {
        &self.sources.get(file).text
    }

    pub fn ast(&self, file: FileId) -> Option<&ast::File> {
        self.files.iter().find(|f| f.id == file)
    }

    pub fn is_stdlib(&self, file: FileId) -> bool {
        self.stdlib.contains(&file)
    }
}

/// `import "x.wharf"` path spans and the file each loaded.
fn imports(files: &[ast::File], paths: &[PathBuf]) -> Vec<(Span, FileId)> {
    let canonical: Vec<PathBuf> = paths
        .iter()
        .map(|p| p.canonicalize().unwrap_or_else(|_| p.clone()))
        .collect();
    let mut out = Vec::new();
    for f in files {
        let dir = paths[f.id.0 as usize]
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        for s in f.statements.iter().filter(|s| s.head.name == "import") {
            let Some(word) = s.words.first() else {
                continue;
            };
            let Some(rel) = word.as_plain_str() else {
                continue;
            };
            let target = dir.join(rel);
            let target = target.canonicalize().unwrap_or(target);
            if let Some(i) = canonical.iter().position(|p| *p == target) {
                out.push((word.span, FileId(i as u32)));
            }
        }
    }
    out
}
