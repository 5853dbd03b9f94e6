//! Any body a lane (or an attacker with a lane's token) could push: decoding an event and the
//! edge's ingest rules must refuse bad input with a reason, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use till_core::event::Event;
use till_core::store::StoreSettings;
use till_core::sync::{ingest, memory::MemoryLedger};

fuzz_target!(|data: &[u8]| {
    if let Ok(event) = serde_json::from_slice::<Event>(data) {
        let _ = event.stock_deltas();
        let _ = event.net_effect();
    }
    if let Ok(values) = serde_json::from_slice::<Vec<serde_json::Value>>(data) {
        let store = StoreSettings::japan("s", "S");
        let mut ledger = MemoryLedger::default();
        let _ = ingest(&mut ledger, "lane", &values, &store);
    }
});
