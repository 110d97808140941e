//! `wharf import FILE.json [-o OUT.wharf]`: a task definition (the input of
//! `register-task-definition` or the output of `describe-task-definition`)
//! as Wharf source. Prints the source (or writes it to `-o`) and lists on
//! stderr every field that has no Wharf form and every value read as ECS
//! reads it (a number written as a string); those are also in the source's
//! header comment. A file that is not a task definition JSON is E0107.

use super::{Context, Exit};
use crate::diag::{Code, Diagnostics};
use crate::driver::{Disk, FileSystem};
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
    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let shown = self.file.display().to_string();
        let fail = |code, message: String, help: &str| {
            ctx.fail(&Diagnostics::about_file(
                &shown, code, message, "file", help,
            ))
        };
        let text = Disk
            .read(&self.file)
            .map_err(|e| fail(e.code(), e.message(&shown), e.help()))?;
        let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            fail(
                Code::ImportInput,
                format!("`{shown}` is not JSON: {e}"),
                "give the JSON of a task definition, such as the output of `aws ecs describe-task-definition`",
            )
        })?;
        let origin = self.file.file_name().map_or_else(
            || self.file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let imported = crate::import::import_task_definition(&doc, &origin).map_err(|e| {
            fail(
                Code::ImportInput,
                format!("`{shown}`: {e}"),
                "give the JSON of a task definition, such as the output of `aws ecs describe-task-definition`",
            )
        })?;
        for d in &imported.dropped {
            eprintln!("warning: left out, no Wharf form: {d}");
        }
        for w in &imported.warnings {
            eprintln!("warning: {w}");
        }
        for (text, name) in &imported.inputs {
            eprintln!(
                "note: `{text}` is a template placeholder, imported as `input {name}`: \
                 build with `--input {name}=VALUE`"
            );
        }
        match &self.out {
            Some(path) => std::fs::write(path, &imported.source).map_err(|e| {
                ctx.fail(&Diagnostics::about_file(
                    &path.display().to_string(),
                    Code::OutputWrite,
                    format!("cannot write `{}`: {e}", path.display()),
                    "file",
                    "check that the folder exists and is writable",
                ))
            })?,
            None => print!("{}", imported.source),
        }
        Ok(())
    }
}
