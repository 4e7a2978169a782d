//! Physical lines → logical lines, exactly as Dovecot 2.3's config reader
//! does it (spec §1.1–1.2): LF or CRLF, a NUL ends the line, comment
//! stripping that honours quote runs anywhere in the line, trailing
//! whitespace trimmed, and `\` continuation with its quirks.
//!
//! Every byte of a logical line remembers the file offset it came from
//! (a list of [`Piece`]s), so spans survive continuation.

/// Space and TAB are Dovecot's only whitespace (`IS_WHITE`).
pub(crate) fn is_white(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A run of logical-line bytes copied from `file_offset` onwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Piece {
    pub line_start: usize,
    pub len: usize,
    pub file_offset: usize,
}

/// One logical line: its bytes, where they came from, and the 1-based
/// number of the last physical line (the one Dovecot reports).
#[derive(Debug, Clone, Default)]
pub(crate) struct LogicalLine {
    pub text: Vec<u8>,
    pub pieces: Vec<Piece>,
    pub line: usize,
    /// More than [`MAX_CONTINUATIONS`] `\` continuations: the rest was
    /// consumed but not kept, and the parser refuses the line.
    pub overflow: bool,
}

/// Continuation lines joined into one logical line at most. Real configs
/// use a handful; each costs two pieces of bookkeeping, so a file of
/// nothing but `\` lines would otherwise cost ~50 bytes per 4 bytes read.
pub(crate) const MAX_CONTINUATIONS: usize = 100_000;

/// Ambiguous-`#` warnings kept per file (the rest are counted only).
pub(crate) const MAX_WARNINGS: usize = 1000;

impl LogicalLine {
    /// File offset of logical byte `i` (for `i == len`, just past the end).
    pub fn file_offset(&self, i: usize) -> usize {
        let p = self
            .pieces
            .iter()
            .rev()
            .find(|p| p.line_start <= i)
            .or(self.pieces.first());
        match p {
            Some(p) => p.file_offset + (i - p.line_start).min(p.len),
            None => 0,
        }
    }

    /// The pieces covering logical range `start..end`, as (logical start,
    /// len, file offset) runs.
    pub fn runs(&self, start: usize, end: usize) -> impl Iterator<Item = Piece> + '_ {
        self.pieces.iter().filter_map(move |p| {
            let s = start.max(p.line_start);
            let e = end.min(p.line_start + p.len);
            (s < e).then(|| Piece {
                line_start: s,
                len: e - s,
                file_offset: p.file_offset + (s - p.line_start),
            })
        })
    }

    fn push(&mut self, bytes: &[u8], file_offset: usize) {
        self.pieces.push(Piece {
            line_start: self.text.len(),
            len: bytes.len(),
            file_offset,
        });
        self.text.extend_from_slice(bytes);
    }
}

/// A `#` that cut a line right after a non-white character.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AmbiguousHash {
    pub line: usize,
    pub file_offset: usize,
}

/// Iterator over the logical lines of one file's text.
pub(crate) struct Reader<'a> {
    text: &'a [u8],
    pos: usize,
    line_no: usize,
    /// Offset of the first NUL at or after some earlier `pos` (the text's
    /// length when there is none): NULs are rare, so lines are split at LF
    /// alone and this is checked per line.
    next_nul: usize,
    pub warnings: Vec<AmbiguousHash>,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        Reader {
            text,
            pos: 0,
            line_no: 0,
            next_nul: memchr::memchr(0, text).unwrap_or(text.len()),
            warnings: Vec::new(),
        }
    }

    /// Next physical line: (offset, bytes without LF/CR, truncated at NUL).
    fn physical(&mut self) -> Option<(usize, &'a [u8])> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let rest = &self.text[start..];
        let len = self.text.len();
        let lf = memchr::memchr(b'\n', rest).map(|i| start + i);
        let next = lf.map_or(len, |l| l + 1);
        if self.next_nul < start {
            self.next_nul = memchr::memchr(0, rest).map_or(len, |i| start + i);
        }
        let line = if self.next_nul < lf.unwrap_or(len) {
            // The parser treats the line as a C string: a NUL ends it (the
            // line itself still runs to the LF).
            &self.text[start..self.next_nul]
        } else {
            let mut line = &self.text[start..lf.unwrap_or(len)];
            if let Some(&b'\r') = line.last() {
                line = &line[..line.len() - 1];
            }
            line
        };
        self.pos = next;
        self.line_no += 1;
        Some((start, line))
    }

    /// The next logical line, or None at end of file. A continuation still
    /// pending at EOF is dropped, as Dovecot drops it.
    #[cfg(test)]
    pub fn next_line(&mut self) -> Option<LogicalLine> {
        let mut line = LogicalLine::default();
        self.next_line_into(&mut line).then_some(line)
    }

    /// Like [`Reader::next_line`], reusing `pending`'s buffers (a big
    /// config has tens of thousands of lines).
    pub fn next_line_into(&mut self, pending: &mut LogicalLine) -> bool {
        pending.text.clear();
        pending.pieces.clear();
        loop {
            let Some((offset, raw)) = self.physical() else {
                return false;
            };
            // 1. leading whitespace; blank and comment lines are skip lines,
            //    and a skip line throws a pending continuation away.
            let lead = raw.iter().take_while(|&&b| is_white(b)).count();
            let body = &raw[lead..];
            if body.is_empty() || body[0] == b'#' {
                pending.text.clear();
                pending.pieces.clear();
                continue;
            }
            // 2. comment stripping, 3. trailing whitespace.
            let mut end = self.strip_comment(body, offset + lead);
            while end > 0 && is_white(body[end - 1]) {
                end -= 1;
            }
            let body = &body[..end];
            // 4. continuation: the test is the last character only.
            if let Some(b'\\') = body.last() {
                let mut cut = body.len() - 1;
                while cut > 0 && is_white(body[cut - 1]) {
                    cut -= 1;
                }
                if pending.pieces.len() >= 2 * MAX_CONTINUATIONS {
                    pending.overflow = true;
                } else if cut > 0 {
                    pending.push(&body[..cut], offset + lead);
                    // The joining space is made by the parser; it maps to
                    // the backslash it replaces.
                    pending.push(b" ", offset + lead + body.len() - 1);
                }
                continue;
            }
            if !pending.overflow {
                pending.push(body, offset + lead);
            }
            pending.line = self.line_no;
            return true;
        }
    }

    /// Where a comment starts in `body` (or its length). Quote runs hide
    /// `#`; an unterminated run stops the scan with nothing stripped.
    fn strip_comment(&mut self, body: &[u8], file_offset: usize) -> usize {
        let mut i = 0;
        while i < body.len() {
            // Only quotes and `#` matter outside a quote run: jump to them.
            match memchr::memchr3(b'"', b'\'', b'#', &body[i..]) {
                Some(k) => i += k,
                None => return body.len(),
            }
            match body[i] {
                q @ (b'"' | b'\'') => {
                    i += 1;
                    loop {
                        // Inside the run only its closing quote and
                        // backslash escapes matter.
                        match body.get(i..).and_then(|r| memchr::memchr2(b'\\', q, r)) {
                            Some(k) => i += k,
                            None => return body.len(),
                        }
                        if body[i] == b'\\' {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                }
                b'#' => {
                    if i > 0 && !is_white(body[i - 1]) && self.warnings.len() < MAX_WARNINGS {
                        self.warnings.push(AmbiguousHash {
                            line: self.line_no,
                            file_offset: file_offset + i,
                        });
                    }
                    return i;
                }
                _ => {}
            }
            i += 1;
        }
        body.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(t: &[u8]) -> Vec<(String, usize)> {
        let mut r = Reader::new(t);
        let mut v = Vec::new();
        while let Some(l) = r.next_line() {
            v.push((String::from_utf8_lossy(&l.text).into_owned(), l.line));
        }
        v
    }

    #[test]
    fn continuation_quirks() {
        assert_eq!(
            lines(b"a = one \\\n  two \\\n three\nb = x\\\ny\n"),
            [("a = one two three".into(), 3), ("b = x y".into(), 5)]
        );
        // a comment or blank line inside a continuation drops it
        assert_eq!(lines(b"a = 1 \\\n# c\nb = 2\n"), [("b = 2".into(), 3)]);
        assert_eq!(lines(b"a = 1 \\\n\nb = 2\n"), [("b = 2".into(), 3)]);
        // pending at EOF is dropped
        assert_eq!(lines(b"a = 1\nb = 2 \\"), [("a = 1".into(), 1)]);
        // two backslashes still continue
        assert_eq!(lines(b"a = x\\\\\nb = 2\n"), [("a = x\\ b = 2".into(), 2)]);
    }

    #[test]
    fn comments_quotes_nul_crlf() {
        let mut r = Reader::new(b"a = foo#bar\nb = it's # x\nc = \"x#\" # y\r\nd = ab\0cd\n");
        let mut got = Vec::new();
        while let Some(l) = r.next_line() {
            got.push(String::from_utf8_lossy(&l.text).into_owned());
        }
        assert_eq!(got, ["a = foo", "b = it's # x", "c = \"x#\"", "d = ab"]);
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].line, 1);
    }

    #[test]
    fn nul_ends_the_line_wherever_it_is() {
        // NULs on several lines, one before a CR, one in the last line
        // without LF; line numbers still count every physical line.
        let t = b"a = 1\0x\nb = 2\r\nc = 3\0\r\nd = \0\0\ne = 5\n\0\nf = 6\0tail";
        assert_eq!(
            lines(t),
            [
                ("a = 1".into(), 1),
                ("b = 2".into(), 2),
                ("c = 3".into(), 3),
                ("d =".into(), 4),
                ("e = 5".into(), 5),
                ("f = 6".into(), 7)
            ]
        );
        assert_eq!(lines(b"k = v\r\0\n"), [("k = v\r".into(), 1)]);
    }

    #[test]
    fn offsets_survive_continuation() {
        let t = b"k = ab \\\n   cd\n";
        let mut r = Reader::new(t);
        let l = r.next_line().unwrap();
        assert_eq!(l.text, b"k = ab cd");
        // 'c' is logical byte 7 and file byte 12
        assert_eq!(l.file_offset(7), 12);
        assert_eq!(t[l.file_offset(4)], b'a');
    }
}
