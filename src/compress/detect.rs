//! Recognising a compressed object by its first bytes, in the order and
//! with the checks Dovecot's lib-compression uses.
use super::Algo;
use super::lz4::MAGIC as LZ4_MAGIC;

/// How many leading bytes [`detect`] may need to decide.
pub const DETECT_LEN: usize = 16;

/// The algorithm whose header `head` starts with, if any. `head` may be
/// shorter than [`DETECT_LEN`] only at the end of the data.
pub fn detect(head: &[u8]) -> Option<Algo> {
    if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
        return Some(Algo::Gz);
    }
    if is_bz2(head) {
        return Some(Algo::Bz2);
    }
    if head.len() >= LZ4_MAGIC.len() && head[..LZ4_MAGIC.len()] == LZ4_MAGIC[..] {
        return Some(Algo::Lz4);
    }
    if head.len() >= 4 && u32::from_le_bytes([head[0], head[1], head[2], head[3]]) == 0xFD2F_B528 {
        return Some(Algo::Zstd);
    }
    None
}

/// "BZh" + block size digit, followed by the block magic (pi) or, for an
/// empty stream, the end-of-stream magic (sqrt(pi)).
fn is_bz2(h: &[u8]) -> bool {
    if h.len() < 10 || &h[..3] != b"BZh" || !(b'1'..=b'9').contains(&h[3]) {
        return false;
    }
    h[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
        || h[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plaintext_is_not_detected() {
        assert_eq!(detect(b"From: a@b\r\nSubject: x\r\n"), None);
        assert_eq!(detect(b""), None);
        assert_eq!(detect(b"BZh9 not really"), None);
    }
}
