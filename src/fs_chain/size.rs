//! Dovecot size values (`512M`, `2 GiB`, `1024`): an unsigned integer,
//! optional spaces, then an optional unit B/K/M/G/T (any case) that may be
//! followed by `i` and/or `B`. Units are powers of 1024; no unit = bytes.
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SizeError {
    pub kind: SizeErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeErrorKind {
    Empty,
    NotANumber,
    UnknownUnit(String),
    TooLarge,
}

impl fmt::Display for SizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SizeErrorKind::Empty => f.write_str("Size is empty"),
            SizeErrorKind::NotANumber => f.write_str("Size must start with a decimal number"),
            SizeErrorKind::UnknownUnit(u) => write!(f, "Unknown size unit '{u}'"),
            SizeErrorKind::TooLarge => f.write_str("Size is too large"),
        }
    }
}

impl std::error::Error for SizeError {}

/// A parsed size: the byte count and whether a unit was written (a bare
/// number means bytes, which is rarely what an admin meant for a cache).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Size {
    pub bytes: u64,
    pub has_unit: bool,
}

pub fn parse_size(s: &str) -> Result<Size, SizeError> {
    let err = |kind| Err(SizeError { kind });
    if s.is_empty() {
        return err(SizeErrorKind::Empty);
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return err(SizeErrorKind::NotANumber);
    }
    let Ok(n) = s[..digits].parse::<u64>() else {
        return err(SizeErrorKind::TooLarge);
    };
    let rest = s[digits..].trim_start_matches(' ');
    if rest.is_empty() {
        return Ok(Size {
            bytes: n,
            has_unit: false,
        });
    }
    let lower = rest.to_ascii_lowercase();
    let (shift, tail) = match lower.as_bytes()[0] {
        b'b' => (0, &lower[1..]),
        b'k' => (10, &lower[1..]),
        b'm' => (20, &lower[1..]),
        b'g' => (30, &lower[1..]),
        b't' => (40, &lower[1..]),
        _ => return err(SizeErrorKind::UnknownUnit(rest.to_string())),
    };
    // After K/M/G/T an optional "i" and/or "b"; after B nothing.
    let ok_tail = if shift == 0 {
        tail.is_empty()
    } else {
        matches!(tail, "" | "i" | "b" | "ib")
    };
    if !ok_tail {
        return err(SizeErrorKind::UnknownUnit(rest.to_string()));
    }
    match n.checked_mul(1u64 << shift) {
        Some(bytes) => Ok(Size {
            bytes,
            has_unit: true,
        }),
        None => err(SizeErrorKind::TooLarge),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512M").unwrap().bytes, 512 << 20);
        assert_eq!(parse_size("2 GiB").unwrap().bytes, 2 << 30);
        assert_eq!(parse_size("1kb").unwrap().bytes, 1024);
        let b = parse_size("1024").unwrap();
        assert_eq!((b.bytes, b.has_unit), (1024, false));
        assert!(parse_size("1.5G").is_err());
        assert!(parse_size("-1M").is_err());
        assert!(parse_size("10X").is_err());
        assert!(parse_size("1Bi").is_err());
        assert_eq!(
            parse_size("99999999999T").unwrap_err().kind,
            SizeErrorKind::TooLarge
        );
    }
}
