//! Integration tests for `obox-cli lint` and `obox-cli rule`.
use crate::support::*;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/rules")
}

fn codes(file: &Path, extra: &[&str]) -> (Vec<String>, Option<i32>) {
    let mut args = vec!["lint".to_string(), "--format".into(), "json".into()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(file.display().to_string());
    let o = run(&args);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{}: {e}: {}", file.display(), stderr(&o)));
    assert_eq!(v["version"], 1);
    let c = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    (c, o.status.code())
}

/// What a fixture's header comments ask for: `# expect: CODE LINE:COL`
/// (findings that must be reported), `# args: ...` (extra lint arguments),
/// `# mode: 644` (file mode to lint it with; default 600, so that OBX070
/// does not depend on the checkout's umask).
struct Header {
    expect: Vec<(String, usize, usize)>,
    args: Vec<String>,
    mode: u32,
}

fn header(text: &str) -> Header {
    let mut h = Header {
        expect: Vec::new(),
        args: Vec::new(),
        mode: 0o600,
    };
    for l in text.lines().take_while(|l| l.starts_with('#')) {
        if let Some(e) = l.strip_prefix("# expect: ") {
            for item in e.split(',').filter(|i| i.trim() != "none") {
                let (code, at) = item.trim().split_once(' ').expect("CODE L:C");
                let (line, col) = at.split_once(':').expect("L:C");
                h.expect
                    .push((code.into(), line.parse().unwrap(), col.parse().unwrap()));
            }
        } else if let Some(a) = l.strip_prefix("# args: ") {
            h.args = a.split_whitespace().map(String::from).collect();
        } else if let Some(m) = l.strip_prefix("# mode: ") {
            h.mode = u32::from_str_radix(m.trim(), 8).unwrap();
        }
    }
    h
}

/// Lint a copy of `fixture` made with the header's mode; the findings as
/// (code, line, column) and the exit code.
fn lint_fixture(fixture: &Path, dir: &Path) -> (Vec<(String, usize, usize)>, Option<i32>, Header) {
    use std::os::unix::fs::PermissionsExt;
    let text = std::fs::read_to_string(fixture).unwrap();
    let h = header(&text);
    let p = dir.join(fixture.file_name().unwrap());
    std::fs::write(&p, &text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(h.mode)).unwrap();
    let mut args = vec!["lint".to_string(), "--format".into(), "json".into()];
    args.extend(h.args.iter().cloned());
    args.push(p.display().to_string());
    let o = run(&args);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{}: {e}: {}", fixture.display(), stderr(&o)));
    let found = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap_or(0) as usize,
                d["column"].as_u64().unwrap_or(0) as usize,
            )
        })
        .collect();
    (found, o.status.code(), h)
}

/// Lines that differ between two files, comments aside (a multiset diff).
fn changed_lines(a: &str, b: &str) -> usize {
    let body = |t: &str| {
        let mut v: Vec<String> = t
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(String::from)
            .collect();
        v.sort();
        v
    };
    let (mut x, y) = (body(a), body(b));
    let mut extra = 0;
    for l in y {
        match x.iter().position(|k| *k == l) {
            Some(i) => {
                x.remove(i);
            }
            None => extra += 1,
        }
    }
    extra.max(x.len())
}

/// Every registered rule has a fixture pair: `OBXnnn.conf` reports the
/// rule at the place its `# expect:` line names, and `OBXnnn.clean.conf`
/// (the trigger with the rule's fix applied, a change of at most three
/// lines) has no findings at all.
#[test]
fn every_rule_fixture_triggers_and_clean_does_not() {
    let dir = tempdir();
    let all = stdout(&run(["rule", "--all"]));
    let codes: Vec<&str> = all
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(codes.len() >= 88, "{} rules", codes.len());
    for code in &codes {
        let trig = fixtures().join(format!("{code}.conf"));
        let clean = fixtures().join(format!("{code}.clean.conf"));
        assert!(
            trig.is_file() && clean.is_file(),
            "no fixture pair for {code}"
        );
        let (found, status, h) = lint_fixture(&trig, dir.path());
        assert!(!h.expect.is_empty(), "{code}.conf has no `# expect:` line");
        for e in &h.expect {
            assert!(
                found.contains(e),
                "{code}.conf: expected {e:?}, got {found:?}"
            );
        }
        assert_ne!(status, Some(2), "{code}.conf");
        let (found, status, _) = lint_fixture(&clean, dir.path());
        assert!(
            found.is_empty(),
            "{code}.clean.conf has findings: {found:?}"
        );
        assert_eq!(status, Some(0), "{code}.clean.conf");
        let n = changed_lines(
            &std::fs::read_to_string(&trig).unwrap(),
            &std::fs::read_to_string(&clean).unwrap(),
        );
        assert!(
            n <= 3,
            "{code}: the clean file changes {n} lines, not a minimal fix"
        );
    }
}

/// The `# expect:` location of a fixture.
fn expected(code: &str) -> (usize, usize) {
    let h = header(&std::fs::read_to_string(fixtures().join(format!("{code}.conf"))).unwrap());
    let e = h.expect.iter().find(|e| e.0 == code).unwrap();
    (e.1, e.2)
}

#[test]
fn select_ignore_fail_on_and_suppression() {
    let f = fixtures().join("OBX050.conf");
    let (got, status) = codes(&f, &["--ignore", "OBX050"]);
    assert!(!got.contains(&"OBX050".to_string()));
    assert_eq!(status, Some(0));
    let (got, _) = codes(&f, &["--select", "OBX05"]);
    assert!(got.iter().all(|c| c.starts_with("OBX05")), "{got:?}");
    let f = fixtures().join("OBX026.conf"); // info only
    assert_eq!(codes(&f, &[]).1, Some(0));
    assert_eq!(codes(&f, &["--fail-on", "info"]).1, Some(1));
    // allow() on the line before
    let dir = tempdir();
    let text = std::fs::read_to_string(fixtures().join("OBX079.conf")).unwrap();
    let text = text.replace(
        "mailbox_list_index = no",
        "# obox-cli: allow(OBX079)\nmailbox_list_index = no",
    );
    let p = dir.path().join("s.conf");
    std::fs::write(&p, text).unwrap();
    assert!(!codes(&p, &[]).0.contains(&"OBX079".to_string()));
    let o = run(["lint", "--select", "OBX999", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

const SECRET: &str = "SuperSecretKey";

fn secret_conf(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixtures().join("OBX060.conf"))
        .unwrap()
        .replace("AK:SK@", &format!("AKIAEXAMPLE:{SECRET}%2F@"));
    let p = dir.join("secret.conf");
    std::fs::write(&p, text).unwrap();
    p
}

/// Secrets are hidden in every format, and shown only with -P.
#[test]
fn secrets_never_printed_without_p() {
    let dir = tempdir();
    let p = secret_conf(dir.path());
    for fmt in ["human", "json", "sarif", "github"] {
        let o = run([
            "lint",
            "--color",
            "always",
            "--format",
            fmt,
            p.to_str().unwrap(),
        ]);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert!(!o.stdout.is_empty(), "{fmt}");
        assert!(
            !all.contains(SECRET) && !all.contains("AKIAEXAMPLE"),
            "{fmt}: {all}"
        );
    }
    let o = run([
        "-P",
        "lint",
        "--format",
        "human",
        "--color",
        "never",
        p.to_str().unwrap(),
    ]);
    assert!(stdout(&o).contains(SECRET));
}

#[test]
fn human_frame_points_at_the_parameter() {
    let o = run([
        "lint",
        "--color",
        "never",
        "--select",
        "OBX068",
        fixtures().join("OBX068.conf").to_str().unwrap(),
    ]);
    let s = stdout(&o);
    let lines: Vec<&str> = s.lines().collect();
    let (line, _) = expected("OBX068");
    let src = lines
        .iter()
        .position(|l| l.starts_with(&format!("{line} |")))
        .unwrap();
    let col = lines[src].find("max_retries=0").unwrap();
    assert_eq!(lines[src + 1].find('^'), Some(col), "{s}");
    assert!(lines[src + 1][col..].starts_with(&"^".repeat("max_retries=0".len())));
    assert!(s.contains(&format!("OBX068.conf:{line}:")), "{s}");
}

#[test]
fn github_and_sarif_shapes() {
    let f = fixtures().join("OBX050.conf");
    let (line, col) = expected("OBX050");
    let o = run(["lint", "--format", "github", f.to_str().unwrap()]);
    let s = stdout(&o);
    assert!(
        s.lines().any(|l| l.starts_with("::error file=")
            && l.contains(&format!(",line={line},col={col},"))
            && l.contains("::[OBX050]")),
        "{s}"
    );
    let o = run(["lint", "--format", "sarif", f.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run0 = &v["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() >= 60);
    let res = run0["results"].as_array().unwrap();
    let r = res.iter().find(|r| r["ruleId"] == "OBX050").unwrap();
    let idx = r["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[idx]["id"], "OBX050");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        line
    );
}

#[test]
fn rule_command() {
    let o = run(["rule", "OBX050"]);
    let s = stdout(&o);
    for section in ["## What it does", "## Why is this bad?", "## Example"] {
        assert!(s.contains(section), "{s}");
    }
    let o = run(["rule", "--all"]);
    assert!(stdout(&o).lines().count() >= 60);
    assert_eq!(run(["rule", "OBX999"]).status.code(), Some(2));
}

#[test]
fn syntax_errors_become_diagnostics() {
    let (got, status) = codes(&fixtures().join("OBX001.conf"), &[]);
    assert_eq!(got, ["OBX001"]);
    assert_eq!(status, Some(1));
}

/// The Python that validates SARIF: `$OBOX_PYTHON` or `python3`.
fn python() -> PathBuf {
    let p = std::env::var("OBOX_PYTHON").unwrap_or_else(|_| "python3".into());
    require_program(
        &p,
        "install Python 3 with jsonschema (`pip install jsonschema`; scripts/test-all.sh sets up a venv) and set OBOX_PYTHON",
    )
}

/// Run tests/fixtures/sarif/validate.py on `logs`; (exit code, output).
fn validate_sarif(logs: &[&Path]) -> (Option<i32>, String) {
    let sarif = root().join("tests/fixtures/sarif");
    let o = std::process::Command::new(python())
        .arg(sarif.join("validate.py"))
        .arg(sarif.join("sarif-schema-2.1.0.json"))
        .args(logs)
        .output()
        .expect("run python");
    let text = format!("{}{}", stdout(&o), stderr(&o));
    assert_ne!(
        o.status.code(),
        Some(3),
        "the Python package jsonschema is missing: {text}"
    );
    (o.status.code(), text)
}

/// `--format sarif` conforms to the published OASIS SARIF 2.1.0 schema, for
/// many files and rules at once, for a clean file, for a refused file and
/// for file names that need URI escaping; a broken log is rejected, so the
/// validator really runs.
#[test]
fn sarif_is_valid_against_the_published_schema() {
    let dir = tempdir();
    let odd = dir.path().join("odd dir #1");
    std::fs::create_dir(&odd).unwrap();
    let odd_file = odd.join("ü 100%[x].conf");
    std::fs::copy(fixtures().join("OBX050.conf"), &odd_file).unwrap();
    let mut all: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "conf"))
        .collect();
    all.sort();
    all.push(odd_file);
    let cases: [(&str, Vec<PathBuf>); 3] = [
        ("all", all),
        ("clean", vec![fixtures().join("OBX050.clean.conf")]),
        ("refused", vec![fixtures().join("OBX000.conf")]),
    ];
    let mut logs = Vec::new();
    for (name, files) in &cases {
        let mut args = vec!["lint".to_string(), "--format".into(), "sarif".into()];
        args.extend(files.iter().map(|p| p.display().to_string()));
        let o = run(&args);
        assert_ne!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let n = v["runs"][0]["results"].as_array().unwrap().len();
        match *name {
            "all" => assert!(n > 60, "only {n} results"),
            "clean" => assert_eq!(n, 0),
            _ => assert!(n >= 1),
        }
        let p = dir.path().join(format!("{name}.sarif"));
        std::fs::write(&p, &o.stdout).unwrap();
        logs.push(p);
    }
    let refs: Vec<&Path> = logs.iter().map(|p| p.as_path()).collect();
    let (code, text) = validate_sarif(&refs);
    assert_eq!(code, Some(0), "{text}");
    // Negative control: a level outside the enum and an unescaped URI.
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&logs[0]).unwrap()).unwrap();
    v["runs"][0]["results"][0]["level"] = "fatal".into();
    v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        "a b.conf".into();
    let bad = dir.path().join("bad.sarif");
    std::fs::write(&bad, serde_json::to_vec(&v).unwrap()).unwrap();
    let (code, text) = validate_sarif(&[&bad]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("fatal") && text.contains("a b.conf"),
        "{text}"
    );
}

/// Every configuration example of the obox docs that the spec quotes
/// (tests/fixtures/docs/) gives exactly the findings its `# expect:` line
/// lists: the documented doc mistakes of spec §7, and for the two Amazon S3
/// examples the findings defended in the file's comments.
#[test]
fn docs_examples_give_exactly_the_expected_findings() {
    let dir = tempdir();
    let docs = root().join("tests/fixtures/docs");
    let mut n = 0;
    for e in std::fs::read_dir(&docs).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.lines().any(|l| l.starts_with("# expect: ")),
            "{}: no `# expect:` line",
            p.display()
        );
        let (mut found, status, h) = lint_fixture(&p, dir.path());
        let mut want = h.expect.clone();
        found.sort();
        want.sort();
        assert_eq!(found, want, "{}", p.display());
        assert_ne!(status, Some(2), "{}", p.display());
        n += 1;
    }
    assert!(n >= 8, "only {n} doc examples");
}

/// The human format colours only when asked: `--color always` colours
/// even into a pipe, `NO_COLOR` (any non-empty value) and `--color never`
/// switch it off, and the default into a pipe has none.
#[test]
fn human_format_honours_no_color_and_color_flag() {
    const ESC: char = '\u{1b}';
    let f = fixtures().join("OBX050.conf");
    let f = f.to_str().unwrap();
    let human = |extra: &[&str], no_color: Option<&str>| {
        let mut c = cmd();
        c.args(["lint", "--format", "human"]).args(extra).arg(f);
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(1));
        stdout(&o)
    };
    assert!(human(&["--color", "always"], None).contains(ESC));
    assert!(!human(&["--color", "never"], None).contains(ESC));
    assert!(!human(&[], None).contains(ESC), "a pipe is not a terminal");
    assert!(!human(&[], Some("1")).contains(ESC));
    // On a terminal (util-linux `script` gives the command a pty), auto
    // colours, and NO_COLOR turns that off.
    let script = require_program("script", "install util-linux (bsdutils on Debian)");
    let on_tty = |no_color: Option<&str>| {
        let mut c = std::process::Command::new(&script);
        c.args([
            "-qec",
            &format!("'{}' lint {f}", bin().display()),
            "/dev/null",
        ]);
        c.env_remove("NO_COLOR");
        if let Some(v) = no_color {
            c.env("NO_COLOR", v);
        }
        stdout(&c.output().unwrap())
    };
    let tty = on_tty(None);
    assert!(tty.contains(ESC) && tty.contains("OBX050"), "{tty}");
    let tty = on_tty(Some("1"));
    assert!(!tty.contains(ESC) && tty.contains("error[OBX050]"), "{tty}");
    let plain = human(&["--color", "never"], None);
    assert!(plain.contains("error[OBX050]"), "{plain}");
}
