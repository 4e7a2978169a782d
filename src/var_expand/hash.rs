//! `%{ALGO[;OPTS]:FIELD}` (spec §2.4): digests of a variable, with rounds,
//! salt, bit truncation and hex/base64 output, plus `pkcs5` (PBKDF2).
use super::parser::{Parser, parse_template};
use super::template::{LongKey, Template};
use crate::source::Span;
use base64::Engine as _;

/// Most hash rounds obox-cli computes. Dovecot accepts up to 2^32-1, which
/// would take hours; beyond this the expansion fails instead.
pub const MAX_ROUNDS: u32 = 1_000_000;
/// Most PBKDF2 iterations (each costs 11 HMAC blocks here).
pub const MAX_PKCS5_ROUNDS: u32 = 100_000;

/// The hash methods Dovecot 2.3 knows, plus `pkcs5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlgo {
    Md4,
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
    Sha3_256,
    Sha3_512,
    /// The input length as an 8-byte big-endian number.
    Size,
    /// PBKDF2-HMAC-SHA256.
    Pkcs5,
}

impl HashAlgo {
    /// Exact, case-sensitive lookup, as Dovecot's `hash_method_lookup`.
    pub fn from_name(name: &[u8]) -> Option<HashAlgo> {
        Some(match name {
            b"md4" => HashAlgo::Md4,
            b"md5" => HashAlgo::Md5,
            b"sha1" => HashAlgo::Sha1,
            b"sha256" => HashAlgo::Sha256,
            b"sha384" => HashAlgo::Sha384,
            b"sha512" => HashAlgo::Sha512,
            b"sha3-256" => HashAlgo::Sha3_256,
            b"sha3-512" => HashAlgo::Sha3_512,
            b"size" => HashAlgo::Size,
            b"pkcs5" => HashAlgo::Pkcs5,
            _ => return None,
        })
    }

    /// Digest length in bytes (for pkcs5: of its sha256 method).
    pub fn digest_size(self) -> usize {
        match self {
            HashAlgo::Md4 | HashAlgo::Md5 => 16,
            HashAlgo::Sha1 => 20,
            HashAlgo::Sha256 | HashAlgo::Sha3_256 | HashAlgo::Pkcs5 => 32,
            HashAlgo::Sha384 => 48,
            HashAlgo::Sha512 | HashAlgo::Sha3_512 => 64,
            HashAlgo::Size => 8,
        }
    }

    /// `out = ALGO(salt ‖ data)`.
    fn digest(self, salt: &[u8], data: &[u8], out: &mut Vec<u8>) {
        fn run<D: sha2::Digest>(salt: &[u8], data: &[u8], out: &mut Vec<u8>) {
            let mut h = D::new();
            h.update(salt);
            h.update(data);
            out.clear();
            out.extend_from_slice(&h.finalize());
        }
        match self {
            HashAlgo::Md4 => run::<md4::Md4>(salt, data, out),
            HashAlgo::Md5 => run::<md5::Md5>(salt, data, out),
            HashAlgo::Sha1 => run::<sha1::Sha1>(salt, data, out),
            HashAlgo::Sha256 | HashAlgo::Pkcs5 => run::<sha2::Sha256>(salt, data, out),
            HashAlgo::Sha384 => run::<sha2::Sha384>(salt, data, out),
            HashAlgo::Sha512 => run::<sha2::Sha512>(salt, data, out),
            HashAlgo::Sha3_256 => run::<sha3::Sha3_256>(salt, data, out),
            HashAlgo::Sha3_512 => run::<sha3::Sha3_512>(salt, data, out),
            HashAlgo::Size => {
                let n = (salt.len() as u64).wrapping_add(data.len() as u64);
                out.clear();
                out.extend_from_slice(&n.to_be_bytes());
            }
        }
    }
}

/// Output encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashFormat {
    Hex,
    /// Accepted, but Dovecot 2.3 prints lowercase anyway.
    HexUc,
    Base64,
}

/// Why the option list was rejected. Dovecot checks the options only after
/// the field was found, so this is kept and reported at expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashArgError {
    RoundsNotNumber(Vec<u8>),
    RoundsZero,
    TruncateNotNumber(Vec<u8>),
    UnsupportedFormat(Vec<u8>),
}

impl HashArgError {
    /// Dovecot's message text.
    pub fn message(&self) -> Vec<u8> {
        let mut m = b"Cannot parse hash arguments:".to_vec();
        match self {
            HashArgError::RoundsNotNumber(v) => {
                m.push(b'\'');
                m.extend_from_slice(v);
                m.extend_from_slice(b"' is not number for rounds");
            }
            HashArgError::RoundsZero => m.extend_from_slice(b"rounds must be at least 1"),
            HashArgError::TruncateNotNumber(v) => {
                m.push(b'\'');
                m.extend_from_slice(v);
                m.extend_from_slice(b"' is not number for truncbits");
            }
            HashArgError::UnsupportedFormat(v) => {
                m.push(b'\'');
                m.extend_from_slice(v);
                m.extend_from_slice(b"' is not supported format");
            }
        }
        m
    }
}

/// A parsed hash call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashCall {
    pub algo: HashAlgo,
    /// The field text (after the first `:`), itself a long key.
    pub field_span: Span,
    pub field: LongKey,
    /// For pkcs5 the default salt is the field's *name*.
    pub(crate) field_text: Vec<u8>,
    pub rounds: u32,
    pub truncate_bits: u32,
    pub format: HashFormat,
    /// `salt=...`, a template of its own. Options after it are ignored.
    pub salt: Option<Template>,
    pub salt_span: Option<Span>,
    pub arg_error: Option<HashArgError>,
}

impl HashCall {
    /// `name` is `ALGO[;OPTS]`, `data` the field text.
    pub(crate) fn parse(
        p: &Parser<'_>,
        algo: HashAlgo,
        name: Span,
        data: Span,
        depth: u32,
    ) -> HashCall {
        let mut call = HashCall {
            algo,
            field_span: data,
            field: p.classify_long(data, depth),
            field_text: p.src[data.start..data.end].to_vec(),
            rounds: if algo == HashAlgo::Pkcs5 { 2048 } else { 1 },
            truncate_bits: 0,
            format: HashFormat::Hex,
            salt: None,
            salt_span: None,
            arg_error: None,
        };
        let name_b = &p.src[name.start..name.end];
        let Some(semi) = name_b.iter().position(|&c| c == b';') else {
            return call;
        };
        let mut pos = name.start + semi + 1;
        // Options are split on every `,`; items without `=` and unknown
        // keys are skipped; the first bad value stops everything.
        for item in p.src[pos..name.end].split(|&c| c == b',') {
            let item_start = pos;
            pos += item.len() + 1;
            let Some(eq) = item.iter().position(|&c| c == b'=') else {
                continue;
            };
            let (k, v) = (&item[..eq], &item[eq + 1..]);
            match k {
                b"rounds" => match parse_u32(v) {
                    None => {
                        call.arg_error = Some(HashArgError::RoundsNotNumber(v.to_vec()));
                        break;
                    }
                    Some(0) => {
                        call.arg_error = Some(HashArgError::RoundsZero);
                        break;
                    }
                    Some(n) => call.rounds = n,
                },
                b"truncate" => match parse_u32(v) {
                    None => {
                        call.arg_error = Some(HashArgError::TruncateNotNumber(v.to_vec()));
                        break;
                    }
                    Some(n) => call.truncate_bits = n.min(algo.digest_size() as u32 * 8),
                },
                b"salt" => {
                    let start = item_start + eq + 1;
                    call.salt_span = Some(Span::new(start, start + v.len()));
                    call.salt = Some(parse_template(v, depth));
                    break;
                }
                b"format" => match v {
                    b"hex" => call.format = HashFormat::Hex,
                    b"hexuc" => call.format = HashFormat::HexUc,
                    b"base64" => call.format = HashFormat::Base64,
                    _ => {
                        call.arg_error = Some(HashArgError::UnsupportedFormat(v.to_vec()));
                        break;
                    }
                },
                _ => {}
            }
        }
        call
    }

    /// Hash `value` with `salt` and write the encoded result to `out`.
    /// Returns false when the rounds exceed obox-cli's limits.
    pub(crate) fn compute(&self, value: &[u8], salt: &[u8], out: &mut Vec<u8>) -> bool {
        let mut buf = Vec::with_capacity(64);
        if self.algo == HashAlgo::Pkcs5 {
            if self.rounds > MAX_PKCS5_ROUNDS {
                return false;
            }
            // Dovecot asks for HMAC_MAX_CONTEXT_SIZE (336) bytes of key.
            buf.resize(336, 0);
            pbkdf2::pbkdf2_hmac::<sha2::Sha256>(value, salt, self.rounds, &mut buf);
        } else {
            if self.rounds > MAX_ROUNDS {
                return false;
            }
            let mut next = Vec::with_capacity(64);
            buf.extend_from_slice(value);
            for _ in 0..self.rounds {
                self.algo.digest(salt, &buf, &mut next);
                std::mem::swap(&mut buf, &mut next);
            }
        }
        truncate_rshift_bits(&mut buf, self.truncate_bits as usize);
        match self.format {
            HashFormat::Hex | HashFormat::HexUc => super::modifier::push_hex_bytes(out, &buf),
            HashFormat::Base64 => {
                let s = base64::engine::general_purpose::STANDARD.encode(&buf);
                out.extend_from_slice(s.as_bytes());
            }
        }
        true
    }
}

/// Unsigned 32-bit decimal (Dovecot's `str_to_uint`).
fn parse_u32(v: &[u8]) -> Option<u32> {
    super::modifier::parse_u64(v).and_then(|n| u32::try_from(n).ok())
}

/// Keep the first `bits` bits, right-aligned: ceil(bits/8) bytes shifted
/// right as one big-endian number. No-op for 0 bits or a shorter buffer.
fn truncate_rshift_bits(buf: &mut Vec<u8>, bits: usize) {
    if bits == 0 || buf.len() * 8 < bits {
        return;
    }
    buf.truncate(bits.div_ceil(8));
    let rem = bits % 8;
    if rem > 0 {
        let shift = 8 - rem;
        for i in (1..buf.len()).rev() {
            buf[i] = (buf[i] >> shift) | (buf[i - 1] << rem);
        }
        buf[0] >>= shift;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_shifts_right() {
        let mut b = vec![0xc1, 0x60, 0xf8];
        truncate_rshift_bits(&mut b, 12);
        assert_eq!(b, vec![0x0c, 0x16]);
        let mut b = vec![0xff];
        truncate_rshift_bits(&mut b, 1);
        assert_eq!(b, vec![0x01]);
        let mut b = vec![0xab, 0xcd];
        truncate_rshift_bits(&mut b, 16);
        assert_eq!(b, vec![0xab, 0xcd]);
        let mut b = vec![0xab];
        truncate_rshift_bits(&mut b, 0);
        assert_eq!(b, vec![0xab]);
    }

    #[test]
    fn algorithm_lookup_is_case_sensitive() {
        assert_eq!(HashAlgo::from_name(b"md5"), Some(HashAlgo::Md5));
        assert_eq!(HashAlgo::from_name(b"MD5"), None);
        assert_eq!(HashAlgo::from_name(b"sha3-512"), Some(HashAlgo::Sha3_512));
    }

    #[test]
    fn option_errors_have_dovecots_text() {
        assert_eq!(
            HashArgError::RoundsNotNumber(b"x".to_vec()).message(),
            b"Cannot parse hash arguments:'x' is not number for rounds"
        );
        assert_eq!(
            HashArgError::RoundsZero.message(),
            b"Cannot parse hash arguments:rounds must be at least 1"
        );
    }
}
