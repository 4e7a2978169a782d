//! The object commands driven by a dovecot.conf with per-user keys, against
//! a real s3s-fs: the chain is %-expanded for `--user`, credentials come from
//! the URL (after `%%` unescaping, expansion and percent-decoding) or from
//! IMDSv2 (moto), keys are relative to the user's root, and the chain's
//! compress layer is applied.
use crate::support::s3::*;
use crate::support::*;
use std::path::{Path, PathBuf};

/// Write a config whose obox_fs points at `s3` with `params`, the secret
/// written the way dovecot.conf needs it (`%` doubled after URL-encoding).
fn conf(dir: &Path, s3: &S3s, params: &str, layers: &str) -> PathBuf {
    let secret = s3
        .sk
        .replace('%', "%25")
        .replace('/', "%2F")
        .replace('%', "%%");
    let p = dir.join("dovecot.conf");
    std::fs::write(
        &p,
        format!(
            "mail_location = obox:%8Mu/%u:INDEX=~/:CONTROL=~/\n\
             mail_home = /var/vmail/%u\n\
             plugin {{\n\
             \x20 obox_fs = {layers}s3:http://{}:{secret}@127.0.0.1:{}/?bucket={BUCKET}{params}\n\
             \x20 fts_dovecot_fs = s3:http://{}:{secret}@127.0.0.1:{}/%8Mu/%u/fts/?bucket={BUCKET}{params}\n\
             }}\n",
            s3.ak, s3.port, s3.ak, s3.port
        ),
    )
    .unwrap();
    p
}

/// The user's root as Dovecot computes it (checked against doveadm in the
/// expand and path tests): %8Mu/%u.
const ALICE_ROOT: &str = "c160f8cc/alice@example.com";

fn stored(s3: &S3s, key: &str) -> Option<Vec<u8>> {
    std::fs::read(s3.dir.path().join(BUCKET).join(key)).ok()
}

#[test]
fn every_command_through_the_config_sigv4_and_sigv2() {
    for (name, params) in [("v4", "&region=us-east-1"), ("v2", "")] {
        let s3 = S3s::start();
        let dir = tempdir();
        let c = conf(dir.path(), &s3, params, "");
        let c = c.to_str().unwrap();
        let u = ["-c", c, "--user", "alice@example.com"];
        let with = |args: &[&str]| {
            let mut v: Vec<&str> = args.to_vec();
            v.extend_from_slice(&u);
            v.into_iter().map(String::from).collect::<Vec<_>>()
        };
        ok(&run_stdin(
            with(&["put", "-", "mailboxes/g1/oid1"]),
            b"hello alice",
        ));
        // The object lands under the user's root in the bucket.
        assert_eq!(
            stored(&s3, &format!("{ALICE_ROOT}/mailboxes/g1/oid1")).as_deref(),
            Some(&b"hello alice"[..]),
            "{name}"
        );
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("idx")).unwrap();
        std::fs::write(src.join("idx/bundle.1"), b"b1").unwrap();
        std::fs::write(src.join("idx/bundle.2"), b"b2").unwrap();
        ok(&run(with(&["put", "-r", src.to_str().unwrap(), "tree/"])));
        let ls = ok(&run(with(&["ls", "-r"])));
        for k in [
            "mailboxes/g1/oid1",
            "tree/idx/bundle.1",
            "tree/idx/bundle.2",
        ] {
            assert!(
                ls.lines().any(|l| l.ends_with(k)),
                "{name}: {k} missing in\n{ls}"
            );
        }
        assert!(
            !ls.contains(ALICE_ROOT),
            "keys are relative to the root:\n{ls}"
        );
        let st = ok(&run(with(&["stat", "mailboxes/g1/oid1"])));
        assert!(st.contains("11"), "{st}");
        assert_eq!(
            run(with(&["get", "mailboxes/g1/oid1", "-"])).stdout,
            b"hello alice"
        );
        let out = dir.path().join("out");
        ok(&run(with(&["get", "-r", "tree/", out.to_str().unwrap()])));
        assert_eq!(std::fs::read(out.join("idx/bundle.2")).unwrap(), b"b2");
        ok(&run(with(&["rm", "mailboxes/g1/oid1"])));
        assert!(stored(&s3, &format!("{ALICE_ROOT}/mailboxes/g1/oid1")).is_none());
        ok(&run(with(&["rm", "-r", "tree/"])));
        let ls = ok(&run(with(&["ls", "-r"])));
        assert!(ls.trim().is_empty(), "{name}: left over:\n{ls}");
        // FTS objects are relative to fts_dovecot_fs's own URL path.
        let mut fts = with(&["put", "-", "fts.S"]);
        fts.extend(["--fs".into(), "fts".into()]);
        ok(&run_stdin(fts, b"fts"));
        assert!(stored(&s3, &format!("{ALICE_ROOT}/fts/fts.S")).is_some());
    }
}

#[test]
fn users_without_a_user_are_refused_and_wrong_secret_is_clear() {
    let s3 = S3s::start();
    let dir = tempdir();
    let c = conf(dir.path(), &s3, "&region=us-east-1", "");
    let c = c.to_str().unwrap();
    // The fts chain has %-variables: a user is needed.
    let o = run(["ls", "-c", c, "--fs", "fts"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pass --user"), "{}", stderr(&o));
    // A wrong secret: 403 and a clear error, no secret printed.
    let text = std::fs::read_to_string(c)
        .unwrap()
        .replace("s3cr3t", "wrongsecret");
    std::fs::write(c, text).unwrap();
    let o = run(["ls", "-c", c, "--user", "alice@example.com"]);
    assert_ne!(o.status.code(), Some(0));
    let e = stderr(&o);
    assert!(
        e.contains("403") && e.contains("SignatureDoesNotMatch"),
        "{e}"
    );
    assert!(!e.contains("wrongsecret") && !e.contains("Val+ue"), "{e}");
}

#[test]
fn compress_layer_of_the_chain_is_applied() {
    let s3 = S3s::start();
    let dir = tempdir();
    let c = conf(dir.path(), &s3, "&region=us-east-1", "compress:zstd:3:");
    let c = c.to_str().unwrap();
    let body = vec![b'a'; 100_000];
    ok(&run_stdin(
        ["put", "-", "m/1", "-c", c, "--user", "alice@example.com"],
        &body,
    ));
    let raw = stored(&s3, &format!("{ALICE_ROOT}/m/1")).unwrap();
    assert_eq!(
        &raw[..4],
        &[0x28, 0xb5, 0x2f, 0xfd],
        "stored zstd-compressed"
    );
    assert!(raw.len() < 1000);
    let o = run(["get", "m/1", "-", "-c", c, "--user", "alice@example.com"]);
    assert_eq!(o.stdout, body);
    let o = run([
        "get",
        "m/1",
        "-",
        "--raw",
        "-c",
        c,
        "--user",
        "alice@example.com",
    ]);
    assert_eq!(o.stdout, raw);
}

#[test]
fn crypt_layer_is_refused_without_raw() {
    let s3 = S3s::start();
    let dir = tempdir();
    let c = conf(
        dir.path(),
        &s3,
        "&region=us-east-1",
        "crypt:private_key_path=/k:public_key_path=/p:",
    );
    let c = c.to_str().unwrap();
    let o = run_stdin(
        ["put", "-", "x", "-c", c, "--user", "alice@example.com"],
        b"x",
    );
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("crypt"), "{}", stderr(&o));
    assert!(stored(&s3, &format!("{ALICE_ROOT}/x")).is_none());
    // --raw transfers the stored bytes as they are.
    let o = run_stdin(
        [
            "put",
            "-",
            "x",
            "--raw",
            "-c",
            c,
            "--user",
            "alice@example.com",
        ],
        b"x",
    );
    ok(&o);
}

#[test]
fn imdsv2_credentials_through_the_config() {
    let moto = Moto::start();
    let s3 = S3s::start_with("test-key", "test-secret-key");
    let dir = tempdir();
    let p = dir.path().join("dovecot.conf");
    std::fs::write(
        &p,
        format!(
            "mail_location = obox:%8Mu/%u\nplugin {{\n  obox_fs = aws-s3:http://127.0.0.1:{}/?bucket={BUCKET}&region=us-east-1&auth_role=default-role&auth_host=127.0.0.1:{}\n}}\n",
            s3.port, moto.port
        ),
    )
    .unwrap();
    let c = p.to_str().unwrap();
    ok(&run_stdin(
        [
            "put",
            "-",
            "k",
            "-c",
            c,
            "--user",
            "alice@example.com",
            "-v",
        ],
        b"imds",
    ));
    assert!(stored(&s3, &format!("{ALICE_ROOT}/k")).is_some());
    assert_eq!(
        run(["get", "k", "-", "-c", c, "--user", "alice@example.com"]).stdout,
        b"imds"
    );
}

/// A mail_location root written with a leading slash (`obox:/%8Mu/%u`):
/// the slash is dropped like the URL path's (an object key starting with
/// `/` is refused by s3s-fs), so objects land where `obox:%8Mu/%u` puts
/// them and `--user` keys stay relative.
#[test]
fn leading_slash_root_keeps_keys_relative() {
    let s3 = S3s::start();
    let dir = tempdir();
    let c = conf(dir.path(), &s3, "&region=us-east-1", "");
    let text = std::fs::read_to_string(&c)
        .unwrap()
        .replace("obox:%8Mu/%u", "obox:/%8Mu/%u");
    std::fs::write(&c, text).unwrap();
    let c = c.to_str().unwrap();
    let with = |args: &[&str]| {
        let mut v: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        v.extend(["-c", c, "--user", "alice@example.com"].map(String::from));
        v
    };
    ok(&run_stdin(
        with(&["put", "-", "mailboxes/g1/oid1"]),
        b"slash",
    ));
    // The root is relative whichever way it is written.
    assert_eq!(
        stored(&s3, &format!("{ALICE_ROOT}/mailboxes/g1/oid1")).as_deref(),
        Some(&b"slash"[..])
    );
    let ls = ok(&run(with(&["ls", "-r"])));
    assert_eq!(ls, "mailboxes/g1/oid1\n");
    let ls = ok(&run(with(&["ls", "mailboxes/"])));
    assert_eq!(ls, "mailboxes/g1/\n");
    let out = dir.path().join("out");
    ok(&run(with(&[
        "get",
        "-r",
        "mailboxes/",
        out.to_str().unwrap(),
    ])));
    assert_eq!(std::fs::read(out.join("g1/oid1")).unwrap(), b"slash");
    ok(&run(with(&["rm", "-r", "mailboxes/"])));
    assert_eq!(ok(&run(with(&["ls", "-r"]))), "");
}
