//! %-expansion templates: the first line is the user name, the rest the
//! template; parse, then expand for that user.
#![no_main]
use libfuzzer_sys::fuzz_target;
use obox_cli::var_expand::{Template, UserContext, expand};

fuzz_target!(|data: &[u8]| {
    let (user, tpl) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"alice@example.com"[..], data),
    };
    let t = Template::parse(tpl);
    let ctx = UserContext::new(user);
    match expand(&t, &ctx) {
        Ok(out) => drop(out),
        Err(e) => drop(e.to_string()),
    }
});
