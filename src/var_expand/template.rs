//! The parsed form of a %-template: literal runs and directives, each with
//! the byte span it came from, so that a lint can point at `%2F` inside a
//! URL.
//!
//! Spans are byte offsets into [`Template::source`]. Templates nested inside
//! a directive (the salt of a hash, the five parts of `%{if;...}`) are
//! separate [`Template`]s with their own sources, because Dovecot
//! unescapes `%{if}` parts before expanding them; the outer node keeps the
//! span of the raw text.
use super::conditional::IfCall;
use super::hash::HashCall;
use super::modifier::{MAX_MODIFIERS, Modifier};
use super::var::Var;
use crate::source::Span;

/// A parsed template. Parsing never fails; problems surface when the
/// template is expanded, exactly where Dovecot reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub(crate) source: Vec<u8>,
    pub(crate) pieces: Vec<Piece>,
}

impl Template {
    /// The template text as given (including anything after a NUL byte,
    /// which Dovecot never sees and which therefore has no pieces).
    pub fn source(&self) -> &[u8] {
        &self.source
    }

    /// The pieces in order.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// The bytes a span of this template covers.
    pub fn text(&self, span: Span) -> &[u8] {
        &self.source[span.start..span.end]
    }

    /// True when the template expands to the same bytes for every user:
    /// no directives other than plain `%%` escapes (a secret written
    /// `sec%%2Fret` in a URL is literal, not a per-user variable).
    pub fn is_literal(&self) -> bool {
        self.pieces.iter().all(|p| match p {
            Piece::Literal(_) => true,
            Piece::Directive(d) => d.is_plain_percent(),
            Piece::Dropped(_) => false,
        })
    }

    /// The bytes a literal template expands to (`%%` gives `%`), or None
    /// when it is not literal.
    pub fn literal_value(&self) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(self.source.len());
        for p in &self.pieces {
            match p {
                Piece::Literal(s) => out.extend_from_slice(self.text(*s)),
                Piece::Directive(d) if d.is_plain_percent() => out.push(b'%'),
                _ => return None,
            }
        }
        Some(out)
    }

    /// Whether a top-level directive reads `var` (`%h`, `%{home}` for
    /// [`Var::Home`]). Dovecot refuses a plugin setting that uses the home
    /// directory when the userdb gave none; this is the test it needs.
    pub fn uses(&self, var: Var) -> bool {
        self.directives().any(|d| match &d.key {
            Key::Short { kind, .. } => *kind == ShortKey::Var(var),
            Key::Long { kind, .. } => *kind == LongKey::Var(var),
        })
    }

    /// The top-level directives.
    pub fn directives(&self) -> impl Iterator<Item = &Directive> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Directive(d) => Some(d),
            _ => None,
        })
    }
}

impl Directive {
    /// `%%` with no width, offset or modifiers: an escaped `%`.
    pub fn is_plain_percent(&self) -> bool {
        matches!(
            self.key,
            Key::Short {
                kind: ShortKey::Percent,
                ..
            }
        ) && self.modifier_count == 0
            && self.offset == 0
            && self.width == 0
            && !self.has_dot
            && !self.zero
            && !self.leading_minus
    }
}

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Bytes copied as they are.
    Literal(Span),
    /// A `%` directive.
    Directive(Directive),
    /// A `%` at the end of the template, maybe followed by flags, digits and
    /// modifiers but no key (`x%5`, `%u%`): Dovecot drops it silently.
    Dropped(Span),
}

/// `%[-][0][WIDTH][.[0][-][WIDTH2]][MODIFIERS]KEY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// From the `%` to the end of the key (the closing `}` of a long key).
    pub span: Span,
    /// Bytes to skip (negative: count from the end). For `H`/`N` this is
    /// the zero-padded length instead.
    pub offset: i32,
    /// Bytes to take (negative: drop that many from the end). For `H`/`N`
    /// this is the modulus instead.
    pub width: i32,
    /// A `0` asked for zero padding (which never truncates).
    pub zero: bool,
    /// A `-` came before the first number. Without a `.` Dovecot ignores it
    /// (`%-3u` is `%3u`).
    pub leading_minus: bool,
    /// A `.` separated offset and width.
    pub has_dot: bool,
    pub(crate) modifiers: [Modifier; MAX_MODIFIERS],
    pub(crate) modifier_count: u8,
    pub key: Key,
}

impl Directive {
    /// The modifiers, applied left to right.
    pub fn modifiers(&self) -> &[Modifier] {
        &self.modifiers[..usize::from(self.modifier_count)]
    }
}

/// What a directive looks up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A one-byte key such as `%u`.
    Short {
        byte: u8,
        span: Span,
        kind: ShortKey,
    },
    /// `%{...}`: `span` covers the text between the braces.
    Long { span: Span, kind: LongKey },
}

impl Key {
    pub fn span(&self) -> Span {
        match self {
            Key::Short { span, .. } | Key::Long { span, .. } => *span,
        }
    }
}

/// A resolved short key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShortKey {
    Var(Var),
    /// `%%`: a literal percent sign.
    Percent,
    /// Not in the table: `Unknown variable '%c'` at expansion.
    Unknown,
}

/// A resolved long key, in Dovecot's lookup order (spec §2.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LongKey {
    /// A table name such as `user` or `local_ip`.
    Var(Var),
    /// `%{env:NAME}`.
    Env { name: Span },
    /// `%{userdb:FIELD[:DEFAULT]}`.
    Userdb { field: Span, default: Option<Span> },
    /// `%{md5;...:FIELD}` and the other hash algorithms, and `pkcs5`.
    Hash(Box<HashCall>),
    /// A name that matched a hash extension case-insensitively but is not
    /// an algorithm in that spelling (`%{MD5:user}`): expansion fails with
    /// no message, which Dovecot prints as `(null)`.
    HashNoMethod { name: Span },
    /// `%{if;...}`.
    If(Box<IfCall>),
    /// Anything else: `Unknown variable '%NAME'`, where NAME is the text
    /// before the first `:`.
    Unknown { name: Span },
    /// Nested deeper than [`super::MAX_NESTING`]; obox-cli refuses to go on.
    TooDeep,
}
