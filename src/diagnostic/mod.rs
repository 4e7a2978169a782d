//! Findings with source locations, and the renderers that print them:
//! human (rustc-style code frames), json (versioned), sarif (2.1.0) and
//! github (workflow commands). Renderers never print credentials unless
//! told to: code frames and messages go through [`redact`].
mod github;
mod human;
mod json;
mod model;
pub mod redact;
mod sarif;
mod severity;

pub use github::render_github;
pub use human::render_human;
pub use json::{JSON_FORMAT_VERSION, render_json};
pub use model::{Diagnostic, Label, Location};
pub use sarif::{SarifRule, render_sarif};
pub use severity::Severity;

/// What every renderer needs besides the diagnostics.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    pub show_secrets: bool,
}
