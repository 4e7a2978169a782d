//! POSIX extended regular expressions for `%{if;...;~;...}`.
//!
//! Dovecot calls the C library's `regcomp(REG_EXTENDED)`/`regexec`, so on
//! Linux obox-cli calls the very same functions: same syntax (ERE, not
//! Perl), same byte semantics in the C locale, and glibc's own error texts
//! (`Unmatched ( or \(`). Elsewhere the `regex` crate stands in, which
//! agrees on ordinary patterns but not on every corner or error message.

/// Does `pattern` match anywhere in `text`? `Err` is Dovecot's
/// `if: regex failed: ...` message.
pub(crate) fn search(text: &[u8], pattern: &[u8]) -> Result<bool, Vec<u8>> {
    if compiled_size(pattern) > MAX_REGEX_SIZE {
        return Err(failed(
            format!("pattern too complex (obox-cli limit: about {MAX_REGEX_SIZE} compiled nodes)")
                .as_bytes(),
        ));
    }
    imp::search(text, pattern)
}

/// glibc's regcomp copies a sub-pattern once per `+` and up to `m` times
/// per `{n,m}`, so stacked or nested repetitions grow exponentially:
/// `a+++…+` (90 pluses, found by fuzzing) took over 4 GB before failing.
/// Dovecot has no limit; obox-cli refuses patterns whose estimated size
/// exceeds this.
const MAX_REGEX_SIZE: f64 = 100_000.0;

/// Estimated number of nodes glibc builds for ERE `pattern`: each atom is
/// one, a group is the sum of its items, `+` doubles what it applies to and
/// `{n,m}` multiplies it by `max(n, m) + 1`.
fn compiled_size(pattern: &[u8]) -> f64 {
    // (sum of finished items, cost of the last item) per open group.
    let mut stack: Vec<(f64, f64)> = vec![(0.0, 0.0)];
    let mut i = 0;
    let p = pattern;
    while i < p.len() {
        let top = stack.len() - 1;
        match p[i] {
            b'(' => stack.push((0.0, 0.0)),
            b')' if stack.len() > 1 => {
                let (t, l) = stack.pop().unwrap_or_default();
                let f = stack.last_mut().expect("outer frame");
                f.0 += f.1;
                f.1 = t + l + 1.0;
            }
            b'|' => {
                let f = &mut stack[top];
                f.0 += f.1 + 1.0;
                f.1 = 0.0;
            }
            b'+' => stack[top].1 *= 2.0,
            b'*' | b'?' => stack[top].1 += 1.0,
            b'{' => {
                let close = p[i..].iter().position(|&b| b == b'}').map(|c| i + c);
                if let Some(c) = close {
                    let n = p[i + 1..c]
                        .split(|&b| b == b',')
                        .filter_map(|d| std::str::from_utf8(d).ok()?.parse::<f64>().ok())
                        .fold(1.0, f64::max);
                    stack[top].1 *= n + 1.0;
                    i = c;
                } else {
                    let f = &mut stack[top];
                    f.0 += f.1;
                    f.1 = 1.0;
                }
            }
            b'[' => {
                // A bracket expression is one node: skip to its `]` (a `]`
                // right after `[` or `[^` is literal; `[:x:]` inside).
                let mut j = i + 1;
                if p.get(j) == Some(&b'^') {
                    j += 1;
                }
                if p.get(j) == Some(&b']') {
                    j += 1;
                }
                while j < p.len() && p[j] != b']' {
                    if p[j] == b'[' && matches!(p.get(j + 1), Some(b':' | b'.' | b'=')) {
                        let kind = p[j + 1];
                        j += 2;
                        while j + 1 < p.len() && !(p[j] == kind && p[j + 1] == b']') {
                            j += 1;
                        }
                        j += 1;
                    }
                    j += 1;
                }
                let f = &mut stack[top];
                f.0 += f.1;
                f.1 = 1.0;
                i = j;
            }
            b'\\' => {
                let f = &mut stack[top];
                f.0 += f.1;
                f.1 = 1.0;
                i += 1;
            }
            _ => {
                let f = &mut stack[top];
                f.0 += f.1;
                f.1 = 1.0;
            }
        }
        i += 1;
    }
    let mut total = 0.0;
    while let Some((t, l)) = stack.pop() {
        total += t + l;
    }
    total
}

fn failed(msg: &[u8]) -> Vec<u8> {
    let mut m = b"if: regex failed: ".to_vec();
    m.extend_from_slice(msg);
    m
}

/// Both strings are C strings for Dovecot: stop at a NUL.
fn c_string(v: &[u8]) -> std::ffi::CString {
    let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
    // No interior NUL remains, so this cannot fail.
    std::ffi::CString::new(&v[..end]).unwrap_or_default()
}

#[cfg(target_os = "linux")]
mod imp {
    use super::{c_string, failed};

    /// Owns a compiled `regex_t` and frees it on drop.
    struct Compiled(Box<libc::regex_t>);

    impl Drop for Compiled {
        fn drop(&mut self) {
            // SAFETY: the regex_t was filled by a successful regcomp and is
            // freed exactly once.
            unsafe { libc::regfree(&mut *self.0) }
        }
    }

    pub(super) fn search(text: &[u8], pattern: &[u8]) -> Result<bool, Vec<u8>> {
        let pat = c_string(pattern);
        let txt = c_string(text);
        // SAFETY: regex_t is plain old data; regcomp initialises it.
        let mut re: Box<libc::regex_t> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: `re` points to writable storage of the right type and
        // `pat` is a valid NUL-terminated string that outlives the call.
        let rc = unsafe { libc::regcomp(&mut *re, pat.as_ptr(), libc::REG_EXTENDED) };
        if rc != 0 {
            let mut buf = vec![0u8; 256];
            // SAFETY: regerror writes at most buf.len() bytes, NUL included.
            let n = unsafe { libc::regerror(rc, &*re, buf.as_mut_ptr().cast(), buf.len()) };
            buf.truncate(n.saturating_sub(1).min(buf.len()));
            if let Some(nul) = buf.iter().position(|&b| b == 0) {
                buf.truncate(nul);
            }
            return Err(failed(&buf));
        }
        let re = Compiled(re);
        // SAFETY: `re` holds a compiled pattern, `txt` is NUL-terminated,
        // and with nmatch 0 no match array is written.
        let rc = unsafe { libc::regexec(&*re.0, txt.as_ptr(), 0, std::ptr::null_mut(), 0) };
        Ok(rc == 0)
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use super::{c_string, failed};

    pub(super) fn search(text: &[u8], pattern: &[u8]) -> Result<bool, Vec<u8>> {
        let pat = c_string(pattern);
        let txt = c_string(text);
        let re = regex::bytes::RegexBuilder::new(&String::from_utf8_lossy(pat.as_bytes()))
            .unicode(false)
            .build()
            .map_err(|e| failed(e.to_string().as_bytes()))?;
        Ok(re.is_match(txt.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_patterns_are_refused() {
        // From the var_expand fuzz target: 90 stacked `+` made glibc's
        // regcomp allocate gigabytes.
        let bomb = format!("z]pidewac\n%Eua{}c", "+".repeat(90));
        let e = search(b"x", bomb.as_bytes()).unwrap_err();
        assert!(String::from_utf8_lossy(&e).contains("too complex"));
        assert!(search(b"x", b"((a{1,1000}){1,1000}){1,1000}").is_err());
        // Ordinary patterns are unaffected.
        assert_eq!(
            search(b"alice@example.com", b"^[a-z]+@(example|test)\\.com$"),
            Ok(true)
        );
        assert_eq!(search(b"abc", b"a{2,5}|[[:digit:]]+"), Ok(false));
        assert!(compiled_size(b"^[a-z]+@(example|test)\\.com$") < 100.0);
    }

    #[test]
    fn extended_syntax_and_search() {
        assert_eq!(search(b"alice", b"^[a-z]+$"), Ok(true));
        assert_eq!(search(b"Bob.Smith", b"^[a-z]+$"), Ok(false));
        assert_eq!(search(b"xaby", b"a(b|c)"), Ok(true));
        assert_eq!(search(b"ab", b"a{2}"), Ok(false));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn glibc_error_text() {
        assert_eq!(
            search(b"a", b"("),
            Err(b"if: regex failed: Unmatched ( or \\(".to_vec())
        );
    }
}
