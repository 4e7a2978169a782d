//! `obox-cli ls/get/put/rm/stat` (not implemented yet).
use crate::ExitStatus;
use crate::cli::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct LsArgs {}
#[derive(Debug, clap::Args)]
pub struct GetArgs {}
#[derive(Debug, clap::Args)]
pub struct PutArgs {}
#[derive(Debug, clap::Args)]
pub struct RmArgs {}
#[derive(Debug, clap::Args)]
pub struct StatArgs {}

pub fn ls(_a: &LsArgs, _g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`ls` is not implemented yet")
}
pub fn get(_a: &GetArgs, _g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`get` is not implemented yet")
}
pub fn put(_a: &PutArgs, _g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`put` is not implemented yet")
}
pub fn rm(_a: &RmArgs, _g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`rm` is not implemented yet")
}
pub fn stat(_a: &StatArgs, _g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    anyhow::bail!("`stat` is not implemented yet")
}
