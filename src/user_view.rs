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
    /// The expanded mail_location.
    pub expanded: Vec<u8>,
    pub driver: Option<Vec<u8>>,
    /// For obox: the user's root in object storage.
    pub root: Option<Vec<u8>>,
    pub index: Option<Vec<u8>>,
    pub control: Option<Vec<u8>>,
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

/// Everything `path` prints for one user.
#[derive(Debug, Clone)]
pub struct UserView {
    pub user: Vec<u8>,
    pub home: Option<Vec<u8>>,
    pub mail: Option<ViewResult<MailPaths>>,
    pub chains: Vec<(String, ViewResult<ChainView>)>,
}

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
            String::from_utf8_lossy(&v.raw)
        ));
    }
    expand_into(&v.template, ctx, out).map_err(|e| {
        let msg = String::from_utf8_lossy(&e.message()).into_owned();
        if plugin {
            format!(
                "Failed to expand plugin setting {} = '{}': {msg}",
                v.key,
                String::from_utf8_lossy(&v.raw)
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
        if let Some(h) = ctx.home() {
            return Ok(Some(h.to_vec()));
        }
        match &self.mail_home {
            None => Ok(None),
            Some(v) => {
                let mut out = Vec::new();
                expand_setting(v, ctx, false, &mut out)?;
                Ok(Some(out))
            }
        }
    }

    /// mail_location for a user whose home is already in `ctx`.
    pub fn mail_paths(&self, ctx: &UserContext) -> Option<ViewResult<MailPaths>> {
        let v = self.mail_location.as_ref()?;
        let mut expanded = Vec::new();
        if let Err(e) = expand_setting(v, ctx, false, &mut expanded) {
            return Some(Err(e));
        }
        Some(
            mail_location::parse(&expanded, ctx.home())
                .map(|l| MailPaths {
                    expanded: expanded.clone(),
                    driver: l.driver,
                    root: l.root,
                    index: l.index,
                    control: l.control,
                })
                .map_err(|e| {
                    format!(
                        "mail_location {}: {}",
                        String::from_utf8_lossy(&expanded),
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

    /// Everything for one user. `ctx` carries the user and any userdb
    /// fields; its home is filled in from mail_home when unset.
    pub fn view(&self, ctx: &mut UserContext) -> UserView {
        let home = self.home(ctx);
        let (home, home_err) = match home {
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
            None => self.mail_paths(ctx),
        };
        let chains = self
            .chains
            .iter()
            .map(|v| (v.key.clone(), self.chain_view(v, ctx)))
            .collect();
        UserView {
            user: ctx.user().to_vec(),
            home,
            mail,
            chains,
        }
    }
}
