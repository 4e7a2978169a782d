//! `obox-cli config` (not implemented yet).
use crate::ExitStatus;
use crate::cli::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct ConfigArgs {}

pub fn run(_args: &ConfigArgs, _g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`config` is not implemented yet")
}
