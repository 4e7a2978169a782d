//! The parsed chain: wrapper layers outermost first, then the backend.
use super::Spanned;
use super::addressing::{Addressing, AwsHost, Signing};
use super::dictmap::DictMap;
use super::layer::{Layer, LayerKind};
use super::posix::Posix;
use super::url::{HIDDEN, HttpUrl};
use crate::source::Span;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FsChain {
    pub layers: Vec<Layer>,
    pub backend: Backend,
    /// The whole chain inside `parse`'s input.
    #[serde(serialize_with = "super::ser_span")]
    pub span: Span,
}

/// The driver that ends the `:`-splitting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "backend", rename_all = "kebab-case")]
pub enum Backend {
    Http(HttpStorage),
    Posix {
        driver: Spanned<String>,
        posix: Posix,
    },
    Dict(DictStorage),
    DictMap {
        driver: Spanned<String>,
        dictmap: DictMap,
    },
    /// Dovecot's internal unit-test driver.
    Test {
        driver: Spanned<String>,
    },
    /// Only in lenient parsing: a driver name nobody knows. `url` is set
    /// when its arguments read as an http(s) URL (e.g. `https` as driver).
    Unknown {
        driver: Spanned<String>,
        url: Option<HttpUrl>,
        #[serde(serialize_with = "super::ser_span")]
        args_span: Span,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HttpDriver {
    S3,
    AwsS3,
    Sproxyd,
    Scality,
    Azure,
    Swift,
}

impl HttpDriver {
    pub fn from_name(n: &str) -> Option<Self> {
        Some(match n {
            "s3" => HttpDriver::S3,
            "aws-s3" => HttpDriver::AwsS3,
            "sproxyd" => HttpDriver::Sproxyd,
            "scality" => HttpDriver::Scality,
            "azure" => HttpDriver::Azure,
            "swift" => HttpDriver::Swift,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            HttpDriver::S3 => "s3",
            HttpDriver::AwsS3 => "aws-s3",
            HttpDriver::Sproxyd => "sproxyd",
            HttpDriver::Scality => "scality",
            HttpDriver::Azure => "azure",
            HttpDriver::Swift => "swift",
        }
    }
    pub fn is_s3(self) -> bool {
        matches!(self, HttpDriver::S3 | HttpDriver::AwsS3)
    }
}

/// Parameters `aws-s3` adds on its own (spec §3.3).
pub const AWS_S3_IMPLIED: &[(&str, &str)] = &[
    ("addhdrvar", "x-amz-security-token:%{auth:token}"),
    ("loghdr", "x-amz-request-id"),
    ("loghdr", "x-amz-id-2"),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpStorage {
    pub driver: Spanned<String>,
    pub kind: HttpDriver,
    pub url: HttpUrl,
    /// S3 and Azure only.
    pub addressing: Option<Addressing>,
    /// S3 drivers only.
    pub signing: Option<Signing>,
    /// Set when the host is an `amazonaws.com` endpoint.
    pub aws_host: Option<AwsHost>,
    /// Parameters the driver adds itself (aws-s3).
    pub implied_params: Vec<(String, String)>,
}

#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct DictStorage {
    pub driver: Spanned<String>,
    /// `raw`, `hex` or `base64`.
    pub encoding: Spanned<String>,
    pub dict_uri: Spanned<String>,
}

/// Debug output hides secrets in the dict URI (`redis:…:password=…`).
impl std::fmt::Debug for DictStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DictStorage")
            .field("driver", &self.driver)
            .field("encoding", &self.encoding)
            .field(
                "dict_uri",
                &crate::secrets::redact_text(&self.dict_uri.value),
            )
            .finish()
    }
}

impl FsChain {
    /// Layers of this chain and, through dictmap, of its parent chain,
    /// outermost first.
    pub fn all_layers(&self) -> Vec<&Layer> {
        let mut v: Vec<&Layer> = self.layers.iter().collect();
        if let Backend::DictMap { dictmap, .. } = &self.backend {
            v.extend(dictmap.parent.all_layers());
        }
        v
    }

    /// The final storage backend (through dictmap).
    pub fn storage(&self) -> &Backend {
        match &self.backend {
            Backend::DictMap { dictmap, .. } => dictmap.parent.storage(),
            b => b,
        }
    }

    pub fn dictmap(&self) -> Option<&DictMap> {
        match &self.backend {
            Backend::DictMap { dictmap, .. } => Some(dictmap),
            _ => None,
        }
    }

    /// The HTTP storage at the end of the chain, if any.
    pub fn http(&self) -> Option<&HttpStorage> {
        match self.storage() {
            Backend::Http(h) => Some(h),
            _ => None,
        }
    }

    pub fn find_layer(&self, pred: impl Fn(&LayerKind) -> bool) -> Option<&Layer> {
        self.all_layers().into_iter().find(|l| pred(&l.kind))
    }

    /// Replace every credential (URL userinfo, credential headers, crypt
    /// `password=`, `password=` in dict URIs) by doveconf's hidden marker,
    /// for output without `-P`.
    pub fn redact(&mut self) {
        for l in &mut self.layers {
            if let LayerKind::Crypt(c) = &mut l.kind {
                for kv in &mut c.params {
                    if kv.is_secret() {
                        kv.value.value = HIDDEN.into();
                    }
                }
            }
        }
        match &mut self.backend {
            Backend::Http(h) => h.url.redact(),
            Backend::Unknown { url: Some(u), .. } => u.redact(),
            Backend::DictMap { dictmap, .. } => {
                dictmap.dict_uri.value = crate::secrets::redact_text(&dictmap.dict_uri.value);
                for p in &mut dictmap.params {
                    if let Some(v) = &mut p.value {
                        v.value = crate::secrets::redact_text(&v.value);
                    }
                }
                dictmap.parent.redact()
            }
            Backend::Dict(d) => {
                d.dict_uri.value = crate::secrets::redact_text(&d.dict_uri.value);
            }
            _ => {}
        }
    }

    /// Driver names from the outside in (`fscache`, `compress`, `aws-s3`).
    pub fn driver_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .layers
            .iter()
            .map(|l| l.driver.value.as_str())
            .collect();
        match &self.backend {
            Backend::Http(h) => v.push(&h.driver.value),
            Backend::Posix { driver, .. }
            | Backend::Test { driver }
            | Backend::Unknown { driver, .. } => v.push(&driver.value),
            Backend::Dict(d) => v.push(&d.driver.value),
            Backend::DictMap { driver, dictmap } => {
                v.push(&driver.value);
                v.extend(dictmap.parent.driver_names());
            }
        }
        v
    }
}
