//! `wharf build FILE --target ecs|cloudformation [--format json|yaml] -o DIR`: compile,
//! emit every artifact in memory, and only then write them. Any error means
//! no file is written; each file is replaced atomically (write, then rename).

use super::{print_diagnostics, Context, Exit, InputArgs};
use crate::diag::SourceMap;
use crate::emit::{self, Artifact};
use crate::ir;
use clap::ValueEnum;
use std::path::{Path, PathBuf};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// ECS API JSON: RegisterTaskDefinition, CreateService, CreateCluster inputs.
    Ecs,
    /// One deployable CloudFormation stack (or joined stacks past its limits).
    Cloudformation,
    /// The local runtime manifest that `wharf up` runs.
    Local,
}

/// Template syntax for `--target cloudformation`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateFormat {
    Json,
    Yaml,
}

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
    /// Output directory.
    #[arg(short = 'o', long = "out", default_value = "out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub inputs: InputArgs,
}

/// Runs the backend for `target` over a checked program.
pub fn emit(
    program: &ir::Program,
    target: Target,
    format: TemplateFormat,
) -> Result<Vec<Artifact>, Vec<crate::diag::Diagnostic>> {
    use emit::cloudformation::{emit_cloudformation, Format};
    match (target, format) {
        (Target::Ecs, _) => emit::ecs::emit_ecs(program),
        (Target::Local, _) => emit::local::emit_local(program),
        (Target::Cloudformation, TemplateFormat::Json) => {
            emit_cloudformation(program, Format::Json)
        }
        (Target::Cloudformation, TemplateFormat::Yaml) => {
            emit_cloudformation(program, Format::Yaml)
        }
    }
}

impl BuildCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let inputs = self.inputs.parse()?;
        let (sources, program) =
            match super::load::compile(&self.file, &inputs, self.inputs.env.as_deref()) {
                Ok(ok) => ok,
                Err(failed) => {
                    print_diagnostics(ctx, &failed.sources, &failed.diags);
                    return Err(Exit::InputErrors);
                }
            };
        let artifacts = match emit(&program, self.target, self.format) {
            Ok(a) => a,
            Err(diags) => {
                print_diagnostics(ctx, &sources, &diags);
                return Err(Exit::InputErrors);
            }
        };
        if let Err(e) = write_all(&self.out, &artifacts) {
            report_write_error(ctx, &sources, &self.out, &e);
            return Err(Exit::InputErrors);
        }
        if ctx.message_format == super::MessageFormat::Human {
            eprintln!(
                "wrote {} file(s) to {}",
                artifacts.len(),
                self.out.display()
            );
        }
        Ok(())
    }
}

fn report_write_error(ctx: &Context, _sources: &SourceMap, out: &Path, e: &std::io::Error) {
    super::print_error(
        ctx,
        crate::diag::Code::OutputWrite,
        &format!("cannot write to `{}`: {e}", out.display()),
        Some("give an output directory you can write to"),
    );
}

/// Writes every artifact to a temporary file beside its destination, then
/// renames them into place, so a reader never sees a half-written file.
pub fn write_all(out: &Path, artifacts: &[Artifact]) -> std::io::Result<()> {
    let mut staged = Vec::new();
    for a in artifacts {
        let dest = out.join(&a.path);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = dest.with_extension(format!("wharf-tmp-{}", std::process::id()));
        if let Err(e) = std::fs::write(&tmp, &a.contents) {
            for (t, _) in &staged {
                let _ = std::fs::remove_file(t);
            }
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        staged.push((tmp, dest));
    }
    for (tmp, dest) in staged {
        std::fs::rename(tmp, dest)?;
    }
    Ok(())
}
