//! Checks Dovecot runs after the whole file is parsed (settings checks).
//! Their failures are *delayed* errors: `doveconf -n` still prints the
//! configuration before failing, `doveconf -h` ignores them.
use super::model::{ConfError, Config};

pub(crate) fn settings_check(cfg: &Config, root_path: &str) -> Option<ConfError> {
    if let Some(s) = cfg.root.setting("listen")
        && s.value.bytes.is_empty()
    {
        let message = "listen can't be set empty".to_string();
        return Some(ConfError {
            fatal: format!("Error in configuration file {root_path}: {message}"),
            message,
            origin: Some(s.value.origin),
            files: Default::default(),
            help: None,
            warnings: Vec::new(),
        });
    }
    None
}
