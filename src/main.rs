//! The `stancekit` command: parses arguments and hands over to one module per
//! subcommand under `src/cli/`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
