//! Dovecot 2.3.19.1's settings: which keys exist in which section, their
//! types and defaults. The data was generated from the real `doveconf`
//! (see `scripts/gen-settings.sh`) and is checked in as
//! `data/settings-2.3.19.1.tsv`, so the table and the binary it came from
//! can be compared at any time.
use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("../../data/settings-2.3.19.1.tsv");

/// How Dovecot checks and stores a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingType {
    Bool,
    Uint,
    /// File modes such as `0600`: an unsigned number read in octal.
    Octal,
    Size,
    Time,
    TimeMsecs,
    Enum,
    /// A TCP port: 0..65535.
    Port,
    Str,
}

impl SettingType {
    fn parse(s: &str) -> SettingType {
        match s {
            "bool" => SettingType::Bool,
            "uint" => SettingType::Uint,
            "octal" => SettingType::Octal,
            "size" => SettingType::Size,
            "time" => SettingType::Time,
            "time_msecs" => SettingType::TimeMsecs,
            "enum" => SettingType::Enum,
            "port" => SettingType::Port,
            _ => SettingType::Str,
        }
    }
}

/// One setting of one scope.
#[derive(Debug, Clone)]
pub struct SettingDef {
    pub key: String,
    pub ty: SettingType,
    /// The default as `doveconf -a` prints it.
    pub default: String,
    /// Allowed values of an enum, the default first.
    pub values: Vec<String>,
}

/// How a section type behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionKind {
    /// Named list entries; a repeated name merges (`service`, `namespace`).
    Merge,
    /// Numbered list entries; a repeated name is an error (`passdb`).
    List,
    /// Free-form `key = value` entries (`plugin`, `dict`).
    StrList,
    /// Accepted for compatibility and ignored (`auth`).
    Obsolete,
}

/// What a key means in a scope.
#[derive(Debug, Clone, Copy)]
pub enum KeyDef<'a> {
    Setting(&'a SettingDef),
    /// Another name for a setting; the target's definition.
    Alias(&'a SettingDef),
    /// Removed: doveconf warns with this text and ignores the value.
    Obsolete(&'a str),
}

/// All settings, by scope. A scope is the path of section types that
/// leads to it: `` (top level), `service`, `service/unix_listener`,
/// `namespace/mailbox`, …
#[derive(Debug, Default)]
pub struct SettingsTable {
    scopes: HashMap<String, HashMap<String, SettingDef>>,
    /// Section types that may be opened inside each scope.
    sections: HashMap<String, Vec<(String, SectionKind)>>,
    /// scope → alias → target key.
    aliases: HashMap<String, HashMap<String, String>>,
    /// scope → obsolete key → doveconf's warning text.
    obsolete: HashMap<String, HashMap<String, String>>,
}

impl SettingsTable {
    /// The table of the Dovecot version obox-cli targets.
    pub fn get() -> &'static SettingsTable {
        static T: OnceLock<SettingsTable> = OnceLock::new();
        T.get_or_init(|| SettingsTable::from_tsv(DATA))
    }

    fn from_tsv(data: &str) -> SettingsTable {
        let mut t = SettingsTable::default();
        for line in data.lines() {
            if line.starts_with('#') || line.starts_with("scope\t") || line.is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 4 {
                continue;
            }
            let (scope, key, ty) = (f[0], f[1], f[2]);
            let extra = f.get(4).copied().unwrap_or("");
            let section = match ty {
                "section" if extra == "list" => Some(SectionKind::List),
                "section" => Some(SectionKind::Merge),
                "strlist" => Some(SectionKind::StrList),
                "obsolete_section" => Some(SectionKind::Obsolete),
                _ => None,
            };
            if let Some(kind) = section {
                t.sections
                    .entry(scope.to_string())
                    .or_default()
                    .push((key.to_string(), kind));
                continue;
            }
            match ty {
                // Filters are built into the parser.
                "filter" => continue,
                "alias" => {
                    t.aliases
                        .entry(scope.to_string())
                        .or_default()
                        .insert(key.to_string(), extra.to_string());
                    continue;
                }
                "obsolete" => {
                    t.obsolete
                        .entry(scope.to_string())
                        .or_default()
                        .insert(key.to_string(), extra.to_string());
                    continue;
                }
                _ => {}
            }
            let def = SettingDef {
                key: key.to_string(),
                ty: SettingType::parse(ty),
                default: unescape(f[3]),
                values: f
                    .get(4)
                    .filter(|v| !v.is_empty())
                    .map(|v| v.split(':').map(str::to_string).collect())
                    .unwrap_or_default(),
            };
            t.scopes
                .entry(scope.to_string())
                .or_default()
                .insert(key.to_string(), def);
        }
        t
    }

    pub fn lookup(&self, scope: &str, key: &str) -> Option<&SettingDef> {
        self.scopes.get(scope)?.get(key)
    }

    /// A key with aliases resolved and obsolete keys recognised.
    pub fn resolve(&self, scope: &str, key: &str) -> Option<KeyDef<'_>> {
        if let Some(d) = self.lookup(scope, key) {
            return Some(KeyDef::Setting(d));
        }
        if let Some(target) = self.aliases.get(scope).and_then(|m| m.get(key)) {
            return self.lookup(scope, target).map(KeyDef::Alias);
        }
        self.obsolete
            .get(scope)
            .and_then(|m| m.get(key))
            .map(|t| KeyDef::Obsolete(t.as_str()))
    }

    /// Whether a section of type `ty` may be opened in `scope`.
    pub fn has_section(&self, scope: &str, ty: &str) -> bool {
        self.section_kind(scope, ty).is_some()
    }

    pub fn section_kind(&self, scope: &str, ty: &str) -> Option<SectionKind> {
        self.sections
            .get(scope)?
            .iter()
            .find(|(s, _)| s == ty)
            .map(|(_, k)| *k)
    }

    /// Every key of a scope (for did-you-mean suggestions).
    pub fn keys(&self, scope: &str) -> impl Iterator<Item = &str> {
        self.scopes
            .get(scope)
            .into_iter()
            .flat_map(|m| m.keys().map(String::as_str))
    }

    /// The closest known key to a misspelt one, if it is close enough.
    pub fn suggest(&self, scope: &str, key: &str) -> Option<&str> {
        // The distance is at least the difference in length: skipping keys
        // that cannot be close keeps a multi-megabyte unknown key from
        // costing (known keys × its length) work.
        let key_chars = key.chars().count();
        self.keys(scope)
            .filter(|k| k.chars().count().abs_diff(key_chars) <= 2.max(k.len() / 5))
            .map(|k| (levenshtein(k, key), k))
            .filter(|(d, k)| *d <= 2.max(k.len() / 5))
            .min()
            .map(|(_, k)| k)
    }
}

/// The TSV escapes `\t`, `\n` and `\\` inside defaults.
fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean() {
        assert_eq!(levenshtein("mail_locaton", "mail_location"), 1);
        let t = SettingsTable::get();
        assert_eq!(t.suggest("", "mail_locaton"), Some("mail_location"));
        assert!(t.lookup("", "mail_location").is_some());
        assert!(t.has_section("", "namespace"));
    }

    #[test]
    fn suggest_skips_keys_of_very_different_length() {
        // Found by fuzzing the config parser: every unknown key used to be
        // compared with every known one at full length, so a 10 MB key cost
        // minutes. Now no known key is even within reach of its length.
        let t = SettingsTable::get();
        let long = "k".repeat(1 << 20);
        let start = std::time::Instant::now();
        assert_eq!(t.suggest("", &long), None);
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        // Length prefilter counts characters, not bytes.
        assert_eq!(t.suggest("", "mail_locatiön"), Some("mail_location"));
    }
}
