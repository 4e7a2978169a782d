//! %-expansion templates: the first line is the user name, the rest the
//! template; parse, then expand for that user.
#![no_main]
use libfuzzer_sys::fuzz_target;
use obox_cli::var_expand::{Template, UserContext, expand};

/// Hash work is bounded by the library (per call and per expansion, unit
/// tested in `var_expand::expander`), but even bounded, milliseconds of
/// SHA-256 per input starve the fuzzer: inputs asking for more than a few
/// thousand rounds in all, or many PBKDF2 calls, are skipped here.
fn heavy_hashing(data: &[u8]) -> bool {
    let mut total: u64 = 0;
    for (i, w) in data.windows(7).enumerate() {
        if w == b"rounds=" {
            let n: u64 = data[i + 7..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .take(10)
                .fold(0, |n, &b| n * 10 + u64::from(b - b'0'));
            total += n;
        }
    }
    let pkcs5 = data
        .windows(5)
        .filter(|w| w.eq_ignore_ascii_case(b"pkcs5"))
        .count();
    total > 5000 || pkcs5 > 2
}

fuzz_target!(|data: &[u8]| {
    if heavy_hashing(data) {
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
