//! Keeping secrets out of output (filled in by its own change).
