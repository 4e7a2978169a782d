//! Dovecot 2.3's reading of an (already %-expanded) `mail_location`
//! (spec `dovecot-conf.md` §6): `[DRIVER:]ROOT[:KEY[=VALUE]]...`.
//!
//! ```
//! use obox_cli::mail_location;
//! let l = mail_location::parse(b"obox:c160f8cc/alice:INDEX=~/:CONTROL=~/ctl/", Some(b"/home/alice")).unwrap();
//! assert_eq!(l.driver.as_deref(), Some(&b"obox"[..]));
//! assert_eq!(l.root.as_deref(), Some(&b"c160f8cc/alice"[..]));
//! assert_eq!(l.index.as_deref(), Some(&b"/home/alice"[..]));
//! assert_eq!(l.control.as_deref(), Some(&b"/home/alice/ctl"[..]));
//! ```
//!
//! `::` stands for a literal `:`; paths lose one trailing `/`; `~` and `~/`
//! become the user's home and `~name/` another system user's home.
use crate::source::Span;
use std::fmt;

/// The parsed location. Paths are bytes, as Dovecot keeps them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailLocation {
    /// `obox` in `obox:...`; `None` means Dovecot autodetects the format.
    pub driver: Option<Vec<u8>>,
    /// The mail root; `None` when nothing follows the driver.
    pub root: Option<Vec<u8>>,
    pub inbox: Option<Vec<u8>>,
    /// `INDEX=`; empty when `INDEX=MEMORY` (see [`MailLocation::index_in_memory`]).
    pub index: Option<Vec<u8>>,
    pub index_in_memory: bool,
    pub index_pvt: Option<Vec<u8>>,
    pub index_cache: Option<Vec<u8>>,
    pub control: Option<Vec<u8>>,
    pub alt: Option<Vec<u8>>,
    pub alt_nocheck: bool,
    pub layout: Option<Vec<u8>>,
    pub subscriptions: Option<Vec<u8>>,
    /// `DIRNAME=` or `FULLDIRNAME=`.
    pub dirname: Option<Vec<u8>>,
    /// `FULLDIRNAME=` was used (index and control dirs use the name too).
    pub full_dirname: bool,
    pub mailbox_dir: Option<Vec<u8>>,
    pub volatile_dir: Option<Vec<u8>>,
    /// `LISTINDEX=` file name (Dovecot's default `dovecot.list.index`).
    pub list_index: Vec<u8>,
    /// The directory part of `LISTINDEX=` when it had one.
    pub list_index_dir: Option<Vec<u8>>,
    pub broken_char: Option<u8>,
    pub iter_index: bool,
    pub no_noselect: bool,
    pub no_fs_validation: bool,
    pub utf8: bool,
    /// Every `KEY[=VALUE]` piece after the root, in order, as written
    /// (after `::` unescaping, before path fixing), with its span.
    pub pieces: Vec<(Vec<u8>, Span)>,
}

/// A `mail_location` Dovecot rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailLocationError {
    /// The offending piece in the input, when there is one.
    pub span: Option<Span>,
    pub kind: MailLocationErrorKind,
    /// The text after the driver prefix, which Dovecot quotes.
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailLocationErrorKind {
    /// `~` used but the user has no home; `what` is `mail root dir` or the key.
    HomeNotSet {
        what: Vec<u8>,
    },
    /// `~name` for a system user that does not exist.
    NoSystemUser {
        name: Vec<u8>,
        what: Vec<u8>,
    },
    /// The root starts with `INBOX=`.
    RootNotGiven,
    UnknownSetting(Vec<u8>),
    /// `BROKENCHAR=` with other than one byte.
    BrokenChar,
    IterIndexWithoutIndex,
    ListIndexRelativeButMemory,
}

impl MailLocationError {
    /// Dovecot's message, byte for byte.
    pub fn message(&self) -> Vec<u8> {
        let mut m = Vec::new();
        let in_data = |m: &mut Vec<u8>, what: &[u8]| {
            m.extend_from_slice(what);
            m.extend_from_slice(b" in: ");
            m.extend_from_slice(&self.data);
        };
        match &self.kind {
            MailLocationErrorKind::HomeNotSet { what } => {
                m.extend_from_slice(b"Home directory not set for user. Can't expand ~/ for ");
                in_data(&mut m, what);
            }
            MailLocationErrorKind::NoSystemUser { name, what } => {
                m.extend_from_slice(b"No home directory for system user. Can't expand ~");
                m.extend_from_slice(name);
                m.extend_from_slice(b" for ");
                in_data(&mut m, what);
            }
            MailLocationErrorKind::RootNotGiven => {
                m.extend_from_slice(b"Mail root directory not given: ");
                m.extend_from_slice(&self.data);
            }
            MailLocationErrorKind::UnknownSetting(k) => {
                m.extend_from_slice(b"Unknown setting: ");
                m.extend_from_slice(k);
            }
            MailLocationErrorKind::BrokenChar => {
                m.extend_from_slice(b"BROKENCHAR value must be a single character")
            }
            MailLocationErrorKind::IterIndexWithoutIndex => {
                m.extend_from_slice(b"ITERINDEX requires INDEX to be explicitly set")
            }
            MailLocationErrorKind::ListIndexRelativeButMemory => {
                m.extend_from_slice(b"LISTINDEX directory is relative but INDEX=MEMORY")
            }
        }
        m
    }
}

impl fmt::Display for MailLocationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.message()))
    }
}

impl std::error::Error for MailLocationError {}

/// Parse an expanded `mail_location` for a user whose home is `home`.
/// `~name` paths are looked up in the system's user database.
pub fn parse(expanded: &[u8], home: Option<&[u8]>) -> Result<MailLocation, MailLocationError> {
    parse_with(expanded, home, &system_user_home)
}

/// [`parse`] with a chosen lookup for `~name` (for tests and for tools that
/// model another machine).
pub fn parse_with(
    expanded: &[u8],
    home: Option<&[u8]>,
    user_home: &dyn Fn(&[u8]) -> Option<Vec<u8>>,
) -> Result<MailLocation, MailLocationError> {
    let mut loc = MailLocation {
        list_index: b"dovecot.list.index".to_vec(),
        ..MailLocation::default()
    };
    // Driver: a non-empty run of [A-Za-z0-9_] directly followed by ':'.
    let run = expanded
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
        .unwrap_or(expanded.len());
    let base = if run > 0 && expanded.get(run) == Some(&b':') {
        loc.driver = Some(expanded[..run].to_vec());
        run + 1
    } else {
        0
    };
    let data = &expanded[base..];
    if data.is_empty() {
        return Ok(loc);
    }
    let err = |kind, span: Option<Span>| MailLocationError {
        span,
        kind,
        data: data.to_vec(),
    };
    let fix = |path: &[u8], what: &[u8], span: Span| -> Result<Vec<u8>, MailLocationError> {
        fix_path(path, home, user_home).map_err(|e| match e {
            PathError::NoHome => err(
                MailLocationErrorKind::HomeNotSet {
                    what: what.to_vec(),
                },
                Some(span),
            ),
            PathError::NoSystemUser(name) => err(
                MailLocationErrorKind::NoSystemUser {
                    name,
                    what: what.to_vec(),
                },
                Some(span),
            ),
        })
    };

    let mut args = split_args(data, base).into_iter();
    let Some((root, root_span)) = args.next() else {
        return Ok(loc);
    };
    let root = fix(&root, b"mail root dir", root_span)?;
    if root.starts_with(b"INBOX=") {
        return Err(err(MailLocationErrorKind::RootNotGiven, Some(root_span)));
    }
    loc.root = Some(root);

    for (piece, span) in args {
        loc.pieces.push((piece.clone(), span));
        if piece == b"UTF-8" {
            loc.utf8 = true;
            continue;
        }
        let (key, value) = match piece.iter().position(|&c| c == b'=') {
            Some(p) => (&piece[..p], &piece[p + 1..]),
            None => (&piece[..], &b""[..]),
        };
        let dest = match key {
            b"INBOX" => &mut loc.inbox,
            b"INDEX" => &mut loc.index,
            b"INDEXPVT" => &mut loc.index_pvt,
            b"INDEXCACHE" => &mut loc.index_cache,
            b"CONTROL" => &mut loc.control,
            b"ALT" => &mut loc.alt,
            b"LAYOUT" => &mut loc.layout,
            b"SUBSCRIPTIONS" => &mut loc.subscriptions,
            b"DIRNAME" => &mut loc.dirname,
            b"MAILBOXDIR" => &mut loc.mailbox_dir,
            b"VOLATILEDIR" => &mut loc.volatile_dir,
            b"FULLDIRNAME" => {
                loc.full_dirname = true;
                &mut loc.dirname
            }
            b"LISTINDEX" => {
                loc.list_index = fix(value, key, span)?;
                continue;
            }
            b"ALTNOCHECK" => {
                loc.alt_nocheck = true;
                continue;
            }
            b"BROKENCHAR" => {
                if value.len() != 1 {
                    return Err(err(MailLocationErrorKind::BrokenChar, Some(span)));
                }
                loc.broken_char = Some(value[0]);
                continue;
            }
            b"ITERINDEX" => {
                loc.iter_index = true;
                continue;
            }
            b"NO-NOSELECT" => {
                loc.no_noselect = true;
                continue;
            }
            b"NO-FS-VALIDATION" => {
                loc.no_fs_validation = true;
                continue;
            }
            _ => {
                return Err(err(
                    MailLocationErrorKind::UnknownSetting(key.to_vec()),
                    Some(span),
                ));
            }
        };
        *dest = Some(fix(value, key, span)?);
    }

    if loc.index.as_deref() == Some(b"MEMORY") {
        loc.index = Some(Vec::new());
        loc.index_in_memory = true;
    }
    if loc.iter_index && loc.index.as_deref().is_none_or(<[u8]>::is_empty) {
        return Err(err(MailLocationErrorKind::IterIndexWithoutIndex, None));
    }
    if let Some(slash) = loc.list_index.iter().rposition(|&c| c == b'/') {
        let dir = loc.list_index[..slash].to_vec();
        loc.list_index = loc.list_index[slash + 1..].to_vec();
        if !dir.starts_with(b"/") && loc.index.as_deref() == Some(b"") {
            return Err(err(MailLocationErrorKind::ListIndexRelativeButMemory, None));
        }
        loc.list_index_dir = Some(dir);
    }
    Ok(loc)
}

/// A path from [`parse_quick`]: `home` (when `~` was expanded) followed
/// by `rest`, both borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuickPath<'a> {
    pub home: &'a [u8],
    pub rest: &'a [u8],
}

impl QuickPath<'_> {
    fn len(&self) -> usize {
        self.home.len() + self.rest.len()
    }

    fn starts_with(&self, p: &[u8]) -> bool {
        self.len() >= p.len()
            && self
                .home
                .iter()
                .chain(self.rest)
                .zip(p)
                .all(|(a, b)| a == b)
    }

    /// Append the path to `out`.
    pub fn push_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.home);
        out.extend_from_slice(self.rest);
    }
}

/// What [`parse_quick`] reads: the parts of a location `path` shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuickPaths<'a> {
    pub driver: Option<&'a [u8]>,
    pub root: Option<QuickPath<'a>>,
    pub index: Option<QuickPath<'a>>,
    pub control: Option<QuickPath<'a>>,
}

/// The driver, root, INDEX and CONTROL of a location in the common shape
/// (no `::`, no `~name`, keys that cannot fail), without allocating:
/// `obox-cli path --stdin` reads one location per user. `None` means
/// "not that shape": call [`parse`], which gives the same answer for
/// these four parts whenever this returns `Some`, and the error when
/// Dovecot would refuse the location.
pub fn parse_quick<'a>(expanded: &'a [u8], home: Option<&'a [u8]>) -> Option<QuickPaths<'a>> {
    let mut out = QuickPaths::default();
    let run = expanded
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
        .unwrap_or(expanded.len());
    let data = if run > 0 && expanded.get(run) == Some(&b':') {
        out.driver = Some(&expanded[..run]);
        &expanded[run + 1..]
    } else {
        expanded
    };
    if data.is_empty() {
        return Some(out);
    }
    // A path as `fix_path` makes it, when that cannot fail or look up a
    // system user.
    let fix = |path: &'a [u8]| -> Option<QuickPath<'a>> {
        let path = match path {
            [rest @ .., b'/'] if path.len() > 1 => rest,
            _ => path,
        };
        match path {
            [b'~', next, ..] if *next != b'/' => None,
            [b'~', rest @ ..] => Some(QuickPath { home: home?, rest }),
            _ => Some(QuickPath {
                home: b"",
                rest: path,
            }),
        }
    };
    let mut pieces = data.split(|&c| c == b':');
    let root = fix(pieces.next()?)?;
    if root.starts_with(b"INBOX=") {
        return None;
    }
    out.root = Some(root);
    for piece in pieces {
        // `::` and a trailing `:` glue or drop pieces: the full parser's job.
        if piece.is_empty() {
            return None;
        }
        if piece == b"UTF-8" {
            continue;
        }
        let (key, value) = match piece.iter().position(|&c| c == b'=') {
            Some(p) => (&piece[..p], &piece[p + 1..]),
            None => (piece, &b""[..]),
        };
        match key {
            b"INDEX" => {
                let mut v = fix(value)?;
                if v.len() == 6 && v.starts_with(b"MEMORY") {
                    v = QuickPath {
                        home: b"",
                        rest: b"",
                    };
                }
                out.index = Some(v);
            }
            b"CONTROL" => out.control = Some(fix(value)?),
            // Paths that only need to be valid.
            b"INBOX" | b"INDEXPVT" | b"INDEXCACHE" | b"ALT" | b"LAYOUT" | b"SUBSCRIPTIONS"
            | b"DIRNAME" | b"FULLDIRNAME" | b"MAILBOXDIR" | b"VOLATILEDIR" => {
                fix(value)?;
            }
            b"ALTNOCHECK" | b"NO-NOSELECT" | b"NO-FS-VALIDATION" => {}
            // LISTINDEX, BROKENCHAR, ITERINDEX and unknown keys can fail.
            _ => return None,
        }
    }
    Some(out)
}

/// Split on `:`, where an empty piece (from `::`) glues its neighbours
/// with a literal `:` and one trailing `:` is ignored. Spans are relative
/// to the whole input (`base` is where `data` starts).
fn split_args(data: &[u8], base: usize) -> Vec<(Vec<u8>, Span)> {
    let mut raw: Vec<(&[u8], Span)> = Vec::new();
    let mut start = 0;
    for (i, &c) in data.iter().enumerate() {
        if c == b':' {
            raw.push((&data[start..i], Span::new(base + start, base + i)));
            start = i + 1;
        }
    }
    raw.push((&data[start..], Span::new(base + start, base + data.len())));

    let mut out = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let (first, mut span) = raw[i];
        let mut s = first.to_vec();
        i += 1;
        while i < raw.len() && raw[i].0.is_empty() {
            i += 1;
            if i == raw.len() {
                // The string ends with ':'.
                break;
            }
            s.push(b':');
            s.extend_from_slice(raw[i].0);
            span = span.join(raw[i].1);
            i += 1;
        }
        out.push((s, span));
    }
    out
}

enum PathError {
    NoHome,
    NoSystemUser(Vec<u8>),
}

/// Drop one trailing `/` and expand `~`, `~/...` and `~name/...`.
fn fix_path(
    path: &[u8],
    home: Option<&[u8]>,
    user_home: &dyn Fn(&[u8]) -> Option<Vec<u8>>,
) -> Result<Vec<u8>, PathError> {
    let path = match path {
        [rest @ .., b'/'] if path.len() > 1 => rest,
        _ => path,
    };
    match path {
        [b'~', next, ..] if *next != b'/' => {
            // ~name or ~name/rest
            let body = &path[1..];
            let (name, rest) = match body.iter().position(|&c| c == b'/') {
                Some(p) => (&body[..p], &body[p + 1..]),
                None => (body, &b""[..]),
            };
            let h = user_home(name).ok_or_else(|| PathError::NoSystemUser(name.to_vec()))?;
            Ok(join_home(&h, rest))
        }
        [b'~', ..] => {
            let h = home.ok_or(PathError::NoHome)?;
            // "~" is the home itself, "~/x" is home + "/x".
            let mut out = h.to_vec();
            out.extend_from_slice(&path[1..]);
            Ok(out)
        }
        _ => Ok(path.to_vec()),
    }
}

fn join_home(home: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut out = home.to_vec();
    if !rest.is_empty() {
        out.push(b'/');
        out.extend_from_slice(rest);
    }
    out
}

/// Home directory of a system user (`getpwnam_r`), as Dovecot's
/// `~name` expansion uses.
pub fn system_user_home(name: &[u8]) -> Option<Vec<u8>> {
    #[cfg(unix)]
    {
        let cname = std::ffi::CString::new(name).ok()?;
        let mut buf = vec![0u8; 16 * 1024];
        // SAFETY: passwd is plain old data that getpwnam_r fills in.
        let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: all pointers are valid for the call; the strings in `pw`
        // point into `buf`, which outlives their use below.
        let rc = unsafe {
            libc::getpwnam_r(
                cname.as_ptr(),
                &mut pw,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            )
        };
        if rc != 0 || result.is_null() || pw.pw_dir.is_null() {
            return None;
        }
        // SAFETY: pw_dir is a NUL-terminated string inside `buf`.
        let dir = unsafe { std::ffi::CStr::from_ptr(pw.pw_dir) };
        Some(dir.to_bytes().to_vec())
    }
    #[cfg(not(unix))]
    {
        let _ = name;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_users(_: &[u8]) -> Option<Vec<u8>> {
        None
    }

    fn p(s: &str, home: Option<&str>) -> Result<MailLocation, String> {
        parse_with(s.as_bytes(), home.map(str::as_bytes), &|n| {
            (n == b"bob").then(|| b"/home/bob".to_vec())
        })
        .map_err(|e| e.to_string())
    }

    fn s(v: &Option<Vec<u8>>) -> Option<&str> {
        v.as_deref().map(|b| std::str::from_utf8(b).unwrap())
    }

    #[test]
    fn obox_location_from_the_spec() {
        let l = p(
            "obox:c160f8cc/alice@example.com:INDEX=~/:CONTROL=~/",
            Some("/home/alice"),
        )
        .unwrap();
        assert_eq!(s(&l.driver), Some("obox"));
        assert_eq!(s(&l.root), Some("c160f8cc/alice@example.com"));
        assert_eq!(s(&l.index), Some("/home/alice"));
        assert_eq!(s(&l.control), Some("/home/alice"));
        assert_eq!(l.pieces.len(), 2);
        assert_eq!(l.pieces[0].1, Span::new(32, 40));
    }

    #[test]
    fn driver_prefix_rules() {
        assert_eq!(
            s(&p("maildir:~/Maildir", Some("/h")).unwrap().driver),
            Some("maildir")
        );
        let l = p("/var/mail/x", None).unwrap();
        assert_eq!(l.driver, None);
        assert_eq!(s(&l.root), Some("/var/mail/x"));
        // a path component with other characters is no driver
        // a `-` is not a driver character: "my-drv" becomes the root
        assert_eq!(p("my-drv:/x", None).unwrap_err(), "Unknown setting: /x");
        assert_eq!(s(&p("my-drv", None).unwrap().root), Some("my-drv"));
        assert_eq!(p(":/x", None).unwrap_err(), "Unknown setting: /x");
        let l = p("obox:", None).unwrap();
        assert_eq!((s(&l.driver), l.root), (Some("obox"), None));
        assert_eq!(
            p("", None).unwrap(),
            MailLocation {
                list_index: b"dovecot.list.index".to_vec(),
                ..Default::default()
            }
        );
    }

    #[test]
    fn double_colon_is_a_literal_colon() {
        assert_eq!(s(&p("maildir:/a::b", None).unwrap().root), Some("/a:b"));
        assert_eq!(
            s(&p("maildir:/a::b:INDEX=/i::j", None).unwrap().index),
            Some("/i:j")
        );
        assert_eq!(s(&p("maildir:/a:", None).unwrap().root), Some("/a"));
        assert_eq!(s(&p("maildir:/a::", None).unwrap().root), Some("/a:"));
        assert_eq!(s(&p("maildir:/a::::b", None).unwrap().root), Some("/a::b"));
        let l = p("maildir:/a:::INDEX=/i", None).unwrap();
        assert_eq!(s(&l.root), Some("/a:"));
        assert_eq!(s(&l.index), Some("/i"));
    }

    #[test]
    fn home_expansion() {
        let l = p(
            "mdbox:~/mdbox:INDEX=~/:CONTROL=~/ctl/:ALT=~bob/alt:INBOX=~",
            Some("/home/a"),
        )
        .unwrap();
        assert_eq!(s(&l.root), Some("/home/a/mdbox"));
        assert_eq!(s(&l.index), Some("/home/a"));
        assert_eq!(s(&l.control), Some("/home/a/ctl"));
        assert_eq!(s(&l.alt), Some("/home/bob/alt"));
        assert_eq!(s(&l.inbox), Some("/home/a"));
        assert_eq!(s(&p("maildir:/:INDEX=/", None).unwrap().root), Some("/"));
        assert_eq!(
            p("maildir:~/Maildir", None).unwrap_err(),
            "Home directory not set for user. Can't expand ~/ for mail root dir in: ~/Maildir"
        );
        assert_eq!(
            p("maildir:/m:INDEX=~/idx", None).unwrap_err(),
            "Home directory not set for user. Can't expand ~/ for INDEX in: /m:INDEX=~/idx"
        );
        assert_eq!(
            p("maildir:/m:INDEX=~carol/x", None).unwrap_err(),
            "No home directory for system user. Can't expand ~carol for INDEX in: /m:INDEX=~carol/x"
        );
    }

    #[test]
    fn keys_and_errors() {
        assert_eq!(
            p("maildir:/m:FOO=1", None).unwrap_err(),
            "Unknown setting: FOO"
        );
        assert_eq!(
            p("maildir:/m:index=1", None).unwrap_err(),
            "Unknown setting: index"
        );
        assert_eq!(
            p("maildir:/m:UTF-8=1", None).unwrap_err(),
            "Unknown setting: UTF-8"
        );
        assert_eq!(
            p("maildir:INBOX=/x", None).unwrap_err(),
            "Mail root directory not given: INBOX=/x"
        );
        assert_eq!(
            p("maildir:/m:BROKENCHAR=ab", None).unwrap_err(),
            "BROKENCHAR value must be a single character"
        );
        assert_eq!(
            p("maildir:/m:ITERINDEX", None).unwrap_err(),
            "ITERINDEX requires INDEX to be explicitly set"
        );
        assert_eq!(
            p("maildir:/m:INDEX=MEMORY:LISTINDEX=rel/x.index", None).unwrap_err(),
            "LISTINDEX directory is relative but INDEX=MEMORY"
        );
        let l = p(
            "maildir:/m:INDEX=MEMORY:LISTINDEX=/abs/x.index:UTF-8:NO-NOSELECT:NO-FS-VALIDATION:ALTNOCHECK:BROKENCHAR=~:FULLDIRNAME=d:LAYOUT=fs",
            None,
        )
        .unwrap();
        assert!(
            l.index_in_memory
                && l.utf8
                && l.no_noselect
                && l.no_fs_validation
                && l.alt_nocheck
                && l.full_dirname
        );
        assert_eq!(s(&l.index), Some(""));
        assert_eq!(l.list_index, b"x.index");
        assert_eq!(s(&l.list_index_dir), Some("/abs"));
        assert_eq!(l.broken_char, Some(b'~'));
        assert_eq!(s(&l.dirname), Some("d"));
        assert_eq!(s(&l.layout), Some("fs"));
    }

    #[test]
    fn error_spans_point_at_the_piece() {
        let e = parse_with(b"obox:/r:BAD=1", None, &no_users).unwrap_err();
        assert_eq!(e.span, Some(Span::new(8, 13)));
        assert_eq!(e.data, b"/r:BAD=1");
    }

    /// The quick reading gives what the full parser gives, whenever it
    /// gives anything, and does give something for the usual shapes.
    #[test]
    fn quick_reading_agrees_with_parse() {
        use proptest::prelude::*;
        let users = |n: &[u8]| (n == b"bob").then(|| b"/home/bob".to_vec());
        let check = |loc: &[u8], home: Option<&[u8]>| {
            let Some(q) = parse_quick(loc, home) else {
                return false;
            };
            let full = parse_with(loc, home, &users).unwrap_or_else(|e| {
                panic!(
                    "quick read {:?} which parse refuses: {e}",
                    String::from_utf8_lossy(loc)
                )
            });
            let path = |p: Option<QuickPath<'_>>| {
                p.map(|p| {
                    let mut v = Vec::new();
                    p.push_to(&mut v);
                    v
                })
            };
            let shown = String::from_utf8_lossy(loc);
            assert_eq!(q.driver.map(<[u8]>::to_vec), full.driver, "{shown}");
            assert_eq!(path(q.root), full.root, "{shown}");
            assert_eq!(path(q.index), full.index, "{shown}");
            assert_eq!(path(q.control), full.control, "{shown}");
            true
        };
        for (loc, home) in [
            (
                "obox:c160f8cc/alice@example.com:INDEX=~/:CONTROL=~/",
                Some("/h"),
            ),
            ("obox:%8Mu/x", None),
            ("maildir:~/Maildir:LAYOUT=fs:INDEX=/i/:UTF-8", Some("/h")),
            (
                "mdbox:/m:INDEX=MEMORY:CONTROL=~:VOLATILEDIR=/tmp/v",
                Some("/h"),
            ),
            ("/var/mail/x", None),
            ("obox:", None),
            ("", None),
        ] {
            assert!(check(loc.as_bytes(), home.map(str::as_bytes)), "{loc}");
        }
        // Shapes left to the full parser.
        for loc in [
            "obox:/a::b",
            "obox:/a:",
            "obox:/m:INDEX=~bob/x",
            "obox:/m:LISTINDEX=/x/y",
            "obox:/m:ITERINDEX",
            "obox:/m:BROKENCHAR=_",
            "obox:INBOX=/x",
            "obox:/m:FOO=1",
            "obox:~/m",
        ] {
            assert!(parse_quick(loc.as_bytes(), None).is_none(), "{loc}");
        }
        let piece = prop_oneof![
            Just(&b"obox"[..]),
            Just(&b":"[..]),
            Just(&b"::"[..]),
            Just(&b"~"[..]),
            Just(&b"~/"[..]),
            Just(&b"~bob"[..]),
            Just(&b"/"[..]),
            Just(&b"INDEX="[..]),
            Just(&b"CONTROL="[..]),
            Just(&b"INBOX="[..]),
            Just(&b"MEMORY"[..]),
            Just(&b"UTF-8"[..]),
            Just(&b"LAYOUT=fs"[..]),
            Just(&b"ALTNOCHECK"[..]),
            Just(&b"ITERINDEX"[..]),
            Just(&b"LISTINDEX=a/b"[..]),
            Just(&b"x"[..]),
            Just(&b"_1"[..]),
            Just(&b"-"[..]),
            Just(&b"="[..]),
            Just(&b"\xff"[..]),
        ];
        let home = prop_oneof![
            Just(None),
            Just(Some(&b"/h"[..])),
            Just(Some(&b""[..])),
            Just(Some(&b"/h/"[..])),
            Just(Some(&b"MEMORY"[..])),
            Just(Some(&b"INBOX=x"[..])),
        ];
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 5_000,
            failure_persistence: None,
            ..ProptestConfig::default()
        });
        let quick = std::cell::Cell::new(0usize);
        runner
            .run(
                &(prop::collection::vec(piece, 0..12), home),
                |(pieces, home)| {
                    if check(&pieces.concat(), home) {
                        quick.set(quick.get() + 1);
                    }
                    Ok(())
                },
            )
            .unwrap();
        let quick = quick.get();
        assert!(quick > 250, "the quick reading applied only {quick} times");
    }

    #[test]
    fn root_user_exists_on_the_system() {
        assert!(system_user_home(b"root").is_some());
        assert!(system_user_home(b"no-such-user-obox").is_none());
        assert!(system_user_home(b"a\0b").is_none());
    }
}
