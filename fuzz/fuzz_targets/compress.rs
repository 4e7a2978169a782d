//! The compress-layer decoders (gz, bz2, zstd, Dovecot lz4), detected from
//! the data as `get` does. Output is read in bounded chunks and capped, so
//! a decompression bomb costs time proportional to the cap only.
#![no_main]
use libfuzzer_sys::fuzz_target;
use obox_cli::compress::decode::decoder;
use std::io::Read;

const CAP: usize = 4 << 20;

fuzz_target!(|data: &[u8]| {
    for maybe in [false, true] {
        let Ok(mut r) = decoder(std::io::Cursor::new(data.to_vec()), maybe) else {
            continue;
        };
        let mut buf = [0u8; 64 * 1024];
        let mut total = 0;
        while total < CAP {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    }
});
