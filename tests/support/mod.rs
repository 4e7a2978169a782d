//! Helpers shared by the integration tests.
#![allow(dead_code)]
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The obox-cli binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_obox-cli"))
}

/// The read-only reference folder beside the checkout (`../shared`), or
/// `OBOX_SHARED`. Tests that need it fail when it is missing.
pub fn shared() -> PathBuf {
    let p = std::env::var_os("OBOX_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    assert!(
        p.join("oracle").is_dir(),
        "reference folder {} not found (set OBOX_SHARED)",
        p.display()
    );
    p
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A command for the binary with a scrubbed environment: no OBOX_*, AWS_*
/// or NO_COLOR leak in from the developer's shell.
pub fn cmd() -> Command {
    let mut c = Command::new(bin());
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().into_owned();
        if k.starts_with("OBOX_") || k.starts_with("AWS_") || k == "NO_COLOR" {
            c.env_remove(k);
        }
    }
    c.stdin(Stdio::null());
    c
}

/// Run the binary with `args` and collect its output.
pub fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    cmd().args(args).output().expect("run obox-cli")
}

/// Run the binary with `args`, feeding `stdin`.
pub fn run_stdin<I, S>(args: I, stdin: &[u8]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    use std::io::Write;
    let mut child = cmd()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn obox-cli");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait obox-cli");
    writer.join().unwrap();
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh temporary directory, removed on drop.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Find a program on PATH (or at an absolute path); panics with an install
/// hint when it is missing, because a test that needs it must not skip.
pub fn require_program(name: &str, hint: &str) -> PathBuf {
    let p = Path::new(name);
    if p.is_absolute() && p.exists() {
        return p.to_path_buf();
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let c = dir.join(name);
            if c.is_file() {
                return c;
            }
        }
    }
    panic!("required program `{name}` not found: {hint}");
}

/// Decode one field of the oracle's TSV files (see shared/oracle/README.md).
pub fn tsv_unescape(field: &str) -> Vec<u8> {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'\\' => out.push(b'\\'),
                b't' => out.push(b'\t'),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b'x' if i + 3 < b.len() => {
                    let h = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(h, 16).unwrap());
                    i += 4;
                    continue;
                }
                other => {
                    out.push(b'\\');
                    out.push(other);
                }
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Read a TSV file of the oracle: header skipped, fields unescaped.
pub fn read_tsv(path: &Path) -> Vec<Vec<Vec<u8>>> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').map(tsv_unescape).collect())
        .collect()
}
pub mod oracle;
pub mod s3;

/// Assert the command succeeded (showing its output if not); its stdout.
pub fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
    stdout(o)
}

/// The exit code (the command must have exited, not died of a signal).
pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

/// Owned arguments from string slices.
pub fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Names of the entries in `dir`, sorted (to prove that no partial or
/// temporary `.obox-cli-*` download stays behind).
pub fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Lower-case hex MD5 of `b`.
pub fn md5_hex(b: &[u8]) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(b))
}
