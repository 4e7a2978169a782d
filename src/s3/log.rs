//! The `-v` request log: one line per request on stderr, shaped like
//! Dovecot's http-client debug line so it can be matched with server logs.
//! URLs in it never carry userinfo, and signatures live in headers, which
//! are not logged.
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Where request lines go (stderr, when enabled).
#[derive(Debug, Default)]
pub struct RequestLog {
    enabled: bool,
    next_id: AtomicU64,
    loghdr: Vec<String>,
}

/// How an attempt ended.
pub enum Outcome<'a> {
    Response {
        status: u16,
        reason: &'a str,
        headers: &'a [(String, String)],
    },
    Failed {
        code: u16,
        detail: &'a str,
    },
}

impl RequestLog {
    pub fn new(enabled: bool, loghdr: &[String]) -> Self {
        let mut hdrs = vec!["x-amz-request-id".to_string(), "x-amz-id-2".to_string()];
        for h in loghdr {
            if !hdrs.iter().any(|x| x.eq_ignore_ascii_case(h)) {
                hdrs.push(h.to_ascii_lowercase());
            }
        }
        RequestLog {
            enabled,
            next_id: AtomicU64::new(1),
            loghdr: hdrs,
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// A fresh request id. One logical request keeps its id across its
    /// attempts (Dovecot prints `[ReqN: …]` once per request and counts
    /// the attempts), so a retried request reads as one in the log.
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Log one attempt of request `id` (from [`next_id`](Self::next_id)).
    /// `conn` is `host:port` connected to, `url` the request URL (no
    /// credentials).
    #[allow(clippy::too_many_arguments)]
    pub fn attempt(
        &self,
        id: u64,
        conn: &str,
        method: &str,
        url: &str,
        outcome: Outcome<'_>,
        took: Duration,
        attempt: u32,
    ) {
        if !self.enabled {
            return;
        }
        let ms = took.as_millis();
        let line = match outcome {
            Outcome::Response {
                status,
                reason,
                headers,
            } => {
                let logged: Vec<String> = self
                    .loghdr
                    .iter()
                    .filter_map(|h| {
                        headers
                            .iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case(h))
                            .map(|(_, v)| format!("{h}:{v}"))
                    })
                    .collect();
                let hdrs = if logged.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", logged.join(", "))
                };
                format!(
                    "http-client: conn {conn}: Got {status} response for request [Req{id}: {method} {url}]: {reason}{hdrs} (took {ms} ms, attempt {attempt})"
                )
            }
            Outcome::Failed { code, detail } => format!(
                "http-client: conn {conn}: Request [Req{id}: {method} {url}] failed: {code} {detail} (took {ms} ms, attempt {attempt})"
            ),
        };
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

/// The reason phrase for common statuses (the wire's phrase is not kept).
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        416 => "Range Not Satisfiable",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}
