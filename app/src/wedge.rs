//! The keyboard-wedge adapter: one keydown listener on the whole page (capture phase, so it
//! sees keys before any field does) feeding core's `scanner::Wedge`. Typing reaches the page as
//! usual; a burst that turns out to be a scan is taken back out of the field it landed in, and
//! its Enter never reaches the page.

use std::cell::RefCell;
use std::rc::Rc;
use till_core::scanner::{Key, Wedge, WedgeOutcome, WedgeScan, WedgeSettings};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Listen for the page's lifetime; every scan goes to `on_scan`.
/// `settings` is asked on every key, so a change on the device screen applies at once.
pub fn use_wedge(
    settings: impl Fn() -> WedgeSettings + 'static,
    on_scan: impl Fn(String) + 'static,
) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let wedge = Rc::new(RefCell::new(Wedge::new(settings())));
    let f = Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
        // A key typed through an input method (composing Japanese) is not a scanner's.
        if ev.is_composing() || ev.ctrl_key() || ev.alt_key() || ev.meta_key() {
            return;
        }
        let now = crate::lane::now_ms();
        let current = settings();
        if wedge.borrow().settings() != &current {
            *wedge.borrow_mut() = Wedge::new(current);
        }
        let outcome = wedge.borrow_mut().key(Key::from_dom(&ev.key()), now);
        if let WedgeOutcome::Scan(scan) = outcome {
            ev.prevent_default();
            ev.stop_propagation();
            take_back(ev.target(), &scan);
            on_scan(scan.text);
        }
    });
    let _ = window.add_event_listener_with_callback_and_bool(
        "keydown",
        f.as_ref().unchecked_ref(),
        true,
    );
    f.forget();
}

/// Remove the scan's characters from the end of the text field they were typed into (if they
/// are still there), and tell the page the field changed.
fn take_back(target: Option<web_sys::EventTarget>, scan: &WedgeScan) {
    let Some(input) = target.and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
        return;
    };
    let value = input.value();
    if let Some(before) = value.strip_suffix(scan.raw.as_str()) {
        input.set_value(before);
        if let Ok(ev) = web_sys::Event::new_with_event_init_dict("input", &{
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            init
        }) {
            let _ = input.dispatch_event(&ev);
        }
    }
}
