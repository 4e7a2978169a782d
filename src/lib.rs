//! obox-cli: read, lint, expand and use Dovecot Pro obox (S3) storage
//! configurations exactly as Dovecot 2.3 does.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! argv ─▶ cli ─▶ commands ─▶ conf (dovecot.conf) ─▶ var_expand (%-variables)
//!      ─▶ fs_chain (obox_fs & co) ─▶ lint | path | s3 (+ compress) ─▶ diagnostic render
//! ```
//!
//! Only `commands` and the entry point use `anyhow`; every stage below
//! returns typed errors that carry byte spans.

pub mod cli;
pub mod commands;
pub mod compress;
pub mod conf;
pub mod diagnostic;
pub mod exit_status;
pub mod fs_chain;
pub mod lint;
pub mod mail_location;
pub mod memory;
pub mod output;
pub mod s3;
pub mod secrets;
pub mod source;
pub mod user_view;
pub mod var_expand;

pub use exit_status::ExitStatus;

/// The Dovecot release whose behaviour obox-cli reproduces.
pub const DOVECOT_VERSION: &str = "2.3.19.1";

/// Parse `args`, run the subcommand, report errors, and return the status.
pub fn run<I, T>(args: I) -> ExitStatus
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    use clap::Parser;
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to
            // stderr (exit 2); a closed pipe while printing help is not an error.
            let _ = e.print();
            return if e.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
        }
    };
    output::init_color(cli.global.color);
    match commands::dispatch(cli) {
        Ok(status) => status,
        Err(err) => output::report_error(&err),
    }
}
