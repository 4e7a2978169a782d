//! Secret hygiene (issue 7 part 3), property-tested: for random secrets
//! (any bytes, `%`, `:`, `/`, `@`, `#` included) written into a config as
//! a URL password, a `*_password`/`*_key` setting and a `secret=` word, no
//! command in any format prints the secret or an encoded form of it unless
//! -P is given; with -P, `config` does print it (the control).
use crate::support::{cmd, tempdir};
use proptest::prelude::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Percent-encode for a URL userinfo: unreserved bytes stay, the rest
/// become %XX (upper-case hex).
fn userinfo_encode(s: &[u8]) -> String {
    let mut o = String::new();
    for &b in s {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

fn pct_all(s: &[u8], upper: bool) -> String {
    s.iter()
        .map(|b| {
            if upper {
                format!("%{b:02X}")
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}

/// Every form of `s` that must not appear: raw, lossy UTF-8, fully
/// percent-encoded (both cases), userinfo-encoded, `%%`-doubled, JSON- and
/// TSV-escaped. Forms shorter than 6 bytes could occur by chance and are
/// left out.
fn forms(s: &[u8]) -> Vec<Vec<u8>> {
    let lossy = String::from_utf8_lossy(s).into_owned();
    let json = serde_json::to_string(&lossy).unwrap();
    let enc = userinfo_encode(s);
    let mut v: Vec<Vec<u8>> = vec![
        s.to_vec(),
        lossy.clone().into_bytes(),
        pct_all(s, true).into_bytes(),
        pct_all(s, false).into_bytes(),
        enc.clone().into_bytes(),
        enc.replace('%', "%%").into_bytes(),
        json.as_bytes()[1..json.len() - 1].to_vec(),
        lossy
            .replace('\\', "\\\\")
            .replace('\t', "\\t")
            .into_bytes(),
    ];
    v.retain(|f| f.len() >= 6);
    v.sort();
    v.dedup();
    v
}

fn find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A value for a quoted dovecot.conf string: `"` and `\` escaped; bytes
/// a config line cannot hold at all (NUL, CR, LF) are left out.
fn conf_quoted(s: &[u8]) -> Vec<u8> {
    let mut o = vec![b'"'];
    for &b in s {
        match b {
            0 | b'\r' | b'\n' => {}
            b'"' | b'\\' => o.extend_from_slice(&[b'\\', b]),
            _ => o.push(b),
        }
    }
    o.push(b'"');
    o
}

/// A loopback S3 that fails every request (500 once, then 403), so `-v`
/// logs and error chains are produced. Stops when dropped.
struct FailingS3 {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<std::sync::atomic::AtomicU64>,
}

impl FailingS3 {
    fn start() -> FailingS3 {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        l.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let requests = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let r = requests.clone();
        std::thread::spawn(move || {
            let mut n = 0u32;
            while !s.load(Ordering::Relaxed) {
                let Ok((mut c, _)) = l.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                n += 1;
                r.fetch_add(1, Ordering::Relaxed);
                let _ = c.set_nonblocking(false);
                let _ = c.set_read_timeout(Some(Duration::from_secs(2)));
                let mut head = Vec::new();
                let mut b = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match c.read(&mut b) {
                        Ok(1) => head.push(b[0]),
                        _ => break,
                    }
                }
                let (status, code) = if n % 2 == 1 {
                    ("500 Internal Server Error", "InternalError")
                } else {
                    ("403 Forbidden", "SignatureDoesNotMatch")
                };
                let body = format!(
                    "<Error><Code>{code}</Code><Message>nope</Message><RequestId>r{n}</RequestId></Error>"
                );
                let _ = c.write_all(
                    format!(
                        "HTTP/1.1 {status}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            }
        });
        FailingS3 {
            port,
            stop,
            requests,
        }
    }
}

impl Drop for FailingS3 {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A port with nothing listening (bound, then closed).
fn dead_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Case {
    /// Written as the URL password (any bytes).
    url_secret: Vec<u8>,
    /// Written as `*_password`/`*_key` values and `secret=` words.
    word_secret: Vec<u8>,
}

fn write_config(dir: &Path, c: &Case, port: u16) -> std::path::PathBuf {
    let enc = userinfo_encode(&c.url_secret).replace('%', "%%");
    let url = |p: u16| {
        format!(
            "http://AKIDHYGIENE:{enc}@127.0.0.1:{p}/?bucket=b&region=us-east-1&timeout=2s&max_retries=1"
        )
    };
    let mut conf = Vec::new();
    conf.extend_from_slice(
        b"mail_location = obox:%u:INDEX=~/\nmail_home = /home/%u\nmail_uid = vmail\n",
    );
    conf.extend_from_slice(b"ssl_key = ");
    conf.extend_from_slice(&conf_quoted(&c.word_secret));
    conf.extend_from_slice(b"\nplugin {\n  obox_fs = fscache:1G:/tmp/obox-hygiene-cache:s3:");
    conf.extend_from_slice(url(port).as_bytes());
    conf.extend_from_slice(b"\n  obox_index_fs = s3:");
    conf.extend_from_slice(url(dead_port()).as_bytes());
    conf.extend_from_slice(b"\n  mail_crypt_global_private_password = ");
    conf.extend_from_slice(&conf_quoted(&c.word_secret));
    conf.extend_from_slice(b"\n  obox_hygiene_dict = ");
    let mut word = b"proxy:secret=".to_vec();
    word.extend_from_slice(&c.word_secret);
    conf.extend_from_slice(&conf_quoted(&word));
    conf.extend_from_slice(b"\n}\n");
    let path = dir.join("dovecot.conf");
    std::fs::write(&path, conf).unwrap();
    path
}

fn run_all(args: &[&str]) -> (Vec<u8>, i32) {
    let child = cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let mut all = out.stdout;
    all.extend_from_slice(&out.stderr);
    (all, out.status.code().unwrap_or(-1))
}

fn check_case(c: &Case, srv: &FailingS3) -> Result<(), TestCaseError> {
    let dir = tempdir();
    let conf = write_config(dir.path(), c, srv.port);
    let conf = conf.to_str().unwrap();
    let enc_template = format!(
        "s3:http://AK:{}@127.0.0.1/?x=1 secret={}",
        userinfo_encode(&c.url_secret).replace('%', "%%"),
        String::from_utf8_lossy(&c.word_secret).replace([' ', '\t', ';', ':', '%'], "x")
    );
    let commands: Vec<Vec<&str>> = vec![
        vec!["config", "-c", conf],
        vec!["config", "--json", "-c", conf],
        vec!["config", "-x", "-c", conf],
        vec!["config", "-c", conf, "plugin/obox_fs", "ssl_key"],
        vec!["chain", "-c", conf],
        vec!["chain", "--json", "-c", conf],
        vec!["chain", "--expanded", "-c", conf, "obox_index_fs"],
        vec!["lint", "--format", "human", "-c", conf],
        vec!["lint", "--format", "json", "-c", conf],
        vec!["lint", "--format", "sarif", "-c", conf],
        vec!["lint", "--format", "github", "-c", conf],
        vec!["path", "-c", conf, "alice"],
        vec!["path", "--json", "-c", conf, "alice"],
        vec!["expand", "--user", "alice", &enc_template],
        vec!["expand", "--tsv", "--user", "alice", &enc_template],
        vec!["ls", "-v", "-c", conf, "--user", "alice"],
        vec!["ls", "-v", "-c", conf, "--user", "alice", "--fs", "index"],
        vec!["get", "-v", "-c", conf, "--user", "alice", "some/key", "-"],
        vec!["stat", "-v", "-c", conf, "--user", "alice", "some/key"],
    ];
    let mut forbidden = forms(&c.url_secret);
    forbidden.extend(forms(&c.word_secret));
    let before = srv.requests.load(Ordering::Relaxed);
    // A NUL cannot be part of a credential (Dovecot keeps C strings): the
    // URL parser refuses `%00` before any request, like invalid UTF-8.
    let reaches = std::str::from_utf8(&c.url_secret).is_ok() && !c.url_secret.contains(&0);
    for args in &commands {
        let (out, code) = run_all(args);
        // A password that decodes to invalid UTF-8 is refused before any
        // request (the error must still hide it).
        if args[1] == "-v" && reaches {
            // The S3 commands really talked (or tried to) and logged it.
            prop_assert!(
                find(&out, b"127.0.0.1") || find(&out, b"GET") || find(&out, b"HEAD"),
                "{args:?}: no request log: {}",
                String::from_utf8_lossy(&out)
            );
        }
        prop_assert!(
            code != 101,
            "{args:?} panicked: {}",
            String::from_utf8_lossy(&out)
        );
        for f in &forbidden {
            prop_assert!(
                !find(&out, f),
                "{args:?} printed secret form {:?}:\n{}",
                String::from_utf8_lossy(f),
                String::from_utf8_lossy(&out)
            );
        }
    }
    prop_assert!(
        !reaches || srv.requests.load(Ordering::Relaxed) >= before + 3,
        "the S3 commands never reached the server"
    );
    // Control: with -P the secrets are there (so the above could fail).
    let (out, _) = run_all(&["config", "-P", "-c", conf]);
    let written = userinfo_encode(&c.url_secret).replace('%', "%%");
    prop_assert!(find(&out, written.as_bytes()), "-P hid the URL password");
    let (out, _) = run_all(&["config", "-P", "-c", conf, "ssl_key"]);
    let shown: Vec<u8> = c
        .word_secret
        .iter()
        .copied()
        .filter(|b| !matches!(b, 0 | b'\r' | b'\n'))
        .collect();
    prop_assert!(
        find(&out, &shown),
        "-P hid ssl_key: {}",
        String::from_utf8_lossy(&out)
    );
    Ok(())
}

/// Secrets of 8–20 bytes with at least 6 distinct values (so that no form
/// is a common run like six spaces that any output may contain).
fn secret(any_byte: bool) -> impl Strategy<Value = Vec<u8>> {
    let byte = if any_byte {
        prop_oneof![
            4 => proptest::sample::select(b"%:/@#?&=+ \"'\\$<{}!;".to_vec()),
            2 => any::<u8>(),
            4 => proptest::sample::select(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".to_vec()),
        ]
        .boxed()
    } else {
        prop_oneof![
            4 => proptest::sample::select(b"%/@#?&=+\"'\\$<{}!".to_vec()),
            1 => 0x80u8..=0xff,
            4 => proptest::sample::select(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".to_vec()),
        ]
        .boxed()
    };
    proptest::collection::vec(byte, 8..20).prop_filter("varied", |v| {
        let mut d = v.clone();
        d.sort();
        d.dedup();
        d.len() >= 6
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn no_command_prints_secrets(url_secret in secret(true), word_secret in secret(false)) {
        let srv = FailingS3::start();
        check_case(&Case { url_secret, word_secret }, &srv)?;
    }
}

/// Fixed cases every run: the characters the issue names, one by one.
#[test]
fn named_characters_are_hidden() {
    let srv = FailingS3::start();
    for s in [
        &b"pa%ss:wo/rd@x#y"[..],
        b"%%%%2F%40%3A%23",
        b"@@@:::///###",
        b"\xff\xfe\x80secret\x01\x7f",
    ] {
        let word: Vec<u8> = s
            .iter()
            .copied()
            .filter(|b| !b" \t;:".contains(b))
            .collect();
        let c = Case {
            url_secret: s.to_vec(),
            word_secret: [&word[..], b"-word-XyZ"].concat(),
        };
        if let Err(e) = check_case(&c, &srv) {
            panic!("{e}");
        }
    }
}

// ------------------------------------------------------ unencoded secrets

/// The inside of `conf_quoted(s)` (the form a quoted config value holds).
fn quoted_inner(s: &[u8]) -> Vec<u8> {
    let q = conf_quoted(s);
    q[1..q.len() - 1].to_vec()
}

/// Config files holding `secret` written as it is, not percent-encoded:
/// in a quoted URL password (space, `?`, `#`, non-ASCII all possible), an
/// unquoted one, a `*_password` value with `#`, dict and crypt passwords,
/// an `addhdr=Authorization:` token; then three configs that fail to load
/// with the secret on the offending line (an unknown top-level
/// `*_password`, a secret setting in a section that does not allow it, a
/// misspelt secret key in plugin {}).
fn raw_configs(dir: &Path, secret: &[u8]) -> Vec<std::path::PathBuf> {
    let q = conf_quoted(secret);
    // Unquoted, a config value ends at a `#` or at the line's end, loses
    // surrounding blanks, and a `\` before the comment would continue the
    // line into the next one: keep what stays one value.
    let unq: Vec<u8> = secret
        .iter()
        .copied()
        .filter(|b| {
            !matches!(
                b,
                0 | b'\r' | b'\n' | b' ' | b'\t' | b'"' | b'\'' | b'#' | b'\\'
            )
        })
        .collect();
    // In a dict URI, crypt parameters and URL parameters `:`, `;` and `&`
    // separate items: a password there cannot hold them.
    let word = word_form(secret);
    let mut a = Vec::new();
    a.extend_from_slice(b"mail_location = obox:%u:INDEX=~/\nmail_home = /home/%u\n");
    a.extend_from_slice(b"ssl_key_password = ");
    a.extend_from_slice(&unq);
    a.extend_from_slice(b"#tail\nplugin {\n  obox_fs = \"aws-s3:https://AKIDRAW:");
    a.extend_from_slice(&q[1..q.len() - 1]);
    a.extend_from_slice(b"@bucket.s3.amazonaws.com/?region=eu-west-1\"\n");
    a.extend_from_slice(b"  obox_index_fs = aws-s3:https://AKIDRAW:");
    a.extend_from_slice(&unq);
    a.extend_from_slice(
        b"@bucket.s3.amazonaws.com/?region=eu-west-1&addhdr=Authorization:Bearer%20",
    );
    a.extend_from_slice(&word);
    a.extend_from_slice(b"\n  fts_dovecot_fs = \"dictmap:proxy:dict-async:cassandra:password=");
    a.extend_from_slice(&quoted_inner(&word));
    a.extend_from_slice(b" ; s3:https://b.s3.example.com/ ; refcounting-table\"\n");
    a.extend_from_slice(b"  x_dict_fs = dict:raw:redis:host=127.0.0.1:password=");
    a.extend_from_slice(&word);
    a.extend_from_slice(b"\n  x_crypt_fs = crypt:password=");
    a.extend_from_slice(&word);
    a.extend_from_slice(b":private_key_path=/k:posix\n  mail_crypt_global_private_password = ");
    a.extend_from_slice(&q);
    a.extend_from_slice(b"\n}\n");
    let mut b = b"bogus_password = ".to_vec();
    b.extend_from_slice(&unq);
    b.push(b'\n');
    let mut c = b"service imap {\n  ssl_key_password = ".to_vec();
    c.extend_from_slice(&q);
    c.extend_from_slice(b"\n}\n");
    let mut d = b"plugin {\n  obox_fs = s3:https://h.example/\n}\nssl_key_pasword = ".to_vec();
    d.extend_from_slice(&unq);
    d.push(b'\n');
    [("a.conf", a), ("b.conf", b), ("c.conf", c), ("d.conf", d)]
        .into_iter()
        .map(|(n, t)| {
            let p = dir.join(n);
            std::fs::write(&p, t).unwrap();
            p
        })
        .collect()
}

/// `secret` as a `password=` item can hold it: no blanks, quotes, `#`,
/// nor the item separators `:`, `;`, `&`.
fn word_form(secret: &[u8]) -> Vec<u8> {
    secret
        .iter()
        .copied()
        .filter(|b| !b"\0\r\n \t\"'#:;&".contains(b))
        .collect()
}

fn check_raw(secret: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempdir();
    let confs = raw_configs(dir.path(), secret);
    let mut forbidden = forms(secret);
    let unq: Vec<u8> = secret
        .iter()
        .copied()
        .filter(|b| {
            !matches!(
                b,
                0 | b'\r' | b'\n' | b' ' | b'\t' | b'"' | b'\'' | b'#' | b'\\'
            )
        })
        .collect();
    forbidden.extend(forms(&unq));
    forbidden.extend(forms(&word_form(secret)));
    forbidden.extend(forms(&quoted_inner(secret)));
    forbidden.retain(|f| f.len() >= 6);
    let template = {
        let mut t = b"s3:https://AK:".to_vec();
        t.extend(secret.iter().filter(|&&b| b != 0));
        t.extend_from_slice(b"@h.example/?x=1");
        t
    };
    use std::os::unix::ffi::OsStrExt;
    let template = Some(std::ffi::OsStr::from_bytes(&template));
    for conf in &confs {
        let conf = conf.to_str().unwrap();
        let mut commands: Vec<Vec<&str>> = vec![
            vec!["config", "-c", conf],
            vec!["config", "--json", "-c", conf],
            vec!["config", "-x", "-c", conf],
            vec!["path", "-c", conf, "alice"],
            vec!["path", "--json", "-c", conf, "alice"],
            vec!["lint", "--format", "human", "-c", conf],
            vec!["lint", "--format", "json", "-c", conf],
            vec!["lint", "--format", "sarif", "-c", conf],
            vec!["lint", "--format", "github", "-c", conf],
        ];
        for s in [
            "obox_fs",
            "obox_index_fs",
            "fts_dovecot_fs",
            "x_dict_fs",
            "x_crypt_fs",
            "mail_location",
        ] {
            commands.push(vec!["chain", "-c", conf, s]);
            commands.push(vec!["chain", "--json", "-c", conf, s]);
        }
        for args in &commands {
            let (out, code) = run_all(args);
            prop_assert!(
                code != 101,
                "{args:?} panicked: {}",
                String::from_utf8_lossy(&out)
            );
            for f in &forbidden {
                prop_assert!(
                    !find(&out, f),
                    "{args:?} printed secret form {:?} of {:?}:\n{}",
                    String::from_utf8_lossy(f),
                    String::from_utf8_lossy(secret),
                    String::from_utf8_lossy(&out)
                );
            }
        }
    }
    if let Some(t) = template {
        for tsv in [false, true] {
            let mut c = cmd();
            c.args(["expand", "--user", "alice"]);
            if tsv {
                c.arg("--tsv");
            }
            let out = c.arg(t).output().unwrap();
            let all = [out.stdout, out.stderr].concat();
            for f in &forbidden {
                prop_assert!(
                    !find(&all, f),
                    "expand printed secret form {:?}:\n{}",
                    String::from_utf8_lossy(f),
                    String::from_utf8_lossy(&all)
                );
            }
        }
    }
    // Control: -P shows what `config` documents (the secret setting and
    // the quoted URL password, as written).
    let a = confs[0].to_str().unwrap();
    let (out, _) = run_all(&[
        "config",
        "-P",
        "-c",
        a,
        "plugin/mail_crypt_global_private_password",
    ]);
    let shown: Vec<u8> = secret
        .iter()
        .copied()
        .filter(|b| !matches!(b, 0 | b'\r' | b'\n'))
        .collect();
    prop_assert!(
        find(&out, &shown) || find(&out, &quoted_inner(&shown)),
        "-P hid the password: {}",
        String::from_utf8_lossy(&out)
    );
    Ok(())
}

/// A secret with the bytes that break naive redaction mixed in: spaces,
/// `?`, `#`, `@`, `/`, `:`, `%`, quotes, non-ASCII.
fn raw_secret() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => proptest::sample::select(b"%:/@#? &=+\"'\\;".to_vec()),
        1 => 0x80u8..=0xff,
        5 => proptest::sample::select(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".to_vec()),
    ];
    proptest::collection::vec(byte, 10..20).prop_filter("varied", |v| {
        let mut d = v.clone();
        d.sort();
        d.dedup();
        // Enough letters that the forms checked are not common runs.
        d.len() >= 6 && v.iter().filter(|b| b.is_ascii_alphanumeric()).count() >= 6
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn unencoded_secrets_never_print(secret in raw_secret()) {
        check_raw(&secret)?;
    }
}

/// The issue's own examples, every run.
#[test]
fn unencoded_named_cases_are_hidden() {
    for s in [
        &b"wJal rSECRET"[..],
        b"wJal?rSECRET",
        b"wJal#rSECRET",
        b"wJ@l/rSECRETx",
        b"w\xc3\xa4l rSECRET",
        b"12/rSECRETab",
        b"abc#LEAKPWA1",
    ] {
        if let Err(e) = check_raw(s) {
            panic!("{}: {e}", String::from_utf8_lossy(s));
        }
    }
}

/// `path -P` shows a secret that an error message quotes (what its help
/// promises) and `path` does not; `chain -P` shows the dict password.
#[test]
fn show_secrets_controls() {
    let dir = tempdir();
    let conf = dir.path().join("p.conf");
    std::fs::write(
        &conf,
        "mail_location = obox:%u:INDEX=~/\nmail_home = /home/%u\nplugin {\n  \
         obox_fs = s3:https://AKID:PATHSECRET77@h.example/%Q/?region=eu-west-1\n  \
         x_fs = dict:raw:redis:host=h:password=DICTSECRET77\n}\n",
    )
    .unwrap();
    let conf = conf.to_str().unwrap();
    for (args, secret) in [
        (vec!["path", "-c", conf, "alice"], "PATHSECRET77"),
        (vec!["path", "--json", "-c", conf, "alice"], "PATHSECRET77"),
        (vec!["chain", "-c", conf, "x_fs"], "DICTSECRET77"),
        (vec!["chain", "--json", "-c", conf, "x_fs"], "DICTSECRET77"),
    ] {
        let (out, _) = run_all(&args);
        assert!(
            !find(&out, secret.as_bytes()),
            "{args:?}: {}",
            String::from_utf8_lossy(&out)
        );
        let mut with = args.clone();
        with.insert(1, "-P");
        let (out, _) = run_all(&with);
        assert!(
            find(&out, secret.as_bytes()),
            "{with:?}: {}",
            String::from_utf8_lossy(&out)
        );
    }
}
