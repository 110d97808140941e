//! `wharf import FILE.json [-o OUT.wharf]`: a task definition (the input of
//! `register-task-definition` or the output of `describe-task-definition`)
//! as Wharf source. Prints the source (or writes it to `-o`) and lists on
//! stderr every field that has no Wharf form; those are also in the
//! source's header comment.

use super::{Context, Exit};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ImportCommand {
    /// A task definition JSON file.
    pub file: PathBuf,
    /// Write the source here instead of printing it.
    #[arg(short = 'o', long = "out")]
    pub out: Option<PathBuf>,
}

impl ImportCommand {
    pub fn run(self, _ctx: &mut Context) -> Result<(), Exit> {
        let text = std::fs::read_to_string(&self.file)
            .map_err(|e| Exit::Usage(format!("cannot read `{}`: {e}", self.file.display())))?;
        let doc: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Exit::Usage(format!("`{}` is not JSON: {e}", self.file.display())))?;
        let origin = self.file.file_name().map_or_else(
            || self.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let imported = crate::import::import_task_definition(&doc, &origin)
            .map_err(|e| Exit::Usage(format!("`{}`: {e}", self.file.display())))?;
        for d in &imported.dropped {
            eprintln!("warning: left out, no Wharf form: {d}");
        }
        match &self.out {
            Some(path) => std::fs::write(path, &imported.source)
                .map_err(|e| Exit::Usage(format!("cannot write `{}`: {e}", path.display())))?,
            None => print!("{}", imported.source),
        }
        Ok(())
    }
}
