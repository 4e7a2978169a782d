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
    imp::search(text, pattern)
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
