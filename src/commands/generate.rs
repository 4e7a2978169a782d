//! Shell completions and man pages, generated from the clap definitions.
use crate::ExitStatus;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to print completions for.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Directory to write obox-cli.1 and one page per subcommand into.
    #[arg(long, default_value = "man")]
    pub out_dir: PathBuf,
}

pub fn completions(a: &CompletionsArgs) -> anyhow::Result<ExitStatus> {
    use clap::CommandFactory;
    let mut cmd = crate::cli::Cli::command();
    clap_complete::generate(a.shell, &mut cmd, "obox-cli", &mut std::io::stdout());
    Ok(ExitStatus::Success)
}

pub fn man(a: &ManArgs) -> anyhow::Result<ExitStatus> {
    use clap::CommandFactory;
    std::fs::create_dir_all(&a.out_dir)?;
    clap_mangen::generate_to(crate::cli::Cli::command(), &a.out_dir)?;
    Ok(ExitStatus::Success)
}
