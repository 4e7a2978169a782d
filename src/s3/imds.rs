//! IMDSv2 role credentials: `PUT /latest/api/token` with a TTL header, then
//! `GET /latest/meta-data/iam/security-credentials/<role>` with the token.
use super::credentials::{Credentials, Secret};
use super::error::{S3Error, S3ErrorKind};
use super::http::{Body, HttpRequest, Timeouts, Transport};
use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The token lifetime asked for (the maximum IMDS allows).
pub const TOKEN_TTL_SECS: u64 = 21600;

/// A client for one role on one metadata endpoint.
pub struct Imds {
    transport: Transport,
    host: String,
    role: String,
    token: Mutex<Option<(String, Instant)>>,
}

/// The session token is a credential: Debug says only whether one is held.
impl std::fmt::Debug for Imds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let held = self
            .token
            .lock()
            .map(|t| t.is_some())
            .unwrap_or_else(|p| p.into_inner().is_some());
        f.debug_struct("Imds")
            .field("host", &self.host)
            .field("role", &self.role)
            .field("token", &if held { "<redacted>" } else { "<none>" })
            .finish()
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RoleCreds {
    access_key_id: String,
    secret_access_key: String,
    token: Option<String>,
    expiration: Option<String>,
}

fn err(why: impl Into<String>) -> S3Error {
    S3Error::new("IMDS", None, S3ErrorKind::Imds(why.into()))
}

impl Imds {
    pub fn new(transport: Transport, host: &str, role: &str) -> Self {
        Imds {
            transport,
            host: host.to_string(),
            role: role.to_string(),
            token: Mutex::new(None),
        }
    }

    /// One IMDS request; a failed connection or a cut-off answer is tried
    /// again twice (50 ms, then 500 ms later), as Dovecot's HTTP client
    /// retries transport failures. HTTP statuses are returned as they are.
    fn call(
        &self,
        method: &'static str,
        path: &str,
        headers: Vec<(String, String)>,
    ) -> Result<(u16, String), S3Error> {
        let mut delay = Duration::from_millis(50);
        let mut attempt = 0;
        loop {
            match self.call_once(method, path, headers.clone()) {
                Err(e) if attempt < 2 => {
                    let _ = e;
                    attempt += 1;
                    std::thread::sleep(delay);
                    delay *= 10;
                }
                other => return other,
            }
        }
    }

    fn call_once(
        &self,
        method: &'static str,
        path: &str,
        headers: Vec<(String, String)>,
    ) -> Result<(u16, String), S3Error> {
        let t = Duration::from_secs(5);
        let req = HttpRequest {
            method,
            url: format!("http://{}{path}", self.host),
            headers,
            body: Body::Empty,
            timeouts: Timeouts {
                connect: t,
                response: t,
                global: Some(Duration::from_secs(15)),
            },
        };
        let resp = self
            .transport
            .send(req)
            .map_err(|e| err(format!("{} {}", e.code, e.detail)))?;
        let mut text = String::new();
        resp.body
            .take(64 * 1024)
            .read_to_string(&mut text)
            .map_err(|e| err(format!("reading answer: {e}")))?;
        Ok((resp.status, text))
    }

    /// A session token, reused until 90% of its lifetime has passed.
    fn token(&self, force_new: bool) -> Result<String, S3Error> {
        let mut slot = self.token.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((t, until)) = slot.as_ref()
            && !force_new
            && Instant::now() < *until
        {
            return Ok(t.clone());
        }
        let (status, body) = self.call(
            "PUT",
            "/latest/api/token",
            vec![(
                "X-aws-ec2-metadata-token-ttl-seconds".into(),
                TOKEN_TTL_SECS.to_string(),
            )],
        )?;
        if status != 200 {
            return Err(err(format!("token request got HTTP {status}")));
        }
        let token = body.trim().to_string();
        if token.is_empty() {
            return Err(err("empty session token"));
        }
        *slot = Some((
            token.clone(),
            Instant::now() + Duration::from_secs(TOKEN_TTL_SECS * 9 / 10),
        ));
        Ok(token)
    }

    /// Fetch the role's current keys. A 401 means the session token
    /// expired early (or was revoked): get a new one and try once more.
    pub fn fetch(&self) -> Result<Credentials, S3Error> {
        let path = format!("/latest/meta-data/iam/security-credentials/{}", self.role);
        let mut force = false;
        for _ in 0..2 {
            let token = self.token(force)?;
            let (status, body) = self.call(
                "GET",
                &path,
                vec![("X-aws-ec2-metadata-token".into(), token)],
            )?;
            match status {
                200 => return parse_creds(&body),
                401 => force = true,
                404 => return Err(err(format!("role '{}' not found", self.role))),
                s => return Err(err(format!("credentials request got HTTP {s}"))),
            }
        }
        Err(err("session token rejected twice (HTTP 401)"))
    }
}

fn parse_creds(body: &str) -> Result<Credentials, S3Error> {
    let rc: RoleCreds =
        serde_json::from_str(body).map_err(|e| err(format!("bad credentials JSON: {e}")))?;
    let expires = match rc.expiration.as_deref() {
        Some(s) => Some(parse_iso8601(s).ok_or_else(|| err(format!("bad Expiration '{s}'")))?),
        None => None,
    };
    Ok(Credentials::new(
        rc.access_key_id,
        Secret::new(rc.secret_access_key),
        rc.token.filter(|t| !t.is_empty()).map(Secret::new),
        expires,
        "IMDSv2",
    ))
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]Z` (what IMDS sends) as a time.
pub fn parse_iso8601(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || !s.ends_with('Z')
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    // Days from 1970-01-01 (Howard Hinnant's civil-from-days inverse).
    let y2 = if mo <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + h * 3600 + mi * 60 + se;
    u64::try_from(secs)
        .ok()
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_session_token() {
        let imds = Imds::new(
            Transport::new(&Default::default(), 1).unwrap(),
            "127.0.0.1:9",
            "role",
        );
        *imds.token.lock().unwrap() = Some(("TOKSEKRIT".into(), Instant::now()));
        let shown = format!("{imds:?}");
        assert!(!shown.contains("TOKSEKRIT"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn iso8601() {
        let t = parse_iso8601("2026-11-28T19:14:01Z").unwrap();
        assert_eq!(
            t.duration_since(UNIX_EPOCH).unwrap().as_secs(),
            1_795_893_241
        );
        assert!(parse_iso8601("2026-13-28T19:14:01Z").is_none());
        let c = parse_creds(r#"{"AccessKeyId":"a","SecretAccessKey":"s","Token":"t","Expiration":"2030-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(c.session_token.unwrap().expose(), "t");
    }
}
