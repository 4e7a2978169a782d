//! Integration tests for `obox-cli chain`: the oracle vectors, a live
//! comparison with real Dovecot, and the rendered outputs.
use crate::support::oracle::Oracle;
use crate::support::*;

/// Run `chain --check-oss --string FS`; the oracle's `OK` / `!ERROR:msg`.
fn check_oss(fs: &str) -> String {
    let o = run(["chain", "--check-oss", "--string", fs]);
    let out = stdout(&o);
    let line = out.lines().next().unwrap_or("").to_string();
    assert_eq!(
        o.status.code(),
        Some(if line == "OK" { 0 } else { 1 }),
        "exit status for {fs:?}: {}",
        stderr(&o)
    );
    line
}

const PRO_DRIVERS: &[&str] = &[
    "fscache",
    "fts-cache",
    "dictmap",
    "s3",
    "aws-s3",
    "sproxyd",
    "scality",
    "azure",
    "swift",
];

/// Every row of fs-vectors.tsv gets Dovecot's verdict and message in
/// open-source mode. Rows refused only because a Pro driver is missing
/// from dovecot-core (`Unknown fs driver: aws-s3`) must in addition be
/// accepted in the default (Pro) mode: that is the documented chain shape.
#[test]
fn oracle_fs_vectors() {
    let rows = read_tsv(&shared().join("oracle/fs-vectors.tsv"));
    assert!(rows.len() >= 50, "fs-vectors.tsv has {} rows", rows.len());
    let mut pro_rows = 0;
    for row in &rows {
        let fs = String::from_utf8(row[0].clone()).unwrap();
        let want = String::from_utf8(row[1].clone()).unwrap();
        assert_eq!(check_oss(&fs), want, "fs string {fs:?}");
        let pro_missing = PRO_DRIVERS
            .iter()
            .any(|d| want.ends_with(&format!("Unknown fs driver: {d}")));
        if pro_missing {
            pro_rows += 1;
            let o = run(["chain", "--string", &fs]);
            assert!(
                o.status.success(),
                "Pro mode refused {fs:?}: {}",
                stderr(&o)
            );
        }
    }
    assert!(pro_rows >= 4);
}

/// Ask the real Dovecot (dovecot-core) about strings that are not in the
/// vector file, and compare. Fails when Dovecot is missing.
#[test]
fn live_dovecot_agrees() {
    let strings = [
        "crypt:posix",
        "crypt:posix:",
        "crypt:bogus=1:posix",
        "crypt:=x:posix:",
        "mail-crypt:algo=aes-256-gcm-sha256:posix:",
        "randomfail:bogus=1:posix",
        "randomfail:all=101:posix",
        "randomfail:read-range=5-1:posix",
        "randomfail:read-range=x:posix",
        "randomfail:all=10,:posix",
        "randomfail:all:posix",
        "randomfail:all=10:",
        "posix:mode=0100",
        "posix:mode=+640",
        "posix:lock=",
        "posix:::dirs",
        "posix:dirs=1",
        "compress:zstd:+3:posix",
        "compress:gz:-0:posix",
        "compress:lzma:3",
        "compress:lzma:99:posix",
        "compress:zstd:3: posix",
        "compress:zstd:3:sis posix",
        "sis:posix bogus",
        "metawrap:compress:lz4:10:posix",
        "dict:raw:",
        "dict:raw:nosuch:x",
        "compress:gz:6:fscache:1G:/tmp:posix",
    ];
    // A private instance: the script then finds dovecot running and never
    // starts (and hands its stdout to) a daemon of its own.
    let oracle = Oracle::start();
    let (ok, out, err) = oracle.script("fs-check.sh", &strings);
    assert!(ok, "fs-check.sh failed: {err}");
    let answers: Vec<String> = out.lines().map(String::from).collect();
    assert_eq!(answers.len(), strings.len(), "{answers:?}");
    for (fs, want) in strings.iter().zip(&answers) {
        assert_eq!(&check_oss(fs), want, "fs string {fs:?}");
    }
}

const BRIEF: &str = "fscache:512M:/var/cache/mails/%4Nu:compress:zstd:3:aws-s3:https://ACCESSKEY:SECRET%%2Fx@dovecot-mails.s3.eu-central-1.amazonaws.com/?region=eu-central-1&auth_role=s3access";

#[test]
fn tree_and_json_hide_credentials_unless_asked() {
    let o = run(["chain", "--string", BRIEF]);
    assert!(o.status.success());
    let t = stdout(&o);
    assert!(t.contains("compress  zstd level 3"), "{t}");
    assert!(t.contains("signing: AWS SigV4, region eu-central-1"), "{t}");
    assert!(t.contains("dovecot-mails (virtual-hosted"), "{t}");
    assert!(!t.contains("SECRET") && !t.contains("ACCESSKEY"), "{t}");

    let o = run(["chain", "--json", "--string", BRIEF]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = j.to_string();
    assert!(!s.contains("SECRET") && !s.contains("ACCESSKEY"), "{s}");
    assert_eq!(j["chain"]["layers"][1]["kind"]["algo"], "zstd");
    let params = &j["chain"]["backend"]["url"]["params"];
    assert_eq!(params[0]["name"]["value"], "region");
    // spans are byte ranges of the input
    let sp = &params[0]["span"];
    let (a, b) = (
        sp[0].as_u64().unwrap() as usize,
        sp[1].as_u64().unwrap() as usize,
    );
    assert_eq!(&BRIEF[a..b], "region=eu-central-1");

    let o = run(["-P", "chain", "--json", "--string", BRIEF]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let pw = &j["chain"]["backend"]["url"]["userinfo"]["password"];
    assert_eq!(pw["decoded"], "SECRET/x");
}

#[test]
fn errors_point_at_the_bytes_and_hide_secrets() {
    let fs = "compress:zstd:3:s3:https://AK:SE/CRET@h.example.com/";
    let o = run(["chain", "--string", fs]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("compress: s3: Invalid URL"), "{e}");
    assert!(!e.contains("CRET") && !e.contains("AK:"), "{e}");
    let o = run(["chain", "--string", "compress:zstd:30:posix"]);
    let e = stderr(&o);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines[1].trim_start(), "compress:zstd:30:posix");
    assert_eq!(
        lines[2].find('^').unwrap(),
        lines[1].find("30").unwrap(),
        "{e}"
    );
}

// `{:?}` of a parsed chain (panic messages, error Debug) never shows a
// credential: URL userinfo, credential headers, crypt and dict passwords.
proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, failure_persistence: None, .. proptest::prelude::ProptestConfig::default() })]

    #[test]
    fn debug_output_hides_secrets(secret in "[A-Za-z0-9]{10,20}") {
        use obox_cli::fs_chain::{ParseOptions, parse_with};
        let chains = [
            format!("s3:https://AKID:{secret}@b.s3.example.com/?region=eu-west-1"),
            format!("s3:https://b.s3.example.com/?region=x&addhdr=Authorization:Bearer%20{secret}"),
            format!("s3:https://b.s3.example.com/?addhdrvar=X-Amz-Security-Token:{secret}"),
            format!("crypt:password={secret}:private_key_path=/k:posix"),
            format!("dict:raw:redis:host=h:password={secret}"),
            format!("dictmap:proxy:dict-async:cassandra:password={secret} ; s3:https://AK:{secret}@b.s3.example.com/ ; refcounting-table"),
        ];
        for c in &chains {
            let parsed = parse_with(c, &ParseOptions::default());
            let dbg = format!("{parsed:?}");
            proptest::prop_assert!(!dbg.contains(&secret), "{c}: {dbg}");
            if let Ok(chain) = &parsed {
                let pretty = format!("{:#?}", chain.backend);
                proptest::prop_assert!(!pretty.contains(&secret), "{}", pretty);
            }
        }
    }
}

/// `chain` reads `mail_location` (obox form) with the obox chains under
/// it, recognises an `obox:` string, maps JSON spans back into the file,
/// and with `--string` claims no setting.
#[test]
fn chain_mail_location_and_json_origins() {
    let dir = tempdir();
    let conf = dir.path().join("d.conf");
    std::fs::write(
        &conf,
        "mail_location = obox:%u:INDEX=~/:CONTROL=~/\nplugin {\n  \
         obox_fs = s3:https://AKID:SECRETX1@b.s3.example.com/?region=eu-west-1\n}\n",
    )
    .unwrap();
    let c = conf.to_str().unwrap();
    let o = run(["chain", "-c", c, "mail_location"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("format: obox")
            && out.contains("obox_fs:")
            && out.contains("s3  https://#hidden_use-P_to_show#@b.s3.example.com/"),
        "{out}"
    );
    assert!(!out.contains("SECRETX1"), "{out}");
    let o = run(["chain", "--string", "obox:%u:INDEX=~/"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && out.contains("format: obox"), "{out}");
    // JSON: every span has an origin in the file (line 3, where obox_fs is).
    let o = run(["chain", "--json", "-c", c, "obox_fs"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["setting"], "plugin/obox_fs");
    let host = &v["chain"]["backend"]["url"]["host"];
    let origin = &host["origin"];
    assert_eq!(origin["line"], 3, "{host}");
    let text = std::fs::read(&conf).unwrap();
    let (a, b) = (
        origin["offset"].as_u64().unwrap() as usize,
        origin["end_offset"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[a..b], b"b.s3.example.com");
    let o = run(["chain", "--json", "--string", "posix"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["setting"].is_null() && v["source"] == "string", "{v}");
    // An error frame hides a crypt password.
    let o = run(["chain", "--string", "crypt:password=PWXSECRET9:posix"]);
    let all = [o.stdout, o.stderr].concat();
    assert!(!String::from_utf8_lossy(&all).contains("PWXSECRET9"));
    assert!(String::from_utf8_lossy(&all).contains("password=#hidden_use-P_to_show#"));
}

/// `%%` in an obox_fs secret keeps the setting literal: `ls` needs no
/// --user for it (it used to say the value "uses %-variables").
#[test]
fn percent_escape_is_literal_for_objects() {
    let dir = tempdir();
    let conf = dir.path().join("d.conf");
    std::fs::write(
        &conf,
        "plugin {\n  obox_fs = s3:http://AK:sec%%2Fret@127.0.0.1:1/?bucket=b&region=us-east-1&timeout=1s&max_retries=0\n}\n",
    )
    .unwrap();
    let o = run(["ls", "-c", conf.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("uses %-variables"), "{err}");
    assert!(
        !err.contains("sec%2Fret") && !err.contains("sec/ret"),
        "{err}"
    );
}
