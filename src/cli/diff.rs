//! `wharf diff OLD NEW [--target cloudformation|ecs] [--exit-code]`: build
//! both programs to the target in memory and print what changes (see
//! `report::diff`), as text or, with `--message-format json`, one JSON
//! object on stdout.

use super::build::{Target, TemplateFormat};
use super::{print_diagnostics, Context, Exit, InputArgs, MessageFormat};
use crate::emit::Artifact;
use crate::report::diff::{self, CreateOnly};
use clap::ValueEnum;
use std::path::{Path, PathBuf};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffTarget {
    /// CloudFormation resources; create-only changes are flagged.
    Cloudformation,
    /// ECS API JSON, file by file.
    Ecs,
}

#[derive(clap::Args, Debug)]
pub struct DiffCommand {
    /// The program as it was.
    pub old: PathBuf,
    /// The program as it is now.
    pub new: PathBuf,
    /// What to build both to and compare.
    #[arg(long, value_enum, default_value_t = DiffTarget::Cloudformation)]
    pub target: DiffTarget,
    /// Exit with 1 when there is a change, 0 when there is none.
    #[arg(long)]
    pub exit_code: bool,
    #[command(flatten)]
    pub inputs: InputArgs,
}

impl DiffCommand {
    fn build(&self, ctx: &Context, file: &Path) -> Result<Vec<Artifact>, Exit> {
        let inputs = self.inputs.parse()?;
        let (sources, program) =
            match super::load::compile(file, &inputs, self.inputs.env.as_deref()) {
                Ok(ok) => ok,
                Err(failed) => {
                    print_diagnostics(ctx, &failed.sources, &failed.diags);
                    return Err(Exit::InputErrors);
                }
            };
        let target = match self.target {
            DiffTarget::Cloudformation => Target::Cloudformation,
            DiffTarget::Ecs => Target::Ecs,
        };
        super::build::emit(&program, target, TemplateFormat::Json).map_err(|diags| {
            print_diagnostics(ctx, &sources, &diags);
            Exit::InputErrors
        })
    }

    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let old = self.build(ctx, &self.old)?;
        let new = self.build(ctx, &self.new)?;
        let d = diff::diff(&old, &new, &CreateOnly::embedded());
        match ctx.message_format {
            MessageFormat::Human => print!("{}", diff::render_human(&d)),
            _ => println!(
                "{}",
                serde_json::to_string_pretty(&d).expect("a diff serializes")
            ),
        }
        ctx.document_printed.set(true);
        if self.exit_code && !d.is_empty() {
            return Err(Exit::Code(1));
        }
        Ok(())
    }
}
