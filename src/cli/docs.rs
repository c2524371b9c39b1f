//! `stancekit completions SHELL` and `stancekit man [COMMAND]`: shell
//! completion scripts and man pages, made from the same clap definitions as
//! `--help`, written to stdout.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Result};
use clap::CommandFactory;

use super::{out, Cli};

/// Print a shell completion script.
///
/// Examples:
///   stancekit completions bash > ~/.local/share/bash-completion/completions/stancekit
///   stancekit completions zsh > ~/.zfunc/_stancekit
///   stancekit completions fish > ~/.config/fish/completions/stancekit.fish
#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Print a man page (roff): the command's, or one subcommand's.
///
/// Examples:
///   stancekit man > ~/.local/share/man/man1/stancekit.1
///   stancekit man predict > ~/.local/share/man/man1/stancekit-predict.1
#[derive(clap::Args)]
pub struct ManArgs {
    /// A subcommand whose page to print (e.g. predict) [default: the page
    /// for stancekit itself, which lists the subcommands].
    #[arg(value_name = "COMMAND")]
    command: Option<String>,
    /// Write a page for stancekit and for every subcommand into this
    /// directory (stancekit.1, stancekit-predict.1, ...) instead.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    dir: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    // The generators panic on a write error; written to memory first, the
    // script reaches stdout through `out!`, so `| head` ends quietly.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "stancekit", &mut script);
    out!("{}", String::from_utf8_lossy(&script));
    Ok(ExitCode::SUCCESS)
}

pub fn man(args: ManArgs) -> Result<ExitCode> {
    let mut cmd = Cli::command();
    // Building fills in what a page shows of a subcommand: its full name
    // (stancekit-predict) and usage (stancekit predict ...).
    cmd.build();
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir).map_err(|e| anyhow!("{}: {e}", dir.display()))?;
        let mut pages = vec![cmd.clone()];
        pages.extend(
            cmd.get_subcommands()
                .filter(|s| s.get_name() != "help")
                .cloned(),
        );
        for page in pages {
            let name = page
                .get_display_name()
                .unwrap_or(page.get_name())
                .to_string();
            let path = dir.join(format!("{name}.1"));
            stancekit::model::write_atomic(&path, &render(page)?)?;
            // A note, not output: a closed stderr must not stop the pages.
            let _ = writeln!(std::io::stderr(), "wrote {}", path.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let page = match &args.command {
        None => cmd,
        Some(name) => cmd
            .find_subcommand(name)
            .filter(|s| s.get_name() != "help")
            .cloned()
            .ok_or_else(|| {
                let names: Vec<&str> = cmd
                    .get_subcommands()
                    .map(|s| s.get_name())
                    .filter(|n| *n != "help")
                    .collect();
                anyhow!("no subcommand {name:?}; there are {}", names.join(", "))
            })?,
    };
    out!("{}", String::from_utf8_lossy(&render(page)?));
    Ok(ExitCode::SUCCESS)
}

fn render(page: clap::Command) -> Result<Vec<u8>> {
    let mut roff = Vec::new();
    clap_mangen::Man::new(page).render(&mut roff)?;
    Ok(roff)
}
