//! The README's examples are real: every `<!-- example -->` command is run
//! with the binary against the bundled example configs and must print what
//! the README shows; the rule table must match the registry.
//! Regenerate with `cargo build && python3 scripts/update-readme.py`.
use crate::support::*;

const REGEN: &str = "cargo build && python3 scripts/update-readme.py";

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md")
}

/// (command, expected output) for each example block.
fn examples(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("<!-- example -->\n````console\n$ ") {
        rest = &rest[i + "<!-- example -->\n````console\n$ ".len()..];
        let (cmd, after) = rest.split_once('\n').unwrap();
        let end = after.find("````").expect("unterminated example block");
        out.push((cmd.to_string(), after[..end].to_string()));
        rest = &after[end..];
    }
    out
}

#[test]
fn readme_examples_print_what_the_readme_shows() {
    let text = readme();
    let ex = examples(&text);
    assert!(ex.len() >= 7, "only {} examples found", ex.len());
    for (cmd, want) in ex {
        let o = cmd_in_root(&cmd);
        assert_eq!(
            stdout(&o),
            want,
            "`{cmd}` differs from README.md; regenerate with: {REGEN}"
        );
    }
}

/// The object commands' examples, in order, against a real s3s-fs: the
/// README's 127.0.0.1:8014 becomes the test server's port (in the commands,
/// in a copy of examples/local-s3.conf and back in the output).
#[test]
fn readme_object_examples_run_against_s3s_fs() {
    let text = readme();
    let mut blocks = Vec::new();
    let mut rest = text.as_str();
    const START: &str = "<!-- s3-example -->\n````console\n$ ";
    while let Some(i) = rest.find(START) {
        rest = &rest[i + START.len()..];
        let (cmd, after) = rest.split_once('\n').unwrap();
        let end = after.find("````").expect("unterminated example block");
        blocks.push((cmd.to_string(), after[..end].to_string()));
        rest = &after[end..];
    }
    assert!(blocks.len() >= 6, "only {} object examples", blocks.len());
    for verb in ["put", "ls", "get", "rm"] {
        assert!(
            blocks
                .iter()
                .any(|(c, _)| c.starts_with(&format!("obox-cli {verb} "))),
            "no README example of {verb}"
        );
    }
    let s3 = crate::support::s3::S3s::start_with("AK", "SK");
    std::fs::create_dir(s3.dir.path().join("mail")).unwrap();
    let here = format!("127.0.0.1:{}", s3.port);
    let t = tempdir();
    let conf = t.path().join("local-s3.conf");
    let example = std::fs::read_to_string(root().join("examples/local-s3.conf")).unwrap();
    assert!(example.contains("127.0.0.1:8014"));
    std::fs::write(&conf, example.replace("127.0.0.1:8014", &here)).unwrap();
    let conf = conf.display().to_string();
    for (cmd, want) in blocks {
        let real = cmd
            .replace("127.0.0.1:8014", &here)
            .replace("examples/local-s3.conf", &conf);
        let o = cmd_in_root(&real);
        let got = stdout(&o)
            .replace(&here, "127.0.0.1:8014")
            .replace(&conf, "examples/local-s3.conf");
        assert!(o.status.success(), "`{cmd}` failed: {}", stderr(&o));
        assert_eq!(
            got, want,
            "`{cmd}` differs from README.md; regenerate with: {REGEN}"
        );
    }
}

fn cmd_in_root(cmd: &str) -> std::process::Output {
    let mut c = std::process::Command::new("bash");
    c.arg("-c")
        .arg(format!("obox-cli() {{ \"$OBOX_BIN\" \"$@\"; }}; {cmd}"))
        .env("OBOX_BIN", bin())
        .env("NO_COLOR", "1")
        .current_dir(root());
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("OBOX_CONFIG") || k.starts_with("AWS_") {
            c.env_remove(k);
        }
    }
    c.output().unwrap()
}

#[test]
fn readme_rule_table_matches_the_registry() {
    let text = readme();
    let begin = text.find("<!-- rules:begin -->\n").unwrap() + "<!-- rules:begin -->\n".len();
    let end = text.find("<!-- rules:end -->").unwrap();
    let o = run(["rule", "--list", "--markdown"]);
    assert_eq!(
        &text[begin..end],
        stdout(&o),
        "rule table drifted; regenerate with: {REGEN}"
    );
    assert!(stdout(&o).lines().count() >= 62, "fewer than 60 rules");
}

#[test]
fn readme_names_the_test_command_that_ci_runs() {
    let text = readme();
    assert!(text.contains("./scripts/test-all.sh"));
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(
        ci.contains("./scripts/test-all.sh"),
        ".ci/run must call the README's test command"
    );
    // And the main-job command works on the bundled example.
    let o = run([
        "lint",
        root().join("examples/dovecot.conf").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run([
        "path",
        "-c",
        root().join("examples/dovecot.conf").to_str().unwrap(),
        "alice@example.com",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}
