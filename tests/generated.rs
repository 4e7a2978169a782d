//! Man pages and completions are generated from the clap definitions, the
//! lint rule reference (docs/rules.md) from the rule registry; all are
//! checked in, and this fails when they drift. Regenerate with
//! `cargo run -- generate-man --out-dir man --completions-dir completions --rules-doc docs/rules.md`.
use crate::support::*;

const REGEN: &str = "cargo run -- generate-man --out-dir man --completions-dir completions --rules-doc docs/rules.md";

#[test]
fn man_pages_and_completions_are_up_to_date() {
    let dir = tempdir();
    let man = dir.path().join("man");
    let comp = dir.path().join("completions");
    let o = run([
        "generate-man",
        "--out-dir",
        man.to_str().unwrap(),
        "--completions-dir",
        comp.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut stale = Vec::new();
    for (sub, fresh_dir) in [("man", &man), ("completions", &comp)] {
        let mut names: Vec<_> = std::fs::read_dir(fresh_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert!(names.len() >= 5, "too few generated files in {sub}");
        for n in names {
            let fresh = std::fs::read(fresh_dir.join(&n)).unwrap();
            let checked_in = std::fs::read(root().join(sub).join(&n)).unwrap_or_default();
            if fresh != checked_in {
                stale.push(format!("{sub}/{}", n.to_string_lossy()));
            }
        }
        // Nothing checked in that the code no longer generates.
        for e in std::fs::read_dir(root().join(sub)).unwrap() {
            let n = e.unwrap().file_name();
            if !fresh_dir.join(&n).exists() {
                stale.push(format!(
                    "{sub}/{} (no longer generated)",
                    n.to_string_lossy()
                ));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}\nregenerate with: {REGEN}"
    );
}

#[test]
fn completions_command_prints_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let o = run(["completions", shell]);
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        assert!(stdout(&o).contains("obox-cli"), "{shell}");
        let file = match shell {
            "bash" => "obox-cli.bash",
            "zsh" => "_obox-cli",
            "fish" => "obox-cli.fish",
            "elvish" => "obox-cli.elv",
            _ => "_obox-cli.ps1",
        };
        let checked_in = std::fs::read(root().join("completions").join(file)).unwrap();
        assert_eq!(
            o.stdout, checked_in,
            "{shell} completions drifted; regenerate with: {REGEN}"
        );
    }
}

/// docs/rules.md is what `generate-man --rules-doc` writes now, holds every
/// rule of `rule --list` with its four sections, and equals
/// `rule --all --markdown`.
#[test]
fn rules_doc_is_up_to_date() {
    let dir = tempdir();
    let fresh = dir.path().join("rules.md");
    let o = run([
        "generate-man",
        "--out-dir",
        dir.path().join("man").to_str().unwrap(),
        "--rules-doc",
        fresh.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let fresh = std::fs::read_to_string(&fresh).unwrap();
    let checked_in = std::fs::read_to_string(root().join("docs/rules.md")).unwrap_or_default();
    assert!(
        fresh == checked_in,
        "docs/rules.md is out of date; regenerate with: {REGEN}"
    );
    assert_eq!(stdout(&run(["rule", "--all", "--markdown"])), fresh);
    let list = stdout(&run(["rule", "--list"]));
    let codes: Vec<&str> = list.lines().map(|l| &l[..6]).collect();
    assert!(codes.len() >= 88);
    for code in &codes {
        let start = fresh
            .find(&format!("\n## {code}\n"))
            .unwrap_or_else(|| panic!("{code} missing"));
        let section = &fresh[start + 1..];
        let section = &section[..section[3..].find("\n## ").map_or(section.len(), |i| i + 3)];
        for h in [
            "### What it does",
            "### Why is this bad?",
            "### Example",
            "### Fix",
        ] {
            assert!(section.contains(h), "{code}: no {h}");
        }
    }
}
