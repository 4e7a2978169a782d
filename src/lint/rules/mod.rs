//! The checks, grouped as in the catalogue: text of fs values, chain
//! structure, URL parameters, cross-setting checks.
mod chain;
mod cross;
mod text;
mod url;

use super::context::{LintContext, Sink};

pub fn run_all(ctx: &LintContext, sink: &mut Sink) {
    text::check(ctx, sink);
    chain::check(ctx, sink);
    url::check(ctx, sink);
    cross::check(ctx, sink);
}
