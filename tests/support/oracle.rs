//! A private Dovecot (the shared oracle's instance, in a temporary
//! ORACLE_DIR) for live comparisons with `doveadm user -e`.
use super::{require_program, shared};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn os(b: &[u8]) -> &OsStr {
    OsStr::from_bytes(b)
}

/// A private Dovecot instance in a temporary ORACLE_DIR, started with the
/// shared oracle-env.sh and stopped on drop.
pub struct Oracle {
    dir: tempfile::TempDir,
    env_sh: PathBuf,
}

impl Oracle {
    pub fn start() -> Oracle {
        require_program(
            "dovecot",
            "install Dovecot 2.3: apt-get install -y dovecot-core",
        );
        require_program(
            "doveadm",
            "install Dovecot 2.3: apt-get install -y dovecot-core",
        );
        let dir = tempfile::Builder::new()
            .prefix("obox-exp")
            .tempdir_in("/tmp")
            .unwrap();
        // Dovecot's unprivileged processes must be able to reach base_dir.
        std::fs::set_permissions(
            dir.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        let env_sh = shared().join("oracle/oracle-env.sh");
        let o = Oracle { dir, env_sh };
        let (ok, log) = o.shell("oracle_start");
        assert!(ok, "could not start the private Dovecot: {log}");
        o
    }

    /// Run a function of oracle-env.sh. Its output goes to a file, not a
    /// pipe: the daemonised dovecot keeps inherited descriptors open, and
    /// reading a pipe to EOF would wait for it forever.
    pub fn shell(&self, func: &str) -> (bool, String) {
        let log = self.dir.path().join("shell.log");
        let f = std::fs::File::create(&log).unwrap();
        let status = Command::new("bash")
            .arg("-c")
            .arg(format!(". \"$1\" && {func}"))
            .arg("bash")
            .arg(&self.env_sh)
            .env("ORACLE_DIR", self.dir.path())
            .stdin(std::process::Stdio::null())
            .stdout(f.try_clone().unwrap())
            .stderr(f)
            .status()
            .unwrap();
        (
            status.success(),
            std::fs::read_to_string(&log).unwrap_or_default(),
        )
    }

    /// Run one of the shared oracle scripts against this instance. Like
    /// `shell`, output goes to files: a script that (re)starts dovecot
    /// hands the daemon its descriptors, so a pipe would never see EOF.
    /// A deadline turns a wedged script into a failure, not a hung suite.
    pub fn script(&self, name: &str, args: &[&str]) -> (bool, String, String) {
        let out = self.dir.path().join("script.out");
        let err = self.dir.path().join("script.err");
        let mut child = Command::new("bash")
            .arg(shared().join("oracle").join(name))
            .args(args)
            .env("ORACLE_DIR", self.dir.path())
            .stdin(std::process::Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let status = loop {
            if let Some(st) = child.try_wait().unwrap() {
                break st;
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "oracle/{name} did not finish in 120 s: {}",
                    std::fs::read_to_string(&err).unwrap_or_default()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        (
            status.success(),
            std::fs::read_to_string(&out).unwrap_or_default(),
            std::fs::read_to_string(&err).unwrap_or_default(),
        )
    }

    pub fn conf(&self) -> PathBuf {
        self.dir.path().join("dovecot.conf")
    }

    /// `doveadm user -e`: Ok(expansion) or Err(message), None when doveadm
    /// itself failed (unknown user).
    pub fn expand(
        conf: &Path,
        home: &Path,
        template: &[u8],
        user: &[u8],
    ) -> Option<Result<Vec<u8>, Vec<u8>>> {
        let out = Command::new("doveadm")
            .arg("-c")
            .arg(conf)
            .args([os(b"user"), os(b"-e"), os(template), os(user)])
            .env("HOME", home)
            .output()
            .unwrap();
        if !out.status.success() {
            return None;
        }
        let mut prefix = b"Failed to expand ".to_vec();
        prefix.extend_from_slice(template);
        prefix.extend_from_slice(b": ");
        if !out.stderr.is_empty() {
            let err = out.stderr.strip_suffix(b"\n").unwrap_or(&out.stderr);
            let msg = match find(err, &prefix) {
                Some(p) => err[p + prefix.len()..].to_vec(),
                None => err.to_vec(),
            };
            return Some(Err(msg));
        }
        let v = out
            .stdout
            .strip_suffix(b"\n")
            .unwrap_or(&out.stdout)
            .to_vec();
        Some(Ok(v))
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.shell("oracle_stop");
    }
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
