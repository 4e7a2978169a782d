//! Wrapper layers: drivers that take positional arguments and hand the
//! rest of the string to their parent.
use super::Spanned;
use super::compress::CompressAlgo;
use super::size::Size;
use crate::source::Span;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layer {
    pub driver: Spanned<String>,
    /// The driver name and its own arguments (not the parent).
    #[serde(serialize_with = "super::ser_span")]
    pub span: Span,
    pub kind: LayerKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "layer", rename_all = "kebab-case")]
pub enum LayerKind {
    FtsCache,
    FsCache(FsCache),
    Compress(Compress),
    Crypt(Crypt),
    Metawrap,
    Sis,
    SisQueue { queue_dir: Spanned<String> },
    RandomFail(RandomFail),
}

/// `fscache:SIZE:PATH:` (Pro).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FsCache {
    pub size_raw: Spanned<String>,
    pub size: Size,
    /// A local directory; may contain %-variables (`%4Nu` splits it).
    pub path: Spanned<String>,
}

/// `compress:[maybe-]ALGO:LEVEL:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compress {
    pub maybe: bool,
    pub algo: CompressAlgo,
    pub algo_span: Spanned<String>,
    pub level: Spanned<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CryptFlavor {
    Crypt,
    MailCrypt,
}

/// `crypt:`/`mail-crypt:` with `KEY=VALUE:` items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Crypt {
    pub flavor: CryptFlavor,
    pub params: Vec<KeyValue>,
}

#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct KeyValue {
    pub key: Spanned<String>,
    pub value: Spanned<String>,
}

impl KeyValue {
    /// `password=` values are secrets, and so is anything named like one
    /// (an inline `private_key=`, a `secret=`); `*_key_path=` names a file.
    pub fn is_secret(&self) -> bool {
        let k = self.key.value.to_ascii_lowercase();
        k.contains("password")
            || k.contains("secret")
            || k.contains("token")
            || k == "key"
            || k.ends_with("_key")
            || k.ends_with("-key")
    }
}

/// Debug output never shows a secret value.
impl std::fmt::Debug for KeyValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("KeyValue");
        d.field("key", &self.key);
        if self.is_secret() {
            d.field("value", &super::url::HIDDEN)
        } else {
            d.field("value", &self.value)
        }
        .finish()
    }
}

/// `randomfail:K=V[,K=V…]:` (test only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RandomFail {
    pub params: Vec<KeyValue>,
}
