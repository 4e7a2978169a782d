//! The HTTP transport. ureq and rustls are used here and nowhere else; the
//! rest of the crate sees plain requests, responses and Dovecot-style
//! transport error codes.
use super::tls::{TlsConnector, TlsSettings};
use std::io::{self, Read};
use std::time::{Duration, Instant};

/// Timeouts for one attempt.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    /// Waiting for the response head, and for each read of the body (a
    /// stall, not the whole transfer, so big objects are not cut off).
    pub response: Duration,
    /// What is left of `absolute_timeout`, if set.
    pub global: Option<Duration>,
}

/// A request body.
pub enum Body<'a> {
    Empty,
    Bytes(&'a [u8]),
    /// Exactly `len` bytes will be read from `reader`.
    Reader {
        reader: &'a mut (dyn Read + Send),
        len: u64,
    },
}

/// One request as it goes on the wire.
pub struct HttpRequest<'a> {
    pub method: &'static str,
    /// Full URL to connect to, path and query already encoded.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body<'a>,
    pub timeouts: Timeouts,
}

/// A response whose body is still to be read.
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Guarded against trickling (see [`TrickleGuard`]).
    pub body: Box<dyn Read + Send>,
    /// When the head arrived plus the response timeout: small bodies
    /// (XML answers, error documents) must be complete by then.
    pub small_body_deadline: Instant,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// No response: Dovecot's 9000-range codes plus a description.
#[derive(Debug, Clone)]
pub struct TransportError {
    pub code: u16,
    pub detail: String,
    /// Retrying cannot help (an untrusted certificate): fail at once.
    pub fatal: bool,
}

/// Dovecot's internal HTTP client codes (lib-http).
pub mod codes {
    pub const ABORTED: u16 = 9000;
    pub const INVALID_URL: u16 = 9001;
    pub const HOST_LOOKUP_FAILED: u16 = 9002;
    pub const CONNECT_FAILED: u16 = 9003;
    pub const CONNECTION_LOST: u16 = 9005;
    pub const BROKEN_PAYLOAD: u16 = 9006;
    pub const BAD_RESPONSE: u16 = 9007;
    pub const TIMED_OUT: u16 = 9008;
}

/// Classify an I/O error that happened while reading a response body.
pub fn body_error(e: &io::Error) -> TransportError {
    let code = match e.kind() {
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => codes::TIMED_OUT,
        _ => codes::CONNECTION_LOST,
    };
    TransportError {
        code,
        detail: e.to_string(),
        fatal: false,
    }
}

/// A shareable connection pool (clone it freely across threads).
#[derive(Clone)]
pub struct Transport {
    agent: ureq::Agent,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transport")
    }
}

impl Transport {
    /// `tls`: whom to trust for https (see [`super::tls`]). `pool`: idle
    /// connections kept per host (one per worker).
    pub fn new(tls: &TlsSettings, pool: usize) -> io::Result<Transport> {
        use ureq::unversioned::transport::{ConnectProxyConnector, Connector, TcpConnector};
        // Fail early on an unreadable --ca-file rather than at the first request.
        if tls.ca_file.is_some() || tls.ca_dir.is_some() {
            super::tls::root_store(tls)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .no_delay(true)
            .user_agent(concat!("obox-cli/", env!("CARGO_PKG_VERSION")))
            .max_idle_connections(pool.max(4) * 2)
            .max_idle_connections_per_host(pool.max(4))
            .build();
        // The chain of ureq's default connector, with our TLS step (which
        // trusts webpki + system roots and explains certificate failures).
        let connector =
            ().chain(ConnectProxyConnector::default())
                .chain(TcpConnector::default())
                .chain(TlsConnector::new(tls.clone()));
        let agent = ureq::Agent::with_parts(config, connector, LookupResolver::default());
        Ok(Transport { agent })
    }

    /// Send one request and return the response head (body unread).
    pub fn send(&self, req: HttpRequest<'_>) -> Result<HttpResponse, TransportError> {
        let mut b = ureq::http::Request::builder()
            .method(req.method)
            .uri(&req.url);
        for (k, v) in &req.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let t = req.timeouts;
        fn configure<S: ureq::AsSendBody>(
            agent: &ureq::Agent,
            r: ureq::http::Request<S>,
            t: Timeouts,
        ) -> ureq::http::Request<S> {
            agent
                .configure_request(r)
                .timeout_connect(Some(t.connect))
                .timeout_recv_response(Some(t.response))
                .timeout_per_read(Some(t.response))
                .timeout_per_write(Some(t.response))
                .timeout_global(t.global)
                .build()
        }
        let bad = |e: ureq::http::Error| TransportError {
            code: codes::INVALID_URL,
            detail: e.to_string(),
            fatal: false,
        };
        let result = match req.body {
            Body::Empty => self
                .agent
                .run(configure(&self.agent, b.body(()).map_err(bad)?, t)),
            Body::Bytes(bytes) => {
                self.agent
                    .run(configure(&self.agent, b.body(bytes).map_err(bad)?, t))
            }
            Body::Reader { reader, len } => {
                let body = ureq::SendBody::from_reader(reader);
                let r = b
                    .header("content-length", len.to_string())
                    .body(body)
                    .map_err(bad)?;
                self.agent.run(configure(&self.agent, r, t))
            }
        };
        let resp = result.map_err(map_error)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = Box::new(TrickleGuard::new(
            resp.into_body().into_reader(),
            t.response,
        ));
        Ok(HttpResponse {
            status,
            headers,
            body,
            small_body_deadline: Instant::now() + t.response,
        })
    }
}

/// Bytes a response body must deliver in every `timeout` period (or
/// finish). The per-read timeout alone only catches a silent server: one
/// that sends a byte now and then would keep a transfer (and retries)
/// going for ever. 16 KiB per period is far below any working link
/// (1.6 KiB/s with the default 10 s timeout), far above a trickle.
pub const MIN_BYTES_PER_TIMEOUT: u64 = 16 * 1024;

/// Fails a body read with `TimedOut` (Dovecot's 9008, so it is retried)
/// when a whole `timeout` period went by with fewer than
/// [`MIN_BYTES_PER_TIMEOUT`] bytes.
pub struct TrickleGuard<R> {
    inner: R,
    period: Duration,
    period_start: Instant,
    period_bytes: u64,
}

impl<R> TrickleGuard<R> {
    pub fn new(inner: R, period: Duration) -> Self {
        TrickleGuard {
            inner,
            period,
            period_start: Instant::now(),
            period_bytes: 0,
        }
    }
}

impl<R: Read> Read for TrickleGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.period_bytes += n as u64;
        let now = Instant::now();
        if n > 0 && now.duration_since(self.period_start) >= self.period {
            if self.period_bytes < MIN_BYTES_PER_TIMEOUT {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "response body trickling: {} bytes in {} ms (at least {} KiB per timeout period expected)",
                        self.period_bytes,
                        now.duration_since(self.period_start).as_millis(),
                        MIN_BYTES_PER_TIMEOUT / 1024
                    ),
                ));
            }
            self.period_start = now;
            self.period_bytes = 0;
        }
        Ok(n)
    }
}

/// Fails a read with `TimedOut` once `deadline` has passed: a small body
/// must arrive whole within the response timeout, however its bytes are
/// spread out. (A read in progress is still bounded by the per-read
/// timeout, so the overshoot is at most one of those.)
pub struct DeadlineReader<R> {
    pub inner: R,
    pub deadline: Instant,
}

impl<R: Read> Read for DeadlineReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if Instant::now() >= self.deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "response body not complete within the timeout",
            ));
        }
        self.inner.read(buf)
    }
}

/// ureq's resolver, with a failed lookup kept recognisable. std reports a
/// getaddrinfo failure as a plain I/O error, which would read as a lost
/// connection (9005); Dovecot calls it 9002 and names the host.
#[derive(Debug, Default)]
struct LookupResolver(ureq::unversioned::resolver::DefaultResolver);

/// The error a failed host lookup is wrapped in (see [`LookupResolver`]).
#[derive(Debug)]
struct LookupFailed {
    host: String,
    why: io::Error,
}

impl std::fmt::Display for LookupFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "host lookup of {} failed: {}", self.host, self.why)
    }
}

impl std::error::Error for LookupFailed {}

impl ureq::unversioned::resolver::Resolver for LookupResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        self.0.resolve(uri, config, timeout).map_err(|e| match e {
            ureq::Error::Io(why) => ureq::Error::Io(io::Error::other(LookupFailed {
                host: uri.host().unwrap_or_default().to_string(),
                why,
            })),
            other => other,
        })
    }
}

fn map_error(e: ureq::Error) -> TransportError {
    use ureq::Error as E;
    // Certificate and handshake failures: Dovecot reports them as connect
    // failures; they are not retried, and the text says what to do.
    let tls = match &e {
        E::Io(io) => super::tls::describe(io),
        E::Rustls(r) => Some(super::tls::describe_rustls(r)),
        E::Tls(why) => Some(format!("TLS: {why}")),
        E::Other(o) => o
            .downcast_ref::<super::tls::TlsSetupError>()
            .map(|t| t.to_string()),
        _ => None,
    };
    if let Some(detail) = tls {
        return TransportError {
            code: codes::CONNECT_FAILED,
            detail,
            fatal: true,
        };
    }
    if let E::Io(io) = &e
        && let Some(lookup) = io.get_ref().and_then(|r| r.downcast_ref::<LookupFailed>())
    {
        return TransportError {
            code: codes::HOST_LOOKUP_FAILED,
            detail: lookup.to_string(),
            fatal: false,
        };
    }
    let code = match &e {
        // Dovecot counts a connect that times out as a failed connect
        // (retried under max_connect_retries).
        E::Timeout(ureq::Timeout::Connect) => codes::CONNECT_FAILED,
        E::Timeout(_) => codes::TIMED_OUT,
        E::HostNotFound => codes::HOST_LOOKUP_FAILED,
        E::ConnectionFailed => codes::CONNECT_FAILED,
        E::BadUri(_) | E::Http(_) => codes::INVALID_URL,
        E::Protocol(_) => codes::BAD_RESPONSE,
        E::Io(io) => match io.kind() {
            io::ErrorKind::ConnectionRefused | io::ErrorKind::AddrNotAvailable => {
                codes::CONNECT_FAILED
            }
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => codes::TIMED_OUT,
            _ => codes::CONNECTION_LOST,
        },
        _ => codes::ABORTED,
    };
    TransportError {
        code,
        detail: e.to_string(),
        fatal: false,
    }
}
