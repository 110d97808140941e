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

pub use crate::diag::MessageFormat;

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

impl InputArgs {
    /// The driver's options: the inputs, the environment named with
    /// `--env`, and the process environment (inputs not given fall back to
    /// it).
    pub fn options(&self) -> Result<crate::driver::Options, Exit> {
        Ok(crate::driver::Options {
            inputs: self.parse()?,
            env: std::env::vars().collect(),
            environment: self.env.clone(),
        })
    }
}

/// What every subcommand may use: output settings.
pub struct Context {
    pub message_format: MessageFormat,
    /// Whether what goes to stderr (human diagnostics) is coloured; for
    /// anything written to stdout ask [`Context::color_for`].
    pub color: bool,
    /// The `--color` choice, decided per stream by [`Context::color_for`].
    choice: ColorChoice,
    /// Renders every error in the chosen format (and gathers SARIF results
    /// until the command ends).
    emitter: crate::diag::Emitter,
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
            emitter: crate::diag::Emitter::new(message_format, color),
            document_printed: Default::default(),
        }
    }

    /// A context whose colour is decided per stream from `choice`.
    pub fn with_choice(message_format: MessageFormat, choice: ColorChoice) -> Context {
        let color = choice.decide_for(Stream::Stderr);
        Context {
            message_format,
            color,
            choice,
            emitter: crate::diag::Emitter::new(message_format, color),
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

    /// Prints diagnostics, or errors with no place in a source, in the
    /// chosen format: the one place every subcommand's errors are written.
    pub fn report(&self, diagnostics: &crate::diag::Diagnostics) {
        use std::io::Write;
        let out = self.emitter.render(diagnostics);
        if !out.stdout.is_empty() {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(out.stdout.as_bytes());
            let _ = stdout.flush();
        }
        if !out.stderr.is_empty() {
            let _ = std::io::stderr().lock().write_all(out.stderr.as_bytes());
        }
    }

    /// Reports the checker's warnings of a program that builds (nothing
    /// when there are none); the command goes on.
    pub fn warn(&self, sources: crate::diag::SourceMap, warnings: Vec<crate::diag::Diagnostic>) {
        if !warnings.is_empty() {
            self.report(&crate::diag::Diagnostics::new(sources, warnings));
        }
    }

    /// Reports errors in the input and gives the exit that says so (1).
    pub fn fail(&self, diagnostics: &crate::diag::Diagnostics) -> Exit {
        self.report(diagnostics);
        Exit::InputErrors
    }

    /// Reports one coded error with no place in a source file (a runner
    /// failure, a port in use).
    pub fn report_error(&self, code: crate::diag::Code, message: &str, help: &str) {
        self.report(&crate::diag::Diagnostics::unplaced(
            Some(code),
            message,
            Some(help.to_string()),
        ))
    }

    /// Reports one coded warning with no place in a source file.
    pub fn report_warning(&self, code: crate::diag::Code, message: &str, help: &str) {
        let mut d = crate::diag::Diagnostics::unplaced(Some(code), message, Some(help.to_string()));
        for u in &mut d.unplaced {
            u.severity = crate::diag::Severity::Warning;
        }
        self.report(&d)
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

/// The `--message-format` the command line asks for, read without clap:
/// a usage error is reported in it too (clap's own form is for people).
fn requested_format(args: &[std::ffi::OsString]) -> MessageFormat {
    let mut format = MessageFormat::Human;
    let mut iter = args.iter().filter_map(|a| a.to_str());
    while let Some(arg) = iter.next() {
        let value = match arg.strip_prefix("--message-format") {
            Some("") => iter.next(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        match value {
            Some("json") => format = MessageFormat::Json,
            Some("sarif") => format = MessageFormat::Sarif,
            Some("human") => format = MessageFormat::Human,
            _ => {}
        }
    }
    format
}

pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            let format = requested_format(&args);
            let shown = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion)
                || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                    && format == MessageFormat::Human;
            if shown || format == MessageFormat::Human {
                e.exit();
            }
            // A usage error for a machine: one diagnostic without a code,
            // in the format asked for, and exit 2 as clap would.
            let ctx = Context::with_choice(format, ColorChoice::Never);
            // clap's text: the error and its details, then `Usage: ...` and
            // where to read more, which become the help.
            let text = e.render().to_string();
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let usage = lines
                .iter()
                .position(|l| l.starts_with("Usage:"))
                .unwrap_or(lines.len());
            let message = lines[..usage]
                .iter()
                .filter(|l| !l.starts_with("tip:"))
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
                .trim_start_matches("error: ")
                .to_string();
            let help: Vec<&str> = lines[..usage]
                .iter()
                .filter(|l| l.starts_with("tip:"))
                .chain(&lines[usage..])
                .copied()
                .collect();
            ctx.report(&crate::diag::Diagnostics::unplaced(
                None,
                message,
                (!help.is_empty()).then(|| help.join(" ")),
            ));
            if let Some(log) = ctx.emitter.finish(false) {
                print!("{log}");
            }
            return ExitCode::from(2);
        }
    };
    // explain, completions and man print documents, not findings: under
    // `sarif` their errors and output take the JSON form.
    let format = match (&cli.command, cli.message_format) {
        (Command::Explain(_) | Command::Completions(_) | Command::Man(_), MessageFormat::Sarif) => {
            MessageFormat::Json
        }
        (_, f) => f,
    };
    // A document or report piped into `head` ends quietly when its reader
    // goes, as `cat` does, instead of panicking on the broken pipe. The
    // commands that start or stop processes keep Rust's ignored SIGPIPE:
    // they write to sockets and pipes whose peers may go, and must finish.
    if !matches!(
        cli.command,
        Command::Up(_) | Command::Run(_) | Command::Down(_) | Command::Lsp(_)
    ) {
        // SAFETY: sets the disposition of one signal to its default before
        // any thread is started; no handler runs Rust code.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
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
            ctx.report(&crate::diag::Diagnostics::unplaced(None, msg, None));
            ExitCode::from(2)
        }
        Err(Exit::Code(c)) => ExitCode::from(c),
    };
    if let Some(log) = ctx.emitter.finish(ctx.document_printed.get()) {
        print!("{log}");
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
