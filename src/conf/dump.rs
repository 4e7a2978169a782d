//! Printing a configuration the way `doveconf` does: `-n` (what differs
//! from the defaults) and `KEY = VALUE` lookups. The rules were
//! established by experiment on doveconf 2.3.19.1; docs/doveconf-n-rules.md
//! records each one.
use super::model::{Config, Section, Setting};
use super::settings_table::{SectionKind, SettingDef, SettingsTable};
use super::values::{self, Net};
use crate::secrets;
use std::io::{self, Write};

/// Options shared by the dump formats.
#[derive(Debug, Clone, Copy, Default)]
pub struct DumpOptions {
    /// `-P`: print secrets instead of hiding them.
    pub show_secrets: bool,
}

/// `doveconf -n`: the non-default configuration. Plain settings and
/// sections first, then one block per filter combination.
pub fn dump_non_default(cfg: &Config, opts: DumpOptions) -> Vec<u8> {
    let mut out = Out::buffer();
    dump_into(cfg, opts, &mut out);
    out.buf
}

/// [`dump_non_default`] written to `w` as it is made, so a big config's
/// output is never held whole in memory.
pub fn write_non_default(cfg: &Config, opts: DumpOptions, w: &mut dyn Write) -> io::Result<()> {
    let mut out = Out::streaming(w);
    dump_into(cfg, opts, &mut out);
    out.finish()
}

fn dump_into(cfg: &Config, opts: DumpOptions, out: &mut Out<'_>) {
    let d = Dumper {
        table: SettingsTable::get(),
        opts,
    };
    d.body(out, &cfg.root, "", 0, Context::Root);
    let mut blocks = Vec::new();
    collect_filters(&cfg.root, &mut Vec::new(), &mut blocks);
    // Stable: ties keep config order.
    blocks.sort_by_key(|(path, _)| filter_order(path));
    for (path, f) in blocks {
        let mut body = Out::buffer();
        d.body(&mut body, f, "", path.len(), Context::Filter);
        if body.buf.is_empty() {
            continue;
        }
        for (depth, p) in path.iter().enumerate() {
            out.indent(depth);
            out.extend(p.ty.as_bytes());
            out.push(b' ');
            out.extend(p.name.as_deref().unwrap_or("").as_bytes());
            out.extend(b" {\n");
        }
        out.extend(&body.buf);
        for depth in (0..path.len()).rev() {
            out.indent(depth);
            out.extend(b"}\n");
        }
        out.wrote_content();
    }
}

/// The output being made. A section that turns out to print nothing is
/// cut off again after its header was written, so output is handed to the
/// writer (in chunks) only right after a line that stays: every section
/// open then has content and cannot be cut any more.
struct Out<'w> {
    buf: Vec<u8>,
    sink: Option<&'w mut dyn Write>,
    /// Bytes already handed to `sink` (positions count from the start).
    flushed: usize,
    error: Option<io::Error>,
}

/// Bytes gathered before they go to the writer.
const CHUNK: usize = 64 * 1024;

impl<'w> Out<'w> {
    fn buffer() -> Self {
        Out {
            buf: Vec::new(),
            sink: None,
            flushed: 0,
            error: None,
        }
    }

    fn streaming(w: &'w mut dyn Write) -> Self {
        Out {
            buf: Vec::with_capacity(CHUNK + 4096),
            sink: Some(w),
            ..Out::buffer()
        }
    }

    /// Position of the next byte in the whole output.
    fn pos(&self) -> usize {
        self.flushed + self.buf.len()
    }

    fn extend(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    fn push(&mut self, b: u8) {
        self.buf.push(b);
    }

    fn indent(&mut self, depth: usize) {
        indent(&mut self.buf, depth);
    }

    /// Cut an empty section, opened at `start`, off again. Nothing was
    /// handed on since it opened: that takes a line inside it.
    fn cut(&mut self, start: usize) {
        debug_assert!(start >= self.flushed);
        self.buf.truncate(start.saturating_sub(self.flushed));
    }

    /// A line that stays was written: every open section has content, so
    /// everything so far is final.
    fn wrote_content(&mut self) {
        if self.buf.len() >= CHUNK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let Some(w) = self.sink.as_mut() else {
            return;
        };
        if self.error.is_none()
            && let Err(e) = w.write_all(&self.buf)
        {
            self.error = Some(e);
        }
        self.flushed += self.buf.len();
        self.buf.clear();
    }

    fn finish(mut self) -> io::Result<()> {
        self.flush();
        match self.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Every filter node with the chain of filters leading to it.
fn collect_filters<'a>(
    sec: &'a Section,
    path: &mut Vec<&'a Section>,
    out: &mut Vec<(Vec<&'a Section>, &'a Section)>,
) {
    for c in sec.sections.iter().filter(|c| c.is_filter()) {
        path.push(c);
        out.push((path.clone(), c));
        collect_filters(c, path, out);
        path.pop();
    }
}

/// doveconf's filter order: without local_name first, then by local
/// prefix length, then remote prefix length, then without protocol first.
fn filter_order(path: &[&Section]) -> (bool, u8, u8, bool) {
    let bits = |ty: &str| {
        path.iter().rfind(|s| s.ty == ty).map_or(0, |s| {
            match values::parse_net(s.name.as_deref().unwrap_or("")) {
                Ok(Net::Ip(_, b)) => b,
                _ => 0,
            }
        })
    };
    let has = |ty: &str| path.iter().any(|s| s.ty == ty);
    (
        has("local_name"),
        bits("local"),
        bits("remote"),
        has("protocol"),
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Root,
    Filter,
    /// Inside a section, itself inside a filter.
    InFilter,
    Section,
}

struct Dumper {
    table: &'static SettingsTable,
    opts: DumpOptions,
}

fn indent(out: &mut Vec<u8>, depth: usize) {
    out.extend(std::iter::repeat_n(b' ', depth * 2));
}

fn child_scope(scope: &str, ty: &str) -> String {
    if scope.is_empty() {
        ty.to_string()
    } else {
        format!("{scope}/{ty}")
    }
}

/// The sort key of a section name: doveconf escapes `,` `\` space `=` `/`
/// inside flattened paths, which decides where names with them sort.
fn name_sort_key(name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(name.len() + 2);
    for &b in name.as_bytes() {
        match b {
            b',' => k.extend_from_slice(b"\\,"),
            b'\\' => k.extend_from_slice(b"\\\\"),
            b' ' => k.extend_from_slice(b"\\_"),
            b'=' => k.extend_from_slice(b"\\e"),
            b'/' => k.extend_from_slice(b"\\|"),
            _ => k.push(b),
        }
    }
    k
}

impl Dumper {
    fn kind(&self, scope: &str, c: &Section) -> Option<SectionKind> {
        self.table.section_kind(scope, &c.ty)
    }

    /// The settings and sections of one level, sorted together by their
    /// flattened path; filters are printed separately.
    fn body(&self, out: &mut Out<'_>, sec: &Section, scope: &str, depth: usize, ctx: Context) {
        let kind = if ctx == Context::Root || ctx == Context::Filter {
            None
        } else {
            self.table
                .section_kind(scope.rsplit_once('/').map_or("", |(p, _)| p), &sec.ty)
        };
        // Items are sorted by key and then written straight from the
        // config; an item is just an index (a big plugin block has
        // hundreds of thousands of them).
        #[derive(Clone, Copy)]
        enum Item {
            Set(u32),
            Text(u32),
            Sec(u32),
        }
        let strlist = matches!(kind, Some(SectionKind::StrList | SectionKind::Obsolete));
        let defs: Vec<Option<&'static SettingDef>> = if strlist {
            Vec::new()
        } else {
            sec.settings
                .iter()
                .map(|s| self.table.lookup(scope, &s.key))
                .collect()
        };
        let mut texts: Vec<(&'static [u8], Vec<u8>)> = Vec::new();
        if sec.ty == "namespace" && kind == Some(SectionKind::Merge) {
            // A namespace always shows its location and prefix.
            for k in ["location", "prefix"] {
                if sec.setting(k).is_none() {
                    let mut line = Vec::new();
                    indent(&mut line, depth);
                    line.extend_from_slice(format!("{k} = \n").as_bytes());
                    texts.push((k.as_bytes(), line));
                }
            }
        }
        if matches!(kind, Some(SectionKind::List)) {
            let in_filter = ctx == Context::InFilter;
            if let Some(n) = &sec.name
                && !n.starts_with('\0')
            {
                let mut line = Vec::new();
                indent(&mut line, depth);
                line.extend_from_slice(b"name = ");
                line.extend_from_slice(n.as_bytes());
                line.push(b'\n');
                texts.push((b"name", line));
            } else if in_filter {
                // A passdb/userdb copied into a filter prints its empty name.
                let mut line = Vec::new();
                indent(&mut line, depth);
                line.extend_from_slice(b"name = \n");
                texts.push((b"name", line));
            }
        }
        let sections: Vec<(&Section, Option<SectionKind>, Vec<u8>)> = sec
            .sections
            .iter()
            .filter(|c| !c.is_filter())
            .map(|c| {
                let ckind = self.kind(scope, c);
                let name_key = match ckind {
                    Some(SectionKind::List) => c.list_index.unwrap_or(0).to_string().into_bytes(),
                    _ => name_sort_key(
                        c.name
                            .as_deref()
                            .filter(|n| !n.starts_with('\0'))
                            .unwrap_or(""),
                    ),
                };
                let mut key = c.ty.as_bytes().to_vec();
                key.push(b'/');
                key.extend(name_key);
                key.push(b'/');
                (c, ckind, key)
            })
            .collect();
        let mut items: Vec<(&[u8], Item)> =
            Vec::with_capacity(sec.settings.len() + texts.len() + sections.len());
        for (i, s) in sec.settings.iter().enumerate() {
            let def = defs.get(i).copied().flatten();
            let show = match (ctx, kind) {
                // Top level and passdb/userdb: what differs from the default.
                (Context::Root, _) | (_, Some(SectionKind::List)) => def.is_none_or(|d| {
                    normalize(d, &s.value.bytes) != normalize(d, d.default.as_bytes())
                }),
                _ => true,
            };
            if show {
                // Positions fit in u32: see SettingList.
                items.push((s.key.as_bytes(), Item::Set(i as u32)));
            }
        }
        for (i, (k, _)) in texts.iter().enumerate() {
            items.push((k, Item::Text(i as u32)));
        }
        for (i, (_, _, k)) in sections.iter().enumerate() {
            items.push((k, Item::Sec(i as u32)));
        }
        // Stable: equal keys keep the order above. (A stable sort also
        // finds the long sorted runs generated configs have.)
        items.sort_by(|a, b| a.0.cmp(b.0));
        for (_, item) in items {
            match item {
                Item::Set(i) => {
                    let i = i as usize;
                    let def = defs.get(i).copied().flatten();
                    self.setting(&mut out.buf, &sec.settings[i], def, depth);
                    out.wrote_content();
                }
                Item::Text(i) => {
                    out.extend(&texts[i as usize].1);
                    out.wrote_content();
                }
                Item::Sec(i) => {
                    let (c, ckind, _) = &sections[i as usize];
                    self.section(out, c, *ckind, scope, depth, ctx);
                }
            }
        }
    }

    fn section(
        &self,
        out: &mut Out<'_>,
        c: &Section,
        ckind: Option<SectionKind>,
        scope: &str,
        depth: usize,
        ctx: Context,
    ) {
        let cscope = child_scope(scope, &c.ty);
        let cctx = if matches!(ctx, Context::Filter | Context::InFilter) {
            Context::InFilter
        } else {
            Context::Section
        };
        let start = out.pos();
        out.indent(depth);
        out.extend(c.ty.as_bytes());
        out.push(b' ');
        let show_name = !matches!(
            ckind,
            Some(SectionKind::List | SectionKind::StrList | SectionKind::Obsolete)
        );
        if show_name
            && let Some(n) = c
                .name
                .as_deref()
                .filter(|n| !n.is_empty() && !n.starts_with('\0'))
        {
            if n.contains(' ') {
                out.push(b'"');
                out.extend(&escape(n.as_bytes()));
                out.push(b'"');
            } else {
                out.extend(n.as_bytes());
            }
            out.push(b' ');
        }
        out.extend(b"{\n");
        let body_start = out.pos();
        self.body(out, c, &cscope, depth + 1, cctx);
        // Empty sections are left out; a namespace always prints.
        if out.pos() == body_start && !(c.ty == "namespace" && ckind == Some(SectionKind::Merge)) {
            out.cut(start);
            return;
        }
        out.indent(depth);
        out.extend(b"}\n");
        out.wrote_content();
    }

    fn setting(&self, out: &mut Vec<u8>, s: &Setting, def: Option<&SettingDef>, depth: usize) {
        indent(out, depth);
        out.extend_from_slice(s.key.as_bytes());
        out.extend_from_slice(b" = ");
        let v: std::borrow::Cow<'_, [u8]> = match def {
            Some(d) => normalize(d, &s.value.bytes).into(),
            None => s.value.bytes.as_slice().into(),
        };
        write_value(out, &s.key, &v, self.opts.show_secrets);
        out.push(b'\n');
    }
}

/// A value as `doveconf -n` prints it: secret keys hidden whole, secrets
/// inside values hidden, quoted when it holds `#` or starts or ends with
/// whitespace — unless hiding changed it, which doveconf prints raw.
pub fn format_value(key: &str, v: &[u8], show_secrets: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() + 2);
    write_value(&mut out, key, v, show_secrets);
    out
}

fn write_value(out: &mut Vec<u8>, key: &str, v: &[u8], show_secrets: bool) {
    if !show_secrets {
        if secrets::is_secret_key(key) && !v.is_empty() {
            out.extend_from_slice(secrets::HIDDEN_SETTING.as_bytes());
            return;
        }
        if !secrets::secret_ranges(v).is_empty() {
            out.extend(secrets::redact_with(v, secrets::HIDDEN));
            return;
        }
    }
    let white = |b: &u8| *b == b' ' || *b == b'\t';
    let needs = memchr::memchr(b'#', v).is_some()
        || v.first().is_some_and(white)
        || v.last().is_some_and(white);
    if needs {
        out.push(b'"');
        out.extend(escape(v));
        out.push(b'"');
    } else {
        out.extend_from_slice(v);
    }
}

/// A value in the form doveconf prints it, so equal settings compare equal.
pub fn normalize(def: &SettingDef, v: &[u8]) -> Vec<u8> {
    values::normalize(def, v).unwrap_or_else(|_| v.to_vec())
}

/// doveconf quotes a value that contains `#` or starts or ends with a
/// space or TAB, escaping `"`, `'` and `\` inside.
pub fn quote_value(v: &[u8]) -> Vec<u8> {
    let white = |b: &u8| *b == b' ' || *b == b'\t';
    let needs = memchr::memchr(b'#', v).is_some()
        || v.first().is_some_and(white)
        || v.last().is_some_and(white);
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

/// `doveconf KEY`: the value of one key path (`mail_location`,
/// `plugin/obox_fs`, `service/imap/process_limit`, `passdb/0/driver`), or
/// the default when it is unset; None when the path names no setting —
/// doveconf then prints nothing.
pub fn lookup_value(cfg: &Config, path: &str) -> Option<Vec<u8>> {
    let table = SettingsTable::get();
    let parts: Vec<&str> = path.split('/').collect();
    let (key, sections) = parts.split_last()?;
    let mut sec = &cfg.root;
    let mut scope = String::new();
    let mut found = true;
    let mut last_kind = None;
    let mut it = sections.iter();
    while let Some(ty) = it.next() {
        let kind = table.section_kind(&scope, ty)?;
        last_kind = Some(kind);
        scope = child_scope(&scope, ty);
        let next = match kind {
            SectionKind::StrList | SectionKind::Obsolete => {
                sec.sections.iter().find(|s| s.ty == *ty && !s.is_filter())
            }
            SectionKind::List => {
                let idx: usize = it.next()?.parse().ok()?;
                sec.sections
                    .iter()
                    .find(|s| s.ty == *ty && s.list_index == Some(idx))
            }
            SectionKind::Merge => {
                let name = it.next()?;
                sec.sections
                    .iter()
                    .find(|s| s.ty == *ty && s.name.as_deref() == Some(name))
            }
        };
        match next {
            Some(n) => sec = n,
            None => found = false,
        }
    }
    if matches!(last_kind, Some(SectionKind::StrList)) {
        return found
            .then(|| sec.setting(key).map(|s| s.value.bytes.clone()))
            .flatten();
    }
    let def = table.lookup(&scope, key)?;
    let v = if found {
        sec.setting(key).map(|s| s.value.bytes.clone())
    } else {
        None
    };
    Some(match v {
        Some(v) => normalize(def, &v),
        None => def.default.clone().into_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conf::{ExpandMode, load_from_bytes};

    /// Records each write, so the test sees the output arrive in chunks.
    struct Chunks(Vec<Vec<u8>>);

    impl Write for Chunks {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.push(b.to_vec());
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn streamed_output_is_the_whole_dump() {
        // Sections that print nothing (cut off after their header was
        // written) before, between and after a block big enough to be
        // written in several chunks; an empty namespace, which prints.
        let mut text = String::from("service imap {\n  unix_listener x {\n  }\n}\n");
        text.push_str("namespace empty {\n}\nplugin {\n");
        for i in 0..8000 {
            text.push_str(&format!("  key_{i} = value {i} of a plugin setting\n"));
        }
        text.push_str("}\nservice pop3 {\n}\n");
        text.push_str("protocol imap {\n  mail_debug = yes\n}\n");
        let cfg = load_from_bytes("big.conf", text.as_bytes(), ExpandMode::Literal).unwrap();
        let whole = dump_non_default(&cfg, DumpOptions::default());
        let mut chunks = Chunks(Vec::new());
        write_non_default(&cfg, DumpOptions::default(), &mut chunks).unwrap();
        assert!(chunks.0.len() > 2, "{} chunks", chunks.0.len());
        assert!(chunks.0.iter().all(|c| c.len() < 2 * CHUNK));
        assert_eq!(chunks.0.concat(), whole);
        let s = String::from_utf8(whole).unwrap();
        assert!(
            s.contains("namespace empty {\n  location = \n  prefix = \n}\n"),
            "{s}"
        );
        assert!(!s.contains("service"), "{s}");
        assert!(
            s.ends_with("protocol imap {\n  mail_debug = yes\n}\n"),
            "{s}"
        );
    }
}
