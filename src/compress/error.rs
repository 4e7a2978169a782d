//! Errors of the compress layer.
use std::fmt;

/// What went wrong with a compress spec or a compressed stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompressErrorKind {
    /// The algorithm name is not one Dovecot knows for fs-compress.
    UnknownAlgo(String),
    /// Known to Dovecot, but it cannot read its own output back (xz, deflate).
    Unsupported(String),
    /// The level is not a number or is outside the algorithm's range.
    BadLevel {
        algo: String,
        level: String,
        min: i32,
        max: i32,
    },
    /// The spec is not `[maybe-]ALGO:LEVEL`.
    BadSpec(String),
    /// Reading without `maybe-` found no compression header.
    NotCompressed,
    /// The compressed data is damaged or cut short.
    Corrupt(String),
}

/// An error of the compress layer (specs have no span: they come from a
/// flag or from an already-parsed chain, which carries its own spans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompressError {
    pub kind: CompressErrorKind,
}

impl CompressError {
    pub fn new(kind: CompressErrorKind) -> Self {
        CompressError { kind }
    }
}

impl fmt::Display for CompressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CompressErrorKind::*;
        match &self.kind {
            UnknownAlgo(a) => write!(f, "compression method '{a}' unknown (gz, bz2, lz4, zstd)"),
            Unsupported(a) => write!(
                f,
                "compression method '{a}' is not supported by fs-compress (its objects cannot be read back)"
            ),
            BadLevel {
                algo,
                level,
                min,
                max,
            } => {
                write!(
                    f,
                    "compression level '{level}' for {algo} must be {min}..{max}"
                )
            }
            BadSpec(s) => write!(f, "compress spec '{s}' is not [maybe-]ALGO:LEVEL"),
            NotCompressed => write!(
                f,
                "object is not compressed (no gz, bz2, lz4 or zstd header) and the compress layer has no maybe- prefix"
            ),
            Corrupt(why) => write!(f, "compressed data is corrupt: {why}"),
        }
    }
}

impl std::error::Error for CompressError {}

impl From<CompressError> for std::io::Error {
    fn from(e: CompressError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidData, e)
    }
}
