//! Dovecot time intervals with millisecond precision (`500ms`, `10s`,
//! `2min`, `1 hour`). Since 2.3.0 a unit is required unless the value is 0.
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeError {
    Empty,
    NotANumber,
    MissingUnit,
    UnknownUnit(String),
    TooLarge,
}

impl fmt::Display for TimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeError::Empty => f.write_str("Time interval is empty"),
            TimeError::NotANumber => f.write_str("Time interval must start with a number"),
            TimeError::MissingUnit => f.write_str("Time interval is missing units"),
            TimeError::UnknownUnit(u) => write!(f, "Unknown time unit '{u}'"),
            TimeError::TooLarge => f.write_str("Time interval is too large"),
        }
    }
}

impl std::error::Error for TimeError {}

/// Parse a time interval into milliseconds.
pub fn parse_time_msecs(s: &str) -> Result<u64, TimeError> {
    if s.is_empty() {
        return Err(TimeError::Empty);
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(TimeError::NotANumber);
    }
    let n: u64 = s[..digits].parse().map_err(|_| TimeError::TooLarge)?;
    let unit = s[digits..].trim_start_matches(' ');
    let mult: u64 = match unit {
        "" if n == 0 => 1,
        "" => return Err(TimeError::MissingUnit),
        u => crate::conf::values::time_unit_ms(u)
            .ok_or_else(|| TimeError::UnknownUnit(s[digits..].trim_start().to_string()))?,
    };
    n.checked_mul(mult).ok_or(TimeError::TooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time_msecs("500ms"), Ok(500));
        assert_eq!(parse_time_msecs("10s"), Ok(10_000));
        assert_eq!(parse_time_msecs("2min"), Ok(120_000));
        assert_eq!(parse_time_msecs("1 hour"), Ok(3_600_000));
        assert_eq!(parse_time_msecs("0"), Ok(0));
        assert_eq!(parse_time_msecs("30"), Err(TimeError::MissingUnit));
        assert!(matches!(
            parse_time_msecs("3 fortnights"),
            Err(TimeError::UnknownUnit(_))
        ));
        assert_eq!(parse_time_msecs("s"), Err(TimeError::NotANumber));
    }
}
