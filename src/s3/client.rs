//! The blocking S3 client: one [`Client`] per endpoint, shared by worker
//! threads. Every request goes through [`Client::execute`], which signs,
//! sends, logs, and retries the way Dovecot does.
use super::credentials::CredentialProvider;
use super::encode::query_component;
use super::endpoint::{Endpoint, Signing};
use super::error::{S3Error, S3ErrorKind};
use super::http::{
    Body, DeadlineReader, HttpRequest, HttpResponse, Timeouts, Transport, TransportError,
    body_error, codes,
};
use super::log::{Outcome, RequestLog, reason};
use super::params::OpKind;
use super::retry;
use super::sign::{self, Payload, ToSign};
use super::tls::TlsSettings;
use super::xml;
use base64::Engine;
use md5::{Digest, Md5};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

/// Settings that do not come from the URL.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Log one line per request on stderr.
    pub verbose: bool,
    /// PEM roots to trust instead of the default webpki + system roots
    /// (`--ca-file`, dovecot.conf `ssl_client_ca_file`).
    pub ca_file: Option<PathBuf>,
    /// A directory of PEM roots, likewise (`ssl_client_ca_dir`).
    pub ca_dir: Option<PathBuf>,
    /// Why certificate verification is switched off (`--insecure`,
    /// `ssl_client_require_valid_cert = no`); `None` verifies (the
    /// default). [`Client::new`] prints a loud warning on stderr when this
    /// is set and the connection is https.
    pub insecure: Option<String>,
    /// Worker threads that will share the client (sizes the pool).
    pub workers: usize,
    /// The Dovecot user, sent as X-Dovecot-Username like Dovecot does.
    pub user: Option<String>,
    /// Page listings with ListObjectsV2 (`list-type=2`, continuation
    /// tokens) instead of obox's ListObjects v1 (`marker`).
    pub list_v2: bool,
}

/// What HEAD (and GET) say about an object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
    /// `x-amz-meta-*` headers, name without the prefix, sorted.
    pub metadata: Vec<(String, String)>,
}

/// One listed object (key relative to the URL prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    pub key: String,
    pub size: u64,
    pub last_modified: Option<String>,
    /// s3s-fs omits ETags from listings.
    pub etag: Option<String>,
}

/// One page of a listing.
#[derive(Debug, Clone, Default)]
pub struct ListPage {
    pub entries: Vec<ListEntry>,
    /// "Directories" when listing with a delimiter (relative, with the delimiter).
    pub prefixes: Vec<String>,
    /// Where the next page starts: a v1 marker (a full key) or a v2
    /// continuation token; `None` on the last page.
    pub next_token: Option<String>,
}

/// Told how many payload bytes have moved, so a front end can draw
/// progress. Called from worker threads, often: keep it cheap.
pub trait TransferObserver: Send + Sync {
    /// `n` more body bytes were received (GET) or sent (PUT).
    fn advanced(&self, n: u64);
    /// `n` bytes counted by [`advanced`](Self::advanced) will be sent again
    /// (an upload attempt failed and is retried from its start).
    fn rewound(&self, n: u64);
    /// The object turned out to be `total` bytes long (first GET response).
    fn sized(&self, _total: u64) {}
}

/// Where an upload's bytes come from.
pub enum PutSource {
    Bytes(Vec<u8>),
    /// A regular file: read in place, retried by re-reading, never buffered.
    File(PathBuf),
    /// A stream (stdin, a compressor): buffered one part at a time.
    Reader(Box<dyn Read + Send>),
}

/// Body of one request, replayable across attempts.
pub(crate) enum ReqBody<'a> {
    Empty,
    Bytes(&'a [u8]),
    /// `len` bytes of a file from `offset`; streamed, MD5 computed on the fly.
    FileRange {
        path: &'a std::path::Path,
        offset: u64,
        len: u64,
    },
}

/// One logical request (retries included).
pub(crate) struct Req<'a> {
    pub method: &'static str,
    pub op: OpKind,
    /// Full key (prefix included); `None` for bucket-level requests.
    pub key: Option<&'a str>,
    pub query: Vec<(&'a str, Option<String>)>,
    pub headers: Vec<(String, String)>,
    pub body: ReqBody<'a>,
}

/// Single PUTs stream files up to this size; above it, multipart.
pub const MULTIPART_THRESHOLD: u64 = 64 * 1024 * 1024;
/// Range size of parallel downloads.
const RANGE_CHUNK: u64 = 16 * 1024 * 1024;
/// Part size for streams (buffered in memory, one part at a time).
pub const STREAM_PART_SIZE: usize = 8 * 1024 * 1024;

pub struct Client {
    ep: Endpoint,
    transport: Transport,
    creds: CredentialProvider,
    log: RequestLog,
    fixed_headers: Vec<(String, String)>,
    pub(crate) workers: usize,
    /// Multipart threshold for files (tests lower it).
    pub multipart_threshold: u64,
    /// Part size for file multipart uploads (0 = choose).
    pub part_size: u64,
    /// See [`ClientOptions::list_v2`].
    pub list_v2: bool,
    observer: Option<std::sync::Arc<dyn TransferObserver>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.ep)
            .field("creds", &self.creds)
            .finish()
    }
}

fn local(method: &'static str, key: Option<&str>, e: io::Error) -> S3Error {
    S3Error::new(method, key, S3ErrorKind::Local(e))
}

/// The most an XML answer (a listing page, a delete or multipart result)
/// may be. A real 1000-key page is a few hundred KiB at worst; a server
/// that sends more, or never stops, is refused instead of buffered.
pub const MAX_XML_BODY: u64 = 32 << 20;

/// Read a whole XML answer, at most [`MAX_XML_BODY`] bytes, complete
/// within the response timeout (counted from its head): a server that
/// drips a listing page out byte by byte gets 9008 and a retry, as a
/// silent one does.
pub(crate) fn read_xml_body(
    resp: &mut HttpResponse,
    method: &'static str,
) -> Result<Vec<u8>, BodyFailure> {
    let mut v = Vec::new();
    DeadlineReader {
        inner: &mut resp.body,
        deadline: resp.small_body_deadline,
    }
    .take(MAX_XML_BODY + 1)
    .read_to_end(&mut v)
    .map_err(|e| BodyFailure::Retry(body_error(&e)))?;
    if v.len() as u64 > MAX_XML_BODY {
        return Err(BodyFailure::Fatal(S3Error::new(
            method,
            None,
            S3ErrorKind::Protocol(format!(
                "response body larger than {} MiB; refusing to read more",
                MAX_XML_BODY >> 20
            )),
        )));
    }
    Ok(v)
}

/// Truncated pages without entries tolerated in a row. S3 itself may send
/// a few (keys hidden by delete markers); a hundred means a broken server.
const MAX_EMPTY_PAGES: usize = 100;

fn hash_token(t: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

/// Read the next part of a stream into `buf`: up to [`STREAM_PART_SIZE`]
/// bytes, fewer only at the end. Returns how many; `buf[..n]` holds them.
///
/// `buf` keeps its size between parts and never grows past one part. It
/// starts small (most streamed objects are small mails); past that it is
/// replaced once by a zeroed part-sized one, which the allocator takes
/// fresh from the kernel, so only the pages actually filled count (a
/// `resize` would write zeros over all of it, and `read_to_end` would
/// double it to 16 MiB).
pub(crate) fn fill_part(r: &mut dyn Read, buf: &mut Vec<u8>) -> io::Result<usize> {
    const FIRST: usize = 256 * 1024;
    let mut n = 0;
    loop {
        if n == buf.len() {
            if n >= STREAM_PART_SIZE {
                return Ok(n);
            }
            if n < FIRST {
                buf.resize(FIRST, 0);
            } else {
                let mut big = vec![0u8; STREAM_PART_SIZE];
                big[..n].copy_from_slice(&buf[..n]);
                *buf = big;
            }
        }
        match r.read(&mut buf[n..]) {
            Ok(0) => return Ok(n),
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// A transfer buffer for an object of `size` bytes (unknown: the largest).
fn io_buffer_size(size: Option<u64>) -> usize {
    const MIN: u64 = 8 * 1024;
    const MAX: u64 = 256 * 1024;
    size.map_or(MAX, |s| s.saturating_add(1).clamp(MIN, MAX)) as usize
}

/// Turning verification off must never go unnoticed: say so on stderr,
/// in capitals, with what it exposes.
fn warn_insecure(why: &str, base: &str) {
    let _ = writeln!(
        io::stderr().lock(),
        "obox-cli: WARNING: TLS CERTIFICATE VERIFICATION IS DISABLED ({why}).\n\
         obox-cli: WARNING: {base} is not authenticated: anyone on the network path can impersonate it, \
         read and alter objects in transit. Use --ca-file or ssl_client_ca_file instead."
    );
}

/// A plain (non-multipart, non-KMS) ETag is the hex MD5 of the content.
pub(super) fn plain_md5_etag(etag: &str) -> Option<String> {
    let t = etag.trim_matches('"');
    (t.len() == 32 && t.bytes().all(|b| b.is_ascii_hexdigit())).then(|| t.to_ascii_lowercase())
}

/// The MD5 of `len` bytes of the file at `path` from `offset` (one read
/// pass; hashing is far faster than the network that follows).
fn file_range_md5(path: &std::path::Path, offset: u64, len: u64) -> io::Result<[u8; 16]> {
    let mut f = File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    let mut md5 = Md5::new();
    let n = io::copy(&mut f.take(len), &mut md5)?;
    if n != len {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("{} shrank while being uploaded", path.display()),
        ));
    }
    Ok(md5.finalize().into())
}

/// Reads `len` bytes of `inner`, hashing them with MD5 and telling the
/// observer as they go out.
struct HashingReader<'o, R> {
    inner: R,
    md5: Md5,
    sent: u64,
    observer: Option<&'o dyn TransferObserver>,
}

impl<R: Read> Read for HashingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.md5.update(&buf[..n]);
        self.sent += n as u64;
        if let Some(o) = self.observer {
            o.advanced(n as u64);
        }
        Ok(n)
    }
}

impl Client {
    /// Build a client: transport, then credentials (which may ask IMDS).
    pub fn new(ep: Endpoint, opts: &ClientOptions) -> Result<Client, S3Error> {
        Self::with_env(ep, opts, &|k| std::env::var(k).ok())
    }

    /// [`Client::new`] with an injected environment lookup.
    pub fn with_env(
        ep: Endpoint,
        opts: &ClientOptions,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Client, S3Error> {
        let workers = opts.workers.max(1);
        let tls = TlsSettings {
            ca_file: opts.ca_file.clone(),
            ca_dir: opts.ca_dir.clone(),
            verify: opts.insecure.is_none(),
        };
        if let Some(why) = &opts.insecure
            && ep.connect_base().starts_with("https:")
        {
            warn_insecure(why, &ep.connect_base());
        }
        let transport = Transport::new(&tls, workers)
            .map_err(|e| S3Error::new("INIT", None, S3ErrorKind::Tls(e.to_string())))?;
        let creds = CredentialProvider::resolve(&ep, &transport, env)?;
        let mut fixed = Vec::new();
        for (k, v) in &ep.params.addhdr {
            fixed.push((k.clone(), v.clone()));
        }
        if !ep.params.no_trace_headers {
            if let Some(u) = &opts.user {
                fixed.push(("X-Dovecot-Username".into(), u.clone()));
            }
            fixed.push((
                "X-Dovecot-Session-Id".into(),
                format!("obox-cli-{}", std::process::id()),
            ));
        }
        let log = RequestLog::new(opts.verbose, &ep.params.loghdr);
        Ok(Client {
            ep,
            transport,
            creds,
            log,
            fixed_headers: fixed,
            workers,
            multipart_threshold: MULTIPART_THRESHOLD,
            part_size: 0,
            list_v2: opts.list_v2,
            observer: None,
        })
    }

    /// Report payload bytes to `o` from now on (progress display).
    pub fn set_observer(&mut self, o: std::sync::Arc<dyn TransferObserver>) {
        self.observer = Some(o);
    }

    fn advanced(&self, n: u64) {
        if let Some(o) = &self.observer {
            o.advanced(n);
        }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.ep
    }

    pub fn credentials(&self) -> &CredentialProvider {
        &self.creds
    }

    fn query_string(&self, q: &[(&str, Option<String>)]) -> String {
        let v2 = matches!(self.ep.signing, Signing::V2);
        let mut s = String::new();
        for (i, (k, v)) in q.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            s.push_str(&query_component(k));
            match v {
                Some(v) => {
                    s.push('=');
                    s.push_str(&query_component(v));
                }
                // SigV2 sub-resources go bare (`?uploads`), as they are signed;
                // SigV4 canonicalises a bare name as `name=`, so send that.
                None if v2 => {}
                None => s.push('='),
            }
        }
        s
    }

    /// `addhdrvar` values, expanded for the current credentials.
    fn var_headers(&self, creds: &super::credentials::Credentials) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (k, v) in &self.ep.params.addhdrvar {
            // The signer already sends the session token; don't duplicate it.
            if k.eq_ignore_ascii_case("x-amz-security-token") {
                continue;
            }
            let token = creds
                .session_token
                .as_ref()
                .map(|t| t.expose())
                .unwrap_or("");
            let val = v.replace("%{auth:token}", token);
            if !val.is_empty() {
                out.push((k.clone(), val));
            }
        }
        out
    }

    /// Send `req`, retrying the way Dovecot does: 5xx and lost connections
    /// up to `max_retries` times (backoff in [`retry`]), failed connects up
    /// to `max_connect_retries` times (100 ms doubling, capped at 60 s),
    /// and once more at once after an `ExpiredToken` (the credentials are
    /// fetched again first). Returns the first 2xx/3xx response, or the
    /// error of the last attempt. `on_body` consumes a successful response
    /// (and may ask for a retry by returning a transport error, e.g. a
    /// cut-off body). Every attempt of one call logs the same request id.
    pub(crate) fn execute<T>(
        &self,
        req: &Req<'_>,
        mut on_body: impl FnMut(HttpResponse, &mut Req<'_>) -> Result<T, BodyFailure>,
    ) -> Result<T, S3Error> {
        let deadline = self.ep.params.absolute_timeout.map(|d| Instant::now() + d);
        let max_retries = self.ep.params.retries_for(req.op);
        let max_connect_retries = self.ep.params.max_connect_retries;
        let timeout = self.ep.params.timeout_for(req.op);
        let path = self.ep.request_path(req.key);
        let display_key = req.key.map(|k| self.ep.relative_key(k));
        let mut req_headers = req.headers.clone();
        // A file body is hashed once, before the first attempt, so the
        // server can check every byte it receives (BadDigest otherwise);
        // the ETag it answers is compared with what was actually sent.
        if let ReqBody::FileRange { path, offset, len } = &req.body {
            let digest = file_range_md5(path, *offset, *len)
                .map_err(|e| local(req.method, display_key, e))?;
            req_headers.push((
                "content-md5".into(),
                base64::engine::general_purpose::STANDARD.encode(digest),
            ));
        }
        let id = self.log.next_id();
        let mut attempt = 0u32;
        let mut retries = 0u32;
        let mut connect_retries = 0u32;
        let mut token_refreshed = false;
        loop {
            attempt += 1;
            let remaining = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        let mut e = S3Error::new(
                            req.method,
                            display_key,
                            S3ErrorKind::Transport {
                                code: codes::TIMED_OUT,
                                detail: "absolute_timeout reached".into(),
                            },
                        );
                        e.attempts = attempt - 1;
                        return Err(e);
                    }
                    Some(left)
                }
                None => None,
            };
            let outcome = self.attempt(
                req,
                &path,
                &req_headers,
                Timeouts {
                    connect: self.ep.params.connect_timeout(),
                    response: timeout,
                    global: remaining,
                },
                (id, attempt),
            );
            let failure = match outcome {
                Ok(resp) if resp.status < 300 => {
                    let mut r2 = Req {
                        method: req.method,
                        op: req.op,
                        key: req.key,
                        query: req.query.clone(),
                        headers: req_headers.clone(),
                        body: ReqBody::Empty,
                    };
                    match on_body(resp, &mut r2) {
                        Ok(v) => return Ok(v),
                        Err(BodyFailure::Fatal(mut e)) => {
                            e.attempts = attempt;
                            return Err(e);
                        }
                        Err(BodyFailure::Retry(t)) => {
                            // The callback may have added headers (Range) for the next attempt.
                            req_headers = r2.headers;
                            S3ErrorKind::Transport {
                                code: t.code,
                                detail: t.detail,
                            }
                        }
                    }
                }
                Ok(mut resp) => {
                    let status = resp.status;
                    let mut body = Vec::new();
                    if req.method != "HEAD" {
                        let r = DeadlineReader {
                            inner: &mut resp.body,
                            deadline: resp.small_body_deadline,
                        };
                        let _ = r.take(64 * 1024).read_to_end(&mut body);
                    }
                    let (code, message, request_id) = xml::parse_error(&body);
                    let request_id =
                        request_id.or_else(|| resp.header("x-amz-request-id").map(str::to_owned));
                    let expired =
                        matches!(status, 400 | 403) && code.as_deref() == Some("ExpiredToken");
                    if expired {
                        self.creds.invalidate();
                    }
                    let kind = S3ErrorKind::Http {
                        status,
                        code,
                        message,
                        request_id,
                    };
                    // Credentials that expired between fetching and use:
                    // fetch new ones and try again, once, at once.
                    if expired && !token_refreshed && self.creds.refreshable() {
                        token_refreshed = true;
                        continue;
                    }
                    if !retry::retryable_status(status) {
                        let mut e = S3Error::new(req.method, display_key, kind);
                        e.attempts = attempt;
                        return Err(e);
                    }
                    kind
                }
                // Retrying cannot make a certificate trusted.
                Err(kind @ S3ErrorKind::Tls(_)) => {
                    let mut e = S3Error::new(req.method, display_key, kind);
                    e.attempts = attempt;
                    return Err(e);
                }
                Err(e) => e,
            };
            // A connect that failed never reached the server: it has its
            // own budget and backoff, like Dovecot's connection attempts.
            // A failed host lookup counts as a failed connect too.
            let connect_failed = matches!(
                failure,
                S3ErrorKind::Transport {
                    code: codes::CONNECT_FAILED | codes::HOST_LOOKUP_FAILED,
                    ..
                }
            );
            let mut wait = if connect_failed {
                if connect_retries >= max_connect_retries {
                    let mut e = S3Error::new(req.method, display_key, failure);
                    e.attempts = attempt;
                    return Err(e);
                }
                connect_retries += 1;
                retry::connect_delay(connect_retries - 1)
            } else {
                if retries >= max_retries {
                    let mut e = S3Error::new(req.method, display_key, failure);
                    e.attempts = attempt;
                    return Err(e);
                }
                retries += 1;
                retry::delay(retries - 1)
            };
            if let Some(d) = deadline {
                wait = wait.min(d.saturating_duration_since(Instant::now()));
            }
            std::thread::sleep(wait);
        }
    }

    /// One attempt: sign with current credentials and send.
    fn attempt(
        &self,
        req: &Req<'_>,
        path: &str,
        extra: &[(String, String)],
        timeouts: Timeouts,
        (id, attempt): (u64, u32),
    ) -> Result<HttpResponse, S3ErrorKind> {
        let creds = self.creds.current().map_err(|e| *e.kind)?;
        let query = self.query_string(&req.query);
        let signed_url = format!("{}{path}{query}", self.ep.signed_base());
        let connect_url = format!("{}{path}{query}", self.ep.connect_base());
        let host = self.ep.host_header();
        let mut headers: Vec<(String, String)> = self.fixed_headers.clone();
        headers.extend(self.var_headers(&creds));
        headers.extend(extra.iter().cloned());
        let (payload, body_len) = match &req.body {
            ReqBody::Empty => (Payload::Bytes(b""), 0),
            ReqBody::Bytes(b) => {
                headers.push((
                    "content-md5".into(),
                    base64::engine::general_purpose::STANDARD.encode(Md5::digest(b)),
                ));
                (Payload::Bytes(b), b.len() as u64)
            }
            ReqBody::FileRange { len, .. } => (Payload::Unsigned, *len),
        };
        let raw_query: Vec<(&str, Option<&str>)> =
            req.query.iter().map(|(k, v)| (*k, v.as_deref())).collect();
        let v2_resource = sign::v2_resource(&self.ep.sigv2_resource_path(path), &raw_query);
        let to_sign = ToSign {
            method: req.method,
            url: &signed_url,
            host: &host,
            headers: &headers,
            payload,
            v2_resource: &v2_resource,
        };
        let auth = sign::sign(&self.ep.signing, &creds, &to_sign, SystemTime::now())
            .map_err(|e| S3ErrorKind::Protocol(format!("signing failed: {e}")))?;
        headers.extend(auth);
        headers.push(("host".into(), host));
        if matches!(req.body, ReqBody::Empty) && matches!(req.method, "PUT" | "POST") {
            headers.push(("content-length".into(), "0".into()));
        }
        let start = Instant::now();
        let conn = connect_url.split('/').nth(2).unwrap_or("").to_string();
        let mut file_reader: Option<HashingReader<'_, io::Take<File>>> = None;
        let body = match &req.body {
            ReqBody::Empty => Body::Empty,
            ReqBody::Bytes(b) => Body::Bytes(b),
            ReqBody::FileRange {
                path: p,
                offset,
                len,
            } => {
                let mut f = File::open(p).map_err(S3ErrorKind::Local)?;
                f.seek(SeekFrom::Start(*offset))
                    .map_err(S3ErrorKind::Local)?;
                let r = file_reader.insert(HashingReader {
                    inner: f.take(*len),
                    md5: Md5::new(),
                    sent: 0,
                    observer: self.observer.as_deref(),
                });
                Body::Reader {
                    reader: r,
                    len: body_len,
                }
            }
        };
        let result = self.transport.send(HttpRequest {
            method: req.method,
            url: connect_url,
            headers,
            body,
            timeouts,
        });
        let took = start.elapsed();
        // Progress: a streamed file body was counted as it went out; if the
        // attempt failed it goes out again, so take it back. An in-memory
        // body (one part, or a small object) counts once it is accepted.
        // POST bodies (multi-delete, multipart completion) are not payload.
        let accepted = matches!(&result, Ok(r) if r.status < 300);
        if let Some(o) = self.observer.as_ref().filter(|_| req.method == "PUT") {
            match (&req.body, &file_reader) {
                (ReqBody::FileRange { .. }, Some(fr)) if !accepted => o.rewound(fr.sent),
                (ReqBody::Bytes(b), _) if accepted => o.advanced(b.len() as u64),
                _ => {}
            }
        }
        match result {
            Ok(resp) => {
                self.log.attempt(
                    id,
                    &conn,
                    req.method,
                    &signed_url,
                    Outcome::Response {
                        status: resp.status,
                        reason: reason(resp.status),
                        headers: &resp.headers,
                    },
                    took,
                    attempt,
                );
                // A streamed body's integrity is checked against the ETag.
                if let Some(fr) = file_reader.as_mut()
                    && resp.status < 300
                {
                    let digest = hex::encode(fr.md5.finalize_reset());
                    if let Some(etag) = resp.header("etag").and_then(plain_md5_etag)
                        && etag != digest
                    {
                        if let Some(o) = &self.observer {
                            o.rewound(fr.sent);
                        }
                        return Err(S3ErrorKind::Transport {
                            code: codes::BROKEN_PAYLOAD,
                            detail: format!("server stored MD5 {etag}, sent {digest}"),
                        });
                    }
                }
                Ok(resp)
            }
            Err(TransportError {
                code,
                detail,
                fatal,
            }) => {
                self.log.attempt(
                    id,
                    &conn,
                    req.method,
                    &signed_url,
                    Outcome::Failed {
                        code,
                        detail: &detail,
                    },
                    took,
                    attempt,
                );
                if let ReqBody::FileRange { .. } = req.body
                    && code == codes::ABORTED
                    && detail.contains("No such file")
                {
                    return Err(S3ErrorKind::Local(io::Error::other(detail)));
                }
                if fatal && code == codes::CONNECT_FAILED {
                    return Err(S3ErrorKind::Tls(detail));
                }
                Err(S3ErrorKind::Transport { code, detail })
            }
        }
    }

    /// HEAD: size, ETag, date, metadata. `key` is relative to the prefix.
    pub fn head(&self, key: &str) -> Result<ObjectInfo, S3Error> {
        let full = self.ep.full_key(key);
        let req = Req {
            method: "HEAD",
            op: OpKind::Read,
            key: Some(&full),
            query: vec![],
            headers: vec![],
            body: ReqBody::Empty,
        };
        self.execute(&req, |resp, _| Ok(info_from(key, &resp)))
    }

    /// GET into `out`, verifying the length and (for plain ETags) the MD5.
    /// A body cut off mid-way is resumed with a Range request pinned to
    /// the same ETag, so `out` receives every byte exactly once.
    pub fn get(&self, key: &str, out: &mut dyn Write) -> Result<ObjectInfo, S3Error> {
        self.get_or_split(key, out, None).map(|(info, _)| info)
    }

    /// [`Client::get`], except that an object of at least `split_at` bytes
    /// is not streamed whole: the first [`RANGE_CHUNK`] bytes are read from
    /// the response into `out`, and the answer says how many (`Some(n)`;
    /// `None` for an object fetched whole). The caller fetches the rest.
    fn get_or_split(
        &self,
        key: &str,
        out: &mut dyn Write,
        split_at: Option<u64>,
    ) -> Result<(ObjectInfo, Option<u64>), S3Error> {
        let full = self.ep.full_key(key);
        let req = Req {
            method: "GET",
            op: OpKind::Read,
            key: Some(&full),
            query: vec![],
            headers: vec![],
            body: ReqBody::Empty,
        };
        let mut got: u64 = 0;
        let mut md5 = Md5::new();
        let mut first: Option<ObjectInfo> = None;
        // Sized on the first response: small objects (the common case in
        // obox) don't need 256 KiB each, which adds up over many workers.
        let mut buf: Vec<u8> = Vec::new();
        self.execute(&req, |mut resp, next| {
            let info = info_from(key, &resp);
            if buf.is_empty() {
                buf = vec![0u8; io_buffer_size(Some(info.size))];
            }
            let resumed = first.is_some();
            if resumed && resp.status != 206 {
                return Err(BodyFailure::Fatal(S3Error::new(
                    "GET",
                    Some(key),
                    S3ErrorKind::Integrity("server ignored the Range of a resumed download".into()),
                )));
            }
            let expect_total = match &first {
                Some(f) => f.size,
                None => info.size,
            };
            if first.is_none() {
                if let Some(o) = &self.observer {
                    o.sized(info.size);
                }
                if resp.status == 200 && split_at.is_some_and(|t| info.size >= t) {
                    // Big: keep what this response brings of the first
                    // chunk (whatever arrives is good: the whole file is
                    // checked against the ETag later) and stop reading.
                    let want = RANGE_CHUNK.min(info.size);
                    let mut have = 0u64;
                    while have < want {
                        let room = buf.len().min((want - have) as usize);
                        match resp.body.read(&mut buf[..room]) {
                            Ok(0) => break,
                            Ok(n) => {
                                out.write_all(&buf[..n])
                                    .map_err(|e| BodyFailure::Fatal(local("GET", Some(key), e)))?;
                                have += n as u64;
                                self.advanced(n as u64);
                            }
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(_) => break,
                        }
                    }
                    return Ok((info, Some(have)));
                }
                first = Some(info.clone());
            }
            loop {
                match resp.body.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        md5.update(&buf[..n]);
                        out.write_all(&buf[..n])
                            .map_err(|e| BodyFailure::Fatal(local("GET", Some(key), e)))?;
                        got += n as u64;
                        self.advanced(n as u64);
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let f = first.as_ref().expect("set above");
                        next.headers
                            .retain(|(k, _)| k != "range" && k != "if-match");
                        next.headers.push(("range".into(), format!("bytes={got}-")));
                        if let Some(et) = &f.etag {
                            next.headers.push(("if-match".into(), et.clone()));
                        }
                        return Err(BodyFailure::Retry(body_error(&e)));
                    }
                }
            }
            let f = first.clone().expect("set above");
            if got != expect_total {
                // A short body without an error: the connection closed early.
                next.headers
                    .retain(|(k, _)| k != "range" && k != "if-match");
                next.headers.push(("range".into(), format!("bytes={got}-")));
                if let Some(et) = &f.etag {
                    next.headers.push(("if-match".into(), et.clone()));
                }
                if got > expect_total {
                    return Err(BodyFailure::Fatal(S3Error::new(
                        "GET",
                        Some(key),
                        S3ErrorKind::Integrity(format!(
                            "got {got} bytes, Content-Length said {expect_total}"
                        )),
                    )));
                }
                return Err(BodyFailure::Retry(TransportError {
                    code: codes::CONNECTION_LOST,
                    detail: format!("body ended after {got} of {expect_total} bytes"),
                    fatal: false,
                }));
            }
            let kms = resp
                .header("x-amz-server-side-encryption")
                .is_some_and(|v| v.contains("kms"));
            if let Some(etag) = f.etag.as_deref().and_then(plain_md5_etag)
                && !kms
            {
                let digest = hex::encode(md5.clone().finalize());
                if digest != etag {
                    return Err(BodyFailure::Fatal(S3Error::new(
                        "GET",
                        Some(key),
                        S3ErrorKind::Integrity(format!(
                            "content MD5 {digest} does not match ETag {etag}"
                        )),
                    )));
                }
            }
            Ok((f, None))
        })
    }

    /// Download into `file` (empty, seekable). Objects of at least
    /// `multipart_threshold` bytes are fetched as parallel byte ranges
    /// (one GET stream from s3s-fs or S3 is far slower than the disk);
    /// smaller ones stream through [`Client::get`]. Plain-MD5 ETags are
    /// verified either way (for ranges, by re-reading the file).
    ///
    /// No HEAD is sent: the first GET tells the size, and for a big object
    /// its first chunk is kept while the other ranges follow. `size_hint`
    /// (from a listing) lets objects known to be small skip the splitting.
    pub fn get_to_file(
        &self,
        key: &str,
        file: &File,
        size_hint: Option<u64>,
    ) -> Result<ObjectInfo, S3Error> {
        let workers = self.workers.clamp(1, 8);
        let split_at = (workers > 1 && size_hint.is_none_or(|s| s >= self.multipart_threshold))
            .then_some(self.multipart_threshold);
        let mut w = io::BufWriter::with_capacity(io_buffer_size(size_hint), file);
        let (info, split) = self.get_or_split(key, &mut w, split_at)?;
        w.flush().map_err(|e| local("GET", Some(key), e))?;
        drop(w);
        match split {
            None => Ok(info),
            Some(have) => {
                // A first chunk cut short is fetched again with the rest.
                let from = if have == RANGE_CHUNK.min(info.size) {
                    have
                } else {
                    if let Some(o) = &self.observer {
                        o.rewound(have);
                    }
                    0
                };
                self.get_ranges(key, file, info, workers, from)
            }
        }
    }

    fn get_ranges(
        &self,
        key: &str,
        file: &File,
        info: ObjectInfo,
        workers: usize,
        from: u64,
    ) -> Result<ObjectInfo, S3Error> {
        use std::os::unix::fs::FileExt;
        use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
        const CHUNK: u64 = RANGE_CHUNK;
        let full = self.ep.full_key(key);
        let size = info.size;
        file.set_len(size).map_err(|e| local("GET", Some(key), e))?;
        let next = AtomicU64::new(from);
        let failed = AtomicBool::new(false);
        let first_err: std::sync::Mutex<Option<S3Error>> = std::sync::Mutex::new(None);
        std::thread::scope(|s| {
            for _ in 0..workers.min((size - from.min(size)).div_ceil(CHUNK) as usize) {
                s.spawn(|| {
                    let mut buf = vec![0u8; 256 * 1024];
                    while !failed.load(Ordering::Relaxed) {
                        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                        if start >= size {
                            break;
                        }
                        let end = (start + CHUNK).min(size);
                        let mut pos = start;
                        let mut headers =
                            vec![("range".to_string(), format!("bytes={start}-{}", end - 1))];
                        if let Some(et) = &info.etag {
                            headers.push(("if-match".to_string(), et.clone()));
                        }
                        let req = Req {
                            method: "GET",
                            op: OpKind::Read,
                            key: Some(&full),
                            query: vec![],
                            headers,
                            body: ReqBody::Empty,
                        };
                        let r = self.execute(&req, |mut resp, next_req| {
                            if resp.status != 206 {
                                return Err(BodyFailure::Fatal(S3Error::new(
                                    "GET",
                                    Some(key),
                                    S3ErrorKind::Integrity(format!(
                                        "range request answered {}",
                                        resp.status
                                    )),
                                )));
                            }
                            loop {
                                match resp.body.read(&mut buf) {
                                    Ok(0) => break,
                                    Ok(n) => {
                                        let n = n.min((end - pos) as usize);
                                        file.write_all_at(&buf[..n], pos).map_err(|e| {
                                            BodyFailure::Fatal(local("GET", Some(key), e))
                                        })?;
                                        pos += n as u64;
                                        self.advanced(n as u64);
                                    }
                                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                                    Err(e) => {
                                        next_req.headers.retain(|(k, _)| k != "range");
                                        next_req.headers.push((
                                            "range".into(),
                                            format!("bytes={pos}-{}", end - 1),
                                        ));
                                        return Err(BodyFailure::Retry(body_error(&e)));
                                    }
                                }
                            }
                            if pos != end {
                                next_req.headers.retain(|(k, _)| k != "range");
                                next_req
                                    .headers
                                    .push(("range".into(), format!("bytes={pos}-{}", end - 1)));
                                return Err(BodyFailure::Retry(TransportError {
                                    code: codes::CONNECTION_LOST,
                                    detail: format!("range body ended at {pos} of {end}"),
                                    fatal: false,
                                }));
                            }
                            Ok(())
                        });
                        if let Err(e) = r {
                            failed.store(true, Ordering::Relaxed);
                            first_err
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .get_or_insert(e);
                        }
                    }
                });
            }
        });
        if let Some(e) = first_err.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        if let Some(etag) = info.etag.as_deref().and_then(plain_md5_etag) {
            let mut md5 = Md5::new();
            let mut f = file;
            f.seek(SeekFrom::Start(0))
                .map_err(|e| local("GET", Some(key), e))?;
            io::copy(&mut f, &mut md5).map_err(|e| local("GET", Some(key), e))?;
            let digest = hex::encode(md5.finalize());
            if digest != etag {
                return Err(S3Error::new(
                    "GET",
                    Some(key),
                    S3ErrorKind::Integrity(format!(
                        "content MD5 {digest} does not match ETag {etag}"
                    )),
                ));
            }
        }
        Ok(info)
    }

    /// Upload. Small bodies go in one signed PUT with Content-MD5; files
    /// above the threshold and streams above one part go multipart.
    pub fn put(
        &self,
        key: &str,
        src: PutSource,
        meta: &[(String, String)],
    ) -> Result<Option<String>, S3Error> {
        let full = self.ep.full_key(key);
        let meta_headers: Vec<(String, String)> = meta
            .iter()
            .map(|(k, v)| (format!("x-amz-meta-{}", k.to_ascii_lowercase()), v.clone()))
            .collect();
        match src {
            PutSource::Bytes(b) => self.put_single(&full, key, ReqBody::Bytes(&b), &meta_headers),
            PutSource::File(path) => {
                let len = std::fs::metadata(&path)
                    .map_err(|e| local("PUT", Some(key), e))?
                    .len();
                if len > self.multipart_threshold {
                    super::multipart::upload_file(self, &full, key, &path, len, &meta_headers)
                } else {
                    self.put_single(
                        &full,
                        key,
                        ReqBody::FileRange {
                            path: &path,
                            offset: 0,
                            len,
                        },
                        &meta_headers,
                    )
                }
            }
            PutSource::Reader(mut r) => {
                let mut buf = Vec::new();
                let n = fill_part(&mut r, &mut buf).map_err(|e| local("PUT", Some(key), e))?;
                if n < STREAM_PART_SIZE {
                    self.put_single(&full, key, ReqBody::Bytes(&buf[..n]), &meta_headers)
                } else {
                    super::multipart::upload_stream(self, &full, key, buf, r, &meta_headers)
                }
            }
        }
    }

    fn put_single(
        &self,
        full: &str,
        key: &str,
        body: ReqBody<'_>,
        meta: &[(String, String)],
    ) -> Result<Option<String>, S3Error> {
        let req = Req {
            method: "PUT",
            op: OpKind::Write,
            key: Some(full),
            query: vec![],
            headers: meta.to_vec(),
            body,
        };
        let _ = key;
        self.execute(&req, |resp, _| Ok(resp.header("etag").map(str::to_owned)))
    }

    /// One listing page under `prefix` (relative to the URL prefix),
    /// starting after `token` (from the previous page's `next_token`).
    ///
    /// By default this is ListObjects v1, as obox lists: `prefix`, an
    /// optional `delimiter` and `marker`; the next marker is `NextMarker`
    /// when the server sends one, else the page's last key or common
    /// prefix. With [`ClientOptions::list_v2`] it is ListObjectsV2.
    pub fn list_page(
        &self,
        prefix: &str,
        delimiter: Option<&str>,
        token: Option<&str>,
    ) -> Result<ListPage, S3Error> {
        let full = self.ep.full_key(prefix);
        let v2 = self.list_v2;
        let mut query: Vec<(&str, Option<String>)> = Vec::new();
        if let Some(t) = token {
            query.push((
                if v2 { "continuation-token" } else { "marker" },
                Some(t.to_string()),
            ));
        }
        if let Some(d) = delimiter {
            query.push(("delimiter", Some(d.to_string())));
        }
        if v2 {
            query.push(("list-type", Some("2".into())));
        }
        query.push(("prefix", Some(full.clone())));
        // The signers canonicalise the query sorted by name; sending it
        // sorted too keeps the wire and the signature obviously alike.
        query.sort_by(|a, b| a.0.cmp(b.0));
        let req = Req {
            method: "GET",
            op: OpKind::Read,
            key: None,
            query,
            headers: vec![],
            body: ReqBody::Empty,
        };
        let body = self
            .execute(&req, |mut resp, _| read_xml_body(&mut resp, "LIST"))
            .map_err(|mut e| {
                e.method = "LIST";
                e.key = Some(prefix.to_string());
                e
            })?;
        let root = xml::parse(&body)
            .map_err(|e| S3Error::new("LIST", Some(prefix), S3ErrorKind::Protocol(e)))?;
        let mut page = ListPage::default();
        // The page's last key or common prefix, in full: v1's fallback marker.
        let mut last: Option<&str> = None;
        for c in root.all("Contents") {
            let Some(k) = c.text_of("Key") else { continue };
            last = last.max(Some(k));
            page.entries.push(ListEntry {
                key: self.ep.relative_key(k).to_string(),
                size: c
                    .text_of("Size")
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(0),
                last_modified: c.text_of("LastModified").map(str::to_owned),
                etag: c.text_of("ETag").map(str::to_owned),
            });
        }
        for p in root.all("CommonPrefixes") {
            if let Some(k) = p.text_of("Prefix") {
                last = last.max(Some(k));
                page.prefixes.push(self.ep.relative_key(k).to_string());
            }
        }
        let truncated = root
            .text_of("IsTruncated")
            .is_some_and(|t| t.trim() == "true");
        if !truncated {
            return Ok(page);
        }
        let protocol =
            |why: &str| S3Error::new("LIST", Some(prefix), S3ErrorKind::Protocol(why.to_string()));
        page.next_token = if v2 {
            Some(
                root.text_of("NextContinuationToken")
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| protocol("truncated listing without NextContinuationToken"))?
                    .to_owned(),
            )
        } else {
            Some(
                root.text_of("NextMarker")
                    .filter(|t| !t.is_empty())
                    .or(last)
                    .ok_or_else(|| {
                        protocol("truncated listing page without entries and without NextMarker")
                    })?
                    .to_owned(),
            )
        };
        Ok(page)
    }

    /// Every page under `prefix`, in order.
    ///
    /// A server could keep a listing going for ever; what is refused:
    /// a continuation token seen before (v2; remembered as 8-byte hashes),
    /// a marker that does not move forward (v1: keys come sorted, so each
    /// page must start past the last), and [`MAX_EMPTY_PAGES`] truncated
    /// pages in a row without entries. Fresh keys without end are a very
    /// long listing, like a huge bucket: `f` sees each page as it comes,
    /// so memory stays one page.
    pub fn list(
        &self,
        prefix: &str,
        delimiter: Option<&str>,
        f: &mut dyn FnMut(ListPage) -> io::Result<()>,
    ) -> Result<(), S3Error> {
        let mut token: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        let mut empty_run = 0;
        loop {
            let mut page = self.list_page(prefix, delimiter, token.as_deref())?;
            let next = page.next_token.take();
            let empty = page.entries.is_empty() && page.prefixes.is_empty();
            f(page).map_err(|e| local("LIST", Some(prefix), e))?;
            let Some(t) = next else { return Ok(()) };
            let protocol =
                |why: String| S3Error::new("LIST", Some(prefix), S3ErrorKind::Protocol(why));
            let repeated = if self.list_v2 {
                !seen.insert(hash_token(&t))
            } else {
                token.as_deref().is_some_and(|old| t.as_str() <= old)
            };
            if repeated {
                return Err(protocol(format!(
                    "the server repeated a continuation token (the {} does not move forward): endless listing",
                    if self.list_v2 { "token" } else { "marker" }
                )));
            }
            empty_run = if empty { empty_run + 1 } else { 0 };
            if empty_run >= MAX_EMPTY_PAGES {
                return Err(protocol(format!(
                    "{MAX_EMPTY_PAGES} truncated listing pages in a row without entries (endless listing)"
                )));
            }
            token = Some(t);
        }
    }

    /// DELETE one object (S3 answers 204 even when it did not exist).
    pub fn delete(&self, key: &str) -> Result<(), S3Error> {
        let full = self.ep.full_key(key);
        let req = Req {
            method: "DELETE",
            op: OpKind::Delete,
            key: Some(&full),
            query: vec![],
            headers: vec![],
            body: ReqBody::Empty,
        };
        self.execute(&req, |_, _| Ok(()))
    }

    /// Delete many keys with `POST /?delete`, `bulk_delete_limit` per
    /// request (0: one DELETE each). Returns the keys that failed.
    pub fn delete_many(&self, keys: &[String]) -> Vec<(String, S3Error)> {
        let limit = self.ep.params.bulk_delete_limit as usize;
        let mut failed = Vec::new();
        if limit == 0 {
            for k in keys {
                if let Err(e) = self.delete(k) {
                    failed.push((k.clone(), e));
                }
            }
            return failed;
        }
        for chunk in keys.chunks(limit.min(1000)) {
            let mut body = String::from(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Quiet>true</Quiet>",
            );
            for k in chunk {
                body.push_str("<Object><Key>");
                body.push_str(&xml_escape(&self.ep.full_key(k)));
                body.push_str("</Key></Object>");
            }
            body.push_str("</Delete>");
            let req = Req {
                method: "POST",
                op: OpKind::Delete,
                key: None,
                query: vec![("delete", None)],
                headers: vec![],
                body: ReqBody::Bytes(body.as_bytes()),
            };
            let res = self.execute(&req, |mut resp, _| read_xml_body(&mut resp, "POST"));
            match res {
                Err(e) => {
                    let msg = e.to_string();
                    for k in chunk {
                        failed.push((
                            k.clone(),
                            S3Error::new(
                                "DELETE",
                                Some(k),
                                S3ErrorKind::Protocol(format!("bulk delete failed: {msg}")),
                            ),
                        ));
                    }
                }
                Ok(v) => match xml::parse(&v) {
                    Err(e) => {
                        for k in chunk {
                            failed.push((
                                k.clone(),
                                S3Error::new("DELETE", Some(k), S3ErrorKind::Protocol(e.clone())),
                            ));
                        }
                    }
                    Ok(root) => {
                        for err in root.all("Error") {
                            let k = err
                                .text_of("Key")
                                .map(|k| self.ep.relative_key(k).to_string())
                                .unwrap_or_default();
                            let kind = S3ErrorKind::Http {
                                status: 200,
                                code: err.text_of("Code").map(str::to_owned),
                                message: err.text_of("Message").map(str::to_owned),
                                request_id: None,
                            };
                            failed.push((k.clone(), S3Error::new("DELETE", Some(&k), kind)));
                        }
                    }
                },
            }
        }
        failed
    }
}

/// How a response-body consumer failed.
pub(crate) enum BodyFailure {
    /// Try again (counts as an attempt).
    Retry(TransportError),
    /// Give up now.
    Fatal(S3Error),
}

fn info_from(key: &str, resp: &HttpResponse) -> ObjectInfo {
    let size = match resp
        .header("content-range")
        .and_then(|r| r.rsplit('/').next())
        .and_then(|t| t.parse().ok())
    {
        Some(total) => total,
        None => resp
            .header("content-length")
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0),
    };
    let mut metadata: Vec<(String, String)> = resp
        .headers
        .iter()
        .filter_map(|(k, v)| {
            k.to_ascii_lowercase()
                .strip_prefix("x-amz-meta-")
                .map(|n| (n.to_string(), v.clone()))
        })
        .collect();
    metadata.sort();
    ObjectInfo {
        key: key.to_string(),
        size,
        etag: resp.header("etag").map(str::to_owned),
        last_modified: resp.header("last-modified").map(str::to_owned),
        content_type: resp.header("content-type").map(str::to_owned),
        metadata,
    }
}

pub(crate) fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parts are exactly STREAM_PART_SIZE until the last, from a reader
    /// that hands out odd-sized pieces, and the buffer never outgrows one
    /// part (it is reused, not doubled).
    #[test]
    fn fill_part_cuts_exact_parts_in_one_buffer() {
        struct Odd(u64);
        impl Read for Odd {
            fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
                let n = (b.len() as u64).min(self.0).min(7919) as usize;
                b[..n].fill(0xab);
                self.0 -= n as u64;
                Ok(n)
            }
        }
        let total = 2 * STREAM_PART_SIZE as u64 + 12345;
        let mut r = Odd(total);
        let mut buf = Vec::new();
        let mut sizes = Vec::new();
        loop {
            let n = fill_part(&mut r, &mut buf).unwrap();
            assert!(buf.len() <= STREAM_PART_SIZE);
            assert!(buf[..n].iter().all(|&b| b == 0xab));
            if n == 0 {
                break;
            }
            sizes.push(n);
        }
        assert_eq!(sizes, [STREAM_PART_SIZE, STREAM_PART_SIZE, 12345]);
        // A small stream keeps a small buffer.
        let mut small = Vec::new();
        assert_eq!(fill_part(&mut Odd(1000), &mut small).unwrap(), 1000);
        assert!(small.len() <= 256 * 1024);
    }
}
