//! `wharf graph FILE [--env E] [--format mermaid|dot]`: the program as a
//! picture (see `report::graph`), printed on stdout.

use super::{print_diagnostics, Context, Exit, InputArgs};
use crate::report::graph;
use clap::ValueEnum;
use std::path::PathBuf;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphFormat {
    /// A Mermaid flowchart (renders in GitHub and GitLab Markdown).
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`).
    Dot,
}

#[derive(clap::Args, Debug)]
pub struct GraphCommand {
    /// The main .wharf file.
    pub file: PathBuf,
    /// Picture syntax.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
    #[command(flatten)]
    pub inputs: InputArgs,
}

impl GraphCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let inputs = self.inputs.parse()?;
        let program = match super::load::compile(&self.file, &inputs, self.inputs.env.as_deref()) {
            Ok((_, program)) => program,
            Err(failed) => {
                print_diagnostics(ctx, &failed.sources, &failed.diags);
                return Err(Exit::InputErrors);
            }
        };
        let g = graph::build(&program);
        match self.format {
            GraphFormat::Mermaid => print!("{}", graph::mermaid(&g)),
            GraphFormat::Dot => print!("{}", graph::dot(&g)),
        }
        ctx.document_printed.set(true);
        Ok(())
    }
}
