//! The owner's page: sign in, then today's sales per store, refreshed every few seconds.

use crate::api::{self, ApiError};
use crate::lane::sleep_ms;
use leptos::prelude::*;
use serde::Deserialize;
use till_core::money::Money;
use till_core::rescue::RescueFile;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct StoreToday {
    store_id: String,
    name: String,
    business_day: String,
    net: Money,
    sales: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Today {
    stores: Vec<StoreToday>,
}

#[component]
pub fn OwnerPage() -> impl IntoView {
    let today = RwSignal::new(None::<Today>);
    let signed_in = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    let refresh = move || async move {
        match api::get::<Today>("/api/v1/owner/today", None).await {
            Ok(t) => {
                today.set(Some(t));
                signed_in.set(true);
                error.set(None);
            }
            Err(ApiError::Refused { status: 401, .. }) => signed_in.set(false),
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    leptos::task::spawn_local(async move {
        loop {
            if signed_in.get_untracked() {
                refresh().await;
            }
            sleep_ms(3_000).await;
        }
    });

    let login = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = serde_json::json!({ "email": email.get_untracked(), "password": password.get_untracked() });
        leptos::task::spawn_local(async move {
            match api::post::<_, serde_json::Value>("/api/v1/auth/login", None, &body).await {
                Ok(_) => {
                    password.set(String::new());
                    refresh().await;
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };

    let rescue_input = NodeRef::<leptos::html::Input>::new();
    let rescue_outcome = RwSignal::new(None::<String>);
    let upload = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            let outcome = match rescue_input.get_untracked() {
                Some(input) => upload_rescue(&input).await,
                None => Err("no file field".into()),
            };
            rescue_outcome.set(Some(outcome.unwrap_or_else(|e| e)));
        });
    };

    view! {
        <main class="owner">
            <h1>"Today's sales"</h1>
            <p class="error" role="alert">{move || error.get()}</p>
            <Show when=move || signed_in.get() fallback=move || view! {
                <form class="login" on:submit=login>
                    <label>"Email" <input id="email" type="email" autocomplete="username" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/></label>
                    <label>"Password" <input id="password" type="password" autocomplete="current-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/></label>
                    <button id="sign-in" class="primary" type="submit">"Sign in"</button>
                </form>
            }>
                <ul class="stores">
                    <For each=move || today.get().map(|t| t.stores).unwrap_or_default() key=|s| (s.store_id.clone(), s.net, s.sales) children=|s| view! {
                        <li class="store-today" data-store=s.store_id.clone()>
                            <h2>{s.name.clone()}</h2>
                            <p class="day">{s.business_day.clone()}</p>
                            <p class="net">"Net sales " <strong class="net-amount">{s.net.display()}</strong></p>
                            <p class="count">"Transactions " <strong class="sales-count">{s.sales}</strong></p>
                        </li>
                    }/>
                </ul>
                <form class="rescue" on:submit=upload>
                    <h2>"Upload a till's rescue file"</h2>
                    <p>"A till that cannot sync saves its unsynced sales to a file (\"This till\" → save). Sales already received are not counted twice."</p>
                    <input id="rescue-file" type="file" accept="application/json,.json" node_ref=rescue_input/>
                    <button id="rescue-upload" class="primary" type="submit">"Upload"</button>
                    <p class="rescue-outcome" role="status">{move || rescue_outcome.get()}</p>
                </form>
            </Show>
        </main>
    }
}

#[derive(Debug, Deserialize)]
struct RescueOutcome {
    lane_code: String,
    applied: u32,
    duplicates: u32,
    rejected: u32,
}

/// Send the chosen rescue file to the store it names (the edge checks the signature and that the
/// store is the owner's).
async fn upload_rescue(input: &web_sys::HtmlInputElement) -> Result<String, String> {
    let text = crate::files::read_chosen(input)
        .await
        .map_err(|e| e.to_string())?;
    let file: RescueFile =
        serde_json::from_str(&text).map_err(|_| "this is not a till rescue file".to_string())?;
    let store_id = file.unverified().map_err(|e| e.to_string())?.store_id;
    let path = format!(
        "/api/v1/stores/{}/rescue",
        js_sys::encode_uri_component(&store_id)
    );
    let r: RescueOutcome = api::post_json(&path, None, text)
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "Lane {}: {} records received, {} were already here, {} refused",
        r.lane_code, r.applied, r.duplicates, r.rejected
    ))
}
