//! `wharf fmt FILE... [--check]`: rewrite files in the canonical layout.
//! A file that does not parse is reported and left untouched. `wharf fmt -`
//! formats standard input to standard output (format on save in an editor).

use super::{Context, Exit};
use crate::diag::{Diagnostics, SourceMap};
use crate::driver::{Disk, FileSystem};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct FmtCommand {
    /// The .wharf files to format; `-` reads standard input and writes the
    /// formatted text to standard output.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Change nothing; exit 1 if a file is not formatted (for CI).
    #[arg(long)]
    pub check: bool,
}

impl FmtCommand {
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        if self.files.len() == 1 && self.files[0].as_os_str() == "-" {
            return self.stdin(ctx);
        }
        let mut failed = false;
        for path in &self.files {
            let text = match Disk.read(path) {
                Ok(t) => t,
                Err(e) => {
                    ctx.report(&e.diagnostics(path));
                    failed = true;
                    continue;
                }
            };
            let mut sources = SourceMap::new();
            let id = sources.add(path.display().to_string(), text.clone());
            if let Err(diags) = crate::syntax::parse(sources.get(id)) {
                ctx.report(&Diagnostics::new(sources, diags));
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
                if let Err(e) =
                    std::fs::write(&tmp, &formatted).and_then(|()| std::fs::rename(&tmp, path))
                {
                    let _ = std::fs::remove_file(&tmp);
                    ctx.report(&Diagnostics::about_file(
                        &path.display().to_string(),
                        crate::diag::Code::OutputWrite,
                        format!("cannot write `{}`: {e}", path.display()),
                        "file",
                        "check that the file and its folder are writable",
                    ));
                    failed = true;
                    continue;
                }
                eprintln!("formatted {}", path.display());
            }
        }
        if failed {
            Err(Exit::InputErrors)
        } else {
            Ok(())
        }
    }

    /// `wharf fmt -`: stdin to stdout; nothing is printed on stdout for
    /// input that does not parse (its diagnostics go the usual way).
    fn stdin(&self, ctx: &mut Context) -> Result<(), Exit> {
        use std::io::{Read, Write};
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Exit::Usage(format!("cannot read standard input: {e}")))?;
        let mut sources = SourceMap::new();
        let id = sources.add("<stdin>", text.clone());
        if let Err(diags) = crate::syntax::parse(sources.get(id)) {
            return Err(ctx.fail(&Diagnostics::new(sources, diags)));
        }
        let formatted = crate::fmt::format(&text);
        if self.check {
            if formatted != text {
                eprintln!("would reformat <stdin>");
                return Err(Exit::InputErrors);
            }
            return Ok(());
        }
        let mut out = std::io::stdout().lock();
        out.write_all(formatted.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Exit::Usage(format!("cannot write standard output: {e}")))
    }
}
