//! The `?name=value&…` parameters of an HTTP storage URL, with Dovecot's
//! defaults. Unknown names are kept (the linter reports them); the client
//! ignores them.
use super::error::{EndpointError, EndpointErrorKind};
use std::ops::Range;
use std::time::Duration;

/// Default IMDS endpoint (`auth_host`).
pub const DEFAULT_AUTH_HOST: &str = "169.254.169.254:80";

/// Every parameter the client acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub region: Option<String>,
    pub bucket: Option<String>,
    pub auth_role: Option<String>,
    pub auth_host: String,
    pub max_retries: u32,
    pub read_max_retries: Option<u32>,
    pub write_max_retries: Option<u32>,
    pub delete_max_retries: Option<u32>,
    pub max_connect_retries: u32,
    pub timeout: Duration,
    pub connect_timeout: Option<Duration>,
    pub read_timeout: Option<Duration>,
    pub write_timeout: Option<Duration>,
    pub delete_timeout: Option<Duration>,
    pub absolute_timeout: Option<Duration>,
    pub slow_warn: Duration,
    pub bulk_delete_limit: u32,
    /// `addhdr=Name:Value`, in order.
    pub addhdr: Vec<(String, String)>,
    /// `addhdrvar=Name:%{var}`; the value is expanded per request.
    pub addhdrvar: Vec<(String, String)>,
    /// `loghdr=Name`: response headers added to the request log.
    pub loghdr: Vec<String>,
    pub no_trace_headers: bool,
    pub reason_header_max_length: u32,
    /// Names the client does not know, with their values, in order.
    pub unknown: Vec<(String, Option<String>)>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            region: None,
            bucket: None,
            auth_role: None,
            auth_host: DEFAULT_AUTH_HOST.into(),
            max_retries: 4,
            read_max_retries: None,
            write_max_retries: None,
            delete_max_retries: None,
            max_connect_retries: 2,
            timeout: Duration::from_secs(10),
            connect_timeout: None,
            read_timeout: None,
            write_timeout: None,
            delete_timeout: None,
            absolute_timeout: None,
            slow_warn: Duration::from_secs(5),
            bulk_delete_limit: 1000,
            addhdr: Vec::new(),
            addhdrvar: Vec::new(),
            loghdr: Vec::new(),
            no_trace_headers: false,
            reason_header_max_length: 0,
            unknown: Vec::new(),
        }
    }
}

/// Which retry/timeout family a request belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Read,
    Write,
    Delete,
}

impl Params {
    pub fn retries_for(&self, op: OpKind) -> u32 {
        match op {
            OpKind::Read => self.read_max_retries,
            OpKind::Write => self.write_max_retries,
            OpKind::Delete => self.delete_max_retries,
        }
        .unwrap_or(self.max_retries)
    }

    pub fn timeout_for(&self, op: OpKind) -> Duration {
        match op {
            OpKind::Read => self.read_timeout,
            OpKind::Write => self.write_timeout,
            OpKind::Delete => self.delete_timeout,
        }
        .unwrap_or(self.timeout)
    }

    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout.unwrap_or(self.timeout)
    }

    /// Parse the query part. `base` is the byte offset of `query` in the
    /// whole URL, for error spans.
    pub fn parse(query: &str, base: usize) -> Result<Params, EndpointError> {
        let mut p = Params::default();
        let mut at = base;
        for item in query.split('&') {
            let span = at..at + item.len();
            at += item.len() + 1;
            if item.is_empty() {
                continue;
            }
            let (name, value) = match item.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (item, None),
            };
            p.set(name, value, span)?;
        }
        Ok(p)
    }

    fn set(
        &mut self,
        name: &str,
        value: Option<&str>,
        span: Range<usize>,
    ) -> Result<(), EndpointError> {
        let err = |why: String| EndpointError {
            span: span.clone(),
            kind: EndpointErrorKind::Param {
                name: name.into(),
                why,
            },
        };
        let v = value.unwrap_or("");
        let uint = || {
            v.parse::<u32>()
                .map_err(|_| err(format!("'{v}' is not an unsigned number")))
        };
        let time = || parse_time_msecs(v).map_err(&err);
        let msecs = || {
            v.parse::<u64>()
                .map(Duration::from_millis)
                .map_err(|_| err(format!("'{v}' is not a number of milliseconds")))
        };
        let header = || match v.split_once(':') {
            Some((n, val)) if !n.is_empty() => Ok((n.trim().to_string(), val.trim().to_string())),
            _ => Err(err(format!("'{v}' is not NAME:VALUE"))),
        };
        match name {
            "region" => self.region = Some(v.to_string()).filter(|s| !s.is_empty()),
            "bucket" => self.bucket = Some(v.to_string()).filter(|s| !s.is_empty()),
            "auth_role" => self.auth_role = Some(v.to_string()).filter(|s| !s.is_empty()),
            "auth_host" => {
                if v.is_empty() {
                    return Err(err("empty host".into()));
                }
                self.auth_host = v.to_string()
            }
            "max_retries" => self.max_retries = uint()?,
            "read_max_retries" => self.read_max_retries = Some(uint()?),
            "write_max_retries" => self.write_max_retries = Some(uint()?),
            "delete_max_retries" => self.delete_max_retries = Some(uint()?),
            "max_connect_retries" => self.max_connect_retries = uint()?,
            "timeout" => self.timeout = time()?,
            "timeout_msecs" => self.timeout = msecs()?,
            "connect_timeout" => self.connect_timeout = Some(time()?),
            "connect_timeout_msecs" => self.connect_timeout = Some(msecs()?),
            "read_timeout" => self.read_timeout = Some(time()?),
            "read_timeout_msecs" => self.read_timeout = Some(msecs()?),
            "write_timeout" => self.write_timeout = Some(time()?),
            "write_timeout_msecs" => self.write_timeout = Some(msecs()?),
            "delete_timeout" => self.delete_timeout = Some(time()?),
            "delete_timeout_msecs" => self.delete_timeout = Some(msecs()?),
            "absolute_timeout" => self.absolute_timeout = Some(time()?),
            "absolute_timeout_msecs" => self.absolute_timeout = Some(msecs()?),
            "slow_warn" => self.slow_warn = time()?,
            "slow_warn_msecs" => self.slow_warn = msecs()?,
            "bulk_delete_limit" => self.bulk_delete_limit = uint()?,
            "addhdr" => self.addhdr.push(header()?),
            "addhdrvar" => self.addhdrvar.push(header()?),
            "loghdr" => self.loghdr.push(v.to_string()),
            "no_trace_headers" => self.no_trace_headers = v != "0",
            "reason_header_max_length" => self.reason_header_max_length = uint()?,
            _ => self
                .unknown
                .push((name.to_string(), value.map(str::to_string))),
        }
        Ok(())
    }
}

/// Parse a Dovecot `time_msecs` value: a number followed by a unit (`ms`,
/// `s`, `min`, `h`, `d`, `w` and their long forms). A plain number is only
/// accepted when it is 0, as Dovecot 2.3 insists on a unit.
pub fn parse_time_msecs(s: &str) -> Result<Duration, String> {
    // One parser for Dovecot's time syntax: the fs-chain layer's.
    crate::fs_chain::parse_time_msecs(s.trim())
        .map(Duration::from_millis)
        .map_err(|e| format!("'{s}': {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_defaults() {
        assert_eq!(
            parse_time_msecs("500ms").unwrap(),
            Duration::from_millis(500)
        );
        assert_eq!(parse_time_msecs("2 min").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_time_msecs("0").unwrap(), Duration::ZERO);
        assert!(parse_time_msecs("10").is_err());
        assert!(parse_time_msecs("1.5s").is_err());
        let p = Params::parse(
            "region=eu-central-1&timeout_msecs=2500&max_retries=3&addhdr=X-A:b:c&use_listing",
            0,
        )
        .unwrap();
        assert_eq!(p.region.as_deref(), Some("eu-central-1"));
        assert_eq!(p.timeout, Duration::from_millis(2500));
        assert_eq!(p.connect_timeout(), Duration::from_millis(2500));
        assert_eq!(p.retries_for(OpKind::Write), 3);
        assert_eq!(p.addhdr, vec![("X-A".to_string(), "b:c".to_string())]);
        assert_eq!(p.unknown, vec![("use_listing".to_string(), None)]);
        let e = Params::parse("region=x&max_retries=lots", 10).unwrap_err();
        assert_eq!(e.span, 19..35);
    }
}
