//! Keeping secrets out of output.
//!
//! Two layers: doveconf's own hiding rules for `config` output (so
//! `obox-cli config` prints what `doveconf -n` prints), and byte ranges of
//! secrets inside any text (URL userinfo, `secret=`-style words), used to
//! redact code frames, messages and logs everywhere else.
use std::ops::Range;

/// What doveconf prints instead of a hidden setting.
pub const HIDDEN_SETTING: &str = "# hidden, use -P to show it";
/// What doveconf prints instead of a URL's userinfo or a `secret=` value.
pub const HIDDEN: &str = "#hidden_use-P_to_show#";

/// Keys whose whole value doveconf hides.
pub fn is_secret_key(key: &str) -> bool {
    key.ends_with("_password")
        || key.ends_with("_key")
        || key.ends_with("_nonce")
        || key.starts_with("ssl_dh")
}

/// Byte ranges inside `v` that hold secrets, in order, non-overlapping:
/// the userinfo of every `http://`, `https://` or `ftp://` URL (the part
/// before an `@` that comes before the next `/`), and the value of every
/// word starting with `key`, `secret` or `pass` that is followed by `=`.
pub fn secret_ranges(v: &[u8]) -> Vec<Range<usize>> {
    // A URL secret ends at an `@`, a word secret follows an `=`: without
    // either there is nothing to find (most values; one SIMD scan).
    if memchr::memchr2(b'@', b'=', v).is_none() {
        return Vec::new();
    }
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        for scheme in [&b"http://"[..], b"https://", b"ftp://"] {
            if v[i..].starts_with(scheme) {
                let start = i + scheme.len();
                let end_auth = v[start..]
                    .iter()
                    .position(|&b| b == b'/')
                    .map_or(v.len(), |p| start + p);
                if let Some(at) = v[start..end_auth].iter().rposition(|&b| b == b'@') {
                    out.push(start..start + at);
                    i = start + at;
                }
                break;
            }
        }
        let word_start = i == 0 || !v[i - 1].is_ascii_alphanumeric();
        if word_start
            && (v[i..].starts_with(b"key")
                || v[i..].starts_with(b"secret")
                || v[i..].starts_with(b"pass"))
        {
            let mut j = i;
            while j < v.len() && v[j] != b'=' && v[j] != b' ' && v[j] != b'\t' {
                j += 1;
            }
            if j < v.len() && v[j] == b'=' {
                let s = j + 1;
                let mut e = s;
                while e < v.len() && !matches!(v[e], b' ' | b'\t' | b';' | b':') {
                    e += 1;
                }
                if !out
                    .iter()
                    .any(|r| r.start <= s && s < r.end.max(r.start + 1))
                {
                    out.push(s..e);
                }
                i = e.max(i + 1);
                continue;
            }
        }
        i += 1;
    }
    out.sort_by_key(|r| r.start);
    out
}

/// Replace each secret range with `with`.
pub fn redact_with(v: &[u8], with: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut last = 0;
    for r in secret_ranges(v) {
        if r.start < last {
            continue;
        }
        out.extend_from_slice(&v[last..r.start]);
        out.extend_from_slice(with.as_bytes());
        last = r.end;
    }
    out.extend_from_slice(&v[last..]);
    out
}

/// doveconf -n's view of a value: hidden entirely for secret keys,
/// otherwise with secret ranges replaced.
pub fn hide_value(key: &str, v: &[u8]) -> Vec<u8> {
    if is_secret_key(key) && !v.is_empty() {
        return HIDDEN_SETTING.as_bytes().to_vec();
    }
    redact_with(v, HIDDEN)
}

/// Redact secrets in free text (messages, log lines, errors).
pub fn redact_text(s: &str) -> String {
    String::from_utf8_lossy(&redact_with(s.as_bytes(), HIDDEN)).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> String {
        String::from_utf8(redact_with(s.as_bytes(), HIDDEN)).unwrap()
    }

    #[test]
    fn doveconf_rules() {
        assert_eq!(
            h("aws-s3:https://AK:SEC%%2FRET@bucket.s3.amazonaws.com/?region=x"),
            "aws-s3:https://#hidden_use-P_to_show#@bucket.s3.amazonaws.com/?region=x"
        );
        assert_eq!(h("secret=abc:bar"), "secret=#hidden_use-P_to_show#:bar");
        assert_eq!(
            h("pass=xyz user=bob"),
            "pass=#hidden_use-P_to_show# user=bob"
        );
        assert_eq!(h("nopassword=y"), "nopassword=y");
        assert_eq!(h("http://host/path@x"), "http://host/path@x");
        assert_eq!(hide_value("ssl_key", b"<x"), HIDDEN_SETTING.as_bytes());
    }
}
