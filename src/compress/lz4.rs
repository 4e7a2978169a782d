//! Dovecot's LZ4 object format. LZ4 has no standard container that Dovecot
//! uses; instead it writes its own: a 15-byte magic, the largest
//! uncompressed chunk size (4 bytes, big-endian), then a sequence of chunks,
//! each a 4-byte big-endian compressed length followed by one raw LZ4 block
//! of at most that many uncompressed bytes. Dovecot writes 64 KiB chunks and
//! accepts up to 1 MiB when reading.
use super::error::{CompressError, CompressErrorKind};
use std::io::{self, Read, Write};

/// The magic that starts every Dovecot LZ4 object.
pub const MAGIC: [u8; 15] = *b"Dovecot-LZ4\x0d\x2a\x9b\xc5";
/// Uncompressed bytes per chunk when writing.
pub const WRITE_CHUNK: usize = 64 * 1024;
/// Largest uncompressed chunk a reader accepts.
pub const READ_CHUNK_MAX: usize = 1024 * 1024;
const HEADER_LEN: usize = MAGIC.len() + 4;

/// The worst-case size of one compressed block of `n` input bytes.
fn bound(n: usize) -> usize {
    n + n / 255 + 16
}

fn corrupt(why: impl Into<String>) -> io::Error {
    CompressError::new(CompressErrorKind::Corrupt(why.into())).into()
}

/// A `Read` adapter producing the Dovecot LZ4 format from plaintext.
pub struct Lz4Encoder<R: Read> {
    inner: R,
    input: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<R: Read> Lz4Encoder<R> {
    pub fn new(inner: R) -> Self {
        let mut out = Vec::with_capacity(4 + bound(WRITE_CHUNK));
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&(WRITE_CHUNK as u32).to_be_bytes());
        Lz4Encoder {
            inner,
            input: vec![0; WRITE_CHUNK],
            out,
            pos: 0,
            done: false,
        }
    }

    /// Read one full chunk (or the tail) and compress it into `out`.
    fn refill(&mut self) -> io::Result<()> {
        let mut n = 0;
        while n < WRITE_CHUNK {
            match self.inner.read(&mut self.input[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.out.clear();
        self.pos = 0;
        if n == 0 {
            self.done = true;
            return Ok(());
        }
        let block = lz4_flex::block::compress(&self.input[..n]);
        self.out
            .extend_from_slice(&(block.len() as u32).to_be_bytes());
        self.out.extend_from_slice(&block);
        Ok(())
    }
}

impl<R: Read> Read for Lz4Encoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.out.len() {
            if self.done {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A `Write` adapter that decodes the Dovecot LZ4 format into `inner`.
/// Memory is bounded by one chunk (≤ 1 MiB plus its compressed form).
pub struct Lz4Decoder<W: Write> {
    inner: W,
    pending: Vec<u8>,
    max_chunk: Option<usize>,
    out: Vec<u8>,
}

impl<W: Write> Lz4Decoder<W> {
    pub fn new(inner: W) -> Self {
        Lz4Decoder {
            inner,
            pending: Vec::new(),
            max_chunk: None,
            out: Vec::new(),
        }
    }

    /// Decode every complete unit (the header, then whole chunks) in `pending`.
    fn drain(&mut self) -> io::Result<()> {
        let mut at = 0;
        loop {
            let avail = &self.pending[at..];
            match self.max_chunk {
                None => {
                    if avail.len() < HEADER_LEN {
                        break;
                    }
                    if avail[..MAGIC.len()] != MAGIC {
                        return Err(corrupt("missing Dovecot-LZ4 header"));
                    }
                    let m = &avail[MAGIC.len()..HEADER_LEN];
                    let max = u32::from_be_bytes([m[0], m[1], m[2], m[3]]) as usize;
                    if max == 0 || max > READ_CHUNK_MAX {
                        return Err(corrupt(format!("lz4 max chunk size {max} out of range")));
                    }
                    self.max_chunk = Some(max);
                    self.out = vec![0; max];
                    at += HEADER_LEN;
                }
                Some(max) => {
                    if avail.len() < 4 {
                        break;
                    }
                    let len = u32::from_be_bytes([avail[0], avail[1], avail[2], avail[3]]) as usize;
                    if len == 0 || len > bound(max) {
                        return Err(corrupt(format!("lz4 chunk length {len} out of range")));
                    }
                    if avail.len() < 4 + len {
                        break;
                    }
                    let n = lz4_flex::block::decompress_into(&avail[4..4 + len], &mut self.out)
                        .map_err(|e| corrupt(format!("lz4 block: {e}")))?;
                    self.inner.write_all(&self.out[..n])?;
                    at += 4 + len;
                }
            }
        }
        self.pending.drain(..at);
        Ok(())
    }

    /// The sink, for pull-style wrappers that drain it between writes.
    pub fn inner_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// End of input: anything left over means the object was cut short.
    pub fn finish(mut self) -> io::Result<W> {
        self.drain()?;
        if self.max_chunk.is_none() || !self.pending.is_empty() {
            return Err(corrupt("lz4 data truncated"));
        }
        self.inner.flush()?;
        Ok(self.inner)
    }
}

impl<W: Write> Write for Lz4Decoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.drain()?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_framing() {
        let data: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let mut enc = Vec::new();
        Lz4Encoder::new(&data[..]).read_to_end(&mut enc).unwrap();
        assert_eq!(&enc[..15], &MAGIC);
        assert_eq!(&enc[15..19], &(65536u32).to_be_bytes());
        let mut dec = Lz4Decoder::new(Vec::new());
        for piece in enc.chunks(777) {
            dec.write_all(piece).unwrap();
        }
        assert_eq!(dec.finish().unwrap(), data);
        let mut cut = Lz4Decoder::new(Vec::new());
        cut.write_all(&enc[..enc.len() - 3]).unwrap();
        assert!(cut.finish().is_err());
    }
}
