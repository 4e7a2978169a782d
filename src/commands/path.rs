//! `obox-cli path`: where Dovecot keeps each user's objects and caches.
use crate::ExitStatus;
use crate::cli::GlobalArgs;
use crate::conf::{self, ExpandMode};
use crate::fs_chain::{Addressing, Backend, Signing};
use crate::s3::Endpoint;
use crate::secrets;
use crate::user_view::{ChainView, MailPaths, Prepared, UserView};
use crate::var_expand::UserContext;
use anyhow::Context;
use colored::Colorize;
use std::ffi::OsString;
use std::io::{BufRead, Write};

const AFTER_HELP: &str = "\
For each user: the home (userdb's --home, else mail_home expanded), the
mail_location root in the bucket and its INDEX/CONTROL directories, and for
obox_fs, obox_index_fs and fts_dovecot_fs the fscache directories, the object
key prefix and the request URL (credentials hidden unless -P).

A user whose settings Dovecot could not expand gets Dovecot's error and the
batch goes on; the exit status is then 1.

Examples:
  obox-cli path -c examples/dovecot.conf alice@example.com
  obox-cli path -c examples/dovecot.conf --json alice@example.com bob@example.com
  cut -d: -f1 users.txt | obox-cli path -c /etc/dovecot/dovecot.conf --stdin --json";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct PathArgs {
    /// Users to show.
    #[arg(value_name = "USER", required_unless_present = "stdin")]
    pub users: Vec<OsString>,
    /// Read users from standard input, one per line (a trailing CR is
    /// dropped).
    #[arg(long, conflicts_with = "users")]
    pub stdin: bool,
    /// The home directory the userdb returns (overrides mail_home).
    #[arg(long, value_name = "DIR")]
    pub home: Option<OsString>,
    /// Add a userdb field for %{userdb:FIELD} (repeatable).
    #[arg(long = "userdb", value_name = "FIELD=VALUE")]
    pub userdb: Vec<OsString>,
    /// One JSON object per user (JSON Lines).
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: &PathArgs, g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let path = g.config_path();
    let cfg = match conf::load(&path, ExpandMode::Expand) {
        Ok(c) => c,
        Err(e) => return Ok(super::config::report_conf_error(None, &e, g.show_secrets)),
    };
    super::config::print_warnings(&cfg);
    let prepared = Prepared::new(&cfg);
    if prepared.mail_location.is_none() && prepared.chains.is_empty() {
        anyhow::bail!(
            "{} sets neither mail_location nor obox_fs, obox_index_fs or fts_dovecot_fs",
            path.display()
        );
    }
    let mut base = UserContext::new(b"");
    for f in &a.userdb {
        let (k, v) = split_kv(f).context("--userdb")?;
        base.add_userdb(k, v);
    }
    let home = a.home.as_ref().map(|h| h.as_encoded_bytes().to_vec());
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut failed = false;
    let mut too_long = 0usize;
    let mut ctx = base.clone();
    let mut line = Vec::new();
    let mut show = |user: &[u8], out: &mut dyn Write| -> anyhow::Result<bool> {
        if user.is_empty() {
            let msg = "empty user name: Dovecot has no such user";
            if a.json {
                let v = serde_json::json!({ "user": "", "ok": false, "errors": [msg] });
                writeln!(out, "{v}")?;
            } else {
                writeln!(out, "(empty user)\n  error: {msg}")?;
            }
            return Ok(false);
        }
        ctx.set_user(user);
        ctx.set_home(home.as_deref());
        let view = prepared.view(&mut ctx);
        let ok = view_ok(&view);
        if a.json {
            let mut v = view_json(&view, g.show_secrets);
            if let serde_json::Value::Object(m) = &mut v {
                m.insert("ok".into(), view_ok(&view).into());
            }
            serde_json::to_writer(&mut *out, &v)?;
            out.write_all(b"\n")?;
        } else {
            write_human(out, &view, g.show_secrets)?;
        }
        Ok(ok)
    };
    if a.stdin {
        let stdin = std::io::stdin();
        let mut input = std::io::BufReader::with_capacity(1 << 16, stdin.lock());
        loop {
            line.clear();
            // Lines are read with a bound so a newline-free stream cannot
            // exhaust memory: Dovecot's usernames are far shorter.
            let n = read_bounded_line(&mut input, &mut line, MAX_USER_LEN)
                .context("reading users from standard input")?;
            match n {
                LineRead::Eof => break,
                LineRead::TooLong => {
                    too_long += 1;
                    writeln!(
                        std::io::stderr(),
                        "obox-cli: error: a line on standard input is longer than {MAX_USER_LEN} bytes; skipped"
                    )?;
                    continue;
                }
                LineRead::Line => {}
            }
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            failed |= !show(&line, &mut out)?;
        }
    } else {
        for u in &a.users {
            failed |= !show(u.as_encoded_bytes(), &mut out)?;
        }
    }
    out.flush()?;
    failed |= too_long > 0;
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

const MAX_USER_LEN: usize = 64 * 1024;

enum LineRead {
    Line,
    Eof,
    TooLong,
}

/// Read one LF-terminated line of at most `max` bytes; longer lines are
/// consumed and reported, never buffered whole.
fn read_bounded_line(
    r: &mut impl BufRead,
    out: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<LineRead> {
    let mut too_long = false;
    let mut any = false;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(if !any {
                LineRead::Eof
            } else if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            });
        }
        any = true;
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if !too_long {
            if out.len() + chunk.len() > max {
                too_long = true;
                out.clear();
            } else {
                out.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(buf.len());
        r.consume(used);
        if done.is_some() {
            return Ok(if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            });
        }
    }
}

fn split_kv(s: &OsString) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let b = s.as_encoded_bytes();
    let i = b
        .iter()
        .position(|&c| c == b'=')
        .with_context(|| format!("expected FIELD=VALUE, got {}", s.to_string_lossy()))?;
    Ok((b[..i].to_vec(), b[i + 1..].to_vec()))
}

fn view_ok(v: &UserView) -> bool {
    v.mail.as_ref().is_none_or(Result::is_ok) && v.chains.iter().all(|(_, c)| c.is_ok())
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Where a chain's objects for this user start, and the URL of that
/// prefix as a request would address it.
struct Located {
    key_prefix: String,
    url: String,
    bucket: Option<String>,
    addressing: &'static str,
    signing: Option<String>,
}

fn locate(c: &ChainView, mail: Option<&MailPaths>, show_secrets: bool) -> Option<Located> {
    let Backend::Http(h) = &c.chain.backend else {
        return None;
    };
    let url = c.storage_url()?;
    // The mail root applies to obox and index objects; FTS objects sit
    // under fts_dovecot_fs's own URL path.
    let root = if c.setting == "fts_dovecot_fs" {
        None
    } else {
        mail.and_then(|m| m.root.as_deref())
    };
    let signing = h.signing.as_ref().map(|s| match s {
        Signing::V4 { region } => format!("SigV4 ({region})"),
        Signing::V2 => "SigV2 (no region=)".to_string(),
    });
    if h.kind.is_s3()
        && let Ok(ep) = Endpoint::parse(url)
    {
        let mut prefix = ep.prefix.clone();
        if let Some(r) = root {
            prefix.push_str(&String::from_utf8_lossy(r));
            prefix.push('/');
        }
        let req = format!("{}{}", ep.signed_base(), ep.request_path(Some(&prefix)));
        let addressing = match h.addressing {
            Some(Addressing::PathStyle { .. }) => "path-style",
            _ => "virtual-hosted",
        };
        return Some(Located {
            key_prefix: prefix,
            url: if show_secrets {
                req
            } else {
                secrets::redact_text(&req)
            },
            bucket: Some(ep.bucket().to_string()),
            addressing,
            signing,
        });
    }
    // Other HTTP drivers: the URL path plus the root, URL as configured.
    let mut prefix = h.url.path.value.trim_start_matches('/').to_string();
    if let Some(r) = root {
        prefix.push_str(&String::from_utf8_lossy(r));
        prefix.push('/');
    }
    Some(Located {
        key_prefix: prefix,
        url: if show_secrets {
            url.to_string()
        } else {
            secrets::redact_text(url)
        },
        bucket: None,
        addressing: "n/a",
        signing,
    })
}

fn view_json(v: &UserView, show_secrets: bool) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let mut m = Map::new();
    let mut errors = Vec::new();
    m.insert("user".into(), lossy(&v.user).into());
    m.insert("home".into(), v.home.as_deref().map(lossy).into());
    let mail = match &v.mail {
        Some(Ok(p)) => {
            let mut mm = Map::new();
            mm.insert("driver".into(), p.driver.as_deref().map(lossy).into());
            mm.insert("root".into(), p.root.as_deref().map(lossy).into());
            mm.insert("index".into(), p.index.as_deref().map(lossy).into());
            mm.insert("control".into(), p.control.as_deref().map(lossy).into());
            Some(p).map(|_| Value::Object(mm)).unwrap_or(Value::Null)
        }
        Some(Err(e)) => {
            errors.push(Value::from(e.clone()));
            Value::Null
        }
        None => Value::Null,
    };
    m.insert("mail_location".into(), mail);
    let mail_paths = v.mail.as_ref().and_then(|r| r.as_ref().ok());
    let mut chains = Map::new();
    for (k, c) in &v.chains {
        match c {
            Ok(c) => {
                let loc = locate(c, mail_paths, show_secrets);
                chains.insert(
                    k.clone(),
                    json!({
                        "fscache": c.fscache.iter().map(|(p, s)| json!({"path": p, "size": s})).collect::<Vec<_>>(),
                        "key_prefix": loc.as_ref().map(|l| l.key_prefix.clone()),
                        "url": loc.as_ref().map(|l| l.url.clone()),
                        "bucket": loc.as_ref().and_then(|l| l.bucket.clone()),
                        "addressing": loc.as_ref().map(|l| l.addressing),
                        "signing": loc.as_ref().and_then(|l| l.signing.clone()),
                    }),
                );
            }
            Err(e) => {
                let e = if show_secrets {
                    e.clone()
                } else {
                    secrets::redact_text(e)
                };
                errors.push(Value::from(e));
                chains.insert(k.clone(), Value::Null);
            }
        }
    }
    m.insert("chains".into(), Value::Object(chains));
    m.insert("errors".into(), Value::Array(errors));
    Value::Object(m)
}

fn write_human(out: &mut dyn Write, v: &UserView, show_secrets: bool) -> std::io::Result<()> {
    let label = |s: &str| format!("{s:<14}").dimmed();
    writeln!(out, "{}", lossy(&v.user).bold())?;
    if let Some(h) = &v.home {
        writeln!(out, "  {} {}", label("home"), lossy(h))?;
    }
    let mut mail_paths = None;
    match &v.mail {
        Some(Ok(p)) => {
            mail_paths = Some(p);
            if let Some(r) = &p.root {
                writeln!(out, "  {} {}", label("mail root"), lossy(r))?;
            }
            if let Some(i) = &p.index {
                writeln!(out, "  {} {}", label("INDEX"), lossy(i))?;
            }
            if let Some(c) = &p.control {
                writeln!(out, "  {} {}", label("CONTROL"), lossy(c))?;
            }
        }
        Some(Err(e)) => writeln!(out, "  {} {}", "error:".red().bold(), e)?,
        None => {}
    }
    for (k, c) in &v.chains {
        writeln!(out, "  {}", k.bold())?;
        match c {
            Ok(c) => {
                for (p, s) in &c.fscache {
                    writeln!(out, "    {} {p} ({s})", label("fscache"))?;
                }
                if let Some(l) = locate(c, mail_paths, show_secrets) {
                    if let Some(b) = &l.bucket {
                        writeln!(out, "    {} {b} ({})", label("bucket"), l.addressing)?;
                    }
                    if let Some(s) = &l.signing {
                        writeln!(out, "    {} {s}", label("signing"))?;
                    }
                    writeln!(out, "    {} {}", label("key prefix"), l.key_prefix)?;
                    writeln!(out, "    {} {}", label("url"), l.url)?;
                }
            }
            Err(e) => {
                let e = if show_secrets {
                    e.clone()
                } else {
                    secrets::redact_text(e)
                };
                writeln!(out, "    {} {e}", "error:".red().bold())?;
            }
        }
    }
    Ok(())
}
