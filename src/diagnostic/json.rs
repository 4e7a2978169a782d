//! Machine-readable output with a format version, so consumers can pin it.
use super::redact::redact;
use super::{Diagnostic, RenderOptions};
use crate::conf::Files;
use serde_json::json;

pub const JSON_FORMAT_VERSION: u32 = 1;

pub fn render_json(diags: &[Diagnostic], files: &Files, opts: RenderOptions) -> String {
    let hide = |s: &str| {
        if opts.show_secrets {
            s.to_string()
        } else {
            redact(s)
        }
    };
    let items: Vec<_> = diags
        .iter()
        .map(|d| {
            let loc = d.location(files);
            json!({
                "code": d.code,
                "name": d.name,
                "severity": d.severity,
                "message": hide(&d.message),
                "help": d.help.as_deref().map(hide),
                "file": loc.as_ref().map(|l| l.file.clone()),
                "line": loc.as_ref().map(|l| l.line),
                "column": loc.as_ref().map(|l| l.column),
                "end_line": loc.as_ref().map(|l| l.end_line),
                "end_column": loc.as_ref().map(|l| l.end_column),
            })
        })
        .collect();
    let v = json!({ "version": JSON_FORMAT_VERSION, "diagnostics": items });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}
