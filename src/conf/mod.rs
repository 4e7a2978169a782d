//! dovecot.conf, read exactly as Dovecot 2.3.19's config parser reads it.
//!
//! The model ([`Config`], [`Section`], [`Setting`], [`Value`]) is the
//! contract the rest of the tool builds on: every setting remembers where
//! its key and every byte of its value came from (file + byte span), so a
//! lint can point at one `%` inside a URL that was written across two
//! continuation lines.
// A rejected config ends the run, and its error carries the files read so
// far for the code frame: its size does not matter.
#![allow(clippy::result_large_err)]

mod check;
pub mod dump;
mod grammar;
mod include;
mod model;
mod parser;
mod reader;
mod setting_list;
pub mod settings_table;
pub mod values;

pub use model::{
    ConfError, ConfWarning, Config, FileId, Files, Origin, Section, Segment, Setting, SourceFile,
    Value,
};
pub(crate) use parser::{read_file, strerror, value_file_path};

/// How `$var`, `$ENV:` and `<file` values are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExpandMode {
    /// Like `doveconf -n`/`-h`: only `key = $key …` self-references are
    /// expanded; `<file` stays `<path`.
    #[default]
    Literal,
    /// Like `doveconf -x` and the runtime config service.
    Expand,
}

/// Bounds that keep hostile configurations from using unbounded memory or
/// time. Dovecot has none; obox-cli refuses with a clear error instead.
#[derive(Debug, Clone, Copy)]
pub struct LoadLimits {
    /// Bytes read over all files (root and includes).
    pub max_total_bytes: u64,
    /// Files read (include fan-out).
    pub max_files: usize,
    /// Nested `!include` levels.
    pub max_include_depth: usize,
    /// Nested sections.
    pub max_depth: usize,
    /// Bytes copied by `$name` references over the whole configuration.
    pub max_expanded_bytes: u64,
}

impl Default for LoadLimits {
    fn default() -> Self {
        LoadLimits {
            // Real configurations are kilobytes; 128 MiB leaves room for
            // generated ones and keeps `!include /dev/zero` cheap to refuse.
            max_total_bytes: 128 << 20,
            max_files: 10_000,
            max_include_depth: 64,
            max_depth: 64,
            // Real configurations copy kilobytes through `$mail_plugins`
            // and the like; doubling a value line by line reaches this in
            // a few lines, and refusing it costs milliseconds.
            max_expanded_bytes: 32 << 20,
        }
    }
}

/// Read and parse `path` with all its includes, as Dovecot 2.3 does.
///
/// A line error (the first one stops the parse, as in Dovecot) is `Err`.
/// A delayed error (a missing `}`, a failed settings check) leaves the
/// parsed config usable and is stored in [`Config::delayed_error`].
pub fn load(path: &std::path::Path, mode: ExpandMode) -> Result<Config, ConfError> {
    load_with(path, mode, LoadLimits::default())
}

/// Parse in-memory configuration text as if it had been read from
/// `path_name` (which appears in messages only). `!include` and `<file`
/// values are refused: nothing is read from the filesystem. This is the
/// entry point of the fuzz target and of tests that need no file.
pub fn load_from_bytes(
    path_name: &str,
    bytes: &[u8],
    mode: ExpandMode,
) -> Result<Config, ConfError> {
    parser::Parser::new(mode, LoadLimits::default())
        .parse_bytes(path_name.to_string(), bytes.to_vec())
}

pub fn load_with(
    path: &std::path::Path,
    mode: ExpandMode,
    limits: LoadLimits,
) -> Result<Config, ConfError> {
    parser::Parser::new(mode, limits).parse_root(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_from_bytes_parses_and_refuses_the_filesystem() {
        let cfg = load_from_bytes(
            "mem.conf",
            b"mail_location = obox:%u:INDEX=~/\nplugin {\n  obox_fs = posix:\n}\n",
            ExpandMode::Literal,
        )
        .unwrap();
        assert_eq!(cfg.root.sections.len(), 1);
        let e = load_from_bytes("mem.conf", b"!include /etc/passwd\n", ExpandMode::Literal)
            .unwrap_err();
        assert!(e.fatal.contains("!include is not available"), "{}", e.fatal);
        let e = load_from_bytes(
            "mem.conf",
            b"plugin {\n  x = </etc/passwd\n}\n",
            ExpandMode::Expand,
        )
        .unwrap_err();
        assert!(
            e.fatal.contains("<file values are not available"),
            "{}",
            e.fatal
        );
    }

    #[test]
    fn doubling_references_are_bounded() {
        // Each line doubles the value: 2^40 bytes by the end, unbounded.
        let mut text = b"mail_plugins = xxxxxxxx\n".to_vec();
        for _ in 0..40 {
            text.extend_from_slice(b"mail_plugins = $mail_plugins $mail_plugins\n");
        }
        for mode in [ExpandMode::Literal, ExpandMode::Expand] {
            let e = load_from_bytes("mem.conf", &text, mode).unwrap_err();
            assert!(e.fatal.contains("past 32 MiB"), "{}", e.fatal);
        }
        // A few references stay far below it.
        let ok = b"mail_plugins = a\nmail_plugins = $mail_plugins b\nprotocol imap {\n  mail_plugins = $mail_plugins c\n}\n";
        assert!(load_from_bytes("mem.conf", ok, ExpandMode::Expand).is_ok());
    }

    #[test]
    fn continuation_lines_are_capped() {
        let mut text = b"plugin {\n  x = ".to_vec();
        for _ in 0..reader::MAX_CONTINUATIONS + 1 {
            text.extend_from_slice(b"a \\\n");
        }
        text.extend_from_slice(b"end\n}\n");
        let e = load_from_bytes("mem.conf", &text, ExpandMode::Literal).unwrap_err();
        assert!(e.fatal.contains("physical lines"), "{}", e.fatal);
        // At the cap itself the line is still accepted.
        let mut text = b"plugin {\n  x = ".to_vec();
        for _ in 0..reader::MAX_CONTINUATIONS - 1 {
            text.extend_from_slice(b"a \\\n");
        }
        text.extend_from_slice(b"end\n}\n");
        assert!(load_from_bytes("mem.conf", &text, ExpandMode::Literal).is_ok());
    }
}
