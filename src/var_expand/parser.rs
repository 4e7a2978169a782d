//! Template parsing (spec §2.1–2.3): a single left-to-right scan over bytes
//! that mirrors how Dovecot walks the string, including its quirks (a `-`
//! without `.` is read and ignored, numbers wrap like C `int`, `%{` is a
//! long key only when some `}` follows).
//!
//! Parsing is total: every byte string gives a [`Template`]. Long keys are
//! resolved here, once, so that expanding a template for a million users
//! does no name lookups.
use super::conditional::IfCall;
use super::hash::{HashAlgo, HashCall};
use super::modifier::{MAX_MODIFIERS, Modifier};
use super::template::{Directive, Key, LongKey, Piece, ShortKey, Template};
use super::var::Var;
use crate::source::Span;

/// How deeply `%{if}`, hash fields and salts may nest before obox-cli stops
/// parsing them (Dovecot has no limit but its stack). Deeper nodes become
/// [`LongKey::TooDeep`] and fail at expansion.
pub const MAX_NESTING: u32 = 32;

/// Names that Dovecot's extension table holds; compared case-insensitively.
const EXTENSIONS: [&str; 11] = [
    "md4", "md5", "sha1", "sha256", "sha384", "sha512", "sha3-256", "sha3-512", "size", "pkcs5",
    "if",
];

impl Template {
    /// Parse a template. Never fails and never panics; errors appear when
    /// the template is expanded, as in Dovecot.
    pub fn parse(src: &[u8]) -> Template {
        parse_template(src, 0)
    }
}

/// Parse `src` as a template nested `depth` levels deep.
pub(crate) fn parse_template(src: &[u8], depth: u32) -> Template {
    // Dovecot works on C strings: nothing after a NUL byte exists for it.
    let end = src.iter().position(|&c| c == 0).unwrap_or(src.len());
    let p = Parser {
        src,
        end,
        last_close: src[..end].iter().rposition(|&c| c == b'}'),
        depth,
    };
    Template {
        source: src.to_vec(),
        pieces: p.pieces(),
    }
}

/// How deeply `{ }` nest inside `text` (a backslash hides the next byte,
/// as in the key matcher), stopping early once past [`MAX_NESTING`].
fn brace_depth(text: &[u8]) -> u32 {
    let (mut d, mut max, mut escape) = (0u32, 0u32, false);
    for &c in text {
        if escape {
            escape = false;
        } else if c == b'\\' {
            escape = true;
        } else if c == b'{' {
            d += 1;
            max = max.max(d);
            if max > MAX_NESTING {
                break;
            }
        } else if c == b'}' {
            d = d.saturating_sub(1);
        }
    }
    max
}

pub(crate) struct Parser<'a> {
    pub(crate) src: &'a [u8],
    end: usize,
    /// Position of the last `}`: "is there a `}` later?" in O(1), so that a
    /// template full of `%{` stays linear.
    last_close: Option<usize>,
    pub(crate) depth: u32,
}

impl Parser<'_> {
    fn at(&self, i: usize) -> u8 {
        if i < self.end { self.src[i] } else { 0 }
    }

    fn pieces(&self) -> Vec<Piece> {
        let mut pieces = Vec::new();
        let mut lit_start = 0;
        let mut i = 0;
        while i < self.end {
            if self.src[i] != b'%' {
                i += 1;
                continue;
            }
            if lit_start < i {
                pieces.push(Piece::Literal(Span::new(lit_start, i)));
            }
            let (piece, next) = self.directive(i);
            pieces.push(piece);
            i = next;
            lit_start = next;
        }
        if lit_start < self.end {
            pieces.push(Piece::Literal(Span::new(lit_start, self.end)));
        }
        pieces
    }

    /// Read decimal digits into a C `int`, wrapping on overflow as the
    /// compiled Dovecot does (`%4294967297u` is `%1u`).
    fn digits(&self, i: &mut usize) -> i32 {
        let mut n: i32 = 0;
        while self.at(*i).is_ascii_digit() {
            n = n
                .wrapping_mul(10)
                .wrapping_add(i32::from(self.at(*i) - b'0'));
            *i += 1;
        }
        n
    }

    /// Parse the directive whose `%` is at `start`; return it and the
    /// position after it.
    fn directive(&self, start: usize) -> (Piece, usize) {
        let mut i = start + 1;
        let mut sign: i32 = 1;
        let mut zero = false;
        let mut offset: i32 = 0;
        let leading_minus = self.at(i) == b'-';
        if leading_minus {
            sign = -1;
            i += 1;
        }
        if self.at(i) == b'0' {
            zero = true;
            i += 1;
        }
        let mut width = self.digits(&mut i);
        let has_dot = self.at(i) == b'.';
        if has_dot {
            offset = sign.wrapping_mul(width);
            sign = 1;
            i += 1;
            // A zero before the offset means nothing; only one before the
            // width pads.
            zero = false;
            if self.at(i) == b'0' {
                zero = true;
                i += 1;
            }
            if self.at(i) == b'-' {
                sign = -1;
                i += 1;
            }
            width = sign.wrapping_mul(self.digits(&mut i));
        }
        let mut modifiers = [Modifier::Lower; MAX_MODIFIERS];
        let mut count = 0;
        while count < MAX_MODIFIERS {
            match Modifier::from_byte(self.at(i)) {
                Some(m) => {
                    modifiers[count] = m;
                    count += 1;
                    i += 1;
                }
                None => break,
            }
        }
        if i >= self.end {
            return (Piece::Dropped(Span::new(start, self.end)), self.end);
        }
        let (key, next) = if self.src[i] == b'{' && self.last_close.is_some_and(|c| c > i) {
            self.long_key(i)
        } else {
            let byte = self.src[i];
            let kind = match Var::from_short(byte) {
                Some(v) => ShortKey::Var(v),
                None if byte == b'%' => ShortKey::Percent,
                None => ShortKey::Unknown,
            };
            let span = Span::new(i, i + 1);
            (Key::Short { byte, span, kind }, i + 1)
        };
        let d = Directive {
            span: Span::new(start, next),
            offset,
            width,
            zero,
            leading_minus,
            has_dot,
            modifiers,
            modifier_count: count as u8,
            key,
        };
        (Piece::Directive(d), next)
    }

    /// `{` at `open`: find the matching `}` (nesting counts, a backslash
    /// hides the next byte). Without one the key runs to the end.
    fn long_key(&self, open: usize) -> (Key, usize) {
        let mut depth = 1u32;
        let mut escape = false;
        let mut j = open;
        loop {
            j += 1;
            if j >= self.end || depth == 0 {
                break;
            }
            let c = self.src[j];
            if escape {
                escape = false;
            } else if c == b'\\' {
                escape = true;
            } else if c == b'{' {
                depth += 1;
            } else if c == b'}' {
                depth -= 1;
            }
        }
        let (content_end, next) = if depth == 0 {
            (j - 1, j)
        } else {
            (self.end, self.end)
        };
        let span = Span::new(open + 1, content_end);
        let kind = self.classify_long(span, self.depth);
        (Key::Long { span, kind }, next)
    }

    /// Resolve the text of a long key (spec §2.3 lookup order).
    pub(crate) fn classify_long(&self, span: Span, depth: u32) -> LongKey {
        let k = &self.src[span.start..span.end];
        if let Some(v) = Var::from_long(k) {
            return LongKey::Var(v);
        }
        // The built-ins pid/uid/gid/hostname are all table names already.
        let (name, data) = match k.iter().position(|&c| c == b':') {
            Some(c) => (
                Span::new(span.start, span.start + c),
                Span::new(span.start + c + 1, span.end),
            ),
            None => (span, Span::new(span.end, span.end)),
        };
        let name_b = &self.src[name.start..name.end];
        let base = match name_b.iter().position(|&c| c == b';') {
            Some(p) => &name_b[..p],
            None => name_b,
        };
        if let Some(ext) = EXTENSIONS
            .iter()
            .find(|e| e.as_bytes().eq_ignore_ascii_case(base))
        {
            // Refuse a node whose contents nest past the limit before
            // parsing them: each level copies its parts (Dovecot unescapes
            // them), so 200 000 nested `%{if` would otherwise be copied 32
            // times over before the innermost allowed level said no.
            if depth.saturating_add(brace_depth(k)) >= MAX_NESTING {
                if *ext == "if"
                    && let Err(e) = IfCall::shape(self, span)
                {
                    return LongKey::If(Box::new(IfCall { parts: Err(e) }));
                }
                return LongKey::TooDeep;
            }
            if *ext == "if" {
                return LongKey::If(Box::new(IfCall::parse(self, span, depth + 1)));
            }
            // The extension matched without regard to case, but the
            // algorithm lookup is exact: `MD5` gets here and fails.
            return match HashAlgo::from_name(base) {
                Some(algo) => {
                    LongKey::Hash(Box::new(HashCall::parse(self, algo, name, data, depth + 1)))
                }
                None => LongKey::HashNoMethod { name },
            };
        }
        match name_b {
            b"env" => LongKey::Env { name: data },
            b"userdb" => {
                let d = &self.src[data.start..data.end];
                match d.iter().position(|&c| c == b':') {
                    Some(c) => LongKey::Userdb {
                        field: Span::new(data.start, data.start + c),
                        default: Some(Span::new(data.start + c + 1, data.end)),
                    },
                    None => LongKey::Userdb {
                        field: data,
                        default: None,
                    },
                }
            }
            _ => LongKey::Unknown { name },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first directive of `src`.
    fn one(src: &str) -> Directive {
        let t = Template::parse(src.as_bytes());
        let d = t.directives().next().cloned();
        d.unwrap_or_else(|| panic!("{src}: {:?}", t.pieces()))
    }

    #[test]
    fn literal_only() {
        let t = Template::parse(b"/var/mail");
        assert_eq!(t.pieces(), &[Piece::Literal(Span::new(0, 9))]);
        assert!(t.is_literal());
        let t = Template::parse(b"s3:https://AK:sec%%2Fret@h/");
        assert!(t.is_literal());
        assert_eq!(
            t.literal_value().as_deref(),
            Some(&b"s3:https://AK:sec%2Fret@h/"[..])
        );
        for not in [&b"a%u"[..], b"%5%", b"x%", b"%{if;1;eq;1;a;b}"] {
            let t = Template::parse(not);
            assert!(!t.is_literal(), "{}", String::from_utf8_lossy(not));
            assert_eq!(t.literal_value(), None);
        }
    }

    #[test]
    fn offset_width_and_flags() {
        let d = one("%-3.2u");
        assert_eq!(
            (d.offset, d.width, d.zero, d.leading_minus),
            (-3, 2, false, true)
        );
        let d = one("%-3u");
        assert_eq!((d.offset, d.width), (0, 3));
        let d = one("%08n");
        assert_eq!((d.offset, d.width, d.zero), (0, 8, true));
        // after the dot the `0` must come before the `-` to count
        let d = one("%.-03u");
        assert_eq!((d.offset, d.width, d.zero), (0, -3, false));
        let d = one("%.0-3u");
        assert_eq!((d.offset, d.width, d.zero), (0, -3, true));
        let d = one("%0.2n");
        assert_eq!((d.offset, d.width, d.zero), (0, 2, false));
    }

    #[test]
    fn numbers_wrap_like_c_int() {
        assert_eq!(one("%4294967297u").width, 1);
        assert_eq!(one("%2147483648u").width, i32::MIN);
        assert_eq!(one("%-2147483648.2u").offset, i32::MIN);
        assert_eq!(
            one("%99999999999999999999999999u").key.span(),
            Span::new(27, 28)
        );
    }

    #[test]
    fn modifiers_stop_at_ten() {
        assert_eq!(one("%LLLLLLLLLLu").modifiers().len(), 10);
        let d = one("%LLLLLLLLLLLu");
        // the 11th L is the key, and the u is a literal after it
        assert_eq!(d.modifiers().len(), 10);
        assert!(matches!(
            d.key,
            Key::Short {
                byte: b'L',
                kind: ShortKey::Unknown,
                ..
            }
        ));
    }

    #[test]
    fn trailing_percent_is_dropped() {
        let t = Template::parse(b"x%5");
        assert_eq!(
            t.pieces(),
            &[
                Piece::Literal(Span::new(0, 1)),
                Piece::Dropped(Span::new(1, 3))
            ]
        );
        let t = Template::parse(b"%u%");
        assert!(matches!(t.pieces()[1], Piece::Dropped(_)));
    }

    #[test]
    fn long_keys_and_spans() {
        let t = Template::parse(b"a%{user}}b");
        let d = t.directives().next().unwrap();
        assert_eq!(d.span, Span::new(1, 8));
        assert_eq!(
            d.key,
            Key::Long {
                span: Span::new(3, 7),
                kind: LongKey::Var(Var::User)
            }
        );
        assert_eq!(t.pieces()[2], Piece::Literal(Span::new(8, 10)));
    }

    #[test]
    fn brace_without_close_is_a_short_key() {
        let d = one("%{user");
        assert!(matches!(
            d.key,
            Key::Short {
                byte: b'{',
                kind: ShortKey::Unknown,
                ..
            }
        ));
    }

    #[test]
    fn unbalanced_braces_run_to_the_end() {
        let t = Template::parse(b"%{a{b}");
        let d = t.directives().next().unwrap();
        assert_eq!(d.key.span(), Span::new(2, 6));
        assert_eq!(d.span, Span::new(0, 6));
    }

    #[test]
    fn percent_in_url_points_at_the_directive() {
        let t = Template::parse(b"https://K:SEC%2FRET@h/");
        let d = t.directives().next().unwrap();
        assert_eq!(t.text(d.span), b"%2F");
        assert!(matches!(
            d.key,
            Key::Short {
                byte: b'F',
                kind: ShortKey::Unknown,
                ..
            }
        ));
        let t = Template::parse(b"SEC%%2FRET");
        assert!(matches!(
            t.directives().next().unwrap().key,
            Key::Short {
                kind: ShortKey::Percent,
                ..
            }
        ));
    }

    #[test]
    fn long_key_resolution_order() {
        let kind = |s: &str| match one(s).key {
            Key::Long { kind, .. } => kind,
            k => panic!("{k:?}"),
        };
        assert_eq!(kind("%{local_ip}"), LongKey::Var(Var::LocalIp));
        assert!(matches!(kind("%{User}"), LongKey::Unknown { .. }));
        assert!(matches!(kind("%{MD5:user}"), LongKey::HashNoMethod { .. }));
        assert!(matches!(kind("%{md5:user}"), LongKey::Hash(_)));
        assert!(matches!(kind("%{IF;a;eq;b;c}"), LongKey::If(_)));
        assert!(matches!(kind("%{Env:HOME}"), LongKey::Unknown { .. }));
        assert!(matches!(kind("%{env:HOME}"), LongKey::Env { .. }));
        assert!(matches!(kind("%{USERDB:home}"), LongKey::Unknown { .. }));
        assert!(matches!(
            kind("%{userdb:a:b:c}"),
            LongKey::Userdb {
                default: Some(_),
                ..
            }
        ));
        assert!(matches!(kind("%{md:user}"), LongKey::Unknown { .. }));
    }

    #[test]
    fn nul_ends_the_template() {
        let t = Template::parse(b"a\0%q");
        assert_eq!(t.pieces(), &[Piece::Literal(Span::new(0, 1))]);
        assert_eq!(t.source(), b"a\0%q");
    }

    #[test]
    fn uses_home() {
        assert!(Template::parse(b"%h/x").uses(Var::Home));
        assert!(Template::parse(b"%{home}").uses(Var::Home));
        assert!(!Template::parse(b"%%h").uses(Var::Home));
    }

    #[test]
    fn deep_nesting_is_bounded_and_linear() {
        let n = 100_000;
        let mut s = "%{if;".repeat(n);
        s.push_str(&"}".repeat(n));
        let t = Template::parse(s.as_bytes());
        assert_eq!(t.directives().count(), 1);
        let open = "%{if;".repeat(n);
        let t = Template::parse(open.as_bytes());
        assert_eq!(t.directives().count(), n);
    }
}
