//! The open-source `posix` storage driver's options.
use super::Spanned;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "option", rename_all = "kebab-case")]
pub enum PosixOpt {
    Prefix {
        path: String,
    },
    Lock {
        dotlock: bool,
    },
    /// `mode=auto`: take the mode from the parent directory.
    ModeAuto,
    /// `mode=OCTAL`, already masked with 0666 as Dovecot does.
    Mode {
        mode: u32,
    },
    Dirs,
    NoFsync,
    AccurateMtime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Posix {
    pub options: Vec<Spanned<PosixOpt>>,
}

impl Posix {
    pub fn prefix(&self) -> Option<&str> {
        self.options.iter().rev().find_map(|o| match &o.value {
            PosixOpt::Prefix { path } => Some(path.as_str()),
            _ => None,
        })
    }
}
