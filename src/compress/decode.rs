//! Streaming decoders that detect the format from the data, as a `Read`
//! adapter ([`decoder`]) and as a `Write` adapter ([`DecodeWriter`]) for
//! push-style downloads.
use super::Algo;
use super::detect::{DETECT_LEN, detect};
use super::error::{CompressError, CompressErrorKind};
use super::lz4::Lz4Decoder;
use std::io::{self, Cursor, Read, Write};
use std::thread::JoinHandle;

/// Wrap `input` (an object as stored) so reading yields its plaintext.
/// The format is detected from the first bytes; with `maybe`, data with no
/// known header is returned unchanged, otherwise it is an error. An empty
/// object reads as empty either way.
pub fn decoder<R: Read + Send + 'static>(
    mut input: R,
    maybe: bool,
) -> io::Result<Box<dyn Read + Send>> {
    let mut head = Vec::with_capacity(DETECT_LEN);
    let mut chunk = [0u8; DETECT_LEN];
    while head.len() < DETECT_LEN {
        match input.read(&mut chunk[..DETECT_LEN - head.len()]) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let algo = detect(&head);
    let whole = Cursor::new(head).chain(input);
    Ok(match algo {
        Some(Algo::Gz) => Box::new(flate2::read::MultiGzDecoder::new(whole)),
        Some(Algo::Bz2) => Box::new(bzip2::read::MultiBzDecoder::new(whole)),
        Some(Algo::Zstd) => Box::new(zstd::stream::read::Decoder::new(whole)?),
        Some(Algo::Lz4) => Box::new(Lz4Reader::new(whole)),
        None if maybe || whole.get_ref().0.get_ref().is_empty() => Box::new(whole),
        None => return Err(CompressError::new(CompressErrorKind::NotCompressed).into()),
    })
}

/// Pull-style wrapper around the push-style [`Lz4Decoder`].
struct Lz4Reader<R: Read> {
    input: R,
    dec: Option<Lz4Decoder<Vec<u8>>>,
    out: Vec<u8>,
    pos: usize,
}

impl<R: Read> Lz4Reader<R> {
    fn new(input: R) -> Self {
        Lz4Reader {
            input,
            dec: Some(Lz4Decoder::new(Vec::new())),
            out: Vec::new(),
            pos: 0,
        }
    }
}

impl<R: Read> Read for Lz4Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut inbuf = [0u8; 64 * 1024];
        while self.pos == self.out.len() {
            let Some(dec) = self.dec.as_mut() else {
                return Ok(0);
            };
            let n = self.input.read(&mut inbuf)?;
            self.out.clear();
            self.pos = 0;
            if n == 0 {
                let dec = self.dec.take().expect("checked above");
                self.out = dec.finish()?;
            } else {
                dec.write_all(&inbuf[..n])?;
                std::mem::swap(&mut self.out, dec_output(dec));
            }
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn dec_output(dec: &mut Lz4Decoder<Vec<u8>>) -> &mut Vec<u8> {
    dec.inner_mut()
}

/// A `Write` adapter: bytes of a stored object go in, plaintext comes out
/// of `sink`. Decoding runs on a helper thread reading from a pipe, so the
/// pull-style decoders (which notice truncated input) can be used by a
/// push-style download. Call [`DecodeWriter::finish`] at the end: it reports
/// corrupt or truncated data and returns the sink.
pub struct DecodeWriter<W: Write + Send + 'static> {
    pipe: Option<io::PipeWriter>,
    worker: Option<JoinHandle<io::Result<W>>>,
}

impl<W: Write + Send + 'static> DecodeWriter<W> {
    pub fn new(mut sink: W, maybe: bool) -> io::Result<Self> {
        let (reader, writer) = io::pipe()?;
        let worker = std::thread::spawn(move || -> io::Result<W> {
            let mut plain = decoder(reader, maybe)?;
            io::copy(&mut plain, &mut sink)?;
            sink.flush()?;
            Ok(sink)
        });
        Ok(DecodeWriter {
            pipe: Some(writer),
            worker: Some(worker),
        })
    }

    /// Signal end of input and wait for the decoder.
    pub fn finish(mut self) -> io::Result<W> {
        self.pipe = None;
        self.join()
    }

    fn join(&mut self) -> io::Result<W> {
        match self.worker.take().map(|h| h.join()) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(io::Error::other("decoder thread panicked")),
            None => Err(io::Error::other("decoder already finished")),
        }
    }

    /// The decoder stopped reading (it failed): fetch its real error.
    fn worker_error(&mut self) -> io::Error {
        self.pipe = None;
        match self.join() {
            Err(e) => e,
            Ok(_) => io::Error::new(
                io::ErrorKind::InvalidData,
                "trailing data after the compressed stream",
            ),
        }
    }
}

impl<W: Write + Send + 'static> Write for DecodeWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(pipe) = self.pipe.as_mut() else {
            return Err(io::Error::other("decoder already failed"));
        };
        match pipe.write_all(buf) {
            Ok(()) => Ok(buf.len()),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(self.worker_error()),
            Err(e) => Err(e),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write + Send + 'static> Drop for DecodeWriter<W> {
    fn drop(&mut self) {
        self.pipe = None;
        if let Some(h) = self.worker.take() {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compress::{CompressSpec, encoder};

    fn sample() -> Vec<u8> {
        (0..300_000u32)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect()
    }

    #[test]
    fn every_algo_round_trips_and_detects_truncation() {
        let data = sample();
        for spec in ["gz:6", "bz2:9", "lz4:1", "zstd:3"] {
            let spec = CompressSpec::parse(spec).unwrap();
            let mut enc = Vec::new();
            encoder(Cursor::new(data.clone()), spec)
                .unwrap()
                .read_to_end(&mut enc)
                .unwrap();
            assert!(enc.len() < data.len() / 2, "{spec} compresses");
            let mut w = DecodeWriter::new(Vec::new(), false).unwrap();
            for piece in enc.chunks(10_000) {
                w.write_all(piece).unwrap();
            }
            assert_eq!(w.finish().unwrap(), data, "{spec}");
            let mut w = DecodeWriter::new(Vec::new(), false).unwrap();
            let cut = &enc[..enc.len() * 2 / 3];
            let r = w.write_all(cut).and_then(|_| w.finish().map(|_| ()));
            assert!(r.is_err(), "{spec}: truncated input must fail");
        }
    }

    #[test]
    fn plaintext_needs_maybe() {
        let mut w = DecodeWriter::new(Vec::new(), true).unwrap();
        w.write_all(b"hello plain").unwrap();
        assert_eq!(w.finish().unwrap(), b"hello plain");
        let mut w = DecodeWriter::new(Vec::new(), false).unwrap();
        let r = w
            .write_all(b"hello plain")
            .and_then(|_| w.finish().map(|_| ()));
        assert!(r.is_err());
    }
}
