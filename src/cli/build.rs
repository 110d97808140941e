//! `wharf build FILE --target ecs|cloudformation [--format json|yaml] -o DIR`: compile,
//! emit every artifact in memory, and only then write them. Any error means
//! no file is written; the folder is replaced as a whole (see `output`).

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
        let mut built = driver::build(&Disk, &self.file, &options, self.target, self.format)
            .map_err(|d| ctx.fail(&d))?;
        let warnings = std::mem::take(&mut built.warnings);
        if self.out.as_os_str() == "-" && !ctx.human() {
            // stdout holds the built file: machine-format warnings would
            // corrupt it, so they go to stderr, as people read them.
            if !warnings.is_empty() {
                eprint!(
                    "{}",
                    crate::diag::render::human(&built.sources, &warnings, false)
                );
            }
        } else {
            ctx.warn(built.sources.clone(), warnings);
        }
        let artifacts = &built.artifacts;
        if self.out.as_os_str() == "-" {
            return print_one(ctx, artifacts, self.target);
        }
        if let Err(e) = super::output::write_output(&self.out, artifacts) {
            let shown = self.out.display().to_string();
            let d = Diagnostics::about_file(&shown, e.code, e.message, "output folder", e.help);
            return Err(ctx.fail(&d));
        }
        if ctx.message_format == super::MessageFormat::Human {
            eprintln!(
                "wrote {} file(s) to {}",
                artifacts.len(),
                self.out.display()
            );
        }
        // The process ends after this command: the system takes the heap
        // back at once, freeing its millions of nodes one by one first
        // would only cost time.
        std::mem::forget(built);
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
