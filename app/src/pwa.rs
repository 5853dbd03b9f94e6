//! The PWA adapter: registers the service worker (built from sw/ into /sw.js). The till works
//! without it (online); with it, the app shell boots from the cache when the network is gone.

use wasm_bindgen_futures::JsFuture;

pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    leptos::task::spawn_local(async move {
        if let Err(e) = JsFuture::from(container.register("/sw.js")).await {
            leptos::logging::warn!(
                "service worker not registered (the till still works online): {e:?}"
            );
        }
    });
}
