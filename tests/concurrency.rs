//! `put -r` / `get -r` with 64 jobs through the fault-injecting proxy:
//! every object arrives exactly once with the right bytes (MD5 compared),
//! nothing partial or temporary is left behind, and when faults outlast
//! the retries the exit status says so and every failed key is named.
//! Multipart uploads (files above the 64 MiB threshold) go through the
//! same faults: no lost, duplicate or partial objects, no parts left open.
use crate::support::s3::*;
use crate::support::*;

use std::collections::BTreeMap;
use std::path::Path;

const OBJECTS: usize = 300;

/// FNV-1a: a stable per-key choice of fault.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A tree of `OBJECTS` files in subdirectories, sizes from 0 to ~200 kB
/// plus a few of 1 MB; returns relative path → MD5.
fn make_tree(root: &Path) -> BTreeMap<String, String> {
    let mut want = BTreeMap::new();
    for i in 0..OBJECTS {
        let rel = format!("d{}/sub{}/obj{i:04}", i % 7, i % 3);
        let len = match i % 50 {
            0 => 0,
            1 => 1_000_000,
            _ => (fnv(&rel) % 200_000) as usize + 1,
        };
        let data = pseudo_random(len, i as u64 + 1);
        let p = root.join(&rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, &data).unwrap();
        want.insert(rel, md5_hex(&data));
    }
    want
}

/// Every regular file under `dir` (relative path → MD5), temp files included.
fn tree_md5s(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, md5_hex(&std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

/// What the server holds under `prefix`: key (prefix stripped) → MD5 of
/// its bytes, read back through a direct (fault-free) connection.
fn server_md5s(s: &S3s, prefix: &str) -> BTreeMap<String, String> {
    let o = run(["ls", "-r", prefix, "--url", &s.url(true)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut out = BTreeMap::new();
    for key in stdout(&o).lines() {
        let bytes = std::fs::read(s.dir.path().join(BUCKET).join(key)).unwrap();
        let rel = key.strip_prefix(prefix).unwrap().to_string();
        assert!(
            out.insert(rel, md5_hex(&bytes)).is_none(),
            "{key} listed twice"
        );
    }
    out
}

/// Faults that go away after at most two attempts: refused, reset,
/// cut-off bodies and lost responses (the server acted, the client does
/// not know), chosen per key.
fn transient(seen: &Seen<'_>) -> Fault {
    if !seen.target.contains("/conc/") || seen.target.contains("list-type") {
        return Fault::Pass;
    }
    let get = seen.method == "GET";
    match (fnv(seen.target) % 5, seen.nth) {
        (0, 0) => Fault::SlowDown,
        (0, 1) => Fault::Reset,
        (1, 0) => Fault::Reset,
        (2, 0) if get => Fault::Truncate(100),
        (2, 0) => Fault::LoseResponse,
        (3, 0) => Fault::Internal,
        (3, 1) if get => Fault::Truncate(1000),
        (3, 1) => Fault::LoseResponse,
        _ => Fault::Pass,
    }
}

#[test]
fn parallel_put_and_get_with_64_jobs_survive_transient_faults() {
    let s = S3s::start();
    let t = tempdir();
    let src = t.path().join("src");
    let want = make_tree(&src);
    let proxy = FaultProxy::start(s.port, transient);
    let o = run([
        "put",
        "-r",
        src.to_str().unwrap(),
        "conc",
        "-j",
        "64",
        "--url",
        &s.url(true),
        "--endpoint",
        &proxy.endpoint(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let put_faults = proxy.faults.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        put_faults >= OBJECTS / 2,
        "only {put_faults} faults injected"
    );
    assert_eq!(
        server_md5s(&s, "conc/"),
        want,
        "server holds exactly the tree"
    );

    let proxy = FaultProxy::start(s.port, transient);
    let dl = t.path().join("dl");
    let o = run([
        "get",
        "-r",
        "conc/",
        dl.to_str().unwrap(),
        "--url",
        &s.url(false),
        "--endpoint",
        &proxy.endpoint(),
        "-j",
        "64",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(proxy.faults.load(std::sync::atomic::Ordering::SeqCst) >= OBJECTS / 2);
    // Exactly the tree: no temporary (.obox-cli-*) or partial files.
    assert_eq!(tree_md5s(&dl), want);
}

/// Keys whose every attempt fails, each with its own kind of fault.
fn doomed(rel: &str) -> Option<usize> {
    let i: usize = rel.rsplit("obj").next()?.parse().ok()?;
    (i % 37 == 5).then_some(i)
}

#[test]
fn parallel_failures_are_all_counted_and_named() {
    let s = S3s::start();
    let t = tempdir();
    let src = t.path().join("src");
    let want = make_tree(&src);
    let failing: Vec<&String> = want.keys().filter(|k| doomed(k).is_some()).collect();
    assert_eq!(failing.len(), 8);
    let rule = |seen: &Seen<'_>| {
        if !seen.target.contains("/conc/") || seen.target.contains("list-type") {
            return Fault::Pass;
        }
        match doomed(seen.target) {
            Some(i) => match (i / 37) % 4 {
                0 => Fault::SlowDown,
                1 => Fault::Reset,
                2 if seen.method == "GET" => Fault::Truncate(10),
                2 => Fault::LoseResponse,
                _ => Fault::Internal,
            },
            // The others still see one transient fault each (max_retries=1).
            None if seen.nth == 0 => transient(seen),
            None => Fault::Pass,
        }
    };
    let url = |v4: bool| s.url_with(v4, "max_retries=1");
    let proxy = FaultProxy::start(s.port, rule);
    let o = run([
        "put",
        "-r",
        src.to_str().unwrap(),
        "conc",
        "-j",
        "64",
        "--url",
        &url(true),
        "--endpoint",
        &proxy.endpoint(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!("error: 8 of {OBJECTS} uploads failed")),
        "{e}"
    );
    for k in &failing {
        assert!(e.contains(&format!("PUT conc/{k}: ")), "{k} not named: {e}");
    }
    assert_eq!(e.matches("error: PUT ").count(), 8, "{e}");
    // A lost response means the object did get stored; every other
    // failing PUT stored nothing. Everything else is there, exactly.
    let stored = server_md5s(&s, "conc/");
    for (k, m) in &want {
        match (doomed(k), stored.get(k)) {
            (None, got) => assert_eq!(got, Some(m), "{k}"),
            (Some(i), got) if (i / 37) % 4 == 2 => assert_eq!(got, Some(m), "{k}"),
            (Some(_), got) => assert_eq!(got, None, "{k} stored despite failing"),
        }
    }
    assert_eq!(stored.len(), OBJECTS - 6);

    // Downloads: the whole tree is on the server now (direct upload).
    let o = run([
        "put",
        "-r",
        src.to_str().unwrap(),
        "conc",
        "--url",
        &s.url(true),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let proxy = FaultProxy::start(s.port, rule);
    let dl = t.path().join("dl");
    let o = run([
        "get",
        "-r",
        "conc/",
        dl.to_str().unwrap(),
        "-j",
        "64",
        "--url",
        &url(false),
        "--endpoint",
        &proxy.endpoint(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!("error: 8 of {OBJECTS} downloads failed")),
        "{e}"
    );
    for k in &failing {
        assert!(e.contains(&format!("GET conc/{k}: ")), "{k} not named: {e}");
    }
    assert_eq!(e.matches("error: GET ").count(), 8, "{e}");
    let mut expect = want.clone();
    expect.retain(|k, _| doomed(k).is_none());
    assert_eq!(tree_md5s(&dl), expect, "the others, and nothing partial");
}

/// Above this size `put` uploads a file in parts. It is a constant of the
/// client (no URL parameter or environment variable lowers it), so the
/// big objects here are just above it.
const MULTIPART_THRESHOLD: usize = 64 * 1024 * 1024;

/// A tree of `big` files just above the multipart threshold (5 parts of
/// 16 MiB, the last one short) among `small` small ones.
fn make_multipart_tree(root: &Path, big: usize, small: usize) -> Vec<String> {
    let mut rels = Vec::new();
    for i in 0..big {
        let rel = format!("big/obj{i}");
        let data = pseudo_random(MULTIPART_THRESHOLD + 4097 + i, 1000 + i as u64);
        let p = root.join(&rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, &data).unwrap();
        rels.push(rel);
    }
    for i in 0..small {
        let rel = format!("small/obj{i:03}");
        let p = root.join(&rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, pseudo_random(1000 + i * 37, 2000 + i as u64)).unwrap();
        rels.push(rel);
    }
    rels
}

/// Server-side files that belong to multipart uploads still open
/// (s3s-fs keeps them beside the bucket until completed or aborted).
fn open_upload_parts(s: &S3s) -> Vec<String> {
    std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".upload_id-"))
        .collect()
}

/// The stored keys under `prefix` (no HTTP: s3s-fs's data directory).
fn stored_keys(s: &S3s, prefix: &str) -> Vec<String> {
    let o = run(["ls", "-r", prefix, "--url", &s.url(true)]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).lines().map(str::to_owned).collect()
}

/// The multipart requests by kind, for fault rules.
fn is_initiate(seen: &Seen<'_>) -> bool {
    seen.method == "POST" && seen.target.contains("uploads")
}
fn is_part(seen: &Seen<'_>) -> bool {
    seen.method == "PUT" && seen.target.contains("partNumber=")
}
fn is_complete(seen: &Seen<'_>) -> bool {
    seen.method == "POST" && seen.target.contains("uploadId=")
}

#[test]
fn multipart_uploads_with_64_jobs_survive_transient_faults() {
    let _heavy = heavy();
    let s = S3s::start();
    let t = tempdir();
    let src = t.path().join("src");
    let rels = make_multipart_tree(&src, 2, 40);
    // Every kind of multipart request meets a fault on its first attempt:
    // initiation refused, parts refused / reset / their answer lost (the
    // part is stored, then sent again), completion refused; small PUTs get
    // the usual mix.
    let proxy = FaultProxy::start(s.port, |seen| {
        if !seen.target.contains("/mp/") || seen.nth > 0 {
            return Fault::Pass;
        }
        if is_initiate(seen) {
            Fault::SlowDown
        } else if is_part(seen) {
            match fnv(seen.target) % 4 {
                0 => Fault::SlowDown,
                1 => Fault::Reset,
                2 => Fault::LoseResponse,
                _ => Fault::Pass,
            }
        } else if is_complete(seen) {
            Fault::Internal
        } else {
            transient(&Seen {
                method: seen.method,
                target: &seen.target.replace("/mp/", "/conc/"),
                nth: seen.nth,
            })
        }
    });
    let o = run([
        "put",
        "-r",
        src.to_str().unwrap(),
        "mp",
        "-j",
        "64",
        "--url",
        &s.url(true),
        "--endpoint",
        &proxy.endpoint(),
        "-v",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.matches("?uploads").count() >= 2, "multipart: {e}");
    assert!(proxy.faults.load(std::sync::atomic::Ordering::SeqCst) >= 2 + 2 + 10);
    // Exactly the tree, byte for byte, once each.
    let mut want: Vec<String> = rels.iter().map(|r| format!("mp/{r}")).collect();
    want.sort();
    assert_eq!(stored_keys(&s, "mp/"), want);
    for r in &rels {
        assert!(
            std::fs::read(s.dir.path().join(BUCKET).join("mp").join(r)).unwrap()
                == std::fs::read(src.join(r)).unwrap(),
            "{r} differs"
        );
    }
    assert_eq!(open_upload_parts(&s), Vec::<String>::new(), "parts left");
}

#[test]
fn multipart_failures_under_64_jobs_are_reported_and_leave_no_partial_object() {
    let _heavy = heavy();
    let s = S3s::start();
    let t = tempdir();
    let src = t.path().join("src");
    let rels = make_multipart_tree(&src, 2, 40);
    // big/obj1: its part 3 is always refused. small/obj007: always reset.
    // Everything else sees one transient fault.
    let proxy = FaultProxy::start(s.port, |seen| {
        if !seen.target.contains("/mp/") {
            return Fault::Pass;
        }
        let key = seen.target.split('?').next().unwrap();
        let part3 = seen.target.contains("partNumber=3&") || seen.target.ends_with("partNumber=3");
        if is_part(seen) && key.ends_with("/big/obj1") && part3 {
            return Fault::SlowDown;
        }
        if key.ends_with("/small/obj007") && seen.method == "PUT" {
            return Fault::Reset;
        }
        match (seen.nth, is_part(seen)) {
            (0, true) => Fault::Internal,
            _ => Fault::Pass,
        }
    });
    let o = run([
        "put",
        "-r",
        src.to_str().unwrap(),
        "mp",
        "-j",
        "64",
        "--url",
        &s.url_with(true, "max_retries=1"),
        "--endpoint",
        &proxy.endpoint(),
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains(&format!("error: 2 of {} uploads failed", rels.len())),
        "{e}"
    );
    assert!(e.contains("PUT mp/big/obj1: "), "{e}");
    assert!(e.contains("PUT mp/small/obj007: "), "{e}");
    // The failed ones are absent (the upload was aborted, no partial
    // object); the others are exact.
    let stored = stored_keys(&s, "mp/");
    let mut want: Vec<String> = rels
        .iter()
        .filter(|r| *r != "big/obj1" && *r != "small/obj007")
        .map(|r| format!("mp/{r}"))
        .collect();
    want.sort();
    assert_eq!(stored, want);
    for r in &want {
        let r = r.strip_prefix("mp/").unwrap();
        assert!(
            std::fs::read(s.dir.path().join(BUCKET).join("mp").join(r)).unwrap()
                == std::fs::read(src.join(r)).unwrap(),
            "{r} differs"
        );
    }
    assert_eq!(open_upload_parts(&s), Vec::<String>::new(), "parts left");
}

/// The server completes the upload but its answer is lost. The retried
/// completion finds no such upload (s3s-fs: 403 AccessDenied, S3: 404
/// NoSuchUpload). The object is whole on the server, and its ETag (the
/// MD5 of the parts' MD5s, "-1") proves it: the upload is a success and
/// no parts are left behind.
#[test]
fn lost_completion_answer_leaves_a_whole_object() {
    let _heavy = heavy();
    let s = S3s::start();
    let t = tempdir();
    let src = t.path().join("src");
    let rels = make_multipart_tree(&src, 1, 0);
    let proxy = FaultProxy::start(s.port, |seen| {
        if is_complete(seen) && seen.nth == 0 {
            Fault::LoseResponse
        } else {
            Fault::Pass
        }
    });
    let o = run([
        "put",
        "-r",
        src.to_str().unwrap(),
        "mp",
        "-j",
        "64",
        "--url",
        &s.url(true),
        "--endpoint",
        &proxy.endpoint(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(stored_keys(&s, "mp/"), ["mp/big/obj0"]);
    assert!(
        std::fs::read(s.dir.path().join(BUCKET).join("mp").join(&rels[0])).unwrap()
            == std::fs::read(src.join(&rels[0])).unwrap()
    );
    assert_eq!(open_upload_parts(&s), Vec::<String>::new(), "parts left");
}
