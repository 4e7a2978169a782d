//! GitHub Actions workflow commands: `::error file=F,line=L,col=C,…::msg`.
use super::redact::redact;
use super::{Diagnostic, RenderOptions, Severity};
use crate::conf::Files;

pub fn render_github(diags: &[Diagnostic], files: &Files, opts: RenderOptions) -> String {
    let mut out = String::new();
    for d in diags {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let msg = format!("[{}] {}", d.code, d.message);
        let msg = if opts.show_secrets { msg } else { redact(&msg) };
        let mut props = vec![format!("title={}", prop(&format!("{} {}", d.code, d.name)))];
        if let Some(l) = d.location(files) {
            let mut loc = vec![
                format!("file={}", prop(&l.file)),
                format!("line={}", l.line),
            ];
            // GitHub's columns are both inclusive (our end is exclusive),
            // and may only be given for a one-line range; an empty span
            // still marks the character it is at.
            if l.end_line <= l.line {
                let end = l.end_column.saturating_sub(1).max(l.column);
                loc.push(format!("col={}", l.column));
                loc.push(format!("endLine={}", l.line));
                loc.push(format!("endColumn={end}"));
            } else {
                loc.push(format!("endLine={}", l.end_line));
            }
            props.splice(0..0, loc);
        }
        out.push_str(&format!("::{level} {}::{}\n", props.join(","), data(&msg)));
    }
    out
}

/// Escaping of the message part of a workflow command.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a property value (also `:` and `,`).
fn prop(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}
