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
            props.insert(0, format!("file={}", prop(&l.file)));
            props.insert(1, format!("line={}", l.line));
            props.insert(2, format!("col={}", l.column));
            props.insert(3, format!("endLine={}", l.end_line));
            props.insert(4, format!("endColumn={}", l.end_column));
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
