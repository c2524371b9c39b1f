//! `stancekit extract` (placeholder until the extraction stage lands).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("extract is not implemented yet")
}
