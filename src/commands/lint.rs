//! `obox-cli lint [FILE...]`: check configs, print findings in one of four
//! formats. Exit 0 clean, 1 findings at or above --fail-on, 2 usage/IO.
use crate::ExitStatus;
use crate::cli::GlobalArgs;
use crate::conf::Files;
use crate::diagnostic::{
    Diagnostic, RenderOptions, Severity, render_github, render_human, render_json, render_sarif,
};
use crate::lint::{self, LintSettings, RULES, TargetVersion, Uncertain};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  obox-cli lint examples/dovecot.conf
  obox-cli lint /etc/dovecot/dovecot.conf --format sarif > obox.sarif
  obox-cli lint dovecot.conf --format github --fail-on error
  obox-cli lint dovecot.conf --select OBX050,OBX003 --target-version 2.3.19")]
pub struct LintArgs {
    /// Config files to check [default: the -c file or /etc/dovecot/dovecot.conf].
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only these rule codes or prefixes (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub select: Vec<String>,
    /// Skip these rule codes or prefixes.
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub ignore: Vec<String>,
    /// Exit 1 when a finding has at least this severity.
    #[arg(long, value_enum, default_value_t = Severity::Warning)]
    pub fail_on: Severity,
    /// The Dovecot version to judge against (2.3.N or 3.0).
    #[arg(long, default_value = "2.3.21", value_name = "VERSION")]
    pub target_version: TargetVersion,
    /// Don't report undocumented URL parameters (Pro may ignore them).
    #[arg(long)]
    pub allow_unknown_params: bool,
    /// Don't report time parameters without a unit (unclear for URLs).
    #[arg(long)]
    pub allow_unitless_time: bool,
    /// Don't report static credentials combined with auth_role.
    #[arg(long)]
    pub allow_credentials_with_role: bool,
}

pub fn run(args: &LintArgs, g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    for code in args.select.iter().chain(&args.ignore) {
        if !RULES
            .iter()
            .any(|r| r.code.starts_with(&code.to_ascii_uppercase()))
        {
            anyhow::bail!("no rule matches '{code}' (see `obox-cli rule --list`)");
        }
    }
    let settings = LintSettings {
        select: args.select.iter().map(|s| s.to_ascii_uppercase()).collect(),
        ignore: args.ignore.iter().map(|s| s.to_ascii_uppercase()).collect(),
        target: args.target_version,
        uncertain: Uncertain {
            unknown_params: !args.allow_unknown_params,
            unitless_time: !args.allow_unitless_time,
            credentials_and_role: !args.allow_credentials_with_role,
        },
    };
    let paths = if args.files.is_empty() {
        vec![g.config_path()]
    } else {
        args.files.clone()
    };
    // All findings go into one list; each file's sources are appended to one
    // Files table so the renderers can resolve every label.
    let mut files = Files::default();
    let mut diags: Vec<Diagnostic> = Vec::new();
    for path in &paths {
        // A root file that cannot be read means the check could not run:
        // exit 2 with an error, never a finding that --ignore could hide.
        let linted = lint::lint_file(path, &settings)?;
        let base = files.files.len();
        let mut found = linted.diags;
        files.files.extend(linted.files.files);
        for d in &mut found {
            for l in d.primary.iter_mut().chain(d.secondary.iter_mut()) {
                l.origin.file.0 += base;
            }
        }
        diags.extend(found);
    }
    let opts = RenderOptions {
        show_secrets: g.show_secrets,
    };
    let text = match args.format {
        Format::Human => render_human(&diags, &files, opts),
        Format::Json => render_json(&diags, &files, opts),
        Format::Github => render_github(&diags, &files, opts),
        Format::Sarif => {
            let rules: Vec<_> = RULES.iter().map(|r| r.sarif()).collect();
            render_sarif(&diags, &files, &rules, opts)
        }
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(if lint::fails(&diags, args.fail_on) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
