//! The storage adapter: ask the browser to keep the till's data (persistent storage is not
//! evicted under storage pressure), and report how much is used of how much is allowed.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct StorageState {
    /// The browser agreed never to evict the till's data on its own.
    pub persisted: bool,
    /// Bytes used and allowed for this origin, when the browser says.
    pub usage: Option<f64>,
    pub quota: Option<f64>,
}

fn manager() -> Option<web_sys::StorageManager> {
    let nav = web_sys::window()?.navigator();
    // Absent in insecure contexts and older browsers.
    let storage = js_sys::Reflect::get(&nav, &"storage".into()).ok()?;
    (!storage.is_undefined()).then(|| storage.unchecked_into())
}

/// Request persistence (granted silently for installed apps and engaged sites in Chromium),
/// then read the estimate.
pub async fn persist_and_estimate() -> StorageState {
    let Some(m) = manager() else {
        return StorageState::default();
    };
    let mut state = StorageState::default();
    if let Ok(p) = m.persist() {
        state.persisted = JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
    }
    if let Ok(p) = m.estimate() {
        if let Ok(e) = JsFuture::from(p).await {
            let e: web_sys::StorageEstimate = e.unchecked_into();
            state.usage = e.get_usage();
            state.quota = e.get_quota();
        }
    }
    state
}

/// "3.2 MB of 10 GB" style, for the lane panel. Integer arithmetic: float formatting would add
/// kilobytes of code to the till for one label.
pub fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut tenths = (bytes.max(0.0) as u64).saturating_mul(10);
    let mut unit = 0;
    while tenths >= 10_000 && unit < UNITS.len() - 1 {
        tenths /= 1000;
        unit += 1;
    }
    if unit == 0 || tenths >= 1000 {
        format!("{} {}", tenths / 10, UNITS[unit])
    } else {
        format!("{}.{} {}", tenths / 10, tenths % 10, UNITS[unit])
    }
}
