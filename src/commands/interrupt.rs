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
            for p in pending().drain(..) {
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

impl TempGuard {
    pub fn new(path: &Path) -> TempGuard {
        pending().push(path.to_path_buf());
        TempGuard(path.to_path_buf())
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        let mut p = pending();
        if let Some(i) = p.iter().position(|q| *q == self.0) {
            p.swap_remove(i);
        }
    }
}
