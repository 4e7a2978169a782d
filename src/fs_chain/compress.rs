//! The `compress` wrapper's algorithm names and level ranges, as the
//! Dovecot 2.3.19 build behind the oracle has them (zstd 1..22 there, even
//! though newer zstd libraries would allow negative "fast" levels).
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CompressAlgo {
    Gz,
    Deflate,
    Bz2,
    Lz4,
    Zstd,
}

impl CompressAlgo {
    pub fn name(self) -> &'static str {
        match self {
            CompressAlgo::Gz => "gz",
            CompressAlgo::Deflate => "deflate",
            CompressAlgo::Bz2 => "bz2",
            CompressAlgo::Lz4 => "lz4",
            CompressAlgo::Zstd => "zstd",
        }
    }

    /// Algorithms fs-compress can both read and write. `xz` is known to
    /// Dovecot but refused ("not supported") because writing was dropped.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "gz" => CompressAlgo::Gz,
            "deflate" => CompressAlgo::Deflate,
            "bz2" => CompressAlgo::Bz2,
            "lz4" => CompressAlgo::Lz4,
            "zstd" => CompressAlgo::Zstd,
            _ => return None,
        })
    }

    /// Accepted levels (2.3.15+ per-algorithm ranges).
    pub fn level_range(self) -> (i32, i32) {
        match self {
            CompressAlgo::Gz | CompressAlgo::Deflate => (0, 9),
            CompressAlgo::Bz2 | CompressAlgo::Lz4 => (1, 9),
            CompressAlgo::Zstd => (1, 22),
        }
    }
}

/// Parse a level the way Dovecot's signed-integer parser does: an optional
/// `-`, then digits only (no `+`, no spaces, no suffix, not empty).
pub fn parse_level(raw: &str) -> Option<i64> {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Out-of-range magnitudes are reported like any other bad level.
    raw.parse::<i64>().ok().or(Some(i64::MAX))
}
