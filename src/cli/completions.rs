//! `wharf completions SHELL` and `wharf man`: the shell completion script
//! and the man page, both generated from the clap definition, so they can
//! never disagree with the real flags.

use super::{Cli, Context, Exit};
use clap::CommandFactory;

#[derive(clap::Args, Debug)]
pub struct CompletionsCommand {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

impl CompletionsCommand {
    pub fn run(self, _ctx: &mut Context) -> Result<(), Exit> {
        let mut cmd = Cli::command();
        clap_complete::generate(self.shell, &mut cmd, "wharf", &mut std::io::stdout());
        Ok(())
    }
}

#[derive(clap::Args, Debug)]
pub struct ManCommand {
    /// Write one page per command (wharf.1, wharf-build.1, ...) into this
    /// directory instead of printing wharf.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

impl ManCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let cmd = Cli::command();
        match self.dir {
            None => {
                let mut page = Vec::new();
                clap_mangen::Man::new(cmd)
                    .render(&mut page)
                    .expect("rendering to a Vec cannot fail");
                use std::io::Write;
                std::io::stdout()
                    .write_all(&page)
                    .map_err(|e| Exit::Usage(format!("cannot write the man page: {e}")))?;
            }
            Some(dir) => {
                clap_mangen::generate_to(cmd, &dir).map_err(|e| {
                    ctx.report_error(
                        crate::diag::Code::OutputWrite,
                        &format!("cannot write man pages to `{}`: {e}", dir.display()),
                        "give a directory that exists and that you can write to",
                    );
                    Exit::InputErrors
                })?;
                if ctx.human() {
                    eprintln!("wrote man pages to {}", dir.display());
                }
            }
        }
        Ok(())
    }
}
