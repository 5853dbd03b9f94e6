//! till-app: the till (sell and pay) at `/`, the owner's sales page at `/owner`.
//! Views only call methods on core's domain types and the lane controller; no web-sys here
//! beyond reading the path.

mod api;
mod files;
mod idb;
mod lane;
mod owner;
mod owner_setup;
mod perf;
mod print;
mod pwa;
mod sell;
mod staff;
mod storage;
mod tabs;

use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    provide_context(pwa::use_service_worker());
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    if path.trim_end_matches('/') == "/owner" {
        view! { <owner::OwnerPage/> }.into_any()
    } else {
        view! { <sell::TillPage/> }.into_any()
    }
}
