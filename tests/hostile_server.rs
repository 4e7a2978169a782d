//! The object commands against servers that misbehave on purpose (and a
//! recording proxy in front of the real s3s-fs): what is sent must be
//! checkable by the server, and whatever a server does, memory and time
//! stay bounded and failures are clear.
use crate::support::s3::*;
use crate::support::*;
use base64::Engine;
use md5::{Digest, Md5};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Accept connections on a fresh loopback port, one thread each, until
/// the returned flag is set.
fn listen(handler: impl Fn(TcpStream) + Send + Sync + 'static) -> (u16, Arc<AtomicBool>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    l.set_nonblocking(true).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let handler = Arc::new(handler);
    std::thread::spawn(move || {
        while !s.load(Ordering::Relaxed) {
            match l.accept() {
                Ok((c, _)) => {
                    c.set_nonblocking(false).unwrap();
                    let h = handler.clone();
                    std::thread::spawn(move || h(c));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    (port, stop)
}

// ------------------------------------------------------------ Content-MD5

/// What the recording proxy saw of one request.
struct Recorded {
    method: String,
    target: String,
    content_md5: Option<String>,
    /// base64 MD5 of the body actually received.
    body_md5: String,
    body_len: usize,
}

/// Relay one response (Content-Length or chunked body) from `up` to `w`.
fn relay_response(up: &mut impl BufRead, w: &mut impl Write, head_only: bool) -> Option<()> {
    let mut head = Vec::new();
    let mut len = None;
    let mut chunked = false;
    loop {
        let mut line = Vec::new();
        if up.read_until(b'\n', &mut line).ok()? == 0 {
            return None;
        }
        head.extend_from_slice(&line);
        let l = String::from_utf8_lossy(&line).to_ascii_lowercase();
        if let Some(v) = l.strip_prefix("content-length:") {
            len = v.trim().parse::<usize>().ok();
        }
        if l.starts_with("transfer-encoding:") && l.contains("chunked") {
            chunked = true;
        }
        if line == b"\r\n" {
            break;
        }
    }
    w.write_all(&head).ok()?;
    if head_only {
        return w.flush().ok();
    }
    if let Some(n) = len {
        let mut body = vec![0; n];
        up.read_exact(&mut body).ok()?;
        w.write_all(&body).ok()?;
    } else if chunked {
        loop {
            let mut line = Vec::new();
            up.read_until(b'\n', &mut line).ok()?;
            w.write_all(&line).ok()?;
            let size =
                usize::from_str_radix(String::from_utf8_lossy(&line).trim().split(';').next()?, 16)
                    .ok()?;
            let mut chunk = vec![0; size + 2];
            up.read_exact(&mut chunk).ok()?;
            w.write_all(&chunk).ok()?;
            if size == 0 {
                break;
            }
        }
    }
    w.flush().ok()
}

/// A proxy in front of s3s-fs that records every request's Content-MD5
/// and the MD5 of the body it really carried.
struct Recorder {
    port: u16,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<Recorded>>>,
}

impl Recorder {
    fn start(upstream: u16) -> Recorder {
        Recorder::start_with(upstream, false)
    }

    /// `corrupt`: flip the first body byte of every PUT on its way.
    fn start_with(upstream: u16, corrupt: bool) -> Recorder {
        let seen: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let s2 = seen.clone();
        let (port, stop) = listen(move |conn| {
            let mut r = BufReader::new(conn.try_clone().unwrap());
            let mut w = conn;
            let Ok(up) = TcpStream::connect(("127.0.0.1", upstream)) else {
                return;
            };
            let mut up_r = BufReader::new(up.try_clone().unwrap());
            let mut up_w = up;
            while let Some(mut req) = read_request(&mut r) {
                if corrupt && req.method == "PUT" && !req.body.is_empty() {
                    req.body[0] ^= 0x20;
                }
                s2.lock().unwrap().push(Recorded {
                    method: req.method.clone(),
                    target: req.target.clone(),
                    content_md5: req.header("content-md5").map(str::to_owned),
                    body_md5: base64::engine::general_purpose::STANDARD
                        .encode(Md5::digest(&req.body)),
                    body_len: req.body.len(),
                });
                if up_w
                    .write_all(&req.head)
                    .and_then(|_| up_w.write_all(&req.body))
                    .is_err()
                {
                    return;
                }
                if relay_response(&mut up_r, &mut w, req.method == "HEAD").is_none() {
                    return;
                }
            }
        });
        Recorder { port, stop, seen }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Uploads seen since the last call: every PUT with a body.
    fn take_puts(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.seen.lock().unwrap())
            .into_iter()
            .filter(|r| r.method == "PUT")
            .collect()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Every upload carries a Content-MD5 of exactly the bytes sent: a file
/// (streamed from disk), a tree, a big file's parts, stdin (one PUT and
/// multipart), with SigV4 and SigV2 (which signs the header).
#[test]
fn every_upload_sends_a_correct_content_md5() {
    let s = S3s::start();
    let rec = Recorder::start(s.port);
    let t = tempdir();
    let small = t.path().join("small");
    std::fs::write(&small, pseudo_random(300_000, 1)).unwrap();
    let tree = t.path().join("tree");
    std::fs::create_dir_all(tree.join("a")).unwrap();
    for i in 0..5 {
        std::fs::write(
            tree.join(format!("a/f{i}")),
            pseudo_random(1000 + i, i as u64),
        )
        .unwrap();
    }
    let big = t.path().join("big");
    std::fs::write(&big, pseudo_random(70 * 1024 * 1024, 7)).unwrap();
    let stream = pseudo_random(17 * 1024 * 1024, 9);
    for v4 in [true, false] {
        let url = s.url(v4);
        let e = rec.endpoint();
        let base = ["--url", url.as_str(), "--endpoint", e.as_str()];
        let with = |args: &[&str]| {
            let mut v: Vec<&str> = args.to_vec();
            v.extend_from_slice(&base);
            v.into_iter().map(String::from).collect::<Vec<_>>()
        };
        let small_s = small.to_str().unwrap();
        let tree_s = tree.to_str().unwrap();
        let big_s = big.to_str().unwrap();
        let cases: [(&str, Vec<String>, &[u8], usize); 5] = [
            ("put FILE", with(&["put", small_s, "s"]), b"", 1),
            ("put -r", with(&["put", "-r", tree_s, "tree/"]), b"", 5),
            ("multipart file", with(&["put", big_s, "big"]), b"", 5),
            ("stdin", with(&["put", "-", "in"]), b"from stdin", 1),
            ("multipart stdin", with(&["put", "-", "in2"]), &stream, 3),
        ];
        for (name, args, input, parts) in cases {
            let o = if input.is_empty() {
                run(args)
            } else {
                run_stdin(args, input)
            };
            ok(&o);
            let puts = rec.take_puts();
            assert_eq!(puts.len(), parts, "{name} v4={v4}");
            for p in &puts {
                assert!(p.body_len > 0, "{name}: {}", p.target);
                assert_eq!(
                    p.content_md5.as_deref(),
                    Some(p.body_md5.as_str()),
                    "{name} v4={v4}: {} {}",
                    p.method,
                    p.target
                );
            }
        }
    }
}

/// The header is checked end to end: a proxy flips one byte of every
/// upload body on the way, and s3s-fs refuses it (BadDigest) instead of
/// accepting them; obox-cli fails clearly.
#[test]
fn corrupted_upload_is_refused_by_content_md5() {
    let s = S3s::start();
    let rec = Recorder::start_with(s.port, true);
    let t = tempdir();
    let f = t.path().join("f");
    std::fs::write(&f, pseudo_random(100_000, 3)).unwrap();
    for v4 in [true, false] {
        let url = s.url_with(v4, "max_retries=0");
        let e = rec.endpoint();
        let o = run([
            "put",
            f.to_str().unwrap(),
            "file",
            "--url",
            &url,
            "--endpoint",
            &e,
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("BadDigest"), "{}", stderr(&o));
        let o = run_stdin(
            ["put", "-", "stdin", "--url", &url, "--endpoint", &e],
            b"abc",
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        // SigV4 signs an in-memory body's SHA-256 too, which s3s-fs checks
        // first (and reports as an internal error); SigV2 has only the MD5.
        if !v4 {
            assert!(stderr(&o).contains("BadDigest"), "{}", stderr(&o));
        }
        // (Whether the refused bytes stay behind is up to the server: S3
        // keeps nothing; s3s-fs 0.14 writes the object before comparing.)
    }
}

// ------------------------------------------------------- fake servers

/// A loopback server answering each request (one per connection) with
/// `respond`. Stops when dropped.
struct Fake {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicU64>,
}

impl Fake {
    fn start(respond: impl Fn(&HttpReq, &mut TcpStream) + Send + Sync + 'static) -> Fake {
        let requests = Arc::new(AtomicU64::new(0));
        let n = requests.clone();
        let (port, stop) = listen(move |conn| {
            let mut r = BufReader::new(conn.try_clone().unwrap());
            let mut w = conn;
            if let Some(req) = read_request(&mut r) {
                n.fetch_add(1, Ordering::Relaxed);
                respond(&req, &mut w);
            }
        });
        Fake {
            port,
            stop,
            requests,
        }
    }

    fn url(&self, extra: &str) -> String {
        format!(
            "http://AKIDHOSTILE:SECRETHOSTILE@127.0.0.1:{}/?bucket=b&region=us-east-1{extra}",
            self.port
        )
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn reply(w: &mut TcpStream, status: &str, headers: &str, body: &[u8]) {
    let _ = w.write_all(
        format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n",
            body.len()
        )
        .as_bytes(),
    );
    let _ = w.write_all(body);
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run obox-cli for at most `limit`, sampling its peak RSS; returns the
/// exit code (None when killed), stderr, the peak at `mark` and at the end
/// (KiB), and the seconds it ran.
fn run_sampled(
    args: &[&str],
    mark: Duration,
    limit: Duration,
) -> (Option<i32>, String, u64, u64, f64) {
    let start = Instant::now();
    let mut child = cmd()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        while let Ok(n) = err.read(&mut buf) {
            if n == 0 {
                break;
            }
            if kept.len() < 64 * 1024 {
                kept.extend_from_slice(&buf[..n]);
            }
        }
        String::from_utf8_lossy(&kept).into_owned()
    });
    let (mut at_mark, mut peak) = (0, 0);
    let code = loop {
        if let Some(k) = vm_hwm_kib(pid) {
            peak = peak.max(k);
            if start.elapsed() <= mark {
                at_mark = peak;
            }
        }
        if let Some(st) = child.try_wait().unwrap() {
            break st.code();
        }
        if start.elapsed() > limit {
            // Ends the way Ctrl-C would.
            unsafe { libc::kill(pid as i32, libc::SIGINT) };
            break child.wait().unwrap().code();
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let secs = start.elapsed().as_secs_f64();
    (code, reader.join().unwrap(), at_mark, peak, secs)
}

/// A listing that never ends: every page holds 1000 fresh keys and says
/// there is more. `get -r` starts downloading with the first page and its
/// memory stays flat (the listing waits for the downloads), where it used
/// to collect every key first (680 MB after 80 s, no download started).
#[test]
fn endless_listing_of_fresh_keys_streams_in_bounded_memory() {
    let body = b"x";
    let etag = format!("\"{}\"", hex::encode(Md5::digest(body)));
    let pages = Arc::new(AtomicU64::new(0));
    let p2 = pages.clone();
    let srv = Fake::start(move |req, w| {
        if req.target.starts_with("/b/?") || req.target.starts_with("/b?") {
            let page = p2.fetch_add(1, Ordering::Relaxed);
            let mut xml = String::from("<ListBucketResult><IsTruncated>true</IsTruncated>");
            for j in 0..1000 {
                xml.push_str(&format!(
                    "<Contents><Key>pre/k{page:09}-{j:04}</Key><Size>1</Size></Contents>"
                ));
            }
            xml.push_str(&format!(
                "<NextMarker>pre/k{page:09}-0999</NextMarker></ListBucketResult>"
            ));
            reply(w, "200 OK", "", xml.as_bytes());
        } else {
            reply(w, "200 OK", &format!("ETag: {etag}\r\n"), body);
        }
    });
    let t = tempdir();
    let dir = t.path().join("out");
    let url = srv.url("");
    let (code, err, at_mark, peak, _) = run_sampled(
        &[
            "get",
            "-r",
            "pre/",
            dir.to_str().unwrap(),
            "--url",
            &url,
            "-j",
            "8",
        ],
        Duration::from_secs(3),
        Duration::from_secs(8),
    );
    let downloaded = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    let listed = pages.load(Ordering::Relaxed);
    eprintln!(
        "endless listing: {listed} pages, {downloaded} files, peak {} KiB at 3 s, {} KiB at 8 s",
        at_mark, peak
    );
    // Ended by the harness's Ctrl-C (130), not finished by itself.
    assert_eq!(code, Some(130), "interrupted, not finished: {err}");
    let temporary = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".obox-cli-")
        })
        .count();
    assert_eq!(temporary, 0, "temporary files left after Ctrl-C");
    assert!(downloaded > 100, "downloads start during the listing");
    assert!(peak < 64 * 1024, "{peak} KiB");
    assert!(peak < at_mark + 12 * 1024, "flat: {at_mark} -> {peak} KiB");
    // The listing is held back by the downloads: at most a few pages ahead.
    assert!(
        listed * 1000 <= downloaded as u64 + 8 + 4 * 1000,
        "{listed} pages for {downloaded} downloads"
    );
}

/// A server that answers at once but drips its body out, a byte every
/// 0.3 s: the per-read timeout never fires, yet with timeout=1s the
/// listing page (whole body due within the timeout) and the object body
/// (at least 16 KiB per timeout period) time out with 9008 and are
/// retried, and the command ends.
#[test]
fn trickling_bodies_time_out() {
    const LEN: u64 = 1_000_000;
    let srv = Fake::start(|req, w| {
        let listing = req.target.starts_with("/b/?") || req.target.starts_with("/b?");
        let from: u64 = req
            .header("range")
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.split('-').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let head = if listing {
            "HTTP/1.1 200 OK\r\nContent-Length: 200\r\nConnection: close\r\n\r\n".to_string()
        } else if from > 0 {
            format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Length: {}\r\nContent-Range: bytes {from}-{}/{LEN}\r\nETag: \"x\"\r\nConnection: close\r\n\r\n",
                LEN - from,
                LEN - 1
            )
        } else {
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {LEN}\r\nETag: \"x\"\r\nConnection: close\r\n\r\n"
            )
        };
        if w.write_all(head.as_bytes()).is_err() {
            return;
        }
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if w.write_all(b"<").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    let url = srv.url("&timeout=1s&max_retries=1");
    for args in [
        vec!["ls", "--url", url.as_str(), "-v"],
        vec!["get", "--url", url.as_str(), "obj", "-", "-v"],
    ] {
        let start = Instant::now();
        let o = run(&args);
        let secs = start.elapsed().as_secs_f64();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {e}");
        assert!(e.contains("9008"), "{args:?}: {e}");
        assert!(e.contains("(after 2 attempts)"), "{args:?}: {e}");
        assert!(secs < 10.0, "{args:?}: {secs} s");
        assert!(!e.contains("SECRETHOSTILE"));
    }
}

/// A refused connect is retried `max_connect_retries` times with
/// lib-http's backoff (100, 200, 400 ms), not `max_retries` times, and
/// the log shows one request id with its attempts.
#[test]
fn connect_failures_use_max_connect_retries() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = |extra: &str| {
        format!("http://AK:SK@127.0.0.1:{port}/?bucket=b&region=us-east-1&max_retries=0{extra}")
    };
    let start = Instant::now();
    let o = run(["ls", "--url", &url("&max_connect_retries=3"), "-v"]);
    let secs = start.elapsed().as_secs_f64();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert_eq!(e.matches("failed: 9003").count(), 4, "{e}");
    assert_eq!(e.matches("[Req1: GET").count(), 4, "one request id: {e}");
    for n in 1..=4 {
        assert!(e.contains(&format!("attempt {n})")), "{e}");
    }
    assert!(e.contains("(after 4 attempts)"), "{e}");
    assert!(secs >= 0.7, "backoff 100+200+400 ms: {secs} s");
    let o = run([
        "ls",
        "--url",
        &url("&max_connect_retries=0&max_retries=4"),
        "-v",
    ]);
    assert_eq!(
        stderr(&o).matches("failed: 9003").count(),
        1,
        "{}",
        stderr(&o)
    );
}

/// IMDS credentials that the server calls expired: new ones are fetched
/// and the request is sent again at once (it used to fail).
#[test]
fn expired_token_is_retried_with_fresh_credentials() {
    let stub = ImdsStub::start(
        "app",
        "imds-key",
        "imds-secret",
        Duration::from_secs(600),
        Duration::from_secs(3600),
    );
    let body = b"payload";
    let etag = format!("\"{}\"", hex::encode(Md5::digest(body)));
    let puts = Arc::new(AtomicU64::new(0));
    let p2 = puts.clone();
    let srv = Fake::start(move |req, w| {
        if req.method == "PUT" && p2.fetch_add(1, Ordering::Relaxed) == 0 {
            reply(
                w,
                "400 Bad Request",
                "",
                b"<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>",
            );
        } else {
            reply(w, "200 OK", &format!("ETag: {etag}\r\n"), b"");
        }
    });
    let url = format!(
        "http://127.0.0.1:{}/?bucket=b&region=us-east-1&auth_role=app&auth_host=127.0.0.1:{}&max_retries=0",
        srv.port, stub.port
    );
    let o = run_stdin(["put", "-", "k", "--url", &url, "-v"], body);
    let e = stderr(&o);
    assert!(o.status.success(), "{e}");
    assert_eq!(puts.load(Ordering::Relaxed), 2, "{e}");
    assert_eq!(stub.creds_issued.load(Ordering::SeqCst), 2, "{e}");
    assert!(
        e.contains("Got 400 response for request [Req1: PUT") && e.contains("attempt 1)"),
        "{e}"
    );
    assert!(
        e.contains("Got 200 response for request [Req1: PUT") && e.contains("attempt 2)"),
        "{e}"
    );
    assert!(srv.requests.load(Ordering::Relaxed) == 2);
}
