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
    pub chain: Result<FsChain, FsChainError>,
}

impl FsSite<'_> {
    /// Map a span of the value text to the config file.
    pub fn at(&self, span: Span) -> Origin {
        self.setting.value.origin_of(span)
    }
}

pub struct LintContext<'a> {
    pub config: &'a Config,
    pub settings: &'a LintSettings,
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
        let sites = FS_KEYS
            .iter()
            .filter_map(|key| {
                let setting = config.get(&format!("plugin/{key}"))?;
                let text = setting.value.text().into_owned();
                if text.is_empty() {
                    return None;
                }
                let chain = fs_chain::parse_with(&text, &opts);
                Some(FsSite {
                    key,
                    setting,
                    text,
                    chain,
                })
            })
            .collect();
        LintContext {
            config,
            settings,
            sites,
        }
    }

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

    /// A setting anywhere, including filters (`remote {}`), with its section.
    pub fn everywhere(&self, key: &str) -> Vec<(&'a Section, &'a Setting)> {
        fn walk<'b>(s: &'b Section, key: &str, out: &mut Vec<(&'b Section, &'b Setting)>) {
            if let Some(x) = s.setting(key) {
                out.push((s, x));
            }
            for c in &s.sections {
                walk(c, key, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.config.root, key, &mut out);
        out
    }

    /// Whether `mail_plugins` lists `plugin`.
    pub fn has_mail_plugin(&self, plugin: &str) -> bool {
        self.global_text("mail_plugins")
            .is_some_and(|v| v.split_whitespace().any(|p| p == plugin))
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
