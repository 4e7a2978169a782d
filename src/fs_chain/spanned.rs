use crate::source::Span;
use serde::Serialize;

/// A value together with the byte range of `parse`'s input it was read
/// from. Lints need the range to point at one parameter inside a URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    pub value: T,
    #[serde(serialize_with = "super::ser_span")]
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl Spanned<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}
