//! `obox-cli lint` (not implemented yet).
use crate::ExitStatus;
use crate::cli::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct LintArgs {}

pub fn run(_args: &LintArgs, _g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`lint` is not implemented yet")
}
