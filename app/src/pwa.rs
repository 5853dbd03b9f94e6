//! The PWA adapter: registers the service worker (built from sw/ into /sw.js), notices when a new
//! version of the till has downloaded, switches to it only when the screen says it may, and
//! passes on the worker's Background Sync wake-ups. Screens use the `ServiceWorker` signals and
//! methods; only this module touches the service worker API.
//!
//! The till works without a service worker (online); with it, the app shell boots from the cache
//! when the network is gone.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

// The messages and tag shared with sw/src/lib.rs (SKIP_WAITING, FLUSH, OUTBOX_SYNC_TAG).
const SKIP_WAITING: &str = "skip-waiting";
const FLUSH: &str = "flush";
const OUTBOX_SYNC_TAG: &str = "till-outbox";

/// A till stays open all day; the browser only looks for a new version on navigation, so ask.
const UPDATE_CHECK_MS: i32 = 15 * 60 * 1000;

#[derive(Clone, Copy)]
pub struct ServiceWorker {
    /// A newer version has downloaded and is waiting for the till to be idle.
    pub update_ready: RwSignal<bool>,
    /// The newer version has taken over this page: reload (when idle) to run it.
    pub switched: RwSignal<bool>,
    /// Counts the times the browser said "connectivity is back" (Background Sync or `online`).
    pub wake: RwSignal<u32>,
}

fn container() -> Option<ServiceWorkerContainer> {
    let window = web_sys::window()?;
    // Absent (undefined) in insecure contexts and some embedded browsers.
    let sw = js_sys::Reflect::get(&window.navigator(), &JsValue::from_str("serviceWorker")).ok()?;
    (!sw.is_undefined()).then(|| sw.unchecked_into())
}

/// Register the worker and start watching for updates. Call once, at start.
pub fn use_service_worker() -> ServiceWorker {
    let sw = ServiceWorker {
        update_ready: RwSignal::new(false),
        switched: RwSignal::new(false),
        wake: RwSignal::new(0),
    };
    if let Some(window) = web_sys::window() {
        let online = Closure::<dyn Fn()>::new(move || sw.wake.update(|n| *n += 1));
        let _ = window.add_event_listener_with_callback("online", online.as_ref().unchecked_ref());
        online.forget();
    }
    let Some(container) = container() else {
        return sw;
    };
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if e.data().as_string().as_deref() == Some(FLUSH) {
                sw.wake.update(|n| *n += 1);
            }
        });
    container.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The first install also changes the controller (the worker claims the page); only a change
    // after an update was seen means "a new version runs now".
    let on_change = Closure::<dyn Fn()>::new(move || {
        if sw.update_ready.get_untracked() {
            sw.switched.set(true);
        }
    });
    container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();

    leptos::task::spawn_local(async move {
        let registration = match JsFuture::from(container.register("/sw.js")).await {
            Ok(r) => r.unchecked_into::<ServiceWorkerRegistration>(),
            Err(e) => {
                leptos::logging::warn!(
                    "service worker not registered (the till still works online): {e:?}"
                );
                return;
            }
        };
        let controlled = move || container_controlled();
        if registration.waiting().is_some() && controlled() {
            sw.update_ready.set(true);
        }
        let reg = registration.clone();
        let on_found = Closure::<dyn Fn()>::new(move || {
            let Some(installing) = reg.installing() else {
                return;
            };
            let worker = installing.clone();
            let on_state = Closure::<dyn Fn()>::new(move || {
                if worker.state() == ServiceWorkerState::Installed && controlled() {
                    sw.update_ready.set(true);
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
        on_found.forget();
        let reg = registration.clone();
        let check = Closure::<dyn Fn()>::new(move || {
            if let Ok(p) = reg.update() {
                // A failed check (offline) is retried at the next interval.
                leptos::task::spawn_local(async move {
                    let _ = JsFuture::from(p).await;
                });
            }
        });
        if let Some(w) = web_sys::window() {
            let _ = w.set_interval_with_callback_and_timeout_and_arguments_0(
                check.as_ref().unchecked_ref(),
                UPDATE_CHECK_MS,
            );
        }
        check.forget();
    });
    sw
}

/// The active registration, once there is one.
async fn ready() -> Option<ServiceWorkerRegistration> {
    let ready = container()?.ready().ok()?;
    Some(JsFuture::from(ready).await.ok()?.unchecked_into())
}

fn container_controlled() -> bool {
    container().and_then(|c| c.controller()).is_some()
}

impl ServiceWorker {
    /// Let the waiting version take over (every tab of this till then switches when idle).
    pub fn apply_update(&self) {
        leptos::task::spawn_local(async move {
            let Some(reg) = ready().await else {
                return;
            };
            if let Some(waiting) = reg.waiting() {
                let _ = waiting.post_message(&JsValue::from_str(SKIP_WAITING));
            }
        });
    }

    /// Reload into the version that now controls the page (the open cart is in IndexedDB).
    pub fn reload(&self) {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    }

    /// Ask the browser to wake the till when connectivity returns (Background Sync, where the
    /// browser has it; elsewhere the till's own retries and the `online` event do the same).
    pub fn request_background_sync(&self) {
        leptos::task::spawn_local(async move {
            let Some(reg) = ready().await else {
                return;
            };
            let Ok(manager) = js_sys::Reflect::get(&reg, &JsValue::from_str("sync")) else {
                return;
            };
            if manager.is_undefined() {
                return;
            }
            let register = js_sys::Reflect::get(&manager, &JsValue::from_str("register"))
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
            if let Some(register) = register {
                if let Ok(p) = register.call1(&manager, &JsValue::from_str(OUTBOX_SYNC_TAG)) {
                    if let Err(e) = JsFuture::from(js_sys::Promise::from(p)).await {
                        leptos::logging::warn!("background sync not registered: {e:?}");
                    }
                }
            }
        });
    }
}
