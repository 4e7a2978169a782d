//! The grammar of one logical line (spec §1.3), as nom combinators.
//!
//! ```text
//! line     = include | keyvalue | end | header
//! include  = ("!include" | "!include_try") WS* rest          ; rest taken as-is
//! keyvalue = key WS* "=" WS* rest                            ; key may be empty
//! end      = "}"                                             ; nothing may follow
//! header   = key WS* [name WS*] "{"                          ; nothing may follow "{"
//! key      = 1*(any byte but WS and "=")  |  ""
//! name     = DQUOTE *(any byte but DQUOTE) DQUOTE  |  1*(any byte but WS)
//! WS       = SP | TAB
//! ```
//!
//! Ranges are byte offsets into the logical line, so the caller can map
//! them to the file through [`super::reader::LogicalLine`].
use nom::bytes::complete::{tag, take_till, take_while};
use nom::{IResult, Offset, Parser};
use std::ops::Range;

/// What a logical line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Line {
    /// `!include PATTERN` / `!include_try PATTERN`.
    Include { try_: bool, arg: Range<usize> },
    /// `key = value`; `value` is the raw text after `=` and whitespace.
    KeyValue {
        key: Range<usize>,
        value: Range<usize>,
    },
    /// `}`
    SectionEnd,
    /// `type [name] {`
    SectionHeader {
        key: Range<usize>,
        name: Option<SectionName>,
    },
    /// A header that Dovecot rejects; `at` is where the problem is.
    Error {
        message: &'static str,
        at: Range<usize>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SectionName {
    /// The name's bytes, including quotes if it was quoted.
    pub range: Range<usize>,
    pub quoted: bool,
}

fn is_white(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `key = 1*(any byte but WS and "=")`
fn key(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_till(|b| is_white(b) || b == b'=').parse(i)
}

fn ws(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(is_white).parse(i)
}

/// `WS*`, which cannot fail.
fn skip_ws(i: &[u8]) -> &[u8] {
    ws(i).map_or(i, |(rest, _)| rest)
}

/// `name = DQUOTE *(not DQUOTE) DQUOTE | 1*(not WS)`. Dovecot scans a
/// quoted name to the next quote with no escape handling.
fn name(i: &[u8]) -> IResult<&[u8], (&[u8], bool)> {
    if let Ok((rest, _)) = tag::<_, _, nom::error::Error<&[u8]>>(&b"\""[..]).parse(i) {
        let (rest, inner) = take_till(|b| b == b'"').parse(rest)?;
        // An unterminated quote runs to the end of the line.
        let rest = rest.strip_prefix(b"\"").unwrap_or(rest);
        let _ = inner;
        let len = i.offset(rest);
        return Ok((rest, (&i[..len], true)));
    }
    let (rest, n) = take_till(is_white).parse(i)?;
    Ok((rest, (n, false)))
}

/// Classify one logical line. Never fails: Dovecot's header errors come
/// back as [`Line::Error`].
pub(crate) fn line(input: &[u8]) -> Line {
    let at = |s: &[u8]| input.offset(s);
    let (rest, k) = key(input).unwrap_or((input, &input[..0]));
    let key_r = 0..k.len();
    let rest = skip_ws(rest);
    if k == b"!include" || k == b"!include_try" {
        return Line::Include {
            try_: k == b"!include_try",
            arg: at(rest)..input.len(),
        };
    }
    if let Some(after_eq) = rest.strip_prefix(b"=") {
        let value = skip_ws(after_eq);
        return Line::KeyValue {
            key: key_r,
            value: at(value)..input.len(),
        };
    }
    if k == b"}" && rest.is_empty() {
        return Line::SectionEnd;
    }
    // Section header.
    let (rest, name_tok) = if rest.first() == Some(&b'{') {
        (rest, None)
    } else if rest.is_empty() {
        return Line::Error {
            message: "Expecting '{'",
            at: input.len()..input.len(),
        };
    } else {
        let (after, (n, quoted)) = name(rest).unwrap_or((&rest[rest.len()..], (rest, false)));
        let start = at(n);
        let after = skip_ws(after);
        (
            after,
            Some(SectionName {
                range: start..start + n.len(),
                quoted,
            }),
        )
    };
    match rest.split_first() {
        Some((b'{', [])) => Line::SectionHeader {
            key: key_r,
            name: name_tok,
        },
        Some((b'{', garbage)) => Line::Error {
            message: "Garbage after '{'",
            at: at(garbage)..input.len(),
        },
        _ => Line::Error {
            message: "Expecting '{'",
            at: at(rest)..input.len().max(at(rest)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(l: &str) -> (String, String) {
        match line(l.as_bytes()) {
            Line::KeyValue { key, value } => (l[key].to_string(), l[value].to_string()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn key_values() {
        assert_eq!(kv("a=1"), ("a".into(), "1".into()));
        assert_eq!(kv("b =2"), ("b".into(), "2".into()));
        assert_eq!(kv("d\t=\t4"), ("d".into(), "4".into()));
        assert_eq!(kv("e = 5 6   7"), ("e".into(), "5 6   7".into()));
        assert_eq!(kv("a = b=c"), ("a".into(), "b=c".into()));
        assert_eq!(kv("= v"), ("".into(), "v".into()));
        assert_eq!(kv("x ="), ("x".into(), "".into()));
    }

    #[test]
    fn headers_and_errors() {
        assert!(matches!(
            line(b"plugin {"),
            Line::SectionHeader { name: None, .. }
        ));
        let l = "namespace inbox {";
        match line(l.as_bytes()) {
            Line::SectionHeader { key, name: Some(n) } => {
                assert_eq!(&l[key], "namespace");
                assert_eq!(&l[n.range], "inbox");
            }
            other => panic!("{other:?}"),
        }
        let msg = |l: &str| match line(l.as_bytes()) {
            Line::Error { message, .. } => message,
            other => panic!("{l}: {other:?}"),
        };
        assert_eq!(msg("plugin{"), "Expecting '{'");
        assert_eq!(msg("plugin"), "Expecting '{'");
        assert_eq!(msg("mail_debug"), "Expecting '{'");
        assert_eq!(msg("namespace a b {"), "Expecting '{'");
        assert_eq!(msg("plugin { x = 1 }"), "Garbage after '{'");
        assert_eq!(msg("} x"), "Expecting '{'");
        assert_eq!(line(b"}"), Line::SectionEnd);
        assert!(matches!(
            line(b"!include a/*.conf"),
            Line::Include { try_: false, .. }
        ));
        assert!(matches!(line(b"!INCLUDE x"), Line::Error { .. }));
    }

    #[test]
    fn quoted_name() {
        let l = "namespace \"my inbox\" {";
        match line(l.as_bytes()) {
            Line::SectionHeader { name: Some(n), .. } => {
                assert!(n.quoted);
                assert_eq!(&l[n.range], "\"my inbox\"");
            }
            other => panic!("{other:?}"),
        }
    }
}
