//! The linter: the rule registry ([`RULES`]), a context over one parsed
//! configuration with every fs setting parsed once, and the checks of the
//! catalogue in spec §6, grouped in `rules/`.
//!
//! Entry points: [`lint_file`] for a config file (reads it twice when it
//! holds `$` or `<`: literally for the findings' places, expanding for what
//! only the runtime sees), [`lint_config`] for a parsed config,
//! [`conf_error`] to turn a refused config into a diagnostic.
mod context;
mod rule;
mod rules;
mod settings;
mod suppress;

pub use context::{FS_KEYS, FsSite, LintContext, Sink};
pub use rule::{RULES, Rule, rule};
pub use settings::{LintSettings, TargetVersion, Uncertain, fails};
pub use suppress::is_suppressed;

use crate::conf::{self, ConfError, ConfWarning, Config, ExpandMode, Files, Origin};
use crate::diagnostic::{Diagnostic, Label, Severity};
use std::path::Path;

/// The findings for one config file and the sources they point into.
#[derive(Debug, Default)]
pub struct Linted {
    pub diags: Vec<Diagnostic>,
    pub files: Files,
}

/// Why a file could not be linted at all (exit status 2, not a finding):
/// the root file itself cannot be opened or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannotRead {
    pub path: String,
    /// strerror-style reason: "Permission denied", "Is a directory".
    pub reason: String,
}

impl std::fmt::Display for CannotRead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read config file: {}: {}", self.path, self.reason)
    }
}

impl std::error::Error for CannotRead {}

/// Read, parse and lint the config at `path` as Dovecot's runtime would
/// see it. Problems Dovecot rejects the file for become OBX000/001/092
/// findings (with the place in whichever file they are); only a root file
/// that cannot be opened or read is an `Err`.
pub fn lint_file(path: &Path, settings: &LintSettings) -> Result<Linted, CannotRead> {
    let cannot = |reason: String| CannotRead {
        path: path.display().to_string(),
        reason,
    };
    // Opening first separates "cannot run" from a config Dovecot refuses
    // (a directory opens fine and fails on read, so ask for it by type).
    let meta = std::fs::metadata(path).map_err(|e| cannot(conf::strerror(&e)))?;
    if meta.is_dir() {
        return Err(cannot("Is a directory".into()));
    }
    std::fs::File::open(path).map_err(|e| cannot(conf::strerror(&e)))?;
    let mut cfg = match conf::load(path, ExpandMode::Literal) {
        Ok(cfg) => cfg,
        // Nothing read at all: the root file failed after opening.
        Err(e) if e.files.files.is_empty() => {
            let reason = e
                .message
                .rsplit_once(" failed: ")
                .map_or(e.message.clone(), |(_, r)| r.to_string());
            return Err(cannot(reason));
        }
        Err(e) => {
            let mut diags: Vec<Diagnostic> = e.warnings.iter().map(conf_warning).collect();
            diags.push(conf_error(&e));
            diags.retain(|d| settings.enabled(&d.code));
            return Ok(Linted {
                diags,
                files: e.files,
            });
        }
    };
    read_value_files(&mut cfg);
    let mut diags = lint_config(&cfg, settings);
    let mut extra = Vec::new();
    if let Some(e) = &cfg.delayed_error {
        extra.push(conf_error(e));
    }
    // What only the expanding reading (the runtime, `doveconf -x`) sees:
    // `$var` references and `<file` values that cannot be resolved, and
    // settings that fail their check once expanded.
    if needs_expanding(&cfg) {
        let delayed = |c: &Config| c.delayed_error.as_ref().map(|e| e.message.clone());
        match conf::load(path, ExpandMode::Expand) {
            Err(e) => extra.push(remap(conf_error(&e), &e.files, &mut cfg.files)),
            Ok(x) if x.delayed_error.is_some() && delayed(&x) != delayed(&cfg) => {
                let e = x.delayed_error.as_ref().expect("checked");
                extra.push(remap(conf_error(e), &x.files, &mut cfg.files));
            }
            Ok(_) => {}
        }
    }
    extra.retain(|d| settings.enabled(&d.code) && !is_suppressed(d, &cfg.files));
    diags.extend(extra);
    sort_diags(&mut diags);
    Ok(Linted {
        diags,
        files: cfg.files,
    })
}

/// Whether any file read holds `$` or `<`, the only things the expanding
/// reading treats differently.
fn needs_expanding(cfg: &Config) -> bool {
    cfg.files
        .files
        .iter()
        .any(|f| memchr::memchr2(b'$', b'<', &f.text).is_some())
}

/// Point a diagnostic of another reading of the same files at `files`:
/// the same path means the same file; a file only that reading has is
/// appended.
fn remap(mut d: Diagnostic, from: &Files, files: &mut Files) -> Diagnostic {
    for l in d.primary.iter_mut().chain(d.secondary.iter_mut()) {
        let Some(src) = from.files.get(l.origin.file.0) else {
            continue;
        };
        let id = match files.files.iter().position(|f| f.path == src.path) {
            Some(i) => conf::FileId(i),
            None => files.add(src.clone()),
        };
        l.origin.file = id;
    }
    d
}

/// Bytes read from one `<file` fs value; they are a URL or chain, never
/// large, and the cap keeps `obox_fs = </dev/zero` harmless.
const MAX_VALUE_FILE: u64 = 1 << 20;

/// Replace every fs setting written `key = <file` (globally or in a
/// filter's `plugin {}`) by the file's contents, read the way the runtime
/// reads it (relative names from the including file's directory), so the
/// chain is linted and its findings point into that file. A file that
/// cannot be read stays `<path`: the expanding reading reports it.
///
/// Dovecot keeps the file's final newline in the value; the linter drops
/// one line ending so that it judges the chain, not the line break.
fn read_value_files(cfg: &mut Config) {
    fn walk(s: &mut crate::conf::Section, files: &mut Files) {
        if s.ty == "plugin" {
            for st in s.settings.iter_mut() {
                if !FS_KEYS.contains(&st.key.as_str()) || st.value.bytes.first() != Some(&b'<') {
                    continue;
                }
                let name = String::from_utf8_lossy(&st.value.bytes[1..])
                    .trim_start_matches([' ', '\t'])
                    .to_string();
                let including = files.get(st.value.origin.file).path.clone();
                let full = conf::value_file_path(&including, &name);
                let Ok(data) = conf::read_file(Path::new(&full), MAX_VALUE_FILE) else {
                    continue;
                };
                let mut len = data.len();
                if data[..len].ends_with(b"\n") {
                    len -= 1;
                    if data[..len].ends_with(b"\r") {
                        len -= 1;
                    }
                }
                let bytes = data[..len].to_vec();
                let id = files.add(crate::conf::SourceFile::new(full, data));
                let origin = Origin {
                    file: id,
                    span: crate::source::Span::new(0, len),
                };
                let seg = crate::conf::Segment {
                    value_start: 0,
                    len,
                    origin,
                };
                st.value = crate::conf::Value::with_segment(bytes, seg, origin);
            }
        }
        for c in s.sections.iter_mut() {
            walk(c, files);
        }
    }
    walk(&mut cfg.root, &mut cfg.files);
}

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
    sort_diags(&mut out);
    out
}

/// By place (file, then offset), then code; exact duplicates dropped.
fn sort_diags(diags: &mut Vec<Diagnostic>) {
    diags.sort_by_key(|d| {
        (
            d.primary
                .as_ref()
                .map(|l| (l.origin.file, l.origin.span.start)),
            d.code.clone(),
        )
    });
    diags.dedup();
}

/// A config Dovecot refuses: OBX001 for one-line sections, OBX092 for
/// 2.4/3.1-style `fs` blocks and `@fs_*` presets (2.3 refuses them as
/// unknown settings), else OBX000.
pub fn conf_error(e: &ConfError) -> Diagnostic {
    let m = bare_message(&e.message);
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
        m.to_string()
    };
    Diagnostic {
        code: code.into(),
        name: r.name.into(),
        severity: Severity::Error,
        message,
        primary: e.origin.map(Label::new),
        secondary: Vec::new(),
        help: e.help.clone().or_else(|| Some(r.fix.into())),
    }
}

/// An error from an included file carries doveconf's whole line
/// (`Error in configuration file F line N: msg`); the finding already
/// points at F:N, so only `msg` is kept.
fn bare_message(m: &str) -> &str {
    let Some(rest) = m.strip_prefix("Error in configuration file ") else {
        return m;
    };
    let mut from = 0;
    while let Some(i) = rest[from..].find(" line ") {
        let after = &rest[from + i + " line ".len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(": ") {
            return &after[digits + 2..];
        }
        from += i + 1;
    }
    m
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
