//! `wharf diff OLD NEW [--target cloudformation|ecs] [--exit-code]`: build
//! both programs to the target in memory and print what changes (see
//! `report::diff`), as text or, with `--message-format json`, one JSON
//! object on stdout.

use super::{Context, Exit, InputArgs, MessageFormat};
use crate::diag::{Code, Diagnostics};
use crate::driver::{self, Disk, FileSystem};
use crate::emit::Artifact;
use crate::emit::{Target, TemplateFormat};
use crate::report::diff::{self, CreateOnly};
use clap::ValueEnum;
use std::path::{Path, PathBuf};

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffTarget {
    /// CloudFormation resources; create-only changes are flagged.
    Cloudformation,
    /// ECS API JSON, file by file.
    Ecs,
}

#[derive(clap::Args, Debug)]
pub struct DiffCommand {
    /// The program as it was: a .wharf file, or a folder `wharf build` wrote.
    pub old: PathBuf,
    /// The program as it is now: a .wharf file, or a folder `wharf build` wrote.
    pub new: PathBuf,
    /// What to build both to and compare.
    #[arg(long, value_enum, default_value_t = DiffTarget::Cloudformation)]
    pub target: DiffTarget,
    /// Exit with 1 when there is a change, 0 when there is none.
    #[arg(long)]
    pub exit_code: bool,
    #[command(flatten)]
    pub inputs: InputArgs,
}

impl DiffCommand {
    fn build(&self, ctx: &Context, file: &Path) -> Result<Vec<Artifact>, Exit> {
        if file.is_dir() {
            return read_built(file).map_err(|(code, message, help)| {
                let shown = file.display().to_string();
                ctx.fail(&Diagnostics::about_file(
                    &shown,
                    code,
                    message,
                    "output folder",
                    help,
                ))
            });
        }
        let options = self.inputs.options()?;
        let target = match self.target {
            DiffTarget::Cloudformation => Target::Cloudformation,
            DiffTarget::Ecs => Target::Ecs,
        };
        driver::build(&Disk, file, &options, target, TemplateFormat::Json)
            .map(|built| built.artifacts)
            .map_err(|d| ctx.fail(&d))
    }

    pub fn run(self, ctx: &mut Context) -> Result<(), Exit> {
        let old = self.build(ctx, &self.old)?;
        let new = self.build(ctx, &self.new)?;
        let d = diff::diff(&old, &new, &CreateOnly::embedded());
        match ctx.message_format {
            MessageFormat::Human => print!("{}", diff::render_human(&d)),
            _ => println!(
                "{}",
                serde_json::to_string_pretty(&d).expect("a diff serializes")
            ),
        }
        ctx.document_printed.set(true);
        if self.exit_code && !d.is_empty() {
            return Err(Exit::Code(1));
        }
        Ok(())
    }
}

/// The artifacts of a folder `wharf build` wrote: exactly the files its
/// marker lists (each read as `driver::Disk` reads source, bounded and only
/// regular files), so a folder Wharf did not write is refused.
fn read_built(dir: &Path) -> Result<Vec<Artifact>, (Code, String, String)> {
    let marker = dir.join(super::output::MARKER);
    let listed = match std::fs::symlink_metadata(&marker) {
        Ok(m) if m.is_file() => Disk.read(&marker).map_err(|e| {
            (
                e.code(),
                e.message(&marker.display().to_string()),
                e.help().to_string(),
            )
        })?,
        _ => {
            return Err((
                Code::OutputNotOwned,
                format!(
                    "`{}` is a folder without the `{}` marker `wharf build` writes",
                    dir.display(),
                    super::output::MARKER
                ),
                "give `wharf diff` a .wharf file or a folder written by `wharf build -o DIR`"
                    .to_string(),
            ))
        }
    };
    let mut artifacts = Vec::new();
    for rel in listed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let safe = Path::new(rel)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !safe {
            return Err((
                Code::OutputPathEscapes,
                format!(
                    "the marker of `{}` lists `{rel}`, outside the folder",
                    dir.display()
                ),
                "rebuild the folder with `wharf build`".to_string(),
            ));
        }
        let path = dir.join(rel);
        let contents = Disk.read(&path).map_err(|e| {
            (
                e.code(),
                e.message(&path.display().to_string()),
                e.help().to_string(),
            )
        })?;
        artifacts.push(Artifact {
            path: rel.to_string(),
            contents,
        });
    }
    Ok(artifacts)
}
