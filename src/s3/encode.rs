//! Percent-encoding exactly as the S3 signers canonicalise it. s3s-fs
//! signs the query as it was sent, so anything else (a raw `/` in a
//! prefix, `+` for a space) fails there even when real S3 would accept it.

/// RFC 3986 unreserved characters are kept; every other byte is `%XX`.
pub fn query_component(s: &str) -> String {
    encode(s, false)
}

/// Like [`query_component`] but keeps `/`: object keys in request paths.
pub fn key_path(s: &str) -> String {
    encode(s, true)
}

fn encode(s: &str, keep_slash: bool) -> String {
    let mut out = Vec::with_capacity(s.len() + 8);
    encode_bytes_into(&mut out, s.as_bytes(), keep_slash);
    // Only ASCII comes out, so nothing is replaced.
    String::from_utf8_lossy(&out).into_owned()
}

/// Append the encoding of `s`: RFC 3986's unreserved characters (and `/`
/// with `keep_slash`) stay, every other byte becomes `%XX`. Runs of kept
/// bytes are copied whole: `path --stdin` encodes several keys per user.
pub fn encode_bytes_into(out: &mut Vec<u8>, s: &[u8], keep_slash: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let keep = if keep_slash { &KEEP_PATH } else { &KEEP_QUERY };
    let mut start = 0;
    for (i, &c) in s.iter().enumerate() {
        if keep[usize::from(c)] {
            continue;
        }
        out.extend_from_slice(&s[start..i]);
        out.extend_from_slice(&[b'%', HEX[usize::from(c >> 4)], HEX[usize::from(c & 0xf)]]);
        start = i + 1;
    }
    out.extend_from_slice(&s[start..]);
}

/// Bytes kept as they are, in query components and in key paths.
const KEEP_QUERY: [bool; 256] = keep_table(false);
const KEEP_PATH: [bool; 256] = keep_table(true);

const fn keep_table(slash: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (slash && b == b'/');
        c += 1;
    }
    t
}

/// Decode `%XX` sequences; `Err(offset)` points at a bad `%`.
pub fn percent_decode(s: &str) -> Result<Vec<u8>, usize> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                Some(v) => out.push(v),
                None => return Err(i),
            }
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Build a query string from pairs, encoded for signing; a `None` value is
/// sent as `name=` (aws-sigv4 canonicalises a bare name that way too).
pub fn query_string(pairs: &[(&str, Option<&str>)]) -> String {
    let mut q = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            q.push('&');
        }
        q.push_str(&query_component(k));
        q.push('=');
        if let Some(v) = v {
            q.push_str(&query_component(v));
        }
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_sigv4() {
        assert_eq!(
            query_component("user/idx/ a+b=c~"),
            "user%2Fidx%2F%20a%2Bb%3Dc~"
        );
        assert_eq!(key_path("a b/ü.txt"), "a%20b/%C3%BC.txt");
        assert_eq!(percent_decode("a%2Fb%3ac").unwrap(), b"a/b:c");
        assert_eq!(percent_decode("x%2").unwrap_err(), 1);
    }

    /// The table agrees with the percent-encoding crate's sets for every
    /// byte, alone and inside text.
    #[test]
    fn table_matches_percent_encoding_sets() {
        const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'_')
            .remove(b'.')
            .remove(b'~');
        const PATH: &percent_encoding::AsciiSet = &QUERY.remove(b'/');
        let mut samples: Vec<String> = (0..=0x7fu8).map(|b| format!("a{}b", b as char)).collect();
        samples.extend(["", "ü/€ x", "/a b/", "%41%", "\u{10ffff}~"].map(String::from));
        for s in &samples {
            for (keep, set) in [(true, PATH), (false, QUERY)] {
                let ours = format!("pre{}", encode(s, keep));
                let theirs = format!("pre{}", percent_encoding::utf8_percent_encode(s, set));
                assert_eq!(ours, theirs, "{s:?}");
            }
        }
    }
}
