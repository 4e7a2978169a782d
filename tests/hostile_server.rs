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
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\n{}\n{}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

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
            let size = usize::from_str_radix(
                String::from_utf8_lossy(&line).trim().split(';').next()?,
                16,
            )
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
        std::fs::write(tree.join(format!("a/f{i}")), pseudo_random(1000 + i, i as u64)).unwrap();
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
        let cases: Vec<(&str, Output, usize)> = vec![
            ("put FILE", run(with(&["put", small.to_str().unwrap(), "s"])), 1),
            (
                "put -r",
                run(with(&["put", "-r", tree.to_str().unwrap(), "tree/"])),
                5,
            ),
            ("multipart file", run(with(&["put", big.to_str().unwrap(), "big"])), 5),
            ("stdin", run_stdin(with(&["put", "-", "in"]), b"from stdin"), 1),
            ("multipart stdin", run_stdin(with(&["put", "-", "in2"]), &stream), 3),
        ];
        for (name, o, parts) in cases {
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
/// storing corrupt bytes; obox-cli fails clearly and nothing is stored.
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
        let o = run(["put", f.to_str().unwrap(), "file", "--url", &url, "--endpoint", &e]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("BadDigest"), "{}", stderr(&o));
        let o = run_stdin(["put", "-", "stdin", "--url", &url, "--endpoint", &e], b"abc");
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("BadDigest"), "{}", stderr(&o));
        assert_eq!(ok(&run(["ls", "-r", "--url", &s.url(v4)])), "");
    }
}
