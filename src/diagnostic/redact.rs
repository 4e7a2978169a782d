//! Hiding credentials in anything a renderer prints: URL userinfo
//! (`scheme://USER:SECRET@`), `password=`/`secret=` items, credential
//! headers and whole `*_password = …` lines. The rules live in
//! [`crate::secrets`] (one definition for frames, messages and output);
//! this adds the offset map the human renderer needs for its carets.
use crate::secrets::{HIDDEN, text_secret_ranges};

/// `text` with secrets replaced, and the replaced ranges as
/// `(start, end, offset of the marker in the result)` for [`map_offset`].
pub fn redact_with_map(text: &str) -> (String, Vec<(usize, usize, usize)>) {
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::new();
    let mut pos = 0;
    for r in text_secret_ranges(text.as_bytes()) {
        // Ranges end at ASCII bytes or the end of the text, but may start
        // inside a character of lossy input: widen to char boundaries.
        let mut a = r.start;
        while !text.is_char_boundary(a) {
            a -= 1;
        }
        let mut b = r.end.min(text.len());
        while !text.is_char_boundary(b) {
            b += 1;
        }
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

    #[test]
    fn unencoded_space_in_a_quoted_secret() {
        let s = r#"  obox_fs = "aws-s3:https://AKIAXYZ:wJal rSECRET@b.s3.amazonaws.com/?region=eu-west-1""#;
        let r = redact(s);
        assert!(!r.contains("rSECRET") && !r.contains("wJal"), "{r}");
        assert!(r.contains("@b.s3.amazonaws.com/?region=eu-west-1"), "{r}");
        let r = redact("  ssl_key_password = abc#LEAKPWA1");
        assert!(!r.contains("LEAK") && !r.contains("abc"), "{r}");
    }
}
