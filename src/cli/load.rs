//! Reads a program from disk: the main file and, transitively, the files it
//! imports (`import "common.wharf"`, relative to the importing file), then
//! runs the checker. The only place the compiler reads source files.
//!
//! Every file read as source, here and by `fmt`, `import` and `up`, goes
//! through [`read_source`]: only a regular file (not a directory, device,
//! FIFO, socket, nor anything under `/proc` or `/sys`), at most
//! [`MAX_SOURCE_BYTES`], checked before it is opened and again on the open
//! handle, which is opened non-blocking so a FIFO swapped in cannot hang.

use crate::ast::{self, ExprKind};
use crate::check::{self, Options};
use crate::diag::{Code, Diagnostic, FileId, SourceMap, Span};
use crate::ir;
use crate::syntax;
use indexmap::IndexMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest file read as source: far above any real program (the
/// 10,000-service benchmark is a few MB), low enough to bound memory.
pub const MAX_SOURCE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file could not be read as source.
#[derive(Debug)]
pub enum ReadError {
    /// Missing or unreadable (E0104).
    Io(std::io::Error),
    /// Not a regular file: what it is instead (E0106).
    NotRegular(&'static str),
    /// Larger than [`MAX_SOURCE_BYTES`] (E0106).
    TooLarge,
}

impl ReadError {
    pub fn code(&self) -> Code {
        match self {
            ReadError::Io(_) => Code::ImportNotFound,
            ReadError::NotRegular(_) | ReadError::TooLarge => Code::NotASourceFile,
        }
    }

    /// "cannot read `PATH`: REASON".
    pub fn message(&self, shown: &str) -> String {
        match self {
            ReadError::Io(e) => format!("cannot read `{shown}`: {e}"),
            ReadError::NotRegular(what) => {
                format!("`{shown}` is {what}, not a regular file")
            }
            ReadError::TooLarge => format!(
                "`{shown}` is larger than {} MiB",
                MAX_SOURCE_BYTES / (1024 * 1024)
            ),
        }
    }

    pub fn help(&self) -> &'static str {
        match self {
            ReadError::Io(_) => "check the path",
            ReadError::NotRegular(_) => {
                "Wharf reads source only from regular files; give the path of one"
            }
            ReadError::TooLarge => "split the program into files Wharf imports",
        }
    }
}

/// What a file that is not a regular file is, in words.
fn kind_of(meta: &std::fs::Metadata) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
    }
    if meta.is_dir() {
        Some("a directory")
    } else if !meta.is_file() {
        Some("not a file")
    } else {
        None
    }
}

/// Reads a source file; see the module comment for what is refused.
pub fn read_source(path: &Path) -> Result<String, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if let Some(what) = kind_of(&meta) {
        return Err(ReadError::NotRegular(what));
    }
    // Pseudo-files look regular (size 0) but are views of the system.
    let real = path.canonicalize().map_err(ReadError::Io)?;
    if real.starts_with("/proc") || real.starts_with("/sys") {
        return Err(ReadError::NotRegular("a system pseudo-file"));
    }
    if meta.len() > MAX_SOURCE_BYTES {
        return Err(ReadError::TooLarge);
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(ReadError::Io)?;
    // The path may have been swapped between the check and the open.
    if let Some(what) = file.metadata().ok().as_ref().and_then(kind_of) {
        return Err(ReadError::NotRegular(what));
    }
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(ReadError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "the file is not UTF-8 text",
        ))
    })
}

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
        read: &read_source,
        partial: false,
    };
    load_with(path, sources, &reader)
}

/// How `load_with` reads a file and what it keeps of one with syntax errors.
/// The language server reads open documents from the editor, not the disk,
/// and keeps what parses of a broken file (`syntax::parse_partial`); files
/// it does not hold open it reads with [`read_source`], like the CLI.
pub struct Reader<'a> {
    pub read: &'a dyn Fn(&Path) -> Result<String, ReadError>,
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
                    e.code(),
                    e.message(&path.display().to_string()),
                    Span::new(id, 0, 0),
                    "file",
                )
                .with_help(e.help()),
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
            Err(e @ ReadError::Io(_)) => diags.push(
                Diagnostic::error(e.code(), e.message(&rel), span, "imported here").with_help(
                    format!(
                        "the path is relative to this file; looked for `{}`",
                        target.display()
                    ),
                ),
            ),
            Err(e) => diags.push(
                Diagnostic::error(e.code(), e.message(&rel), span, "imported here")
                    .with_help(e.help()),
            ),
        }
    }
    stack.pop();
}
