//! `obox-cli path`: per-user locations, checked against real Dovecot's own
//! expansion (`doveadm user -e` through the oracle script) for the values
//! Dovecot computes, and against the spec's worked examples.
use crate::support::oracle::Oracle;
use crate::support::*;

fn example() -> String {
    root().join("examples/dovecot.conf").display().to_string()
}

/// What real Dovecot expands a template to for a user.
fn dovecot_expand(oracle: &Oracle, template: &str, user: &str) -> String {
    let home = oracle.conf().parent().unwrap().to_path_buf();
    match Oracle::expand(&oracle.conf(), &home, template.as_bytes(), user.as_bytes()) {
        Some(Ok(v)) => String::from_utf8(v).unwrap(),
        other => panic!("doveadm user -e {template} {user}: {other:?}"),
    }
}

fn json_lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn example_config_for_alice() {
    let o = run(["path", "-c", &example(), "--json", "alice@example.com"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = &json_lines(&o.stdout)[0];
    assert_eq!(v["ok"], true);
    assert_eq!(v["mail_location"]["root"], "c160f8cc/alice@example.com");
    assert_eq!(v["home"], "/var/vmail/c1/alice@example.com");
    assert_eq!(
        v["mail_location"]["index"],
        "/var/vmail/c1/alice@example.com"
    );
    let obox = &v["chains"]["obox_fs"];
    assert_eq!(obox["fscache"][0]["path"], "/var/cache/mails/3");
    assert_eq!(obox["key_prefix"], "c160f8cc/alice@example.com/");
    assert_eq!(
        obox["url"],
        "https://dovecot-mails.s3.eu-central-1.amazonaws.com/c160f8cc/alice%40example.com/"
    );
    assert_eq!(obox["addressing"], "virtual-hosted");
    let fts = &v["chains"]["fts_dovecot_fs"];
    assert_eq!(fts["key_prefix"], "c160f8cc/alice@example.com/fts/");
    assert_eq!(fts["fscache"][0]["path"], "/var/cache/fts/3");
    // Human output carries the same facts.
    let h = run(["path", "-c", &example(), "alice@example.com"]);
    let text = stdout(&h);
    assert!(text.contains("c160f8cc/alice@example.com"), "{text}");
    assert!(text.contains("/var/cache/mails/3"), "{text}");
}

#[test]
fn agrees_with_dovecot_for_every_chain_kind() {
    // A config of our own with every chain kind: path-style with bucket=,
    // virtual-hosted, SigV2 (no region), a URL path prefix, dictmap, posix.
    let dir = tempdir();
    let conf = dir.path().join("all.conf");
    std::fs::write(&conf, include_str!("fixtures/path/three-chains.conf")).unwrap();
    let oracle = Oracle::start();
    for user in [
        "alice@example.com",
        "Bob.Smith@Sub.Example.ORG",
        "pct%user@example.com",
    ] {
        let o = run([
            "path",
            "-c",
            conf.to_str().unwrap(),
            "--home",
            "/home/x",
            "--json",
            user,
        ]);
        assert!(o.status.success(), "{user}: {}", stderr(&o));
        let v = &json_lines(&o.stdout)[0];
        let root = dovecot_expand(&oracle, "%2Mu/%2.3Mu/%u", user);
        assert_eq!(v["mail_location"]["root"], root.as_str(), "{user}");
        let cache = dovecot_expand(&oracle, "/var/cache/o/%4Nu", user);
        assert_eq!(v["chains"]["obox_fs"]["fscache"][0]["path"], cache.as_str());
        let obox = &v["chains"]["obox_fs"];
        assert_eq!(obox["addressing"], "path-style");
        assert_eq!(obox["bucket"], "mails");
        assert_eq!(obox["key_prefix"], format!("{root}/").as_str());
        let url = obox["url"].as_str().unwrap();
        assert!(
            url.starts_with("http://s3.example.com:9000/mails/"),
            "{url}"
        );
        assert!(!url.contains("SEC"), "secret in {url}");
        let idx = &v["chains"]["obox_index_fs"];
        assert_eq!(idx["signing"], "SigV2 (no region=)");
        assert_eq!(idx["bucket"], "idx");
        let fts = &v["chains"]["fts_dovecot_fs"];
        let fts_prefix = dovecot_expand(&oracle, "%8Mu/%u/fts/", user);
        assert_eq!(fts["key_prefix"], fts_prefix.as_str(), "{user}");
    }
}

#[test]
fn per_user_errors_do_not_stop_the_batch() {
    let dir = tempdir();
    let conf = dir.path().join("h.conf");
    // %h without mail_home or --home: Dovecot refuses the user.
    std::fs::write(
        &conf,
        "mail_location = obox:%8Mu/%u\nplugin {\n  obox_fs = fscache:1G:%h/cache:s3:https://b.s3.example.com/?region=x\n}\n",
    )
    .unwrap();
    let o = run_stdin(
        ["path", "-c", conf.to_str().unwrap(), "--stdin", "--json"],
        b"alice\n\nbob\r\n",
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json_lines(&o.stdout);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["user"], "alice");
    let err = v[0]["errors"][0].as_str().unwrap();
    assert_eq!(
        err,
        "userdb didn't return a home directory, but plugin setting obox_fs used it (%h): fscache:1G:%h/cache:s3:https://b.s3.example.com/?region=x"
    );
    assert_eq!(v[0]["mail_location"]["root"], "6384e2b2/alice");
    assert_eq!(v[1]["ok"], false);
    assert_eq!(v[2]["user"], "bob");
    // With a home the same users succeed.
    let o = run_stdin(
        [
            "path",
            "-c",
            conf.to_str().unwrap(),
            "--stdin",
            "--json",
            "--home",
            "/h",
        ],
        b"alice\nbob\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json_lines(&o.stdout);
    assert_eq!(v[1]["chains"]["obox_fs"]["fscache"][0]["path"], "/h/cache");
}

#[test]
fn unescaped_percent_in_secret_fails_like_dovecot() {
    let dir = tempdir();
    let conf = dir.path().join("p.conf");
    std::fs::write(
        &conf,
        "plugin {\n  obox_fs = s3:https://AK:SEC%2FRET@b.s3.example.com/?region=x\n}\n",
    )
    .unwrap();
    let o = run(["path", "-c", conf.to_str().unwrap(), "--json", "alice"]);
    assert_eq!(o.status.code(), Some(1));
    let v = &json_lines(&o.stdout)[0];
    let err = v["errors"][0].as_str().unwrap();
    assert!(
        err.starts_with("Failed to expand plugin setting obox_fs = '"),
        "{err}"
    );
    assert!(err.ends_with(": Unknown variable '%F'"), "{err}");
    assert!(!err.contains("SEC"), "secret leaked: {err}");
}

#[test]
fn three_layers_end_to_end() {
    // The secret a/b:c%d, written a%%2Fb%%3Ac%%25d in dovecot.conf:
    // the config keeps %%, per-user expansion makes %2F, the URL parser
    // decodes to the real secret. `obox-cli chain --expanded -P` shows the
    // decoded password after all three layers.
    let dir = tempdir();
    let conf = dir.path().join("s.conf");
    std::fs::write(
        &conf,
        "plugin {\n  obox_fs = s3:https://AK:a%%2Fb%%3Ac%%25d@b.s3.example.com/?region=x\n}\n",
    )
    .unwrap();
    let c = conf.to_str().unwrap();
    // Key lookups and expand hide credentials unless -P (issue 7).
    let raw = run(["config", "-c", c, "-H", "-P", "plugin/obox_fs"]);
    assert_eq!(
        stdout(&raw),
        "s3:https://AK:a%%2Fb%%3Ac%%25d@b.s3.example.com/?region=x\n"
    );
    let hidden = run(["config", "-c", c, "-H", "plugin/obox_fs"]);
    assert!(!stdout(&hidden).contains("a%%2Fb"), "{}", stdout(&hidden));
    let exp = run([
        "expand",
        "-P",
        "--user",
        "u",
        "s3:https://AK:a%%2Fb%%3Ac%%25d@b",
    ]);
    assert_eq!(stdout(&exp), "s3:https://AK:a%2Fb%3Ac%25d@b\n");
    let hidden = run(["expand", "--user", "u", "s3:https://AK:a%%2Fb%%3Ac%%25d@b"]);
    assert!(!stdout(&hidden).contains("a%2Fb"), "{}", stdout(&hidden));
    let o = run(["path", "-c", c, "--json", "-P", "u"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let ch = run(["chain", "-c", c, "--json", "-P"]);
    let v: serde_json::Value = serde_json::from_slice(&ch.stdout).unwrap();
    let text = v.to_string();
    assert!(text.contains("a/b:c%d"), "decoded secret missing: {text}");
    // And without -P nothing of it shows.
    let ch = run(["chain", "-c", c, "--json"]);
    assert!(!stdout(&ch).contains("a/b:c%d") && !stdout(&ch).contains("a%%2Fb"));
}

#[test]
fn bad_input_users_never_panic() {
    let ex = example();
    let mut input = Vec::new();
    input.extend_from_slice(b"j\xfcrgen@example.de\n");
    input.extend_from_slice(b"with space@example.com\n");
    input.extend_from_slice(b"pct%u@example.com\n");
    input.extend_from_slice(&vec![b'x'; 100_000]);
    input.extend_from_slice(b"\nlast\n");
    let o = run_stdin(["path", "-c", &ex, "--stdin", "--json"], &input);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("longer than"), "{}", stderr(&o));
    let v = json_lines(&o.stdout);
    assert_eq!(v.len(), 4);
    assert_eq!(v[3]["user"], "last");
    // `%` in a username is literal, never re-expanded.
    assert_eq!(
        v[2]["mail_location"]["root"]
            .as_str()
            .unwrap()
            .split_once('/')
            .unwrap()
            .1,
        "pct%u@example.com"
    );
}
