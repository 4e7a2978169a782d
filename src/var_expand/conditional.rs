//! `%{if;LHS;OP;RHS;THEN[;ELSE]}` (spec §2.5).
//!
//! The parts are split once at parse time with Dovecot's rules (a
//! backslash makes the next byte literal, `;` inside a nested `%{...}`
//! does not split, a top-level `:` ends the list) and each part is parsed
//! as a template of its own; they are expanded, then compared, at
//! expansion time.
use super::parser::{Parser, parse_template};
use super::posix_regex;
use super::template::Template;
use super::wildcard::wildcard_match;
use crate::source::Span;

/// A parsed conditional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfCall {
    /// The five parts (a missing ELSE is empty), or the reason there are
    /// not four or five.
    pub parts: Result<Vec<IfPart>, IfShapeError>,
}

/// One of the parts, with the span of its raw text in the outer template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IfPart {
    pub span: Span,
    pub template: Template,
}

/// Wrong number of parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfShapeError {
    /// No `;` at all.
    Missing,
    /// Not four or five parts.
    Count(usize),
}

impl IfShapeError {
    pub fn message(self) -> Vec<u8> {
        match self {
            IfShapeError::Missing => b"if: missing parameter(s)".to_vec(),
            IfShapeError::Count(n) => {
                format!("if: requires four or five parameters, got {n}").into_bytes()
            }
        }
    }
}

impl IfCall {
    /// `key` spans the whole text between the braces.
    pub(crate) fn parse(p: &Parser<'_>, key: Span, depth: u32) -> IfCall {
        match split(p, key, true) {
            Ok(raw) => IfCall {
                parts: Ok(raw
                    .into_iter()
                    .map(|(bytes, span)| IfPart {
                        span,
                        template: parse_template(&bytes, depth),
                    })
                    .collect()),
            },
            Err(e) => IfCall { parts: Err(e) },
        }
    }

    /// Only the shape check of [`IfCall::parse`], copying nothing: a
    /// conditional nested too deeply still reports a wrong part count
    /// first, as Dovecot checks the outer call before the inner ones.
    pub(crate) fn shape(p: &Parser<'_>, key: Span) -> Result<(), IfShapeError> {
        split(p, key, false).map(|_| ())
    }
}

/// Split the text of `%{if;…}` into its four or five parts (with their
/// bytes unescaped when `collect`, else empty).
fn split(p: &Parser<'_>, key: Span, collect: bool) -> Result<Vec<(Vec<u8>, Span)>, IfShapeError> {
    {
        let text = &p.src[key.start..key.end];
        // Dovecot glues "NAME:DATA" back together, so a key without `:`
        // gets one appended; it only ever ends the list.
        let Some(semi) = text.iter().position(|&c| c == b';') else {
            return Err(IfShapeError::Missing);
        };
        let mut raw: Vec<(Vec<u8>, Span)> = Vec::new();
        let mut buf = Vec::new();
        let mut buf_len = 0usize;
        let mut buf_start = key.start + semi + 1;
        let (mut escape, mut maybe_var, mut depth_braces) = (false, false, 0u32);
        for (off, &c) in text.iter().enumerate().skip(semi + 1) {
            let pos = key.start + off;
            if c == b'\\' {
                // A backslash (even a second one) only arms the escape.
                escape = true;
                continue;
            }
            if escape {
                if collect {
                    buf.push(c);
                }
                buf_len += 1;
                escape = false;
                continue;
            }
            if c == b'%' {
                maybe_var = true;
            } else if maybe_var && c == b'{' {
                // Not reset by other bytes: `%a{` also counts as nesting.
                depth_braces += 1;
                maybe_var = false;
            } else if depth_braces > 0 && c == b'}' {
                depth_braces -= 1;
            } else if depth_braces == 0 && c == b';' {
                raw.push((std::mem::take(&mut buf), Span::new(buf_start, pos)));
                buf_len = 0;
                buf_start = pos + 1;
                continue;
            } else if depth_braces == 0 && c == b':' {
                break;
            }
            if collect {
                buf.push(c);
            }
            buf_len += 1;
        }
        if buf_len > 0 {
            let end = match text[buf_start - key.start..]
                .iter()
                .position(|&c| c == b':')
            {
                Some(c) if depth_braces == 0 => buf_start + c,
                _ => key.end,
            };
            raw.push((buf, Span::new(buf_start, end.max(buf_start))));
        }
        match raw.len() {
            4 => raw.push((Vec::new(), Span::new(key.end, key.end))),
            5 => {}
            n => return Err(IfShapeError::Count(n)),
        }
        Ok(raw)
    }
}

/// Compare the expanded LHS and RHS with OP. `Err` carries Dovecot's
/// message.
pub(crate) fn compare(lhs: &[u8], op: &[u8], rhs: &[u8]) -> Result<bool, Vec<u8>> {
    let num = |v: &[u8], side: &str| -> Result<i64, Vec<u8>> {
        parse_i64(v).ok_or_else(|| {
            let mut m = b"if: ".to_vec();
            m.extend_from_slice(v);
            m.extend_from_slice(format!(" ({side}) is not a number").as_bytes());
            m
        })
    };
    let numeric = |f: fn(i64, i64) -> bool| -> Result<bool, Vec<u8>> {
        let a = num(lhs, "lhs")?;
        let b = num(rhs, "rhs")?;
        Ok(f(a, b))
    };
    // Dovecot compares C strings; a NUL could only come from a library
    // caller's value and ends the string there too.
    let c = |v: &[u8]| -> Vec<u8> { v.iter().copied().take_while(|&b| b != 0).collect() };
    let (l, r) = (c(lhs), c(rhs));
    Ok(match op {
        b"==" => numeric(|a, b| a == b)?,
        b"<" => numeric(|a, b| a < b)?,
        b"<=" => numeric(|a, b| a <= b)?,
        b">" => numeric(|a, b| a > b)?,
        b">=" => numeric(|a, b| a >= b)?,
        b"!=" => numeric(|a, b| a != b)?,
        b"eq" => l == r,
        b"lt" => l < r,
        b"le" => l <= r,
        b"gt" => l > r,
        b"ge" => l >= r,
        b"ne" => l != r,
        b"*" => wildcard_match(&l, &r),
        b"!*" => !wildcard_match(&l, &r),
        b"~" => posix_regex::search(&l, &r)?,
        b"!~" => !posix_regex::search(&l, &r)?,
        _ => {
            let mut m = b"if: Unsupported comparator '".to_vec();
            m.extend_from_slice(op);
            m.push(b'\'');
            return Err(m);
        }
    })
}

/// Signed decimal: optional `-`, then digits, nothing else, no overflow
/// (Dovecot's `str_to_intmax`; `+1` and ` 1` are not numbers).
fn parse_i64(v: &[u8]) -> Option<i64> {
    let (neg, digits) = match v.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, v),
    };
    let n = super::modifier::parse_u64(digits)?;
    if neg {
        if n <= i64::MAX as u64 + 1 {
            Some((n as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(n).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(src: &str) -> Result<Vec<Vec<u8>>, IfShapeError> {
        let t = Template::parse(src.as_bytes());
        let d = t.directives().next().unwrap();
        match &d.key {
            super::super::template::Key::Long {
                kind: super::super::template::LongKey::If(call),
                ..
            } => call.parts.clone().map(|v| {
                v.into_iter()
                    .map(|p| p.template.source().to_vec())
                    .collect()
            }),
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn splits_on_semicolons_with_escapes_and_nesting() {
        assert_eq!(
            parts("%{if;a\\;b;eq;%{if;x;eq;y;1;2};t}").unwrap(),
            vec![
                b"a;b".to_vec(),
                b"eq".to_vec(),
                b"%{if;x;eq;y;1;2}".to_vec(),
                b"t".to_vec(),
                b"".to_vec()
            ]
        );
        // a double backslash does not give a literal backslash
        assert_eq!(parts("%{if;a\\\\;x;eq;b;c}").unwrap()[0], b"a;x".to_vec());
    }

    #[test]
    fn shape_errors() {
        assert_eq!(parts("%{if}"), Err(IfShapeError::Missing));
        assert_eq!(parts("%{if;a;eq;b}"), Err(IfShapeError::Count(3)));
        assert_eq!(parts("%{if;a;b;c;d;e;f}"), Err(IfShapeError::Count(6)));
        // a top-level ':' ends the list
        assert_eq!(parts("%{if;a;eq;b;c:d;e}").unwrap()[3], b"c".to_vec());
        // trailing empty part is not counted
        assert_eq!(parts("%{if;a;eq;b;c;}").unwrap().len(), 5);
    }

    #[test]
    fn comparisons() {
        assert_eq!(compare(b"1", b"==", b"1"), Ok(true));
        assert_eq!(compare(b"-5", b"<", b"3"), Ok(true));
        assert_eq!(compare(b"-9223372036854775808", b"<", b"0"), Ok(true));
        assert_eq!(
            compare(b"1", b"==", b"+1"),
            Err(b"if: +1 (rhs) is not a number".to_vec())
        );
        assert_eq!(
            compare(b"x", b"==", b"+1"),
            Err(b"if: x (lhs) is not a number".to_vec())
        );
        assert_eq!(compare(b"abc", b"lt", b"abd"), Ok(true));
        assert_eq!(compare(b"abc", b"*", b"a?c"), Ok(true));
        assert_eq!(compare(b"abc", b"~", b"^a"), Ok(true));
        assert_eq!(compare(b"abc", b"!~", b"^a"), Ok(false));
        assert_eq!(
            compare(b"a", b"=~", b"a"),
            Err(b"if: Unsupported comparator '=~'".to_vec())
        );
    }
}
