//! Tabs of one lane: exactly one tab syncs (it holds a Web Lock for as long as it lives; when it
//! closes, the next waiting tab takes over), and the tabs keep each other current over a
//! BroadcastChannel — the syncing tab announces status, lane pairing and pulled products; any
//! tab announces a new sale so the syncing tab pushes it at once.

use crate::lane::{LaneConfig, SyncStatus};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use till_core::catalogue::Product;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const LOCK: &str = "till-sync";
const CHANNEL: &str = "till-lane";

#[derive(Debug, Clone, Serialize, Deserialize)]
// Adjacently tagged: an internally tagged enum cannot carry `Products(Vec<_>)`.
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Message {
    /// A tab opened (it has loaded the catalogue from IndexedDB): from now on the syncing tab
    /// copies pulled products to the other tabs.
    Hello,
    /// A tab committed a sale: the syncing tab should push now.
    Sold,
    Status(SyncStatus),
    Paired(LaneConfig),
    Products(Vec<Product>),
    /// The store's staff changed (pulled by the syncing tab).
    Roster(till_core::staff::Roster),
}

thread_local! {
    static CHANNEL_HANDLE: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
}

/// Tell the other tabs of this lane.
pub fn post(message: &Message) {
    CHANNEL_HANDLE.with(|c| {
        let Some(ch) = c.borrow().as_ref().cloned() else {
            return;
        };
        match serde_json::to_string(message) {
            Ok(text) => {
                let _ = ch.post_message(&JsValue::from_str(&text));
            }
            Err(e) => leptos::logging::warn!("could not tell the other tabs: {e}"),
        }
    });
}

/// Listen to the other tabs (for the page's lifetime).
pub fn listen(on_message: impl Fn(Message) + 'static) {
    let Ok(ch) = web_sys::BroadcastChannel::new(CHANNEL) else {
        return;
    };
    let handler =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            if let Some(m) = ev
                .data()
                .as_string()
                .and_then(|t| serde_json::from_str(&t).ok())
            {
                on_message(m);
            }
        });
    ch.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
    CHANNEL_HANDLE.with(|c| *c.borrow_mut() = Some(ch));
}

/// Run `become_leader` once this tab holds the lane's sync lock; the lock is held until the tab
/// closes. Where the Web Locks API is missing, this tab leads at once.
pub fn when_leader(become_leader: impl FnOnce() + 'static) {
    let locks = web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w.navigator(), &"locks".into()).ok())
        .filter(|l| !l.is_undefined());
    let Some(locks) = locks else {
        become_leader();
        return;
    };
    let mut once = Some(become_leader);
    let granted = Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |_lock| {
        if let Some(f) = once.take() {
            f();
        }
        // Never settles: the lock is released only when the tab goes away.
        js_sys::Promise::new(&mut |_, _| {})
    });
    let request = js_sys::Reflect::get(&locks, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(request) = request {
        let _ = request.call2(&locks, &LOCK.into(), granted.as_ref().unchecked_ref());
    }
    granted.forget();
}
