//! Man pages and completions are generated from the clap definitions and
//! checked in; this fails when they drift. Regenerate with
//! `cargo run -- generate-man --out-dir man --completions-dir completions`.
use crate::support::*;

const REGEN: &str = "cargo run -- generate-man --out-dir man --completions-dir completions";

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
