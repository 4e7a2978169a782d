//! Integration tests for `obox-cli expand`: the oracle's recorded vectors,
//! and a live comparison with a private Dovecot's `doveadm user -e`.
use crate::support::oracle::{Oracle, os};
use crate::support::*;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// (template, expected) or (template, user).
type Case = (Vec<u8>, Vec<u8>);
/// doveadm's answer: Ok(expansion), Err(message), None if doveadm failed.
type DoveResult = Option<Result<Vec<u8>, Vec<u8>>>;

/// The oracle's userdb: home=/home/<user>, uid=gid=65534.
fn oracle_args(user: &[u8]) -> Vec<Vec<u8>> {
    let mut home = b"/home/".to_vec();
    home.extend_from_slice(user);
    vec![
        b"expand".to_vec(),
        // Raw results are compared with Dovecot's: secrets shown.
        b"-P".to_vec(),
        b"--user".to_vec(),
        user.to_vec(),
        b"--home".to_vec(),
        home,
        b"--uid".to_vec(),
        b"65534".to_vec(),
        b"--gid".to_vec(),
        b"65534".to_vec(),
    ]
}

/// Every vectors.tsv row, in the default output mode: one process per
/// user; successes must come out on stdout in order, failures on stderr in
/// order with Dovecot's message.
#[test]
fn vectors_tsv_agrees() {
    let rows = read_tsv(&shared().join("oracle/vectors.tsv"));
    assert_eq!(rows.len(), 1170, "vectors.tsv should have 1,170 rows");
    let mut by_user: BTreeMap<Vec<u8>, Vec<Case>> = BTreeMap::new();
    for r in &rows {
        by_user
            .entry(r[1].clone())
            .or_default()
            .push((r[0].clone(), r[2].clone()));
    }
    let mut checked = 0;
    let mut bad = Vec::new();
    for (user, cases) in &by_user {
        let mut args = oracle_args(user);
        args.extend(cases.iter().map(|(t, _)| t.clone()));
        let out = cmd().args(args.iter().map(|a| os(a))).output().unwrap();
        let mut stdout = out.stdout.split(|&c| c == b'\n');
        let mut stderr = out.stderr.split(|&c| c == b'\n');
        let mut any_error = false;
        for (template, expected) in cases {
            let got = if let Some(msg) = expected.strip_prefix(b"!ERROR:") {
                any_error = true;
                let mut want = b"obox-cli: error: Failed to expand ".to_vec();
                want.extend_from_slice(template);
                want.extend_from_slice(b": ");
                want.extend_from_slice(msg);
                (stderr.next().unwrap_or_default().to_vec(), want)
            } else {
                (stdout.next().unwrap_or_default().to_vec(), expected.clone())
            };
            if got.0 != got.1 {
                bad.push(format!(
                    "{} / {}: want {:?}, got {:?}",
                    String::from_utf8_lossy(template),
                    String::from_utf8_lossy(user),
                    String::from_utf8_lossy(&got.1),
                    String::from_utf8_lossy(&got.0)
                ));
            }
            checked += 1;
        }
        let want_code = if any_error { 1 } else { 0 };
        assert_eq!(
            out.status.code(),
            Some(want_code),
            "exit status for {user:?}"
        );
    }
    assert_eq!(checked, 1170);
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn tsv_mode_reproduces_the_vector_lines() {
    let text = std::fs::read_to_string(shared().join("oracle/vectors.tsv")).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .skip(1)
        .filter(|l| l.contains("\tjürgen@example.de\t"))
        .collect();
    assert_eq!(lines.len(), 130);
    let mut args = oracle_args("jürgen@example.de".as_bytes());
    args.push(b"--tsv".to_vec());
    args.extend(
        lines
            .iter()
            .map(|l| tsv_unescape(l.split('\t').next().unwrap())),
    );
    let out = cmd().args(args.iter().map(|a| os(a))).output().unwrap();
    let got = String::from_utf8(out.stdout).unwrap();
    let got: Vec<&str> = got.lines().collect();
    assert_eq!(got, lines);
    assert_eq!(out.status.code(), Some(1), "some vectors are errors");
    assert!(out.stderr.is_empty());
}

#[test]
fn exit_codes_and_messages() {
    let out = run([
        "expand",
        "--user",
        "alice@example.com",
        "%8Mu/%u",
        "SEC%2FRET",
        "SEC%%2FRET",
    ]);
    assert_eq!(stdout(&out), "c160f8cc/alice@example.com\nSEC%2FRET\n");
    assert_eq!(
        stderr(&out),
        "obox-cli: error: Failed to expand SEC%2FRET: Unknown variable '%F'\n"
    );
    assert_eq!(out.status.code(), Some(1));

    let out = run(["expand", "--user", "", "%u"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("empty"), "{}", stderr(&out));

    let out = run(["expand", "--var", "nosuch=1", "%u"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--var nosuch"));

    let out = run([
        "expand",
        "--var",
        "rip=192.0.2.7",
        "--var",
        "session=s1",
        "%r|%{session}|%l",
    ]);
    assert_eq!(stdout(&out), "192.0.2.7|s1|\n");

    let out = run([
        "expand",
        "--user",
        "bob",
        "--userdb",
        "quota=1G",
        "%{userdb:quota:x}|%{userdb:home:nohome}|%h",
    ]);
    assert_eq!(stdout(&out), "1G|nohome|\n");

    let out = run(["expand", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("Examples:"));

    let out = run(["expand"]);
    assert_eq!(out.status.code(), Some(2), "a template is required");
}

#[test]
fn bad_input_never_panics() {
    // A single argv string is limited to 128 KiB; the library's unit tests
    // cover 100,000 levels.
    let huge = "%{if;1;==;1;".repeat(8_000) + "x" + &";}".repeat(8_000);
    let cases: Vec<Vec<u8>> = vec![
        b"%{".to_vec(),
        b"%{user".to_vec(),
        b"%{a{b}".to_vec(),
        b"%99999999999999999999999u".to_vec(),
        b"%0999999999u".to_vec(),
        b"%-0.-0LLLLLLLLLLLLLLLL".to_vec(),
        b"\xff\xfe%u%".to_vec(),
        b"%{md5;rounds=4294967295:user}".to_vec(),
        huge.into_bytes(),
    ];
    for c in &cases {
        let out = cmd()
            .args([os(b"expand"), os(b"--user"), os(b"\xff\xc3(@x"), os(c)])
            .output()
            .unwrap();
        let code = out.status.code();
        assert!(
            code == Some(0) || code == Some(1),
            "{:?}: {code:?} {}",
            String::from_utf8_lossy(&c[..c.len().min(40)]),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = cmd()
        .args([
            os(b"expand"),
            os(b"--user"),
            os(b"\xff\xc3(@x"),
            os(b"%Ru|%2n"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"x@(\xc3\xff|\xff\xc3\n");
}

// ---------------------------------------------------------------------------
// Live comparison with real Dovecot.

/// Templates beyond vectors.tsv: comparisons, regexes, wildcards, pkcs5,
/// base64, salts, escapes in URLs, error-slot interplay, odd widths.
const EXTRA_TEMPLATES: &[&str] = &[
    "%{if;%n;~;^a;yes;no}",
    "%{if;%n;!~;^a;yes;no}",
    "%{if;%u;~;@.*\\.(com|org)$;dot-com-org;other}",
    "%{if;%u;~;[[:upper:]];upper;noupper}",
    "%{if;%u;~;(;x;y}",
    "%{if;%u;~;[;x;y}",
    "%{if;%u;~;a{1;x;y}",
    "%{if;%u;~;*a;x;y}",
    "%{if;%u;*;*@*;has-at;no-at}",
    "%{if;%u;!*;*@*;no-at;has-at}",
    "%{if;%u;*;?????;five;notfive}",
    "%{if;%u;*;*e*m*;em;noem}",
    "%{if;%{size:user};>;0000000000000005;long;short}",
    "%{if;%{uid};==;65534;nobody;other}",
    "%{if;-5;<;3;lt;ge}",
    "%{if;+5;==;5;a;b}",
    "%{if;99999999999999999999;>;1;a;b}",
    "%{if;-9223372036854775808;<;0;neg;pos}",
    "%{if;%n;lt;m;first-half;second-half}",
    "%{if;%n;le;alice;le;gt}",
    "%{if;%n;ge;alice;ge;lt}",
    "%{if;%n;ne;alice;ne;eq}",
    "%{if;%n;<>;alice;a;b}",
    "%{if;a\\;b;eq;a\\;b;same;diff}",
    "%{if;a;eq;a;%{if;b;eq;b;inner;x};outer}",
    "%{if;a;eq;a;yes}",
    "%{if;a;eq;b;yes}",
    "%{if;a;eq;a;x;y;z}",
    "%{if:a;eq;a;x;y}",
    "%{pkcs5:user}",
    "%{pkcs5;salt=pepper:user}",
    "%{pkcs5;rounds=3,truncate=128:user}",
    "%{pkcs5;format=base64,truncate=64:user}",
    "%{PKCS5:user}",
    "%{md5;format=base64:username}",
    "%{sha256;format=base64,truncate=20:user}",
    "%{sha1;truncate=7,format=base64:domain}",
    "%{md5;salt=%d:user}",
    "%{md5;salt=%{if;a;eq;a;s1;s2}:user}",
    "%{md5;salt=%q:user}",
    "%{md5;salt=:user}",
    "%{md5;rounds=2,salt=x:user}",
    "%{md5;rounds=x:user}",
    "%{md5;rounds=4294967296:user}",
    "%{md5;truncate=abc:user}",
    "%{sha512;truncate=1000:user}",
    "%{size;rounds=3:user}",
    "%{md5:userdb:home}",
    "%{md5:userdb:nosuch:dflt}",
    "%{md5:md5:user}",
    "%{md5:if;a;eq;a;b;c}",
    "%{md5;rounds=x:nosuch}",
    "%{md5:}",
    "%{Md5:user}",
    "https://KEY:SEC%%3A%%2FRET@bucket.example.com/?region=x",
    "https://KEY:SEC%2FRET@bucket.example.com/",
    "https://KEY:SEC%3ARET@bucket.example.com/",
    "%%%%u%%",
    "%q%{md5;salt=x:user}",
    "%q%{if;a;eq;a;x;y}",
    "%{MD5:user}%q",
    "%q%{MD5:user}",
    "%{nosuch}%q",
    "%q%{nosuch}",
    "%{a}%{b}",
    "%q%w",
    "%{md:user}",
    "%{:user}",
    "%{system:hostname}",
    "%{hostname}",
    "%{env:HOME}",
    "%{env:OBOX_SURELY_UNSET}",
    "%{env}",
    "%{userdb}",
    "%{userdb:uid}|%{userdb:gid}|%{userdb:home:x}",
    "%{userdb:mail:none}",
    "%{local_ip}|%{remote_ip}|%l|%r|%{lip}|%{rip}",
    "%{service}|%s",
    "%2147483648u",
    "%4294967297u",
    "%-2147483648.2u",
    "%.2147483648u",
    "%2147483647.u",
    "%-2147483647.u",
    "%0100n",
    "%.01n",
    "%1.-1u",
    "%-1.-1u",
    "%5.1Hu",
    "%.-3Hu",
    "%.-3Nu",
    "%3.4294967295Nu",
    "%0Nu",
    "%EXu",
    "%TRu",
    "%DDu",
    "%UDRu",
    "%L{if;a;eq;a;ABC;x}",
    "%3{md5:user}",
    "%-4.2{sha1:user}",
    "%{user}%{username}%{domain}%{home}",
    "\u{00e9}t\u{00e9}/%u",
    "%",
    "%-",
    "%0.",
    "%{}}",
    "{%u}",
    "%{auth_user}|%{auth_username}|%{auth_domain}",
];

const EXTRA_USERS: &[&str] = &[
    "Mixed.Case@Example.COM",
    "pct%20x@y.z",
    "sp ace@x",
    "back\\slash@x",
    "quo'te\"@x",
    "a.b.c@d.e.f",
    "trail @x ",
];

#[test]
fn live_against_doveadm() {
    let oracle = Oracle::start();
    let home_env = support_home();
    let mut cases: Vec<Case> = Vec::new();
    let rows = read_tsv(&shared().join("oracle/vectors.tsv"));
    for r in &rows {
        cases.push((r[0].clone(), r[1].clone()));
    }
    let mut users: Vec<Vec<u8>> = rows.iter().map(|r| r[1].clone()).collect();
    users.sort();
    users.dedup();
    users.extend(EXTRA_USERS.iter().map(|u| u.as_bytes().to_vec()));
    users.push(b"\xffbin@x".to_vec());
    for u in &users {
        for t in EXTRA_TEMPLATES {
            cases.push((t.as_bytes().to_vec(), u.clone()));
        }
    }
    // The vectors' templates for the extra users too.
    let mut vector_templates: Vec<Vec<u8>> = rows.iter().map(|r| r[0].clone()).collect();
    vector_templates.dedup();
    for u in EXTRA_USERS {
        for t in &vector_templates {
            cases.push((t.clone(), u.as_bytes().to_vec()));
        }
    }

    // doveadm, in two threads (one template per call).
    let conf = oracle.conf();
    let half = cases.len() / 2;
    let (a, b) = cases.split_at(half);
    let run_part = |part: &[Case]| -> Vec<DoveResult> {
        part.iter()
            .map(|(t, u)| Oracle::expand(&conf, &home_env, t, u))
            .collect()
    };
    let (ra, rb) = std::thread::scope(|s| {
        let ha = s.spawn(|| run_part(a));
        let hb = s.spawn(|| run_part(b));
        (ha.join().unwrap(), hb.join().unwrap())
    });
    let dove: Vec<_> = ra.into_iter().chain(rb).collect();

    // obox-cli, one --tsv process per user.
    let mut ours: BTreeMap<(Vec<u8>, Vec<u8>), Vec<u8>> = BTreeMap::new();
    let mut by_user: BTreeMap<Vec<u8>, Vec<Vec<u8>>> = BTreeMap::new();
    for (t, u) in &cases {
        by_user.entry(u.clone()).or_default().push(t.clone());
    }
    for (u, ts) in &by_user {
        let mut args = oracle_args(u);
        args.push(b"--tsv".to_vec());
        args.extend(ts.iter().cloned());
        let out = cmd()
            .args(args.iter().map(|a| os(a)))
            .env("HOME", &home_env)
            .output()
            .unwrap();
        let lines: Vec<&[u8]> = out
            .stdout
            .split(|&c| c == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(lines.len(), ts.len(), "obox-cli --tsv lines for {u:?}");
        for (t, line) in ts.iter().zip(lines) {
            let field = line.rsplit(|&c| c == b'\t').next().unwrap();
            ours.insert(
                (t.clone(), u.clone()),
                tsv_unescape(&String::from_utf8_lossy(field)),
            );
        }
    }

    let mut bad = Vec::new();
    let mut compared = 0;
    for ((t, u), d) in cases.iter().zip(&dove) {
        let Some(d) = d else {
            bad.push(format!(
                "doveadm failed for user {:?}",
                String::from_utf8_lossy(u)
            ));
            continue;
        };
        let want = match d {
            Ok(v) => v.clone(),
            Err(m) => [b"!ERROR:".as_slice(), m].concat(),
        };
        let got = &ours[&(t.clone(), u.clone())];
        compared += 1;
        if *got != want {
            bad.push(format!(
                "{} / {}: doveadm {:?}, obox-cli {:?}",
                String::from_utf8_lossy(t),
                String::from_utf8_lossy(u),
                String::from_utf8_lossy(&want),
                String::from_utf8_lossy(got)
            ));
        }
    }
    assert!(
        compared >= 1170 + EXTRA_TEMPLATES.len() * 10,
        "only {compared} compared"
    );
    assert!(
        bad.is_empty(),
        "{} of {compared} differ:\n{}",
        bad.len(),
        bad.join("\n")
    );

    // The empty username: doveadm has no such user; obox-cli refuses too.
    assert!(Oracle::expand(&conf, &home_env, b"%u", b"").is_none());
    let out = run(["expand", "--user", "", "%u"]);
    assert_eq!(out.status.code(), Some(2));
}

/// A fixed HOME for both doveadm and obox-cli, so `%{env:HOME}` compares.
fn support_home() -> PathBuf {
    PathBuf::from("/nonexistent/obox-home")
}
