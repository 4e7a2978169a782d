//! Typed errors of the S3 layer. Nothing here ever holds a secret: URLs are
//! kept without userinfo, and credential errors name sources, not values.
use std::fmt;
use std::ops::Range;

/// What is wrong with a storage URL or one of its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointErrorKind {
    /// Not `http://` or `https://`.
    Scheme,
    /// The userinfo holds a character that must be `%XX`-encoded.
    UserinfoChar(char),
    /// A `%` not followed by two hex digits.
    BadPercent,
    /// Empty host, bad port, unclosed IPv6 bracket.
    Host(String),
    /// No `bucket=` and the host has no bucket label (an IP, a single label).
    NoBucket,
    /// A parameter value that does not parse.
    Param { name: String, why: String },
    /// An `--endpoint` override that is not `http[s]://host[:port][/]`.
    Override(String),
}

/// An error in a storage URL; `span` is a byte range of the URL string
/// (offsets only, so it never copies the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointError {
    pub span: Range<usize>,
    pub kind: EndpointErrorKind,
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EndpointErrorKind::*;
        match &self.kind {
            Scheme => write!(f, "storage URL must start with http:// or https://"),
            UserinfoChar(c) => write!(
                f,
                "character {c:?} in the URL's user:password must be percent-encoded (e.g. / as %2F, %%2F in dovecot.conf)"
            ),
            BadPercent => write!(
                f,
                "bad percent-encoding in the storage URL (at byte {})",
                self.span.start
            ),
            Host(why) => write!(f, "bad host in storage URL: {why}"),
            NoBucket => write!(
                f,
                "no bucket: add ?bucket=NAME (path-style) or use a host name whose first label is the bucket (virtual-hosted)"
            ),
            Param { name, why } => write!(f, "URL parameter {name}: {why}"),
            Override(why) => write!(f, "--endpoint: {why}"),
        }
    }
}

impl std::error::Error for EndpointError {}

/// What went wrong with a request.
#[derive(Debug)]
pub enum S3ErrorKind {
    /// The server answered with an error status.
    Http {
        status: u16,
        code: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
    },
    /// No usable response: Dovecot's internal codes 9000-9008 (9003
    /// connect failed, 9005 connection lost, 9007 bad response, 9008 timed out…).
    Transport { code: u16, detail: String },
    /// TLS refused the server (untrusted or invalid certificate, failed
    /// handshake) or the trust store could not be set up; never retried.
    /// Dovecot reports these as 9003 connect failures.
    Tls(String),
    /// The body did not match its length or ETag (Dovecot: 9006 broken payload).
    Integrity(String),
    /// No credentials from any source; lists each source and why it failed.
    Credentials(Vec<String>),
    /// The instance metadata service failed.
    Imds(String),
    /// A local file or pipe failed while sending or receiving.
    Local(std::io::Error),
    /// A response body we could not understand.
    Protocol(String),
}

/// An S3 request failure, with the operation and key it was for.
#[derive(Debug)]
pub struct S3Error {
    pub method: &'static str,
    pub key: Option<String>,
    pub attempts: u32,
    /// Boxed: errors travel in every `Result` of the client.
    pub kind: Box<S3ErrorKind>,
}

impl S3Error {
    pub fn new(method: &'static str, key: Option<&str>, kind: S3ErrorKind) -> Self {
        S3Error {
            method,
            key: key.map(str::to_owned),
            attempts: 1,
            kind: Box::new(kind),
        }
    }

    /// The HTTP status (or the 9xxx transport code) for exit reporting.
    pub fn status(&self) -> Option<u16> {
        match &*self.kind {
            S3ErrorKind::Http { status, .. } => Some(*status),
            S3ErrorKind::Transport { code, .. } => Some(*code),
            S3ErrorKind::Integrity(_) => Some(9006),
            S3ErrorKind::Tls(_) => Some(9003),
            _ => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(*self.kind, S3ErrorKind::Http { status: 404, .. })
    }
}

impl fmt::Display for S3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.method)?;
        match self.key.as_deref() {
            // A listing of everything under the URL's own path.
            Some("") => write!(f, " (everything)")?,
            Some(k) => write!(f, " {k}")?,
            None => {}
        }
        write!(f, ": ")?;
        match &*self.kind {
            S3ErrorKind::Http {
                status,
                code,
                message,
                request_id,
            } => {
                write!(f, "{status}")?;
                match (code.as_deref(), *status) {
                    (Some(c), _) => write!(f, " {c}")?,
                    (None, 404) => write!(f, " Not Found")?,
                    (None, 403) => write!(f, " Forbidden")?,
                    _ => {}
                }
                if let Some(m) = message {
                    write!(f, ": {m}")?;
                }
                if *status == 403 && code.as_deref() == Some("SignatureDoesNotMatch") {
                    write!(f, " (wrong secret key?)")?;
                }
                if let Some(r) = request_id {
                    write!(f, " (x-amz-request-id:{r})")?;
                }
            }
            S3ErrorKind::Transport { code, detail } => write!(f, "{code} {detail}")?,
            S3ErrorKind::Integrity(why) => write!(f, "9006 broken payload: {why}")?,
            S3ErrorKind::Tls(why) => write!(f, "9003 {why}")?,
            S3ErrorKind::Credentials(tried) => {
                write!(f, "no usable credentials; tried: {}", tried.join("; "))?
            }
            S3ErrorKind::Imds(why) => write!(f, "instance metadata service: {why}")?,
            S3ErrorKind::Local(e) => write!(f, "{e}")?,
            S3ErrorKind::Protocol(why) => write!(f, "unexpected response: {why}")?,
        }
        if self.attempts > 1 {
            write!(f, " (after {} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for S3Error {}
