//! Any bytes a scanner or keyboard could send: classification, GS1 parsing and label decoding
//! must answer with a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use till_core::barcode::{classify, classify_with, parse_gs1, EmbeddedLayout, ScannerProfile};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = classify(&text);
    let _ = parse_gs1(&text);
    let layouts = [
        EmbeddedLayout::japan_price(),
        EmbeddedLayout::eu_price_with_check(),
        EmbeddedLayout::weight_grams(),
    ];
    let profile = ScannerProfile {
        prefix: "]".into(),
        suffix: "\r".into(),
    };
    let _ = classify_with(&text, &profile, &layouts);
});
