//! The ten modifier letters (spec §2.2) and what each does to a value.
//!
//! Modifiers run left to right on bytes, never on characters. `H` and `N`
//! also consume the directive's width and offset, which is why they get the
//! [`Frame`] mutably.
use md5::{Digest, Md5};

/// Most modifiers one directive may carry; an 11th letter is the key.
pub const MAX_MODIFIERS: usize = 10;

/// One modifier letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    /// `L`: ASCII lowercase.
    Lower,
    /// `U`: ASCII uppercase.
    Upper,
    /// `E`: backslash before `"`, `'` and `\`.
    Escape,
    /// `X`: decimal to lowercase hex (0 when not a plain number).
    Hex,
    /// `R`: reverse the bytes.
    Reverse,
    /// `H`: Dovecot's 32-bit string hash.
    Hash,
    /// `N`: low 32 bits of an md5-derived 64-bit number.
    NewHash,
    /// `M`: md5 as 32 lowercase hex digits.
    Md5,
    /// `D`: `.` becomes `,dc=`.
    LdapDn,
    /// `T`: trim trailing whitespace.
    Trim,
}

impl Modifier {
    pub fn from_byte(c: u8) -> Option<Modifier> {
        Some(match c {
            b'L' => Modifier::Lower,
            b'U' => Modifier::Upper,
            b'E' => Modifier::Escape,
            b'X' => Modifier::Hex,
            b'R' => Modifier::Reverse,
            b'H' => Modifier::Hash,
            b'N' => Modifier::NewHash,
            b'M' => Modifier::Md5,
            b'D' => Modifier::LdapDn,
            b'T' => Modifier::Trim,
            _ => return None,
        })
    }

    pub fn letter(self) -> char {
        match self {
            Modifier::Lower => 'L',
            Modifier::Upper => 'U',
            Modifier::Escape => 'E',
            Modifier::Hex => 'X',
            Modifier::Reverse => 'R',
            Modifier::Hash => 'H',
            Modifier::NewHash => 'N',
            Modifier::Md5 => 'M',
            Modifier::LdapDn => 'D',
            Modifier::Trim => 'T',
        }
    }

    /// Write the modified `input` to `out` (cleared first). `H` and `N` read
    /// and reset the frame's width and offset.
    pub(crate) fn apply(self, input: &[u8], frame: &mut Frame, out: &mut Vec<u8>) {
        out.clear();
        match self {
            Modifier::Lower => out.extend(input.iter().map(u8::to_ascii_lowercase)),
            Modifier::Upper => out.extend(input.iter().map(u8::to_ascii_uppercase)),
            Modifier::Escape => {
                for &c in input {
                    if matches!(c, b'"' | b'\'' | b'\\') {
                        out.push(b'\\');
                    }
                    out.push(c);
                }
            }
            Modifier::Hex => push_hex(out, parse_u64(input).unwrap_or(0)),
            Modifier::Reverse => out.extend(input.iter().rev()),
            Modifier::Hash => {
                let mut v = str_hash(input);
                if frame.width != 0 {
                    // C converts the int width to unsigned int for `%=`.
                    v %= frame.width as u32;
                    frame.width = 0;
                }
                push_hex(out, u64::from(v));
                frame.take_hash_padding(out);
            }
            Modifier::NewHash => {
                let (d, _) = md5_memo(input);
                let mut v = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]);
                if frame.width != 0 {
                    // Here the int width is sign-extended to 64 bits.
                    v %= frame.width as i64 as u64;
                    frame.width = 0;
                }
                // Only the low 32 bits are printed (a cast in Dovecot).
                push_hex(out, v & 0xffff_ffff);
                frame.take_hash_padding(out);
            }
            Modifier::Md5 => out.extend_from_slice(&md5_memo(input).1),
            Modifier::LdapDn => {
                for &c in input {
                    if c == b'.' {
                        out.extend_from_slice(b",dc=");
                    } else {
                        out.push(c);
                    }
                }
            }
            Modifier::Trim => {
                let keep = input
                    .iter()
                    .rposition(|c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
                    .map_or(0, |i| i + 1);
                out.extend_from_slice(&input[..keep]);
            }
        }
    }
}

/// The per-directive numbers that modifiers may change.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Frame {
    pub offset: i32,
    pub width: i32,
    /// Set when `H`/`N` asked for more zero padding than obox-cli allows.
    pub overflow: bool,
}

/// Largest zero padding obox-cli produces. Dovecot would happily write
/// gigabytes for `%02000000000u`; we stop with an error instead.
pub const MAX_PADDING: usize = 1 << 20;

impl Frame {
    /// `H`/`N`: left-pad the hex to `offset` characters, then clear the
    /// offset so it does not also skip bytes.
    fn take_hash_padding(&mut self, out: &mut Vec<u8>) {
        let want = self.offset;
        self.offset = 0;
        if want > 0 && (want as usize) > out.len() {
            let pad = want as usize - out.len();
            if pad > MAX_PADDING {
                self.overflow = true;
                return;
            }
            out.splice(0..0, std::iter::repeat_n(b'0', pad));
        }
    }
}

/// md5 of `input` and its lowercase hex, remembering the last input:
/// templates such as `%8Mu/%u` and `/var/cache/%4Nu` hash the same
/// username again and again, and a batch of users (`path --stdin`)
/// expands several of them per user.
fn md5_memo(input: &[u8]) -> ([u8; 16], [u8; 32]) {
    use std::cell::RefCell;
    struct Last {
        input: Vec<u8>,
        digest: [u8; 16],
        hex: [u8; 32],
        valid: bool,
    }
    thread_local! {
        static LAST: RefCell<Last> = const {
            RefCell::new(Last { input: Vec::new(), digest: [0; 16], hex: [0; 32], valid: false })
        };
    }
    LAST.with(|l| {
        let mut l = l.borrow_mut();
        if !(l.valid && l.input == input) {
            let d: [u8; 16] = Md5::digest(input).into();
            hex::encode_to_slice(d, &mut l.hex).expect("32 hex digits for 16 bytes");
            l.digest = d;
            l.input.clear();
            l.input.extend_from_slice(input);
            l.valid = true;
        }
        (l.digest, l.hex)
    })
}

/// Dovecot's `str_hash` (a PJW/ELF-style hash) over bytes.
pub fn str_hash(s: &[u8]) -> u32 {
    let mut h: u32 = 0;
    for &c in s {
        h = (h << 4).wrapping_add(u32::from(c));
        let g = h & 0xf000_0000;
        if g != 0 {
            h ^= g >> 24;
            h ^= g;
        }
    }
    h
}

/// Unsigned decimal with no sign, no spaces, no overflow (Dovecot's
/// `str_to_ullong`).
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(n)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex without leading zeros (`printf("%x")`).
pub fn push_hex(out: &mut Vec<u8>, v: u64) {
    let digits = if v == 0 {
        1
    } else {
        (64 - v.leading_zeros()).div_ceil(4) as usize
    };
    for i in (0..digits).rev() {
        out.push(HEX[((v >> (i * 4)) & 0xf) as usize]);
    }
}

/// Lowercase hex of every byte.
pub fn push_hex_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    let start = out.len();
    out.resize(start + 2 * bytes.len(), 0);
    hex::encode_to_slice(bytes, &mut out[start..]).expect("two digits per byte");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(m: Modifier, input: &[u8], offset: i32, width: i32) -> (Vec<u8>, Frame) {
        let mut f = Frame {
            offset,
            width,
            overflow: false,
        };
        let mut out = Vec::new();
        m.apply(input, &mut f, &mut out);
        (out, f)
    }

    #[test]
    fn case_is_ascii_only() {
        assert_eq!(
            run(Modifier::Lower, "JÜrgen".as_bytes(), 0, 0).0,
            "jÜrgen".as_bytes()
        );
        assert_eq!(
            run(Modifier::Upper, "jürgen".as_bytes(), 0, 0).0,
            "JüRGEN".as_bytes()
        );
    }

    #[test]
    fn escape_quotes_and_backslash() {
        assert_eq!(
            run(Modifier::Escape, br#"a"b'c\d"#, 0, 0).0,
            br#"a\"b\'c\\d"#
        );
    }

    #[test]
    fn hex_of_numbers_and_non_numbers() {
        assert_eq!(run(Modifier::Hex, b"65534", 0, 0).0, b"fffe");
        assert_eq!(run(Modifier::Hex, b"alice", 0, 0).0, b"0");
        assert_eq!(run(Modifier::Hex, b"", 0, 0).0, b"0");
        assert_eq!(
            run(Modifier::Hex, b"18446744073709551615", 0, 0).0,
            b"ffffffffffffffff"
        );
        assert_eq!(run(Modifier::Hex, b"18446744073709551616", 0, 0).0, b"0");
        assert_eq!(run(Modifier::Hex, b"-1", 0, 0).0, b"0");
    }

    #[test]
    fn reverse_is_bytewise() {
        assert_eq!(
            run(Modifier::Reverse, "aü".as_bytes(), 0, 0).0,
            b"\xbc\xc3a"
        );
    }

    #[test]
    fn hash_modulo_and_padding_reset_the_frame() {
        // %4.256Hu of alice@example.com is 00bd (oracle).
        let (out, f) = run(Modifier::Hash, b"alice@example.com", 4, 256);
        assert_eq!(out, b"00bd");
        assert_eq!((f.offset, f.width), (0, 0));
    }

    #[test]
    fn newhash_prints_low_32_bits() {
        assert_eq!(
            run(Modifier::NewHash, b"alice@example.com", 0, 0).0,
            b"69a4f0bf"
        );
        assert_eq!(run(Modifier::NewHash, b"alice@example.com", 0, 4).0, b"3");
    }

    #[test]
    fn md5_is_full_hex() {
        assert_eq!(
            run(Modifier::Md5, b"alice@example.com", 0, 0).0,
            b"c160f8cc69a4f0bf2b0362752353d060"
        );
    }

    #[test]
    fn ldap_dn_and_trim() {
        assert_eq!(
            run(Modifier::LdapDn, b"a@sub.example.com", 0, 0).0,
            b"a@sub,dc=example,dc=com"
        );
        assert_eq!(run(Modifier::Trim, b" a b \t\n\x0b\x0c\r", 0, 0).0, b" a b");
        assert_eq!(run(Modifier::Trim, b"   ", 0, 0).0, b"");
    }

    #[test]
    fn hash_padding_is_bounded() {
        let (_, f) = run(Modifier::Hash, b"x", i32::MAX, 0);
        assert!(f.overflow);
    }

    #[test]
    fn str_hash_matches_known_values() {
        assert_eq!(str_hash(b""), 0);
        assert_eq!(str_hash(b"a"), 0x61);
    }
}
