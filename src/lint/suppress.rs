//! Inline suppression: `# obox-cli: allow(OBX060)` (comma-separated codes
//! or prefixes) on the line just before the finding's line, or at the end
//! of the finding's own line.
use crate::conf::Files;
use crate::diagnostic::Diagnostic;

fn allowed_on(line: &str) -> Vec<String> {
    let Some(i) = line.find("obox-cli: allow(") else {
        return Vec::new();
    };
    let rest = &line[i + "obox-cli: allow(".len()..];
    let Some(end) = rest.find(')') else {
        return Vec::new();
    };
    rest[..end]
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

pub fn is_suppressed(d: &Diagnostic, files: &Files) -> bool {
    let Some(label) = &d.primary else {
        return false;
    };
    if label.origin.file.0 >= files.files.len() {
        return false;
    }
    let f = files.get(label.origin.file);
    let line = f.line_index.line(label.origin.span.start.min(f.text.len()));
    let text_of = |n: usize| {
        let sp = f.line_index.line_span(n, &f.text);
        String::from_utf8_lossy(&f.text[sp.start..sp.end]).into_owned()
    };
    let mut codes = Vec::new();
    if line > 1 {
        let prev = text_of(line - 1);
        if prev.trim_start().starts_with('#') {
            codes.extend(allowed_on(&prev));
        }
    }
    let own = text_of(line);
    if let Some(h) = own.find("# obox-cli:") {
        codes.extend(allowed_on(&own[h..]));
    }
    codes.iter().any(|c| d.code.starts_with(c.as_str()))
}
