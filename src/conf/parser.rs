//! Applying logical lines: sections, filters, includes, values, `$var`,
//! `<file`, type checks — Dovecot 2.3.19's config-parser semantics
//! (spec §1.3–1.8). The first line error aborts the parse; a missing `}`
//! is a *delayed* error that leaves the parsed config usable, as doveconf
//! treats it.
use super::grammar::{self, Line};
use super::include;
use super::model::*;
use super::reader::{LogicalLine, Reader, is_white};
use super::setting_list::{KeyHasher, SettingList};
use super::settings_table::{KeyDef, SectionKind, SettingsTable};
use super::values;
use super::{ExpandMode, LoadLimits};
use crate::source::Span;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How a node stores and merges what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Root,
    Filter,
    Merge,
    List,
    /// Free-form keys (`plugin`, `dict`).
    StrList,
}

/// The scope of a filter opened inside a section: no key exists there.
const NO_SCOPE: &str = "\0none";

#[derive(Debug)]
struct Node {
    kind: NodeKind,
    /// For list entries (passdb, userdb): their index among their type.
    list_index: Option<usize>,
    ty: String,
    name: Option<String>,
    header: Option<Origin>,
    /// Settings-table scope (`service/unix_listener`); "plugin" for plugin.
    scope: String,
    settings: SettingList,
    children: Vec<usize>,
    child_index: HashMap<(String, String), usize>,
}

impl Node {
    fn new(ty: &str, name: Option<String>, header: Option<Origin>, scope: String) -> Self {
        Node {
            kind: match ty {
                "" => NodeKind::Root,
                "plugin" | "dict" => NodeKind::StrList,
                "protocol" | "local" | "remote" | "local_name" => NodeKind::Filter,
                _ => NodeKind::Merge,
            },
            list_index: None,
            ty: ty.to_string(),
            name,
            header,
            scope,
            settings: SettingList::default(),
            children: Vec::new(),
            child_index: HashMap::new(),
        }
    }

    fn is_filter(&self) -> bool {
        self.kind == NodeKind::Filter
    }
}

/// An open section on the parse stack.
#[derive(Debug, Clone)]
struct Frame {
    node: usize,
    /// Where it was opened, for "Missing '}' (section started at F:N)".
    opened_at: (String, usize),
}

pub(crate) struct Parser {
    mode: ExpandMode,
    limits: LoadLimits,
    pub files: Files,
    nodes: Vec<Node>,
    stack: Vec<Frame>,
    /// Path strings and canonical paths of the files being read.
    include_stack: Vec<(String, Option<PathBuf>)>,
    unnamed: usize,
    /// First filter assignment of each key, for the global-after-filter
    /// warning: key → (file path, line).
    filter_keys: HashMap<String, (String, usize)>,
    pub warnings: Vec<ConfWarning>,
    /// A Cell because `<file` values are read while building a value,
    /// which only borrows the parser.
    bytes_read: std::cell::Cell<u64>,
    /// Bytes copied by `$name` references so far (see `charge_expansion`).
    bytes_expanded: std::cell::Cell<u64>,
    files_read: usize,
    warned_obsolete: bool,
    table: &'static SettingsTable,
    keys: KeyHasher,
    /// False for in-memory text ([`super::load_from_bytes`]): `!include`
    /// and `<file` must not reach the filesystem then.
    includes: bool,
}

/// A line error before it is given its `file line N:` prefix.
struct LineError {
    message: String,
    span: Option<Span>,
    /// For an error inside an included file: where it really is.
    inner_origin: Option<Origin>,
    help: Option<String>,
}

impl LineError {
    fn new(message: impl Into<String>) -> Self {
        LineError {
            message: message.into(),
            span: None,
            inner_origin: None,
            help: None,
        }
    }
    fn at(message: impl Into<String>, span: Span) -> Self {
        LineError {
            message: message.into(),
            span: Some(span),
            inner_origin: None,
            help: None,
        }
    }
}

impl Parser {
    pub fn new(mode: ExpandMode, limits: LoadLimits) -> Self {
        let root = Node::new("", None, None, String::new());
        Parser {
            mode,
            limits,
            files: Files::default(),
            nodes: vec![root],
            stack: vec![Frame {
                node: 0,
                opened_at: (String::new(), 0),
            }],
            include_stack: Vec::new(),
            unnamed: 0,
            filter_keys: HashMap::new(),
            warnings: Vec::new(),
            bytes_read: std::cell::Cell::new(0),
            bytes_expanded: std::cell::Cell::new(0),
            files_read: 0,
            warned_obsolete: false,
            table: SettingsTable::get(),
            keys: KeyHasher::new(),
            includes: true,
        }
    }

    /// Parse the root file. Returns the config; a delayed error (missing
    /// `}`) is stored in it, line errors come back as Err.
    pub fn parse_root(self, path: &Path) -> Result<Config, ConfError> {
        let path_str = path.to_string_lossy().into_owned();
        let text = match read_file(path, self.limits.max_total_bytes) {
            Ok(t) => t,
            Err(e) => {
                let fatal = format!("open({path_str}) failed: {e}");
                return Err(ConfError {
                    fatal: fatal.clone(),
                    message: fatal,
                    origin: None,
                    files: Files::default(),
                    help: None,
                    warnings: Vec::new(),
                });
            }
        };
        let canon = std::fs::canonicalize(path).ok();
        self.parse_root_text(path_str, canon, text)
    }

    /// Parse in-memory text named `path_str`, with includes refused.
    pub fn parse_bytes(mut self, path_str: String, text: Vec<u8>) -> Result<Config, ConfError> {
        self.includes = false;
        self.parse_root_text(path_str, None, text)
    }

    fn parse_root_text(
        mut self,
        path_str: String,
        canon: Option<PathBuf>,
        text: Vec<u8>,
    ) -> Result<Config, ConfError> {
        if let Err(mut e) = self.parse_file(path_str.clone(), canon, text) {
            e.files = std::mem::take(&mut self.files);
            e.warnings = std::mem::take(&mut self.warnings);
            return Err(e);
        }
        let delayed = if self.stack.len() > 1 {
            let (f, l) = self
                .stack
                .last()
                .map(|f| f.opened_at.clone())
                .unwrap_or_default();
            let message = format!("Missing '}}' (section started at {f}:{l})");
            let origin = self.nodes[self.stack.last().unwrap().node].header;
            Some(ConfError {
                fatal: format!("Error in configuration file {path_str}: {message}"),
                message,
                origin,
                files: Files::default(),
                help: None,
                warnings: Vec::new(),
            })
        } else {
            None
        };
        let mut cfg = Config {
            files: std::mem::take(&mut self.files),
            root: self.build(0),
            warnings: std::mem::take(&mut self.warnings),
            delayed_error: delayed,
        };
        if cfg.delayed_error.is_none() {
            cfg.delayed_error = super::check::settings_check(&cfg, &path_str);
        }
        Ok(cfg)
    }

    fn next_unnamed(&mut self) -> String {
        // Unnamed sections are numbered by one counter for the whole
        // parse, so they never merge or clash.
        let id = format!("\0{}", self.unnamed);
        self.unnamed += 1;
        id
    }

    fn build(&mut self, idx: usize) -> Section {
        let children = std::mem::take(&mut self.nodes[idx].children);
        let sections = children.into_iter().map(|c| self.build(c)).collect();
        let n = &mut self.nodes[idx];
        Section {
            ty: std::mem::take(&mut n.ty),
            list_index: n.list_index,
            name: n.name.take(),
            header: n.header,
            settings: std::mem::take(&mut n.settings).into_settings(),
            sections,
        }
    }

    fn parse_file(
        &mut self,
        path: String,
        canon: Option<PathBuf>,
        text: Vec<u8>,
    ) -> Result<(), ConfError> {
        self.files_read += 1;
        self.bytes_read
            .set(self.bytes_read.get() + text.len() as u64);
        let file = self.files.add(SourceFile::new(path.clone(), text));
        self.include_stack.push((path.clone(), canon));
        // The reader borrows the text; take it out of `files` for the
        // duration of the parse to satisfy the borrow checker cheaply.
        let text = std::mem::take(&mut self.files.files[file.0].text);
        let result = self.parse_lines(file, &path, &text);
        self.files.files[file.0].text = text;
        self.include_stack.pop();
        result
    }

    fn parse_lines(&mut self, file: FileId, path: &str, text: &[u8]) -> Result<(), ConfError> {
        let mut reader = Reader::new(text);
        let mut warned = 0;
        let mut line = super::reader::LogicalLine::default();
        while reader.next_line_into(&mut line) {
            self.ambiguous_hash_warnings(file, path, &reader.warnings[warned..]);
            warned = reader.warnings.len();
            if let Err(e) = self.apply_line(file, path, &line) {
                let origin = Origin {
                    file,
                    span: e.span.unwrap_or_else(|| {
                        let s = line.file_offset(0);
                        Span::new(s, line.file_offset(line.text.len()))
                    }),
                };
                // Include errors already carry their own full message.
                if let Some(rest) = e.message.strip_prefix("\0") {
                    return Err(ConfError {
                        fatal: rest.to_string(),
                        message: rest.to_string(),
                        origin: e.inner_origin.or(Some(origin)),
                        files: Files::default(),
                        help: e.help,
                        warnings: Vec::new(),
                    });
                }
                return Err(ConfError {
                    fatal: format!(
                        "Error in configuration file {path} line {}: {}",
                        line.line, e.message
                    ),
                    message: e.message,
                    origin: Some(origin),
                    files: Files::default(),
                    help: e.help,
                    warnings: Vec::new(),
                });
            }
        }
        self.ambiguous_hash_warnings(file, path, &reader.warnings[warned..]);
        Ok(())
    }

    /// doveconf's warning for a `#` right after a non-blank character.
    fn ambiguous_hash_warnings(
        &mut self,
        file: FileId,
        path: &str,
        found: &[super::reader::AmbiguousHash],
    ) {
        for w in found {
            self.warnings.push(ConfWarning {
                message: format!(
                    "Configuration file {path} line {}: Ambiguous '#' character in line, treating it as comment. Add a space before it to remove this warning.",
                    w.line
                ),
                origin: Origin {
                    file,
                    span: Span::new(w.file_offset, w.file_offset + 1),
                },
            });
        }
    }

    fn span(line: &LogicalLine, r: std::ops::Range<usize>) -> Span {
        Span::new(
            line.file_offset(r.start),
            line.file_offset(r.end).max(line.file_offset(r.start)),
        )
    }

    fn cur(&self) -> usize {
        self.stack.last().map_or(0, |f| f.node)
    }

    /// The nearest enclosing node that is not a filter (its scope is the
    /// one new keys and sections are looked up in).
    fn scope_node(&self) -> usize {
        self.stack
            .iter()
            .rev()
            .map(|f| f.node)
            .find(|&n| !self.nodes[n].is_filter())
            .unwrap_or(0)
    }

    /// `namespace { mailbox { ` — the path prefix of "Unknown setting".
    fn unknown_path(&self) -> String {
        let mut s = String::new();
        for f in &self.stack[1..] {
            let n = &self.nodes[f.node];
            if !n.is_filter() {
                s.push_str(&n.ty);
                s.push_str(" { ");
            }
        }
        s
    }

    fn in_filter(&self, tys: &[&str]) -> bool {
        self.stack[1..]
            .iter()
            .any(|f| tys.contains(&self.nodes[f.node].ty.as_str()))
    }

    fn apply_line(
        &mut self,
        file: FileId,
        path: &str,
        line: &LogicalLine,
    ) -> Result<(), LineError> {
        if line.overflow {
            return Err(LineError::new(format!(
                "Line continued with '\\' over more than {} physical lines; refusing it",
                super::reader::MAX_CONTINUATIONS
            )));
        }
        let t = &line.text;
        match grammar::line(t) {
            Line::Error { message, at } => Err(LineError::at(message, Self::span(line, at))),
            Line::SectionEnd => {
                if self.stack.len() <= 1 {
                    return Err(LineError::at(
                        "Unexpected '}'",
                        Self::span(line, 0..t.len()),
                    ));
                }
                self.stack.pop();
                Ok(())
            }
            Line::Include { try_, arg } => {
                let pattern = String::from_utf8_lossy(&t[arg.clone()]).into_owned();
                self.include(path, &pattern, try_).map_err(|mut e| {
                    if e.span.is_none() {
                        e.span = Some(Self::span(line, arg));
                    }
                    e
                })
            }
            Line::SectionHeader { key, name } => {
                let ty = lossy_string(&t[key.clone()]);
                let (name, name_span) = match name {
                    None => (None, None),
                    Some(n) => {
                        let raw = &t[n.range.clone()];
                        let bytes = if n.quoted {
                            let inner = raw.strip_prefix(b"\"").unwrap_or(raw);
                            let inner = inner.strip_suffix(b"\"").unwrap_or(inner);
                            values::unescape(inner)
                        } else {
                            raw.to_vec()
                        };
                        (
                            Some(String::from_utf8_lossy(&bytes).into_owned()),
                            Some(Self::span(line, n.range)),
                        )
                    }
                };
                let header = Origin {
                    file,
                    span: Self::span(line, key.start..t.len()),
                };
                self.open_section(
                    &ty,
                    name,
                    name_span,
                    header,
                    path,
                    line.line,
                    Self::span(line, key),
                )
            }
            Line::KeyValue { key, value } => {
                if key.is_empty() {
                    return Err(LineError::at(
                        "Missing key name ('=' at the beginning of line)",
                        Self::span(line, 0..1),
                    ));
                }
                let key_str = lossy_string(&t[key.clone()]);
                let key_origin = Origin {
                    file,
                    span: Self::span(line, key.clone()),
                };
                self.set(file, path, line, key_str, key_origin, value)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn open_section(
        &mut self,
        ty: &str,
        name: Option<String>,
        name_span: Option<Span>,
        header: Origin,
        path: &str,
        line_no: usize,
        key_span: Span,
    ) -> Result<(), LineError> {
        if self.stack.len() > self.limits.max_depth {
            return Err(LineError::at(
                format!(
                    "Sections nested deeper than {} levels",
                    self.limits.max_depth
                ),
                key_span,
            ));
        }
        let cur = self.cur();
        let is_filter = matches!(ty, "protocol" | "local" | "remote" | "local_name");
        // A filter may open anywhere (inside a section nothing can be set
        // in it); other sections not inside a free-form block.
        if !is_filter && matches!(self.nodes[cur].kind, NodeKind::StrList) {
            return Err(LineError::at("Section not allowed here", key_span));
        }
        let parent_scope = self.nodes[self.scope_node()].scope.clone();
        let (scope, id, kind) = if is_filter {
            self.check_filter(
                ty,
                name.as_deref().unwrap_or(""),
                name_span.unwrap_or(key_span),
            )?;
            // A filter inside a section is accepted, but nothing can be set
            // in it: its scope knows no keys.
            let scope = if self.nodes[self.scope_node()].ty.is_empty() {
                parent_scope
            } else {
                NO_SCOPE.to_string()
            };
            (scope, name.clone().unwrap_or_default(), NodeKind::Filter)
        } else {
            let Some(kind) = self.table.section_kind(&parent_scope, ty) else {
                return Err(LineError::at(
                    format!("Unknown setting: {}{ty} {{ {ty}", self.unknown_path()),
                    key_span,
                ));
            };
            let scope = if parent_scope.is_empty() {
                ty.to_string()
            } else {
                format!("{parent_scope}/{ty}")
            };
            let (id, kind) = match kind {
                SectionKind::StrList | SectionKind::Obsolete => (String::new(), NodeKind::StrList),
                SectionKind::Merge => (
                    name.clone().unwrap_or_else(|| self.next_unnamed()),
                    NodeKind::Merge,
                ),
                SectionKind::List => {
                    let id = name.clone().unwrap_or_else(|| self.next_unnamed());
                    (id, NodeKind::List)
                }
            };
            (scope, id, kind)
        };
        let map_key = (ty.to_string(), id.clone());
        let existing = self.nodes[cur].child_index.get(&map_key).copied();
        let node = match existing {
            Some(n) if kind != NodeKind::List => n,
            Some(_) => {
                return Err(LineError::at(
                    format!("{ty}/{id} already exists"),
                    header.span,
                ));
            }
            None => {
                let n = self.nodes.len();
                let mut node = Node::new(ty, name, Some(header), scope);
                node.kind = kind;
                if kind == NodeKind::List {
                    // doveconf sorts list entries by their index as a string.
                    let same = self.nodes[cur]
                        .children
                        .iter()
                        .filter(|&&c| self.nodes[c].ty == ty)
                        .count();
                    node.list_index = Some(same);
                }
                self.nodes.push(node);
                self.nodes[cur].children.push(n);
                self.nodes[cur].child_index.insert(map_key, n);
                n
            }
        };
        self.stack.push(Frame {
            node,
            opened_at: (path.to_string(), line_no),
        });
        Ok(())
    }

    /// Filter nesting rules and address syntax (spec §1.4).
    fn check_filter(&self, ty: &str, arg: &str, span: Span) -> Result<(), LineError> {
        let enclosing: Vec<&Node> = self.stack[1..]
            .iter()
            .map(|f| &self.nodes[f.node])
            .filter(|n| n.is_filter())
            .collect();
        let has = |t: &str| enclosing.iter().any(|n| n.ty == t);
        let msg = match ty {
            "protocol" if has("protocol") => Some("Nested protocol { protocol { .. } } block not allowed".to_string()),
            "local" if has("protocol") => Some("protocol { local { .. } } not allowed (use local { protocol { .. } } instead)".into()),
            "remote" if has("protocol") => Some("protocol { remote { .. } } not allowed (use remote { protocol { .. } } instead)".into()),
            "local_name" if has("protocol") => Some("protocol { local_name { .. } } not allowed (use local_name { protocol { .. } } instead)".into()),
            "local" if has("remote") => Some("remote { local { .. } } not allowed (use local { remote { .. } } instead)".into()),
            "local_name" if has("remote") => Some("remote { local_name { .. } } not allowed (use local_name { remote { .. } } instead)".into()),
            "local" if has("local_name") => Some("local_name { local { .. } } not allowed (use local { local_name { .. } } instead)".into()),
            _ => None,
        };
        if let Some(m) = msg {
            return Err(LineError::at(m, span));
        }
        if ty == "local" || ty == "remote" {
            let net = values::parse_net(arg).map_err(|m| LineError::at(m, span))?;
            if let Some(outer) = enclosing.iter().rev().find(|n| n.ty == ty)
                && let Ok(outer_net) = values::parse_net(outer.name.as_deref().unwrap_or(""))
                && !outer_net.contains(&net)
            {
                return Err(LineError::at(
                    format!("{ty} net1 {{ {ty} net2 {{ .. }} }} requires net2 to be inside net1"),
                    span,
                ));
            }
        }
        Ok(())
    }

    fn include(&mut self, path: &str, pattern: &str, try_: bool) -> Result<(), LineError> {
        if !self.includes {
            return Err(LineError::new(
                "!include is not available for in-memory configuration text",
            ));
        }
        // Relative patterns are joined to the including file's directory
        // as strings, exactly as Dovecot builds them (no canonicalisation).
        let full = if pattern.starts_with('/') {
            pattern.to_string()
        } else {
            match path.rfind('/') {
                Some(i) => format!("{}/{pattern}", &path[..i]),
                None => pattern.to_string(),
            }
        };
        let matches = include::expand_glob(&full);
        if matches.is_empty() {
            if try_ {
                return Ok(());
            }
            return Err(LineError::new("No matches"));
        }
        for m in matches {
            if self.include_stack.iter().any(|(p, _)| *p == m) {
                return Err(LineError::new(format!("Recursive include file: {m}")));
            }
            let canon = std::fs::canonicalize(&m).ok();
            // Dovecot compares path strings only, so `d/../a.conf` loops
            // forever until the path gets too long. Canonical paths catch
            // every loop.
            if let Some(c) = &canon
                && let Some((first, _)) = self
                    .include_stack
                    .iter()
                    .find(|(_, pc)| pc.as_ref() == Some(c))
            {
                return Err(LineError::new(format!(
                    "Recursive include file: {m} (the same file as {first})"
                )));
            }
            if self.include_stack.len() >= self.limits.max_include_depth {
                return Err(LineError::new(format!(
                    "Includes nested deeper than {} levels at {m}",
                    self.limits.max_include_depth
                )));
            }
            if self.files_read >= self.limits.max_files {
                return Err(LineError::new(format!(
                    "More than {} include files read; refusing {m}",
                    self.limits.max_files
                )));
            }
            let budget = self
                .limits
                .max_total_bytes
                .saturating_sub(self.bytes_read.get());
            let text = if Path::new(&m).is_dir() {
                // Reading a directory fails and Dovecot treats it as empty.
                Vec::new()
            } else {
                match read_file(Path::new(&m), budget) {
                    Ok(t) => t,
                    Err(_) if try_ => continue,
                    Err(e) => {
                        return Err(LineError::new(format!(
                            "Couldn't open include file {m}: {e}"
                        )));
                    }
                }
            };
            self.parse_file(m, canon, text).map_err(|e| LineError {
                message: format!("\0{}", e.fatal),
                span: None,
                inner_origin: e.origin,
                help: e.help,
            })?;
        }
        Ok(())
    }

    fn set(
        &mut self,
        file: FileId,
        path: &str,
        line: &LogicalLine,
        key: String,
        key_origin: Origin,
        vrange: std::ops::Range<usize>,
    ) -> Result<(), LineError> {
        let cur = self.cur();
        let key_span = key_origin.span;
        // Where the setting goes: `plugin/x = v` at any level means the
        // plugin block of that level.
        let (target, key) = if self.nodes[cur].kind != NodeKind::StrList
            && let Some(rest) = key.strip_prefix("plugin/")
        {
            (self.plugin_child(cur, key_origin), rest.to_string())
        } else {
            (cur, key)
        };
        let is_plugin = self.nodes[target].kind == NodeKind::StrList;
        let (def, key) = if is_plugin {
            if key.contains('/') {
                // `plugin/x/y = v` names the whole path.
                let prefix = if target == cur {
                    self.unknown_path()
                } else {
                    format!("{}{}/", self.unknown_path(), self.nodes[target].ty)
                };
                return Err(LineError::at(
                    format!("Unknown setting: {prefix}{key}"),
                    key_span,
                ));
            }
            (None, key)
        } else {
            let scope = self.nodes[self.scope_node()].scope.clone();
            match self.table.resolve(&scope, &key) {
                Some(KeyDef::Setting(d)) => (Some(d), key),
                // An alias is stored under the setting's real name.
                Some(KeyDef::Alias(d)) => (Some(d), d.key.clone()),
                Some(KeyDef::Obsolete(text)) => {
                    self.obsolete_warning(path, line.line, text, key_origin);
                    return Ok(());
                }
                None => {
                    let mut e = LineError::at(
                        format!("Unknown setting: {}{key}", self.unknown_path()),
                        key_span,
                    );
                    e.help = self
                        .table
                        .suggest(&scope, &key)
                        .map(|s| format!("did you mean `{s}`?"));
                    return Err(e);
                }
            }
        };
        // doveconf warns before it looks at the value.
        let in_filter = self.in_filter(&["protocol", "local", "remote", "local_name"]);
        if !is_plugin {
            let line_no = line.line;
            if in_filter {
                self.filter_keys
                    .entry(key.clone())
                    .or_insert_with(|| (path.to_string(), line_no));
            } else if let Some((ff, fl)) = self.filter_keys.get(&key) {
                self.warnings.push(ConfWarning {
                    message: format!(
                        "{path} line {line_no}: Global setting {key} won't change the setting inside an earlier filter at {ff} line {fl} (if this is intentional, avoid this warning by moving the global setting before {ff} line {fl})"
                    ),
                    origin: key_origin,
                });
            }
        }
        let value = self.make_value(file, path, line, target, &key, is_plugin, vrange)?;
        if let Some(d) = def
            && value.checkable
        {
            values::check_type(d, &value.value.bytes)
                .map_err(|m| LineError::at(m, value.value.origin.span))?;
        }
        // Checked after the value's type, as Dovecot does.
        if !is_plugin
            && self.in_filter(&["local", "remote", "local_name"])
            && values::is_auth_setting(&key)
        {
            return Err(LineError::at(
                format!("Auth settings not supported inside local/remote blocks: {key}"),
                key_span,
            ));
        }
        // Last assignment wins, at the key's first position: the list
        // merges duplicates.
        let hash = self.keys.hash(key.as_bytes());
        // No more assignments than lines can follow in this file.
        let room = self
            .files
            .get(file)
            .line_index
            .line_count()
            .saturating_sub(line.line);
        self.nodes[target].settings.push(
            hash,
            Setting {
                key,
                key_origin,
                value: value.value,
            },
            room,
        );
        Ok(())
    }

    /// doveconf's two warnings for a removed setting; the value is ignored.
    fn obsolete_warning(&mut self, path: &str, line: usize, text: &str, origin: Origin) {
        if !self.warned_obsolete {
            self.warned_obsolete = true;
            self.warnings.push(ConfWarning {
                message: "NOTE: You can get a new clean config file with: doveconf -Pn > dovecot-new.conf".into(),
                origin,
            });
        }
        self.warnings.push(ConfWarning {
            message: format!("Obsolete setting in {path}:{line}: {text}"),
            origin,
        });
    }

    fn plugin_child(&mut self, parent: usize, origin: Origin) -> usize {
        let k = ("plugin".to_string(), String::new());
        if let Some(&n) = self.nodes[parent].child_index.get(&k) {
            return n;
        }
        let n = self.nodes.len();
        self.nodes
            .push(Node::new("plugin", None, Some(origin), "plugin".into()));
        self.nodes[parent].children.push(n);
        self.nodes[parent].child_index.insert(k, n);
        n
    }

    /// The current value of `key` as seen from `node`: this section, then
    /// its enclosing sections as parsed so far, then the default.
    fn current_value(&self, node: usize, key: &str) -> Option<Vec<u8>> {
        let chain: Vec<usize> = self
            .stack
            .iter()
            .map(|f| f.node)
            .chain(std::iter::once(node))
            .collect();
        for &n in chain.iter().rev() {
            let nd = &self.nodes[n];
            if let Some(s) = nd.settings.latest(self.keys.hash(key.as_bytes()), key) {
                return Some(s.value.bytes.clone());
            }
        }
        let scope = &self.nodes[self.scope_node()].scope;
        self.table
            .lookup(scope, key)
            .or_else(|| self.table.lookup("", key))
            .map(|d| d.default.clone().into_bytes())
    }

    #[allow(clippy::too_many_arguments)]
    fn make_value(
        &self,
        file: FileId,
        path: &str,
        line: &LogicalLine,
        node: usize,
        key: &str,
        is_plugin: bool,
        vr: std::ops::Range<usize>,
    ) -> Result<MadeValue, LineError> {
        let t = &line.text;
        let raw = &t[vr.clone()];
        let whole = Origin {
            file,
            span: Self::span(line, vr.clone()),
        };
        let mut b = values::ValueBuilder::new(file, whole);
        // `<file`
        if raw.first() == Some(&b'<') {
            let skip = 1 + raw[1..].iter().take_while(|&&c| is_white(c)).count();
            let fname = &raw[skip..];
            if self.mode == ExpandMode::Literal {
                b.push_generated(b"<");
                for p in line.runs(vr.start + skip, vr.end) {
                    b.push_run(&t[p.line_start..p.line_start + p.len], p.file_offset);
                }
                return Ok(MadeValue {
                    value: b.finish(),
                    checkable: false,
                });
            }
            let fname_s = String::from_utf8_lossy(fname).into_owned();
            let full = value_file_path(path, &fname_s);
            let internal = self.internal_key(node, key);
            if !self.includes {
                return Err(LineError::at(
                    format!(
                        "{internal}: <file values are not available for in-memory configuration text"
                    ),
                    whole.span,
                ));
            }
            // `<file` contents share the byte budget with included files,
            // so `key = </dev/zero` cannot take more than the rest of it.
            let budget = self
                .limits
                .max_total_bytes
                .saturating_sub(self.bytes_read.get());
            let data = read_file(Path::new(&full), budget).map_err(|e| {
                LineError::at(
                    format!("{internal}: Can't open file {fname_s}: {e}"),
                    whole.span,
                )
            })?;
            self.bytes_read
                .set(self.bytes_read.get() + data.len() as u64);
            b.push_generated(&data);
            return Ok(MadeValue {
                value: b.finish(),
                checkable: true,
            });
        }
        let quoted_start = matches!(raw.first(), Some(b'"' | b'\''));
        if !quoted_start && memchr::memchr(b'$', raw).is_some() {
            let mut checkable = true;
            let mut first = true;
            for (s, e) in values::dollar_tokens(raw) {
                if !first {
                    b.push_generated(b" ");
                }
                first = false;
                let tok = &raw[s..e];
                let runs = |b: &mut values::ValueBuilder| {
                    for p in line.runs(vr.start + s, vr.start + e) {
                        b.push_run(&t[p.line_start..p.line_start + p.len], p.file_offset);
                    }
                };
                let Some(name) = tok.strip_prefix(b"$") else {
                    runs(&mut b);
                    continue;
                };
                let name_s = String::from_utf8_lossy(name).into_owned();
                let tok_span = Self::span(line, vr.start + s..vr.start + e);
                if name_s == key {
                    // Plugin entries cannot be referenced, but a plugin key
                    // named like a real setting gets that setting's value.
                    let cur = if is_plugin {
                        self.current_value_any(node, &name_s).ok_or_else(|| {
                            LineError::at(format!("Unknown variable: ${name_s}"), tok_span)
                        })?
                    } else {
                        self.current_value(node, key).unwrap_or_default()
                    };
                    self.charge_expansion(&name_s, cur.len(), tok_span)?;
                    b.push_generated_at(&cur, tok_span.start);
                    continue;
                }
                if self.mode == ExpandMode::Literal {
                    checkable = false;
                    runs(&mut b);
                    continue;
                }
                if let Some(env) = name_s.strip_prefix("ENV:") {
                    let v = std::env::var_os(env).unwrap_or_default();
                    self.charge_expansion(&name_s, v.len(), tok_span)?;
                    b.push_generated_at(v.as_encoded_bytes(), tok_span.start);
                    continue;
                }
                // Plugin entries cannot be referenced.
                let v = self.current_value_any(node, &name_s).ok_or_else(|| {
                    LineError::at(format!("Unknown variable: ${name_s}"), tok_span)
                })?;
                self.charge_expansion(&name_s, v.len(), tok_span)?;
                b.push_generated_at(&v, tok_span.start);
            }
            return Ok(MadeValue {
                value: b.finish(),
                checkable,
            });
        }
        let q = raw.first().copied();
        if !raw.is_empty() && matches!(q, Some(b'"' | b'\'')) && raw.last() == q.as_ref() {
            // Fully quoted: drop the outer quotes and remove backslashes.
            let inner_start = vr.start + 1;
            let inner_end = if raw.len() >= 2 {
                vr.end - 1
            } else {
                inner_start
            };
            // Runs between backslashes are copied whole; a backslash is
            // dropped and the byte after it starts the next run.
            let mut start = inner_start;
            while start < inner_end {
                let end =
                    memchr::memchr(b'\\', &t[start..inner_end]).map_or(inner_end, |k| start + k);
                for p in line.runs(start, end) {
                    b.push_run(&t[p.line_start..p.line_start + p.len], p.file_offset);
                }
                if end >= inner_end {
                    break;
                }
                // Keep the escaped byte (even a backslash) as the next run's
                // first byte.
                if end + 1 < inner_end {
                    for p in line.runs(end + 1, end + 2) {
                        b.push_run(&t[p.line_start..p.line_start + p.len], p.file_offset);
                    }
                }
                start = end + 2;
            }
            return Ok(MadeValue {
                value: b.finish(),
                checkable: true,
            });
        }
        for p in line.runs(vr.start, vr.end) {
            b.push_run(&t[p.line_start..p.line_start + p.len], p.file_offset);
        }
        Ok(MadeValue {
            value: b.finish(),
            checkable: true,
        })
    }

    /// Count the bytes a `$name` reference copies against their own
    /// budget. Without it a few lines of
    /// `mail_plugins = $mail_plugins $mail_plugins` double a value until
    /// memory runs out (a fuzz find: 1.2 KB of config took 4.7 GB and 33 s).
    /// Real configurations copy kilobytes this way.
    fn charge_expansion(&self, name: &str, len: usize, at: Span) -> Result<(), LineError> {
        let total = self.bytes_expanded.get().saturating_add(len as u64);
        if total > self.limits.max_expanded_bytes {
            return Err(LineError::at(
                format!(
                    "${name}: expanding references takes the configuration past {} MiB",
                    self.limits.max_expanded_bytes >> 20
                ),
                at,
            ));
        }
        self.bytes_expanded.set(total);
        Ok(())
    }

    /// `$name` in expanding mode: any non-plugin setting visible from here.
    fn current_value_any(&self, node: usize, name: &str) -> Option<Vec<u8>> {
        if self.nodes[node].ty == "plugin" {
            // Look up in the enclosing (non-plugin) sections instead.
            let parent = self
                .stack
                .iter()
                .rev()
                .map(|f| f.node)
                .find(|&n| self.nodes[n].ty != "plugin")?;
            return self.current_value_any(parent, name);
        }
        self.current_value(node, name)
    }

    /// The key Dovecot names in `<file` errors: `plugin/0/secret`.
    fn internal_key(&self, node: usize, key: &str) -> String {
        let n = &self.nodes[node];
        match n.ty.as_str() {
            "" => key.to_string(),
            "plugin" => format!("plugin/0/{key}"),
            ty => format!("{ty}/{}/{key}", n.name.as_deref().unwrap_or("0")),
        }
    }
}

struct MadeValue {
    value: Value,
    /// False when the value still holds an unexpanded `$var` or `<file`,
    /// which Dovecot does not type-check in non-expanding mode.
    checkable: bool,
}

/// Bytes as a String, invalid UTF-8 replaced. Keys are nearly always
/// valid: `from_utf8`'s check is much faster than the lossy scan.
fn lossy_string(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// Read a whole file, refusing more than `limit` bytes.
pub(crate) fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let f = std::fs::File::open(path).map_err(|e| strerror(&e))?;
    let too_large = || format!("File too large (over {limit} bytes in all)");
    // A regular file's size is known: refuse before reading any of it,
    // and read it into one allocation of the right size.
    let mut size = 0;
    if let Ok(m) = f.metadata()
        && m.is_file()
    {
        if m.len() > limit {
            return Err(too_large());
        }
        size = m.len();
    }
    // One byte more, so reading to the end needs no second allocation.
    let mut buf = Vec::with_capacity(usize::try_from(size).map_or(0, |s| s.saturating_add(1)));
    f.take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| strerror(&e))?;
    if buf.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(buf)
}

/// Where `key = <fname` reads from: an absolute name as is, a relative one
/// in the directory of the including file's path as constructed (the
/// linter resolves fs values the same way).
pub(crate) fn value_file_path(including: &str, fname: &str) -> String {
    if fname.starts_with('/') {
        return fname.to_string();
    }
    match including.rfind('/') {
        Some(i) => format!("{}/{fname}", &including[..i]),
        None => fname.to_string(),
    }
}

/// The C library's text for an I/O error, without Rust's "(os error N)".
pub(crate) fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
