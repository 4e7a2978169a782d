//! Why an expansion failed, with the message Dovecot prints.
use super::conditional::IfShapeError;
use super::hash::{HashArgError, MAX_PKCS5_ROUNDS, MAX_ROUNDS};
use super::modifier::MAX_PADDING;
use super::parser::MAX_NESTING;
use crate::source::Span;
use std::fmt;

/// A failed expansion. Dovecot keeps expanding after an error (unknown
/// variables become `UNSUPPORTED_VARIABLE_<name>`) but the result is
/// unusable; this error says why, with Dovecot's own text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpandError {
    /// The top-level directive the message came from (for a `(null)`
    /// failure, the first directive that failed). Relative to the template.
    pub span: Option<Span>,
    pub kind: ExpandErrorKind,
}

/// The failure, in Dovecot's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpandErrorKind {
    /// `Unknown variable '%NAME'` (NAME is one byte for short keys, the text
    /// before `:` for long keys).
    UnknownVariable(Vec<u8>),
    /// `Cannot parse hash arguments:...`.
    HashArguments(HashArgError),
    /// `if: missing parameter(s)` / `if: requires four or five parameters`.
    IfShape(IfShapeError),
    /// Any other `if: ...` message (not a number, bad comparator, regex).
    If(Vec<u8>),
    /// Dovecot failed without a message and prints `(null)`: `%{MD5:user}`,
    /// or an earlier message wiped by a nested expansion.
    NoMessage,
    /// obox-cli's own limit: nesting deeper than [`MAX_NESTING`].
    TooDeep,
    /// obox-cli's own limit: more hash rounds than it computes.
    TooManyRounds(u32),
    /// obox-cli's own limit: all hash rounds of one expansion together
    /// exceed [`super::expander::MAX_TOTAL_ROUNDS`].
    HashBudget,
    /// obox-cli's own limit: zero padding longer than [`MAX_PADDING`].
    PaddingTooLarge,
}

impl ExpandError {
    /// The exact message bytes (Dovecot's text for Dovecot's errors).
    pub fn message(&self) -> Vec<u8> {
        match &self.kind {
            ExpandErrorKind::UnknownVariable(name) => {
                let mut m = b"Unknown variable '%".to_vec();
                // Dovecot quotes the name whole; a name can be the rest of
                // a multi-megabyte template, so a long one is shortened.
                m.extend_from_slice(&crate::output::elide_bytes_middle(
                    name,
                    crate::output::MAX_QUOTED,
                ));
                m.push(b'\'');
                m
            }
            ExpandErrorKind::HashArguments(e) => e.message(),
            ExpandErrorKind::IfShape(e) => e.message(),
            ExpandErrorKind::If(m) => m.clone(),
            ExpandErrorKind::NoMessage => b"(null)".to_vec(),
            ExpandErrorKind::TooDeep => {
                format!("%{{...}} nested deeper than {MAX_NESTING} levels (obox-cli limit)")
                    .into_bytes()
            }
            ExpandErrorKind::TooManyRounds(n) => format!(
                "hash rounds={n} exceed obox-cli's limit ({MAX_ROUNDS}, pkcs5 {MAX_PKCS5_ROUNDS})"
            )
            .into_bytes(),
            ExpandErrorKind::HashBudget => format!(
                "hashing in this template exceeds obox-cli's limit of {} rounds in all",
                super::expander::MAX_TOTAL_ROUNDS
            )
            .into_bytes(),
            ExpandErrorKind::PaddingTooLarge => {
                format!("zero padding longer than {MAX_PADDING} bytes (obox-cli limit)")
                    .into_bytes()
            }
        }
    }

    /// True for failures Dovecot itself reports; false for obox-cli's own
    /// resource limits.
    pub fn is_dovecot_error(&self) -> bool {
        !matches!(
            self.kind,
            ExpandErrorKind::TooDeep
                | ExpandErrorKind::TooManyRounds(_)
                | ExpandErrorKind::HashBudget
                | ExpandErrorKind::PaddingTooLarge
        )
    }
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.message()))
    }
}

impl std::error::Error for ExpandError {}
