//! `obox-cli config` against doveconf: the recorded oracle cases, the same
//! cases re-run on the real doveconf, Debian's shipped configuration, and
//! generated configurations.
use crate::support::*;
use std::path::Path;
use std::process::Command;

/// Translate doveconf's flags to obox-cli's.
fn obox_args(doveconf_args: &str) -> Vec<String> {
    let mut out = vec!["config".to_string()];
    for a in doveconf_args.split_whitespace() {
        match a {
            "-n" => {}
            "-P" => out.push("-P".into()),
            "-x" => out.push("-x".into()),
            "-h" => out.push("-H".into()),
            key => out.push(key.into()),
        }
    }
    // doveconf prints looked-up keys in clear without -P; obox-cli hides
    // secrets everywhere unless -P (house rule), so lookups compare with -P.
    let lookup = doveconf_args
        .split_whitespace()
        .any(|a| !a.starts_with('-'));
    if lookup && !out.iter().any(|a| a == "-P") {
        out.push("-P".into());
    }
    out
}

/// stdout without the `# ` banner lines both tools print first.
fn strip_banner(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut banner = true;
    for line in s.split_inclusive(|&b| b == b'\n') {
        if banner && line.starts_with(b"# ") {
            continue;
        }
        banner = false;
        out.extend_from_slice(line);
    }
    out
}

/// The Fatal and Warning messages of doveconf's stderr, by kind.
fn messages(stderr: &str, fatal_prefix: &str, warn_prefix: &str) -> (Vec<String>, Vec<String>) {
    let mut fatal = Vec::new();
    let mut warn = Vec::new();
    for l in stderr.lines() {
        if let Some(m) = l.strip_prefix(fatal_prefix) {
            fatal.push(m.to_string());
        } else if let Some(m) = l.strip_prefix(warn_prefix) {
            warn.push(m.to_string());
        }
    }
    (fatal, warn)
}

/// A private copy of the bad-configs folder (shared/ is read-only).
fn bad_configs_copy() -> tempfile::TempDir {
    let dir = tempdir();
    let src = shared().join("oracle/bad-configs");
    let st = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", src.display()))
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(st.success());
    // Git keeps no empty directories; make-bad-configs.sh creates this one.
    let _ = std::fs::create_dir(dir.path().join("17-include-directory.d"));
    dir
}

fn run_in(dir: &Path, args: &[String]) -> std::process::Output {
    cmd()
        .args(args)
        .current_dir(dir)
        .env("ORACLE_TEST_VAR", "hello")
        .output()
        .unwrap()
}

/// Case 14: Dovecot misses a loop through a relative path and fails much
/// later with "No matches" on a kilobytes-long path; obox-cli catches the
/// loop itself. Every other case must match doveconf exactly.
const DELIBERATE_DEVIATIONS: &[&str] = &["14-include-loop.conf"];

fn check_case(
    dir: &Path,
    file: &str,
    args: &str,
    code: i32,
    stderr: &str,
    stdout: &[u8],
) -> Result<(), String> {
    let mut a = obox_args(args);
    a.insert(1, "-c".into());
    a.insert(2, file.into());
    let out = run_in(dir, &a);
    let got_code = out.status.code().unwrap();
    let want_code = if code == 0 { 0 } else { 2 };
    let ours = String::from_utf8_lossy(&out.stderr).into_owned();
    if DELIBERATE_DEVIATIONS.contains(&file) {
        if got_code != 2 || !ours.contains("Recursive include file") {
            return Err(format!("{file}: expected our loop error, got {ours}"));
        }
        return Ok(());
    }
    if got_code != want_code {
        return Err(format!(
            "{file} [{args}]: exit {got_code}, doveconf {code}\n{ours}"
        ));
    }
    let (want_fatal, want_warn) = messages(stderr, "doveconf: Fatal: ", "doveconf: Warning: ");
    let (got_fatal, got_warn) = messages(&ours, "obox-cli: error: ", "obox-cli: warning: ");
    if want_fatal != got_fatal || want_warn != got_warn {
        return Err(format!(
            "{file} [{args}]: messages differ\n doveconf: {want_fatal:?} {want_warn:?}\n obox-cli: {got_fatal:?} {got_warn:?}"
        ));
    }
    let got = strip_banner(&out.stdout);
    if got != stdout {
        return Err(format!(
            "{file} [{args}]: stdout differs\n--- doveconf\n{}\n--- obox-cli\n{}",
            String::from_utf8_lossy(stdout),
            String::from_utf8_lossy(&got)
        ));
    }
    Ok(())
}

#[test]
fn bad_configs_match_recorded_doveconf() {
    let dir = bad_configs_copy();
    let rows = read_tsv(&shared().join("oracle/bad-configs/expected.tsv"));
    assert!(rows.len() >= 80, "expected.tsv has {} rows", rows.len());
    let mut failures = Vec::new();
    for r in &rows {
        let file = String::from_utf8_lossy(&r[0]).into_owned();
        let args = String::from_utf8_lossy(&r[1]).into_owned();
        let code: i32 = String::from_utf8_lossy(&r[2]).parse().unwrap();
        let stderr = String::from_utf8_lossy(&r[3]).into_owned();
        if let Err(e) = check_case(dir.path(), &file, &args, code, &stderr, &r[4]) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// Run the real doveconf on a config in `dir`.
fn doveconf(dir: &Path, args: &[&str]) -> std::process::Output {
    let bin = require_program("doveconf", "apt-get install dovecot-core");
    Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env("ORACLE_TEST_VAR", "hello")
        .output()
        .unwrap()
}

#[test]
fn bad_configs_match_live_doveconf() {
    let dir = bad_configs_copy();
    let cases = std::fs::read_to_string(shared().join("oracle/bad-configs/cases.tsv")).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for line in cases.lines().skip(1) {
        let (file, args) = line.split_once('\t').unwrap();
        let mut dargs: Vec<&str> = args.split_whitespace().collect();
        dargs.push("-c");
        dargs.push(file);
        let d = doveconf(dir.path(), &dargs);
        let code = d.status.code().unwrap();
        let stderr = String::from_utf8_lossy(&d.stderr).into_owned();
        n += 1;
        if let Err(e) = check_case(
            dir.path(),
            file,
            args,
            code,
            &stderr,
            &strip_banner(&d.stdout),
        ) {
            failures.push(e);
        }
    }
    assert!(n >= 80);
    assert!(
        failures.is_empty(),
        "{} of {n} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn error_has_code_frame_with_caret() {
    let dir = tempdir();
    let p = dir.path().join("d.conf");
    std::fs::write(&p, "mail_debug = yes\nmail_locaton = x\n").unwrap();
    let out = run(["config", "-c", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("line 2: Unknown setting: mail_locaton"), "{e}");
    assert!(e.contains("did you mean `mail_location`"), "{e}");
    assert!(e.contains(":2:1"), "{e}");
    assert!(e.contains("^^^^^^^^^^^^"), "{e}");
}

/// Flatten `doveconf -n` style output into `path = value` lines, so two
/// dumps can be compared setting by setting.
fn flatten(dump: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(&strip_banner(dump)).into_owned();
    let mut stack: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t == "}" {
            stack.pop();
        } else if let Some(h) = t.strip_suffix(" {") {
            stack.push(h.to_string());
        } else if let Some((k, v)) = t.split_once(" = ") {
            out.push(format!(
                "{}{k} = {v}",
                stack.iter().map(|s| format!("{s}/")).collect::<String>()
            ));
        } else if let Some(k) = t.strip_suffix(" =") {
            out.push(format!(
                "{}{k} = ",
                stack.iter().map(|s| format!("{s}/")).collect::<String>()
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn debian_shipped_config_matches_doveconf() {
    let conf = Path::new("/etc/dovecot/dovecot.conf");
    assert!(
        conf.exists(),
        "/etc/dovecot/dovecot.conf missing: apt-get install dovecot-core"
    );
    let d = doveconf(Path::new("/"), &["-n", "-c", "/etc/dovecot/dovecot.conf"]);
    assert!(
        d.status.success(),
        "doveconf failed: {}",
        String::from_utf8_lossy(&d.stderr)
    );
    let o = run(["config", "-c", "/etc/dovecot/dovecot.conf"]);
    assert!(o.status.success(), "obox-cli failed: {}", stderr(&o));
    let want = flatten(&d.stdout);
    let got = flatten(&o.stdout);
    assert!(want.len() > 5, "doveconf printed too little: {want:?}");
    assert_eq!(got, want, "settings differ from doveconf -n");
    // And the whole dump, byte for byte after the banner.
    assert_eq!(
        String::from_utf8_lossy(&strip_banner(&o.stdout)),
        String::from_utf8_lossy(&strip_banner(&d.stdout))
    );
}

mod generated {
    //! Random configurations built from the grammar, valid and invalid,
    //! compared with the real doveconf: accept/reject, the error message,
    //! and every setting.
    use super::*;
    use proptest::prelude::*;

    fn plugin_key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("obox_fs".to_string()),
            Just("Obox_FS".to_string()),
            "[a-z][a-z_]{0,8}",
            Just("x/y".to_string()),
        ]
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 ._:/%=-]{0,20}",
            Just("\"quoted # hash\"".to_string()),
            Just("'single \\' esc'".to_string()),
            Just("a#b".to_string()),
            Just("it's # x".to_string()),
            Just("\"".to_string()),
            Just("x\\\\".to_string()),
            Just("https://AK:SEC%%2FRET@bucket.s3.amazonaws.com/?region=x".to_string()),
            Just("$mail_plugins x".to_string()),
            Just("a$b   c".to_string()),
            Just("<html>".to_string()),
            Just("  padded\t".to_string()),
        ]
    }

    fn top_setting() -> impl Strategy<Value = String> {
        prop_oneof![
            prop_oneof![Just("yes"), Just("no"), Just("Y"), Just("1"), Just("maybe")]
                .prop_map(|v| format!("mail_debug = {v}")),
            value().prop_map(|v| format!("mail_location = {v}")),
            prop_oneof![Just("quota"), Just("$mail_plugins zlib"), Just("")]
                .prop_map(|v| format!("mail_plugins = {v}")),
            prop_oneof![Just("10"), Just("abc"), Just("007")]
                .prop_map(|v| format!("mail_max_userip_connections = {v}")),
            prop_oneof![Just("64M"), Just("1 G"), Just("64x"), Just("0")]
                .prop_map(|v| format!("mail_cache_min_mail_count = {v}")),
            Just("mail_locaton = typo".to_string()),
        ]
    }

    fn block() -> impl Strategy<Value = String> {
        prop_oneof![
            top_setting(),
            prop::collection::vec((plugin_key(), value()), 0..5).prop_map(|kv| {
                let mut s = "plugin {\n".to_string();
                for (k, v) in kv {
                    s.push_str(&format!("  {k} = {v}\n"));
                }
                s.push('}');
                s
            }),
            (plugin_key(), value()).prop_map(|(k, v)| format!("plugin/{k} = {v}")),
            ("[a-z]{1,6}", "[a-z]{0,5}/").prop_map(|(n, p)| format!(
                "namespace {n} {{\n  prefix = {p}\n  separator = /\n}}"
            )),
            ("[a-z]{1,3}", 1u32..5)
                .prop_map(|(n, l)| format!("service imap-{n} {{\n  process_limit = {l}\n}}")),
            top_setting().prop_map(|s| format!("protocol imap {{\n  {s}\n}}")),
            Just("# a comment \\".to_string()),
            Just("".to_string()),
            value().prop_map(|v| format!("plugin {{\n  cont = {v} \\\n   more\n}}")),
            Just("plugin { x = 1 }".to_string()),
            Just("}".to_string()),
            Just("plugin {".to_string()),
        ]
    }

    fn config() -> impl Strategy<Value = (String, bool)> {
        (prop::collection::vec(block(), 1..8), any::<bool>())
            .prop_map(|(blocks, crlf)| (blocks.join("\n") + "\n", crlf))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, .. ProptestConfig::default() })]
        #[test]
        fn same_as_doveconf((text, crlf) in config()) {
            let dir = tempdir();
            let text = if crlf { text.replace('\n', "\r\n") } else { text };
            std::fs::write(dir.path().join("g.conf"), &text).unwrap();
            let d = doveconf(dir.path(), &["-n", "-c", "g.conf"]);
            let o = run_in(dir.path(), &["config".into(), "-c".into(), "g.conf".into()]);
            let dcode = d.status.code().unwrap();
            let ocode = o.status.code().unwrap();
            prop_assert_eq!(dcode == 0, ocode == 0, "accept/reject differs for:\n{}\ndoveconf: {}\nobox-cli: {}",
                text, String::from_utf8_lossy(&d.stderr), String::from_utf8_lossy(&o.stderr));
            let (dfatal, dwarn) = messages(&String::from_utf8_lossy(&d.stderr), "doveconf: Fatal: ", "doveconf: Warning: ");
            let (ofatal, owarn) = messages(&String::from_utf8_lossy(&o.stderr), "obox-cli: error: ", "obox-cli: warning: ");
            prop_assert_eq!(dfatal, ofatal, "config:\n{}", text);
            prop_assert_eq!(dwarn, owarn, "config:\n{}", text);
            prop_assert_eq!(flatten(&d.stdout), flatten(&o.stdout), "config:\n{}", text);
        }
    }
}
