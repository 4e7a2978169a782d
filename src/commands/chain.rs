//! `obox-cli chain` (not implemented yet).
use crate::ExitStatus;
use crate::cli::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct ChainArgs {}

pub fn run(_args: &ChainArgs, _g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`chain` is not implemented yet")
}
