//! till-app: the till (sell and pay) and the owner's pages, as one library with two entry
//! points, so each page downloads only its own code: `till-app` (the till at `/`, the shell a
//! lane caches and boots offline) and `till-owner` (the owner's pages at `/owner`).
//! Views only call methods on core's domain types and the lane controller.

mod api;
mod devices;
mod discount;
mod display;
mod files;
pub mod gift;
mod hid;
mod history;
mod i18n;
mod idb;
mod lane;
mod owner;
mod owner_day;
mod owner_setup;
mod perf;
mod print;
mod printer;
mod pwa;
mod sell;
mod serial;
mod shift;
mod sound;
mod staff;
mod storage;
mod tabs;
mod usb;
mod webdev;
mod wedge;

use leptos::prelude::*;

/// The till: sell, pay, sync. Watches the service worker for updates.
pub fn mount_till() {
    console_error_panic_hook::set_once();
    i18n::start();
    leptos::mount::mount_to_body(|| {
        provide_context(pwa::use_service_worker());
        view! { <sell::TillPage/> }
    });
}

/// The owner's pages (the service worker is the till's; they only use the network), and the
/// customer display at `/display` (it follows a till on the same device, offline too).
pub fn mount_owner() {
    console_error_panic_hook::set_once();
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    if path.trim_end_matches('/') == "/display" {
        leptos::mount::mount_to_body(|| view! { <display::DisplayPage/> });
    } else {
        leptos::mount::mount_to_body(|| view! { <owner::OwnerPage/> });
    }
}
