use super::Span;

/// Maps byte offsets to 1-based (line, column) pairs. Built once per file.
///
/// Lines are split at LF only, as Dovecot's reader does; a CR before the LF
/// belongs to the line but is never counted as a column by callers that
/// trim it. Columns count Unicode scalar values (invalid UTF-8 bytes count
/// one column each), which is what editors and SARIF consumers expect.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &[u8]) -> Self {
        // Configs average a few dozen bytes a line: reserve about enough.
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1));
        LineIndex { line_starts }
    }

    /// 1-based line number of `offset`.
    pub fn line(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// Byte range of 1-based `line`, without its LF.
    pub fn line_span(&self, line: usize, text: &[u8]) -> Span {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map_or(text.len(), |next| next - 1);
        Span::new(start, end.max(start))
    }

    /// 1-based (line, column) of `offset`; the column counts characters.
    pub fn line_col(&self, offset: usize, text: &[u8]) -> (usize, usize) {
        let line = self.line(offset);
        let start = self.line_starts[line - 1];
        let end = offset.min(text.len());
        let col = String::from_utf8_lossy(&text[start..end.max(start)])
            .chars()
            .count();
        (line, col + 1)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let t = b"ab\nc\xc3\xa9d\n\nx";
        let li = LineIndex::new(t);
        assert_eq!(li.line_col(0, t), (1, 1));
        assert_eq!(li.line_col(3, t), (2, 1));
        // 'd' follows a two-byte character: column 3
        assert_eq!(li.line_col(6, t), (2, 3));
        assert_eq!(li.line_col(8, t), (3, 1));
        assert_eq!(li.line_col(9, t), (4, 1));
        assert_eq!(li.line_count(), 4);
        assert_eq!(li.line_span(2, t), Span::new(3, 7));
    }
}
