//! https: a real s3s-fs behind a TLS terminator of our own (rustls server
//! side, certificate minted at test time with rcgen). Untrusted
//! certificates are refused by default with a reason; `--ca-file`, the
//! system store (`SSL_CERT_FILE`) and dovecot.conf's `ssl_client_ca_file`
//! make them trusted; `--insecure` / `ssl_client_require_valid_cert = no`
//! work only with a loud warning. A self-signed certificate marked as a CA
//! (what `openssl req -x509` makes) is trusted when that very certificate
//! is the configured CA, and only then.
use crate::support::s3::*;
use crate::support::*;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A self-signed certificate for `names` (DNS names or IP addresses),
/// written as PEM to `dir/cert.pem`; returns the server config and path.
fn mint(dir: &Path, names: &[&str]) -> (Arc<ServerConfig>, PathBuf) {
    let ck =
        rcgen::generate_simple_self_signed(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("rcgen");
    let pem = dir.join("cert.pem");
    std::fs::write(&pem, ck.cert.pem()).unwrap();
    let cert: CertificateDer<'static> = ck.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let cfg =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .expect("server cert");
    (Arc::new(cfg), pem)
}

/// A TLS terminator on 127.0.0.1 forwarding plaintext to `upstream`.
struct Terminator {
    port: u16,
    /// Connections whose handshake completed (requests could flow).
    handshakes: Arc<AtomicUsize>,
}

impl Terminator {
    fn start(cfg: Arc<ServerConfig>, upstream: u16) -> Terminator {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let handshakes = Arc::new(AtomicUsize::new(0));
        let hs = handshakes.clone();
        std::thread::spawn(move || {
            for c in l.incoming().flatten() {
                let (cfg, hs) = (cfg.clone(), hs.clone());
                std::thread::spawn(move || {
                    let _ = relay(c, upstream, cfg, &hs);
                });
            }
        });
        Terminator { port, handshakes }
    }

    fn endpoint(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }
}

/// Write whatever TLS records rustls has queued.
fn flush_tls(c: &mut ServerConnection, w: &mut TcpStream) -> io::Result<()> {
    while c.wants_write() {
        c.write_tls(w)?;
    }
    Ok(())
}

/// Pump one connection: a thread moves upstream bytes into the TLS
/// session; this one decrypts client bytes and sends them upstream.
fn relay(
    client: TcpStream,
    upstream: u16,
    cfg: Arc<ServerConfig>,
    handshakes: &AtomicUsize,
) -> io::Result<()> {
    client.set_nodelay(true)?;
    let conn = Arc::new(Mutex::new(ServerConnection::new(cfg).unwrap()));
    let up = TcpStream::connect(("127.0.0.1", upstream))?;
    up.set_nodelay(true)?;
    let back = {
        let (conn, mut cw, mut ur) = (conn.clone(), client.try_clone()?, up.try_clone()?);
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = ur.read(&mut buf).unwrap_or(0);
                let mut c = conn.lock().unwrap();
                if n == 0 {
                    c.send_close_notify();
                    let _ = flush_tls(&mut c, &mut cw);
                    let _ = cw.shutdown(Shutdown::Write);
                    return;
                }
                if c.writer().write_all(&buf[..n]).is_err() || flush_tls(&mut c, &mut cw).is_err() {
                    return;
                }
            }
        })
    };
    let (mut cr, mut cw, mut uw) = (client.try_clone()?, client, up);
    let r = forward(&conn, &mut cr, &mut cw, &mut uw, handshakes);
    // Closing both sockets also ends the other direction's thread.
    let _ = uw.shutdown(Shutdown::Both);
    let _ = cw.shutdown(Shutdown::Both);
    let _ = back.join();
    r
}

/// Client → upstream: decrypt what arrives, record by record, draining
/// the plaintext as it goes (rustls holds only 16 KiB of it).
fn forward(
    conn: &Mutex<ServerConnection>,
    cr: &mut TcpStream,
    cw: &mut TcpStream,
    uw: &mut TcpStream,
    handshakes: &AtomicUsize,
) -> io::Result<()> {
    let mut counted = false;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = cr.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        let mut plain = Vec::new();
        let mut c = conn.lock().unwrap();
        let mut rd = &buf[..n];
        while !rd.is_empty() {
            c.read_tls(&mut rd)?;
            if let Err(e) = c.process_new_packets() {
                // Send our alert (or the reply to the client's).
                let _ = flush_tls(&mut c, cw);
                return Err(io::Error::other(e));
            }
            if !counted && !c.is_handshaking() {
                counted = true;
                handshakes.fetch_add(1, Ordering::SeqCst);
            }
            let mut chunk = [0u8; 16 * 1024];
            loop {
                match c.reader().read(&mut chunk) {
                    Ok(0) => break,
                    Ok(k) => plain.extend_from_slice(&chunk[..k]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
        }
        flush_tls(&mut c, cw)?;
        drop(c);
        if !plain.is_empty() {
            uw.write_all(&plain)?;
        }
    }
}

/// The s3s-fs URL with its host:port moved to the terminator, https.
fn https_url(s: &S3s, t: &Terminator) -> String {
    s.url(true)
        .replace("http://", "https://")
        .replace(&format!(":{}/", s.port), &format!(":{}/", t.port))
}

const WARNING: &str = "WARNING: TLS CERTIFICATE VERIFICATION IS DISABLED";

#[test]
fn self_signed_is_refused_by_default_and_trusted_with_ca_file() {
    let s = S3s::start();
    let dir = tempdir();
    let (cfg, pem) = mint(dir.path(), &["localhost", "127.0.0.1"]);
    let t = Terminator::start(cfg, s.port);
    let url = https_url(&s, &t);

    // Refused: exit 1, the reason and the fix named, at once (no retries).
    let started = Instant::now();
    let o = run_stdin(["put", "-", "tls/a", "--url", &url], b"over tls");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("9003 TLS certificate verification failed")
            && e.contains("not signed by a trusted CA")
            && e.contains("--ca-file"),
        "{e}"
    );
    assert!(
        !e.contains("attempts"),
        "a bad certificate is not retried: {e}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(!e.contains(SECRET) && !e.contains("s3cr3t"), "{e}");
    assert_eq!(t.handshakes.load(Ordering::SeqCst), 0);
    assert!(
        !s.dir.path().join(BUCKET).join("tls").exists(),
        "nothing reached the server"
    );
    let o = run(["ls", "-r", "--url", &url]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("not signed by a trusted CA"));

    // Trusted through --ca-file: a full round trip over TLS.
    let ca = pem.to_str().unwrap();
    let data = pseudo_random(3 * 1024 * 1024 + 17, 5);
    let src = dir.path().join("src");
    std::fs::write(&src, &data).unwrap();
    ok(&run([
        "put",
        src.to_str().unwrap(),
        "tls/big",
        "--url",
        &url,
        "--ca-file",
        ca,
    ]));
    assert_eq!(
        std::fs::read(s.dir.path().join(BUCKET).join("tls/big")).unwrap(),
        data,
        "stored through TLS"
    );
    let out = dir.path().join("back");
    let o = run([
        "get",
        "tls/big",
        out.to_str().unwrap(),
        "--url",
        &url,
        "--ca-file",
        ca,
    ]);
    ok(&o);
    assert!(!stderr(&o).contains("WARNING"), "{}", stderr(&o));
    assert!(std::fs::read(&out).unwrap() == data);
    assert_eq!(
        ok(&run(["ls", "-r", "--url", &url, "--ca-file", ca])),
        "tls/big\n"
    );
    assert!(t.handshakes.load(Ordering::SeqCst) >= 3);

    // The system store counts as trusted too (rustls-native-certs reads
    // SSL_CERT_FILE before the distribution's bundle).
    let o = cmd()
        .args(["ls", "-r", "--url", &url])
        .env("SSL_CERT_FILE", &pem)
        .output()
        .unwrap();
    assert_eq!(ok(&o), "tls/big\n");

    // A --ca-file without certificates is a start-up error (exit 2).
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let o = run(["ls", "--url", &url, "--ca-file", junk.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("junk.pem") && stderr(&o).contains("no PEM certificates"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn certificate_for_another_name_is_refused_even_with_its_ca() {
    let s = S3s::start();
    let dir = tempdir();
    let (cfg, pem) = mint(dir.path(), &["s3.example.test"]);
    let t = Terminator::start(cfg, s.port);
    let o = run([
        "ls",
        "--url",
        &https_url(&s, &t),
        "--ca-file",
        pem.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("does not name this host"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn insecure_works_only_with_a_loud_warning() {
    let s = S3s::start();
    let dir = tempdir();
    let (cfg, _pem) = mint(dir.path(), &["localhost"]);
    let t = Terminator::start(cfg, s.port);
    let url = https_url(&s, &t);
    let o = run_stdin(
        ["put", "-", "k", "--url", &url, "--insecure"],
        b"unverified",
    );
    ok(&o);
    let e = stderr(&o);
    assert!(e.contains(WARNING) && e.contains("--insecure"), "{e}");
    assert!(e.contains(&format!("https://127.0.0.1:{}", t.port)), "{e}");
    // An http URL sent to an https --endpoint is just as unverified.
    let o = run([
        "get",
        "k",
        "-",
        "--url",
        &s.url(true),
        "--endpoint",
        &t.endpoint(),
        "--insecure",
    ]);
    assert_eq!(o.stdout, b"unverified", "{}", stderr(&o));
    assert!(stderr(&o).contains(WARNING));
    // Over plain http there is nothing to verify, so nothing to warn about.
    let o = run(["ls", "-r", "--url", &s.url(true), "--insecure"]);
    assert_eq!(ok(&o), "k\n");
    assert!(!stderr(&o).contains("WARNING"), "{}", stderr(&o));
}

/// The settings the config branch passes on (dovecot.conf's
/// ssl_client_ca_file / ssl_client_require_valid_cert), through the same
/// Target → Client path the commands use.
#[test]
fn dovecot_ssl_client_settings_reach_the_client() {
    use obox_cli::commands::objects::{FsKind, TargetArgs, target_from_parts};
    use obox_cli::s3::{Client, ClientOptions, PutSource};
    let s = S3s::start();
    let dir = tempdir();
    let (cfg, pem) = mint(dir.path(), &["127.0.0.1"]);
    let t = Terminator::start(cfg, s.port);
    let url = https_url(&s, &t);
    let args = |ca_file: Option<PathBuf>| TargetArgs {
        url: None,
        endpoint: None,
        fs: FsKind::Obox,
        user: None,
        ca_file,
        insecure: false,
        compress: None,
        raw: false,
        verbose: false,
    };
    let client = |target: &obox_cli::commands::objects::Target| {
        let opts = ClientOptions {
            ca_file: target.ca_file.clone(),
            ca_dir: target.ca_dir.clone(),
            insecure: target.insecure.clone(),
            workers: 1,
            ..Default::default()
        };
        Client::with_env(target.endpoint.clone(), &opts, &|_| None).unwrap()
    };
    let put = |c: &Client| c.put("conf/k", PutSource::Bytes(b"v".to_vec()), &[]);

    // Unset settings: default trust, refused.
    let mut target = target_from_parts(&url, None, false, &args(None)).unwrap();
    target.apply_ssl_client_settings(None, None, None).unwrap();
    let e = put(&client(&target)).unwrap_err();
    assert_eq!(e.status(), Some(9003), "{e}");
    // ssl_client_ca_file = <pem>: trusted.
    let mut target = target_from_parts(&url, None, false, &args(None)).unwrap();
    target
        .apply_ssl_client_settings(pem.to_str(), None, Some("yes"))
        .unwrap();
    assert!(target.insecure.is_none());
    put(&client(&target)).unwrap();
    // ssl_client_ca_dir = <dir holding the pem>: trusted as well.
    let mut target = target_from_parts(&url, None, false, &args(None)).unwrap();
    target
        .apply_ssl_client_settings(None, dir.path().to_str(), None)
        .unwrap();
    put(&client(&target)).unwrap();
    // --ca-file beats the config's CA settings.
    let other = tempdir();
    let (_, other_pem) = mint(other.path(), &["127.0.0.1"]);
    let mut target = target_from_parts(&url, None, false, &args(Some(other_pem))).unwrap();
    target
        .apply_ssl_client_settings(pem.to_str(), None, None)
        .unwrap();
    assert_eq!(put(&client(&target)).unwrap_err().status(), Some(9003));
    // ssl_client_require_valid_cert = no: verification off, with a reason.
    let mut target = target_from_parts(&url, None, false, &args(None)).unwrap();
    target
        .apply_ssl_client_settings(None, None, Some("no"))
        .unwrap();
    assert_eq!(
        target.insecure.as_deref(),
        Some("ssl_client_require_valid_cert = no")
    );
    put(&client(&target)).unwrap();
    let mut target = target_from_parts(&url, None, false, &args(None)).unwrap();
    assert!(
        target
            .apply_ssl_client_settings(None, None, Some("maybe"))
            .is_err()
    );
}

// ------------------------------------------- CA certificates as server certificates

/// A rustls server config presenting `cert` with `key`.
fn server_config(cert: CertificateDer<'static>, key: PrivateKeyDer<'static>) -> Arc<ServerConfig> {
    let cfg =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .expect("server cert");
    Arc::new(cfg)
}

/// A self-signed certificate with basicConstraints CA:TRUE for `names`,
/// as `openssl req -x509` makes them; PEM written to `dir/file`.
fn mint_ca(dir: &Path, file: &str, names: &[&str]) -> (Arc<ServerConfig>, PathBuf) {
    let (cert, key, pem) = mint_ca_parts(names);
    let path = dir.join(file);
    std::fs::write(&path, pem).unwrap();
    (server_config(cert, key), path)
}

fn mint_ca_parts(names: &[&str]) -> (CertificateDer<'static>, PrivateKeyDer<'static>, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params =
        rcgen::CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).unwrap();
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    (cert.der().clone(), der, cert.pem())
}

const CA_AS_LEAF: &str =
    "the server's certificate is a CA certificate used as a server certificate";

/// A dovecot.conf whose obox_fs is `url`, with extra global settings.
/// `url` must hold no '%' (see [`PLAIN_SECRET`]).
fn dovecot_conf(dir: &Path, url: &str, extra: &str) -> PathBuf {
    assert!(!url.contains('%'), "{url}");
    let p = dir.join("dovecot.conf");
    std::fs::write(&p, format!("{extra}plugin {{\n  obox_fs = {url}\n}}\n")).unwrap();
    p
}

/// A secret needing no URL escape: a `%%` in obox_fs makes obox-cli ask
/// for --user (it counts `%%` as a per-user variable), which these
/// user-less configs avoid.
const PLAIN_SECRET: &str = "plainS3cretValue";

fn refused_as_ca(o: &Output) {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    let e = stderr(o);
    assert!(
        e.contains("9003 TLS certificate verification failed"),
        "{e}"
    );
    assert!(e.contains(CA_AS_LEAF), "{e}");
    assert!(e.contains("--ca-file"), "the fix is named: {e}");
}

#[test]
fn self_signed_ca_certificate_is_trusted_when_it_is_in_the_ca_file() {
    let s = S3s::start_with("AKIATESTKEY", PLAIN_SECRET);
    let dir = tempdir();
    let (cfg, pem) = mint_ca(dir.path(), "server.pem", &["127.0.0.1"]);
    let t = Terminator::start(cfg, s.port);
    let url = https_url(&s, &t);

    // Default trust: refused, and the message says why in words.
    let o = run_stdin(["put", "-", "ca/a", "--url", &url], b"x");
    refused_as_ca(&o);
    assert!(!stderr(&o).contains("OtherError"), "{}", stderr(&o));
    assert_eq!(t.handshakes.load(Ordering::SeqCst), 0);

    // The certificate itself in --ca-file: trusted, a round trip works.
    let ca = pem.to_str().unwrap();
    ok(&run_stdin(
        ["put", "-", "ca/a", "--url", &url, "--ca-file", ca],
        b"pinned",
    ));
    assert_eq!(
        std::fs::read(s.dir.path().join(BUCKET).join("ca/a")).unwrap(),
        b"pinned"
    );
    let o = run(["get", "ca/a", "-", "--url", &url, "--ca-file", ca]);
    assert_eq!(o.stdout, b"pinned", "{}", stderr(&o));
    assert!(!stderr(&o).contains("WARNING"), "{}", stderr(&o));

    // In a bundle with other CAs it is found too.
    let (_, other_pem) = mint_ca(dir.path(), "other.pem", &["127.0.0.1"]);
    let bundle = dir.path().join("bundle.pem");
    std::fs::write(
        &bundle,
        std::fs::read_to_string(&other_pem).unwrap() + &std::fs::read_to_string(&pem).unwrap(),
    )
    .unwrap();
    let o = run([
        "ls",
        "-r",
        "--url",
        &url,
        "--ca-file",
        bundle.to_str().unwrap(),
    ]);
    assert_eq!(ok(&o), "ca/a\n");

    // A different CA certificate (same name, other key) is no trust.
    let o = run([
        "ls",
        "--url",
        &url,
        "--ca-file",
        other_pem.to_str().unwrap(),
    ]);
    refused_as_ca(&o);

    // dovecot.conf's ssl_client_ca_file, through the binary.
    let conf = dovecot_conf(
        dir.path(),
        &format!("s3:{url}"),
        &format!("ssl_client_ca_file = {ca}\n"),
    );
    let c = conf.to_str().unwrap();
    let o = run_stdin(["put", "-", "ca/conf", "-c", c], b"via conf");
    ok(&o);
    assert_eq!(run(["get", "ca/conf", "-", "-c", c]).stdout, b"via conf");
    // ... and the same config pointing at the other CA: refused.
    let conf = dovecot_conf(
        dir.path(),
        &format!("s3:{url}"),
        &format!("ssl_client_ca_file = {}\n", other_pem.display()),
    );
    refused_as_ca(&run(["ls", "-c", conf.to_str().unwrap()]));
}

#[test]
fn pinned_ca_certificate_still_needs_the_right_name_and_key() {
    let s = S3s::start();
    let dir = tempdir();
    // Trusted by identity, but it names another host.
    let (cfg, pem) = mint_ca(dir.path(), "elsewhere.pem", &["s3.example.test"]);
    let t = Terminator::start(cfg, s.port);
    let o = run([
        "ls",
        "--url",
        &https_url(&s, &t),
        "--ca-file",
        pem.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("does not name this host"),
        "{}",
        stderr(&o)
    );

    // The right certificate shown by a server that lacks its key (it signs
    // the handshake with another one): refused.
    let (cert, _key, cert_pem) = mint_ca_parts(&["127.0.0.1"]);
    let (_, other_key, _) = mint_ca_parts(&["127.0.0.1"]);
    let ca = dir.path().join("stolen.pem");
    std::fs::write(&ca, cert_pem).unwrap();
    let signer = rustls::crypto::ring::sign::any_supported_type(&other_key).unwrap();
    let ck = Arc::new(rustls::sign::CertifiedKey::new(vec![cert], signer));
    let cfg =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(Fixed(ck)));
    let t = Terminator::start(Arc::new(cfg), s.port);
    let o = run([
        "ls",
        "--url",
        &https_url(&s, &t),
        "--ca-file",
        ca.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("9003"), "{}", stderr(&o));
    assert_eq!(t.handshakes.load(Ordering::SeqCst), 0);
}

/// A server certificate resolver that always shows one (possibly
/// mismatched) certificate and key.
#[derive(Debug)]
struct Fixed(Arc<rustls::sign::CertifiedKey>);

impl rustls::server::ResolvesServerCert for Fixed {
    fn resolve(
        &self,
        _hello: rustls::server::ClientHello<'_>,
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
}

/// The usual `openssl req -x509 ... -addext subjectAltName=IP:127.0.0.1`
/// certificate (openssl comes with dovecot-core, which the suite needs).
#[test]
fn openssl_self_signed_certificate_is_trusted_with_ca_file() {
    let openssl = require_program(
        "openssl",
        "apt-get install openssl (dovecot-core depends on it)",
    );
    let s = S3s::start();
    let dir = tempdir();
    let (cert_pem, key_pem) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let st = std::process::Command::new(openssl.clone())
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(&key_pem)
        .arg("-out")
        .arg(&cert_pem)
        .output()
        .unwrap();
    assert!(st.status.success(), "{}", stderr(&st));
    // It really is marked as a CA (that is the case under test).
    let text = std::process::Command::new(openssl)
        .args(["x509", "-noout", "-text", "-in"])
        .arg(&cert_pem)
        .output()
        .unwrap();
    assert!(stdout(&text).contains("CA:TRUE"), "{}", stdout(&text));
    let cert = rustls_pemfile::certs(&mut &std::fs::read(&cert_pem).unwrap()[..])
        .next()
        .unwrap()
        .unwrap();
    let key = rustls_pemfile::private_key(&mut &std::fs::read(&key_pem).unwrap()[..])
        .unwrap()
        .unwrap();
    let t = Terminator::start(server_config(cert, key), s.port);
    let url = https_url(&s, &t);
    refused_as_ca(&run_stdin(["put", "-", "o/1", "--url", &url], b"x"));
    let ca = cert_pem.to_str().unwrap();
    ok(&run_stdin(
        ["put", "-", "o/1", "--url", &url, "--ca-file", ca],
        b"openssl",
    ));
    assert_eq!(
        run(["get", "o/1", "-", "--url", &url, "--ca-file", ca]).stdout,
        b"openssl"
    );
}

#[test]
fn require_valid_cert_no_in_dovecot_conf_warns_loudly() {
    let s = S3s::start_with("AKIATESTKEY", PLAIN_SECRET);
    let dir = tempdir();
    let (cfg, _pem) = mint(dir.path(), &["localhost"]);
    let t = Terminator::start(cfg, s.port);
    let url = https_url(&s, &t);
    let conf = dovecot_conf(
        dir.path(),
        &format!("s3:{url}"),
        "ssl_client_require_valid_cert = no\n",
    );
    let c = conf.to_str().unwrap();
    let o = run_stdin(["put", "-", "w/1", "-c", c], b"unverified");
    ok(&o);
    let e = stderr(&o);
    assert!(
        e.contains(WARNING) && e.contains("ssl_client_require_valid_cert = no"),
        "{e}"
    );
    assert!(e.contains(&format!("https://127.0.0.1:{}", t.port)), "{e}");
    assert!(!e.contains(PLAIN_SECRET), "{e}");
    let o = run(["get", "w/1", "-", "-c", c]);
    assert_eq!(o.stdout, b"unverified");
    assert!(stderr(&o).contains(WARNING), "{}", stderr(&o));
    // Without the setting, the same config is refused.
    let conf = dovecot_conf(dir.path(), &format!("s3:{url}"), "");
    let o = run(["ls", "-c", conf.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!stderr(&o).contains(WARNING));
}
