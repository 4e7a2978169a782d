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
    let all = stdout(&run(["rule", "--list"]));
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
    // Every helpUri names docs/rules.md on the project's repository and an
    // anchor that the committed file has (`## OBXnnn` -> `#obxnnn`).
    let doc = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    let repo = env!("CARGO_PKG_REPOSITORY");
    assert!(repo.starts_with("https://github.com/"), "{repo}");
    for rule in rules {
        let uri = rule["helpUri"].as_str().unwrap();
        let anchor = uri
            .strip_prefix(&format!("{repo}/blob/main/docs/rules.md#"))
            .unwrap_or_else(|| panic!("{uri}"));
        let code = rule["id"].as_str().unwrap();
        assert_eq!(anchor, code.to_ascii_lowercase());
        assert!(
            doc.contains(&format!("\n## {code}\n")),
            "{code} not in docs/rules.md"
        );
    }
    assert_eq!(
        run0["tool"]["driver"]["informationUri"].as_str(),
        Some(repo)
    );
}

/// GitHub annotation columns are inclusive: `endColumn` is the last
/// character of the span (the 13 characters of `max_retries=0` end 12
/// after `col`), and never before `col`, even for an empty span.
#[test]
fn github_end_column_is_inclusive() {
    let f = fixtures().join("OBX068.conf");
    let (line, col) = expected("OBX068");
    let o = run([
        "lint",
        "--format",
        "github",
        "--select",
        "OBX068",
        f.to_str().unwrap(),
    ]);
    let s = stdout(&o);
    let want = format!(
        ",line={line},col={col},endLine={line},endColumn={},",
        col + "max_retries=0".len() - 1
    );
    assert!(s.contains(&want), "{want} not in {s}");
    // Over every fixture: a one-line annotation never ends before it starts.
    let mut args = vec!["lint".to_string(), "--format".into(), "github".into()];
    let mut all: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "conf"))
        .collect();
    all.sort();
    args.extend(all.iter().map(|p| p.display().to_string()));
    let s = stdout(&run(&args));
    let prop = |l: &str, k: &str| -> Option<usize> {
        l.split([' ', ',', ':'])
            .find_map(|p| p.strip_prefix(&format!("{k}=")))
            .map(|v| v.parse().unwrap())
    };
    let mut n = 0;
    for l in s.lines() {
        if let (Some(c), Some(e)) = (prop(l, "col"), prop(l, "endColumn")) {
            assert!(e >= c, "{l}");
            assert_eq!(prop(l, "line"), prop(l, "endLine"), "{l}");
            n += 1;
        }
    }
    assert!(n > 60, "{n} annotations with columns");
    // OBX070 (credentials in a world-readable file) marks the value, not
    // an empty point before it.
    let dir = tempdir();
    let (found, _, _) = lint_fixture(&fixtures().join("OBX070.conf"), dir.path());
    assert!(found.iter().any(|f| f.0 == "OBX070"), "{found:?}");
    let p = dir.path().join("OBX070.conf");
    let s = stdout(&run([
        "lint",
        "--format",
        "github",
        "--select",
        "OBX070",
        p.to_str().unwrap(),
    ]));
    let l = s.lines().next().unwrap_or_else(|| panic!("no OBX070: {s}"));
    assert!(
        prop(l, "endColumn").unwrap() > prop(l, "col").unwrap(),
        "{l}"
    );
}

#[test]
fn rule_command() {
    let o = run(["rule", "OBX050"]);
    let s = stdout(&o);
    for section in ["## What it does", "## Why is this bad?", "## Example"] {
        assert!(s.contains(section), "{s}");
    }
    // --list: one line per rule; --all: every rule's full sections.
    let list = stdout(&run(["rule", "--list"]));
    let n = list.lines().count();
    assert!(n >= 88, "{n} rules listed");
    assert!(list.lines().all(|l| l.starts_with("OBX")), "{list}");
    let all = stdout(&run(["rule", "--all"]));
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Fix",
    ] {
        assert_eq!(all.matches(section).count(), n, "{section}");
    }
    for code in list.lines().map(|l| &l[..6]) {
        assert!(
            all.contains(&format!("{code} (")),
            "{code} missing in --all"
        );
    }
    assert_eq!(run(["rule", "OBX999"]).status.code(), Some(2));
    assert_eq!(run(["rule", "--all", "--list"]).status.code(), Some(2));
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
/// (tests/fixtures/docs/), linted with every rule, gives exactly the
/// findings its `# expect:` line lists: the documented doc mistakes of spec
/// §7, and the findings defended in the file's comments.
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
        assert!(
            !text.lines().any(|l| l.starts_with("# args: --select")),
            "{}: doc examples are linted with every rule",
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

/// The scenario fixtures of tests/fixtures/lint/ (filters, recovery after a
/// chain problem, version-dependent names) give exactly the findings their
/// `# expect:` line lists, at those places.
#[test]
fn scenario_fixtures_give_exactly_the_expected_findings() {
    let dir = tempdir();
    let mut n = 0;
    for e in std::fs::read_dir(root().join("tests/fixtures/lint")).unwrap() {
        let p = e.unwrap().path();
        let (mut found, status, h) = lint_fixture(&p, dir.path());
        let mut want = h.expect.clone();
        assert!(!want.is_empty(), "{}: no `# expect:`", p.display());
        found.sort();
        want.sort();
        assert_eq!(found, want, "{}", p.display());
        assert_eq!(status, Some(1), "{}", p.display());
        n += 1;
    }
    assert!(n >= 4, "only {n} scenario fixtures");
}

/// The findings of `lint --format json` for `file`, as JSON objects, and
/// the exit status.
fn json_findings(args: &[&str], cwd: Option<&Path>) -> (Vec<serde_json::Value>, Option<i32>) {
    let mut c = cmd();
    c.args(["lint", "--format", "json"]).args(args);
    if let Some(d) = cwd {
        c.current_dir(d);
    }
    let o = c.output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", stderr(&o)));
    (
        v["diagnostics"].as_array().unwrap().clone(),
        o.status.code(),
    )
}

/// A root file that cannot be read means the check could not run: exit 2
/// with `obox-cli: error: …: PATH: REASON` on stderr and nothing on stdout,
/// whatever --ignore says; never an OBX000 finding without a place.
#[test]
fn unreadable_root_file_exits_2() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = tempdir();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let check = |o: &std::process::Output, path: &Path, reason: &str| {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
        assert!(o.stdout.is_empty(), "{}", stdout(o));
        let want = format!(": {}: {reason}", path.display());
        let err = stderr(o);
        assert!(
            err.starts_with("obox-cli: error: ") && err.trim_end().ends_with(&want),
            "{err}"
        );
    };
    // A directory given as FILE.
    for extra in [&[][..], &["--ignore", "OBX000"][..]] {
        let o = cmd()
            .args(["lint", "--format", "json"])
            .args(extra)
            .arg(dir.path())
            .output()
            .unwrap();
        check(&o, dir.path(), "Is a directory");
    }
    // A file without read permission. Tests often run as root, who may read
    // anything: then the binary runs as nobody (uid/gid 65534).
    let p = dir.path().join("secret.conf");
    std::fs::copy(fixtures().join("OBX050.clean.conf"), &p).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    let privileged = std::fs::read(&p).is_ok();
    for extra in [&[][..], &["--ignore", "OBX000"][..]] {
        let mut c = cmd();
        c.args(["lint", "--format", "json"]).args(extra).arg(&p);
        if privileged {
            c.uid(65534).gid(65534);
        }
        let o = c.output().unwrap();
        check(&o, &p, "Permission denied");
    }
    // A missing file, too.
    let missing = dir.path().join("missing.conf");
    let o = run(["lint", missing.to_str().unwrap()]);
    check(&o, &missing, "No such file or directory");
}

/// A problem in an included file is a finding (Dovecot rejects the file),
/// placed in the included file at its line and column.
#[test]
fn include_errors_point_into_the_included_file() {
    let dir = tempdir();
    std::fs::create_dir(dir.path().join("conf.d")).unwrap();
    std::fs::write(
        dir.path().join("main.conf"),
        "mail_uid = vmail\n!include conf.d/*.conf\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("conf.d/10-bad.conf"),
        "mail_gid = vmail\n  bogus_setting = 1\n",
    )
    .unwrap();
    let (d, status) = json_findings(&["main.conf"], Some(dir.path()));
    assert_eq!(status, Some(1));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "OBX000");
    assert_eq!(d[0]["severity"], "error");
    assert_eq!(d[0]["file"], "conf.d/10-bad.conf");
    assert_eq!(d[0]["line"], 2);
    assert_eq!(d[0]["column"], 3);
    assert_eq!(d[0]["message"], "Unknown setting: bogus_setting");
}

/// Every configuration the real doveconf rejects in the oracle's recorded
/// verdicts (bad-configs/expected.tsv, `-n` and `-x` runs alike) gets at
/// least one error finding from lint (exit 1); a root file that does not
/// exist is exit 2. Delayed errors (a missing `}`, a failed settings check)
/// and errors only the expanding reading sees (`$var`, `<file`) included.
#[test]
fn every_config_doveconf_rejects_has_an_error_finding() {
    let dir = shared().join("oracle/bad-configs");
    let rows = read_tsv(&dir.join("expected.tsv"));
    let mut rejected: Vec<String> = rows
        .iter()
        .filter(|r| String::from_utf8_lossy(&r[2]) != "0")
        .map(|r| String::from_utf8(r[0].clone()).unwrap())
        .collect();
    rejected.dedup();
    assert!(rejected.len() >= 30, "{} rejected cases", rejected.len());
    for must in [
        "01-unclosed-brace.conf",
        "53-settings-check-error.conf",
        "60-unclosed-brace-in-include.conf",
        "41-keyfile-missing.conf",
    ] {
        assert!(rejected.iter().any(|f| f == must), "{must}");
    }
    for f in &rejected {
        if !dir.join(f).exists() {
            // Case 61 names a file that deliberately does not exist.
            let o = cmd().args(["lint", f]).current_dir(&dir).output().unwrap();
            assert_eq!(o.status.code(), Some(2), "{f}");
            continue;
        }
        let (d, status) = json_findings(&[f], Some(&dir));
        assert!(
            d.iter().any(|x| x["severity"] == "error"),
            "{f}: no error finding: {d:?}"
        );
        assert_eq!(status, Some(1), "{f}");
        // An error with a place names a file that exists.
        for x in d.iter().filter(|x| !x["file"].is_null()) {
            assert!(dir.join(x["file"].as_str().unwrap()).exists(), "{f}: {x}");
        }
    }
    // The places of the delayed ones: the unclosed section's header, in the
    // included file for case 60.
    let (d, _) = json_findings(&["60-unclosed-brace-in-include.conf"], Some(&dir));
    let e = d.iter().find(|x| x["code"] == "OBX000").unwrap();
    assert!(
        e["message"].as_str().unwrap().starts_with("Missing '}'"),
        "{e}"
    );
    assert!(e["file"].as_str().unwrap().ends_with(".d/open.conf"), "{e}");
    let (d, _) = json_findings(&["53-settings-check-error.conf"], Some(&dir));
    let e = d.iter().find(|x| x["code"] == "OBX000").unwrap();
    assert_eq!(e["message"], "listen can't be set empty");
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(1), Some(9))
    );
}

/// `obox_fs = <file` is read like the runtime reads it (relative to the
/// including file's directory) and linted, findings pointing into that
/// file; a value file that cannot be read is an OBX000 error.
#[test]
fn fs_value_files_are_linted_in_place() {
    let dir = tempdir();
    let d = dir.path();
    std::fs::create_dir(d.join("conf.d")).unwrap();
    std::fs::write(d.join("main.conf"), "!include conf.d/90-obox.conf\n").unwrap();
    std::fs::write(
        d.join("conf.d/90-obox.conf"),
        "plugin {\n  obox_fs = <obox_fs.txt\n  obox_index_fs = < /nonexistent/obox_index_fs.txt\n}\n",
    )
    .unwrap();
    // The value file (next to the including file, not main.conf) holds a
    // chain whose compress level is out of range.
    let chain = "fscache:512M:/var/cache/mails:compress:zstd:30:aws-s3:https://b.s3.eu-central-1.amazonaws.com/?region=eu-central-1&auth_role=s3access";
    std::fs::write(d.join("conf.d/obox_fs.txt"), format!("{chain}\n")).unwrap();
    let (found, status) = json_findings(&["--select", "OBX0", "main.conf"], Some(d));
    assert_eq!(status, Some(1));
    let level = found
        .iter()
        .find(|x| x["code"] == "OBX020")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(level["file"], "conf.d/obox_fs.txt");
    assert_eq!(level["line"], 1);
    let col = chain.find(":30:").unwrap() + 2;
    assert_eq!(level["column"].as_u64(), Some(col as u64));
    assert!(
        !found.iter().any(|x| x["code"] == "OBX010"),
        "a <file value is not a driver name: {found:?}"
    );
    // The unreadable one, as Dovecot's runtime reports it.
    let missing = found
        .iter()
        .find(|x| x["code"] == "OBX000")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(missing["severity"], "error");
    assert_eq!(missing["file"], "conf.d/90-obox.conf");
    assert_eq!(missing["line"], 3);
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("Can't open file /nonexistent/obox_index_fs.txt"),
        "{missing}"
    );
}

/// JSON columns count characters, not bytes: a finding after multibyte
/// UTF-8 on its line has the column of its first character.
#[test]
fn json_columns_count_characters() {
    let dir = tempdir();
    let p = dir.path().join("utf8.conf");
    let line = "  obox_fs = fscache:512M:/var/cache/mäil/ü€𝄞:compress:zstd:30:posix:prefix=/tmp/";
    std::fs::write(&p, format!("plugin {{\n{line}\n}}\n")).unwrap();
    let (d, _) = json_findings(&["--select", "OBX020", p.to_str().unwrap()], None);
    assert_eq!(d.len(), 1, "{d:?}");
    let byte = line.find(":30:").unwrap() + 1;
    let chars = line[..byte].chars().count();
    assert!(chars < byte, "the line must hold multibyte characters");
    assert_eq!(d[0]["line"], 2);
    assert_eq!(d[0]["column"].as_u64(), Some(chars as u64 + 1));
    assert_eq!(d[0]["end_column"].as_u64(), Some(chars as u64 + 3));
}

/// Recovery mode changes what the linter sees, never what is accepted:
/// over the oracle's fs strings (and some more), `parse_recovering`
/// accepts exactly what `parse_with` accepts, its first problem is
/// `parse_with`'s error, and after a level out of range the AST is still
/// built.
#[test]
fn recovering_parse_agrees_with_strict_parse() {
    use obox_cli::fs_chain::{ParseOptions, parse_recovering, parse_with};
    let mut strings: Vec<String> = std::fs::read_to_string(shared().join("oracle/fs-strings.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    assert!(strings.len() >= 50);
    strings.extend(
        [
            "compress:zstd:30:posix",
            "compress:gz:99:crypt:bogus=1:posix:mode=999:x",
            "randomfail:all=200,bogus=1:compress:zstd:0:posix",
            "fscache:1.5G:/c:compress:lz4:42:s3:https://h/?x=1",
            "dict:bogus:file:/tmp/x",
            "compress:zstd:abc:posix",
        ]
        .map(String::from),
    );
    let mut recovered_asts = 0;
    for s in &strings {
        for (oss_only, lenient) in [(false, false), (true, false), (false, true)] {
            let opts = ParseOptions {
                oss_only,
                lenient,
                ..ParseOptions::default()
            };
            let strict = parse_with(s, &opts);
            let r = parse_recovering(s, &opts);
            assert_eq!(strict.is_ok(), r.accepted(), "{s:?} {opts:?}");
            match (&strict, r.notes.first(), &r.chain) {
                (Ok(a), None, Ok(b)) => assert_eq!(a, b, "{s:?}"),
                (Err(e), Some(first), _) => assert_eq!(e, first, "{s:?}"),
                (Err(e), None, Err(fatal)) => assert_eq!(e, fatal, "{s:?}"),
                other => panic!("{s:?}: {other:?}"),
            }
            if strict.is_err() && r.chain.is_ok() {
                recovered_asts += 1;
            }
        }
    }
    assert!(recovered_asts >= 5, "{recovered_asts}");
    let r = parse_recovering("compress:zstd:30:posix", &ParseOptions::default());
    assert_eq!(r.notes.len(), 1);
    assert!(r.chain.is_ok());
    // A level that is not a number may mean shifted fields: still fatal.
    let r = parse_recovering("compress:zstd:abc:posix", &ParseOptions::default());
    assert!(r.chain.is_err() && r.notes.is_empty());
}
