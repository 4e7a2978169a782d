//! dovecot.conf grammar: the real parser on in-memory text (includes and
//! `<file` are refused by `load_from_bytes`), in both expansion modes, then
//! the `doveconf -n` style dump of whatever parsed.
#![no_main]
use libfuzzer_sys::fuzz_target;
use obox_cli::conf::{self, ExpandMode, dump};

fuzz_target!(|data: &[u8]| {
    for mode in [ExpandMode::Literal, ExpandMode::Expand] {
        match conf::load_from_bytes("/fuzz/dovecot.conf", data, mode) {
            Ok(cfg) => {
                let _ = dump::dump_non_default(&cfg, dump::DumpOptions::default());
                if let Some(e) = &cfg.delayed_error {
                    let _ = e.to_string();
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});
