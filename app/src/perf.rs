//! The Performance API adapter: the till records how long a scan takes to render and a sale
//! takes to commit as `performance.measure` entries ("till:scan", "till:commit"), which the
//! benchmarks read from the real browser. Recording costs microseconds and never fails a sale.

/// Start timing `name` (one at a time per name: the till scans and commits one at a time).
pub fn start(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(&format!("{name}:start"));
    }
}

/// Record a measure `name` from its `start` to now.
pub fn end(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.measure_with_start_mark(name, &format!("{name}:start"));
    }
}

/// Mark a moment (e.g. "till:ready": the till can sell), read by the benchmarks.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}
