//! `obox-cli expand` (not implemented yet).
use crate::ExitStatus;
use crate::cli::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct ExpandArgs {}

pub fn run(_args: &ExpandArgs, _g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`expand` is not implemented yet")
}
