//! The command line, as clap derive types only. Each subcommand's own flags
//! live next to its implementation in `commands/<name>.rs`.
use crate::commands;
use crate::output::ColorChoice;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (targets Dovecot 2.3.19.1 configuration semantics)"
);

/// Read, lint, expand and use Dovecot Pro obox (S3) storage configurations,
/// exactly as Dovecot 2.3 reads them.
#[derive(Debug, Parser)]
#[command(name = "obox-cli", version = LONG_VERSION, propagate_version = true)]
#[command(
    after_help = "Examples:\n  obox-cli config -c examples/dovecot.conf plugin/obox_fs\n  obox-cli path -c examples/dovecot.conf alice@example.com\n  obox-cli lint examples/dovecot.conf --format sarif\n  obox-cli ls -c examples/dovecot.conf --user alice@example.com -r"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// dovecot.conf to read [default: /etc/dovecot/dovecot.conf]
    #[arg(
        short = 'c',
        long = "config",
        global = true,
        env = "OBOX_CONFIG",
        value_name = "FILE"
    )]
    pub config: Option<PathBuf>,
    /// When to colour output; NO_COLOR is honoured with `auto`.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// Print passwords, secret keys and tokens instead of hiding them.
    #[arg(short = 'P', long = "show-secrets", global = true)]
    pub show_secrets: bool,
}

impl GlobalArgs {
    /// The config file to read: -c, then OBOX_CONFIG (via clap), then the
    /// system default.
    pub fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| PathBuf::from("/etc/dovecot/dovecot.conf"))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the configuration like doveconf (-n style, or chosen keys).
    Config(commands::config::ConfigArgs),
    /// Expand %-variable templates for a user, as Dovecot 2.3 does.
    Expand(commands::expand::ExpandArgs),
    /// Show where Dovecot keeps each user's objects and caches.
    Path(commands::path::PathArgs),
    /// Parse an fs chain (obox_fs, obox_index_fs, fts_dovecot_fs) and print its tree.
    Chain(commands::chain::ChainArgs),
    /// Check dovecot.conf for obox misconfigurations.
    Lint(commands::lint::LintArgs),
    /// Explain a lint rule (or list them all).
    Rule(commands::rule::RuleArgs),
    /// List objects in the bucket.
    Ls(commands::objects::LsArgs),
    /// Download objects.
    Get(commands::objects::GetArgs),
    /// Upload objects.
    Put(commands::objects::PutArgs),
    /// Delete objects.
    Rm(commands::objects::RmArgs),
    /// Show an object's size, ETag, date and Dovecot metadata.
    Stat(commands::objects::StatArgs),
    /// Print shell completions.
    Completions(commands::generate::CompletionsArgs),
    /// Write man pages (hidden; used to regenerate man/).
    #[command(hide = true)]
    GenerateMan(commands::generate::ManArgs),
}
