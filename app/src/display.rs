//! The customer display: a second window or screen (`/display`) that follows the till's cart
//! over a BroadcastChannel of the same origin — lines, savings, total, then paid and change, then
//! thank you. It works offline: nothing leaves the device.

use leptos::prelude::*;
use std::cell::RefCell;
use till_core::customer_display::{DisplayState, Phase};
use till_core::text::{Lang, Text};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const CHANNEL: &str = "till-display";
/// What a display that just opened says, so the till sends what is on screen now.
const HELLO: &str = "hello";

thread_local! {
    static CHANNEL_HANDLE: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
}

fn channel() -> Option<web_sys::BroadcastChannel> {
    CHANNEL_HANDLE.with(|c| {
        if c.borrow().is_none() {
            *c.borrow_mut() = web_sys::BroadcastChannel::new(CHANNEL).ok();
        }
        c.borrow().clone()
    })
}

/// The till: show `state` on every open display.
pub fn show(state: &DisplayState) {
    if let (Some(ch), Ok(text)) = (channel(), serde_json::to_string(state)) {
        let _ = ch.post_message(&JsValue::from_str(&text));
    }
}

/// Call `on_message` for each message on the display channel (for the page's lifetime).
fn listen(on_message: impl Fn(String) + 'static) {
    let Some(ch) = channel() else {
        return;
    };
    let handler =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                on_message(text);
            }
        });
    ch.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    handler.forget();
}

/// The till: when a display opens, send it `current()`.
pub fn answer_hellos(current: impl Fn() -> Option<DisplayState> + 'static) {
    listen(move |text| {
        if text == HELLO {
            if let Some(state) = current() {
                show(&state);
            }
        }
    });
}

/// The display page itself.
#[component]
pub fn DisplayPage() -> impl IntoView {
    let state = RwSignal::new(None::<DisplayState>);
    listen(move |text| {
        if let Ok(s) = serde_json::from_str::<DisplayState>(&text) {
            state.set(Some(s));
        }
    });
    if let Some(ch) = channel() {
        let _ = ch.post_message(&JsValue::from_str(HELLO));
    }
    view! {
        <main class="customer-display" data-phase=move || state.with(|s| match s.as_ref().map(|s| s.phase) {
            Some(Phase::Cart) => "cart",
            Some(Phase::Paid) => "paid",
            _ => "idle",
        })>
            {move || match state.get() {
                None => view! { <h1 class="greeting">"till"</h1> }.into_any(),
                Some(s) => {
                    // The customer reads the store's language, whatever the cashier's till shows.
                    let lang = Lang::from_tag(&s.locale);
                    view! {
                    <h1 class="greeting">{s.greeting()}</h1>
                    <p class="display-store">{s.store_name.clone()}</p>
                    <ul class="display-lines">
                        {s.lines.iter().map(|l| view! {
                            <li class="display-line">
                                <span class="name">{l.name.clone()}</span>
                                <span class="qty">{l.qty.clone()}</span>
                                <span class="amount">{l.amount.display()}</span>
                                {l.saving.map(|m| view! { <span class="saving">{format!("−{}", m.display())}</span> })}
                            </li>
                        }).collect::<Vec<_>>()}
                    </ul>
                    {s.total.map(|t| view! { <p class="display-total">{Text::Total.get(lang)} " " <strong>{t.display()}</strong></p> })}
                    {s.paid.map(|p| view! { <p class="display-paid">{Text::DisplayPaid.get(lang)} " " <strong>{p.display()}</strong></p> })}
                    {s.change.map(|c| view! { <p class="display-change">{Text::DisplayChange.get(lang)} " " <strong>{c.display()}</strong></p> })}
                }.into_any()
                }
            }}
        </main>
    }
}
