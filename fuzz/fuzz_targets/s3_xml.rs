//! The S3 XML bodies (listings, errors, multipart answers) as the client
//! reads them.
#![no_main]
use libfuzzer_sys::fuzz_target;
use obox_cli::s3::xml;

fuzz_target!(|data: &[u8]| {
    if let Ok(root) = xml::parse(data) {
        for c in root.all("Contents") {
            let _ = c.text_of("Key");
            let _ = c.text_of("Size").and_then(|s| s.trim().parse::<u64>().ok());
        }
        let _ = root.text_of("NextContinuationToken");
    }
    let _ = xml::parse_error(data);
});
