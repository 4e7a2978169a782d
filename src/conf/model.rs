use crate::source::{LineIndex, Span};
use std::fmt;

/// Index of a file in [`Files`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub usize);

/// One file as read from disk. `path` is the path *string* Dovecot builds
/// for it (an include's relative pattern joined to the including file's
/// directory, not canonicalised), because that is what its messages show.
#[derive(Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: Vec<u8>,
    pub line_index: LineIndex,
}

/// The text holds every secret of the file: Debug shows only its size.
impl std::fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .field("bytes", &self.text.len())
            .finish()
    }
}

impl SourceFile {
    pub fn new(path: String, text: Vec<u8>) -> Self {
        let line_index = LineIndex::new(&text);
        SourceFile {
            path,
            text,
            line_index,
        }
    }
}

/// Every file read while loading one configuration, root first.
#[derive(Debug, Clone, Default)]
pub struct Files {
    pub files: Vec<SourceFile>,
}

impl Files {
    pub fn add(&mut self, f: SourceFile) -> FileId {
        self.files.push(f);
        FileId(self.files.len() - 1)
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }
    /// 1-based (line, column) of an origin's start.
    pub fn line_col(&self, o: Origin) -> (usize, usize) {
        let f = self.get(o.file);
        f.line_index.line_col(o.span.start, &f.text)
    }
}

/// Where something is: a byte span in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Origin {
    pub file: FileId,
    pub span: Span,
}

/// A run of value bytes that were copied verbatim from one place in a file.
/// `value_start` is the offset in [`Value::bytes`], `origin.span.start` the
/// offset in the file. Bytes between runs were produced by the parser
/// (the space that joins continuation lines, an unescaped quote, an
/// expanded `$var` or `<file`) and map to the nearest run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub value_start: usize,
    pub len: usize,
    pub origin: Origin,
}

/// A setting's value: the bytes Dovecot stores (no UTF-8 guarantee; Dovecot
/// does no check) plus the map from value bytes back to the source.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Value {
    pub bytes: Vec<u8>,
    segments: Segments,
    /// Where the whole value was written (after `=`, up to the end of the
    /// logical line), for messages about the value as a whole.
    pub origin: Origin,
}

/// Debug output goes to logs and panic reports: secrets in the value
/// (URL userinfo, `pass=` words) are hidden as in `doveconf -n`.
impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = crate::secrets::redact_with(&self.bytes, crate::secrets::HIDDEN);
        f.debug_struct("Value")
            .field("bytes", &String::from_utf8_lossy(&shown))
            .field("segments", &self.segments)
            .field("origin", &self.origin)
            .finish()
    }
}

/// The segments of a value. Nearly every value is one run copied from one
/// place in its own file; that case is stored inline, so a big config does
/// not pay an allocation per value for it (and a setting stays small).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Segments {
    #[default]
    None,
    /// One segment covering all of `bytes`, in the file of `origin`,
    /// starting this many bytes after `origin` starts.
    Whole(u32),
    /// Boxed so the enum stays two words (a Vec is three): the rare list
    /// pays one more allocation, every setting saves eight bytes.
    #[allow(clippy::box_collection)]
    Many(Box<Vec<Segment>>),
}

impl Value {
    /// A value from its bytes, segments and whole-value origin.
    pub fn new(bytes: Vec<u8>, segments: Vec<Segment>, origin: Origin) -> Self {
        match segments.as_slice() {
            [] => Value {
                bytes,
                segments: Segments::None,
                origin,
            },
            [s] => Self::with_segment(bytes, *s, origin),
            _ => Value {
                bytes,
                segments: Segments::Many(Box::new(segments)),
                origin,
            },
        }
    }

    /// A value with a single segment (stored inline when it covers the
    /// whole value in the value's own file, as nearly all do).
    pub fn with_segment(bytes: Vec<u8>, s: Segment, origin: Origin) -> Self {
        let delta = s
            .origin
            .span
            .start
            .checked_sub(origin.span.start)
            .and_then(|d| u32::try_from(d).ok());
        let segments = match delta {
            Some(d)
                if s.value_start == 0
                    && s.len == bytes.len()
                    && s.origin.file == origin.file
                    && s.origin.span.len() == s.len =>
            {
                Segments::Whole(d)
            }
            _ => Segments::Many(Box::new(vec![s])),
        };
        Value {
            bytes,
            segments,
            origin,
        }
    }

    /// The runs of value bytes copied verbatim from the source, in order.
    pub fn segments(&self) -> std::borrow::Cow<'_, [Segment]> {
        match &self.segments {
            Segments::None => std::borrow::Cow::Borrowed(&[]),
            Segments::Whole(delta) => {
                let start = self.origin.span.start + *delta as usize;
                std::borrow::Cow::Owned(vec![Segment {
                    value_start: 0,
                    len: self.bytes.len(),
                    origin: Origin {
                        file: self.origin.file,
                        span: Span::new(start, start + self.bytes.len()),
                    },
                }])
            }
            Segments::Many(s) => std::borrow::Cow::Borrowed(s.as_slice()),
        }
    }

    /// The value as text (lossy for invalid UTF-8).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// Map a byte range of the value to a place in a source file. Ranges
    /// that cross segments are clipped to the segment of their start.
    pub fn origin_of(&self, range: Span) -> Origin {
        let segments = self.segments();
        let seg = segments
            .iter()
            .rev()
            .find(|s| s.value_start <= range.start)
            .or(segments.first());
        let Some(seg) = seg else {
            return self.origin;
        };
        let rel = range.start.saturating_sub(seg.value_start).min(seg.len);
        let start = seg.origin.span.start + rel;
        let avail = seg.len - rel;
        let len = range.len().min(avail);
        Origin {
            file: seg.origin.file,
            span: Span::new(start, start + len),
        }
    }
}

/// `key = value`, after all of Dovecot's rules (last assignment wins).
#[derive(Clone, PartialEq, Eq)]
pub struct Setting {
    pub key: String,
    /// Where the key was written by the assignment that won.
    pub key_origin: Origin,
    pub value: Value,
}

/// As [`Value`]'s, and the whole value hidden for keys doveconf hides
/// (`*_password`, `*_key`, …).
impl std::fmt::Debug for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Setting");
        d.field("key", &self.key)
            .field("key_origin", &self.key_origin);
        if crate::secrets::is_secret_key(&self.key) && !self.value.bytes.is_empty() {
            d.field("value", &crate::secrets::HIDDEN_SETTING);
        } else {
            d.field("value", &self.value);
        }
        d.finish()
    }
}

/// A section (`namespace inbox {`, `plugin {`, `service imap {`) or a
/// filter (`protocol imap {`, `local 10.0.0.0/8 {`, `remote …`,
/// `local_name …`). The root of the config is a section with an empty type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    /// `namespace`, `plugin`, `protocol`, …; empty for the root.
    pub ty: String,
    /// The section's name (`inbox`) or the filter's argument (`imap`);
    /// None for unnamed sections such as `passdb {` (Dovecot numbers those).
    pub name: Option<String>,
    /// Where the section was first opened (the header line); None for root.
    pub header: Option<Origin>,
    /// For numbered list entries (`passdb`, `userdb`): the index among the
    /// entries of their type, which doveconf uses as their name.
    pub list_index: Option<usize>,
    /// Settings in the order their keys were first set.
    pub settings: Vec<Setting>,
    /// Child sections and filters in the order they were first opened.
    pub sections: Vec<Section>,
}

impl Section {
    /// Filters are sections whose settings apply conditionally.
    pub fn is_filter(&self) -> bool {
        matches!(
            self.ty.as_str(),
            "protocol" | "local" | "remote" | "local_name"
        )
    }

    pub fn setting(&self, key: &str) -> Option<&Setting> {
        self.settings.iter().find(|s| s.key == key)
    }

    pub fn child(&self, ty: &str, name: Option<&str>) -> Option<&Section> {
        self.sections
            .iter()
            .find(|s| s.ty == ty && s.name.as_deref() == name)
    }
}

/// A parsed configuration with all includes read.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub files: Files,
    pub root: Section,
    pub warnings: Vec<ConfWarning>,
    /// An error Dovecot reports only after the whole parse (a missing `}`,
    /// a failed settings check): `doveconf -n` prints the config and then
    /// fails, `doveconf -h` ignores it.
    pub delayed_error: Option<ConfError>,
}

impl Config {
    /// Look a setting up by doveconf's key path, ignoring filters:
    /// `mail_location`, `plugin/obox_fs`, `service/imap/process_limit`,
    /// `namespace/inbox/location`.
    pub fn get(&self, path: &str) -> Option<&Setting> {
        let mut sec = &self.root;
        let mut parts: Vec<&str> = path.split('/').collect();
        let key = parts.pop()?;
        let mut it = parts.into_iter().peekable();
        while let Some(ty) = it.next() {
            if ty == "plugin" {
                sec = sec.child("plugin", None)?;
                continue;
            }
            let name = it.next();
            sec = sec
                .sections
                .iter()
                .find(|s| s.ty == ty && s.name.as_deref() == name)?;
        }
        sec.setting(key)
    }

    /// Value bytes of a setting by key path.
    pub fn value(&self, path: &str) -> Option<&[u8]> {
        self.get(path).map(|s| s.value.bytes.as_slice())
    }
}

/// A warning doveconf prints but that does not stop the parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfWarning {
    /// The text after `doveconf: Warning: `, exactly as doveconf prints it.
    pub message: String,
    pub origin: Origin,
}

/// Why a configuration was rejected. `message` is doveconf's own text
/// after `Error in configuration file F line N: ` (or the whole fatal
/// message for errors without a line); `origin` points at the offending
/// bytes when there is a line to point at.
#[derive(Debug, Clone)]
pub struct ConfError {
    /// The full line doveconf prints after `doveconf: Fatal: `.
    pub fatal: String,
    /// The message alone (no file/line prefix).
    pub message: String,
    pub origin: Option<Origin>,
    /// The files read up to the error, so `origin` can be shown.
    pub files: Files,
    /// A suggestion of ours (did-you-mean), never part of doveconf's text.
    pub help: Option<String>,
    /// Warnings doveconf printed before it hit the error.
    pub warnings: Vec<ConfWarning>,
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.fatal)
    }
}

impl std::error::Error for ConfError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Debug output (logs, panic reports, `{:?}` in errors) never holds a
    /// secret of the config, in any form.
    #[test]
    fn debug_hides_secrets() {
        let text = b"ssl_key_password = TOPSECRET1\nplugin {\n  obox_fs = s3:https://AK:SEKRIT2@h.example.com/?bucket=b\n  x = pass=SEKRIT3 y\n}\n";
        let cfg =
            crate::conf::load_from_bytes("t.conf", text, crate::conf::ExpandMode::Literal).unwrap();
        let shown = format!("{cfg:?}");
        for secret in ["TOPSECRET1", "SEKRIT2", "SEKRIT3"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        let bytes = format!("{:?}", b"SEKRIT2".to_vec());
        assert!(
            !shown.contains(&bytes[1..bytes.len() - 1]),
            "as bytes: {shown}"
        );
        assert!(shown.contains("obox_fs"), "{shown}");
    }

    #[test]
    fn a_setting_stays_small() {
        // Big configs hold hundreds of thousands of settings.
        assert!(
            std::mem::size_of::<Setting>() <= 112,
            "{}",
            std::mem::size_of::<Setting>()
        );
        assert_eq!(std::mem::size_of::<Segments>(), 16);
    }

    #[test]
    fn one_segment_inline_and_many_boxed_map_the_same() {
        let whole = Origin {
            file: FileId(0),
            span: Span::new(10, 16),
        };
        let seg = |value_start, len, start| Segment {
            value_start,
            len,
            origin: Origin {
                file: FileId(0),
                span: Span::new(start, start + len),
            },
        };
        // "abcd" written quoted at 10..16: one run at 11.
        let v = Value::new(b"abcd".to_vec(), vec![seg(0, 4, 11)], whole);
        assert!(matches!(v.segments, Segments::Whole(1)));
        assert_eq!(v.segments().as_ref(), &[seg(0, 4, 11)]);
        assert_eq!(v.origin_of(Span::new(1, 3)).span, Span::new(12, 14));
        // Two runs (a continuation line) stay a list.
        let v = Value::new(b"ab cd".to_vec(), vec![seg(0, 2, 11), seg(3, 2, 20)], whole);
        assert!(matches!(v.segments, Segments::Many(_)));
        assert_eq!(v.origin_of(Span::new(3, 5)).span, Span::new(20, 22));
        // A run starting before the value's origin cannot be inlined.
        let v = Value::with_segment(b"abcd".to_vec(), seg(0, 4, 5), whole);
        assert_eq!(v.segments().as_ref(), &[seg(0, 4, 5)]);
    }
}
