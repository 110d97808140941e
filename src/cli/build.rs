//! `wharf build FILE --target ecs|cloudformation [--format json|yaml] -o DIR`: compile,
//! emit every artifact in memory, and only then write them. Any error means
//! no file is written; the folder is replaced as a whole (see `output`).

use super::{print_diagnostics, Context, Exit, InputArgs};
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
        if let Err(e) = super::output::write_output(&self.out, &artifacts) {
            report_write_error(ctx, &self.out, &e);
            return Err(Exit::InputErrors);
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
        std::mem::forget((sources, program, artifacts));
        Ok(())
    }
}

fn report_write_error(ctx: &Context, out: &Path, e: &super::output::OutputError) {
    super::print_file_diagnostic(ctx, out, e.code, &e.message, "output folder", &e.help);
}
