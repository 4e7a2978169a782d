//! Keeping secrets out of output.
//!
//! Two layers: doveconf's own hiding rules for `config` output (so
//! `obox-cli config` prints what `doveconf -n` prints), and byte ranges of
//! secrets inside any text (URL userinfo, `secret=`-style words,
//! credential-bearing `addhdr=` values, `*_password = …` config lines),
//! used to redact code frames, messages and logs everywhere else.
//!
//! The text rules err on the side of hiding too much: a secret written
//! without percent-encoding can hold any character, so where a URL's
//! userinfo ends is sometimes a guess, and a guess that shows half a
//! password is worse than one that hides a path.
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// What doveconf prints instead of a hidden setting.
pub const HIDDEN_SETTING: &str = "# hidden, use -P to show it";
/// What doveconf prints instead of a URL's userinfo or a `secret=` value.
pub const HIDDEN: &str = "#hidden_use-P_to_show#";

/// Set once by the entry point from `--show-secrets`; read by the last
/// lines of defence (the error report and the panic hook), which have no
/// access to the command's arguments.
static SHOW_SECRETS: AtomicBool = AtomicBool::new(false);

pub fn set_show_secrets(on: bool) {
    SHOW_SECRETS.store(on, Ordering::Relaxed);
}

pub fn show_secrets() -> bool {
    SHOW_SECRETS.load(Ordering::Relaxed)
}

/// Keys whose whole value doveconf hides.
pub fn is_secret_key(key: &str) -> bool {
    key.ends_with("_password")
        || key.ends_with("_key")
        || key.ends_with("_nonce")
        || key.starts_with("ssl_dh")
}

/// HTTP header names whose value is a credential (`Authorization`,
/// `X-Amz-Security-Token`, anything naming a token, secret, auth, key or
/// password), case-insensitive. Used for `addhdr=`/`addhdrvar=` values.
pub fn is_credential_header(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    [
        "auth",
        "token",
        "secret",
        "key",
        "pass",
        "cookie",
        "signature",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// A `name=` word whose value is a secret. doveconf's rule: names
/// beginning with `key`, `secret` or `pass` (so `nopassword=y` stays
/// shown, as doveconf shows it). Ours on top: names containing `token` or
/// `secret`, or `_pass`/`-pass`, or ending like a secret setting (`_key`,
/// `_nonce`): `x-amz-security-token=`, `db_password=`.
fn is_secret_word(name: &[u8]) -> bool {
    if name.starts_with(b"key") || name.starts_with(b"secret") || name.starts_with(b"pass") {
        return true;
    }
    let n = String::from_utf8_lossy(name).to_ascii_lowercase();
    n.contains("token")
        || n.contains("secret")
        || n.contains("_pass")
        || n.contains("-pass")
        || n.starts_with("pass")
        || n.ends_with("_key")
        || n.ends_with("-key")
        || n.ends_with("_nonce")
}

/// Bytes a URL host (or `%`-variable standing for one) is made of.
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%{}[]".contains(&b)
}

/// Bytes Dovecot's URI parser accepts in a userinfo.
pub fn is_userinfo_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:%".contains(&b)
}

/// Where the userinfo of the URL whose authority starts at `start` ends:
/// the offset of the `@` that closes it, or None when the URL has none.
/// `end` bounds the URL (end of the value or line).
///
/// The authority is cut the way Dovecot cuts it (at the first `/`, `?` or
/// `#`). When it holds an `@`, the userinfo runs to its last `@` — unless
/// it holds bytes Dovecot refuses there (a space, non-ASCII, …) or the
/// rest of the URL has another `@`: then the secret may go on past the
/// cut (`AK:a@b/c@host`) and everything up to the URL's last `@` is taken
/// (a path such as `/alice@example.com/` after credentials is hidden too). When the authority has no `@` but the rest of the
/// URL does, that `@` ends a secret holding an unencoded `/`, `?` or `#`
/// unless the authority reads as a plain `host` or dotted `host:port`
/// (then the `@` is part of a path such as `/alice@example.com/`).
pub fn userinfo_end(v: &[u8], start: usize, end: usize) -> Option<usize> {
    let end = end.min(v.len());
    if start >= end {
        return None;
    }
    let last_at = memchr::memrchr(b'@', &v[start..end])?;
    userinfo_end_at(v, start, end, last_at)
}

/// [`userinfo_end`] with the URL's last `@` (relative to `start`) known.
fn userinfo_end_at(v: &[u8], start: usize, end: usize, last_at: usize) -> Option<usize> {
    let url = &v[start..end];
    let auth_len = url
        .iter()
        .position(|b| b"/?#".contains(b))
        .unwrap_or(url.len());
    let auth = &url[..auth_len];
    if let Some(at) = auth.iter().rposition(|&b| b == b'@') {
        // The plain case: a clean userinfo, and no '@' further on that
        // could end a secret holding an unencoded '/', '?' or '#'.
        if last_at < auth_len && auth[..at].iter().all(|&b| is_userinfo_byte(b)) {
            return Some(start + at);
        }
        return Some(start + last_at);
    }
    if plain_host_port(auth) {
        return None;
    }
    Some(start + last_at)
}

/// `host` or `host:port` where a `:port` is only believed after a host
/// with a dot (or `localhost`, or an IPv6 literal): `AKID:123` is more
/// likely an access key and a secret starting with digits.
fn plain_host_port(auth: &[u8]) -> bool {
    let (host, port) = match auth.iter().rposition(|&b| b == b':') {
        Some(c) if !auth.starts_with(b"[") || auth[..c].ends_with(b"]") => {
            (&auth[..c], Some(&auth[c + 1..]))
        }
        _ => (auth, None),
    };
    if host.is_empty() || !host.iter().all(|&b| is_host_byte(b)) {
        return false;
    }
    match port {
        None => !host.contains(&b':'),
        Some(p) => {
            !p.is_empty()
                && p.iter().all(u8::is_ascii_digit)
                && (host.contains(&b'.') || host == b"localhost" || host.starts_with(b"["))
        }
    }
}

/// Byte ranges inside `v` that hold secrets, in order, non-overlapping:
/// the userinfo of every `scheme://` URL (see [`userinfo_end`]), the value
/// of every `pass…=`/`secret…=`/`…token=`/`key…=` word, and the value of
/// `addhdr=`/`addhdrvar=` items naming a credential header.
pub fn secret_ranges(v: &[u8]) -> Vec<Range<usize>> {
    // A URL secret ends at an `@`, a word secret follows an `=`: without
    // either there is nothing to find (most values; one SIMD scan).
    if memchr::memchr2(b'@', b'=', v).is_none() {
        return Vec::new();
    }
    let mut out: Vec<Range<usize>> = Vec::new();
    // The end of the current line and its last `@`, found once per line:
    // looking them up again for every `://` would make a long line of
    // them quadratic (found by fuzzing: 12 s for a 4 KiB config whose
    // `$mail_plugins` grew a value of thousands of them).
    let mut line: Option<(usize, Option<usize>)> = None;
    let mut i = 0;
    while i < v.len() {
        if v[i..].starts_with(b"://") {
            let start = i + 3;
            let (end, last_at) = match line {
                Some((end, last_at)) if start <= end => (end, last_at),
                _ => {
                    let end =
                        memchr::memchr2(b'\n', b'\r', &v[start..]).map_or(v.len(), |k| start + k);
                    let last_at = memchr::memrchr(b'@', &v[start..end]).map(|k| start + k);
                    line = Some((end, last_at));
                    (end, last_at)
                }
            };
            let found = match last_at {
                Some(at) if at >= start && start < end => {
                    userinfo_end_at(v, start, end, at - start)
                }
                _ => None,
            };
            if let Some(at) = found {
                if at > start {
                    out.push(start..at);
                }
                // Go on inside the hidden part too: a word rule there can
                // reach past the '@' (`addhdr=…:Bearer x@y` when the
                // token holds the URL's last '@'); ranges are merged.
                i = start;
                continue;
            }
            i = start;
            continue;
        }
        let word_start = i == 0 || !is_word_byte(v[i - 1]);
        if word_start && is_word_byte(v[i]) {
            let mut j = i;
            while j < v.len() && is_word_byte(v[j]) {
                j += 1;
            }
            if j < v.len() && v[j] == b'=' {
                let name = &v[i..j];
                let s = j + 1;
                let lname = name.to_ascii_lowercase();
                if lname == b"addhdr" || lname == b"addhdrvar" {
                    // NAME:VALUE up to the next URL parameter.
                    let e = find_end(v, s, b"&\"' \t\r\n");
                    if let Some(c) = v[s..e].iter().position(|&b| b == b':') {
                        let hdr = String::from_utf8_lossy(&v[s..s + c]);
                        if is_credential_header(&hdr) && s + c + 1 < e {
                            out.push(s + c + 1..e);
                        }
                    }
                    i = e.max(i + 1);
                    continue;
                }
                if is_secret_word(name) {
                    // doveconf's stops (and line ends); not `&` or quotes,
                    // which a secret may hold: hiding a following URL
                    // parameter beats showing half a password.
                    let e = find_end(v, s, b" \t;:\r\n");
                    if e > s {
                        out.push(s..e);
                    }
                    i = e.max(i + 1);
                    continue;
                }
            }
            i = j;
            continue;
        }
        i += 1;
    }
    merge(out)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn find_end(v: &[u8], from: usize, stops: &[u8]) -> usize {
    v[from..]
        .iter()
        .position(|b| stops.contains(b))
        .map_or(v.len(), |k| from + k)
}

fn merge(mut r: Vec<Range<usize>>) -> Vec<Range<usize>> {
    r.sort_by_key(|x| (x.start, x.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(r.len());
    for x in r {
        if x.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(l) if x.start <= l.end => l.end = l.end.max(x.end),
            _ => out.push(x),
        }
    }
    out
}

/// A key that is not one doveconf hides but reads like one — most often
/// a misspelt secret setting (`ssl_key_pasword`) that an "Unknown
/// setting" error frame would otherwise print with its value.
fn looks_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "pass",
        "pasw",
        "pwd",
        "secret",
        "token",
        "private",
        "credential",
    ]
    .iter()
    .any(|w| k.contains(w))
        || k.ends_with("key")
}

/// Secret ranges of a piece of text that may hold whole config lines
/// (code frames, error messages quoting a line): [`secret_ranges`] plus
/// the value of every `KEY = VALUE` whose key doveconf hides
/// ([`is_secret_key`]) or that reads like a secret key, from after the
/// `=` to the end of the line.
pub fn text_secret_ranges(v: &[u8]) -> Vec<Range<usize>> {
    let mut out = secret_ranges(v);
    let mut i = 0;
    while let Some(k) = memchr::memchr(b'=', &v[i..]).map(|k| k + i) {
        i = k + 1;
        // The key: the word right before the `=` (spaces allowed between).
        let mut e = k;
        while e > 0 && matches!(v[e - 1], b' ' | b'\t') {
            e -= 1;
        }
        let mut s = e;
        while s > 0 && (is_word_byte(v[s - 1]) || v[s - 1] == b'/') {
            s -= 1;
        }
        if s == e {
            continue;
        }
        let key = String::from_utf8_lossy(&v[s..e]);
        let key = key.rsplit('/').next().unwrap_or_default();
        if !is_secret_key(key) && !looks_secret_key(key) {
            continue;
        }
        let mut a = k + 1;
        while a < v.len() && matches!(v[a], b' ' | b'\t') {
            a += 1;
        }
        let b = memchr::memchr2(b'\n', b'\r', &v[a..]).map_or(v.len(), |x| x + a);
        if b > a {
            out.push(a..b);
        }
        i = b.max(i);
    }
    merge(out)
}

fn replace_ranges(v: &[u8], ranges: &[Range<usize>], with: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut last = 0;
    for r in ranges {
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

/// Replace each secret range (of a single value) with `with`.
pub fn redact_with(v: &[u8], with: &str) -> Vec<u8> {
    replace_ranges(v, &secret_ranges(v), with)
}

/// doveconf -n's view of a value: hidden entirely for secret keys,
/// otherwise with secret ranges replaced.
pub fn hide_value(key: &str, v: &[u8]) -> Vec<u8> {
    if is_secret_key(key) && !v.is_empty() {
        return HIDDEN_SETTING.as_bytes().to_vec();
    }
    redact_with(v, HIDDEN)
}

/// Redact secrets in free text (messages, log lines, errors, quoted
/// config lines).
pub fn redact_text(s: &str) -> String {
    let r = text_secret_ranges(s.as_bytes());
    if r.is_empty() {
        return s.to_string();
    }
    String::from_utf8_lossy(&replace_ranges(s.as_bytes(), &r, HIDDEN)).into_owned()
}

/// [`redact_text`] unless `show`.
pub fn redact_text_unless(s: &str, show: bool) -> String {
    if show { s.to_string() } else { redact_text(s) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Linear on hostile values (a fuzz find: a config whose `$mail_plugins`
    /// grew one value of thousands of `://` took 12 s to redact). Each
    /// shape is 1.5 MB; a quadratic scan would take minutes, not moments.
    #[test]
    fn hostile_values_are_scanned_in_linear_time() {
        let n = 500_000;
        let shapes: [Vec<u8>; 4] = [
            [b"://".repeat(n), b"=".to_vec()].concat(),
            [b"://".repeat(n), b"@".to_vec()].concat(),
            [b"@".to_vec(), b"x://".repeat(n * 3 / 4)].concat(),
            b"pass=x ".repeat(n * 3 / 7),
        ];
        let started = std::time::Instant::now();
        for v in &shapes {
            let r = secret_ranges(v);
            assert!(r.len() <= v.len());
            let _ = text_secret_ranges(v);
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }

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
        assert_eq!(h("http://h.example:80/p@x"), "http://h.example:80/p@x");
        assert_eq!(hide_value("ssl_key", b"<x"), HIDDEN_SETTING.as_bytes());
    }

    #[test]
    fn unencoded_secrets_are_hidden_whole() {
        for (s, gone) in [
            ("https://AK:wJal rSECRET@b.s3.amazonaws.com/?r=1", "rSECRET"),
            ("https://AK:wJal?rSECRET@b/?r=1", "rSECRET"),
            ("https://AK:wJal#rSECRET@b/?r=1", "rSECRET"),
            ("https://AK:wJal/rSECRET@b/?r=1", "rSECRET"),
            ("https://AK:12/rSECRET@b/?r=1", "rSECRET"),
            ("https://AK:wé@ö@rSECRET@b/?r=1", "rSECRET"),
            ("https://AK:a@b@rSECRET@h/", "rSECRET"),
            ("x?addhdr=Authorization:Bearer%20TOKSECRET&r=1", "TOKSECRET"),
            ("addhdrvar=X-Amz-Security-Token:%{tok}SECRET", "SECRET"),
            ("cassandra:password=PWSECRET1 ; s3", "PWSECRET1"),
        ] {
            let r = redact_text(s);
            assert!(!r.contains(gone), "{s} -> {r}");
        }
        assert_eq!(
            redact_text("addhdr=X-Request:visible"),
            "addhdr=X-Request:visible"
        );
    }

    #[test]
    fn secret_key_lines() {
        let r = redact_text("  ssl_key_password = abc#LEAK1\nfoo = bar");
        assert_eq!(r, format!("  ssl_key_password = {HIDDEN}\nfoo = bar"));
        let r = redact_text("Failed: plugin/mail_crypt_global_private_password = 'x y'");
        assert!(!r.contains("x y"), "{r}");
        assert_eq!(
            redact_text("mail_location = obox:%u"),
            "mail_location = obox:%u"
        );
    }
}
