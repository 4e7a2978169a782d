//! Integration tests for `obox-cli ls/get/put/rm/stat` against a real
//! s3s-fs (each test starts its own), moto's IMDS, a strict IMDSv2 stub
//! and a fault-injecting proxy.
use crate::support::s3::*;
use crate::support::*;
use std::process::Output;
use std::time::Duration;

fn no_secret(o: &Output) {
    for text in [stdout(o), stderr(o)] {
        assert!(
            !text.contains(SECRET) && !text.contains(SECRET_IN_URL) && !text.contains("s3cr3t"),
            "secret leaked: {text}"
        );
    }
}

/// put (file and stdin), ls, stat, get (file and stdout), rm through one URL.
fn round_trip(url: &str, endpoint: Option<&str>) {
    let t = tempdir();
    let mut target = vec!["--url".to_string(), url.to_string(), "-v".to_string()];
    if let Some(e) = endpoint {
        target.extend(["--endpoint".to_string(), e.to_string()]);
    }
    let with = |args: &[&str]| -> Vec<String> {
        args.iter()
            .map(|s| s.to_string())
            .chain(target.iter().cloned())
            .collect()
    };
    let src = t.path().join("mail.eml");
    let data = pseudo_random(100_000, 7);
    std::fs::write(&src, &data).unwrap();
    let o = run(with(&[
        "put",
        src.to_str().unwrap(),
        "user/mailboxes/a b+c.eml",
        "--meta",
        "dovecot-size=100000",
    ]));
    ok(&o);
    no_secret(&o);
    ok(&run_stdin(
        with(&["put", "-", "user/idx/bundle.1"]),
        b"index bytes",
    ));
    let o = run(with(&["ls", "user/", "-r"]));
    assert_eq!(ok(&o), "user/idx/bundle.1\nuser/mailboxes/a b+c.eml\n");
    assert!(
        stderr(&o).contains("Got 200 response for request [Req1: GET "),
        "{}",
        stderr(&o)
    );
    no_secret(&o);
    assert_eq!(
        ok(&run(with(&["ls", "user/"]))),
        "user/idx/\nuser/mailboxes/\n"
    );
    let json = ok(&run(with(&["ls", "user/mailboxes/", "--json"])));
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(v["size"], 100_000);
    let st = ok(&run(with(&["stat", "user/mailboxes/a b+c.eml"])));
    assert!(
        st.contains("size: 100000\n") && st.contains("x-amz-meta-dovecot-size: 100000\n"),
        "{st}"
    );
    let dest = t.path().join("out.eml");
    ok(&run(with(&[
        "get",
        "user/mailboxes/a b+c.eml",
        dest.to_str().unwrap(),
    ])));
    assert_eq!(std::fs::read(&dest).unwrap(), data);
    let o = run(with(&["get", "user/idx/bundle.1", "-"]));
    assert_eq!(o.stdout, b"index bytes");
    ok(&run(with(&["rm", "user/idx/bundle.1"])));
    assert_eq!(ok(&run(with(&["ls", "-r"]))), "user/mailboxes/a b+c.eml\n");
    let o = run(with(&["stat", "user/idx/bundle.1"]));
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("404"), "{}", stderr(&o));
    assert_eq!(entries(t.path()), ["mail.eml", "out.eml"]);
}

#[test]
fn round_trip_sigv4_path_style() {
    let s = S3s::start();
    round_trip(&s.url(true), None);
}

#[test]
fn round_trip_sigv2_path_style() {
    let s = S3s::start();
    round_trip(&s.url(false), None);
}

#[test]
fn round_trip_virtual_hosted_sigv4_and_sigv2() {
    let s = S3s::start();
    round_trip(&s.vhost_url(true), Some(&s.endpoint()));
    let s = S3s::start();
    round_trip(&s.vhost_url(false), Some(&s.endpoint()));
}

#[test]
fn url_path_is_a_key_prefix() {
    let s = S3s::start();
    let url = format!(
        "http://AKIATESTKEY:{SECRET_IN_URL}@127.0.0.1:{}/b5%2F899/user@x/fts/?bucket={BUCKET}&region=us-east-1",
        s.port
    );
    ok(&run_stdin(["put", "-", "fts.S", "--url", &url], b"x"));
    assert_eq!(ok(&run(["ls", "-r", "--url", &url])), "fts.S\n");
    assert_eq!(
        ok(&run(["ls", "-r", "--url", &s.url(true)])),
        "b5/899/user@x/fts/fts.S\n"
    );
}

#[test]
fn listing_past_1000_keys_and_bulk_delete() {
    let s = S3s::start();
    let t = tempdir();
    let d = t.path().join("tree");
    for i in 0..2100 {
        let sub = d.join(format!("d{}", i % 3));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("k{i:05}")), i.to_string()).unwrap();
    }
    ok(&run([
        "put",
        "-r",
        d.to_str().unwrap(),
        "many",
        "-j",
        "8",
        "--url",
        &s.url(true),
    ]));
    let o = run(["ls", "many/", "-r", "--url", &s.url(true), "-v"]);
    let keys = ok(&o);
    assert_eq!(keys.lines().count(), 2100);
    assert!(keys.contains("many/d2/k02099\n") && keys.contains("many/d0/k00000\n"));
    assert_eq!(
        stderr(&o).matches("Got 200 response").count(),
        3,
        "three pages: {}",
        stderr(&o)
    );
    // ListObjects v1 as obox pages: marker, no list-type.
    assert!(stderr(&o).contains("marker=many%2Fd"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("list-type"), "{}", stderr(&o));
    // SigV2 signs no query parameter of a listing; v1 pages the same.
    let o = run(["ls", "many/", "-r", "--url", &s.url(false), "-v"]);
    assert_eq!(ok(&o), keys);
    // ListObjectsV2 on request, with both signatures.
    for v4 in [true, false] {
        let o = run(["ls", "many/", "-r", "--list-v2", "--url", &s.url(v4), "-v"]);
        assert_eq!(ok(&o), keys, "v2 listing, v4 signing {v4}");
        assert!(stderr(&o).contains("list-type=2"), "{}", stderr(&o));
        assert!(stderr(&o).contains("continuation-token="), "{}", stderr(&o));
    }
    // One directory level, past 1000 entries: the marker is the page's
    // last key or common prefix.
    let o = run(["ls", "many/d0/", "--url", &s.url(true)]);
    assert_eq!(ok(&o).lines().count(), 700);
    let dl = t.path().join("dl");
    ok(&run([
        "get",
        "-r",
        "many/d1/",
        dl.to_str().unwrap(),
        "--url",
        &s.url(false),
    ]));
    assert_eq!(std::fs::read_to_string(dl.join("k00001")).unwrap(), "1");
    assert_eq!(entries(&dl).len(), 700);
    let dl2 = t.path().join("dl2");
    ok(&run([
        "get",
        "-r",
        "--list-v2",
        "many/d2/",
        dl2.to_str().unwrap(),
        "--url",
        &s.url(true),
    ]));
    assert_eq!(entries(&dl2).len(), 700);
    let o = run([
        "rm",
        "-r",
        "many/",
        "--url",
        &s.url_with(true, "bulk_delete_limit=500"),
        "-v",
    ]);
    ok(&o);
    // Pages of 1000, 1000, 100 keys in batches of at most 500.
    assert_eq!(stderr(&o).matches("POST ").count(), 5, "{}", stderr(&o));
    assert_eq!(ok(&run(["ls", "-r", "--url", &s.url(true)])), "");
}

#[test]
fn wrong_secret_is_403_with_a_clear_error() {
    let s = S3s::start();
    for v4 in [true, false] {
        let r = if v4 { "&region=us-east-1" } else { "" };
        let url = format!(
            "http://AKIATESTKEY:wr0ng%2Fs3cr3tX@127.0.0.1:{}/?bucket={BUCKET}{r}",
            s.port
        );
        let o = run_stdin(["put", "-", "k", "--url", &url, "-v"], b"data");
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains("403 SignatureDoesNotMatch") && e.contains("wrong secret"),
            "{e}"
        );
        assert!(!e.contains("wr0ng") && !e.contains("s3cr3t"), "{e}");
        let o = run(["ls", "--url", &url]);
        assert_eq!(code(&o), 1);
        assert!(
            stderr(&o).contains("LIST : 403") || stderr(&o).contains("LIST"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn missing_key_fails_and_leaves_nothing() {
    let s = S3s::start();
    let t = tempdir();
    let dest = t.path().join("x");
    let o = run([
        "get",
        "no/such/key",
        dest.to_str().unwrap(),
        "--url",
        &s.url(true),
    ]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("GET no/such/key: 404"),
        "{}",
        stderr(&o)
    );
    assert_eq!(entries(t.path()), Vec::<String>::new());
}

#[test]
fn credentials_from_environment_or_a_clear_error() {
    let s = S3s::start();
    let url = format!(
        "http://127.0.0.1:{}/?bucket={BUCKET}&region=us-east-1",
        s.port
    );
    let o = run(["ls", "--url", &url]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(
        e.contains("no usable credentials")
            && e.contains("URL userinfo")
            && e.contains("AWS_ACCESS_KEY_ID"),
        "{e}"
    );
    let o = cmd()
        .args(["ls", "--url", &url])
        .env("AWS_ACCESS_KEY_ID", "AKIATESTKEY")
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .output()
        .unwrap();
    ok(&o);
    // A dead IMDS is named among the sources tried.
    let dead = free_port();
    let o = run([
        "ls",
        "--url",
        &format!("{url}&auth_role=r&auth_host=127.0.0.1:{dead}"),
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains(&format!("IMDSv2 role r at 127.0.0.1:{dead}")),
        "{}",
        stderr(&o)
    );
}

#[test]
fn imds_credentials_from_moto() {
    let moto = Moto::start();
    // moto's IMDS hands out these fixed keys.
    let s = S3s::start_with("test-key", "test-secret-key");
    for r in ["&region=us-east-1", ""] {
        let url = format!(
            "http://127.0.0.1:{}/?bucket={BUCKET}{r}&auth_role=default-role&auth_host=127.0.0.1:{}",
            s.port, moto.port
        );
        let o = run_stdin(["put", "-", "imds/obj", "--url", &url, "-v"], b"via imds");
        ok(&o);
        assert!(
            !stderr(&o).contains("test-secret-key") && !stderr(&o).contains("test-session-token")
        );
        assert_eq!(
            run(["get", "imds/obj", "-", "--url", &url]).stdout,
            b"via imds"
        );
    }
}

#[test]
fn imds_stub_token_expiry_and_credential_refresh() {
    use obox_cli::s3::{Client, ClientOptions, Endpoint};
    let s = S3s::start_with("stub-key", "stub-secret");
    let stub = ImdsStub::start(
        "app",
        "stub-key",
        "stub-secret",
        // Lifetimes long enough that the first requests finish well within
        // half the credential lifetime even on a loaded machine.
        Duration::from_secs(3),
        Duration::from_secs(8),
    );
    let url = format!(
        "http://127.0.0.1:{}/?bucket={BUCKET}&region=us-east-1&auth_role=app&auth_host=127.0.0.1:{}",
        s.port, stub.port
    );
    let ep = Endpoint::parse(&url).unwrap();
    let client = Client::with_env(ep, &ClientOptions::default(), &|_| None).unwrap();
    assert_eq!(
        stub.creds_issued.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    client
        .put("a", obox_cli::s3::PutSource::Bytes(b"1".to_vec()), &[])
        .unwrap();
    client
        .put("b", obox_cli::s3::PutSource::Bytes(b"2".to_vec()), &[])
        .unwrap();
    assert_eq!(
        stub.creds_issued.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "cached while fresh"
    );
    // Past half the credential lifetime: refreshed before expiry; the
    // session token has expired meanwhile, so the stub answers 401 once and
    // the client fetches a new token.
    std::thread::sleep(Duration::from_millis(4500));
    let mut out = Vec::new();
    client.get("a", &mut out).unwrap();
    assert_eq!(out, b"1");
    assert_eq!(
        stub.creds_issued.load(std::sync::atomic::Ordering::SeqCst),
        2
    );
    assert_eq!(
        stub.tokens_issued.load(std::sync::atomic::Ordering::SeqCst),
        2
    );
    assert_eq!(
        stub.rejected.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one 401 for the expired token"
    );
    let dbg = format!("{client:?}");
    assert!(
        !dbg.contains("stub-secret") && !dbg.contains("session-"),
        "{dbg}"
    );
}

#[test]
fn compress_round_trips_every_algorithm() {
    let s = S3s::start();
    let t = tempdir();
    let text: Vec<u8> = (0..20_000)
        .flat_map(|i| format!("Received: from host{i}\r\n").into_bytes())
        .collect();
    let src = t.path().join("m");
    std::fs::write(&src, &text).unwrap();
    let url = s.url(true);
    for (spec, magic) in [
        ("gz:6", &b"\x1f\x8b"[..]),
        ("bz2:9", b"BZh9"),
        ("lz4:1", b"Dovecot-LZ4"),
        ("zstd:3", b"\x28\xb5\x2f\xfd"),
    ] {
        let key = format!("c/{spec}");
        ok(&run([
            "put",
            src.to_str().unwrap(),
            &key,
            "--url",
            &url,
            "--compress",
            spec,
        ]));
        let raw = run(["get", &key, "-", "--url", &url, "--raw"]);
        assert!(
            raw.stdout.starts_with(magic),
            "{spec}: stored bytes start {:?}",
            &raw.stdout[..8]
        );
        assert!(raw.stdout.len() < text.len() / 3, "{spec} compressed");
        let dest = t.path().join(format!("out-{spec}"));
        // Reading detects the format, whatever algorithm the layer names.
        ok(&run([
            "get",
            &key,
            dest.to_str().unwrap(),
            "--url",
            &url,
            "--compress",
            "zstd:3",
        ]));
        assert_eq!(std::fs::read(&dest).unwrap(), text, "{spec}");
        // Streaming (stdin, multi-part sized) works too.
    }
    // Plaintext: readable only through maybe-.
    ok(&run([
        "put",
        src.to_str().unwrap(),
        "c/plain",
        "--url",
        &url,
    ]));
    let o = run([
        "get",
        "c/plain",
        "-",
        "--url",
        &url,
        "--compress",
        "maybe-gz:6",
    ]);
    assert_eq!(o.stdout, text);
    let dest = t.path().join("plain-out");
    let o = run([
        "get",
        "c/plain",
        dest.to_str().unwrap(),
        "--url",
        &url,
        "--compress",
        "gz:6",
    ]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("not compressed"), "{}", stderr(&o));
    assert!(!dest.exists());
    // Level 0 stores plaintext, as Dovecot does.
    ok(&run([
        "put",
        src.to_str().unwrap(),
        "c/zero",
        "--url",
        &url,
        "--compress",
        "gz:0",
    ]));
    assert_eq!(
        run(["get", "c/zero", "-", "--url", &url, "--raw"]).stdout,
        text
    );
    let o = run([
        "put",
        src.to_str().unwrap(),
        "c/x",
        "--url",
        &url,
        "--compress",
        "xz:6",
    ]);
    assert_eq!(code(&o), 2);
}

#[test]
fn big_objects_go_multipart_and_round_trip() {
    let s = S3s::start();
    let t = tempdir();
    let big = t.path().join("big");
    let data = pseudo_random(70 * 1024 * 1024, 42);
    std::fs::write(&big, &data).unwrap();
    let o = run([
        "put",
        big.to_str().unwrap(),
        "big/one",
        "--url",
        &s.url(true),
        "-v",
    ]);
    ok(&o);
    assert!(
        stderr(&o).contains("?uploads="),
        "multipart: {}",
        stderr(&o)
    );
    assert_eq!(stderr(&o).matches("partNumber=").count(), 5);
    let dest = t.path().join("back");
    // Downloaded as parallel ranges; one range is cut off and resumed.
    let proxy = FaultProxy::start(s.port, |seen| {
        if seen.method == "GET" && seen.nth == 2 {
            Fault::Truncate(1000)
        } else {
            Fault::Pass
        }
    });
    let o = run([
        "get",
        "big/one",
        dest.to_str().unwrap(),
        "--url",
        &s.url(false),
        "--endpoint",
        &proxy.endpoint(),
        "-v",
    ]);
    ok(&o);
    // No HEAD: the first GET tells the size and brings the first range.
    assert!(!stderr(&o).contains(": HEAD "), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).matches("Got 200 response").count(),
        1,
        "{}",
        stderr(&o)
    );
    assert_eq!(
        stderr(&o).matches("Got 206 response").count(),
        5,
        "first range from the GET, 4 ranges + 1 resumed: {}",
        stderr(&o)
    );
    assert!(
        std::fs::read(&dest).unwrap() == data,
        "70 MiB object differs"
    );
    std::fs::remove_file(&dest).unwrap();
    // A stream above one part (8 MiB) goes multipart as well, SigV2 this time.
    let o = run_stdin(
        ["put", "-", "big/stream", "--url", &s.url(false), "-v"],
        &data[..20 * 1024 * 1024],
    );
    ok(&o);
    assert!(
        stderr(&o).contains("?uploads]"),
        "multipart (V2 bare sub-resource): {}",
        stderr(&o)
    );
    let o = run(["get", "big/stream", "-", "--url", &s.url(true)]);
    assert!(o.stdout == data[..20 * 1024 * 1024]);
}

#[test]
fn retries_503_storms_and_resets() {
    let s = S3s::start();
    let t = tempdir();
    let proxy = FaultProxy::start(s.port, |seen| match (seen.method, seen.nth) {
        // Each request's first attempt is refused, the second one is reset.
        (_, 0) => Fault::SlowDown,
        ("PUT", 1) | ("GET", 1) => Fault::Reset,
        _ => Fault::Pass,
    });
    let src = t.path().join("f");
    let data = pseudo_random(300_000, 3);
    std::fs::write(&src, &data).unwrap();
    for v4 in [true, false] {
        let key = if v4 { "r/v4" } else { "r/v2" };
        let o = run([
            "put",
            src.to_str().unwrap(),
            key,
            "--url",
            &s.url(v4),
            "--endpoint",
            &proxy.endpoint(),
            "-v",
        ]);
        ok(&o);
        assert!(
            stderr(&o).contains("Got 503 response") && stderr(&o).contains("attempt 3"),
            "{}",
            stderr(&o)
        );
        let dest = t.path().join(key.replace('/', "_"));
        let o = run([
            "get",
            key,
            dest.to_str().unwrap(),
            "--url",
            &s.url(v4),
            "--endpoint",
            &proxy.endpoint(),
        ]);
        ok(&o);
        assert!(std::fs::read(&dest).unwrap() == data);
    }
    assert!(proxy.faults.load(std::sync::atomic::Ordering::SeqCst) >= 8);
}

#[test]
fn truncated_bodies_resume_and_nothing_corrupt_is_kept() {
    let s = S3s::start();
    let t = tempdir();
    let data = pseudo_random(1_000_000, 9);
    let src = t.path().join("f");
    std::fs::write(&src, &data).unwrap();
    ok(&run([
        "put",
        src.to_str().unwrap(),
        "t/obj",
        "--url",
        &s.url(true),
    ]));
    // Every first GET of the object is cut off after 100 kB.
    let proxy = FaultProxy::start(s.port, |seen| {
        if is_get_of(seen, "/t/obj") && seen.nth == 0 {
            Fault::Truncate(100_000)
        } else {
            Fault::Pass
        }
    });
    let dest = t.path().join("out");
    let o = run([
        "get",
        "t/obj",
        dest.to_str().unwrap(),
        "--url",
        &s.url(true),
        "--endpoint",
        &proxy.endpoint(),
        "-v",
    ]);
    ok(&o);
    assert!(
        std::fs::read(&dest).unwrap() == data,
        "resumed download is exact"
    );
    assert!(stderr(&o).contains("attempt 2"), "{}", stderr(&o));
    // When every attempt is cut off, the download fails and leaves nothing.
    let proxy = FaultProxy::start(s.port, |seen| {
        if is_get_of(seen, "/t/obj") {
            Fault::Truncate(10)
        } else {
            Fault::Pass
        }
    });
    let dest2 = t.path().join("out2");
    let o = run([
        "get",
        "t/obj",
        dest2.to_str().unwrap(),
        "--url",
        &s.url_with(true, "max_retries=1"),
        "--endpoint",
        &proxy.endpoint(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("(after 2 attempts)"), "{}", stderr(&o));
    assert_eq!(entries(t.path()), ["f", "out"]);
}

#[test]
fn slow_responses_time_out_and_retry() {
    let s = S3s::start();
    ok(&run_stdin(
        ["put", "-", "slow", "--url", &s.url(true)],
        b"patience",
    ));
    let proxy = FaultProxy::start(s.port, |seen| {
        if seen.method == "GET" && seen.nth == 0 {
            Fault::Delay(Duration::from_millis(1500))
        } else {
            Fault::Pass
        }
    });
    let url = s.url_with(true, "timeout=400ms");
    let o = run([
        "get",
        "slow",
        "-",
        "--url",
        &url,
        "--endpoint",
        &proxy.endpoint(),
        "-v",
    ]);
    assert_eq!(o.stdout, b"patience", "{}", stderr(&o));
    assert!(stderr(&o).contains("failed: 9008"), "{}", stderr(&o));
    // absolute_timeout stops the retries.
    let proxy = FaultProxy::start(s.port, |_| Fault::Delay(Duration::from_millis(700)));
    let url = s.url_with(true, "timeout=300ms&absolute_timeout=1s&max_retries=10");
    let started = std::time::Instant::now();
    let o = run([
        "get",
        "slow",
        "-",
        "--url",
        &url,
        "--endpoint",
        &proxy.endpoint(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("9008"), "{}", stderr(&o));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn recursive_transfers_report_every_failure() {
    let s = S3s::start();
    let t = tempdir();
    let d = t.path().join("src");
    std::fs::create_dir(&d).unwrap();
    for i in 0..6 {
        std::fs::write(d.join(format!("f{i}")), format!("file {i}")).unwrap();
    }
    ok(&run([
        "put",
        "-r",
        d.to_str().unwrap(),
        "rec",
        "--url",
        &s.url(true),
    ]));
    // Two keys always fail with 500 (retried, then given up).
    let proxy = FaultProxy::start(s.port, |seen| {
        if seen.method == "GET"
            && (seen.target.ends_with("/rec/f1") || seen.target.ends_with("/rec/f4"))
        {
            Fault::Internal
        } else {
            Fault::Pass
        }
    });
    let dl = t.path().join("dl");
    let o = run([
        "get",
        "-r",
        "rec/",
        dl.to_str().unwrap(),
        "--url",
        &s.url_with(true, "max_retries=1"),
        "--endpoint",
        &proxy.endpoint(),
    ]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("2 of 6 downloads failed"),
        "{}",
        stderr(&o)
    );
    assert_eq!(entries(&dl), ["f0", "f2", "f3", "f5"]);
    assert_eq!(std::fs::read_to_string(dl.join("f5")).unwrap(), "file 5");
    // Uploads: a PUT that is always refused counts too.
    let proxy = FaultProxy::start(s.port, |seen| {
        if seen.method == "PUT" && seen.target.ends_with("/up/f3") {
            Fault::SlowDown
        } else {
            Fault::Pass
        }
    });
    let o = run([
        "put",
        "-r",
        d.to_str().unwrap(),
        "up",
        "--url",
        &s.url_with(false, "max_retries=1"),
        "--endpoint",
        &proxy.endpoint(),
    ]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("1 of 6 uploads failed") && stderr(&o).contains("503 SlowDown"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        ok(&run(["ls", "-r", "up/", "--url", &s.url(true)]))
            .lines()
            .count(),
        5
    );
}

/// Run obox-cli on a pseudo-terminal (util-linux `script`); what the
/// terminal showed, stdout and stderr together.
fn on_tty(args: &[String]) -> String {
    let (ok, text) = on_tty_status(args);
    assert!(ok, "on a tty: {args:?}: {text}");
    text
}

fn on_tty_status(args: &[String]) -> (bool, String) {
    let script = require_program("script", "install util-linux (bsdutils on Debian)");
    let quoted: Vec<String> = std::iter::once(bin().display().to_string())
        .chain(args.iter().cloned())
        .map(|a| format!("'{}'", a.replace('\'', r"'\''")))
        .collect();
    let o = std::process::Command::new(script)
        .args(["-qec", &quoted.join(" "), "/dev/null"])
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    (o.status.success(), stdout(&o))
}

#[test]
fn progress_on_a_terminal_only() {
    let s3 = S3s::start();
    let url = s3.url(true);
    let t = tempdir();
    let tree = t.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    for i in 0..40 {
        std::fs::write(tree.join(format!("m{i}")), pseudo_random(3000, i)).unwrap();
    }
    let big = t.path().join("big.bin");
    std::fs::write(&big, pseudo_random(6 << 20, 99)).unwrap();
    let small = t.path().join("small.eml");
    std::fs::write(&small, b"hello").unwrap();
    let s = |v: &[&str]| -> Vec<String> {
        v.iter()
            .map(|x| x.to_string())
            .chain(["--url".to_string(), url.clone()])
            .collect()
    };
    let tree_s = tree.display().to_string();
    let big_s = big.display().to_string();
    let small_s = small.display().to_string();

    // Piped: progress stays off, stderr is empty.
    let o = run(s(&["put", "-r", &tree_s, "piped/"]));
    assert_eq!(ok(&o), "");
    assert_eq!(stderr(&o), "", "progress must not go into a pipe");
    let o = run(s(&["put", &big_s, "piped-big"]));
    ok(&o);
    assert_eq!(stderr(&o), "");

    // On a terminal: a bar while it runs, a summary line at the end.
    let tty = on_tty(&s(&["put", "-r", &tree_s, "tty/"]));
    assert!(tty.contains("put: 40/40 objects, "), "{tty}");
    assert!(tty.contains("117.19 KiB in "), "{tty}");
    let dl = t.path().join("dl");
    let tty = on_tty(&s(&["get", "-r", "tty/", &dl.display().to_string()]));
    assert!(tty.contains("get: 40/40 objects, 117.19 KiB in "), "{tty}");
    assert_eq!(entries(&dl).len(), 40);
    let tty = on_tty(&s(&["put", &big_s, "big"]));
    assert!(tty.contains("put: 6.00 MiB in "), "{tty}");
    assert!(
        tty.contains("put ["),
        "a bar is drawn before the summary: {tty}"
    );
    let got = t.path().join("big.out");
    let tty = on_tty(&s(&["get", "big", &got.display().to_string()]));
    assert!(tty.contains("get: 6.00 MiB in "), "{tty}");
    assert_eq!(std::fs::read(&got).unwrap(), std::fs::read(&big).unwrap());
    let tty = on_tty(&s(&["rm", "-r", "tty/"]));
    assert!(tty.contains("rm: 40/40 objects in "), "{tty}");

    // Small single objects, --no-progress, -v and object bytes on the
    // terminal's stdout: no bar.
    let quiet = [
        on_tty(&s(&["put", &small_s, "small"])),
        on_tty(&s(&["put", "--no-progress", &big_s, "big2"])),
        on_tty(&s(&[
            "get",
            "--no-progress",
            "-r",
            "piped/",
            &t.path().join("q").display().to_string(),
        ])),
        on_tty(&s(&[
            "get",
            "-v",
            "big",
            &t.path().join("v.out").display().to_string(),
        ])),
        on_tty(&s(&["rm", "--no-progress", "-r", "piped/"])),
    ];
    for text in &quiet {
        for mark in ["put: ", "get: ", "rm: ", "ETA ", "objects"] {
            assert!(!text.contains(mark), "{mark:?} in {text}");
        }
    }
    let tty = on_tty(&s(&["get", "small", "-"]));
    assert_eq!(tty.trim_end(), "hello");

    // A listing that fails takes the spinner away: no summary of nothing.
    let bad = url.replace("AKIATESTKEY", "AKIAWRONGKEY");
    let (ok, tty) = on_tty_status(&[
        "get".into(),
        "-r".into(),
        "tty/".into(),
        t.path().join("none").display().to_string(),
        "--url".into(),
        bad,
    ]);
    assert!(!ok, "{tty}");
    assert!(tty.contains("obox-cli: error:"), "{tty}");
    assert!(!tty.contains("get: "), "{tty}");
}

/// A prefix that matches nothing is an error for `get -r` and `rm -r`
/// (a typo must not look like an empty copy); deleting one missing key
/// succeeds quietly, as S3's 204 says.
#[test]
fn empty_matches_are_errors_missing_key_delete_is_quiet() {
    let s = S3s::start();
    ok(&run_stdin(
        ["put", "-", "some/k", "--url", &s.url(true)],
        b"x",
    ));
    let t = tempdir();
    let dest = t.path().join("d");
    let o = run([
        "get",
        "-r",
        "no/such/",
        dest.to_str().unwrap(),
        "--url",
        &s.url(true),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no objects under 'no/such/'"),
        "{}",
        stderr(&o)
    );
    assert!(!dest.exists());
    let o = run(["rm", "-r", "no/such/", "--url", &s.url(false)]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no objects under 'no/such/'"),
        "{}",
        stderr(&o)
    );
    // One prefix of two empty: the other is still deleted, exit 1.
    let o = run(["rm", "-r", "no/such/", "some/", "--url", &s.url(true)]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(ok(&run(["ls", "-r", "--url", &s.url(true)])), "");
    let o = run(["rm", "never/was", "--url", &s.url(true)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    assert_eq!(stdout(&o), "");
}

/// Ctrl-C (or SIGTERM) in the middle of `get -r`: the process ends with
/// 130 and takes its temporary files with it; nothing partial is left.
#[test]
fn interrupted_get_leaves_no_temporary_files() {
    let s = S3s::start();
    let t = tempdir();
    let src = t.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    for i in 0..4 {
        std::fs::write(src.join(format!("m{i}")), pseudo_random(10_000, i)).unwrap();
    }
    ok(&run([
        "put",
        "-r",
        src.to_str().unwrap(),
        "p",
        "--url",
        &s.url(true),
    ]));
    // Object GETs hang; the listing passes.
    let proxy = FaultProxy::start(s.port, |seen| {
        if seen.method == "GET" && seen.target.contains("/p/m") {
            Fault::Delay(Duration::from_secs(60))
        } else {
            Fault::Pass
        }
    });
    for signal in ["INT", "TERM"] {
        let dest = t.path().join(format!("dl-{signal}"));
        let child = cmd()
            .args(["get", "-r", "p/", dest.to_str().unwrap(), "-j", "4"])
            .args(["--url", &s.url(true), "--endpoint", &proxy.endpoint()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Wait until all four downloads have their temporary files.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !dest.is_dir() || entries(&dest).len() < 4 {
            assert!(std::time::Instant::now() < deadline, "no temporary files");
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(entries(&dest).iter().all(|e| e.starts_with(".obox-cli-")));
        let killed = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(130), "{signal}: {}", stderr(&o));
        assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
        assert_eq!(
            entries(&dest),
            Vec::<String>::new(),
            "{signal}: left behind"
        );
    }
}

/// A host name that cannot be looked up is Dovecot's 9002, names the
/// host, and counts against max_connect_retries. (A 70-byte label is
/// refused by the resolver library itself: no query leaves the machine.)
#[test]
fn failed_host_lookup_is_9002_and_names_the_host() {
    let host = format!("{}.example", "a".repeat(70));
    let url = format!("http://AK:SK@{host}/?bucket=bucket1&region=us-east-1&max_connect_retries=1");
    let o = run(["ls", "--url", &url]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("9002 host lookup of {host} failed")),
        "{err}"
    );
    assert!(err.contains("(after 2 attempts)"), "{err}");
}
