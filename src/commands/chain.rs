//! `obox-cli chain`: parse an fs chain (from the config or `--string`) and
//! print it as a tree or JSON, credentials hidden unless `-P`.
use crate::ExitStatus;
use crate::cli::GlobalArgs;
use crate::conf::{self, ExpandMode};
use crate::fs_chain::{
    self, Backend, FsChain, FsChainError, HIDDEN, HttpStorage, LayerKind, ParseOptions, PosixOpt,
    TextForm,
};
use crate::secrets;
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
    let show = g.show_secrets;
    // The text, the config it came from, and the setting's key path.
    let (text, location, config) = match &args.string {
        Some(s) => (s.clone(), None, None),
        None => {
            let path = g.config_path();
            let config = conf::load(&path, ExpandMode::Literal)
                .with_context(|| format!("reading {}", path.display()))?;
            let key = resolve_key(&config, &args.setting);
            let setting = config
                .get(&key)
                .with_context(|| format!("{key} is not set in {}", path.display()))?;
            let text = setting.value.text().into_owned();
            let value = setting.value.clone();
            (text, Some((key, value)), Some(config))
        }
    };
    if !args.check_oss && is_mail_location(&args.setting, args.string.is_some(), &text) {
        return mail_location(args, g, &text, location.as_ref(), config.as_ref());
    }
    let result = fs_chain::parse_with(&text, &opts);
    let mut out = std::io::stdout().lock();
    if args.check_oss && !args.json {
        match &result {
            Ok(_) => writeln!(out, "OK")?,
            Err(e) => writeln!(
                out,
                "!ERROR:{}",
                secrets::redact_text_unless(&e.to_string(), show)
            )?,
        }
        return Ok(status(&result));
    }
    let origin = |span: Span| {
        let (cfg, (_, value)) = (config.as_ref()?, location.as_ref()?);
        Some(origin_json(cfg, value, span))
    };
    let head = || match &location {
        Some((key, _)) => serde_json::json!({ "setting": key, "source": "config" }),
        None => serde_json::json!({ "setting": null, "source": "string" }),
    };
    match (&result, args.json) {
        (Ok(chain), true) => {
            let mut chain = chain.clone();
            if !show {
                chain.redact();
            }
            let mut c = serde_json::to_value(&chain)?;
            add_origins(&mut c, &origin);
            let mut v = head();
            v["chain"] = c;
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        (Ok(chain), false) => {
            for line in render_tree(chain, show) {
                writeln!(out, "{line}")?;
            }
        }
        (Err(e), true) => {
            let mut v = head();
            v["error"] = serde_json::json!({
                "message": secrets::redact_text_unless(&e.to_string(), show),
                "span": [e.span.start, e.span.end],
                "origin": origin(e.span),
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        (Err(e), false) => {
            drop(out);
            let loc = config.as_ref().zip(location.as_ref().map(|(_, v)| v));
            report(e, &text, loc, show);
        }
    }
    Ok(status(&result))
}

/// `obox_fs` means `plugin/obox_fs`; a top-level setting (`mail_location`,
/// `mail_attachment_fs`) is read from the top when there is no plugin
/// setting of that name.
fn resolve_key(config: &conf::Config, setting: &str) -> String {
    if setting.contains('/') {
        return setting.to_string();
    }
    let plugin = format!("plugin/{setting}");
    if config.get(&plugin).is_none() && config.get(setting).is_some() {
        return setting.to_string();
    }
    plugin
}

/// Mail storage formats that can head a `mail_location` (not fs drivers).
const MAIL_DRIVERS: &[&str] = &[
    "obox", "maildir", "mbox", "mdbox", "sdbox", "dbox", "imapc", "pop3c", "cydir", "raw",
    "shared", "fail",
];

/// The text is a `mail_location` rather than an fs chain: the setting is
/// `mail_location` (or a namespace `location`), or a `--string` starts
/// with a mail storage format (`obox:%u:INDEX=~/`).
fn is_mail_location(setting: &str, from_string: bool, text: &str) -> bool {
    let name = setting.rsplit('/').next().unwrap_or(setting);
    let driver = text.split(':').next().unwrap_or("");
    if from_string {
        MAIL_DRIVERS.contains(&driver)
    } else {
        name == "mail_location" || name == "location"
    }
}

/// `chain mail_location`: the location's parts and, for obox, the fs
/// chains the storage uses (`obox_fs`, `obox_index_fs`), read from the
/// config.
fn mail_location(
    args: &ChainArgs,
    g: &GlobalArgs,
    text: &str,
    location: Option<&(String, conf::Value)>,
    config: Option<&conf::Config>,
) -> anyhow::Result<ExitStatus> {
    let show = g.show_secrets;
    // `~` stays `~` (the tool has no user here); %-variables stay as written.
    let tilde = |name: &[u8]| Some([&b"~"[..], name].concat());
    let parsed = crate::mail_location::parse_with(text.as_bytes(), Some(b"~"), &tilde);
    let mut out = std::io::stdout().lock();
    let origin = |span: Span| {
        let (cfg, (_, value)) = (config?, location?);
        Some(origin_json(cfg, value, span))
    };
    let loc = match parsed {
        Ok(l) => l,
        Err(e) => {
            let msg = secrets::redact_text_unless(&e.to_string(), show);
            if args.json {
                let v = serde_json::json!({
                    "setting": location.map(|(k, _)| k.as_str()),
                    "source": if location.is_some() { "config" } else { "string" },
                    "error": {
                        "message": msg,
                        "span": e.span.map(|s| [s.start, s.end]),
                        "origin": e.span.and_then(origin),
                    },
                });
                writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            } else {
                drop(out);
                eprintln!("invalid mail_location: {msg}");
            }
            return Ok(ExitStatus::Failure);
        }
    };
    let lossy = |b: &Option<Vec<u8>>| b.as_ref().map(|b| String::from_utf8_lossy(b).into_owned());
    let driver = lossy(&loc.driver);
    let is_obox = driver.as_deref() == Some("obox");
    // The obox storage's chains, from the config when there is one.
    let mut chains = Vec::new();
    if is_obox && let Some(cfg) = config {
        for name in ["obox_fs", "obox_index_fs"] {
            let Some(st) = cfg.get(&format!("plugin/{name}")) else {
                continue;
            };
            let t = st.value.text().into_owned();
            let r = fs_chain::parse_with(&t, &ParseOptions::default());
            chains.push((name, st.value.clone(), r));
        }
    }
    let mut failed = false;
    if args.json {
        let pieces: Vec<serde_json::Value> = loc
            .pieces
            .iter()
            .map(|(p, span)| {
                serde_json::json!({
                    "text": secrets::redact_text_unless(&String::from_utf8_lossy(p), show),
                    "span": [span.start, span.end],
                    "origin": origin(*span),
                })
            })
            .collect();
        let mut cj = serde_json::Map::new();
        for (name, value, r) in &chains {
            let cfg = config.expect("chains come from the config");
            let o = |span: Span| Some(origin_json(cfg, value, span));
            let v = match r {
                Ok(c) => {
                    let mut c = c.clone();
                    if !show {
                        c.redact();
                    }
                    let mut c = serde_json::to_value(&c)?;
                    add_origins(&mut c, &o);
                    serde_json::json!({ "setting": format!("plugin/{name}"), "chain": c })
                }
                Err(e) => {
                    failed = true;
                    serde_json::json!({
                        "setting": format!("plugin/{name}"),
                        "error": {
                            "message": secrets::redact_text_unless(&e.to_string(), show),
                            "span": [e.span.start, e.span.end],
                            "origin": o(e.span),
                        }
                    })
                }
            };
            cj.insert(name.to_string(), v);
        }
        let v = serde_json::json!({
            "setting": location.map(|(k, _)| k.as_str()),
            "source": if location.is_some() { "config" } else { "string" },
            "mail_location": {
                "driver": driver,
                "root": lossy(&loc.root).map(|r| secrets::redact_text_unless(&r, show)),
                "pieces": pieces,
            },
            "chains": cj,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        let shown = secrets::redact_text_unless(text, show);
        writeln!(out, "mail_location  {shown}")?;
        writeln!(
            out,
            "   format: {}",
            driver.as_deref().unwrap_or("(autodetected)")
        )?;
        if let Some(r) = lossy(&loc.root) {
            writeln!(out, "   root: {}", secrets::redact_text_unless(&r, show))?;
        }
        for (p, _) in &loc.pieces {
            let p = String::from_utf8_lossy(p);
            writeln!(out, "   {}", secrets::redact_text_unless(&p, show))?;
        }
        if is_obox && config.is_none() {
            writeln!(
                out,
                "   storage: the obox_fs and obox_index_fs plugin settings (give -c to read them)"
            )?;
        }
        for (name, value, r) in &chains {
            writeln!(out, "   {name}:")?;
            match r {
                Ok(c) => {
                    for (i, line) in render_tree(c, show).iter().enumerate() {
                        let lead = if i == 0 { "└─ " } else { "   " };
                        writeln!(out, "   {lead}{line}")?;
                    }
                }
                Err(e) => {
                    failed = true;
                    out.flush()?;
                    let cfg = config.expect("chains come from the config");
                    let t = value.text().into_owned();
                    report(e, &t, Some((cfg, value)), show);
                }
            }
        }
    }
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// Where `span` (relative to the value) is in its source file.
fn origin_json(cfg: &conf::Config, value: &conf::Value, span: Span) -> serde_json::Value {
    let o = value.origin_of(span);
    let (line, column) = cfg.files.line_col(o);
    serde_json::json!({
        "file": cfg.files.get(o.file).path,
        "line": line,
        "column": column,
        "offset": o.span.start,
        "end_offset": o.span.end,
    })
}

/// Next to every `"span": [a, b]` of the chain's JSON, add `"origin"`:
/// the file, line, column and absolute byte offsets it maps to.
fn add_origins(v: &mut serde_json::Value, origin: &dyn Fn(Span) -> Option<serde_json::Value>) {
    match v {
        serde_json::Value::Object(m) => {
            let span = m.get("span").and_then(|s| {
                let a = s.get(0)?.as_u64()? as usize;
                let b = s.get(1)?.as_u64()? as usize;
                Some(Span::new(a, b))
            });
            if let Some(o) = span.and_then(origin) {
                m.insert("origin".into(), o);
            }
            for (_, x) in m.iter_mut() {
                add_origins(x, origin);
            }
        }
        serde_json::Value::Array(a) => {
            for x in a {
                add_origins(x, origin);
            }
        }
        _ => {}
    }
}

fn status<T>(r: &Result<T, FsChainError>) -> ExitStatus {
    if r.is_ok() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

/// Print the error with the chain and a caret line under the offending
/// bytes; secrets in the message and the chain (URL userinfo, secret
/// words, credential headers) are hidden unless `-P`.
fn report(e: &FsChainError, text: &str, loc: Option<(&conf::Config, &conf::Value)>, show: bool) {
    let mut err = std::io::stderr().lock();
    let where_ = loc.map(|(cfg, value)| {
        let o = value.origin_of(e.span);
        let (line, col) = cfg.files.line_col(o);
        format!("{}:{line}:{col}: ", cfg.files.get(o.file).path)
    });
    let msg = secrets::redact_text_unless(&e.to_string(), show);
    let _ = writeln!(err, "{}invalid fs chain: {msg}", where_.unwrap_or_default());
    let (shown, span) = if show {
        (text.to_string(), e.span)
    } else {
        hide_secrets(text, e.span)
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

/// `text` with every secret (URL userinfo, `password=` words, credential
/// headers) replaced by the hidden marker, and `span` moved so that the
/// caret still points at the same bytes (or at the marker hiding them).
pub fn hide_secrets(text: &str, span: Span) -> (String, Span) {
    let (out, map) = crate::diagnostic::redact::redact_with_map(text);
    let a = crate::diagnostic::redact::map_offset(&map, span.start).min(out.len());
    let mut b = crate::diagnostic::redact::map_offset(&map, span.end).min(out.len());
    // A span ending inside a hidden range covers the whole marker.
    if map.iter().any(|&(s, e, _)| span.end > s && span.end < e) {
        b = (b + HIDDEN.len()).min(out.len());
    }
    let (mut a, mut b) = (a, b.max(a));
    while !out.is_char_boundary(a) {
        a -= 1;
    }
    while !out.is_char_boundary(b) {
        b += 1;
    }
    (out, Span::new(a, b))
}

/// The chain as an indented tree, one driver per level.
pub fn render_tree(chain: &FsChain, show_secrets: bool) -> Vec<String> {
    let mut lines = Vec::new();
    if show_secrets {
        tree(chain, true, 0, &mut lines);
    } else {
        // Every credential replaced first, so no branch below can print one.
        let mut hidden = chain.clone();
        hidden.redact();
        tree(&hidden, false, 0, &mut lines);
    }
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
            .shown_value(show)
            .map(|v| format!(" = {v}"))
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
