//! Dovecot's fs `compress` layer: the object formats it writes and reads.
//!
//! Writing uses one configured algorithm and level; reading detects the
//! format from the first bytes of the object (the way Dovecot's
//! lib-compression does), so objects written with another algorithm still
//! read back. With the `maybe-` prefix, data that carries no known header is
//! passed through as plaintext; without it, such data is an error.
//!
//! * [`algo`]: algorithm names, level ranges and the `[maybe-]ALGO:LEVEL` spec
//! * [`detect`]: format detection by magic bytes
//! * [`encode`]: streaming `Read` encoders
//! * [`decode`]: a streaming `Write` decoder that detects the format itself
//! * [`lz4`]: Dovecot's own framing around LZ4 blocks
pub mod algo;
pub mod decode;
pub mod detect;
pub mod encode;
pub mod error;
pub mod lz4;

pub use algo::{Algo, CompressSpec};
pub use decode::DecodeWriter;
pub use detect::detect;
pub use encode::encoder;
pub use error::{CompressError, CompressErrorKind};
