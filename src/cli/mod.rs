//! Command line (clap). One file per subcommand, each a `*Command` struct with
//! `run(self, ctx: &mut Context) -> Result<(), Exit>`. This is the only layer,
//! with `runner`, that reads files, the environment or prints.

pub mod build;
mod check;
mod completions;
mod cost;
mod diff;
mod down;
mod explain;
mod fmt;
mod graph;
mod import;
pub mod load;
mod logs;
mod lsp;
pub mod output;
mod ps;
pub mod run;
pub mod up;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "wharf",
    version = VERSION,
    about = "A typed language and compiler for Amazon ECS"
)]
pub struct Cli {
    /// How diagnostics are printed: `human` (stderr), `json` (one object per
    /// line on stdout, schema in docs/diagnostics.md) or `sarif` (one SARIF
    /// 2.1.0 log on stdout, for code scanning).
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
    /// Draw a program: load balancers, services, tasks, containers (Mermaid or DOT).
    Graph(graph::GraphCommand),
    /// Compare two programs' builds resource by resource; flag replacements.
    Diff(diff::DiffCommand),
    /// Price a program's services by the Fargate formula, per month.
    Cost(cost::CostCommand),
    /// Run a local manifest with ECS semantics (foreground, or --detach).
    Up(up::UpCommand),
    /// Run a job (one-off task) once, now, in the foreground; exit with its essential container's code.
    Run(run::RunCommand),
    /// Show the services and tasks of the local run.
    Ps(ps::PsCommand),
    /// Print the local run's logs.
    Logs(logs::LogsCommand),
    /// Stop the local run.
    Down(down::DownCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionsCommand),
    /// Print the man page (roff) of wharf and its subcommands.
    Man(completions::ManCommand),
    /// Run the language server on stdin/stdout (for editors).
    Lsp(lsp::LspCommand),
}

/// `wharf --version`: the crate version, the commit and its date (from
/// build.rs; "unknown" outside a git checkout).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("WHARF_COMMIT"),
    " ",
    env!("WHARF_COMMIT_DATE"),
    ")"
);

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageFormat {
    Human,
    Json,
    Sarif,
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

/// Prints diagnostics in the chosen format: human to stderr, JSON lines to
/// stdout, SARIF gathered and printed as one log when the command ends.
pub fn print_diagnostics(
    ctx: &Context,
    sources: &crate::diag::SourceMap,
    diags: &[crate::diag::Diagnostic],
) {
    use crate::diag::render;
    match ctx.message_format {
        MessageFormat::Human => eprint!("{}", render::human(sources, diags, ctx.color)),
        MessageFormat::Json => print!("{}", render::json(sources, diags)),
        MessageFormat::Sarif => ctx
            .sarif
            .borrow_mut()
            .extend(render::sarif_results(sources, diags)),
    }
}

/// Prints a coded error that has no place in a source file (a file that
/// cannot be read or written, a runner failure), in the chosen format.
pub fn print_error(ctx: &Context, code: crate::diag::Code, message: &str, help: Option<&str>) {
    print_unplaced(ctx, Some(code), crate::diag::Severity::Error, message, help)
}

fn print_unplaced(
    ctx: &Context,
    code: Option<crate::diag::Code>,
    severity: crate::diag::Severity,
    message: &str,
    help: Option<&str>,
) {
    use crate::diag::render;
    match ctx.message_format {
        MessageFormat::Human => eprint!(
            "{}",
            render::human_unplaced(code, severity, message, help, ctx.color)
        ),
        MessageFormat::Json => print!("{}", render::json_unplaced(code, severity, message, help)),
        MessageFormat::Sarif => ctx
            .sarif
            .borrow_mut()
            .push(render::sarif_unplaced(code, severity, message, help)),
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
    /// Whether what goes to stderr (human diagnostics) is coloured; for
    /// anything written to stdout ask [`Context::color_for`].
    pub color: bool,
    /// The `--color` choice, decided per stream by [`Context::color_for`].
    choice: ColorChoice,
    /// SARIF results gathered until the command ends.
    sarif: std::cell::RefCell<Vec<serde_json::Value>>,
    /// Set by a command that printed its own document on stdout (a cost
    /// report, a graph, a diff): under `sarif`, a run with no results then
    /// prints no SARIF log after it.
    pub document_printed: std::cell::Cell<bool>,
}

/// A stream output goes to, for [`Context::color_for`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl ColorChoice {
    /// `always` and `never` win; `auto` colours a terminal unless `NO_COLOR`
    /// is set (to anything, https://no-color.org).
    pub fn decide(self, terminal: bool, no_color: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        }
    }

    fn decide_for(self, stream: Stream) -> bool {
        let terminal = match stream {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        };
        self.decide(terminal, std::env::var_os("NO_COLOR").is_some())
    }
}

impl Context {
    pub fn new(message_format: MessageFormat, color: bool) -> Context {
        let choice = if color {
            ColorChoice::Always
        } else {
            ColorChoice::Never
        };
        Context {
            message_format,
            color,
            choice,
            sarif: Default::default(),
            document_printed: Default::default(),
        }
    }

    /// A context whose colour is decided per stream from `choice`.
    pub fn with_choice(message_format: MessageFormat, choice: ColorChoice) -> Context {
        Context {
            message_format,
            color: choice.decide_for(Stream::Stderr),
            choice,
            sarif: Default::default(),
            document_printed: Default::default(),
        }
    }

    /// Whether text written to `stream` is coloured: the colour follows the
    /// stream (`wharf logs > file` writes no escape codes even when stderr is
    /// a terminal).
    pub fn color_for(&self, stream: Stream) -> bool {
        match stream {
            Stream::Stderr => self.color,
            Stream::Stdout => self.choice.decide_for(Stream::Stdout),
        }
    }

    /// Status lines for people ("wrote 3 files") go to stderr in the human
    /// format only; machine formats keep stdout and stderr for their own.
    pub fn human(&self) -> bool {
        self.message_format == MessageFormat::Human
    }
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
    // explain, completions and man print documents, not findings: under
    // `sarif` their errors and output take the JSON form.
    let format = match (&cli.command, cli.message_format) {
        (Command::Explain(_) | Command::Completions(_) | Command::Man(_), MessageFormat::Sarif) => {
            MessageFormat::Json
        }
        (_, f) => f,
    };
    let mut ctx = Context::with_choice(format, cli.color);
    let result = match cli.command {
        Command::Check(c) => c.run(&mut ctx),
        Command::Build(c) => c.run(&mut ctx),
        Command::Explain(c) => c.run(&mut ctx),
        Command::Fmt(c) => c.run(&mut ctx),
        Command::Import(c) => c.run(&mut ctx),
        Command::Graph(c) => c.run(&mut ctx),
        Command::Cost(c) => c.run(&mut ctx),
        Command::Diff(c) => c.run(&mut ctx),
        Command::Up(c) => c.run(&mut ctx),
        Command::Run(c) => c.run(&mut ctx),
        Command::Ps(c) => c.run(&mut ctx),
        Command::Logs(c) => c.run(&mut ctx),
        Command::Down(c) => c.run(&mut ctx),
        Command::Completions(c) => c.run(&mut ctx),
        Command::Man(c) => c.run(&mut ctx),
        Command::Lsp(c) => c.run(&mut ctx),
    };
    let code = match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Exit::InputErrors) => ExitCode::from(1),
        Err(Exit::Usage(msg)) => {
            print_unplaced(&ctx, None, crate::diag::Severity::Error, &msg, None);
            ExitCode::from(2)
        }
        Err(Exit::Code(c)) => ExitCode::from(c),
    };
    if format == MessageFormat::Sarif
        && !(ctx.document_printed.get() && ctx.sarif.borrow().is_empty())
    {
        let log = crate::diag::render::sarif_log(ctx.sarif.take());
        println!("{log:#}");
    }
    code
}

#[cfg(test)]
mod tests {
    use super::ColorChoice;

    #[test]
    fn colour_is_decided_per_stream() {
        // (terminal, NO_COLOR) for each choice.
        assert!(ColorChoice::Auto.decide(true, false));
        assert!(!ColorChoice::Auto.decide(false, false));
        assert!(!ColorChoice::Auto.decide(true, true));
        assert!(ColorChoice::Always.decide(false, true));
        assert!(!ColorChoice::Never.decide(true, false));
    }
}
