//! Everyday ergonomics through the binary: help with examples everywhere,
//! the version names the Dovecot release, usage errors exit 2, errors are
//! one line plus `caused by:` lines, a closed pipe is a clean exit, and
//! colour follows --color and NO_COLOR.
use crate::support::*;

const SUBCOMMANDS: &[&str] = &[
    "config",
    "expand",
    "path",
    "chain",
    "lint",
    "rule",
    "ls",
    "get",
    "put",
    "rm",
    "stat",
    "completions",
];

#[test]
fn every_subcommand_has_help_with_examples() {
    for sub in SUBCOMMANDS {
        let o = run([sub, "--help"]);
        assert!(o.status.success(), "{sub}");
        assert!(
            stdout(&o).contains("Examples"),
            "{sub} --help has no examples"
        );
        assert!(stdout(&o).contains("--config"), "{sub}: -c is global");
    }
    assert!(stdout(&run(["--help"])).contains("Examples"));
}

#[test]
fn version_names_the_dovecot_release() {
    let o = run(["--version"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("Dovecot 2.3.19.1"), "{}", stdout(&o));
}

#[test]
fn usage_errors_exit_2() {
    let o = run(["lint", "--format", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(["no-such-command"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn errors_are_one_line_with_causes() {
    let o = run(["ls", "-c", "/nonexistent/dovecot.conf"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    let first = e.lines().next().unwrap();
    assert!(first.starts_with("obox-cli: error: "), "{e}");
    assert!(
        e.contains("caused by:") || e.contains("/nonexistent/dovecot.conf"),
        "{e}"
    );
    // A missing config for `config` is doveconf's own message.
    let o = run(["config", "-c", "/nonexistent/dovecot.conf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("open(/nonexistent/dovecot.conf) failed: No such file or directory")
    );
}

#[test]
fn config_file_comes_from_obox_config() {
    let ex = root().join("examples/dovecot.conf");
    let o = cmd()
        .args(["config", "-H", "mail_location"])
        .env("OBOX_CONFIG", &ex)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "obox:%8Mu/%u:INDEX=~/:CONTROL=~/\n");
}

#[test]
fn broken_pipe_is_a_clean_exit() {
    use std::io::{Read, Write};
    use std::process::Stdio;
    let ex = root().join("examples/dovecot.conf");
    let mut child = cmd()
        .args(["path", "-c", ex.to_str().unwrap(), "--stdin", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for i in 0..200_000 {
            if writeln!(input, "user{i}@example.com").is_err() {
                break;
            }
        }
    });
    // Read one line, then close the pipe like `| head -1`.
    let mut out = child.stdout.take().unwrap();
    let mut buf = [0u8; 512];
    let _ = out.read(&mut buf).unwrap();
    drop(out);
    let status = child.wait().unwrap();
    writer.join().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn colour_follows_flag_and_no_color() {
    let f = root().join("examples/mistakes.conf");
    let f = f.to_str().unwrap();
    let always = run(["lint", "--color", "always", f]);
    assert!(
        stdout(&always).contains("\x1b["),
        "no colour with --color always"
    );
    let never = run(["lint", "--color", "never", f]);
    assert!(!stdout(&never).contains("\x1b["));
    let piped = cmd()
        .args(["lint", f])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stdout(&piped).contains("\x1b["));
}
