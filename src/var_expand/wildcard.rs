//! Dovecot's `wildcard_match` for `%{if;...;*;...}`: `*` matches any run
//! of bytes, `?` one byte, everything else itself (case-sensitive). The
//! matcher walks both strings from the end and backtracks to the last `*`,
//! as Dovecot's does, so odd masks give the same answers.

/// Does `data` match `mask`?
pub fn wildcard_match(data: &[u8], mask: &[u8]) -> bool {
    if data.is_empty() {
        // An empty string matches only a mask of nothing but stars.
        return mask.iter().all(|&c| c == b'*');
    }
    // Indices count down and may go to -1, so they are signed.
    let at = |s: &[u8], i: isize| -> Option<u8> { usize::try_from(i).ok().map(|i| s[i]) };
    let mut m = mask.len() as isize - 1;
    let mut d = data.len() as isize - 1;
    // Fallback: mask position before the last star, data position then.
    let mut last_star: Option<isize> = None;
    let mut last_data: isize = 0;
    while d >= 0 {
        if m < 0 {
            match last_star {
                Some(s) => {
                    last_data -= 1;
                    d = last_data;
                    m = s;
                    if d < 0 {
                        last_star = None;
                    }
                }
                None => return false,
            }
        }
        let mc = mask[m as usize];
        if mc == b'*' {
            while m >= 0 && mask[m as usize] == b'*' {
                m -= 1;
            }
            last_star = Some(m);
            last_data = d;
            if m < 0 {
                return true;
            }
            continue;
        }
        if mc == b'?' {
            m -= 1;
            d -= 1;
            continue;
        }
        // After a fallback past the start there is no byte to compare
        // (Dovecot reads before its buffer there); treat it as a mismatch.
        if at(data, d) == Some(mc) {
            m -= 1;
            d -= 1;
            continue;
        }
        if let Some(s) = last_star {
            last_data -= 1;
            d = last_data;
            m = s;
            if d < 0 {
                last_star = None;
            }
            continue;
        }
        return false;
    }
    while m >= 0 && mask[m as usize] == b'*' {
        m -= 1;
    }
    m < 0
}

#[cfg(test)]
mod tests {
    use super::wildcard_match as w;

    #[test]
    fn basics() {
        assert!(w(b"alice", b"a*"));
        assert!(w(b"alice", b"*"));
        assert!(w(b"alice", b"*ice"));
        assert!(w(b"alice", b"a?ice"));
        assert!(w(b"alice", b"a*i*e"));
        assert!(!w(b"alice", b"b*"));
        assert!(!w(b"alice", b"alic"));
        assert!(!w(b"alice", b"Alice"));
        assert!(w(b"", b""));
        assert!(w(b"", b"**"));
        assert!(!w(b"", b"?"));
        assert!(!w(b"a", b""));
        assert!(w(b"abcabc", b"*b*c"));
        assert!(!w(b"ab", b"?ab"));
    }
}
