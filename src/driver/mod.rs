//! The library's entry point: a program read through an injected
//! [`FileSystem`], loaded with its imports and the stdlib, checked, and
//! (with [`build`]) emitted for a target. The command line, the tests, the
//! benchmarks and the language server all compile through here; what fails
//! comes back as [`Diagnostics`] for `diag` to render.
//!
//! ```
//! use wharf::driver::{self, Memory, Options};
//! let fs = Memory::with("app.wharf", "cluster main { }\n");
//! let compiled = driver::compile(&fs, "app.wharf".as_ref(), &Options::default()).unwrap();
//! assert_eq!(compiled.program.clusters.len(), 1);
//! ```
//!
//! The driver reads nothing but the file system it is given: environment
//! variables that inputs may come from are passed in [`Options::env`].

pub mod fs;
mod load;

pub use fs::{Disk, FileSystem, Memory, Overlay, ReadError, MAX_SOURCE_BYTES};

use crate::ast;
use crate::check;
use crate::diag::{self, Diagnostic, Diagnostics, FileId, SourceMap};
use crate::emit::{Artifact, Target, TemplateFormat};
use crate::ir;
use indexmap::IndexMap;
use std::path::Path;

/// What a compile adds to the source.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Input values (`--input NAME=VALUE`); they beat the environment and
    /// the declared default.
    pub inputs: IndexMap<String, String>,
    /// Environment variables, consulted for inputs not given in `inputs`
    /// (and `AWS_REGION`). The command line passes the process's.
    pub env: IndexMap<String, String>,
    /// The `environment` block whose overrides apply (`--env NAME`).
    pub environment: Option<String>,
}

/// What the loader keeps of a file with syntax errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Recovery {
    /// Nothing: the file's syntax errors are the result (a build).
    #[default]
    Strict,
    /// What still parses, beside the syntax errors (an editor, which
    /// navigates a file while it is being written).
    Partial,
}

/// A checked program and the sources its spans point into.
#[derive(Debug)]
pub struct Compiled {
    pub sources: SourceMap,
    pub program: ir::Program,
    /// What the checker says of a program ECS accepts (severity warning).
    pub warnings: Vec<Diagnostic>,
}

/// A checked program emitted for a target.
#[derive(Debug)]
pub struct Built {
    pub sources: SourceMap,
    pub program: ir::Program,
    pub artifacts: Vec<Artifact>,
    /// The checker's warnings, as in [`Compiled`].
    pub warnings: Vec<Diagnostic>,
}

/// A program's files as loaded, before checking: the entry file, its
/// imports (the first `user_files` sources), then the stdlib.
#[derive(Debug)]
pub struct Loaded {
    pub sources: SourceMap,
    /// The parsed files; with [`Recovery::Partial`], also what parses of
    /// broken ones.
    pub files: Vec<ast::File>,
    /// How many of `sources` are the program's own files; the stdlib's
    /// follow.
    pub user_files: usize,
    /// The stdlib's files.
    pub stdlib: Vec<FileId>,
    /// What loading found (files that cannot be read, syntax errors, import
    /// cycles), sorted; the checker runs only when there is none.
    pub diags: Vec<Diagnostic>,
    /// The default stack name: the entry file's stem.
    name: String,
}

/// Reads `entry` and, transitively, the files it imports, then the stdlib.
pub fn load(fs: &dyn FileSystem, entry: &Path, recovery: Recovery) -> Loaded {
    let mut sources = SourceMap::new();
    let recovery = match recovery {
        Recovery::Strict => load::Recovery::Strict,
        Recovery::Partial => load::Recovery::Partial,
    };
    let (mut files, mut diags) = load::load(fs, entry, &mut sources, recovery);
    let user_files = sources.files().len();
    let (std_files, stdlib, mut std_diags) = crate::stdlib::load(&mut sources);
    files.extend(std_files);
    diags.append(&mut std_diags);
    diag::sort(&mut diags);
    Loaded {
        sources,
        files,
        user_files,
        stdlib,
        diags,
        name: entry
            .file_stem()
            .map_or_else(|| "wharf".to_string(), |s| s.to_string_lossy().into_owned()),
    }
}

impl Loaded {
    /// Checks the loaded files: the program, or none and its errors (with
    /// any warnings either way).
    pub fn check(&self, options: &Options) -> (Option<ir::Program>, Vec<Diagnostic>) {
        check::check_read(&self.files, &self.check_options(options), &self.sources)
    }

    fn check_options(&self, options: &Options) -> check::Options {
        check::Options {
            inputs: options.inputs.clone(),
            env: options.env.clone(),
            stdlib: self.stdlib.clone(),
            environment: options.environment.clone(),
            name: self.name.clone(),
        }
    }
}

/// Parses and checks `entry` and its imports.
pub fn compile(
    fs: &dyn FileSystem,
    entry: &Path,
    options: &Options,
) -> Result<Compiled, Diagnostics> {
    let loaded = load(fs, entry, Recovery::Strict);
    if !loaded.diags.is_empty() {
        return Err(Diagnostics::new(loaded.sources, loaded.diags));
    }
    let options = loaded.check_options(options);
    match check::check_owned(loaded.files, &options, &loaded.sources) {
        (Some(program), warnings) => Ok(Compiled {
            sources: loaded.sources,
            program,
            warnings,
        }),
        (None, diags) => Err(Diagnostics::new(loaded.sources, diags)),
    }
}

/// Compiles `entry` and emits it for `target` (`format`: the template
/// syntax of CloudFormation).
pub fn build(
    fs: &dyn FileSystem,
    entry: &Path,
    options: &Options,
    target: Target,
    format: TemplateFormat,
) -> Result<Built, Diagnostics> {
    let Compiled {
        sources,
        program,
        mut warnings,
    } = compile(fs, entry, options)?;
    match target.emit(&program, format) {
        Ok(artifacts) => Ok(Built {
            sources,
            program,
            artifacts,
            warnings,
        }),
        Err(diags) => {
            warnings.extend(diags);
            crate::diag::sort(&mut warnings);
            Err(Diagnostics::new(sources, warnings))
        }
    }
}
