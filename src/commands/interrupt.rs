//! Ctrl-C and SIGTERM during downloads. A download writes to a temporary
//! file that is renamed into place only when complete; a signal ends the
//! process before any destructor runs, so without this the `.obox-cli-*`
//! files of interrupted transfers would stay behind. The handler (its own
//! thread, not a signal context) removes the files still pending and exits
//! with 130, the shell's code for an interrupted command.
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static INSTALL: Once = Once::new();

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Install the handler (once per process; later calls do nothing). A
/// failure to install only means no cleanup, never a failed command.
pub fn install() {
    INSTALL.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            // The lock is kept until the process ends: a transfer that
            // wants a new temporary file waits for it and never gets one
            // (see `temp_file_in`), so none is created after the sweep.
            let mut files = pending();
            for p in files.drain(..) {
                let _ = std::fs::remove_file(p);
            }
            // Start on a line of our own: a progress bar may be half drawn.
            eprintln!("\nobox-cli: interrupted");
            std::process::exit(130);
        });
    });
}

/// A temporary file the handler removes if the process is interrupted
/// while this guard lives. Dropped after the rename (or the removal by
/// tempfile's own destructor), it forgets the path.
pub struct TempGuard(PathBuf);

/// A new `.obox-cli-*` temporary file in `dir`, known to the handler from
/// the moment it exists: it is created and recorded under the same lock
/// the handler sweeps with, so an interrupt cannot fall in between.
pub fn temp_file_in(dir: &Path) -> std::io::Result<(tempfile::NamedTempFile, TempGuard)> {
    let mut files = pending();
    let tmp = tempfile::Builder::new()
        .prefix(".obox-cli-")
        .tempfile_in(dir)?;
    files.push(tmp.path().to_path_buf());
    let guard = TempGuard(tmp.path().to_path_buf());
    Ok((tmp, guard))
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        let mut p = pending();
        if let Some(i) = p.iter().position(|q| *q == self.0) {
            p.swap_remove(i);
        }
    }
}
