//! `dictmap:DICT_URI ; PARENT [; PARAMS]` (Pro): maps lib-fs paths to dict
//! (Cassandra) keys. The parent is a whole chain of its own.
use super::{FsChain, Spanned};
use crate::source::Span;
use serde::Serialize;

/// The documented dictmap parameters (spec §2.6). `dict-prefix` appears
/// only in examples.
pub const DICTMAP_PARAMS: &[&str] = &[
    "refcounting-table",
    "lockdir",
    "diff-table",
    "delete-dangling-links",
    "bucket-size",
    "bucket-cache",
    "bucket-deleted-days",
    "nlinks-limit",
    "delete-timestamp",
    "storage-objectid-prefix",
    "storage-passthrough-paths",
    "storage-objectid-migrate",
    "max-parallel-iter",
    "cleanup-uncertain",
    "no-cleanup-uncertain",
    "dict-prefix",
];

#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct DictMap {
    pub dict_uri: Spanned<String>,
    pub parent: Box<FsChain>,
    pub params: Vec<DictMapParam>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DictMapParam {
    pub name: Spanned<String>,
    pub value: Option<Spanned<String>>,
    #[serde(serialize_with = "super::ser_span")]
    pub span: Span,
    pub known: bool,
}

/// Debug output hides secrets in the dict URI (`…:password=…`).
impl std::fmt::Debug for DictMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DictMap")
            .field(
                "dict_uri",
                &crate::secrets::redact_text(&self.dict_uri.value),
            )
            .field("parent", &self.parent)
            .field("params", &self.params)
            .finish()
    }
}

impl DictMap {
    pub fn param(&self, name: &str) -> Option<&DictMapParam> {
        self.params.iter().rev().find(|p| p.name.value == name)
    }
}
