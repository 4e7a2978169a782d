//! %-expansion templates: the first line is the user name, the rest the
//! template; parse, then expand for that user.
#![no_main]
use libfuzzer_sys::fuzz_target;
use obox_cli::var_expand::{Template, UserContext, expand};

/// Hash work is bounded by the library (per call and per expansion, unit
/// tested in `var_expand::expander`), but even bounded, a second of SHA-256
/// per input starves the fuzzer: big `rounds=` values are skipped here.
fn heavy_rounds(data: &[u8]) -> bool {
    data.windows(7).enumerate().any(|(i, w)| {
        w == b"rounds=" && {
            let digits: Vec<u8> = data[i + 7..]
                .iter()
                .copied()
                .take_while(u8::is_ascii_digit)
                .collect();
            digits.len() > 4
        }
    })
}

fuzz_target!(|data: &[u8]| {
    if heavy_rounds(data) {
        return;
    }
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
