//! Printing a configuration the way `doveconf` does: `-n` (settings that
//! differ from the defaults), and `KEY = VALUE` lookups.
use super::model::{Config, Section, Setting};
use super::settings_table::{SettingDef, SettingType, SettingsTable};
use super::values;
use crate::secrets;

/// Options shared by the dump formats.
#[derive(Debug, Clone, Copy, Default)]
pub struct DumpOptions {
    /// `-P`: print secrets instead of hiding them.
    pub show_secrets: bool,
}

/// `doveconf -n`: the non-default configuration.
pub fn dump_non_default(cfg: &Config, opts: DumpOptions) -> Vec<u8> {
    let mut out = Vec::new();
    write_section_body(&mut out, &cfg.root, "", 0, opts);
    out
}

fn indent(out: &mut Vec<u8>, depth: usize) {
    out.extend(std::iter::repeat_n(b' ', depth * 2));
}

/// Items of a section in doveconf's order: plain settings and sections
/// sorted together by name, filters after them.
fn write_section_body(
    out: &mut Vec<u8>,
    sec: &Section,
    scope: &str,
    depth: usize,
    opts: DumpOptions,
) {
    enum Item<'a> {
        Set(&'a Setting),
        Sec(&'a Section),
    }
    let table = SettingsTable::get();
    let is_plugin = sec.ty == "plugin";
    let mut items: Vec<(&[u8], Item)> = Vec::new();
    for s in &sec.settings {
        let def = if is_plugin {
            None
        } else {
            table.lookup(scope, &s.key)
        };
        if !shown(sec, scope, s, def) {
            continue;
        }
        items.push((s.key.as_bytes(), Item::Set(s)));
    }
    let mut sections: Vec<&Section> = sec.sections.iter().filter(|c| !c.is_filter()).collect();
    // Sections sort by type; same-type sections keep their order.
    sections.sort_by(|a, b| a.ty.cmp(&b.ty));
    for c in sections {
        if section_is_empty(c) {
            continue;
        }
        items.push((c.ty.as_bytes(), Item::Sec(c)));
    }
    items.sort_by(|a, b| a.0.cmp(b.0));
    for (_, item) in items {
        match item {
            Item::Set(s) => write_setting(out, s, depth, opts),
            Item::Sec(c) => {
                let child_scope = child_scope(scope, &c.ty);
                write_header(out, c, depth);
                write_section_body(out, c, &child_scope, depth + 1, opts);
                indent(out, depth);
                out.extend_from_slice(b"}\n");
            }
        }
    }
    for f in sec.sections.iter().filter(|c| c.is_filter()) {
        write_header(out, f, depth);
        write_section_body(out, f, scope, depth + 1, opts);
        indent(out, depth);
        out.extend_from_slice(b"}\n");
    }
}

fn child_scope(scope: &str, ty: &str) -> String {
    if ty == "plugin" {
        "plugin".into()
    } else if scope.is_empty() {
        ty.to_string()
    } else {
        format!("{scope}/{ty}")
    }
}

fn section_is_empty(c: &Section) -> bool {
    c.ty == "plugin" && c.settings.is_empty() && c.sections.is_empty()
}

fn write_header(out: &mut Vec<u8>, c: &Section, depth: usize) {
    indent(out, depth);
    out.extend_from_slice(c.ty.as_bytes());
    out.push(b' ');
    if c.is_filter() {
        // A filter prints its argument even when empty: `protocol  {`.
        out.extend_from_slice(c.name.as_deref().unwrap_or("").as_bytes());
        out.extend_from_slice(b" {\n");
        return;
    }
    if let Some(n) = &c.name {
        if n.is_empty()
            || n.bytes()
                .any(|b| b == b' ' || b == b'\t' || b == b'"' || b == b'{')
        {
            out.push(b'"');
            out.extend_from_slice(escape(n.as_bytes()).as_slice());
            out.push(b'"');
        } else {
            out.extend_from_slice(n.as_bytes());
        }
        out.push(b' ');
    }
    out.extend_from_slice(b"{\n");
}

/// Whether `-n` prints a setting: plugin entries and settings inside named
/// sections always; top-level ones when they differ from the default.
fn shown(sec: &Section, scope: &str, s: &Setting, def: Option<&SettingDef>) -> bool {
    if sec.ty == "plugin"
        || !scope.is_empty()
        || sec.is_filter() && scope.is_empty() && sec.ty.is_empty()
    {
        return true;
    }
    if sec.is_filter() {
        return true;
    }
    match def {
        Some(d) => normalize(d, &s.value.bytes) != normalize(d, d.default.as_bytes()),
        None => true,
    }
}

/// A value in the form doveconf prints it, so equal settings compare equal.
pub fn normalize(def: &SettingDef, v: &[u8]) -> Vec<u8> {
    let s = String::from_utf8_lossy(v);
    match def.ty {
        SettingType::Bool => match values::parse_bool(&s) {
            Some(true) => b"yes".to_vec(),
            Some(false) => b"no".to_vec(),
            None => v.to_vec(),
        },
        SettingType::Size => match values::parse_size(&s) {
            Some(n) => format_size(n).into_bytes(),
            None => v.to_vec(),
        },
        SettingType::Time | SettingType::TimeMsecs => match values::parse_time_msecs(&s) {
            Some(ms) => format_time(ms, def.ty == SettingType::TimeMsecs).into_bytes(),
            None => v.to_vec(),
        },
        SettingType::Uint => match values::parse_uint(&s, 10) {
            Some(n) => n.to_string().into_bytes(),
            None => v.to_vec(),
        },
        SettingType::Octal => match values::parse_uint(&s, 8) {
            Some(n) => format!("{n:#o}").replacen("0o", "0", 1).into_bytes(),
            None => v.to_vec(),
        },
        _ => v.to_vec(),
    }
}

/// Sizes print with the largest unit that divides them exactly.
pub fn format_size(n: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1 << 40, "T"),
        (1 << 30, "G"),
        (1 << 20, "M"),
        (1 << 10, "k"),
    ];
    if n == 0 {
        return "0".into();
    }
    for (m, u) in UNITS {
        if n % m == 0 {
            return format!("{} {u}", n / m);
        }
    }
    format!("{n} B")
}

/// Times print in the largest unit that divides them exactly.
pub fn format_time(ms: u64, msecs: bool) -> String {
    const UNITS: [(u64, &str); 5] = [
        (604_800_000, "weeks"),
        (86_400_000, "days"),
        (3_600_000, "hours"),
        (60_000, "mins"),
        (1000, "secs"),
    ];
    if ms == 0 {
        return "0".into();
    }
    for (m, u) in UNITS {
        if ms % m == 0 {
            return format!("{} {u}", ms / m);
        }
    }
    let _ = msecs;
    format!("{ms} ms")
}

fn write_setting(out: &mut Vec<u8>, s: &Setting, depth: usize, opts: DumpOptions) {
    indent(out, depth);
    out.extend_from_slice(s.key.as_bytes());
    out.extend_from_slice(b" = ");
    let table = SettingsTable::get();
    let v = match table.lookup("", &s.key) {
        Some(d) => normalize(d, &s.value.bytes),
        None => s.value.bytes.clone(),
    };
    if !opts.show_secrets && secrets::is_secret_key(&s.key) && !v.is_empty() {
        out.extend_from_slice(secrets::HIDDEN_SETTING.as_bytes());
    } else {
        // Quoting is decided on the real value, then secrets are hidden.
        let needs_quotes = quote_value(&v).len() != v.len();
        let shown = if opts.show_secrets {
            v
        } else {
            secrets::hide_value(&s.key, &v)
        };
        if needs_quotes {
            out.push(b'"');
            out.extend(escape(&shown));
            out.push(b'"');
        } else {
            out.extend_from_slice(&shown);
        }
    }
    out.push(b'\n');
}

/// doveconf quotes a value that contains `#` or starts or ends with
/// whitespace, escaping `"`, `'` and `\` inside.
pub fn quote_value(v: &[u8]) -> Vec<u8> {
    let needs = v.contains(&b'#')
        || v.first().is_some_and(|b| b.is_ascii_whitespace())
        || v.last().is_some_and(|b| b.is_ascii_whitespace());
    if !needs {
        return v.to_vec();
    }
    let mut out = vec![b'"'];
    out.extend(escape(v));
    out.push(b'"');
    out
}

fn escape(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() + 2);
    for &b in v {
        if matches!(b, b'"' | b'\'' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

/// `doveconf KEY`: the value of one key path, or the default when unset;
/// None when the key does not exist.
pub fn lookup_value(cfg: &Config, path: &str) -> Option<Vec<u8>> {
    if let Some(s) = cfg.get(path) {
        return Some(s.value.bytes.clone());
    }
    if let Some(k) = path.strip_prefix("plugin/") {
        let _ = k;
        return Some(Vec::new());
    }
    let table = SettingsTable::get();
    let parts: Vec<&str> = path.split('/').collect();
    let key = parts.last()?;
    // Section settings: TYPE/NAME/.../KEY → scope of the types.
    let scope: Vec<&str> = parts[..parts.len() - 1]
        .iter()
        .step_by(2)
        .copied()
        .collect();
    table
        .lookup(&scope.join("/"), key)
        .map(|d| d.default.clone().into_bytes())
}
