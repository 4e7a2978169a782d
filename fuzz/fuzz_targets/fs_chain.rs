//! fs chains (`obox_fs`, `fs` settings), as written in the config and as
//! expanded for a user, in Pro and open-source mode; a parsed chain is
//! serialised (what `chain --json` prints).
#![no_main]
use libfuzzer_sys::fuzz_target;
use obox_cli::fs_chain::{self, ParseOptions, TextForm};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    for form in [TextForm::Config, TextForm::Expanded] {
        for (oss_only, lenient) in [(false, false), (true, true)] {
            let opts = ParseOptions {
                oss_only,
                lenient,
                form,
            };
            match fs_chain::parse_with(s, &opts) {
                Ok(chain) => drop(serde_json::to_string(&chain)),
                Err(e) => drop(e.to_string()),
            }
        }
    }
});
