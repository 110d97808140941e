//! `wharf graph FILE [--env E] [--format mermaid|dot]`: the program as a
//! picture (see `report::graph`), printed on stdout.

use super::{Context, Exit, InputArgs};
use crate::driver::{self, Disk};
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
        let options = self.inputs.options()?;
        let program = driver::compile(&Disk, &self.file, &options)
            .map_err(|d| ctx.fail(&d))?
            .program;
        let g = graph::build(&program);
        match self.format {
            GraphFormat::Mermaid => print!("{}", graph::mermaid(&g)),
            GraphFormat::Dot => print!("{}", graph::dot(&g)),
        }
        ctx.document_printed.set(true);
        Ok(())
    }
}
