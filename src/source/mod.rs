//! Source text bookkeeping: byte spans and line/column lookup.
pub mod frame;
mod line_index;
mod span;

pub use line_index::LineIndex;
pub use span::Span;
