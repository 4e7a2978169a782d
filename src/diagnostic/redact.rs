//! Hiding credentials in anything a renderer prints: URL userinfo
//! (`scheme://USER:SECRET@`) and `password=`/`secret=` items. The same
//! marker as doveconf, so admins recognise it.
use crate::fs_chain::HIDDEN;
use regex::Regex;
use std::sync::OnceLock;

fn patterns() -> &'static [Regex] {
    static RE: OnceLock<Vec<Regex>> = OnceLock::new();
    RE.get_or_init(|| {
        [
            // Userinfo up to the last '@' before the query: a secret with an
            // unencoded '/' or '?' still ends up hidden.
            r"://([^\s@?#]*@)+",
            r"(?i)\b(password|secret|secret_key|token)=[^:&\s]+",
        ]
        .iter()
        .map(|p| Regex::new(p).expect("static regex"))
        .collect()
    })
}

/// `text` with secrets replaced, and a function that moves a byte offset
/// of `text` to the corresponding offset of the result.
pub fn redact_with_map(text: &str) -> (String, Vec<(usize, usize, usize)>) {
    // Collect the byte ranges to hide (never overlapping after merge).
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for re in patterns() {
        for m in re.find_iter(text) {
            let (a, b) = (m.start(), m.end());
            let s = m.as_str();
            let (a, b) = if let Some(rest) = s.strip_prefix("://") {
                (a + 3, a + 3 + rest.len() - 1) // keep the final '@'
            } else {
                let eq = s.find('=').map_or(0, |i| i + 1);
                (a + eq, b)
            };
            if b > a {
                ranges.push((a, b));
            }
        }
    }
    ranges.sort();
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::new();
    let mut pos = 0;
    for (a, b) in ranges {
        if a < pos {
            continue;
        }
        out.push_str(&text[pos..a]);
        map.push((a, b, out.len()));
        out.push_str(HIDDEN);
        pos = b;
    }
    out.push_str(&text[pos..]);
    (out, map)
}

/// Move offset `p` of the original text into the redacted text.
pub fn map_offset(map: &[(usize, usize, usize)], p: usize) -> usize {
    let mut delta: isize = 0;
    for &(a, b, at) in map {
        if p < a {
            break;
        }
        if p < b {
            return at;
        }
        delta = (at + HIDDEN.len()) as isize - b as isize;
    }
    (p as isize + delta).max(0) as usize
}

pub fn redact(text: &str) -> String {
    redact_with_map(text).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_userinfo_and_passwords() {
        let s = "obox_fs = s3:https://AK:SE/CR@h/?x=1 crypt:password=hunter2:posix";
        let r = redact(s);
        assert!(
            !r.contains("SE/CR") && !r.contains("AK") && !r.contains("hunter2"),
            "{r}"
        );
        assert!(r.contains("https://#hidden_use-P_to_show#@h/"), "{r}");
        let (r, map) = redact_with_map(s);
        let h = s.find("h/?").unwrap();
        assert_eq!(&r[map_offset(&map, h)..map_offset(&map, h) + 3], "h/?");
    }
}
