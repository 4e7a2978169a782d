//! `obox-cli chain`: parse an fs chain (from the config or `--string`) and
//! print it as a tree or JSON, credentials hidden unless `-P`.
use crate::ExitStatus;
use crate::cli::GlobalArgs;
use crate::conf::{self, ExpandMode};
use crate::fs_chain::{
    self, Backend, FsChain, FsChainError, HIDDEN, HttpStorage, LayerKind, ParseOptions, PosixOpt,
    TextForm,
};
use crate::source::Span;
use anyhow::Context;
use std::io::Write;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  obox-cli chain -c examples/dovecot.conf obox_fs
  obox-cli chain -c examples/dovecot.conf fts_dovecot_fs --json
  obox-cli chain --string 'compress:zstd:3:s3:https://b.s3.example.com/?region=eu-west-1'")]
pub struct ChainArgs {
    /// The setting to read: a plugin setting name (`obox_index_fs`) or a
    /// doveconf key path (`plugin/fts_dovecot_fs`, `mail_attachment_fs`).
    #[arg(default_value = "obox_fs", value_name = "SETTING")]
    pub setting: String,
    /// Parse this fs string instead of reading the config.
    #[arg(long = "string", value_name = "FS")]
    pub string: Option<String>,
    /// Print the parsed chain as JSON.
    #[arg(long)]
    pub json: bool,
    /// Behave like open-source dovecot-core (Pro drivers are unknown) and
    /// print `OK` or `!ERROR:<message>` exactly as the fs-check oracle does.
    #[arg(long)]
    pub check_oss: bool,
    /// The text is already %-expanded for a user (`%XX` is URL encoding).
    #[arg(long)]
    pub expanded: bool,
}

pub fn run(args: &ChainArgs, g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let opts = ParseOptions {
        oss_only: args.check_oss,
        lenient: false,
        form: if args.expanded {
            TextForm::Expanded
        } else {
            TextForm::Config
        },
    };
    let (text, location) = match &args.string {
        Some(s) => (s.clone(), None),
        None => {
            let path = g.config_path();
            let config = conf::load(&path, ExpandMode::Literal)
                .with_context(|| format!("reading {}", path.display()))?;
            let key = if args.setting.contains('/') {
                args.setting.clone()
            } else {
                format!("plugin/{}", args.setting)
            };
            let setting = config
                .get(&key)
                .with_context(|| format!("{key} is not set in {}", path.display()))?;
            let text = setting.value.text().into_owned();
            (text, Some((config.clone(), setting.value.clone())))
        }
    };
    let result = fs_chain::parse_with(&text, &opts);
    let mut out = std::io::stdout().lock();
    if args.check_oss && !args.json {
        match &result {
            Ok(_) => writeln!(out, "OK")?,
            Err(e) => writeln!(out, "!ERROR:{e}")?,
        }
        return Ok(status(&result));
    }
    match (&result, args.json) {
        (Ok(chain), true) => {
            let mut chain = chain.clone();
            if !g.show_secrets {
                chain.redact();
            }
            let v = serde_json::json!({ "setting": args.setting, "chain": chain });
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        (Ok(chain), false) => {
            for line in render_tree(chain, g.show_secrets) {
                writeln!(out, "{line}")?;
            }
        }
        (Err(e), true) => {
            let v = serde_json::json!({
                "setting": args.setting,
                "error": { "message": e.to_string(), "span": [e.span.start, e.span.end] },
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        (Err(e), false) => {
            drop(out);
            report(e, &text, location.as_ref(), g.show_secrets);
        }
    }
    Ok(status(&result))
}

fn status<T>(r: &Result<T, FsChainError>) -> ExitStatus {
    if r.is_ok() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

/// Print the error with the chain and a caret line under the offending
/// bytes; the chain is shown with its userinfo hidden unless `-P`.
fn report(e: &FsChainError, text: &str, loc: Option<&(conf::Config, conf::Value)>, show: bool) {
    let mut err = std::io::stderr().lock();
    let where_ = loc.map(|(cfg, value)| {
        let o = value.origin_of(e.span);
        let (line, col) = cfg.files.line_col(o);
        format!("{}:{line}:{col}: ", cfg.files.get(o.file).path)
    });
    let _ = writeln!(err, "{}invalid fs chain: {e}", where_.unwrap_or_default());
    let (shown, span) = if show {
        (text.to_string(), e.span)
    } else {
        hide_userinfo(text, e.span)
    };
    if !shown.contains('\n') && shown.len() < 400 {
        let pad = shown[..span.start.min(shown.len())].chars().count();
        let width = shown[span.start.min(shown.len())..span.end.min(shown.len())]
            .chars()
            .count()
            .max(1);
        let _ = writeln!(err, "  {shown}");
        let _ = writeln!(err, "  {}{}", " ".repeat(pad), "^".repeat(width));
    }
}

/// Replace every `scheme://USERINFO@` by the hidden marker, moving `span`
/// so that the caret still points at the same bytes.
pub fn hide_userinfo(text: &str, span: Span) -> (String, Span) {
    let mut out = String::with_capacity(text.len());
    let mut span = span;
    let mut rest = 0;
    while let Some(i) = text[rest..].find("://").map(|i| i + rest + 3) {
        // Up to the query, not the first '/': a secret with an unencoded
        // '/' must still be hidden, so hide too much rather than too little.
        let auth_end = text[i..]
            .find(['?', ' ', '#'])
            .map_or(text.len(), |k| k + i);
        let Some(at) = text[i..auth_end].rfind('@').map(|k| k + i) else {
            out.push_str(&text[rest..i]);
            rest = i;
            continue;
        };
        out.push_str(&text[rest..i]);
        out.push_str(HIDDEN);
        let removed = at - i;
        let delta = HIDDEN.len() as isize - removed as isize;
        let shift = |p: usize| {
            if p >= at {
                (p as isize + delta) as usize
            } else if p > i {
                i
            } else {
                p
            }
        };
        span = Span::new(shift(span.start), shift(span.end).max(shift(span.start)));
        rest = at;
    }
    out.push_str(&text[rest..]);
    // Spans computed against the original must be shifted only once.
    (out, span)
}

/// The chain as an indented tree, one driver per level.
pub fn render_tree(chain: &FsChain, show_secrets: bool) -> Vec<String> {
    let mut lines = Vec::new();
    tree(chain, show_secrets, 0, &mut lines);
    lines
}

fn tree(chain: &FsChain, show: bool, depth: usize, lines: &mut Vec<String>) {
    let mut d = depth;
    let head = |d: usize| {
        if d == 0 {
            String::new()
        } else {
            format!("{}└─ ", "   ".repeat(d - 1))
        }
    };
    let detail = |d: usize| "   ".repeat(d + 1);
    for layer in &chain.layers {
        let desc = match &layer.kind {
            LayerKind::FtsCache => "FTS write cache".to_string(),
            LayerKind::FsCache(f) => format!(
                "size {} ({} bytes{}), path {}",
                f.size_raw.value,
                f.size.bytes,
                if f.size.has_unit { "" } else { ", no unit" },
                f.path.value
            ),
            LayerKind::Compress(c) => format!(
                "{}{} level {}",
                if c.maybe { "maybe-" } else { "" },
                c.algo.name(),
                c.level.value
            ),
            LayerKind::Crypt(c) => {
                let items: Vec<String> = c
                    .params
                    .iter()
                    .map(|kv| {
                        let v = if kv.is_secret() && !show {
                            HIDDEN
                        } else {
                            &kv.value.value
                        };
                        format!("{}={v}", kv.key.value)
                    })
                    .collect();
                if items.is_empty() {
                    "default parameters".into()
                } else {
                    items.join(" ")
                }
            }
            LayerKind::Metawrap => "metadata stored in the object".into(),
            LayerKind::Sis => "single-instance storage".into(),
            LayerKind::SisQueue { queue_dir } => format!("queue {}", queue_dir.value),
            LayerKind::RandomFail(r) => {
                let items: Vec<String> = r
                    .params
                    .iter()
                    .map(|kv| format!("{}={}", kv.key.value, kv.value.value))
                    .collect();
                format!("failure injection {}", items.join(","))
            }
        };
        lines.push(format!("{}{}  {desc}", head(d), layer.driver.value));
        d += 1;
    }
    match &chain.backend {
        Backend::Http(h) => http_tree(h, show, &head(d), &detail(d), lines),
        Backend::Posix { driver, posix } => {
            let opts: Vec<String> = posix
                .options
                .iter()
                .map(|o| match &o.value {
                    PosixOpt::Prefix { path } => format!("prefix={path}"),
                    PosixOpt::Lock { dotlock } => {
                        format!("lock={}", if *dotlock { "dotlock" } else { "flock" })
                    }
                    PosixOpt::ModeAuto => "mode=auto".into(),
                    PosixOpt::Mode { mode } => format!("mode=0{mode:o}"),
                    PosixOpt::Dirs => "dirs".into(),
                    PosixOpt::NoFsync => "no-fsync".into(),
                    PosixOpt::AccurateMtime => "accurate-mtime".into(),
                })
                .collect();
            lines.push(format!("{}{}  {}", head(d), driver.value, opts.join(" ")));
        }
        Backend::Dict(x) => lines.push(format!(
            "{}{}  encoding {}, dict {}",
            head(d),
            x.driver.value,
            x.encoding.value,
            x.dict_uri.value
        )),
        Backend::Test { driver } => lines.push(format!("{}{}", head(d), driver.value)),
        Backend::Unknown { driver, .. } => {
            lines.push(format!("{}{}  (unknown driver)", head(d), driver.value))
        }
        Backend::DictMap { driver, dictmap } => {
            lines.push(format!(
                "{}{}  dict {}",
                head(d),
                driver.value,
                dictmap.dict_uri.value
            ));
            for p in &dictmap.params {
                let v = p
                    .value
                    .as_ref()
                    .map(|v| format!("={}", v.value))
                    .unwrap_or_default();
                let unk = if p.known {
                    ""
                } else {
                    "   (unknown parameter)"
                };
                lines.push(format!("{}param {}{v}{unk}", detail(d), p.name.value));
            }
            tree(&dictmap.parent, show, d + 1, lines);
        }
    }
}

fn http_tree(h: &HttpStorage, show: bool, head: &str, detail: &str, lines: &mut Vec<String>) {
    let u = &h.url;
    lines.push(format!("{head}{}  {}", h.driver.value, u.display(show)));
    lines.push(format!("{detail}host: {}", u.host.value));
    if let Some(p) = &u.port {
        lines.push(format!("{detail}port: {}", p.value));
    }
    if !u.path.value.is_empty() && u.path.value != "/" {
        lines.push(format!("{detail}path prefix: {}", u.path.value));
    }
    if let Some(ui) = &u.userinfo {
        let (user, pass) = if show {
            (
                ui.user.decoded.clone(),
                ui.password.as_ref().map(|p| p.decoded.clone()),
            )
        } else {
            (
                HIDDEN.to_string(),
                ui.password.as_ref().map(|_| HIDDEN.to_string()),
            )
        };
        lines.push(format!(
            "{detail}credentials: access key {user}, secret {}",
            pass.unwrap_or_else(|| "(none)".into())
        ));
    }
    if let Some(a) = &h.addressing {
        let s = match a {
            fs_chain::Addressing::PathStyle { bucket } => format!("{bucket} (path-style, bucket=)"),
            fs_chain::Addressing::VirtualHosted { bucket } => {
                format!("{bucket} (virtual-hosted, from the host name)")
            }
            fs_chain::Addressing::NoBucket => "none found".into(),
        };
        lines.push(format!("{detail}bucket: {s}"));
    }
    if let Some(s) = &h.signing {
        let s = match s {
            fs_chain::Signing::V2 => "AWS SigV2 (no region parameter)".to_string(),
            fs_chain::Signing::V4 { region } => format!("AWS SigV4, region {region}"),
        };
        lines.push(format!("{detail}signing: {s}"));
    }
    for p in &u.params {
        let v = p
            .value
            .as_ref()
            .map(|v| format!(" = {}", v.value))
            .unwrap_or_default();
        let note = match (&p.typed, p.spec) {
            (_, None) => "   (unknown parameter)".to_string(),
            (fs_chain::Typed::Invalid { reason }, _) => format!("   (invalid: {reason})"),
            (fs_chain::Typed::TimeMissingUnit { .. }, _) => "   (time without unit)".into(),
            (_, Some(spec)) => spec
                .deprecated_by
                .map(|by| format!("   (deprecated, use {by})"))
                .unwrap_or_default(),
        };
        lines.push(format!("{detail}param {}{v}{note}", p.name.value));
    }
    for (k, v) in &h.implied_params {
        lines.push(format!("{detail}implied {k} = {v}"));
    }
}
