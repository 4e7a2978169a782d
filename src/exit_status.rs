//! The three-valued exit status shared by every subcommand.

/// 0: success; 1: the command ran and the answer is "no" (findings, a failed
/// expansion, a failed transfer); 2: the tool could not run (usage, I/O,
/// config rejected, network).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    Failure,
    Error,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        match s {
            ExitStatus::Success => 0.into(),
            ExitStatus::Failure => 1.into(),
            ExitStatus::Error => 2.into(),
        }
    }
}
