//! `obox-cli path`: where Dovecot keeps each user's objects and caches.
use crate::ExitStatus;
use crate::cli::GlobalArgs;
use crate::conf::{self, ExpandMode};
use crate::secrets;
use crate::user_view::{
    ChainOut, ChainPlan, MailPaths, MailPathsBuf, PlanScratch, Prepared, ViewResult, chain_out,
};
use crate::var_expand::UserContext;
use anyhow::Context;
use colored::Colorize;
use std::ffi::OsString;
use std::io::{BufRead, Write};

const AFTER_HELP: &str = "\
For each user: the home (userdb's --home, else mail_home expanded), the
mail_location root in the bucket and its INDEX/CONTROL directories, and for
obox_fs, obox_index_fs and fts_dovecot_fs the fscache directories, the object
key prefix and the request URL. The URL is the one requests go to and
never carries credentials, -P or not; -P only shows secrets that error
messages quote (a setting's value that failed to expand).

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
    let mut stdout = stdout.lock();
    // Output is gathered here and written in large blocks: one write call
    // per user would cost more than computing the user.
    let mut out: Vec<u8> = Vec::with_capacity(OUT_BLOCK + (1 << 12));
    let mut failed = false;
    let mut too_long = 0usize;
    let mut ctx = base.clone();
    let mut line = Vec::new();
    let plans: Vec<Option<ChainPlan>> = prepared.chains.iter().map(ChainPlan::new).collect();
    let mut buf = Vec::new();
    let mut batch = JsonBatch::new(&prepared, &plans, g.show_secrets);
    let mut show = |user: &[u8], out: &mut Vec<u8>| -> anyhow::Result<bool> {
        if user.is_empty() {
            let msg = "empty user name: Dovecot has no such user";
            if a.json {
                writeln!(out, r#"{{"user":"","ok":false,"errors":["{msg}"]}}"#)?;
            } else {
                writeln!(out, "(empty user)\n  error: {msg}")?;
            }
            return Ok(false);
        }
        ctx.set_user(user);
        ctx.set_home(home.as_deref());
        if a.json {
            Ok(batch.user(&mut ctx, user, out))
        } else {
            let r = report(&prepared, &plans, &mut ctx, user, &mut buf);
            write_human(out, &r, g.show_secrets)?;
            Ok(r.ok())
        }
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
            if out.len() >= OUT_BLOCK {
                stdout.write_all(&out)?;
                out.clear();
            }
        }
    } else {
        for u in &a.users {
            failed |= !show(u.as_encoded_bytes(), &mut out)?;
            if out.len() >= OUT_BLOCK {
                stdout.write_all(&out)?;
                out.clear();
            }
        }
    }
    stdout.write_all(&out)?;
    stdout.flush()?;
    failed |= too_long > 0;
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

const MAX_USER_LEN: usize = 64 * 1024;

/// Output is written to stdout once this much has gathered.
const OUT_BLOCK: usize = 1 << 16;

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

/// One user's report, however it was computed.
struct Report<'a> {
    user: &'a [u8],
    home: Option<Vec<u8>>,
    mail: Option<ViewResult<MailPaths>>,
    chains: Vec<(&'a str, ViewResult<ChainOut>)>,
}

impl Report<'_> {
    fn ok(&self) -> bool {
        self.mail.as_ref().is_none_or(Result::is_ok) && self.chains.iter().all(|(_, c)| c.is_ok())
    }
}

/// Compute one user's report: the chain plans where they apply, the
/// general expansion and parse where they do not.
fn report<'a>(
    prepared: &'a Prepared,
    plans: &[Option<ChainPlan>],
    ctx: &mut UserContext,
    user: &'a [u8],
    buf: &mut Vec<u8>,
) -> Report<'a> {
    let (home, home_err) = match prepared.home(ctx) {
        Ok(h) => (h, None),
        Err(e) => (None, Some(e)),
    };
    if ctx.home().is_none()
        && let Some(h) = &home
    {
        ctx.set_home(Some(h));
    }
    let mail = match home_err {
        Some(e) => Some(Err(e)),
        None => prepared.mail_paths(ctx),
    };
    let root = mail
        .as_ref()
        .and_then(|m| m.as_ref().ok())
        .and_then(|m| m.root.as_deref());
    let chains = prepared
        .chains
        .iter()
        .zip(plans)
        .map(|(v, plan)| {
            let fast = plan.as_ref().and_then(|p| p.out(ctx, root, buf));
            let out = match fast {
                Some(o) => Ok(o),
                None => prepared.chain_view(v, ctx).map(|c| chain_out(&c, root)),
            };
            (v.key.as_str(), out)
        })
        .collect();
    Report {
        user,
        home,
        mail,
        chains,
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A JSON string (invalid UTF-8 replaced, as `lossy` does). Runs of
/// plain bytes are copied whole: this is the hot loop of `path --stdin`.
fn json_str(out: &mut Vec<u8>, b: &[u8]) {
    // Nearly every string is plain ASCII with nothing to escape: check
    // that eight bytes at a time and copy it whole.
    if is_plain(b) {
        out.reserve(b.len() + 2);
        out.push(b'"');
        out.extend_from_slice(b);
        out.push(b'"');
        return;
    }
    let s = String::from_utf8_lossy(b);
    let bytes = s.as_bytes();
    out.push(b'"');
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                out.extend_from_slice(format!("\\u{c:04x}").as_bytes());
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// No byte of `b` needs escaping or replacing in JSON: none is a control
/// character, `"`, `\\` or non-ASCII. The strings are short (tens of
/// bytes), so this works on 8-byte words, the last one overlapping the
/// one before (a copy into a padded buffer would stall the load).
fn is_plain(b: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // High bit of a byte set when that byte of `x` is below `n` (n <= 128;
    // exact as a whole-word yes/no).
    let below = |x: u64, n: u8| x.wrapping_sub(LO * u64::from(n)) & !x & HI;
    let special = |w: &[u8]| {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        let x = u64::from_le_bytes(a);
        (x & HI) | below(x, 0x20) | below(x ^ (LO * 0x22), 1) | below(x ^ (LO * 0x5c), 1)
    };
    if b.len() < 8 {
        return b
            .iter()
            .all(|&c| (0x20..0x80).contains(&c) && c != b'"' && c != b'\\');
    }
    let mut acc = special(&b[b.len() - 8..]);
    for w in b.chunks_exact(8) {
        acc |= special(w);
    }
    acc == 0
}

fn json_opt(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        Some(b) => json_str(out, b),
        None => out.extend_from_slice(b"null"),
    }
}

/// The JSON text of a fast-path chain that is the same for every user,
/// rendered once.
struct PlanJson {
    /// `,"size":"512M"}` after each fscache path.
    sizes: Vec<Vec<u8>>,
    /// `,"bucket":...}` after the URL; None for chains without a location.
    tail: Option<Vec<u8>>,
    /// The URL never needs escaping: its fixed start does not, and the
    /// rest is percent-encoded.
    url_plain: bool,
}

impl PlanJson {
    fn new(plan: &ChainPlan) -> PlanJson {
        let sizes = plan
            .fscache_sizes()
            .map(|size| {
                let mut v = b",\"size\":".to_vec();
                json_str(&mut v, size.as_bytes());
                v.push(b'}');
                v
            })
            .collect();
        let tail = plan.location().map(|(bucket, addressing, signing)| {
            let mut tail = b",\"bucket\":".to_vec();
            json_opt(&mut tail, bucket.map(str::as_bytes));
            tail.extend_from_slice(b",\"addressing\":");
            json_str(&mut tail, addressing.as_bytes());
            tail.extend_from_slice(b",\"signing\":");
            json_opt(&mut tail, signing.map(str::as_bytes));
            tail.push(b'}');
            tail
        });
        PlanJson {
            sizes,
            tail,
            url_plain: plan.url_base().is_some_and(|b| is_plain(b.as_bytes())),
        }
    }

    /// The chain's JSON value for the user in `s`, as
    /// [`write_chain_json`] writes the same chain.
    fn write(&self, out: &mut Vec<u8>, s: &PlanScratch) {
        out.extend_from_slice(b"{\"fscache\":[");
        for (j, (p, size)) in s.fscache.iter().zip(&self.sizes).enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"path\":");
            json_str(out, p);
            out.extend_from_slice(size);
        }
        match &self.tail {
            Some(tail) => {
                out.extend_from_slice(b"],\"key_prefix\":");
                json_str(out, s.key_prefix.as_bytes());
                out.extend_from_slice(b",\"url\":");
                if self.url_plain {
                    out.push(b'"');
                    out.extend_from_slice(&s.url);
                    out.push(b'"');
                } else {
                    json_str(out, &s.url);
                }
                out.extend_from_slice(tail);
            }
            None => out.extend_from_slice(
                b"],\"key_prefix\":null,\"url\":null,\"bucket\":null,\"addressing\":null,\"signing\":null}",
            ),
        }
    }
}

/// `path --json` for a stream of users: one JSON object per line, written
/// by hand straight into the output with buffers reused from user to
/// user, because `path --stdin` runs over millions of users and a DOM, or
/// even a fresh allocation per value, would dominate its cost.
struct JsonBatch<'a> {
    prepared: &'a Prepared,
    plans: &'a [Option<ChainPlan>],
    plan_json: Vec<Option<PlanJson>>,
    /// `"obox_fs":` and so on.
    keys: Vec<Vec<u8>>,
    show_secrets: bool,
    home: Vec<u8>,
    mail: MailPathsBuf,
    /// The mail root as text (what key prefixes hold).
    root_text: String,
    scratch: PlanScratch,
    errors: Vec<String>,
}

impl<'a> JsonBatch<'a> {
    fn new(prepared: &'a Prepared, plans: &'a [Option<ChainPlan>], show_secrets: bool) -> Self {
        JsonBatch {
            prepared,
            plans,
            plan_json: plans
                .iter()
                .map(|p| p.as_ref().map(PlanJson::new))
                .collect(),
            keys: prepared
                .chains
                .iter()
                .map(|v| {
                    let mut k = Vec::new();
                    json_str(&mut k, v.key.as_bytes());
                    k.push(b':');
                    k
                })
                .collect(),
            show_secrets,
            home: Vec::new(),
            mail: MailPathsBuf::default(),
            root_text: String::new(),
            scratch: PlanScratch::default(),
            errors: Vec::new(),
        }
    }

    /// Append one user's line to `out` (the user's home, if any, already
    /// in `ctx`); false when some value failed.
    fn user(&mut self, ctx: &mut UserContext, user: &[u8], out: &mut Vec<u8>) -> bool {
        let prepared = self.prepared;
        self.errors.clear();
        out.extend_from_slice(b"{\"user\":");
        json_str(out, user);
        // Whether every value succeeds is known only at the end: `true` is
        // written now and turned into `false` then (rarely).
        out.extend_from_slice(b",\"ok\":");
        let ok_at = out.len();
        out.extend_from_slice(b"true,\"home\":");
        let mail = match prepared.home_into(ctx, &mut self.home) {
            Ok(has_home) => {
                if has_home {
                    json_str(out, &self.home);
                    if ctx.home().is_none() {
                        ctx.set_home(Some(&self.home));
                    }
                } else {
                    out.extend_from_slice(b"null");
                }
                prepared.mail_paths_into(ctx, &mut self.mail)
            }
            Err(e) => {
                out.extend_from_slice(b"null");
                Some(Err(e))
            }
        };
        out.extend_from_slice(b",\"mail_location\":");
        let root = match mail {
            Some(Ok(())) => {
                let m = &self.mail;
                out.extend_from_slice(b"{\"driver\":");
                json_opt(out, m.driver.get());
                out.extend_from_slice(b",\"root\":");
                json_opt(out, m.root.get());
                out.extend_from_slice(b",\"index\":");
                json_opt(out, m.index.get());
                out.extend_from_slice(b",\"control\":");
                json_opt(out, m.control.get());
                out.push(b'}');
                m.root.get().map(|r| {
                    self.root_text.clear();
                    crate::user_view::push_lossy(&mut self.root_text, r);
                    self.root_text.as_str()
                })
            }
            Some(Err(e)) => {
                out.extend_from_slice(b"null");
                self.errors.push(hide(self.show_secrets, e));
                None
            }
            None => {
                out.extend_from_slice(b"null");
                None
            }
        };
        out.extend_from_slice(b",\"chains\":{");
        for (i, v) in prepared.chains.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&self.keys[i]);
            if let (Some(plan), Some(pj)) = (&self.plans[i], &self.plan_json[i])
                && plan.fill(ctx, root, &mut self.scratch)
            {
                pj.write(out, &self.scratch);
                continue;
            }
            let raw_root = self.mail.root.get().filter(|_| root.is_some());
            match prepared.chain_view(v, ctx).map(|c| chain_out(&c, raw_root)) {
                Ok(c) => write_chain_json(out, &c),
                Err(e) => {
                    out.extend_from_slice(b"null");
                    self.errors.push(hide(self.show_secrets, e));
                }
            }
        }
        out.extend_from_slice(b"},\"errors\":[");
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json_str(out, e.as_bytes());
        }
        out.extend_from_slice(b"]}\n");
        let ok = self.errors.is_empty();
        if !ok {
            out.splice(ok_at..ok_at + 4, *b"false");
        }
        ok
    }
}

/// An error message as shown: secrets redacted unless asked for, and at
/// most [`crate::output::MAX_MESSAGE`] bytes (messages quote the value).
fn hide(show_secrets: bool, e: String) -> String {
    let e = if show_secrets {
        e
    } else {
        secrets::redact_text(&e)
    };
    match crate::output::elide_middle(&e, crate::output::MAX_MESSAGE) {
        std::borrow::Cow::Borrowed(_) => e,
        std::borrow::Cow::Owned(o) => o,
    }
}

/// One chain's JSON value (the general way).
fn write_chain_json(out: &mut Vec<u8>, c: &ChainOut) {
    out.extend_from_slice(b"{\"fscache\":[");
    for (j, (p, size)) in c.fscache.iter().enumerate() {
        if j > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"path\":");
        json_str(out, p);
        out.extend_from_slice(b",\"size\":");
        json_str(out, size.as_bytes());
        out.push(b'}');
    }
    out.push(b']');
    let l = c.location.as_ref();
    out.extend_from_slice(b",\"key_prefix\":");
    json_opt(out, l.map(|l| l.key_prefix.as_bytes()));
    out.extend_from_slice(b",\"url\":");
    json_opt(out, l.map(|l| l.url.as_bytes()));
    out.extend_from_slice(b",\"bucket\":");
    json_opt(out, l.and_then(|l| l.bucket.as_deref()).map(str::as_bytes));
    out.extend_from_slice(b",\"addressing\":");
    json_opt(out, l.map(|l| l.addressing.as_bytes()));
    out.extend_from_slice(b",\"signing\":");
    json_opt(out, l.and_then(|l| l.signing.as_deref()).map(str::as_bytes));
    out.push(b'}');
}

fn write_human(out: &mut impl Write, r: &Report<'_>, show_secrets: bool) -> std::io::Result<()> {
    let label = |s: &str| format!("{s:<14}").dimmed();
    let hide = |e: &str| hide(show_secrets, e.to_string());
    writeln!(out, "{}", lossy(r.user).bold())?;
    if let Some(h) = &r.home {
        writeln!(out, "  {} {}", label("home"), lossy(h))?;
    }
    match &r.mail {
        Some(Ok(p)) => {
            if let Some(x) = &p.root {
                writeln!(out, "  {} {}", label("mail root"), lossy(x))?;
            }
            if let Some(x) = &p.index {
                writeln!(out, "  {} {}", label("INDEX"), lossy(x))?;
            }
            if let Some(x) = &p.control {
                writeln!(out, "  {} {}", label("CONTROL"), lossy(x))?;
            }
        }
        Some(Err(e)) => writeln!(out, "  {} {}", "error:".red().bold(), hide(e))?,
        None => {}
    }
    for (k, c) in &r.chains {
        writeln!(out, "  {}", k.bold())?;
        match c {
            Ok(c) => {
                for (p, s) in &c.fscache {
                    writeln!(out, "    {} {} ({s})", label("fscache"), lossy(p))?;
                }
                if let Some(l) = &c.location {
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
            Err(e) => writeln!(out, "    {} {}", "error:".red().bold(), hide(e))?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const CONFIGS: &[&str] = &[
        include_str!("../../examples/dovecot.conf"),
        include_str!("../../tests/fixtures/path/three-chains.conf"),
        "mail_location = obox:%8Mu/%u\nplugin {\n  obox_fs = fscache:1G:%h/cache:s3:https://b.s3.example.com/?region=x\n}\n",
        "mail_home = /home/%d/%n\n\
         mail_location = obox:%Lu:INDEX=MEMORY:CONTROL=~/ctl/\n\
         plugin {\n\
         \x20 obox_fs = fscache:1G:/c/%2.256Nu/%d:s3:http://AK:SK@s3.example.com:9000/p%%2Fq/%u/x/?bucket=b&region=us-east-1\n\
         \x20 obox_index_fs = s3:https://b.s3.example.com/%u/?region=x\n\
         \x20 fts_dovecot_fs = posix:prefix=/tmp/fts/%u/\n\
         }\n",
        "mail_location = maildir:~/Maildir:LAYOUT=fs:INDEX=%h/idx\n\
         plugin {\n\
         \x20 obox_fs = compress:gz:6:s3:https://h.example.com/p%%20x/%n/?bucket=b\n\
         \x20 obox_index_fs = fscache:1G:/c/%u:s3:https://b.s3.example.com/\n\
         \x20 fts_dovecot_fs = http://user:pw@fts.example.com/%u/\n\
         }\n",
        "mail_location = obox:%X/%u\nplugin {\n  obox_fs = s3:https://AK:SEC%2FRET@b.s3.example.com/?region=x\n}\n",
    ];

    const USERS: &[&[u8]] = &[
        b"alice@example.com",
        b"alice",
        b"Bob.Smith@Sub.Example.ORG",
        b"j\xfcrgen@example.de",
        "jürgen@example.de".as_bytes(),
        b"a:b@c",
        b"q?x@y",
        b"h#sh",
        b"pct%2Fu@x",
        b"sp ace",
        b"quo\"te\\@x",
        b"ctl\x01\t@x",
        b"@example.com",
        b"~root",
    ];

    fn prepared(conf: &str) -> Prepared {
        let cfg = conf::load_from_bytes("t.conf", conf.as_bytes(), ExpandMode::Expand).unwrap();
        Prepared::new(&cfg)
    }

    #[test]
    fn plain_check_matches_the_bytewise_rule() {
        let naive = |b: &[u8]| {
            b.iter()
                .all(|&c| (0x20..0x80).contains(&c) && c != b'"' && c != b'\\')
        };
        for len in 0..20 {
            assert!(is_plain(&vec![b'a'; len]));
            for pos in 0..len {
                for c in 0..=255u8 {
                    let mut v = vec![b'a'; len];
                    v[pos] = c;
                    assert_eq!(is_plain(&v), naive(&v), "{v:?}");
                }
            }
        }
    }

    /// The pre-rendered JSON of a fast-path chain is byte for byte what
    /// the general writer makes of the same chain.
    #[test]
    fn fast_chain_json_is_the_general_json() {
        let mut hits = 0;
        for conf in CONFIGS {
            let p = prepared(conf);
            for v in &p.chains {
                let Some(plan) = ChainPlan::new(v) else {
                    continue;
                };
                let pj = PlanJson::new(&plan);
                for home in [None, Some(&b"/home/u"[..])] {
                    for root in [None, Some(&b"r00t/x"[..]), Some(&b"r\xfc\"t"[..])] {
                        for &u in USERS {
                            let mut ctx = UserContext::new(u);
                            ctx.set_home(home);
                            let mut s = PlanScratch::default();
                            let text = root.map(String::from_utf8_lossy);
                            if !plan.fill(&ctx, text.as_deref(), &mut s) {
                                continue;
                            }
                            let mut fast = Vec::new();
                            pj.write(&mut fast, &s);
                            let out = plan.out(&ctx, root, &mut Vec::new()).unwrap();
                            let mut general = Vec::new();
                            write_chain_json(&mut general, &out);
                            assert_eq!(
                                String::from_utf8_lossy(&fast),
                                String::from_utf8_lossy(&general)
                            );
                            hits += 1;
                        }
                    }
                }
            }
        }
        assert!(hits > 100, "{hits}");
    }

    /// What `report` finds (the human output's source), as JSON.
    fn report_value(r: &Report<'_>) -> Value {
        let text = |b: &[u8]| Value::from(lossy(b));
        let opt = |b: Option<&[u8]>| b.map_or(Value::Null, text);
        let mut errors = Vec::new();
        let mail = match &r.mail {
            Some(Ok(m)) => json!({
                "driver": opt(m.driver.as_deref()),
                "root": opt(m.root.as_deref()),
                "index": opt(m.index.as_deref()),
                "control": opt(m.control.as_deref()),
            }),
            Some(Err(e)) => {
                errors.push(Value::from(secrets::redact_text(e)));
                Value::Null
            }
            None => Value::Null,
        };
        let mut chains = serde_json::Map::new();
        for (k, c) in &r.chains {
            let v = match c {
                Ok(c) => {
                    let l = c.location.as_ref();
                    json!({
                        "fscache": c.fscache.iter().map(|(p, s)| json!({"path": text(p), "size": &**s})).collect::<Vec<_>>(),
                        "key_prefix": l.map(|l| l.key_prefix.clone()),
                        "url": l.map(|l| l.url.clone()),
                        "bucket": l.and_then(|l| l.bucket.as_deref()),
                        "addressing": l.map(|l| l.addressing),
                        "signing": l.and_then(|l| l.signing.as_deref()),
                    })
                }
                Err(e) => {
                    errors.push(Value::from(secrets::redact_text(e)));
                    Value::Null
                }
            };
            chains.insert(k.to_string(), v);
        }
        json!({
            "user": text(r.user),
            "ok": r.ok(),
            "home": opt(r.home.as_deref()),
            "mail_location": mail,
            "chains": chains,
            "errors": errors,
        })
    }

    /// Each `--json` line holds what the general report holds, for users
    /// that take the fast paths and users that do not, one batch reused
    /// across all of them.
    #[test]
    fn batch_lines_say_what_the_report_says() {
        for conf in CONFIGS {
            let p = prepared(conf);
            let plans: Vec<Option<ChainPlan>> = p.chains.iter().map(ChainPlan::new).collect();
            let mut batch = JsonBatch::new(&p, &plans, false);
            // Reused as `run` reuses it.
            let mut ctx = UserContext::new(b"");
            for home in [None, Some(&b"/h/x"[..])] {
                for &u in USERS {
                    ctx.set_user(u);
                    ctx.set_home(home);
                    let mut line = Vec::new();
                    let ok = batch.user(&mut ctx, u, &mut line);
                    assert_eq!(line.pop(), Some(b'\n'));
                    assert!(!line.contains(&b'\n'));
                    let got: Value = serde_json::from_slice(&line).unwrap();
                    let mut ctx = UserContext::new(u);
                    ctx.set_home(home);
                    let r = report(&p, &plans, &mut ctx, u, &mut Vec::new());
                    assert_eq!(ok, r.ok());
                    assert_eq!(got, report_value(&r), "{conf}");
                }
            }
        }
    }
}
