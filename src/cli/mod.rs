//! One file per subcommand, each an `Args` struct and a `run` function.
//! Exit codes: 0 ok, 1 some records failed or a quality gate failed,
//! 2 usage error, unreadable input or nowhere to write the output.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod articles;
mod classify;
mod cv;
mod docs;
mod dyads;
mod eval;
mod extract;
mod lint;
mod pool;
mod predict;
mod progress;
mod report;
mod stdout;
mod suggest;
mod train;
mod util;
mod walk;

#[derive(Parser)]
#[command(
    name = "stancekit",
    version,
    about = "Who said what about whom in news articles, and with which stance",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a stance (or sentiment) model from labelled data.
    Train(train::Args),
    /// Evaluate a model on labelled data (report as Markdown, JSON or SVG).
    Eval(eval::Args),
    /// Cross-validate the training pipeline on labelled data.
    Cv(cv::Args),
    // Help text (short and long) comes from classify::Args.
    Classify(classify::Args),
    /// Extract quotes, speakers and the parties they are about from articles.
    Extract(extract::Args),
    /// Score articles: quotes, speakers, sentiment and stance toward each party.
    Predict(predict::Args),
    /// Aggregate predict output into who-stands-where dyads.
    Dyads(dyads::Args),
    /// Write one self-contained HTML page: eval tables, a dyads heat map, the quotes.
    Report(report::Args),
    // Help text (short and long) comes from lint::Args.
    Lint(lint::Args),
    // Help text (short and long) comes from suggest::Args.
    Suggest(suggest::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(docs::CompletionsArgs),
    /// Print a man page.
    Man(docs::ManArgs),
}

impl Command {
    /// Whether the command's output goes to stdout (`train` writes a file
    /// and talks on stderr; `report -o FILE` writes the file).
    fn writes_stdout(&self) -> bool {
        match self {
            Command::Train(_) => false,
            Command::Report(args) => args.writes_stdout(),
            _ => true,
        }
    }
}

/// `print!` to stdout that returns the write error instead of panicking, so
/// a reader that goes away (`| head`) ends the command quietly (see
/// [`main`]).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?
    }};
}

/// `println!` to stdout that returns the write error instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}
pub(crate) use {out, outln};

/// Whether an error is a closed pipe on our output: the reader has what it
/// wanted (`stancekit predict ... | head -1`), and like ripgrep we stop
/// quietly with success.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if stdout::closed_at_start() && cli.command.writes_stdout() {
        // Not a reader that went away (that is a quiet success): there was
        // never anywhere to write, and the work would be thrown away.
        eprintln!(
            "error: standard output is closed, so the output would be lost; \
             redirect it to a file or to /dev/null"
        );
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Train(args) => train::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Cv(args) => cv::run(args),
        Command::Classify(args) => classify::run(args),
        Command::Extract(args) => extract::run(args),
        Command::Predict(args) => predict::run(args),
        Command::Dyads(args) => dyads::run(args),
        Command::Report(args) => report::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Suggest(args) => suggest::run(args),
        Command::Completions(args) => docs::completions(args),
        Command::Man(args) => docs::man(args),
    };
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
