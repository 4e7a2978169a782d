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
    /// The rule's documentation page (its docs/rules.md anchor).
    pub help_uri: String,
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
                "helpUri": r.help_uri,
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
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "obox-cli",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules_json,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

/// The published schema the output conforms to (the tests validate
/// against this very file, tests/fixtures/sarif/).
pub const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// A file path as a URI reference (RFC 3986): path characters stay, every
/// other byte (space, `%`, `#`, `?`, `[`, non-ASCII as UTF-8) is
/// percent-encoded. A path with a `:` in its first segment would read as a
/// scheme, so it gets a `./` in front.
fn uri(path: &str) -> String {
    let mut s = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        if keep {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    let first = s.split('/').next().unwrap_or("");
    if first.contains(':') {
        s.insert_str(0, "./");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris_are_rfc3986_references() {
        assert_eq!(uri("a b/100%#1?.conf"), "a%20b/100%25%231%3F.conf");
        assert_eq!(
            uri("/etc/dovecot/dovecot.conf"),
            "/etc/dovecot/dovecot.conf"
        );
        assert_eq!(uri("ü[1].conf"), "%C3%BC%5B1%5D.conf");
        assert_eq!(uri("c:x.conf"), "./c:x.conf");
    }
}
