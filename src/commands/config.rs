//! `obox-cli config`: the configuration as doveconf prints it.
use crate::ExitStatus;
use crate::cli::GlobalArgs;
use crate::conf::{self, Config, ExpandMode, Section, dump};
use crate::secrets;
use std::io::Write;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  obox-cli config -c examples/dovecot.conf                 # like doveconf -n
  obox-cli config -c examples/dovecot.conf plugin/obox_fs  # like doveconf plugin/obox_fs
  obox-cli config -H mail_location                         # like doveconf -h mail_location
  obox-cli config -x --json                                # $var and <file expanded, as JSON")]
pub struct ConfigArgs {
    /// Print only these settings (doveconf key paths: mail_location,
    /// plugin/obox_fs, service/imap/process_limit).
    #[arg(value_name = "KEY")]
    pub keys: Vec<String>,
    /// Print only the values, like `doveconf -h`.
    #[arg(short = 'H', long)]
    pub hide_key: bool,
    /// Show the non-default configuration (the default without KEYs; for
    /// doveconf compatibility).
    #[arg(short = 'n', long = "non-default")]
    pub non_default: bool,
    /// Expand `$setting`, `$ENV:NAME` and `<file` values, like `doveconf -x`.
    #[arg(short = 'x', long)]
    pub expand: bool,
    /// Print JSON instead of dovecot.conf syntax.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &ConfigArgs, g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let path = g.config_path();
    let mode = if a.expand {
        ExpandMode::Expand
    } else {
        ExpandMode::Literal
    };
    let cfg = match conf::load(&path, mode) {
        Ok(c) => c,
        Err(e) => return Ok(report_conf_error(None, &e, g.show_secrets)),
    };
    print_warnings(&cfg);
    let mut out = std::io::stdout().lock();
    if !a.keys.is_empty() {
        // Like `doveconf -h`, key lookups ignore delayed errors.
        let status = ExitStatus::Success;
        let mut json = serde_json::Map::new();
        for key in &a.keys {
            // doveconf prints nothing for a path that names no setting and
            // still succeeds; say so on stderr.
            let Some(v) = dump::lookup_value(&cfg, key) else {
                eprintln!("obox-cli: warning: no such setting: {key}");
                continue;
            };
            // doveconf prints looked-up values in clear even without -P;
            // obox-cli's rule is that secrets need -P everywhere, so the
            // value is hidden the way `config` hides it in a full dump.
            let v = if g.show_secrets {
                v
            } else {
                let name = key.rsplit('/').next().unwrap_or(key);
                secrets::hide_value(name, &v)
            };
            if a.json {
                json.insert(key.clone(), String::from_utf8_lossy(&v).into());
            } else if a.hide_key {
                out.write_all(&v)?;
                out.write_all(b"\n")?;
            } else {
                write!(out, "{key} = ")?;
                out.write_all(&v)?;
                out.write_all(b"\n")?;
            }
        }
        if a.json {
            serde_json::to_writer_pretty(&mut out, &json)?;
            out.write_all(b"\n")?;
        }
        return Ok(status);
    }
    if a.json {
        let v = section_json(&cfg.root, g.show_secrets);
        serde_json::to_writer_pretty(&mut out, &v)?;
        out.write_all(b"\n")?;
    } else {
        writeln!(
            out,
            "# obox-cli {} (Dovecot {} semantics): {}",
            env!("CARGO_PKG_VERSION"),
            crate::DOVECOT_VERSION,
            path.display()
        )?;
        dump::write_non_default(
            &cfg,
            dump::DumpOptions {
                show_secrets: g.show_secrets,
            },
            &mut out,
        )?;
    }
    out.flush()?;
    drop(out);
    let status = match &cfg.delayed_error {
        Some(e) => report_conf_error(Some(&cfg), e, g.show_secrets),
        None => ExitStatus::Success,
    };
    // The process ends now: freeing a big config piece by piece would
    // only cost time.
    std::mem::forget(cfg);
    Ok(status)
}

pub(crate) fn print_warnings(cfg: &Config) {
    for w in &cfg.warnings {
        eprintln!("obox-cli: warning: {}", w.message);
    }
}

/// doveconf's message, then a code frame pointing at the offending bytes.
pub(crate) fn report_conf_error(
    cfg: Option<&Config>,
    e: &conf::ConfError,
    show_secrets: bool,
) -> ExitStatus {
    let msg = if show_secrets {
        e.fatal.clone()
    } else {
        secrets::redact_text(&e.fatal)
    };
    let mut err = std::io::stderr().lock();
    if cfg.is_none() {
        // Warnings doveconf printed before the error.
        for w in &e.warnings {
            let _ = writeln!(err, "obox-cli: warning: {}", w.message);
        }
    }
    let _ = writeln!(
        err,
        "obox-cli: error: {}",
        crate::output::elide_middle(&msg, crate::output::MAX_MESSAGE)
    );
    let files = cfg.map_or(&e.files, |c| &c.files);
    if let Some(o) = e.origin
        && let Some(f) = files.files.get(o.file.0)
    {
        let _ = err.write_all(
            crate::source::frame::render(&f.path, &f.text, &f.line_index, o.span, !show_secrets)
                .as_bytes(),
        );
    }
    if let Some(h) = &e.help {
        let _ = writeln!(err, "  = help: {h}");
    }
    ExitStatus::Error
}

fn section_json(s: &Section, show_secrets: bool) -> serde_json::Value {
    let mut settings = serde_json::Map::new();
    for st in &s.settings {
        let v = if show_secrets {
            st.value.bytes.clone()
        } else {
            secrets::hide_value(&st.key, &st.value.bytes)
        };
        settings.insert(st.key.clone(), String::from_utf8_lossy(&v).into());
    }
    let sections: Vec<serde_json::Value> = s
        .sections
        .iter()
        .map(|c| {
            let mut v = section_json(c, show_secrets);
            if let serde_json::Value::Object(m) = &mut v {
                m.insert("type".into(), c.ty.clone().into());
                m.insert("name".into(), c.name.clone().into());
                m.insert("filter".into(), c.is_filter().into());
            }
            v
        })
        .collect();
    serde_json::json!({ "settings": settings, "sections": sections })
}
