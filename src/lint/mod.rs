//! The linter: the rule registry ([`RULES`]), a context over one parsed
//! configuration with every fs setting parsed once, and the checks of the
//! catalogue in spec §6, grouped in `rules/`.
//!
//! Entry points: [`lint_config`] for a parsed config, [`conf_error`] to
//! turn a refused config into a diagnostic.
mod context;
mod rule;
mod rules;
mod settings;
mod suppress;

pub use context::{FS_KEYS, FsSite, LintContext, Sink};
pub use rule::{RULES, Rule, rule};
pub use settings::{LintSettings, TargetVersion, Uncertain, fails};
pub use suppress::is_suppressed;

use crate::conf::{ConfError, ConfWarning, Config};
use crate::diagnostic::{Diagnostic, Label, Severity};

/// Run every enabled rule; findings sorted by place, suppressions applied.
pub fn lint_config(config: &Config, settings: &LintSettings) -> Vec<Diagnostic> {
    let ctx = LintContext::new(config, settings);
    let mut sink = Sink::default();
    for w in &config.warnings {
        sink.diags.push(conf_warning(w));
    }
    rules::run_all(&ctx, &mut sink);
    let mut out: Vec<Diagnostic> = sink
        .diags
        .into_iter()
        .filter(|d| settings.enabled(&d.code))
        .filter(|d| !is_suppressed(d, &config.files))
        .collect();
    out.sort_by_key(|d| {
        (
            d.primary
                .as_ref()
                .map(|l| (l.origin.file, l.origin.span.start)),
            d.code.clone(),
        )
    });
    out.dedup();
    out
}

/// A config Dovecot refuses: OBX001 for one-line sections, OBX092 for
/// 2.4/3.1-style `fs` blocks and `@fs_*` presets (2.3 refuses them as
/// unknown settings), else OBX000.
pub fn conf_error(e: &ConfError) -> Diagnostic {
    let m = e.message.as_str();
    let new_syntax = [
        "Unknown setting: fs ",
        "Unknown setting: @fs_",
        "Unknown setting: fs_s3_",
        "Unknown setting: fs_http_",
    ]
    .iter()
    .any(|p| m.starts_with(p));
    let code = if m.contains("Garbage after '{'") {
        "OBX001"
    } else if new_syntax {
        "OBX092"
    } else {
        "OBX000"
    };
    let r = rule(code).expect("registered");
    let message = if code == "OBX092" {
        format!("{m}: this is Dovecot 2.4/Pro 3.1 fs syntax, which 2.3 and 3.0 refuse")
    } else {
        e.message.clone()
    };
    Diagnostic {
        code: code.into(),
        name: r.name.into(),
        severity: Severity::Error,
        message,
        primary: e.origin.map(Label::new),
        secondary: Vec::new(),
        help: Some(r.fix.into()),
    }
}

fn conf_warning(w: &ConfWarning) -> Diagnostic {
    Diagnostic {
        code: "OBX000".into(),
        name: "config-syntax".into(),
        severity: Severity::Warning,
        message: w.message.clone(),
        primary: Some(Label::new(w.origin)),
        secondary: Vec::new(),
        help: None,
    }
}
