//! `obox-cli rule` (not implemented yet).
use crate::ExitStatus;
use crate::cli::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct RuleArgs {}

pub fn run(_args: &RuleArgs, _g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`rule` is not implemented yet")
}
