//! One user's view of an obox configuration: the settings a mail process
//! would see after per-user %-expansion, and what they mean — the mail
//! root in the bucket, the index/control directories, each chain's cache
//! directory, key prefix and storage URL.
//!
//! The three layers stay apart (issue 3): dovecot.conf unescaping happened
//! in `conf`; here values are %-expanded per user (`%%` becomes `%`); only
//! the storage URL's own parser percent-decodes (`%2F` becomes `/`).
//!
//! [`Prepared`] parses every template once per configuration, so a batch
//! of users costs only the expansions.
use crate::conf::Config;
use crate::fs_chain::{self, Backend, FsChain, LayerKind};
use crate::mail_location;
use crate::var_expand::{Template, UserContext, Var, expand_into};
use std::rc::Rc;

/// The fs settings obox-cli knows, with what their key prefix is relative
/// to: obox and index objects live under the mail_location root; FTS
/// objects under the URL path of fts_dovecot_fs.
pub const FS_SETTINGS: &[&str] = &["obox_fs", "obox_index_fs", "fts_dovecot_fs"];

/// A setting's raw value and its parsed template.
#[derive(Debug, Clone)]
pub struct PreparedValue {
    pub key: String,
    pub raw: Vec<u8>,
    pub template: Template,
}

impl PreparedValue {
    fn new(key: &str, raw: &[u8]) -> Self {
        PreparedValue {
            key: key.to_string(),
            raw: raw.to_vec(),
            template: Template::parse(raw),
        }
    }
}

/// The parts of a configuration that differ per user, parsed once.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub mail_home: Option<PreparedValue>,
    pub mail_location: Option<PreparedValue>,
    /// obox_fs, obox_index_fs, fts_dovecot_fs — those that are set.
    pub chains: Vec<PreparedValue>,
}

impl Prepared {
    pub fn new(cfg: &Config) -> Self {
        let get = |k: &str| {
            cfg.get(k)
                .filter(|s| !s.value.bytes.is_empty())
                .map(|s| PreparedValue::new(k.rsplit('/').next().unwrap_or(k), &s.value.bytes))
        };
        Prepared {
            mail_home: get("mail_home"),
            mail_location: get("mail_location"),
            chains: FS_SETTINGS
                .iter()
                .filter_map(|k| get(&format!("plugin/{k}")))
                .collect(),
        }
    }

    pub fn chain(&self, key: &str) -> Option<&PreparedValue> {
        self.chains.iter().find(|c| c.key == key)
    }
}

/// Where a user's mail lives according to mail_location.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailPaths {
    pub driver: Option<Vec<u8>>,
    /// For obox: the user's root in object storage.
    pub root: Option<Vec<u8>>,
    pub index: Option<Vec<u8>>,
    pub control: Option<Vec<u8>>,
}

/// An optional byte string that keeps its buffer while unset, so a batch
/// of users reuses it.
#[derive(Debug, Clone, Default)]
pub struct OptBytes {
    set: bool,
    buf: Vec<u8>,
}

impl OptBytes {
    pub fn get(&self) -> Option<&[u8]> {
        self.set.then_some(self.buf.as_slice())
    }

    pub fn clear(&mut self) {
        self.set = false;
    }

    pub fn set_to(&mut self, v: Option<&[u8]>) {
        match v {
            Some(v) => self.fill().extend_from_slice(v),
            None => self.clear(),
        }
    }

    /// Mark set and hand out the emptied buffer.
    pub fn fill(&mut self) -> &mut Vec<u8> {
        self.set = true;
        self.buf.clear();
        &mut self.buf
    }
}

/// [`MailPaths`] in reusable buffers (see [`Prepared::mail_paths_into`]).
#[derive(Debug, Clone, Default)]
pub struct MailPathsBuf {
    /// The expanded mail_location.
    pub expanded: Vec<u8>,
    pub driver: OptBytes,
    pub root: OptBytes,
    pub index: OptBytes,
    pub control: OptBytes,
}

/// One fs chain, expanded for a user.
#[derive(Debug, Clone)]
pub struct ChainView {
    pub setting: String,
    /// The expanded value (secrets included: redact before printing).
    pub expanded: Vec<u8>,
    pub chain: FsChain,
    /// fscache directories (outermost first) with their sizes as written.
    pub fscache: Vec<(String, String)>,
}

impl ChainView {
    /// The storage URL text inside [`ChainView::expanded`] (http drivers).
    pub fn storage_url(&self) -> Option<&str> {
        match &self.chain.backend {
            Backend::Http(h) => {
                std::str::from_utf8(&self.expanded[h.url.span.start..h.url.span.end]).ok()
            }
            _ => None,
        }
    }
}

/// A per-user error, with Dovecot's message where Dovecot has one.
pub type ViewResult<T> = Result<T, String>;

/// Expand one setting the way a mail process does, with Dovecot's
/// messages: plugin settings name the key and raw value; a `%h` without a
/// home is refused before expansion.
pub fn expand_setting(
    v: &PreparedValue,
    ctx: &UserContext,
    plugin: bool,
    out: &mut Vec<u8>,
) -> ViewResult<()> {
    out.clear();
    if plugin && ctx.home().is_none() && v.template.uses(Var::Home) {
        return Err(format!(
            "userdb didn't return a home directory, but plugin setting {} used it (%h): {}",
            v.key,
            crate::output::quote_value(&v.raw)
        ));
    }
    expand_into(&v.template, ctx, out).map_err(|e| {
        let msg = String::from_utf8_lossy(&e.message()).into_owned();
        if plugin {
            format!(
                "Failed to expand plugin setting {} = '{}': {msg}",
                v.key,
                crate::output::quote_value(&v.raw)
            )
        } else {
            format!("Failed to expand settings: {}: {msg}", v.key)
        }
    })
}

impl Prepared {
    /// The user's home: the userdb's (`ctx`'s) if it has one, else the
    /// expanded mail_home, as Dovecot falls back to it.
    pub fn home(&self, ctx: &UserContext) -> ViewResult<Option<Vec<u8>>> {
        let mut out = Vec::new();
        Ok(self.home_into(ctx, &mut out)?.then_some(out))
    }

    /// [`Prepared::home`] into a reused buffer (cleared first); false when
    /// the user has no home.
    pub fn home_into(&self, ctx: &UserContext, out: &mut Vec<u8>) -> ViewResult<bool> {
        out.clear();
        if let Some(h) = ctx.home() {
            out.extend_from_slice(h);
            return Ok(true);
        }
        match &self.mail_home {
            None => Ok(false),
            Some(v) => {
                expand_setting(v, ctx, false, out)?;
                Ok(true)
            }
        }
    }

    /// mail_location for a user whose home is already in `ctx`.
    pub fn mail_paths(&self, ctx: &UserContext) -> Option<ViewResult<MailPaths>> {
        let mut buf = MailPathsBuf::default();
        Some(self.mail_paths_into(ctx, &mut buf)?.map(|()| MailPaths {
            driver: buf.driver.get().map(<[u8]>::to_vec),
            root: buf.root.get().map(<[u8]>::to_vec),
            index: buf.index.get().map(<[u8]>::to_vec),
            control: buf.control.get().map(<[u8]>::to_vec),
        }))
    }

    /// [`Prepared::mail_paths`] into reused buffers: the common shapes of
    /// mail_location are read without allocating.
    pub fn mail_paths_into(
        &self,
        ctx: &UserContext,
        out: &mut MailPathsBuf,
    ) -> Option<ViewResult<()>> {
        let v = self.mail_location.as_ref()?;
        let MailPathsBuf {
            expanded,
            driver,
            root,
            index,
            control,
        } = out;
        if let Err(e) = expand_setting(v, ctx, false, expanded) {
            return Some(Err(e));
        }
        if let Some(q) = mail_location::parse_quick(expanded, ctx.home()) {
            driver.set_to(q.driver);
            for (slot, p) in [(root, q.root), (index, q.index), (control, q.control)] {
                match p {
                    Some(p) => p.push_to(slot.fill()),
                    None => slot.clear(),
                }
            }
            return Some(Ok(()));
        }
        Some(
            mail_location::parse(expanded, ctx.home())
                .map(|l| {
                    driver.set_to(l.driver.as_deref());
                    root.set_to(l.root.as_deref());
                    index.set_to(l.index.as_deref());
                    control.set_to(l.control.as_deref());
                })
                .map_err(|e| {
                    format!(
                        "mail_location {}: {}",
                        String::from_utf8_lossy(expanded),
                        String::from_utf8_lossy(&e.message())
                    )
                }),
        )
    }

    /// One chain for a user whose home is already in `ctx`.
    pub fn chain_view(&self, v: &PreparedValue, ctx: &UserContext) -> ViewResult<ChainView> {
        let mut expanded = Vec::new();
        expand_setting(v, ctx, true, &mut expanded)?;
        let text = std::str::from_utf8(&expanded).map_err(|_| {
            format!(
                "plugin setting {} is not valid UTF-8 after expansion",
                v.key
            )
        })?;
        let chain = fs_chain::parse_expanded(text).map_err(|e| {
            format!(
                "plugin setting {}: {}",
                v.key,
                crate::secrets::redact_text(&e.to_string())
            )
        })?;
        let fscache = chain
            .all_layers()
            .into_iter()
            .filter_map(|l| match &l.kind {
                LayerKind::FsCache(c) => Some((c.path.value.clone(), c.size_raw.value.clone())),
                _ => None,
            })
            .collect();
        Ok(ChainView {
            setting: v.key.clone(),
            expanded,
            chain,
            fscache,
        })
    }
}

/// What `path` reports for one chain and one user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainOut {
    /// fscache directories (expanded) with their sizes as written.
    pub fscache: Vec<(Vec<u8>, Rc<str>)>,
    pub location: Option<Located>,
}

/// Where a chain's objects for one user start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Located {
    /// The object key prefix (decoded).
    pub key_prefix: String,
    /// The request URL of that prefix, percent-encoded as sent, without
    /// credentials.
    pub url: String,
    pub bucket: Option<Rc<str>>,
    pub addressing: &'static str,
    pub signing: Option<Rc<str>>,
}

fn signing_text(s: &crate::fs_chain::Signing) -> Rc<str> {
    match s {
        crate::fs_chain::Signing::V4 { region } => format!("SigV4 ({region})").into(),
        crate::fs_chain::Signing::V2 => "SigV2 (no region=)".into(),
    }
}

fn addressing_text(a: Option<&crate::fs_chain::Addressing>) -> &'static str {
    match a {
        Some(crate::fs_chain::Addressing::PathStyle { .. }) => "path-style",
        Some(crate::fs_chain::Addressing::VirtualHosted { .. }) => "virtual-hosted",
        _ => "n/a",
    }
}

/// The key prefix of a chain's objects: the URL path, plus the mail root
/// for obox and index objects (FTS objects sit under fts_dovecot_fs's own
/// URL path).
fn key_prefix(setting: &str, url_path: &str, root: Option<&[u8]>) -> String {
    let mut prefix = String::new();
    let root = root
        .filter(|_| setting != "fts_dovecot_fs")
        .map(String::from_utf8_lossy);
    key_prefix_into(url_path, root.as_deref(), &mut prefix);
    prefix
}

/// [`key_prefix`] into a reused buffer (cleared first); `root` is already
/// text and already left out for FTS.
fn key_prefix_into(url_path: &str, root: Option<&str>, prefix: &mut String) {
    prefix.clear();
    if url_path.contains('%') {
        let decoded: Vec<u8> = percent_encoding::percent_decode_str(url_path).collect();
        let n = decoded.iter().take_while(|&&c| c == b'/').count();
        push_lossy(prefix, &decoded[n..]);
    } else {
        prefix.push_str(url_path.trim_start_matches('/'));
    }
    if let Some(r) = root {
        // As the object commands do: a root's leading `/` (`obox:/%8Mu/%u`)
        // names the same place in the bucket as the root without it.
        prefix.push_str(r.trim_start_matches('/'));
        prefix.push('/');
    }
}

/// Append bytes as text, invalid UTF-8 replaced (as `from_utf8_lossy`,
/// whose byte-wise scan is slower on the valid text that is the rule).
pub(crate) fn push_lossy(out: &mut String, b: &[u8]) {
    match std::str::from_utf8(b) {
        Ok(s) => out.push_str(s),
        Err(_) => out.push_str(&String::from_utf8_lossy(b)),
    }
}

/// Describe an expanded chain (the general, slower way).
pub fn chain_out(c: &ChainView, root: Option<&[u8]>) -> ChainOut {
    let fscache = c
        .fscache
        .iter()
        .map(|(p, s)| (p.clone().into_bytes(), Rc::from(s.as_str())))
        .collect();
    let location = match &c.chain.backend {
        Backend::Http(h) => {
            let url = c.storage_url().unwrap_or("");
            let prefix = key_prefix(&c.setting, &h.url.path.value, root);
            let s3 = h
                .kind
                .is_s3()
                .then(|| crate::s3::Endpoint::parse(&strip_userinfo(url)).ok())
                .flatten();
            Some(match s3 {
                Some(ep) => Located {
                    url: format!("{}{}", ep.signed_base(), ep.request_path(Some(&prefix))),
                    key_prefix: prefix,
                    bucket: Some(ep.bucket().into()),
                    addressing: addressing_text(h.addressing.as_ref()),
                    signing: h.signing.as_ref().map(signing_text),
                },
                None => Located {
                    url: crate::secrets::redact_text(url),
                    key_prefix: prefix,
                    bucket: None,
                    addressing: addressing_text(h.addressing.as_ref()),
                    signing: h.signing.as_ref().map(signing_text),
                },
            })
        }
        _ => None,
    };
    ChainOut { fscache, location }
}

/// A URL without its userinfo (what `path` shows never needs it).
fn strip_userinfo(url: &str) -> String {
    let Some(i) = url.find("://") else {
        return url.to_string();
    };
    let auth_end = url[i + 3..]
        .find(['/', '?'])
        .map_or(url.len(), |k| k + i + 3);
    match url[i + 3..auth_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..i + 3], &url[i + 3 + at + 1..]),
        None => url.to_string(),
    }
}

/// A chain whose per-user parts are only its fscache paths and its URL
/// path: those sub-templates are expanded per user and the rest is fixed,
/// so a batch of users needs no re-parsing. Built only when every
/// %-directive of the value (other than `%%`) lies inside those fields.
#[derive(Debug, Clone)]
pub struct ChainPlan {
    pub setting: String,
    /// FTS objects sit under the URL path alone, not the mail root.
    fts: bool,
    /// Dovecot refuses `%h` without a home; the general way reports it.
    uses_home: bool,
    fscache: Vec<(Template, Rc<str>)>,
    url: Option<UrlPlan>,
}

#[derive(Debug, Clone)]
struct UrlPlan {
    path: Template,
    /// `scheme://host[:port]` plus `/bucket` for path-style: what comes
    /// before the encoded key in a request URL.
    base: String,
    bucket: Option<Rc<str>>,
    addressing: &'static str,
    signing: Option<Rc<str>>,
}

impl ChainPlan {
    pub fn new(v: &PreparedValue) -> Option<ChainPlan> {
        use crate::var_expand::{Key, Piece, ShortKey};
        let raw = std::str::from_utf8(&v.raw).ok()?;
        let chain = fs_chain::parse(raw).ok()?;
        let mut fields: Vec<crate::source::Span> = Vec::new();
        let mut fscache = Vec::new();
        for l in chain.all_layers() {
            if let LayerKind::FsCache(c) = &l.kind {
                fields.push(c.path.span);
                fscache.push((
                    Template::parse(&v.raw[c.path.span.start..c.path.span.end]),
                    Rc::from(c.size_raw.value.as_str()),
                ));
            }
        }
        let url = match &chain.backend {
            Backend::Http(h) => {
                let path = h.url.path.span;
                fields.push(path);
                let base_text = format!(
                    "{}://{}{}/{}",
                    h.url.scheme.value,
                    h.url.host.value,
                    h.url
                        .port
                        .as_ref()
                        .map(|p| format!(":{}", p.value))
                        .unwrap_or_default(),
                    raw.get(path.end..h.url.span.end).unwrap_or("")
                );
                if base_text.contains('%') {
                    return None;
                }
                if !h.kind.is_s3() {
                    return None;
                }
                let endpoint = crate::s3::Endpoint::parse(&base_text).ok()?;
                // request_path("") is the base path with an empty key.
                let base = format!(
                    "{}{}",
                    endpoint.signed_base(),
                    endpoint.request_path(Some(""))
                );
                Some(UrlPlan {
                    path: Template::parse(&v.raw[path.start..path.end]),
                    bucket: Some(endpoint.bucket().into()),
                    base,
                    addressing: addressing_text(h.addressing.as_ref()),
                    signing: h.signing.as_ref().map(signing_text),
                })
            }
            Backend::DictMap { .. } => return None,
            _ => None,
        };
        for p in v.template.pieces() {
            let Piece::Directive(d) = p else { continue };
            let escape = matches!(
                d.key,
                Key::Short {
                    kind: ShortKey::Percent,
                    ..
                }
            );
            let inside = fields
                .iter()
                .any(|f| f.start <= d.span.start && d.span.end <= f.end);
            // `%%` is a constant anywhere; anything else must sit inside a
            // field the plan expands itself.
            if !escape && !inside {
                return None;
            }
        }
        Some(ChainPlan {
            fts: v.key == "fts_dovecot_fs",
            uses_home: v.template.uses(Var::Home),
            setting: v.key.clone(),
            fscache,
            url,
        })
    }

    /// The chain for one user, or None when this user's values could
    /// change the chain's structure (then the general way must run).
    pub fn out(
        &self,
        ctx: &UserContext,
        root: Option<&[u8]>,
        buf: &mut Vec<u8>,
    ) -> Option<ChainOut> {
        let mut s = PlanScratch {
            buf: std::mem::take(buf),
            ..PlanScratch::default()
        };
        let root = root.map(String::from_utf8_lossy);
        let ok = self.fill(ctx, root.as_deref(), &mut s);
        *buf = s.buf;
        if !ok {
            return None;
        }
        Some(ChainOut {
            fscache: s
                .fscache
                .into_iter()
                .zip(&self.fscache)
                .map(|(p, (_, size))| (p, Rc::clone(size)))
                .collect(),
            location: self.url.as_ref().map(|u| Located {
                key_prefix: s.key_prefix,
                // Encoded, so ASCII.
                url: String::from_utf8_lossy(&s.url).into_owned(),
                bucket: u.bucket.clone(),
                addressing: u.addressing,
                signing: u.signing.clone(),
            }),
        })
    }

    /// [`ChainPlan::out`] into reused buffers: the fscache paths (one per
    /// [`ChainPlan::fscache_sizes`]) and, when [`ChainPlan::location`] is
    /// set, the key prefix and URL. False when the general way must run.
    /// `root` is the mail root as text (invalid UTF-8 already replaced).
    pub fn fill(&self, ctx: &UserContext, root: Option<&str>, s: &mut PlanScratch) -> bool {
        if self.uses_home && ctx.home().is_none() {
            return false;
        }
        s.fscache.resize_with(self.fscache.len(), Vec::new);
        for ((t, _), path) in self.fscache.iter().zip(&mut s.fscache) {
            path.clear();
            if expand_into(t, ctx, path).is_err() {
                return false;
            }
            // The general way parses text; it reports what is not UTF-8.
            if path.contains(&b':') || std::str::from_utf8(path).is_err() {
                return false;
            }
        }
        if let Some(u) = &self.url {
            s.buf.clear();
            if expand_into(&u.path, ctx, &mut s.buf).is_err() {
                return false;
            }
            let Ok(path) = std::str::from_utf8(&s.buf) else {
                return false;
            };
            if path.contains(['?', '#']) {
                return false;
            }
            key_prefix_into(path, root.filter(|_| !self.fts), &mut s.key_prefix);
            s.url.clear();
            s.url.extend_from_slice(u.base.as_bytes());
            crate::s3::encode::encode_bytes_into(&mut s.url, s.key_prefix.as_bytes(), true);
        }
        true
    }

    /// What every request URL of the chain starts with (the encoded key
    /// prefix follows), for chains with a location.
    pub fn url_base(&self) -> Option<&str> {
        self.url.as_ref().map(|u| u.base.as_str())
    }

    /// The fscache sizes as written, outermost first.
    pub fn fscache_sizes(&self) -> impl Iterator<Item = &str> {
        self.fscache.iter().map(|(_, s)| &**s)
    }

    /// The parts of the chain's location that are the same for every
    /// user: bucket, addressing and signing. None for chains without one.
    pub fn location(&self) -> Option<(Option<&str>, &'static str, Option<&str>)> {
        self.url
            .as_ref()
            .map(|u| (u.bucket.as_deref(), u.addressing, u.signing.as_deref()))
    }
}

/// Buffers [`ChainPlan::fill`] writes one user's chain into.
#[derive(Debug, Clone, Default)]
pub struct PlanScratch {
    pub fscache: Vec<Vec<u8>>,
    pub key_prefix: String,
    /// Percent-encoded, so ASCII.
    pub url: Vec<u8>,
    buf: Vec<u8>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `obox:/%8Mu/%u` and `obox:%8Mu/%u` name the same objects; the object
    /// commands strip the slash too, so `path` must print what `ls` uses.
    #[test]
    fn root_leading_slash_is_not_part_of_the_key() {
        assert_eq!(key_prefix("obox_fs", "/", Some(b"/ab/u")), "ab/u/");
        assert_eq!(key_prefix("obox_fs", "/p/", Some(b"/ab/u")), "p/ab/u/");
        assert_eq!(key_prefix("obox_fs", "", Some(b"ab/u")), "ab/u/");
        assert_eq!(key_prefix("fts_dovecot_fs", "/f/", Some(b"/ab")), "f/");
    }

    /// The per-user plan must say exactly what the general expansion and
    /// parse say, or step aside.
    #[test]
    fn plan_agrees_with_full_parse() {
        let chains = [
            "fscache:512M:/var/cache/mails/%4Nu:compress:zstd:3:aws-s3:https://AK:SEC%%2FRET@dovecot-mails.s3.eu-central-1.amazonaws.com/?region=eu-central-1",
            "fts-cache:fscache:1G:/c/%2.256Nu/%d:s3:http://AK:SK@s3.example.com:9000/%8Mu/%u/fts/?bucket=b&region=us-east-1",
            "compress:gz:6:s3:https://h.example.com/p%%20x/%n/?bucket=b",
            "fscache:1G:/c/%u:s3:https://b.s3.example.com/",
            "s3:https://b.s3.example.com/%u/?region=x",
            "fscache:1G:%h/c:s3:https://b.s3.example.com/",
        ];
        let users: [&[u8]; 7] = [
            b"alice@example.com",
            b"a:b@c",
            b"q?x@y",
            b"pct%2Fu@x",
            b"sp ace",
            b"j\xfcrgen@x",
            b"h#sh",
        ];
        for c in chains {
            let v = PreparedValue::new("obox_fs", c.as_bytes());
            let Some(plan) = ChainPlan::new(&v) else {
                panic!("no plan for {c}");
            };
            let prepared = Prepared {
                mail_home: None,
                mail_location: None,
                chains: vec![v.clone()],
            };
            let mut fast_hits = 0;
            for home in [None, Some(&b"/home/u"[..])] {
                for u in users {
                    let mut ctx = UserContext::new(u);
                    ctx.set_home(home);
                    let mut buf = Vec::new();
                    let root = Some(&b"r00t/x"[..]);
                    let slow = prepared.chain_view(&v, &ctx).map(|cv| chain_out(&cv, root));
                    if let Some(fast) = plan.out(&ctx, root, &mut buf) {
                        fast_hits += 1;
                        assert_eq!(Ok(fast), slow, "{c} for {}", String::from_utf8_lossy(u));
                    }
                }
            }
            assert!(fast_hits >= 5, "{c}: the plan stepped aside too often");
        }
    }
}
