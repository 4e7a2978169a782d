//! `obox-cli expand`: expand %-templates for one user, like
//! `doveadm user -e TEMPLATE USER` does with Dovecot 2.3.
use crate::ExitStatus;
use crate::cli::GlobalArgs;
use crate::var_expand::{Template, UserContext, Var, expand_into};
use anyhow::{Context, bail};
use std::ffi::{OsStr, OsString};
use std::io::Write;

const AFTER_HELP: &str = "\
Each TEMPLATE is expanded with the mail-user variables Dovecot uses for plugin
settings (obox_fs, ...) and mail_location, and printed on its own line as raw
bytes. A template Dovecot would reject prints nothing on stdout and Dovecot's
message on stderr; the other templates are still expanded; the exit status is
then 1.

The context matches `doveadm user -e`: service `doveadm`, this process's pid,
the system host name. Home, uid and gid exist only when given. Without --user
the username is empty.

Variables for --var: u/user, n/username, d/domain, s/service, h/home,
l/lip/local_ip, r/rip/remote_ip, p/pid, i/uid, gid, session, auth_user,
auth_username, auth_domain, hostname.

Examples:
  obox-cli expand --user alice@example.com '%8Mu/%u' '/var/cache/mails/%4Nu'
  obox-cli expand --user alice@example.com --home /home/alice 'obox:%8Mu/%u:INDEX=~/'
  obox-cli expand --user bob --userdb quota=1G '%{userdb:quota:none}'
  obox-cli expand --user bob --var session=abc123 '%{session}'
  obox-cli expand 'SEC%2FRET'      # fails: Unknown variable '%F' (write SEC%%2FRET)";

/// Flags of `obox-cli expand`.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct ExpandArgs {
    /// Username (%u); %n, %d and auth_* are derived from it.
    #[arg(short, long, value_name = "USER")]
    pub user: Option<OsString>,
    /// Home directory (%h, %{home}, %{userdb:home}).
    #[arg(long, value_name = "DIR")]
    pub home: Option<OsString>,
    /// Numeric uid (%i, %{uid}, %{userdb:uid}).
    #[arg(long, value_name = "N")]
    pub uid: Option<u32>,
    /// Numeric gid (%{gid}, %{userdb:gid}).
    #[arg(long, value_name = "N")]
    pub gid: Option<u32>,
    /// Set or override one variable, e.g. `--var rip=192.0.2.7` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<OsString>,
    /// Add a userdb field for %{userdb:FIELD} (repeatable; first one wins).
    #[arg(long = "userdb", value_name = "FIELD=VALUE")]
    pub userdb: Vec<OsString>,
    /// Print `TEMPLATE<TAB>USER<TAB>RESULT` lines like the oracle's
    /// vectors.tsv (failures as `!ERROR:<message>`, fields escaped) and
    /// nothing on stderr.
    #[arg(long)]
    pub tsv: bool,
    /// Templates to expand.
    #[arg(required = true, value_name = "TEMPLATE")]
    pub templates: Vec<OsString>,
}

pub fn run(args: &ExpandArgs, g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    // Templates are often whole fs strings with credentials in them: the
    // URL userinfo and `secret=`-style words are hidden unless -P.
    let hide = |b: &[u8]| -> Vec<u8> {
        if g.show_secrets {
            b.to_vec()
        } else {
            crate::secrets::redact_with(b, crate::secrets::HIDDEN)
        }
    };
    let ctx = match build_context(args) {
        Ok(c) => c,
        Err(e) => {
            // A bad flag is a usage error, not a failed expansion.
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "obox-cli: error: {e:#}");
            return Ok(ExitStatus::Error);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut status = ExitStatus::Success;
    let mut buf = Vec::new();
    for raw in &args.templates {
        let template = Template::parse(bytes(raw));
        buf.clear();
        let result = expand_into(&template, &ctx, &mut buf);
        if args.tsv {
            let mut line = tsv_escape(&hide(bytes(raw)));
            line.push(b'\t');
            line.extend_from_slice(&tsv_escape(ctx.user()));
            line.push(b'\t');
            match &result {
                Ok(()) => line.extend_from_slice(&tsv_escape(&hide(&buf))),
                Err(e) => {
                    let mut m = b"!ERROR:".to_vec();
                    m.extend_from_slice(&hide(&e.message()));
                    line.extend_from_slice(&tsv_escape(&m));
                    status = ExitStatus::Failure;
                }
            }
            line.push(b'\n');
            out.write_all(&line).context("writing to stdout")?;
            continue;
        }
        match result {
            Ok(()) => {
                let mut shown = hide(&buf);
                shown.push(b'\n');
                out.write_all(&shown).context("writing to stdout")?;
            }
            Err(e) => {
                // Keep stdout and stderr in order for a reader of both.
                out.flush().context("writing to stdout")?;
                let mut line = b"obox-cli: error: Failed to expand ".to_vec();
                // A multi-megabyte template would bury the error itself.
                line.extend_from_slice(&crate::output::elide_bytes_middle(
                    &hide(bytes(raw)),
                    crate::output::MAX_QUOTED,
                ));
                line.extend_from_slice(b": ");
                line.extend_from_slice(&hide(&e.message()));
                line.push(b'\n');
                std::io::stderr()
                    .lock()
                    .write_all(&line)
                    .context("writing to stderr")?;
                status = ExitStatus::Failure;
            }
        }
    }
    out.flush().context("writing to stdout")?;
    Ok(status)
}

fn build_context(args: &ExpandArgs) -> anyhow::Result<UserContext> {
    let user = args.user.as_deref().map(bytes).unwrap_or(b"");
    if args.user.as_ref().is_some_and(|u| u.is_empty()) {
        bail!(
            "--user is empty: Dovecot has no user with an empty name (doveadm says \"user doesn't exist\")"
        );
    }
    let mut ctx = UserContext::doveadm(user);
    for f in &args.userdb {
        let (k, v) = split_pair(f, "--userdb", "FIELD=VALUE")?;
        ctx.add_userdb(k, v);
    }
    // Dovecot's userdb reply carries home, uid and gid as fields too.
    if let Some(h) = &args.home {
        ctx.set_home(Some(bytes(h)));
        ctx.add_userdb("home", bytes(h));
    }
    if let Some(uid) = args.uid {
        ctx.set(Var::Uid, uid.to_string());
        ctx.add_userdb("uid", uid.to_string());
    }
    if let Some(gid) = args.gid {
        ctx.set(Var::Gid, gid.to_string());
        ctx.add_userdb("gid", gid.to_string());
    }
    for v in &args.vars {
        let (k, value) = split_pair(v, "--var", "NAME=VALUE")?;
        let name = String::from_utf8_lossy(k);
        let Some(var) = Var::from_cli_name(&name) else {
            bail!(
                "--var {name}: unknown variable (one of u/user, n/username, d/domain, s/service, h/home, l/lip/local_ip, r/rip/remote_ip, p/pid, i/uid, gid, session, auth_user, auth_username, auth_domain, hostname)"
            );
        };
        ctx.set(var, value);
    }
    Ok(ctx)
}

fn split_pair<'a>(s: &'a OsStr, flag: &str, shape: &str) -> anyhow::Result<(&'a [u8], &'a [u8])> {
    let b = bytes(s);
    match b.iter().position(|&c| c == b'=') {
        Some(p) if p > 0 => Ok((&b[..p], &b[p + 1..])),
        _ => bail!("{flag} wants {shape}, got {:?}", s.to_string_lossy()),
    }
}

/// The oracle's TSV field escaping: backslash, TAB, LF and CR escaped;
/// in a field that is not UTF-8 every byte >= 0x80 becomes `\xNN`.
fn tsv_escape(field: &[u8]) -> Vec<u8> {
    let utf8 = std::str::from_utf8(field).is_ok();
    let mut out = Vec::with_capacity(field.len());
    for &c in field {
        match c {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0x80.. if !utf8 => out.extend_from_slice(format!("\\x{c:02x}").as_bytes()),
            _ => out.push(c),
        }
    }
    out
}

/// The raw bytes of an argument (on Unix exactly what was passed).
fn bytes(s: &OsStr) -> &[u8] {
    s.as_encoded_bytes()
}
