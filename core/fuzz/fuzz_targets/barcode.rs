//! Any bytes a scanner or keyboard could send: classification, GS1 parsing and label decoding
//! must answer with a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use till_core::barcode::{
    classify, classify_with, expand_upc_e, parse_gs1, price_check_digit, EmbeddedLayout,
    ScannerProfile,
};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = classify(&text);
    let _ = parse_gs1(&text);
    let _ = expand_upc_e(&text);
    let _ = price_check_digit(&text);
    let layouts = [
        EmbeddedLayout::japan_price(),
        EmbeddedLayout::eu_price_with_check(),
        EmbeddedLayout::price5_with_check(),
        EmbeddedLayout::weight_grams(),
    ];
    for layout in &layouts {
        let _ = layout.decode(&text);
    }
    // A wedge profile that rewrites the input: prefix/suffix, a GS stand-in and Caps Lock.
    let profile = ScannerProfile {
        prefix: "]".into(),
        suffix: "\r".into(),
        gs_substitute: "^".into(),
        swap_case: true,
    };
    let _ = classify_with(&text, &profile, &layouts);
    let _ = classify_with(&text, &ScannerProfile::default(), &layouts);
});
