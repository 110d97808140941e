//! Command line (clap). One file per subcommand, each a `*Command` struct with
//! `run(self, ctx: &mut Context) -> Result<(), Exit>`. This is the only layer,
//! with `runner`, that reads files, the environment or prints.

pub mod build;
mod check;
mod down;
mod explain;
mod fmt;
mod import;
pub mod load;
mod logs;
pub mod output;
mod ps;
pub mod up;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "wharf",
    version,
    about = "A typed language and compiler for Amazon ECS"
)]
pub struct Cli {
    /// How diagnostics are printed.
    #[arg(long, global = true, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and check a program; write nothing.
    Check(check::CheckCommand),
    /// Compile a program to ECS API JSON, CloudFormation or a local manifest.
    Build(build::BuildCommand),
    /// Rewrite .wharf files in the canonical layout (comments are kept).
    Fmt(fmt::FmtCommand),
    /// Print the explanation of a diagnostic code, with a wrong and a right example.
    Explain(explain::ExplainCommand),
    /// Turn a task definition JSON into Wharf source.
    Import(import::ImportCommand),
    /// Run a local manifest with ECS semantics (foreground, or --detach).
    Up(up::UpCommand),
    /// Show the services and tasks of the local run.
    Ps(ps::PsCommand),
    /// Print the local run's logs.
    Logs(logs::LogsCommand),
    /// Stop the local run.
    Down(down::DownCommand),
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--input NAME=VALUE`, repeatable.
#[derive(clap::Args, Debug, Default)]
pub struct InputArgs {
    /// Give a typed input a value (overrides the environment and the default).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    pub input: Vec<String>,
    /// Apply the overrides of this `environment` (e.g. dev, prod).
    #[arg(long = "env", value_name = "NAME")]
    pub env: Option<String>,
}

impl InputArgs {
    pub fn parse(&self) -> Result<indexmap::IndexMap<String, String>, Exit> {
        let mut out = indexmap::IndexMap::new();
        for kv in &self.input {
            let Some((k, v)) = kv.split_once('=') else {
                return Err(Exit::Usage(format!("`--input {kv}` is not NAME=VALUE")));
            };
            out.insert(k.trim().to_string(), v.to_string());
        }
        Ok(out)
    }
}

/// Prints diagnostics in the chosen format: human to stderr, JSON lines to stdout.
pub fn print_diagnostics(
    ctx: &Context,
    sources: &crate::diag::SourceMap,
    diags: &[crate::diag::Diagnostic],
) {
    match ctx.message_format {
        MessageFormat::Human => {
            eprint!("{}", crate::diag::render::human(sources, diags, ctx.color))
        }
        MessageFormat::Json => print!("{}", crate::diag::render::json(sources, diags)),
    }
}

/// Prints one diagnostic about a file as a whole (a file that cannot be read,
/// an output folder that cannot be written): it has no span in a source, so
/// it points at the start of an empty source named after the file.
pub fn print_file_diagnostic(
    ctx: &Context,
    path: &std::path::Path,
    code: crate::diag::Code,
    message: &str,
    label: &str,
    help: &str,
) {
    let mut sources = crate::diag::SourceMap::new();
    let id = sources.add(path.display().to_string(), "");
    let d = crate::diag::Diagnostic::error(code, message, crate::diag::Span::new(id, 0, 0), label)
        .with_help(help);
    print_diagnostics(ctx, &sources, &[d]);
}

/// What every subcommand may use: output settings.
pub struct Context {
    pub message_format: MessageFormat,
    pub color: bool,
}

/// How a command failed: 1 for errors in the input, 2 for usage errors.
#[derive(Debug)]
pub enum Exit {
    InputErrors,
    Usage(String),
    /// Failure with its own exit code (the runner uses this).
    Code(u8),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let mut ctx = Context {
        message_format: cli.message_format,
        color,
    };
    let result = match cli.command {
        Command::Check(c) => c.run(&mut ctx),
        Command::Build(c) => c.run(&mut ctx),
        Command::Explain(c) => c.run(&mut ctx),
        Command::Fmt(c) => c.run(&mut ctx),
        Command::Import(c) => c.run(&mut ctx),
        Command::Up(c) => c.run(&mut ctx),
        Command::Ps(c) => c.run(&mut ctx),
        Command::Logs(c) => c.run(&mut ctx),
        Command::Down(c) => c.run(&mut ctx),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Exit::InputErrors) => ExitCode::from(1),
        Err(Exit::Usage(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::from(2)
        }
        Err(Exit::Code(c)) => ExitCode::from(c),
    }
}
