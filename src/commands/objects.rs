//! `obox-cli ls/get/put/rm/stat`: use the objects behind an obox fs chain.
//!
//! The target comes from `--url` (a storage URL, no dovecot.conf needed) or
//! from the config (`plugin { obox_fs | obox_index_fs | fts_dovecot_fs }`,
//! expanded for `--user`); see [`resolve_target`]. Keys on the command line
//! and in output are relative to the URL's path prefix.
//!
//! Exit status: 0 when everything worked; 1 when a transfer failed (missing
//! key, refused request, every failure of a `-r` run is counted); 2 when
//! the tool could not start (bad URL, no credentials, usage).
use super::progress::{self, Progress};
use crate::ExitStatus;
use crate::cli::GlobalArgs;
use crate::compress::{CompressSpec, DecodeWriter, encoder};
use crate::s3::{Client, ClientOptions, Endpoint, ListEntry, PutSource, S3Error};
use anyhow::{Context, bail};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which fs setting of the config to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FsKind {
    /// plugin/obox_fs (mails)
    Obox,
    /// plugin/obox_index_fs (index bundles; falls back to obox_fs)
    Index,
    /// plugin/fts_dovecot_fs (full-text search)
    Fts,
}

impl FsKind {
    /// The plugin setting that holds the chain.
    pub fn setting(self) -> &'static str {
        match self {
            FsKind::Obox => "obox_fs",
            FsKind::Index => "obox_index_fs",
            FsKind::Fts => "fts_dovecot_fs",
        }
    }
}

/// Where the objects are; shared by ls/get/put/rm/stat.
#[derive(Debug, Clone, clap::Args)]
pub struct TargetArgs {
    /// Storage URL (e.g. http://KEY:SECRET@127.0.0.1:8014/?bucket=b&region=us-east-1) instead of dovecot.conf
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Send requests to this scheme://host[:port] instead (virtual-hosted URLs keep their Host header)
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Which fs chain of the config to use
    #[arg(long, value_enum, default_value_t = FsKind::Obox)]
    pub fs: FsKind,
    /// User whose %-variables expand the chain (also sent as X-Dovecot-Username)
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// PEM file of CA certificates to trust for https, instead of the webpki and system roots (overrides ssl_client_ca_file)
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the server's TLS certificate (like ssl_client_require_valid_cert = no; prints a warning)
    #[arg(long)]
    pub insecure: bool,
    /// Compress layer for --url targets: [maybe-]ALGO:LEVEL (gz, bz2, lz4, zstd)
    #[arg(long, value_name = "SPEC")]
    pub compress: Option<String>,
    /// Bypass the compress layer: transfer objects exactly as stored
    #[arg(long)]
    pub raw: bool,
    /// Log every HTTP request on stderr (no secrets)
    #[arg(short = 'v', long)]
    pub verbose: bool,
}

/// A resolved target: the storage endpoint and the layers above it that
/// change object contents.
#[derive(Debug, Clone)]
pub struct Target {
    pub endpoint: Endpoint,
    /// The chain's `compress:` layer, if any.
    pub compress: Option<CompressSpec>,
    /// The chain has a `crypt:`/`mail-crypt:` layer: contents are
    /// encrypted, so transfers are refused unless `--raw`.
    pub crypt: bool,
    pub user: Option<String>,
    /// TLS trust for https: `--ca-file`, else dovecot.conf's
    /// `ssl_client_ca_file` / `ssl_client_ca_dir` (see
    /// [`Target::apply_ssl_client_settings`]); none of them: the webpki
    /// roots plus the system's certificates.
    pub ca_file: Option<PathBuf>,
    pub ca_dir: Option<PathBuf>,
    /// Why certificate verification is off (`--insecure` or
    /// `ssl_client_require_valid_cert = no`); `None` verifies.
    pub insecure: Option<String>,
}

/// Build the target from `--url`, or from dovecot.conf.
pub fn resolve_target(args: &TargetArgs, g: &GlobalArgs) -> anyhow::Result<Target> {
    match &args.url {
        Some(url) => {
            let compress = match &args.compress {
                Some(s) => Some(CompressSpec::parse(s).context("--compress")?),
                None => None,
            };
            target_from_parts(url, compress, false, args)
        }
        None => resolve_from_config(args, g),
    }
}

/// The config branch of [`resolve_target`]: the chain of `--fs` in
/// dovecot.conf, %-expanded for `--user` exactly as a mail process would
/// (home from mail_home), its storage URL, its compress layer and whether
/// it encrypts. With `--user`, keys are relative to the user's root: the
/// mail_location root for obox and index objects, the URL path for FTS.
fn resolve_from_config(args: &TargetArgs, g: &GlobalArgs) -> anyhow::Result<Target> {
    use crate::conf::{self, ExpandMode};
    use crate::fs_chain::{Backend, LayerKind};
    use crate::user_view::Prepared;
    use crate::var_expand::UserContext;
    let path = g.config_path();
    let cfg = conf::load(&path, ExpandMode::Expand).map_err(|e| {
        let msg = if g.show_secrets {
            e.fatal.clone()
        } else {
            crate::secrets::redact_text(&e.fatal)
        };
        anyhow::anyhow!(msg).context(format!("reading {} (or pass --url URL)", path.display()))
    })?;
    let prepared = Prepared::new(&cfg);
    let setting = args.fs.setting();
    let pv = prepared
        .chain(setting)
        .or_else(|| {
            // obox_index_fs defaults to obox_fs.
            (args.fs == FsKind::Index)
                .then(|| prepared.chain("obox_fs"))
                .flatten()
        })
        .with_context(|| format!("{} sets no plugin/{setting}", path.display()))?;
    let user = args.user.as_deref().unwrap_or("");
    if args.user.is_none() && !pv.template.is_literal() {
        bail!(
            "plugin/{} uses %-variables, so it names a different place for every user: pass --user USER",
            pv.key
        );
    }
    let mut ctx = UserContext::new(user.as_bytes());
    let home = prepared.home(&ctx).map_err(anyhow::Error::msg)?;
    ctx.set_home(home.as_deref());
    let view = prepared
        .chain_view(pv, &ctx)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("expanding plugin/{} for user {user:?}", pv.key))?;
    let Backend::Http(h) = &view.chain.backend else {
        bail!(
            "plugin/{} does not end in an S3 storage driver; obox-cli talks to S3 only",
            pv.key
        );
    };
    if !h.kind.is_s3() {
        bail!(
            "plugin/{} uses the {} driver; obox-cli talks to S3 (s3, aws-s3) only",
            pv.key,
            h.kind.name()
        );
    }
    let url = view
        .storage_url()
        .context("storage URL is not valid UTF-8")?
        .to_string();
    let mut compress = None;
    let mut crypt = false;
    for l in view.chain.all_layers() {
        match &l.kind {
            LayerKind::Compress(c) if compress.is_none() => {
                let algo = crate::compress::Algo::parse(c.algo.name())?;
                compress = Some(CompressSpec::new(algo, c.level.value, c.maybe)?);
            }
            LayerKind::Crypt(_) => crypt = true,
            _ => {}
        }
    }
    let mut target = target_from_parts(&url, compress, crypt, args)?;
    let text = |k: &str| {
        cfg.value(k)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    };
    target.apply_ssl_client_settings(
        text("ssl_client_ca_file").as_deref(),
        text("ssl_client_ca_dir").as_deref(),
        text("ssl_client_require_valid_cert").as_deref(),
    )?;
    if args.user.is_some() && args.fs != FsKind::Fts {
        let paths = prepared
            .mail_paths(&ctx)
            .context("no mail_location: cannot find the user's root")?
            .map_err(anyhow::Error::msg)?;
        let root = paths.root.context("mail_location has no root directory")?;
        // The root names a place in the bucket, relative by nature: a
        // leading `/` (`obox:/%8Mu/%u`) is dropped like the URL path's, so
        // keys never start with `/` (which S3-compatible stores refuse or
        // list back without it, leaving keys that are not relative).
        let root = String::from_utf8_lossy(&root);
        target
            .endpoint
            .prefix
            .push_str(root.trim_start_matches('/'));
        target.endpoint.prefix.push('/');
    }
    Ok(target)
}

/// Assemble a target from a chain's storage URL and its layers (the part
/// both branches share): parse the URL, apply `--endpoint`.
pub fn target_from_parts(
    storage_url: &str,
    compress: Option<CompressSpec>,
    crypt: bool,
    args: &TargetArgs,
) -> anyhow::Result<Target> {
    let mut endpoint = Endpoint::parse(storage_url).context("storage URL")?;
    if let Some(o) = &args.endpoint {
        endpoint = endpoint.with_override(o)?;
    }
    Ok(Target {
        endpoint,
        compress,
        crypt,
        user: args.user.clone(),
        ca_file: args.ca_file.clone(),
        ca_dir: None,
        insecure: args.insecure.then(|| "--insecure given".to_string()),
    })
}

impl Target {
    /// Apply dovecot.conf's outgoing-TLS settings (global scope; pass the
    /// raw values, `None` when unset). Command-line options win: a
    /// `--ca-file` replaces both CA settings. `ssl_client_require_valid_cert`
    /// takes Dovecot's booleans (yes/no, y/n, 1/0, any case; default yes).
    pub fn apply_ssl_client_settings(
        &mut self,
        ssl_client_ca_file: Option<&str>,
        ssl_client_ca_dir: Option<&str>,
        ssl_client_require_valid_cert: Option<&str>,
    ) -> anyhow::Result<()> {
        if self.ca_file.is_none() {
            self.ca_file = ssl_client_ca_file
                .filter(|v| !v.is_empty())
                .map(PathBuf::from);
            self.ca_dir = ssl_client_ca_dir
                .filter(|v| !v.is_empty())
                .map(PathBuf::from);
        }
        if let Some(v) = ssl_client_require_valid_cert {
            let require = match v.to_ascii_lowercase().as_str() {
                "yes" | "y" | "1" => true,
                "no" | "n" | "0" => false,
                _ => bail!("ssl_client_require_valid_cert: {v:?} is not a boolean (yes or no)"),
            };
            if !require && self.insecure.is_none() {
                self.insecure = Some("ssl_client_require_valid_cert = no".into());
            }
        }
        Ok(())
    }

    /// The compress layer to apply, after `--raw` and the crypt check.
    fn layer(&self, raw: bool) -> anyhow::Result<Option<CompressSpec>> {
        if raw {
            return Ok(None);
        }
        if self.crypt {
            bail!(
                "the fs chain has a crypt layer: objects are encrypted and obox-cli has no keys; use --raw to transfer the stored bytes"
            );
        }
        Ok(self.compress)
    }
}

fn connect(
    args: &TargetArgs,
    g: &GlobalArgs,
    jobs: usize,
    progress: Option<&Progress>,
    list_v2: bool,
) -> anyhow::Result<(Target, Client)> {
    let target = resolve_target(args, g)?;
    let opts = ClientOptions {
        verbose: args.verbose,
        ca_file: target.ca_file.clone(),
        ca_dir: target.ca_dir.clone(),
        insecure: target.insecure.clone(),
        workers: jobs,
        user: target.user.clone(),
        list_v2,
    };
    let mut client = Client::new(target.endpoint.clone(), &opts)?;
    if let Some(p) = progress {
        client.set_observer(p.observer());
    }
    Ok((target, client))
}

fn report(e: &dyn std::fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "obox-cli: error: {e}");
}

/// Run `f` over `items` on `jobs` threads; returns how many failed (each
/// failure is reported on stderr as it happens, above the progress bar).
fn parallel<T: Sync>(
    items: &[T],
    jobs: usize,
    progress: &Progress,
    f: impl Fn(&T) -> anyhow::Result<()> + Sync,
) -> usize {
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let workers = jobs.clamp(1, 64).min(items.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    progress.object_done();
                    if let Err(e) = r {
                        failed.fetch_add(1, Ordering::Relaxed);
                        progress.eprintln(&format!("obox-cli: error: {e:#}"));
                    }
                }
            });
        }
    });
    failed.load(Ordering::Relaxed)
}

/// Run `work` on `jobs` threads over the items `produce` hands to its
/// `send` argument, as they come: a listing feeds transfers page by page
/// instead of being collected first. The channel holds at most `queue`
/// items, so `send` blocks while the workers are behind and memory stays
/// O(jobs + queue) however long the listing. Returns what `produce`
/// returned, after every sent item has been worked on.
fn pipeline<T: Send, R>(
    jobs: usize,
    queue: usize,
    produce: impl FnOnce(&mut dyn FnMut(T)) -> R,
    work: impl Fn(T) + Sync,
) -> R {
    let (tx, rx) = std::sync::mpsc::sync_channel::<T>(queue.max(1));
    let rx = Mutex::new(rx);
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, 64) {
            s.spawn(|| {
                loop {
                    // The lock is held only while waiting for the next item.
                    let item = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    match item {
                        Ok(item) => work(item),
                        Err(_) => break,
                    }
                }
            });
        }
        let mut send = |item: T| {
            // Fails only if every worker is gone, which cannot happen
            // before `tx` is dropped.
            let _ = tx.send(item);
        };
        let r = produce(&mut send);
        drop(tx);
        r
    })
}

/// The failures a `-r` listing adds: a listing that broke off, or a prefix
/// that matched nothing (like s5cmd, not a silent success: a mistyped
/// prefix must not look like an empty copy). Each is reported.
fn listing_failures<E: std::fmt::Display>(
    listed: Result<(), E>,
    found: usize,
    prefix: &str,
    progress: &Progress,
) -> usize {
    match listed {
        Err(e) => progress.eprintln(&format!("obox-cli: error: {e}")),
        Ok(()) if found == 0 => {
            progress.eprintln(&format!("obox-cli: error: no objects under '{prefix}'"))
        }
        Ok(()) => return 0,
    }
    1
}

/// Default `-j` of get/put. Small objects are latency-bound: against S3
/// (tens of ms per request) throughput grows with parallel requests, and
/// 32 stays far below S3's per-prefix request limits; buffers are sized to
/// the object, so 32 workers of small objects cost a few MiB.
pub const DEFAULT_JOBS: usize = 32;

fn status_for(failures: usize) -> ExitStatus {
    if failures == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

// ---------------------------------------------------------------- ls

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Listings page with ListObjects v1 and marker, as obox does (--list-v2 for ListObjectsV2). Each page must arrive whole within the URL's timeout (default 10s), else 9008 and a retry.

Examples:
  obox-cli ls -c /etc/dovecot/dovecot.conf --user alice@example.com -r
  obox-cli ls -c /etc/dovecot/dovecot.conf --user alice@example.com mailboxes/ -l
  obox-cli ls --url 'http://AK:SK@127.0.0.1:8014/?bucket=mail&region=us-east-1' -r --json"
)]
pub struct LsArgs {
    /// Key prefix to list (relative to the URL's path)
    #[arg(value_name = "PREFIX", default_value = "")]
    pub prefix: String,
    /// List every key under PREFIX instead of one "directory" level
    #[arg(short, long)]
    pub recursive: bool,
    /// Show size and last-modified time
    #[arg(short, long)]
    pub long: bool,
    /// One JSON object per line
    #[arg(long)]
    pub json: bool,
    /// Page the listing with ListObjectsV2 (list-type=2) instead of ListObjects v1 with marker, as obox does
    #[arg(long)]
    pub list_v2: bool,
    #[command(flatten)]
    pub target: TargetArgs,
}

pub fn ls(a: &LsArgs, g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let (_, client) = connect(&a.target, g, 1, None, a.list_v2)?;
    let delimiter = if a.recursive { None } else { Some("/") };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let r = client.list(&a.prefix, delimiter, &mut |page| {
        for p in &page.prefixes {
            if a.json {
                writeln!(out, "{}", serde_json::json!({ "prefix": p }))?;
            } else if a.long {
                writeln!(out, "{:>12}  {:24}  {p}", "PRE", "")?;
            } else {
                writeln!(out, "{p}")?;
            }
        }
        for e in &page.entries {
            print_entry(&mut out, e, a)?;
        }
        Ok(())
    });
    let flushed = out.flush();
    finish_one(r.map_err(anyhow::Error::from).and_then(|_| Ok(flushed?)))
}

fn print_entry(out: &mut impl Write, e: &ListEntry, a: &LsArgs) -> io::Result<()> {
    if a.json {
        let v = serde_json::json!({ "key": e.key, "size": e.size, "last_modified": e.last_modified, "etag": e.etag });
        writeln!(out, "{v}")
    } else if a.long {
        writeln!(
            out,
            "{:>12}  {:24}  {}",
            e.size,
            e.last_modified.as_deref().unwrap_or("-"),
            e.key
        )
    } else {
        writeln!(out, "{}", e.key)
    }
}

// ---------------------------------------------------------------- get

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Timeouts: the URL's timeout (default 10s) bounds each attempt's wait for the response, each read, and the body's pace: an object body must bring at least 16 KiB per timeout period, a listing page must arrive whole within it. A slower answer fails with 9008 (timed out) and is retried like any other. absolute_timeout caps the whole request.

Examples:
  obox-cli get -c /etc/dovecot/dovecot.conf --user alice@example.com mailboxes/GUID/OID -
  obox-cli get -c /etc/dovecot/dovecot.conf --user alice@example.com -r idx/ ./alice-idx
  obox-cli get --raw --url 'https://AK:SK@b.s3.eu-west-1.amazonaws.com/?region=eu-west-1' key out.bin"
)]
pub struct GetArgs {
    /// Key to download (with -r: a key prefix)
    #[arg(value_name = "KEY")]
    pub key: String,
    /// Where to write: a file, a directory, or - for stdout [default: the key's last part]
    #[arg(value_name = "DEST")]
    pub dest: Option<String>,
    /// Download every key under the KEY prefix into the DEST directory
    #[arg(short, long)]
    pub recursive: bool,
    /// Parallel transfers for -r (at most 64; big objects use up to 8 ranges)
    #[arg(short, long, value_name = "N", default_value_t = DEFAULT_JOBS)]
    pub jobs: usize,
    /// No progress display (it is shown only when stderr is a terminal)
    #[arg(long)]
    pub no_progress: bool,
    /// Page the listing with ListObjectsV2 (list-type=2) instead of ListObjects v1 with marker, as obox does
    #[arg(long)]
    pub list_v2: bool,
    #[command(flatten)]
    pub target: TargetArgs,
}

pub fn get(a: &GetArgs, g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    super::interrupt::install();
    // Object bytes on a terminal's stdout and a bar on its stderr would
    // garble each other.
    let to_tty = a.dest.as_deref() == Some("-") && io::stdout().is_terminal();
    let enabled = progress::wanted(a.no_progress, a.target.verbose) && !to_tty;
    let progress = if a.recursive {
        Progress::many(enabled, "get")
    } else {
        Progress::one(enabled, "get", None)
    };
    let (target, client) = connect(&a.target, g, a.jobs, Some(&progress), a.list_v2)?;
    let layer = target.layer(a.target.raw)?;
    if a.recursive {
        let dir = PathBuf::from(a.dest.as_deref().unwrap_or("."));
        let r = get_recursive(&client, &a.key, &dir, layer, a.jobs, &progress);
        progress.end(r.is_ok());
        return r;
    }
    get_one(a, &client, layer, &progress)
}

fn get_one(
    a: &GetArgs,
    client: &Client,
    layer: Option<CompressSpec>,
    progress: &Progress,
) -> anyhow::Result<ExitStatus> {
    let key = a.key.as_str();
    if a.dest.as_deref() == Some("-") {
        let r = match layer {
            None => {
                let stdout = io::stdout();
                let mut lock = stdout.lock();
                client
                    .get(key, &mut lock)
                    .map(|_| ())
                    .map_err(anyhow::Error::from)
            }
            Some(spec) => {
                let mut w = DecodeWriter::new(io::stdout(), spec.maybe)?;
                client
                    .get(key, &mut w)
                    .map_err(anyhow::Error::from)
                    .and_then(|_| {
                        w.finish()
                            .map(|_| ())
                            .with_context(|| format!("decompressing {key}"))
                    })
            }
        };
        progress.finish();
        return finish_one(r);
    }
    let base = key
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("object");
    let dest = match a.dest.as_deref() {
        None => PathBuf::from(base),
        Some(d) if Path::new(d).is_dir() || d.ends_with('/') => Path::new(d).join(base),
        Some(d) => PathBuf::from(d),
    };
    let r = download(client, key, &dest, layer, None);
    progress.finish();
    finish_one(r)
}

/// An error of one transfer: report it, exit 1. Broken pipes stay quiet.
fn finish_one(r: anyhow::Result<()>) -> anyhow::Result<ExitStatus> {
    match r {
        Ok(()) => Ok(ExitStatus::Success),
        Err(e) if crate::output::is_broken_pipe(&e) => Ok(ExitStatus::Success),
        Err(e)
            if e.downcast_ref::<S3Error>().is_some() || e.chain().any(|c| c.is::<io::Error>()) =>
        {
            report(&format!("{e:#}"));
            Ok(ExitStatus::Failure)
        }
        Err(e) => Err(e),
    }
}

/// Download `key` to `dest` through a temporary file in the same
/// directory, renamed into place only when complete and verified.
fn download(
    client: &Client,
    key: &str,
    dest: &Path,
    layer: Option<CompressSpec>,
    size_hint: Option<u64>,
) -> anyhow::Result<()> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let (tmp, _guard) = super::interrupt::temp_file_in(&dir)
        .with_context(|| format!("temporary file in {}", dir.display()))?;
    let tmp = match layer {
        None => {
            client.get_to_file(key, tmp.as_file(), size_hint)?;
            tmp
        }
        Some(spec) => {
            let mut w = DecodeWriter::new(BufWriter::with_capacity(256 * 1024, tmp), spec.maybe)?;
            client.get(key, &mut w)?;
            let buf = w.finish().with_context(|| format!("decompressing {key}"))?;
            buf.into_inner().map_err(|e| e.into_error())?
        }
    };
    tmp.persist(dest)
        .map_err(|e| e.error)
        .with_context(|| format!("renaming into {}", dest.display()))?;
    Ok(())
}

/// The local path for a listed key, refusing names that would escape DIR.
fn local_path(dir: &Path, rel: &str) -> anyhow::Result<PathBuf> {
    let mut p = dir.to_path_buf();
    for part in rel.split('/') {
        match part {
            "" | "." => continue,
            ".." => bail!("refusing key with '..' component: {rel}"),
            s => p.push(s),
        }
    }
    if p == dir {
        bail!("key {rel:?} has no file name");
    }
    Ok(p)
}

fn get_recursive(
    client: &Client,
    prefix: &str,
    dir: &Path,
    layer: Option<CompressSpec>,
    jobs: usize,
    progress: &Progress,
) -> anyhow::Result<ExitStatus> {
    let found = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    // Downloads start with the first page; the bar grows as pages come.
    let listed = pipeline(
        jobs,
        LISTING_PAGE,
        |send| {
            client.list(prefix, None, &mut |page| {
                let files: Vec<(String, u64)> = page
                    .entries
                    .into_iter()
                    .filter(|e| !e.key.ends_with('/'))
                    .map(|e| (e.key, e.size))
                    .collect();
                found.fetch_add(files.len(), Ordering::Relaxed);
                progress.grow(files.len() as u64, Some(files.iter().map(|f| f.1).sum()));
                for f in files {
                    send(f);
                }
                Ok(())
            })
        },
        |(key, size)| {
            let rel = key
                .strip_prefix(prefix)
                .unwrap_or(&key)
                .trim_start_matches('/');
            let r = local_path(dir, rel)
                .and_then(|dest| download(client, &key, &dest, layer, Some(size)));
            progress.object_done();
            if let Err(e) = r {
                failed.fetch_add(1, Ordering::Relaxed);
                progress.eprintln(&format!("obox-cli: error: {e:#}"));
            }
        },
    );
    progress.listing_done();
    let found = found.into_inner();
    let mut failures = failed.into_inner();
    if failures > 0 {
        progress.eprintln(&format!(
            "obox-cli: error: {failures} of {found} downloads failed"
        ));
    }
    failures += listing_failures(listed, found, prefix, progress);
    Ok(status_for(failures))
}

/// Keys in one listing page at most (S3's page, and the bulk-delete
/// batch): the queue between a listing and its transfers.
const LISTING_PAGE: usize = 1000;

// ---------------------------------------------------------------- put

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  obox-cli put -c /etc/dovecot/dovecot.conf --user alice@example.com msg.eml mailboxes/GUID/OID
  obox-cli put --url 'http://AK:SK@127.0.0.1:8014/?bucket=mail&region=us-east-1' -r ./tree prefix/
  echo hi | obox-cli put --url 'http://AK:SK@127.0.0.1:8014/?bucket=mail' - test/key")]
pub struct PutArgs {
    /// File to upload, - for stdin (with -r: a directory)
    #[arg(value_name = "SRC")]
    pub src: String,
    /// Key to write (a key ending in / gets SRC's file name; with -r: a key prefix)
    #[arg(value_name = "KEY")]
    pub key: String,
    /// Upload every file under the SRC directory below the KEY prefix
    #[arg(short, long)]
    pub recursive: bool,
    /// Parallel transfers for -r, at most 64 (parts of one big file: up to 4)
    #[arg(short, long, value_name = "N", default_value_t = DEFAULT_JOBS)]
    pub jobs: usize,
    /// No progress display (it is shown only when stderr is a terminal)
    #[arg(long)]
    pub no_progress: bool,
    /// Object metadata NAME=VALUE, sent as x-amz-meta-NAME (repeatable)
    #[arg(long, value_name = "NAME=VALUE")]
    pub meta: Vec<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

pub fn put(a: &PutArgs, g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let mut meta = Vec::new();
    for m in &a.meta {
        let (k, v) = m
            .split_once('=')
            .with_context(|| format!("--meta {m:?} is not NAME=VALUE"))?;
        meta.push((k.to_string(), v.to_string()));
    }
    let enabled = progress::wanted(a.no_progress, a.target.verbose);
    let progress = if a.recursive {
        Progress::many(enabled, "put")
    } else {
        // A file's size is known; stdin's is not (the bar shows bytes and rate).
        let size = (a.src != "-")
            .then(|| std::fs::metadata(&a.src).ok().map(|m| m.len()))
            .flatten();
        Progress::one(enabled, "put", size)
    };
    let (target, client) = connect(&a.target, g, a.jobs, Some(&progress), false)?;
    let layer = target.layer(a.target.raw)?;
    if layer.is_some() && !a.recursive {
        // Compressed bytes on the wire: the file's size is not the total.
        progress.unknown_total();
    }
    if a.recursive {
        let r = put_recursive(
            &client,
            Path::new(&a.src),
            &a.key,
            layer,
            a.jobs,
            &meta,
            &progress,
        );
        progress.end(r.is_ok());
        return r;
    }
    let key = if a.key.ends_with('/') || a.key.is_empty() {
        let name = Path::new(&a.src)
            .file_name()
            .filter(|_| a.src != "-")
            .context("KEY ends in / but SRC has no file name")?;
        format!("{}{}", a.key, name.to_string_lossy())
    } else {
        a.key.clone()
    };
    let r = upload(&client, Path::new(&a.src), &key, layer, &meta);
    progress.finish();
    finish_one(r)
}

fn upload(
    client: &Client,
    src: &Path,
    key: &str,
    layer: Option<CompressSpec>,
    meta: &[(String, String)],
) -> anyhow::Result<()> {
    let source = if src == Path::new("-") {
        let input: Box<dyn io::Read + Send> = Box::new(io::stdin());
        match layer {
            Some(spec) => PutSource::Reader(encoder(input, spec)?),
            None => PutSource::Reader(input),
        }
    } else {
        match layer {
            None => {
                // Open now so a missing file is reported before any request.
                std::fs::File::open(src).with_context(|| format!("opening {}", src.display()))?;
                PutSource::File(src.to_path_buf())
            }
            Some(spec) => {
                let f = std::fs::File::open(src)
                    .with_context(|| format!("opening {}", src.display()))?;
                PutSource::Reader(encoder(io::BufReader::with_capacity(256 * 1024, f), spec)?)
            }
        }
    };
    client.put(key, source, meta)?;
    Ok(())
}

/// Regular files under `dir` (symlinks to files followed, others skipped),
/// as (path, relative key part with `/` separators), sorted.
fn walk(dir: &Path) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((d, rel)) = stack.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let entry = entry?;
            let name = entry
                .file_name()
                .into_string()
                .map_err(|n| anyhow::anyhow!("file name is not UTF-8: {n:?}"))?;
            let path = entry.path();
            let r = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let md = std::fs::metadata(&path)?;
            if md.is_dir() {
                stack.push((path, r));
            } else if md.is_file() {
                out.push((path, r));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

fn put_recursive(
    client: &Client,
    dir: &Path,
    prefix: &str,
    layer: Option<CompressSpec>,
    jobs: usize,
    meta: &[(String, String)],
    progress: &Progress,
) -> anyhow::Result<ExitStatus> {
    if !dir.is_dir() {
        bail!("{} is not a directory", dir.display());
    }
    let files = walk(dir)?;
    // Through a compress layer the bytes sent are not the files' sizes,
    // so the bar counts objects only.
    let bytes = match layer {
        None => Some(
            files
                .iter()
                .map(|(p, _)| std::fs::metadata(p).map_or(0, |m| m.len()))
                .sum(),
        ),
        Some(_) => None,
    };
    progress.start(files.len() as u64, bytes);
    let prefix = if prefix.is_empty() || prefix.ends_with('/') {
        prefix.to_string()
    } else {
        format!("{prefix}/")
    };
    let failures = parallel(&files, jobs, progress, |(path, rel)| {
        upload(client, path, &format!("{prefix}{rel}"), layer, meta)
    });
    if failures > 0 {
        progress.eprintln(&format!(
            "obox-cli: error: {failures} of {} uploads failed",
            files.len()
        ));
    }
    Ok(status_for(failures))
}

// ---------------------------------------------------------------- rm

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Deleting a key that does not exist succeeds silently (S3 answers 204 either way), as with aws s3 rm; a -r prefix that matches nothing is an error (exit 1).

Examples:
  obox-cli rm -c /etc/dovecot/dovecot.conf --user alice@example.com mailboxes/GUID/OID
  obox-cli rm -c /etc/dovecot/dovecot.conf --user olduser@example.com -r ''"
)]
pub struct RmArgs {
    /// Keys to delete (with -r: key prefixes)
    #[arg(value_name = "KEY", required = true)]
    pub keys: Vec<String>,
    /// Delete every key under each prefix (bulk delete, bulk_delete_limit per request)
    #[arg(short, long)]
    pub recursive: bool,
    /// Parallel bulk-delete requests for -r
    #[arg(short, long, value_name = "N", default_value_t = 4)]
    pub jobs: usize,
    /// No progress display (it is shown only when stderr is a terminal)
    #[arg(long)]
    pub no_progress: bool,
    /// Page the listing with ListObjectsV2 (list-type=2) instead of ListObjects v1 with marker, as obox does
    #[arg(long)]
    pub list_v2: bool,
    #[command(flatten)]
    pub target: TargetArgs,
}

pub fn rm(a: &RmArgs, g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let (_, client) = connect(&a.target, g, a.jobs, None, a.list_v2)?;
    let enabled = progress::wanted(a.no_progress, a.target.verbose);
    let mut failures = 0;
    let mut total = 0;
    if a.recursive {
        let progress = Progress::many(enabled, "rm");
        let limit = (client.endpoint().params.bulk_delete_limit as usize).clamp(1, 1000);
        for prefix in &a.keys {
            let found = AtomicUsize::new(0);
            let failed = AtomicUsize::new(0);
            // Each page is deleted while the next is listed. Deleting what
            // was listed does not disturb the paging: the next page starts
            // after the last listed key.
            let listed = pipeline(
                a.jobs,
                a.jobs,
                |send| {
                    client.list(prefix, None, &mut |page| {
                        let keys: Vec<String> = page.entries.into_iter().map(|e| e.key).collect();
                        found.fetch_add(keys.len(), Ordering::Relaxed);
                        progress.grow(keys.len() as u64, None);
                        let mut keys = keys.into_iter().peekable();
                        while keys.peek().is_some() {
                            send(keys.by_ref().take(limit).collect::<Vec<String>>());
                        }
                        Ok(())
                    })
                },
                |batch: Vec<String>| {
                    let errs = client.delete_many(&batch);
                    progress.objects_done(batch.len() as u64);
                    for (_, e) in &errs {
                        progress.eprintln(&format!("obox-cli: error: {e}"));
                    }
                    failed.fetch_add(errs.len(), Ordering::Relaxed);
                },
            );
            let found = found.into_inner();
            total += found;
            failures += failed.into_inner();
            failures += listing_failures(listed, found, prefix, &progress);
        }
        progress.listing_done();
        progress.end(total > 0);
    } else {
        total = a.keys.len();
        let errs = if a.keys.len() == 1 {
            client
                .delete(&a.keys[0])
                .err()
                .map(|e| vec![(a.keys[0].clone(), e)])
                .unwrap_or_default()
        } else {
            client.delete_many(&a.keys)
        };
        for (_, e) in &errs {
            report(e);
        }
        failures = errs.len();
    }
    if failures > 0 && total > 1 {
        report(&format!("{failures} of {total} deletions failed"));
    }
    Ok(status_for(failures))
}

// ---------------------------------------------------------------- stat

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  obox-cli stat -c /etc/dovecot/dovecot.conf --user alice@example.com mailboxes/GUID/OID
  obox-cli stat --url 'http://AK:SK@127.0.0.1:8014/?bucket=mail' key --json")]
pub struct StatArgs {
    /// Key to describe
    #[arg(value_name = "KEY")]
    pub key: String,
    /// Print one JSON object
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub target: TargetArgs,
}

pub fn stat(a: &StatArgs, g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let (_, client) = connect(&a.target, g, 1, None, false)?;
    let info = match client.head(&a.key) {
        Ok(i) => i,
        Err(e) => {
            report(&e);
            return Ok(ExitStatus::Failure);
        }
    };
    let mut out = io::stdout().lock();
    if a.json {
        let meta: serde_json::Map<String, serde_json::Value> = info
            .metadata
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        let v = serde_json::json!({
            "key": info.key, "size": info.size, "etag": info.etag,
            "last_modified": info.last_modified, "content_type": info.content_type, "metadata": meta,
        });
        writeln!(out, "{v}")?;
    } else {
        writeln!(out, "key: {}", info.key)?;
        writeln!(out, "size: {}", info.size)?;
        writeln!(out, "etag: {}", info.etag.as_deref().unwrap_or("-"))?;
        writeln!(
            out,
            "last-modified: {}",
            info.last_modified.as_deref().unwrap_or("-")
        )?;
        if let Some(ct) = &info.content_type {
            writeln!(out, "content-type: {ct}")?;
        }
        for (k, v) in &info.metadata {
            writeln!(out, "x-amz-meta-{k}: {v}")?;
        }
    }
    Ok(ExitStatus::Success)
}
