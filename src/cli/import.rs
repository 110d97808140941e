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

/// How a remark about the import is shown to a person.
enum Severity {
    Warning,
    Note,
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
        // A byte-order mark (PowerShell 5's `Out-File` writes one) is not JSON.
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
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
        let mut notes: Vec<(Severity, String)> = Vec::new();
        for d in &imported.dropped {
            notes.push((Severity::Warning, format!("left out, no Wharf form: {d}")));
        }
        for w in &imported.warnings {
            notes.push((Severity::Warning, w.clone()));
        }
        for (text, name) in &imported.inputs {
            notes.push((
                Severity::Note,
                format!(
                    "`{text}` is a template placeholder, imported as `input {name}`: \
                     build with `--input {name}=VALUE`"
                ),
            ));
        }
        if ctx.message_format == super::MessageFormat::Human {
            for (severity, text) in &notes {
                let word = match severity {
                    Severity::Note => "note",
                    Severity::Warning => "warning",
                };
                eprintln!("{word}: {text}");
            }
        } else {
            // Machines get them as warnings of the import's code, in the
            // one schema every subcommand writes.
            let mut d = Diagnostics::default();
            for (_, text) in notes {
                d.unplaced.push(crate::diag::Unplaced {
                    code: Some(Code::ImportInput),
                    severity: crate::diag::Severity::Warning,
                    message: text,
                    help: None,
                });
            }
            ctx.report(&d);
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
