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

/// Every `OBXnnn.conf` fixture triggers its rule, and its clean variant
/// does not.
#[test]
fn every_rule_fixture_triggers_and_clean_does_not() {
    let mut n = 0;
    for e in std::fs::read_dir(fixtures()).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let Some(code) = name.strip_suffix(".conf") else {
            continue;
        };
        if code.ends_with(".clean") {
            continue;
        }
        let (got, status) = codes(&p, &[]);
        assert!(
            got.iter().any(|c| c == code),
            "{name}: expected {code}, got {got:?}"
        );
        assert_ne!(status, Some(2), "{name}");
        let clean = fixtures().join(format!("{code}.clean.conf"));
        let (got, status) = codes(&clean, &[]);
        assert!(
            !got.iter().any(|c| c == code),
            "{code}.clean.conf still has {code}: {got:?}"
        );
        assert_eq!(status, Some(0), "{code}.clean.conf: {got:?}");
        n += 1;
    }
    assert!(n >= 60, "only {n} rule fixtures");
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
    let src = lines.iter().position(|l| l.starts_with("13 |")).unwrap();
    let col = lines[src].find("max_retries=0").unwrap();
    assert_eq!(lines[src + 1].find('^'), Some(col), "{s}");
    assert!(lines[src + 1][col..].starts_with(&"^".repeat("max_retries=0".len())));
    assert!(s.contains("OBX068.conf:13:"), "{s}");
}

#[test]
fn github_and_sarif_shapes() {
    let f = fixtures().join("OBX050.conf");
    let o = run(["lint", "--format", "github", f.to_str().unwrap()]);
    let s = stdout(&o);
    assert!(
        s.lines().any(|l| l.starts_with("::error file=")
            && l.contains(",line=13,")
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
        13
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
    assert!(text.contains("fatal") && text.contains("a b.conf"), "{text}");
}
