//! One file per subcommand, each an `Args` struct and a `run` function.
//! Exit codes: 0 ok, 1 some records failed or a quality gate failed,
//! 2 usage error or unreadable input.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod extract;

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
    /// Extract quotes, speakers and the parties they are about from articles.
    Extract(extract::Args),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => extract::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
