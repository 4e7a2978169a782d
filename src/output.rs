//! Terminal concerns decided once at the top: colour, broken pipes, and the
//! one-line error report.
use crate::ExitStatus;
use std::io::{self, IsTerminal};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Apply the colour choice to `colored` once, so renderers just format.
pub fn init_color(choice: ColorChoice) {
    let on = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    };
    colored::control::set_override(on);
}

/// Whether stderr is a terminal (progress output goes there only then).
pub fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}

/// True when the error chain contains a broken pipe: the reader went away
/// (`obox-cli … | head`), which is a clean exit, not an error.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Print `obox-cli: error: …` plus one `caused by:` line per cause, with
/// secrets hidden unless `-P` (the last line of defence: a message that
/// quotes a config line or URL must not print its credentials).
pub fn report_error(err: &anyhow::Error) -> ExitStatus {
    if is_broken_pipe(err) {
        return ExitStatus::Success;
    }
    use std::io::Write;
    let show = crate::secrets::show_secrets();
    let shown = |s: String| {
        // Hide first: eliding could cut a secret from the word naming it.
        let s = crate::secrets::redact_text_unless(&s, show);
        elide_middle(&s, MAX_MESSAGE).into_owned()
    };
    let mut e = io::stderr().lock();
    let _ = writeln!(e, "obox-cli: error: {}", shown(err.to_string()));
    for cause in err.chain().skip(1) {
        let _ = writeln!(e, "  caused by: {}", shown(cause.to_string()));
    }
    ExitStatus::Error
}

/// Longest error message printed whole. Messages quote input (a key, a
/// template); a multi-megabyte one would bury the error itself.
pub const MAX_MESSAGE: usize = 4096;

/// `s` if it is at most `max` bytes, else its start and end with the
/// number of bytes left out between them.
pub fn elide_middle(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if s.len() <= max {
        return s.into();
    }
    let half = max / 2;
    let mut a = half;
    while !s.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = s.len() - half;
    while !s.is_char_boundary(b) {
        b += 1;
    }
    format!("{}[… {} bytes …]{}", &s[..a], b - a, &s[b..]).into()
}

/// Longest piece of input (a template, a setting's value) an error
/// message quotes whole.
pub const MAX_QUOTED: usize = 512;

/// [`elide_middle`] for bytes that need not be UTF-8.
pub fn elide_bytes_middle(b: &[u8], max: usize) -> std::borrow::Cow<'_, [u8]> {
    if b.len() <= max {
        return b.into();
    }
    let half = max / 2;
    let mut v = b[..half].to_vec();
    v.extend_from_slice(format!("[… {} bytes …]", b.len() - 2 * half).as_bytes());
    v.extend_from_slice(&b[b.len() - half..]);
    v.into()
}

/// A setting's value as an error message quotes it: secrets hidden
/// unless `-P` (before shortening, so no cut can strand half a secret
/// away from the `://` or `password=` that marks it), then at most
/// [`MAX_QUOTED`] bytes.
pub fn quote_value(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let shown = crate::secrets::redact_text_unless(&text, crate::secrets::show_secrets());
    elide_middle(&shown, MAX_QUOTED).into_owned()
}
