//! `wharf check FILE`: parse and check, print diagnostics, write nothing.

use super::{Context, Exit, InputArgs};
use crate::driver::{self, Disk};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CheckCommand {
    /// The main .wharf file.
    pub file: PathBuf,
    #[command(flatten)]
    pub inputs: InputArgs,
}

impl CheckCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let options = self.inputs.options()?;
        match driver::compile(&Disk, &self.file, &options) {
            Ok(driver::Compiled {
                program,
                sources,
                warnings,
            }) => {
                ctx.warn(sources, warnings);
                if ctx.message_format == super::MessageFormat::Human {
                    eprintln!(
                        "checked `{}`: {} cluster(s), {} task definition(s), {} service(s), no errors",
                        self.file.display(),
                        program.clusters.len(),
                        program.tasks.len(),
                        program.services.len()
                    );
                }
                // The process ends after this command: leave the heap to
                // the system instead of freeing every node of the program.
                std::mem::forget(program);
                Ok(())
            }
            Err(d) => Err(ctx.fail(&d)),
        }
    }
}
