//! Shell completions and man pages, generated from the clap definitions,
//! and the lint rule reference, generated from the rule registry.
//! The generated files are checked in under completions/, man/ and docs/;
//! tests/generated.rs fails when they drift from the code.
use crate::ExitStatus;
use clap::CommandFactory;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  obox-cli completions bash > /etc/bash_completion.d/obox-cli
  obox-cli completions zsh > ~/.zfunc/_obox-cli
  obox-cli completions fish > ~/.config/fish/completions/obox-cli.fish")]
pub struct CompletionsArgs {
    /// The shell to print completions for.
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Directory to write obox-cli.1 and one page per subcommand into.
    #[arg(long, default_value = "man")]
    pub out_dir: PathBuf,
    /// Also write the shell completions into this directory.
    #[arg(long)]
    pub completions_dir: Option<PathBuf>,
    /// Also write the lint rule reference (every rule's documentation,
    /// Markdown) to this file; the project keeps it as docs/rules.md.
    #[arg(long, value_name = "FILE")]
    pub rules_doc: Option<PathBuf>,
}

/// The file name clap_complete's scripts are installed under, per shell.
pub fn completion_file_name(shell: clap_complete::Shell) -> &'static str {
    use clap_complete::Shell;
    match shell {
        Shell::Bash => "obox-cli.bash",
        Shell::Zsh => "_obox-cli",
        Shell::Fish => "obox-cli.fish",
        Shell::Elvish => "obox-cli.elv",
        Shell::PowerShell => "_obox-cli.ps1",
        _ => "obox-cli.completion",
    }
}

/// The completion script for one shell.
pub fn completion(shell: clap_complete::Shell) -> Vec<u8> {
    let mut cmd = crate::cli::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "obox-cli", &mut out);
    out
}

/// Every man page: `obox-cli.1` and `obox-cli-<subcommand>.1`.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = crate::cli::Cli::command();
    cmd.build();
    let mut pages = Vec::new();
    let mut top = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut top)?;
    pages.push(("obox-cli.1".to_string(), top));
    // After build(), each subcommand's display name is `obox-cli-<sub>`,
    // which clap_mangen uses for the page's title and file name.
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let man = clap_mangen::Man::new(sub.clone());
        let mut buf = Vec::new();
        man.render(&mut buf)?;
        pages.push((man.get_filename(), buf));
    }
    Ok(pages)
}

pub fn completions(a: &CompletionsArgs) -> anyhow::Result<ExitStatus> {
    use std::io::Write;
    std::io::stdout().write_all(&completion(a.shell))?;
    Ok(ExitStatus::Success)
}

pub fn man(a: &ManArgs) -> anyhow::Result<ExitStatus> {
    use anyhow::Context;
    std::fs::create_dir_all(&a.out_dir)
        .with_context(|| format!("creating {}", a.out_dir.display()))?;
    for (name, page) in man_pages()? {
        let p = a.out_dir.join(name);
        std::fs::write(&p, page).with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(dir) = &a.completions_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for shell in <clap_complete::Shell as clap::ValueEnum>::value_variants() {
            let p = dir.join(completion_file_name(*shell));
            std::fs::write(&p, completion(*shell))
                .with_context(|| format!("writing {}", p.display()))?;
        }
    }
    if let Some(p) = &a.rules_doc {
        std::fs::write(p, super::rule::rules_markdown())
            .with_context(|| format!("writing {}", p.display()))?;
    }
    if let Some(p) = &a.rules_doc {
        std::fs::write(p, super::rule::rules_markdown())
            .with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(ExitStatus::Success)
}
