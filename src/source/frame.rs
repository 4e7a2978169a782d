//! A rustc-style code frame for one location, used for config errors.
//! Secrets in the shown line are redacted unless asked otherwise.
use super::{LineIndex, Span};
use colored::Colorize;

/// Columns of a source line shown at most.
const MAX_COLS: usize = 400;

/// Render `--> path:line:col`, the source line and a caret line under
/// `span`. `redact` replaces secret ranges in the shown line (the carets
/// move with the text): URL userinfo, secret words, and the whole value
/// of a key doveconf hides (`ssl_key_password = …`).
pub fn render(path: &str, text: &[u8], index: &LineIndex, span: Span, redact: bool) -> String {
    let (line, col) = index.line_col(span.start, text);
    let ls = index.line_span(line, text);
    let mut raw = &text[ls.start..ls.end];
    if let Some(b'\r') = raw.last() {
        raw = &raw[..raw.len() - 1];
    }
    // Build the shown line and map byte offsets of the raw line to
    // character columns of the shown one.
    let ranges = if redact {
        crate::secrets::text_secret_ranges(raw)
    } else {
        Vec::new()
    };
    let mut shown = String::new();
    let mut col_of = vec![0usize; raw.len() + 1];
    let mut cols = 0;
    let mut i = 0;
    while i < raw.len() {
        if let Some(r) = ranges.iter().find(|r| r.start == i && r.end > r.start) {
            for c in col_of.iter_mut().take(r.end).skip(r.start) {
                *c = cols;
            }
            shown.push_str(crate::secrets::HIDDEN);
            cols += crate::secrets::HIDDEN.chars().count();
            i = r.end;
            continue;
        }
        col_of[i] = cols;
        let ch_len = utf8_len(raw[i]).min(raw.len() - i);
        let s = String::from_utf8_lossy(&raw[i..i + ch_len]);
        let s = if raw[i] == b'\t' { " ".into() } else { s };
        shown.push_str(&s);
        for c in col_of.iter_mut().take(i + ch_len).skip(i + 1) {
            *c = cols;
        }
        cols += s.chars().count();
        i += ch_len;
    }
    col_of[raw.len()] = cols;
    let rel_s = span.start.saturating_sub(ls.start).min(raw.len());
    let rel_e = span.end.saturating_sub(ls.start).clamp(rel_s, raw.len());
    let mut c0 = col_of[rel_s];
    let mut c1 = col_of[rel_e].max(c0 + 1);
    // A very long line is shown as a window around the span's start (at
    // most MAX_COLS columns, carets clipped), so a 10 MB line gives a
    // readable frame instead of 20 MB of text and carets.
    if cols > MAX_COLS {
        let w0 = c0.saturating_sub(MAX_COLS / 4);
        let w1 = (w0 + MAX_COLS).min(cols);
        let lead = if w0 > 0 { "..." } else { "" };
        let tail = if w1 < cols { "..." } else { "" };
        let mid: String = shown.chars().skip(w0).take(w1 - w0).collect();
        shown = format!("{lead}{mid}{tail}");
        let shift = lead.chars().count();
        c0 = c0 - w0 + shift;
        c1 = c1.min(w1).saturating_sub(w0) + shift;
        c1 = c1.max(c0 + 1);
    }
    let num = line.to_string();
    let pad = " ".repeat(num.len());
    let bar = "|".blue().bold();
    format!(
        "{pad}{} {path}:{line}:{col}\n{pad} {bar}\n{} {bar} {shown}\n{pad} {bar} {}{}\n",
        "-->".blue().bold(),
        num.blue().bold(),
        " ".repeat(c0),
        "^".repeat(c1 - c0).red().bold(),
    )
}

fn utf8_len(b: u8) -> usize {
    match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_under_span_with_redaction() {
        colored::control::set_override(false);
        let t = b"a = 1\nx = https://AK:SK@h/?bogus=1\n";
        let li = LineIndex::new(t);
        let at = t.windows(5).position(|w| w == b"bogus").unwrap();
        let f = render("f.conf", t, &li, Span::new(at, at + 5), true);
        assert!(!f.contains("SK@"), "{f}");
        let lines: Vec<&str> = f.lines().collect();
        let code = lines[2];
        let caret = lines[3];
        let pos = code.find("bogus").unwrap();
        assert_eq!(caret.find('^').unwrap(), pos, "{f}");
        assert!(lines[0].contains("f.conf:2:"), "{f}");
    }

    #[test]
    fn secret_key_values_are_hidden() {
        colored::control::set_override(false);
        let t = b"ssl_key_password = abc#LEAKPWA1\n";
        let li = LineIndex::new(t);
        let f = render("f.conf", t, &li, Span::new(0, 16), true);
        assert!(!f.contains("LEAK") && !f.contains("abc"), "{f}");
        let f = render("f.conf", t, &li, Span::new(0, 16), false);
        assert!(f.contains("LEAKPWA1"), "{f}");
    }
}
