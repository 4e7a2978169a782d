//! S3 test servers: s3s-fs (under the TCP_NODELAY shim) on a free port with
//! its own data dir, moto's IMDS, a strict IMDSv2 stub, and a
//! fault-injecting HTTP proxy.
#![allow(dead_code)]
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

const NODELAY_C: &str = r#"
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
static void nd(int fd) { if (fd >= 0) { int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); } }
int accept(int s, struct sockaddr *a, socklen_t *l) {
    static int (*real)(int, struct sockaddr *, socklen_t *);
    if (!real) real = dlsym(RTLD_NEXT, "accept");
    int fd = real(s, a, l); nd(fd); return fd;
}
int accept4(int s, struct sockaddr *a, socklen_t *l, int f) {
    static int (*real)(int, struct sockaddr *, socklen_t *, int);
    if (!real) real = dlsym(RTLD_NEXT, "accept4");
    int fd = real(s, a, l, f); nd(fd); return fd;
}
"#;

/// The nodelay shim, compiled once per test run. Without it s3s-fs stalls
/// ~40 ms on every kept-alive GET (Nagle + delayed ACK).
pub fn nodelay_shim() -> PathBuf {
    static SHIM: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    SHIM.get_or_init(|| {
        let gcc = super::require_program(
            "gcc",
            "install gcc and libc6-dev (apt-get install gcc libc6-dev)",
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let c = dir.path().join("nodelay.c");
        let so = dir.path().join("nodelay.so");
        std::fs::write(&c, NODELAY_C).unwrap();
        let st = Command::new(gcc)
            .args(["-O2", "-shared", "-fPIC", "-o"])
            .arg(&so)
            .arg(&c)
            .arg("-ldl")
            .status()
            .expect("run gcc");
        assert!(st.success(), "compiling nodelay.so failed");
        (dir, so)
    })
    .1
    .clone()
}

/// s3s-fs: $OBOX_S3S_FS, then PATH, then ~/.cargo/bin.
pub fn s3s_fs() -> PathBuf {
    if let Some(p) = std::env::var_os("OBOX_S3S_FS") {
        return PathBuf::from(p);
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for d in std::env::split_paths(&paths) {
            if d.join("s3s-fs").is_file() {
                return d.join("s3s-fs");
            }
        }
    }
    if let Some(home) = std::env::var_os("HOME") {
        let p = Path::new(&home).join(".cargo/bin/s3s-fs");
        if p.is_file() {
            return p;
        }
    }
    panic!(
        "s3s-fs not found: cargo install s3s-fs --version 0.14.1 --features binary --locked (or set OBOX_S3S_FS)"
    );
}

/// moto_server: $OBOX_MOTO, then /opt/s3venv/bin, then PATH.
pub fn moto_server() -> PathBuf {
    if let Some(p) = std::env::var_os("OBOX_MOTO") {
        return PathBuf::from(p);
    }
    let p = PathBuf::from("/opt/s3venv/bin/moto_server");
    if p.is_file() {
        return p;
    }
    super::require_program(
        "moto_server",
        "python3 -m venv /opt/s3venv && /opt/s3venv/bin/pip install 'moto[server]==5.2.5' (or set OBOX_MOTO)",
    )
}

/// A free port for a server the tests start (s3s-fs, moto).
///
/// Taken below the kernel's ephemeral range (32768 and up), where every
/// listener the tests bind to port 0 (proxies, fake servers) lands. A port
/// from that range, free when checked, could be handed to another test's
/// proxy before the server bound it; the server then failed to start while
/// `wait_port` reached the proxy, and the test saw "connection refused"
/// once that proxy went away.
pub fn free_port() -> u16 {
    const LOW: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    // Spread by process id, so two test runs at once start apart.
    let start = std::process::id() * 97 % SPAN;
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed) as u32;
        let port = (LOW + (start + n) % SPAN) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

fn wait_port(port: u16, child: &mut Child, what: &str) {
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(st)) = child.try_wait() {
            panic!("{what} exited early: {st}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{what} did not listen on {port}");
}

/// A running s3s-fs with bucket `testbucket`; killed on drop.
pub struct S3s {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
    pub ak: String,
    pub sk: String,
}

pub const BUCKET: &str = "testbucket";
/// A secret with characters that need URL escaping, to catch leaks.
pub const SECRET: &str = "s3cr3t/Val+ue";
pub const SECRET_IN_URL: &str = "s3cr3t%2FVal+ue";

impl S3s {
    pub fn start() -> S3s {
        Self::start_with("AKIATESTKEY", SECRET)
    }

    pub fn start_with(ak: &str, sk: &str) -> S3s {
        let bin = s3s_fs();
        let shim = nodelay_shim();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(BUCKET)).unwrap();
        let port = free_port();
        let mut child = Command::new(bin)
            .env("LD_PRELOAD", shim)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--access-key",
                ak,
                "--secret-key",
                sk,
            ])
            .args(["--domain", &format!("s3.local:{port}")])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start s3s-fs");
        wait_port(port, &mut child, "s3s-fs");
        S3s {
            child,
            port,
            dir,
            ak: ak.into(),
            sk: sk.into(),
        }
    }

    fn creds(&self) -> String {
        let sk: String = self.sk.replace('/', "%2F");
        format!("{}:{sk}", self.ak)
    }

    /// Path-style URL; SigV4 when `v4`.
    pub fn url(&self, v4: bool) -> String {
        let r = if v4 { "&region=us-east-1" } else { "" };
        format!(
            "http://{}@127.0.0.1:{}/?bucket={BUCKET}{r}",
            self.creds(),
            self.port
        )
    }

    /// Path-style URL with extra parameters (`&`-joined).
    pub fn url_with(&self, v4: bool, extra: &str) -> String {
        format!("{}&{extra}", self.url(v4))
    }

    /// Virtual-hosted URL (needs `--endpoint`, *.s3.local doesn't resolve).
    pub fn vhost_url(&self, v4: bool) -> String {
        let r = if v4 { "?region=us-east-1" } else { "" };
        format!(
            "http://{}@{BUCKET}.s3.local:{}/{r}",
            self.creds(),
            self.port
        )
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for S3s {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto_server (used for its IMDS endpoint); killed on drop.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    pub fn start() -> Moto {
        let port = free_port();
        let mut child = Command::new(moto_server())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        wait_port(port, &mut child, "moto_server");
        Moto { child, port }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ------------------------------------------------------------ HTTP bits

/// A parsed request head plus its body.
pub struct HttpReq {
    pub method: String,
    pub target: String,
    pub head: Vec<u8>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpReq {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_head(r: &mut impl BufRead) -> Option<(Vec<u8>, Vec<String>)> {
    let mut head = Vec::new();
    let mut lines = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = r.read_until(b'\n', &mut line).ok()?;
        if n == 0 {
            return None;
        }
        head.extend_from_slice(&line);
        let s = String::from_utf8_lossy(&line).trim_end().to_string();
        if s.is_empty() {
            break;
        }
        lines.push(s);
    }
    Some((head, lines))
}

fn parse_headers(lines: &[String]) -> Vec<(String, String)> {
    lines[1..]
        .iter()
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// Read one request (Content-Length bodies only; our client sends no chunked bodies).
pub fn read_request(r: &mut impl BufRead) -> Option<HttpReq> {
    let (head, lines) = read_head(r)?;
    let mut parts = lines.first()?.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let headers = parse_headers(&lines);
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(HttpReq {
        method,
        target,
        head,
        headers,
        body,
    })
}

pub fn respond(
    w: &mut impl Write,
    status: u16,
    reason: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut s = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        s.push_str(&format!("{k}: {v}\r\n"));
    }
    s.push_str("\r\n");
    w.write_all(s.as_bytes())?;
    w.write_all(body)?;
    w.flush()
}

/// Serve connections on a fresh port with `handler` (one thread per
/// connection, keep-alive). Returns the port and a stop flag.
fn serve(handler: Arc<dyn Fn(TcpStream) + Send + Sync>) -> (u16, Arc<AtomicBool>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            if stop2.load(Ordering::Relaxed) {
                break;
            }
            let Ok(conn) = conn else { continue };
            let _ = conn.set_nodelay(true);
            let h = handler.clone();
            std::thread::spawn(move || h(conn));
        }
    });
    (port, stop)
}

fn stop_server(port: u16, stop: &AtomicBool) {
    stop.store(true, Ordering::Relaxed);
    let _ = TcpStream::connect(("127.0.0.1", port));
}

// ------------------------------------------------------------ IMDS stub

/// A strict IMDSv2: a token PUT needs a TTL header in 1..=21600 (else
/// 400); credential GETs need a live token (else 401); tokens live at most
/// `token_life`, credentials expire after `cred_life`.
pub struct ImdsStub {
    pub port: u16,
    stop: Arc<AtomicBool>,
    pub tokens_issued: Arc<AtomicUsize>,
    pub creds_issued: Arc<AtomicUsize>,
    pub rejected: Arc<AtomicUsize>,
}

impl ImdsStub {
    pub fn start(
        role: &'static str,
        ak: &'static str,
        sk: &'static str,
        token_life: Duration,
        cred_life: Duration,
    ) -> ImdsStub {
        let tokens: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
        let tokens_issued = Arc::new(AtomicUsize::new(0));
        let creds_issued = Arc::new(AtomicUsize::new(0));
        let rejected = Arc::new(AtomicUsize::new(0));
        let (ti, ci, rj) = (
            tokens_issued.clone(),
            creds_issued.clone(),
            rejected.clone(),
        );
        let handler = Arc::new(move |conn: TcpStream| {
            let mut r = BufReader::new(conn.try_clone().unwrap());
            let mut w = conn;
            while let Some(req) = read_request(&mut r) {
                let ok = match (req.method.as_str(), req.target.as_str()) {
                    ("PUT", "/latest/api/token") => {
                        match req
                            .header("x-aws-ec2-metadata-token-ttl-seconds")
                            .and_then(|v| v.parse::<u64>().ok())
                        {
                            Some(ttl) if (1..=21600).contains(&ttl) => {
                                let n = ti.fetch_add(1, Ordering::SeqCst) + 1;
                                let tok = format!("token-{n}");
                                let life = token_life.min(Duration::from_secs(ttl));
                                tokens
                                    .lock()
                                    .unwrap()
                                    .push((tok.clone(), Instant::now() + life));
                                respond(&mut w, 200, "OK", &[], tok.as_bytes())
                            }
                            _ => {
                                rj.fetch_add(1, Ordering::SeqCst);
                                respond(&mut w, 400, "Bad Request", &[], b"")
                            }
                        }
                    }
                    ("GET", t)
                        if t == format!("/latest/meta-data/iam/security-credentials/{role}") =>
                    {
                        let live = req.header("x-aws-ec2-metadata-token").is_some_and(|t| {
                            tokens
                                .lock()
                                .unwrap()
                                .iter()
                                .any(|(k, until)| k == t && Instant::now() < *until)
                        });
                        if !live {
                            rj.fetch_add(1, Ordering::SeqCst);
                            respond(&mut w, 401, "Unauthorized", &[], b"")
                        } else {
                            let n = ci.fetch_add(1, Ordering::SeqCst) + 1;
                            let exp = std::time::SystemTime::now() + cred_life;
                            let secs = exp.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
                            let body = format!(
                                r#"{{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"{ak}","SecretAccessKey":"{sk}","Token":"session-{n}","Expiration":"{}"}}"#,
                                iso8601(secs)
                            );
                            respond(&mut w, 200, "OK", &[], body.as_bytes())
                        }
                    }
                    _ => respond(&mut w, 404, "Not Found", &[], b""),
                };
                if ok.is_err() {
                    break;
                }
            }
        });
        let (port, stop) = serve(handler);
        ImdsStub {
            port,
            stop,
            tokens_issued,
            creds_issued,
            rejected,
        }
    }
}

impl Drop for ImdsStub {
    fn drop(&mut self) {
        stop_server(self.port, &self.stop);
    }
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso8601(secs: u64) -> String {
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    // civil_from_days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

// ------------------------------------------------------------ fault proxy

/// What the proxy does to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward unchanged.
    Pass,
    /// Answer 503 SlowDown without forwarding.
    SlowDown,
    /// Answer 500 InternalError without forwarding.
    Internal,
    /// Read the request, then drop the connection.
    Reset,
    /// Forward, but pass only this many body bytes of the response, then close.
    Truncate(usize),
    /// Forward after waiting this long.
    Delay(Duration),
    /// Forward (the server acts on it), then drop the connection instead
    /// of relaying the response: the client must retry an operation that
    /// already happened.
    LoseResponse,
    /// Forward, but flip every bit of the response body's byte at this
    /// offset (clamped to the last byte); the length stays the same, so
    /// only a content check (MD5 against the ETag) can notice.
    Corrupt(usize),
}

/// A request as the proxy saw it (head only).
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
}

impl Captured {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Facts about a request, for the fault rule.
pub struct Seen<'a> {
    pub method: &'a str,
    pub target: &'a str,
    /// How many requests with this method and target came before this one.
    pub nth: usize,
}

/// Whether the proxy saw a GET of the object whose path ends with `key`
/// (the query string, e.g. a listing's, not counted).
pub fn is_get_of(seen: &Seen<'_>, key: &str) -> bool {
    seen.method == "GET" && seen.target.split('?').next().unwrap_or("").ends_with(key)
}

type Rule = dyn Fn(&Seen<'_>) -> Fault + Send + Sync;

/// An HTTP proxy in front of s3s-fs that injects faults chosen by a rule,
/// and records every request head it receives (`Fault::Pass` for every
/// request makes it a wire tap).
pub struct FaultProxy {
    pub port: u16,
    stop: Arc<AtomicBool>,
    pub faults: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<Captured>>>,
}

impl FaultProxy {
    /// A pass-through proxy that only records requests.
    pub fn tap(upstream: u16) -> FaultProxy {
        Self::start(upstream, |_| Fault::Pass)
    }

    /// Every request head received so far, in arrival order.
    pub fn requests(&self) -> Vec<Captured> {
        self.requests.lock().unwrap().clone()
    }

    /// Forget the requests recorded so far.
    pub fn clear(&self) {
        self.requests.lock().unwrap().clear();
    }

    pub fn start(
        upstream: u16,
        rule: impl Fn(&Seen<'_>) -> Fault + Send + Sync + 'static,
    ) -> FaultProxy {
        let rule: Arc<Rule> = Arc::new(rule);
        let counts: Arc<Mutex<std::collections::HashMap<String, usize>>> = Arc::default();
        let faults = Arc::new(AtomicUsize::new(0));
        let f2 = faults.clone();
        let requests: Arc<Mutex<Vec<Captured>>> = Arc::default();
        let log = requests.clone();
        let handler = Arc::new(move |conn: TcpStream| {
            let mut r = BufReader::new(conn.try_clone().unwrap());
            let mut w = conn;
            let Ok(up) = TcpStream::connect(("127.0.0.1", upstream)) else {
                return;
            };
            let _ = up.set_nodelay(true);
            let mut up_r = BufReader::new(up.try_clone().unwrap());
            let mut up_w = up;
            while let Some(req) = read_request(&mut r) {
                log.lock().unwrap().push(Captured {
                    method: req.method.clone(),
                    target: req.target.clone(),
                    headers: req.headers.clone(),
                });
                let id = format!("{} {}", req.method, req.target);
                let nth = {
                    let mut c = counts.lock().unwrap();
                    let e = c.entry(id).or_insert(0);
                    *e += 1;
                    *e - 1
                };
                let fault = rule(&Seen {
                    method: &req.method,
                    target: &req.target,
                    nth,
                });
                if fault != Fault::Pass {
                    f2.fetch_add(1, Ordering::SeqCst);
                }
                let xml = |code: &str| {
                    format!(
                        "<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>injected</Message><RequestId>fault-{nth}</RequestId></Error>"
                    )
                };
                match fault {
                    Fault::SlowDown => {
                        if respond(
                            &mut w,
                            503,
                            "Slow Down",
                            &[("x-amz-request-id", format!("fault-{nth}"))],
                            xml("SlowDown").as_bytes(),
                        )
                        .is_err()
                        {
                            return;
                        }
                        continue;
                    }
                    Fault::Internal => {
                        if respond(
                            &mut w,
                            500,
                            "Internal Server Error",
                            &[],
                            xml("InternalError").as_bytes(),
                        )
                        .is_err()
                        {
                            return;
                        }
                        continue;
                    }
                    Fault::Reset => {
                        let _ = w.shutdown(Shutdown::Both);
                        return;
                    }
                    Fault::Delay(d) => std::thread::sleep(d),
                    _ => {}
                }
                if up_w
                    .write_all(&req.head)
                    .and_then(|_| up_w.write_all(&req.body))
                    .is_err()
                {
                    return;
                }
                let Some((head, lines)) = read_head(&mut up_r) else {
                    return;
                };
                let headers = parse_headers(&lines);
                let get = |n: &str| {
                    headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(n))
                        .map(|(_, v)| v.clone())
                };
                let mut body = Vec::new();
                // Where the payload bytes are in `body` (chunked: not the framing).
                let mut data: Vec<std::ops::Range<usize>> = Vec::new();
                if req.method != "HEAD" {
                    if let Some(len) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
                        body.resize(len, 0);
                        if up_r.read_exact(&mut body).is_err() {
                            return;
                        }
                        data.push(0..len);
                    } else if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
                        // Relay the chunked encoding verbatim.
                        loop {
                            let mut line = Vec::new();
                            if up_r.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
                                return;
                            }
                            body.extend_from_slice(&line);
                            let size = usize::from_str_radix(
                                String::from_utf8_lossy(&line)
                                    .trim()
                                    .split(';')
                                    .next()
                                    .unwrap_or("0"),
                                16,
                            )
                            .unwrap_or(0);
                            let mut chunk = vec![0; size + 2];
                            if up_r.read_exact(&mut chunk).is_err() {
                                return;
                            }
                            data.push(body.len()..body.len() + size);
                            body.extend_from_slice(&chunk);
                            if size == 0 {
                                break;
                            }
                        }
                    }
                }
                if fault == Fault::LoseResponse {
                    let _ = w.shutdown(Shutdown::Both);
                    return;
                }
                if let Fault::Corrupt(at) = fault {
                    let total: usize = data.iter().map(|r| r.len()).sum();
                    let mut left = at.min(total.saturating_sub(1));
                    for r in &data {
                        if left < r.len() {
                            body[r.start + left] ^= 0xff;
                            break;
                        }
                        left -= r.len();
                    }
                }
                let send = match fault {
                    Fault::Truncate(n) => n.min(body.len()),
                    _ => body.len(),
                };
                if w.write_all(&head)
                    .and_then(|_| w.write_all(&body[..send]))
                    .and_then(|_| w.flush())
                    .is_err()
                {
                    return;
                }
                if send < body.len() {
                    let _ = w.shutdown(Shutdown::Both);
                    return;
                }
            }
        });
        let (port, stop) = serve(handler);
        FaultProxy {
            port,
            stop,
            faults,
            requests,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        stop_server(self.port, &self.stop);
    }
}

/// Held by tests that move hundreds of MiB (multipart-sized objects), so
/// that only one of them loads the disk and the two cores at a time and
/// the timing-sensitive tests beside them keep their margins.
pub fn heavy() -> std::sync::MutexGuard<'static, ()> {
    static HEAVY: Mutex<()> = Mutex::new(());
    HEAVY.lock().unwrap_or_else(|p| p.into_inner())
}

/// Deterministic pseudo-random bytes (xorshift), so failures reproduce.
pub fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}
