/// A half-open byte range `start..end` inside one source text.
///
/// Spans are stored as byte offsets; line and column are computed only when
/// a diagnostic is rendered (see [`super::LineIndex`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// Move a span that is relative to some sub-string so that it is
    /// relative to the string the sub-string starts at `base` in.
    pub const fn shift(self, base: usize) -> Self {
        Span::new(self.start + base, self.end + base)
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Self {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}
