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

/// Replace the default panic message (which prints the payload: text
/// that may quote a config value or a credential) by one naming the place
/// and asking for a report. The payload is shown only with `-P`, after
/// the secrets the text rules know are hidden.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_else(|| "an unknown place".into());
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned());
        let detail = match payload {
            Some(p) if secrets::show_secrets() => {
                format!(
                    "\n  message: {}",
                    output::elide_middle(&p, output::MAX_MESSAGE)
                )
            }
            Some(_) => "\n  (the panic message is left out: it may quote a secret; \
                        run again with -P to see it)"
                .to_string(),
            None => String::new(),
        };
        eprintln!(
            "obox-cli: internal error (a bug) at {at}{detail}\n  \
             please report it with the command line, leaving out credentials"
        );
    }));
}

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
    secrets::set_show_secrets(cli.global.show_secrets);
    match commands::dispatch(cli) {
        Ok(status) => status,
        Err(err) => output::report_error(&err),
    }
}
