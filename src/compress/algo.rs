//! Algorithm names, level ranges, and the `[maybe-]ALGO:LEVEL` spec of a
//! `compress:` layer.
use super::error::{CompressError, CompressErrorKind};
use std::fmt;

/// The algorithms fs-compress can both write and read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algo {
    Gz,
    Bz2,
    Lz4,
    Zstd,
}

impl Algo {
    pub fn name(self) -> &'static str {
        match self {
            Algo::Gz => "gz",
            Algo::Bz2 => "bz2",
            Algo::Lz4 => "lz4",
            Algo::Zstd => "zstd",
        }
    }

    /// Parse a Dovecot handler name.
    pub fn parse(name: &str) -> Result<Algo, CompressError> {
        match name {
            "gz" => Ok(Algo::Gz),
            "bz2" => Ok(Algo::Bz2),
            "lz4" => Ok(Algo::Lz4),
            "zstd" => Ok(Algo::Zstd),
            // Dovecot knows these names, but its reader cannot detect them
            // (deflate has no header) or has no writer (xz since 2.3.14).
            "deflate" | "xz" => Err(CompressError::new(CompressErrorKind::Unsupported(
                name.into(),
            ))),
            _ => Err(CompressError::new(CompressErrorKind::UnknownAlgo(
                name.into(),
            ))),
        }
    }

    /// Accepted levels (Dovecot 2.3.15+). gz accepts 0, which stores
    /// plaintext; zstd accepts its negative "fast" levels.
    pub fn level_range(self) -> (i32, i32) {
        match self {
            Algo::Gz => (0, 9),
            Algo::Bz2 => (1, 9),
            Algo::Lz4 => (1, 9),
            Algo::Zstd => (
                *zstd::compression_level_range().start(),
                *zstd::compression_level_range().end(),
            ),
        }
    }

    pub fn default_level(self) -> i32 {
        match self {
            Algo::Gz => 6,
            Algo::Bz2 => 9,
            Algo::Lz4 => 1,
            Algo::Zstd => 3,
        }
    }
}

impl fmt::Display for Algo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One `compress:` layer: the algorithm and level used for writing, and
/// whether plaintext is accepted when reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompressSpec {
    pub algo: Algo,
    pub level: i32,
    pub maybe: bool,
}

impl CompressSpec {
    /// Build a spec, checking the level against the algorithm's range.
    pub fn new(algo: Algo, level: i32, maybe: bool) -> Result<Self, CompressError> {
        let (min, max) = algo.level_range();
        if level < min || level > max {
            return Err(CompressError::new(CompressErrorKind::BadLevel {
                algo: algo.name().into(),
                level: level.to_string(),
                min,
                max,
            }));
        }
        Ok(CompressSpec { algo, level, maybe })
    }

    /// Parse `[maybe-]ALGO:LEVEL` (the two fields of a `compress:` layer;
    /// a trailing `:` is tolerated). `ALGO` alone takes the default level.
    pub fn parse(s: &str) -> Result<Self, CompressError> {
        let t = s.strip_suffix(':').unwrap_or(s);
        let (maybe, rest) = match t.strip_prefix("maybe-") {
            Some(r) => (true, r),
            None => (false, t),
        };
        let (name, level) = match rest.split_once(':') {
            Some((n, l)) => (n, Some(l)),
            None => (rest, None),
        };
        if name.is_empty() {
            return Err(CompressError::new(CompressErrorKind::BadSpec(s.into())));
        }
        let algo = Algo::parse(name)?;
        let level = match level {
            None => algo.default_level(),
            Some(l) => l.trim().parse::<i32>().map_err(|_| {
                let (min, max) = algo.level_range();
                CompressError::new(CompressErrorKind::BadLevel {
                    algo: algo.name().into(),
                    level: l.into(),
                    min,
                    max,
                })
            })?,
        };
        CompressSpec::new(algo, level, maybe)
    }

    /// Level 0 means writes go through uncompressed (Dovecot does the same).
    pub fn writes_plaintext(&self) -> bool {
        self.level == 0
    }
}

impl fmt::Display for CompressSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.maybe {
            f.write_str("maybe-")?;
        }
        write!(f, "{}:{}", self.algo, self.level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        let s = CompressSpec::parse("maybe-zstd:3").unwrap();
        assert_eq!((s.algo, s.level, s.maybe), (Algo::Zstd, 3, true));
        let s = CompressSpec::parse("gz:0:").unwrap();
        assert!(s.writes_plaintext() && !s.maybe);
        assert_eq!(CompressSpec::parse("bz2").unwrap().level, 9);
        assert!(CompressSpec::parse("bz2:0").is_err());
        assert!(CompressSpec::parse("lz4:10").is_err());
        assert!(CompressSpec::parse("zstd:x").is_err());
        assert!(matches!(
            CompressSpec::parse("xz:6").unwrap_err().kind,
            CompressErrorKind::Unsupported(_)
        ));
        assert!(matches!(
            CompressSpec::parse("lzma:6").unwrap_err().kind,
            CompressErrorKind::UnknownAlgo(_)
        ));
        assert_eq!(
            CompressSpec::parse("maybe-gz:6").unwrap().to_string(),
            "maybe-gz:6"
        );
    }
}
