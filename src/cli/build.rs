//! `wharf build FILE --target ecs|cloudformation [--format json|yaml] -o DIR`: compile,
//! then emit, writing each file to a staging folder beside `DIR` as the
//! backend renders it (a large build's output is never all in memory). Any
//! error means the staging folder is dropped and `DIR` is as it was; on
//! success the folder is replaced as a whole (see `output`).

use super::{Context, Exit, InputArgs};
use crate::diag::Diagnostics;
use crate::driver::{self, Disk};
use crate::emit::{Target, TemplateFormat};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct BuildCommand {
    /// The main .wharf file.
    pub file: PathBuf,
    /// What to generate.
    #[arg(long, value_enum, default_value_t = Target::Ecs)]
    pub target: Target,
    /// Template syntax for the CloudFormation target.
    #[arg(long, value_enum, default_value_t = TemplateFormat::Json)]
    pub format: TemplateFormat,
    /// Output directory; `-` prints a build of one file (a CloudFormation
    /// stack) on stdout instead.
    #[arg(short = 'o', long = "out", default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub inputs: InputArgs,
}

impl BuildCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let options = self.inputs.options()?;
        let driver::Compiled {
            sources,
            program,
            warnings,
        } = driver::compile(&Disk, &self.file, &options).map_err(|d| ctx.fail(&d))?;
        release_free_memory();
        // A target's refusals are reported with the checker's warnings.
        let refused = |ctx: &mut Context, diags: Vec<crate::diag::Diagnostic>| {
            let mut all = warnings.clone();
            all.extend(diags);
            crate::diag::sort(&mut all);
            ctx.fail(&Diagnostics::new(sources.clone(), all))
        };
        if self.out.as_os_str() == "-" {
            let artifacts = self
                .target
                .emit(&program, self.format)
                .map_err(|d| refused(ctx, d))?;
            if !warnings.is_empty() {
                if ctx.human() {
                    ctx.warn(sources.clone(), warnings.clone());
                } else {
                    // stdout holds the built file: machine-format warnings
                    // would corrupt it, so they go to stderr, as people
                    // read them.
                    eprint!("{}", crate::diag::render::human(&sources, &warnings, false));
                }
            }
            return print_one(ctx, &artifacts, self.target);
        }
        let mut staged = super::output::Staged::new(&self.out);
        let mut failed = None;
        let emitted = self
            .target
            .emit_into(&program, self.format, &mut |a| match staged.put(&a) {
                Ok(()) => true,
                Err(e) => {
                    failed = Some(e);
                    false
                }
            });
        // Dropping `staged` unfinished removes what it wrote.
        emitted.map_err(|d| refused(ctx, d))?;
        ctx.warn(sources, warnings);
        let written = match failed {
            Some(e) => Err(e),
            None => staged.finish(),
        };
        let count = written.map_err(|e| {
            let shown = self.out.display().to_string();
            let d = Diagnostics::about_file(&shown, e.code, e.message, "output folder", e.help);
            ctx.fail(&d)
        })?;
        if ctx.message_format == super::MessageFormat::Human {
            eprintln!("wrote {count} file(s) to {}", self.out.display());
        }
        // The process ends after this command: the system takes the heap
        // back at once, freeing its millions of nodes one by one first
        // would only cost time.
        std::mem::forget(program);
        Ok(())
    }
}

/// `-o -`: the build's one file on stdout, as `pkl eval` or `cdk synth`
/// print theirs, for a pipe or a snapshot. A build of several files has no
/// single text to print: that is a usage error naming the count.
fn print_one(
    ctx: &mut Context,
    artifacts: &[crate::emit::Artifact],
    target: Target,
) -> Result<(), Exit> {
    match artifacts {
        [one] => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(one.contents.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| Exit::Usage(format!("cannot write the build on stdout: {e}")))?;
            ctx.document_printed.set(true);
            Ok(())
        }
        many => Err(Exit::Usage(format!(
            "`-o -` prints a build of one file, and this {} build has {} files ({}, ...); give `-o` a folder",
            clap::ValueEnum::to_possible_value(&target).map_or(String::new(), |v| v.get_name().to_string()),
            many.len(),
            many.first().map_or("", |a| a.path.as_str()),
        ))),
    }
}

/// Gives what the checker freed (each declaration's tree, read and dropped)
/// back to the system, so that the backend's output does not add to it.
fn release_free_memory() {
    #[cfg(not(feature = "system-alloc"))]
    // SAFETY: `mi_collect` takes no pointer; it only returns free pages.
    unsafe {
        libmimalloc_sys::mi_collect(true)
    };
}
