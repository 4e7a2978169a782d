//! One module per subcommand. Commands are the edge: they do the I/O, use
//! `anyhow` for context, and turn typed core results into output.
pub mod chain;
pub mod config;
pub mod expand;
pub mod generate;
pub mod interrupt;
pub mod lint;
pub mod objects;
pub mod path;
pub mod progress;
pub mod rule;

use crate::ExitStatus;
use crate::cli::{Cli, Command};

pub fn dispatch(cli: Cli) -> anyhow::Result<ExitStatus> {
    let g = &cli.global;
    // Parsing big configs and streams of users gains from huge pages; the
    // object commands' many threads only pay for them (memory.rs).
    if matches!(
        cli.command,
        Command::Config(_) | Command::Lint(_) | Command::Path(_) | Command::Expand(_)
    ) {
        crate::memory::huge_pages(true);
    }
    match cli.command {
        Command::Config(a) => config::run(&a, g),
        Command::Expand(a) => expand::run(&a, g),
        Command::Path(a) => path::run(&a, g),
        Command::Chain(a) => chain::run(&a, g),
        Command::Lint(a) => lint::run(&a, g),
        Command::Rule(a) => rule::run(&a, g),
        Command::Ls(a) => objects::ls(&a, g),
        Command::Get(a) => objects::get(&a, g),
        Command::Put(a) => objects::put(&a, g),
        Command::Rm(a) => objects::rm(&a, g),
        Command::Stat(a) => objects::stat(&a, g),
        Command::Completions(a) => generate::completions(&a),
        Command::GenerateMan(a) => generate::man(&a),
    }
}
