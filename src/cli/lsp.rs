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
    pub fn run(self, _ctx: &mut Context) -> Result<(), Exit> {
        match crate::lsp::run() {
            Ok(()) => Ok(()),
            Err(e) => {
                eprintln!("wharf lsp: {e}");
                Err(Exit::Code(1))
            }
        }
    }
}
