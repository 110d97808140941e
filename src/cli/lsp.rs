//! `wharf lsp`: the language server, over stdin and stdout (editors start
//! it; see editors/ and the README).

use super::{Context, Exit};

#[derive(clap::Args, Debug)]
pub struct LspCommand {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    pub stdio: bool,
}

impl LspCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        match crate::lsp::run() {
            Ok(()) => Ok(()),
            Err(e) => Err(ctx.fail(&crate::diag::Diagnostics::unplaced(
                Some(crate::diag::Code::LspConnection),
                format!("the language server stopped: {e}"),
                Some(
                    "editors start `wharf lsp` and speak the Language Server Protocol on its \
                     standard input and output; see editors/ for their configuration"
                        .to_string(),
                ),
            ))),
        }
    }
}
