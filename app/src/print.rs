//! The print adapter. For now the browser's own print dialog, which always works (the receipt
//! preview is the only thing on the page in print media, sized for 80 mm paper); printer
//! transports (WebSerial, WebUSB) plug in behind the same calls.

/// Open the browser's print dialog for the receipt on screen.
pub fn browser_print() {
    if let Some(w) = web_sys::window() {
        if let Err(e) = w.print() {
            leptos::logging::warn!("the browser would not print: {e:?}");
        }
    }
}
