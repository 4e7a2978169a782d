//! SARIF 2.1.0, one run, the rules listed in tool.driver.rules.
use super::redact::redact;
use super::{Diagnostic, RenderOptions, Severity};
use crate::conf::Files;
use serde_json::json;

/// What SARIF needs to know about a rule.
#[derive(Debug, Clone)]
pub struct SarifRule {
    pub code: String,
    pub name: String,
    pub short: String,
    pub full: String,
    pub severity: Severity,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

pub fn render_sarif(
    diags: &[Diagnostic],
    files: &Files,
    rules: &[SarifRule],
    opts: RenderOptions,
) -> String {
    let hide = |s: &str| {
        if opts.show_secrets {
            s.to_string()
        } else {
            redact(s)
        }
    };
    let rules_json: Vec<_> = rules
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.short },
                "fullDescription": { "text": r.full },
                "defaultConfiguration": { "level": level(r.severity) },
                "helpUri": format!("https://github.com/obox-cli/obox-cli/blob/main/docs/rules.md#{}", r.code.to_lowercase()),
            })
        })
        .collect();
    let results: Vec<_> = diags
        .iter()
        .map(|d| {
            let mut text = hide(&d.message);
            if let Some(h) = &d.help {
                text.push_str(&format!(" (help: {})", hide(h)));
            }
            let mut r = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": { "text": text },
            });
            if let Some(i) = rules.iter().position(|x| x.code == d.code) {
                r["ruleIndex"] = json!(i);
            }
            if let Some(l) = d.location(files) {
                r["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&l.file) },
                        "region": {
                            "startLine": l.line,
                            "startColumn": l.column,
                            "endLine": l.end_line,
                            "endColumn": l.end_column.max(if l.end_line == l.line { l.column } else { 1 }),
                        }
                    }
                }]);
            }
            r
        })
        .collect();
    let v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "obox-cli",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/obox-cli/obox-cli",
                "rules": rules_json,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// File paths as relative URI references (spaces and `%` encoded).
fn uri(path: &str) -> String {
    let mut s = String::new();
    for c in path.chars() {
        match c {
            ' ' => s.push_str("%20"),
            '%' => s.push_str("%25"),
            '#' => s.push_str("%23"),
            '?' => s.push_str("%3F"),
            c => s.push(c),
        }
    }
    s
}
