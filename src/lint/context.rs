//! What rules see: the config, every fs setting parsed once, and the sink
//! for findings.
use super::rule::rule;
use super::settings::LintSettings;
use crate::conf::{Config, Origin, Section, Setting};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::fs_chain::{self, FsChain, FsChainError, ParseOptions};
use crate::source::Span;

/// The fs settings the linter reads, in report order.
pub const FS_KEYS: &[&str] = &["obox_fs", "obox_index_fs", "fts_dovecot_fs"];

pub struct FsSite<'a> {
    pub key: &'static str,
    pub setting: &'a Setting,
    pub text: String,
    /// The AST, `Err` only for a problem that leaves the chain's shape
    /// unclear; recoverable problems are in `notes` and do not stop it.
    pub chain: Result<FsChain, FsChainError>,
    pub notes: Vec<FsChainError>,
    /// The filters (`protocol imap`, `remote 10.0.0.0/8`, …) the setting is
    /// inside, outermost first; empty for the global `plugin {}` block.
    pub filters: Vec<&'a Section>,
}

impl FsSite<'_> {
    /// Map a span of the value text to the config file.
    pub fn at(&self, span: Span) -> Origin {
        self.setting.value.origin_of(span)
    }

    /// The protocol this value is for, when it is inside `protocol X {}`.
    pub fn protocol(&self) -> Option<&str> {
        protocol_of(&self.filters)
    }
}

fn protocol_of<'s>(filters: &[&'s Section]) -> Option<&'s str> {
    filters
        .iter()
        .rev()
        .find(|f| f.ty == "protocol")
        .and_then(|f| f.name.as_deref())
}

/// The `plugin {}` blocks and the sections holding them: the global one
/// first, then those inside filters (depth first, in file order), each
/// with its filter path.
fn plugin_blocks(root: &Section) -> Vec<(Vec<&Section>, &Section, &Section)> {
    fn walk<'b>(
        s: &'b Section,
        path: &mut Vec<&'b Section>,
        out: &mut Vec<(Vec<&'b Section>, &'b Section, &'b Section)>,
    ) {
        for c in &s.sections {
            if c.ty == "plugin" {
                out.push((path.clone(), s, c));
            }
        }
        for c in s.sections.iter().filter(|c| c.is_filter()) {
            path.push(c);
            walk(c, path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(root, &mut Vec::new(), &mut out);
    // The global block first, whatever the file order.
    out.sort_by_key(|(path, _, _)| !path.is_empty());
    out
}

pub struct LintContext<'a> {
    pub config: &'a Config,
    pub settings: &'a LintSettings,
    /// Every distinct value of every fs setting: the global one first, then
    /// each filter's own value that differs from all earlier ones (the same
    /// text again is the same chain, so it is linted once).
    pub sites: Vec<FsSite<'a>>,
}

/// Where rules put findings (separate from the context so rules can hold
/// borrows of the context while reporting).
#[derive(Debug, Default)]
pub struct Sink {
    pub diags: Vec<Diagnostic>,
}

impl<'a> LintContext<'a> {
    pub fn new(config: &'a Config, settings: &'a LintSettings) -> Self {
        let opts = ParseOptions {
            lenient: true,
            ..ParseOptions::default()
        };
        let mut sites: Vec<FsSite<'a>> = Vec::new();
        for key in FS_KEYS {
            for (filters, _, block) in plugin_blocks(&config.root) {
                let Some(setting) = block.setting(key) else {
                    continue;
                };
                let text = setting.value.text().into_owned();
                // An unread `<file` value (the file could not be read) is
                // reported by the expanding pass, not as a chain.
                if text.is_empty()
                    || text.starts_with('<')
                    || sites.iter().any(|s| s.key == *key && s.text == text)
                {
                    continue;
                }
                let r = fs_chain::parse_recovering(&text, &opts);
                sites.push(FsSite {
                    key,
                    setting,
                    text,
                    chain: r.chain,
                    notes: r.notes,
                    filters,
                });
            }
        }
        LintContext {
            config,
            settings,
            sites,
        }
    }

    /// The value of an fs setting the cross-setting checks judge: the
    /// global one, else the first filter's.
    pub fn site(&self, key: &str) -> Option<&FsSite<'a>> {
        self.sites.iter().find(|s| s.key == key)
    }

    /// A global (root-level) setting.
    pub fn global(&self, key: &str) -> Option<&'a Setting> {
        self.config.root.setting(key)
    }
    pub fn global_text(&self, key: &str) -> Option<String> {
        self.global(key).map(|s| s.value.text().into_owned())
    }
    pub fn plugin(&self, key: &str) -> Option<&'a Setting> {
        self.config.get(&format!("plugin/{key}"))
    }
    pub fn plugin_text(&self, key: &str) -> Option<String> {
        self.plugin(key).map(|s| s.value.text().into_owned())
    }

    /// Every `mail_plugins` value with the filters it is set in (global
    /// first, then `protocol imap { mail_plugins = … }` and the like).
    fn mail_plugins_values(&self) -> Vec<(Option<&'a str>, String)> {
        fn walk<'b>(
            s: &'b Section,
            path: &mut Vec<&'b Section>,
            out: &mut Vec<(Option<&'b str>, String)>,
        ) {
            if let Some(m) = s.setting("mail_plugins") {
                out.push((protocol_of(path), m.value.text().into_owned()));
            }
            for c in s.sections.iter().filter(|c| c.is_filter()) {
                path.push(c);
                walk(c, path, out);
                path.pop();
            }
        }
        let mut out = Vec::new();
        walk(&self.config.root, &mut Vec::new(), &mut out);
        out
    }

    /// Whether `mail_plugins`, globally or in any filter, lists `plugin`.
    pub fn has_mail_plugin(&self, plugin: &str) -> bool {
        self.mail_plugins_values()
            .iter()
            .any(|(_, v)| v.split_whitespace().any(|p| p == plugin))
    }

    /// Whether `plugin` is loaded where `site`'s value is used.
    ///
    /// Dovecot loads `mail_plugins` per protocol (a `protocol imap {}`
    /// value replaces the global one for IMAP). A global fs value is used
    /// by every protocol, so it counts as served when any protocol loads
    /// the plugin: typically obox or fts_dovecot is added only for imap and
    /// lmtp, and the other protocols never touch the chain, so demanding it
    /// everywhere would be a false error. A value inside `protocol X {}`
    /// counts as served by the global list or by a list for X; `local`
    /// and `remote` filters without a protocol count for every protocol.
    pub fn site_has_plugin(&self, site: &FsSite, plugin: &str) -> bool {
        let proto = site.protocol();
        self.mail_plugins_values().iter().any(|(p, v)| {
            let applies = match (proto, p) {
                (Some(a), Some(b)) => a == *b,
                _ => true,
            };
            applies && v.split_whitespace().any(|x| x == plugin)
        })
    }

    /// The values of plugin setting `key` that apply where `site` is used
    /// (the global block and blocks in filters for the same protocol, or
    /// all blocks for a global site, as for [`Self::site_has_plugin`]).
    pub fn plugin_values_for(&self, site: &FsSite, key: &str) -> Vec<String> {
        let proto = site.protocol();
        plugin_blocks(&self.config.root)
            .into_iter()
            .filter(|(path, _, _)| match (proto, protocol_of(path)) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            })
            .filter_map(|(_, _, b)| b.setting(key))
            .map(|s| s.value.text().into_owned())
            .collect()
    }
}

impl Sink {
    /// Report with the rule's default severity.
    pub fn report(
        &mut self,
        code: &str,
        origin: Origin,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let sev = rule(code).map_or(Severity::Warning, |r| r.severity);
        self.report_as(code, sev, origin, message)
    }

    pub fn report_as(
        &mut self,
        code: &str,
        severity: Severity,
        origin: Origin,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let r = rule(code);
        self.diags.push(Diagnostic {
            code: code.into(),
            name: r.map_or("", |r| r.name).into(),
            severity,
            message: message.into(),
            primary: Some(Label::new(origin)),
            secondary: Vec::new(),
            help: r.map(|r| r.fix.to_string()),
        });
        self.diags.last_mut().expect("just pushed")
    }
}

impl Diagnostic {
    pub fn help(&mut self, h: impl Into<String>) -> &mut Self {
        self.help = Some(h.into());
        self
    }
    pub fn also(&mut self, origin: Origin, msg: impl Into<String>) -> &mut Self {
        self.secondary.push(Label::with_message(origin, msg));
        self
    }
}
