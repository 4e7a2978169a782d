//! Access keys and where they come from: the URL's userinfo, then IMDSv2
//! when `auth_role` is set, then the AWS_* environment variables. Secret
//! values redact themselves in `Debug` and never implement `Display`.
use super::endpoint::Endpoint;
use super::error::{S3Error, S3ErrorKind};
use super::http::Transport;
use super::imds::Imds;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// A secret string. Read it with [`Secret::expose`] only where it is used.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One set of keys.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key: String,
    pub secret_key: Secret,
    /// STS session token (sent as `x-amz-security-token`).
    pub session_token: Option<Secret>,
    pub expires: Option<SystemTime>,
    /// Where they came from, for messages.
    pub source: &'static str,
}

impl Credentials {
    pub fn new(
        access_key: String,
        secret_key: Secret,
        session_token: Option<Secret>,
        expires: Option<SystemTime>,
        source: &'static str,
    ) -> Self {
        Credentials {
            access_key,
            secret_key,
            session_token,
            expires,
            source,
        }
    }

    /// True when the keys expire within `margin`.
    pub fn expires_within(&self, margin: Duration) -> bool {
        self.expires
            .is_some_and(|t| t <= SystemTime::now() + margin)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &self.secret_key)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires", &self.expires)
            .field("source", &self.source)
            .finish()
    }
}

/// Refresh IMDS keys this long before they expire. AWS rotates role keys
/// well ahead of expiry, so a few minutes is safe, but never more than half
/// of a short lifetime (test stubs hand out keys valid for seconds).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// Hands out current credentials, refreshing IMDS ones before they expire.
#[derive(Debug)]
pub enum CredentialProvider {
    Static(Credentials),
    Imds {
        imds: Imds,
        cached: Mutex<Option<(Credentials, Duration)>>,
    },
}

impl CredentialProvider {
    /// Pick the first source that works, in Dovecot-compatible order.
    /// `env` is the environment lookup (injected for tests).
    pub fn resolve(
        ep: &Endpoint,
        transport: &Transport,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<CredentialProvider, S3Error> {
        let mut tried = Vec::new();
        match &ep.credentials {
            Some(c) => return Ok(CredentialProvider::Static(c.clone())),
            None => tried.push("URL userinfo: none given".to_string()),
        }
        if let Some(role) = &ep.params.auth_role {
            let imds = Imds::new(transport.clone(), &ep.params.auth_host, role);
            match imds.fetch() {
                Ok(c) => {
                    let life = lifetime(&c);
                    return Ok(CredentialProvider::Imds {
                        imds,
                        cached: Mutex::new(Some((c, life))),
                    });
                }
                Err(e) => tried.push(format!(
                    "IMDSv2 role {role} at {}: {e}",
                    ep.params.auth_host
                )),
            }
        } else {
            tried.push("IMDSv2: no auth_role parameter".to_string());
        }
        let ak = env("AWS_ACCESS_KEY_ID").filter(|s| !s.is_empty());
        let sk = env("AWS_SECRET_ACCESS_KEY").filter(|s| !s.is_empty());
        match (ak, sk) {
            (Some(ak), Some(sk)) => {
                let token = env("AWS_SESSION_TOKEN")
                    .filter(|s| !s.is_empty())
                    .map(Secret::new);
                return Ok(CredentialProvider::Static(Credentials::new(
                    ak,
                    Secret::new(sk),
                    token,
                    None,
                    "environment",
                )));
            }
            (Some(_), None) => tried.push("environment: AWS_SECRET_ACCESS_KEY unset".into()),
            (None, _) => tried.push("environment: AWS_ACCESS_KEY_ID unset".into()),
        }
        Err(S3Error::new("AUTH", None, S3ErrorKind::Credentials(tried)))
    }

    /// The credentials to sign the next request with.
    pub fn current(&self) -> Result<Credentials, S3Error> {
        match self {
            CredentialProvider::Static(c) => Ok(c.clone()),
            CredentialProvider::Imds { imds, cached } => {
                let mut slot = cached.lock().unwrap_or_else(|p| p.into_inner());
                if let Some((c, life)) = slot.as_ref() {
                    let margin = REFRESH_MARGIN.min(*life / 2);
                    if !c.expires_within(margin) {
                        return Ok(c.clone());
                    }
                }
                let c = imds.fetch()?;
                let life = lifetime(&c);
                *slot = Some((c.clone(), life));
                Ok(c)
            }
        }
    }

    /// Whether fresh keys can be fetched (IMDS): only then is a request
    /// refused with ExpiredToken worth sending again.
    pub fn refreshable(&self) -> bool {
        matches!(self, CredentialProvider::Imds { .. })
    }

    /// Forget cached IMDS keys (after the server said they expired).
    pub fn invalidate(&self) {
        if let CredentialProvider::Imds { cached, .. } = self {
            *cached.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
    }
}

fn lifetime(c: &Credentials) -> Duration {
    c.expires
        .and_then(|t| t.duration_since(SystemTime::now()).ok())
        .unwrap_or(Duration::from_secs(3600))
}
