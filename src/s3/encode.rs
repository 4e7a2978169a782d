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
    let set = if keep_slash { PATH } else { QUERY };
    percent_encoding::utf8_percent_encode(s, set).to_string()
}

/// Everything but RFC 3986's unreserved characters.
const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// The same, keeping `/` (key paths).
const PATH: &percent_encoding::AsciiSet = &QUERY.remove(b'/');

/// Append the encoding of `s`: RFC 3986's unreserved characters (and `/`
/// with `keep_slash`) stay, every other byte becomes `%XX`. The crate
/// yields runs of kept bytes whole, so this stays cheap on the `path
/// --stdin` hot path (several keys per user).
pub fn encode_bytes_into(out: &mut Vec<u8>, s: &[u8], keep_slash: bool) {
    let set = if keep_slash { PATH } else { QUERY };
    for chunk in percent_encoding::percent_encode(s, set) {
        out.extend_from_slice(chunk.as_bytes());
    }
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

    /// Unreserved characters stay, `/` only in paths, every other byte
    /// (UTF-8 included) becomes upper-case `%XX`.
    #[test]
    fn unreserved_stay_the_rest_is_escaped() {
        let mut out = Vec::new();
        encode_bytes_into(&mut out, "aZ9-_.~/ü %".as_bytes(), true);
        assert_eq!(out, b"aZ9-_.~/%C3%BC%20%25");
        out.clear();
        encode_bytes_into(&mut out, b"a/b@c", false);
        assert_eq!(out, b"a%2Fb%40c");
    }
}
