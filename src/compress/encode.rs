//! Streaming encoders: wrap a plaintext `Read` so it yields the object as
//! the compress layer stores it.
use super::lz4::Lz4Encoder;
use super::{Algo, CompressSpec};
use std::io::{self, Read};

/// Wrap `input` so that reading it yields `spec`'s compressed form. Level 0
/// passes plaintext through, as Dovecot does.
pub fn encoder<R: Read + Send + 'static>(
    input: R,
    spec: CompressSpec,
) -> io::Result<Box<dyn Read + Send>> {
    if spec.writes_plaintext() {
        return Ok(Box::new(input));
    }
    Ok(match spec.algo {
        Algo::Gz => Box::new(flate2::read::GzEncoder::new(
            input,
            flate2::Compression::new(spec.level as u32),
        )),
        Algo::Bz2 => Box::new(bzip2::read::BzEncoder::new(
            input,
            bzip2::Compression::new(spec.level as u32),
        )),
        Algo::Lz4 => Box::new(Lz4Encoder::new(input)),
        Algo::Zstd => Box::new(zstd::stream::read::Encoder::new(input, spec.level)?),
    })
}
