//! mail_location strings (driver:root:KEY=VALUE with :: escapes, ~ homes).
#![no_main]
use libfuzzer_sys::fuzz_target;
use obox_cli::mail_location;

fuzz_target!(|data: &[u8]| {
    let lookup = |name: &[u8]| (name.len() < 8).then(|| [b"/home/", name].concat());
    let _ = mail_location::parse_with(data, Some(b"/home/u"), &lookup);
    let _ = mail_location::parse_with(data, None, &lookup);
});
