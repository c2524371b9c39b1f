//! The `stancekit` command: parses arguments and hands over to one module per
//! subcommand under `src/cli/`.

mod cli;

// See Cargo.toml for why; the library leaves the allocator to its users.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
