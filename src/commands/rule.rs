//! `obox-cli rule CODE` explains one rule; `rule --all` lists them.
use crate::ExitStatus;
use crate::cli::GlobalArgs;
use crate::lint::{RULES, rule};
use std::io::Write;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  obox-cli rule OBX050
  obox-cli rule missing-region
  obox-cli rule --all")]
pub struct RuleArgs {
    /// Rule code (OBX050) or name (missing-region).
    #[arg(required_unless_present = "all", value_name = "CODE")]
    pub code: Option<String>,
    /// List every rule.
    #[arg(long, conflicts_with = "code")]
    pub all: bool,
    /// With --all: a Markdown table (the README's rule table).
    #[arg(long, requires = "all")]
    pub markdown: bool,
}

pub fn run(args: &RuleArgs, _g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let mut out = std::io::stdout().lock();
    if args.all && args.markdown {
        writeln!(out, "| code | name | severity | what it checks |")?;
        writeln!(out, "|---|---|---|---|")?;
        for r in RULES {
            writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                r.code,
                r.name,
                r.severity.as_str(),
                r.summary.replace('|', "\\|")
            )?;
        }
        return Ok(ExitStatus::Success);
    }
    if args.all {
        for r in RULES {
            writeln!(
                out,
                "{}  {:<8} {:<32} {}",
                r.code,
                r.severity.as_str(),
                r.name,
                r.summary
            )?;
        }
        return Ok(ExitStatus::Success);
    }
    let code = args.code.as_deref().unwrap_or_default();
    match rule(code) {
        Some(r) => {
            write!(out, "{}", r.docs())?;
            Ok(ExitStatus::Success)
        }
        None => anyhow::bail!("unknown rule '{code}' (see `obox-cli rule --all`)"),
    }
}
