//! A storage URL as it stands at the end of an fs chain after %-expansion
//! (`https://KEY:SECRET@bucket.s3.region.amazonaws.com/prefix/?region=…`),
//! turned into what the client needs: where to connect, which bucket and
//! addressing style, the key prefix, the signing version and parameters.
//!
//! `--endpoint` override semantics: for path-style URLs the override simply
//! replaces scheme, host and port (requests go there and carry its Host).
//! For virtual-hosted URLs the bucket lives in the Host name, so the Host
//! header and the signature keep the URL's host, and only the TCP/TLS
//! connection goes to the override, like `curl --connect-to`. (For https the
//! certificate is then checked against the override's name.)
use super::credentials::{Credentials, Secret};
use super::encode::{key_path, percent_decode};
use super::error::{EndpointError, EndpointErrorKind};
use super::params::Params;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// How the bucket is named in requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Addressing {
    /// `bucket=NAME`: `https://host/NAME/key`.
    Path { bucket: String },
    /// The host's first label: `https://NAME.s3.region.amazonaws.com/key`.
    VirtualHost { bucket: String },
}

/// The signature version: `region=` selects SigV4, otherwise SigV2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    V2,
    V4 { region: String },
}

/// Where connections go when it is not the URL's own host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectTo {
    pub scheme: Scheme,
    pub host: String,
    pub port: u16,
}

/// A parsed storage URL. `Debug` is safe to print: credentials redact
/// themselves.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub scheme: Scheme,
    /// Host as written (IPv6 keeps its brackets).
    pub host: String,
    pub port: Option<u16>,
    pub addressing: Addressing,
    /// The URL path without its leading `/`, percent-decoded: every key
    /// the client touches is this prefix plus the user's key.
    pub prefix: String,
    pub signing: Signing,
    pub params: Params,
    /// From the URL's userinfo, if it had a user name.
    pub credentials: Option<Credentials>,
    /// Set by an `--endpoint` override on a virtual-hosted URL.
    pub connect_to: Option<ConnectTo>,
}

/// Characters Dovecot's URL parser accepts inside userinfo.
fn userinfo_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:%".contains(c)
}

impl Endpoint {
    /// Parse a storage URL. A leading `s3:` or `aws-s3:` driver name is
    /// accepted and dropped, so a chain's last element can be passed as is.
    pub fn parse(url: &str) -> Result<Endpoint, EndpointError> {
        let mut base = 0;
        for drv in ["s3:", "aws-s3:"] {
            if url.len() > drv.len() && url[..drv.len()].eq_ignore_ascii_case(drv) {
                base = drv.len();
            }
        }
        // Dovecot's docs show `s3: https://…` with a space; tolerate it.
        base += url[base..].len() - url[base..].trim_start().len();
        let rest = &url[base..];
        let lower = rest.get(..8).unwrap_or(rest).to_ascii_lowercase();
        let (scheme, skip) = if lower.starts_with("https://") {
            (Scheme::Https, 8)
        } else if lower.starts_with("http://") {
            (Scheme::Http, 7)
        } else {
            return Err(EndpointError {
                span: base..url.len(),
                kind: EndpointErrorKind::Scheme,
            });
        };
        let a0 = base + skip;
        let after = &url[a0..];
        let auth_len = after.find(['/', '?', '#']).unwrap_or(after.len());
        let authority = &after[..auth_len];
        let path_end = after[auth_len..]
            .find(['?', '#'])
            .map_or(after.len(), |i| auth_len + i);
        let path = &after[auth_len..path_end];
        let query = match after[path_end..].strip_prefix('?') {
            Some(q) => q.split('#').next().unwrap_or(""),
            None => "",
        };
        let q0 = a0 + path_end + 1;

        // Userinfo ends at the first '@' (which itself is not allowed in it).
        let (userinfo, hostport, h0) = match authority.find('@') {
            Some(i) => (Some(&authority[..i]), &authority[i + 1..], a0 + i + 1),
            None => (None, authority, a0),
        };
        let credentials = match userinfo {
            None => None,
            Some(ui) => {
                if let Some((i, c)) = ui.char_indices().find(|&(_, c)| !userinfo_char(c)) {
                    return Err(EndpointError {
                        span: a0 + i..a0 + i + c.len_utf8(),
                        kind: EndpointErrorKind::UserinfoChar(c),
                    });
                }
                let (user, pass) = match ui.split_once(':') {
                    Some((u, p)) => (u, p),
                    None => (ui, ""),
                };
                let dec = |s: &str, off: usize| {
                    percent_decode(s)
                        .map_err(|i| EndpointError {
                            span: off + i..off + i + 1,
                            kind: EndpointErrorKind::BadPercent,
                        })
                        .and_then(|v| {
                            String::from_utf8(v).map_err(|_| EndpointError {
                                span: off..off + s.len(),
                                kind: EndpointErrorKind::Host(
                                    "userinfo is not UTF-8 after decoding".into(),
                                ),
                            })
                        })
                };
                let user = dec(user, a0)?;
                let pass = dec(pass, a0 + ui.len() - pass.len())?;
                if user.is_empty() {
                    None
                } else {
                    Some(Credentials::new(
                        user,
                        Secret::new(pass),
                        None,
                        None,
                        "URL userinfo",
                    ))
                }
            }
        };
        let (host, port) = split_host_port(hostport).map_err(|why| EndpointError {
            span: h0..h0 + hostport.len(),
            kind: EndpointErrorKind::Host(why),
        })?;
        let prefix_bytes =
            percent_decode(path.trim_start_matches('/')).map_err(|i| EndpointError {
                span: a0 + auth_len + i..a0 + auth_len + i + 1,
                kind: EndpointErrorKind::BadPercent,
            })?;
        let prefix = String::from_utf8(prefix_bytes).map_err(|_| EndpointError {
            span: a0 + auth_len..a0 + path_end,
            kind: EndpointErrorKind::Host("URL path is not UTF-8 after decoding".into()),
        })?;
        let params = Params::parse(query, q0)?;
        let addressing = match &params.bucket {
            Some(b) => Addressing::Path { bucket: b.clone() },
            None => match vhost_bucket(&host) {
                Some(b) => Addressing::VirtualHost {
                    bucket: b.to_string(),
                },
                None => {
                    return Err(EndpointError {
                        span: h0..h0 + hostport.len(),
                        kind: EndpointErrorKind::NoBucket,
                    });
                }
            },
        };
        let signing = match &params.region {
            Some(r) => Signing::V4 { region: r.clone() },
            None => Signing::V2,
        };
        Ok(Endpoint {
            scheme,
            host,
            port,
            addressing,
            prefix,
            signing,
            params,
            credentials,
            connect_to: None,
        })
    }

    /// Apply `--endpoint URL` (see the module docs for the Host semantics).
    pub fn with_override(mut self, url: &str) -> Result<Endpoint, EndpointError> {
        let bad = |why: &str| EndpointError {
            span: 0..url.len(),
            kind: EndpointErrorKind::Override(why.into()),
        };
        let (scheme, rest) = if let Some(r) = url.strip_prefix("https://") {
            (Scheme::Https, r)
        } else if let Some(r) = url.strip_prefix("http://") {
            (Scheme::Http, r)
        } else {
            return Err(bad("must start with http:// or https://"));
        };
        let hostport = rest.trim_end_matches('/');
        if hostport.contains(['/', '?', '@', '#']) {
            return Err(bad("must be just scheme://host[:port]"));
        }
        let (host, port) = split_host_port(hostport).map_err(|w| bad(&w))?;
        match self.addressing {
            Addressing::Path { .. } => {
                self.scheme = scheme;
                self.host = host;
                self.port = port;
                self.connect_to = None;
            }
            Addressing::VirtualHost { .. } => {
                self.connect_to = Some(ConnectTo {
                    scheme,
                    host,
                    port: port.unwrap_or(scheme.default_port()),
                });
            }
        }
        Ok(self)
    }

    pub fn bucket(&self) -> &str {
        match &self.addressing {
            Addressing::Path { bucket } | Addressing::VirtualHost { bucket } => bucket,
        }
    }

    /// The Host header (and the host that is signed): port only when it
    /// is not the scheme's default.
    pub fn host_header(&self) -> String {
        match self.port {
            Some(p) if p != self.scheme.default_port() => format!("{}:{p}", self.host),
            _ => self.host.clone(),
        }
    }

    /// `scheme://host[:port]` of the URL itself (what gets signed).
    pub fn signed_base(&self) -> String {
        format!("{}://{}", self.scheme.as_str(), self.host_header())
    }

    /// `scheme://host:port` the connection goes to.
    pub fn connect_base(&self) -> String {
        match &self.connect_to {
            Some(c) => format!("{}://{}:{}", c.scheme.as_str(), c.host, c.port),
            None => self.signed_base(),
        }
    }

    /// The prefix plus a user key: the key as stored in the bucket.
    pub fn full_key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    /// Undo [`Endpoint::full_key`] for listed keys.
    pub fn relative_key<'a>(&self, full: &'a str) -> &'a str {
        full.strip_prefix(self.prefix.as_str()).unwrap_or(full)
    }

    /// The encoded request path for an object, or for the bucket itself
    /// (`None`). Bucket-level path-style requests end in `/` so SigV2's
    /// canonical resource is the same whichever way a server reads it.
    pub fn request_path(&self, full_key: Option<&str>) -> String {
        let k = full_key.map(key_path).unwrap_or_default();
        match &self.addressing {
            Addressing::Path { bucket } => format!("/{}/{k}", key_path(bucket)),
            Addressing::VirtualHost { .. } => format!("/{k}"),
        }
    }

    /// SigV2's canonical resource for a request path: the bucket is added
    /// in front for virtual-hosted requests.
    pub fn sigv2_resource_path(&self, path: &str) -> String {
        match &self.addressing {
            Addressing::Path { .. } => path.to_string(),
            Addressing::VirtualHost { bucket } => format!("/{bucket}{path}"),
        }
    }
}

/// The URL without its userinfo, for logs and messages.
impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.signed_base(), key_path(&self.prefix))?;
        if let Addressing::Path { bucket } = &self.addressing {
            write!(f, "?bucket={bucket}")?;
        }
        Ok(())
    }
}

fn split_host_port(s: &str) -> Result<(String, Option<u16>), String> {
    let (host, port) = if let Some(r) = s.strip_prefix('[') {
        let end = r.find(']').ok_or("unclosed [ in IPv6 address")?;
        let after = &r[end + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err("junk after IPv6 address".into()),
        };
        (format!("[{}]", &r[..end]), port)
    } else {
        match s.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (s.to_string(), None),
        }
    };
    if host.is_empty() || host == "[]" {
        return Err("empty host".into());
    }
    if let Some(c) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._[]:".contains(*c)))
    {
        return Err(format!("character {c:?} is not allowed in a host name"));
    }
    let port = match port {
        None => None,
        Some(p) => Some(
            p.parse::<u16>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| format!("bad port '{p}'"))?,
        ),
    };
    Ok((host, port))
}

/// The bucket of a virtual-hosted name: its first label, when the host is
/// a DNS name with more than one label.
fn vhost_bucket(host: &str) -> Option<&str> {
    if host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return None;
    }
    let (first, rest) = host.split_once('.')?;
    (!first.is_empty() && !rest.is_empty()).then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_vhost_url() {
        let e = Endpoint::parse(
            "https://AK:SEC%2FRET@bucket.s3.eu-central-1.amazonaws.com/?region=eu-central-1&max_retries=3",
        )
        .unwrap();
        assert_eq!(
            e.addressing,
            Addressing::VirtualHost {
                bucket: "bucket".into()
            }
        );
        assert_eq!(
            e.signing,
            Signing::V4 {
                region: "eu-central-1".into()
            }
        );
        let c = e.credentials.as_ref().unwrap();
        assert_eq!(c.access_key, "AK");
        assert_eq!(c.secret_key.expose(), "SEC/RET");
        assert_eq!(e.params.max_retries, 3);
        assert_eq!(e.request_path(Some("a b/c")), "/a%20b/c");
        assert_eq!(e.host_header(), "bucket.s3.eu-central-1.amazonaws.com");
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("SEC"), "{shown}");
    }

    #[test]
    fn path_style_with_prefix_and_override() {
        let e = Endpoint::parse(
            "s3:http://AK:SK@127.0.0.1:8014/b5%2F899/user@x/fts/?bucket=testbucket",
        )
        .unwrap();
        assert_eq!(e.bucket(), "testbucket");
        assert_eq!(e.signing, Signing::V2);
        assert_eq!(e.prefix, "b5/899/user@x/fts/");
        assert_eq!(e.request_path(None), "/testbucket/");
        assert_eq!(
            e.request_path(Some(&e.full_key("k"))),
            "/testbucket/b5/899/user%40x/fts/k"
        );
        let o = e.with_override("http://10.0.0.1:9000").unwrap();
        assert_eq!(o.host_header(), "10.0.0.1:9000");
        let v = Endpoint::parse("http://AK:SK@b.s3.local:8014/")
            .unwrap()
            .with_override("http://127.0.0.1:8014/")
            .unwrap();
        assert_eq!(v.host_header(), "b.s3.local:8014");
        assert_eq!(v.connect_base(), "http://127.0.0.1:8014");
        assert_eq!(v.sigv2_resource_path("/"), "/b/");
    }

    #[test]
    fn rejects_bad_urls() {
        assert!(matches!(
            Endpoint::parse("ftp://x/").unwrap_err().kind,
            EndpointErrorKind::Scheme
        ));
        assert!(matches!(
            Endpoint::parse("http://127.0.0.1:8014/").unwrap_err().kind,
            EndpointErrorKind::NoBucket
        ));
        assert!(matches!(
            Endpoint::parse("http://a:b c@h.x/").unwrap_err().kind,
            EndpointErrorKind::UserinfoChar(' ')
        ));
        assert!(matches!(
            Endpoint::parse("http://a:b%zz@h.x/").unwrap_err().kind,
            EndpointErrorKind::BadPercent
        ));
        assert!(Endpoint::parse("http://h.x:99999/").is_err());
    }
}
