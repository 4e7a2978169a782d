//! `obox-cli rule CODE` explains one rule; `rule --all` explains them all,
//! `rule --list` lists them one per line.
use crate::ExitStatus;
use crate::cli::GlobalArgs;
use crate::lint::{RULES, rule};
use std::io::Write;

#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  obox-cli rule OBX050
  obox-cli rule missing-region
  obox-cli rule --list
  obox-cli rule --all | less")]
pub struct RuleArgs {
    /// Rule code (OBX050) or name (missing-region).
    #[arg(required_unless_present_any = ["all", "list"], value_name = "CODE")]
    pub code: Option<String>,
    /// Print every rule's full documentation.
    #[arg(long, conflicts_with_all = ["code", "list"])]
    pub all: bool,
    /// List every rule, one line each (code, severity, name, summary).
    #[arg(long, conflicts_with = "code")]
    pub list: bool,
    /// Markdown: with --list the README's rule table, with --all the rule
    /// reference (docs/rules.md).
    #[arg(long)]
    pub markdown: bool,
}

pub fn run(args: &RuleArgs, _g: &GlobalArgs) -> anyhow::Result<ExitStatus> {
    let mut out = std::io::stdout().lock();
    if args.list && args.markdown {
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
    if args.list {
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
    if args.all && args.markdown {
        write!(out, "{}", rules_markdown())?;
        return Ok(ExitStatus::Success);
    }
    if args.all {
        for (i, r) in RULES.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            write!(out, "{}", r.docs())?;
        }
        return Ok(ExitStatus::Success);
    }
    let code = args.code.as_deref().unwrap_or_default();
    match rule(code) {
        Some(r) => {
            if args.markdown {
                write!(out, "{}", r.markdown())?;
            } else {
                write!(out, "{}", r.docs())?;
            }
            Ok(ExitStatus::Success)
        }
        None => anyhow::bail!("unknown rule '{code}' (see `obox-cli rule --list`)"),
    }
}

/// docs/rules.md: every rule's documentation, one `## OBXnnn` heading each
/// (the anchors SARIF's helpUri points at).
pub fn rules_markdown() -> String {
    let mut s = String::from(
        "# obox-cli lint rules\n\n\
         <!-- Generated from the rule registry (src/lint/rule.rs) by\n\
         `obox-cli generate-man --rules-doc docs/rules.md`; do not edit. -->\n\n\
         Every rule of `obox-cli lint`, in code order. `obox-cli rule CODE` prints\n\
         one of them, `obox-cli rule --list` the index.\n",
    );
    for r in RULES {
        s.push('\n');
        s.push_str(&r.markdown());
    }
    s
}
