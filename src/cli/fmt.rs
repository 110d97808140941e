//! `wharf fmt FILE... [--check]`: rewrite files in the canonical layout.
//! A file that does not parse is reported and left untouched.

use super::{print_diagnostics, Context, Exit};
use crate::diag::SourceMap;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct FmtCommand {
    /// The .wharf files to format.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Change nothing; exit 1 if a file is not formatted (for CI).
    #[arg(long)]
    pub check: bool,
}

impl FmtCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let mut failed = false;
        for path in &self.files {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Exit::Usage(format!("cannot read `{}`: {e}", path.display())))?;
            let mut sources = SourceMap::new();
            let id = sources.add(path.display().to_string(), text.clone());
            if let Err(diags) = crate::syntax::parse(sources.get(id)) {
                print_diagnostics(ctx, &sources, &diags);
                failed = true;
                continue;
            }
            let formatted = crate::fmt::format(&text);
            if formatted == text {
                continue;
            }
            if self.check {
                eprintln!("would reformat {}", path.display());
                failed = true;
            } else {
                let tmp = path.with_extension("wharf-fmt-tmp");
                std::fs::write(&tmp, &formatted)
                    .and_then(|()| std::fs::rename(&tmp, path))
                    .map_err(|e| Exit::Usage(format!("cannot write `{}`: {e}", path.display())))?;
                eprintln!("formatted {}", path.display());
            }
        }
        if failed {
            Err(Exit::InputErrors)
        } else {
            Ok(())
        }
    }
}
