//! The owner's page: sign in, then today's sales per store, refreshed every few seconds.

use crate::api::{self, ApiError};
use crate::lane::sleep_ms;
use leptos::prelude::*;
use serde::Deserialize;
use till_core::money::Money;
use till_core::report::DayReport;
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

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct StoreDays {
    store_id: String,
    utc_offset_minutes: i32,
    days: Vec<DayReport>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Days {
    stores: Vec<StoreDays>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Rejected {
    lane_code: Option<String>,
    lane_seq: i64,
    reason: String,
    received_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct StoreRejected {
    rejected: Vec<Rejected>,
}

/// What the owner sees of one store besides today: recent days and refused records.
#[derive(Debug, Clone, Default, PartialEq)]
struct StoreHistory {
    days: Vec<DayReport>,
    utc_offset_minutes: i32,
    rejected: Vec<Rejected>,
}

#[component]
pub fn OwnerPage() -> impl IntoView {
    let today = RwSignal::new(None::<Today>);
    let signed_in = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    let history = RwSignal::new(std::collections::HashMap::<String, StoreHistory>::new());
    // Bumped on every refresh: each store's day detail is fetched again.
    let tick = RwSignal::new(0u32);
    let refresh = move || async move {
        tick.update(|t| *t += 1);
        match api::get::<Today>("/api/v1/owner/today", None).await {
            Ok(t) => {
                let ids: Vec<String> = t.stores.iter().map(|s| s.store_id.clone()).collect();
                today.set(Some(t));
                signed_in.set(true);
                error.set(None);
                match load_history(&ids).await {
                    Ok(h) => history.set(h),
                    Err(e) => error.set(Some(e.to_string())),
                }
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

    let signing_up = RwSignal::new(false);
    let after_setup = move || leptos::task::spawn_local(refresh());
    let sign_out_everywhere = move |_| {
        leptos::task::spawn_local(async move {
            match api::post::<_, serde_json::Value>(
                "/api/v1/auth/logout-everywhere",
                None,
                &serde_json::json!({}),
            )
            .await
            {
                Ok(_) => {
                    today.set(None);
                    signed_in.set(false);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let no_stores = move || today.with(|t| t.as_ref().is_some_and(|t| t.stores.is_empty()));

    view! {
        <main class="owner">
            <h1>"Today's sales"</h1>
            <p class="error" role="alert">{move || error.get()}</p>
            <Show when=move || signed_in.get() fallback=move || view! {
                <Show when=move || signing_up.get() fallback=move || view! {
                    <form class="login" on:submit=login>
                        <label>"Email" <input id="email" type="email" autocomplete="username" prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/></label>
                        <label>"Password" <input id="password" type="password" autocomplete="current-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/></label>
                        <button id="sign-in" class="primary" type="submit">"Sign in"</button>
                    </form>
                    <button id="show-signup" on:click=move |_| signing_up.set(true)>"New to till? Create an account"</button>
                }>
                    <crate::owner_setup::SignUp on_done=move || { signing_up.set(false); after_setup(); }/>
                </Show>
            }>
                <Show when=no_stores>
                    <p>"Welcome. Open your first store, then add its tills and staff."</p>
                </Show>
                <ul class="stores">
                    <For each=move || today.get().map(|t| t.stores).unwrap_or_default() key=|s| (s.store_id.clone(), s.net, s.sales) children=move |s| view! {
                        <li class="store-today" data-store=s.store_id.clone()>
                            <h2>{s.name.clone()}</h2>
                            <p class="day">{s.business_day.clone()}</p>
                            <p class="net">"Net sales " <strong class="net-amount">{s.net.display()}</strong></p>
                            <p class="count">"Transactions " <strong class="sales-count">{s.sales}</strong></p>
                            <crate::owner_day::StoreDay store_id=s.store_id.clone() tick=tick.into()/>
                            <crate::owner_day::DaysChart today=s.business_day.clone() days=Signal::derive({ let id = s.store_id.clone(); move || history.with(|h| h.get(&id).map(|h| h.days.clone()).unwrap_or_default()) })/>
                            <StoreLanes store_id=s.store_id.clone()/>
                            <crate::owner_day::LowStockList store_id=s.store_id.clone() tick=tick.into()/>
                            <crate::owner_day::StoreExports store_id=s.store_id.clone() today=s.business_day.clone()/>
                            <crate::owner_setup::StoreStaff store_id=s.store_id.clone()/>
                            <StoreHistoryView history=Signal::derive({ let id = s.store_id.clone(); move || history.with(|h| h.get(&id).cloned().unwrap_or_default()) })/>
                        </li>
                    }/>
                </ul>
                <form class="rescue" on:submit=upload>
                    <h2>"Upload a till's rescue file"</h2>
                    <p>"A till that cannot sync saves its unsynced sales to a file (\"This till\" → save). Sales already received are not counted twice."</p>
                    <input id="rescue-file" type="file" accept="application/json,.json" aria-label="Rescue file from a till" node_ref=rescue_input/>
                    <button id="rescue-upload" class="primary" type="submit">"Upload"</button>
                    <p class="rescue-outcome" role="status">{move || rescue_outcome.get()}</p>
                </form>
                <crate::owner_setup::NewStoreForm on_done=after_setup/>
                <button id="sign-out-everywhere" on:click=sign_out_everywhere>"Sign out on every device"</button>
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

async fn load_history(
    store_ids: &[String],
) -> Result<std::collections::HashMap<String, StoreHistory>, ApiError> {
    let days: Days = api::get("/api/v1/owner/days?days=30", None).await?;
    let mut out = std::collections::HashMap::new();
    for id in store_ids {
        let path = format!(
            "/api/v1/stores/{}/rejected",
            js_sys::encode_uri_component(id)
        );
        let rejected: StoreRejected = api::get(&path, None).await?;
        let store = days.stores.iter().find(|s| &s.store_id == id);
        out.insert(
            id.clone(),
            StoreHistory {
                days: store.map(|s| s.days.clone()).unwrap_or_default(),
                utc_offset_minutes: store.map(|s| s.utc_offset_minutes).unwrap_or(0),
                rejected: rejected.rejected,
            },
        );
    }
    Ok(out)
}

/// The last seven days (a day whose report changed after it closed says so) and the records
/// the store refused, with the reason.
#[component]
fn StoreHistoryView(history: Signal<StoreHistory>) -> impl IntoView {
    view! {
        <table class="days">
            <caption>"Last 7 days"</caption>
            <tbody>
                <For each=move || history.with(|h| h.days.iter().take(7).map(|d| (d.clone(), h.utc_offset_minutes)).collect::<Vec<_>>()) key=|(d, _)| (d.business_day.clone(), d.net, d.sales, d.late) children=|(d, offset)| {
                    let revised = d.changed_after_close().then(|| {
                        let at = d.revised_ms.map(|ms| till_core::time::local_time(ms, offset)).unwrap_or_default();
                        format!("changed after the day closed: {} late record(s), last at {at}", d.late)
                    });
                    view! {
                        <tr class="day" data-day=d.business_day.clone() data-late=d.late.to_string()>
                            <th scope="row">{d.business_day.clone()}</th>
                            <td class="day-net">{d.net.display()}</td>
                            <td class="day-sales">{d.sales}</td>
                            <td class="revised">{revised}</td>
                        </tr>
                    }
                }/>
            </tbody>
        </table>
        <Show when=move || history.with(|h| !h.rejected.is_empty())>
            <h3>"Records the store refused"</h3>
            <ul class="rejected">
                <For each=move || history.with(|h| h.rejected.clone()) key=|r| (r.lane_code.clone(), r.lane_seq, r.received_ms) children=|r| view! {
                    <li class="rejected-event">
                        {format!("Lane {} record {}: {}", r.lane_code.clone().unwrap_or_else(|| "?".into()), r.lane_seq, r.reason)}
                    </li>
                }/>
            </ul>
        </Show>
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct LaneRow {
    id: String,
    code: String,
    revoked_ms: Option<f64>,
    last_seen_ms: Option<f64>,
    unsynced: Option<f64>,
    app_version: Option<String>,
}

impl LaneRow {
    /// "seen 14:02 · 3 unsynced · v0.1.0", from what the lane last reported.
    fn seen(&self) -> String {
        let mut parts = Vec::new();
        if let Some(ms) = self.last_seen_ms {
            let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
            parts.push(format!(
                "seen {}",
                String::from(at.to_locale_time_string("default"))
            ));
        }
        if let Some(n) = self.unsynced {
            parts.push(format!("{n} unsynced"));
        }
        if let Some(v) = &self.app_version {
            parts.push(format!("v{v}"));
        }
        parts.join(" · ")
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Lanes {
    lanes: Vec<LaneRow>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct PairingCode {
    code: String,
    expires_ms: i64,
}

/// A store's tills: add one with a one-time pairing code, remove a lost one.
#[component]
fn StoreLanes(store_id: String) -> impl IntoView {
    let lanes = RwSignal::new(Vec::<LaneRow>::new());
    let code = RwSignal::new(None::<PairingCode>);
    let error = RwSignal::new(None::<String>);
    let id = js_sys::encode_uri_component(&store_id)
        .as_string()
        .unwrap_or_default();
    let lanes_path = format!("/api/v1/stores/{id}/lanes");
    let codes_path = format!("/api/v1/stores/{id}/pairing-codes");
    let load = {
        let path = lanes_path.clone();
        move || {
            let path = path.clone();
            leptos::task::spawn_local(async move {
                match api::get::<Lanes>(&path, None).await {
                    Ok(l) => lanes.set(l.lanes),
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        }
    };
    load();
    let add = move |_| {
        let path = codes_path.clone();
        leptos::task::spawn_local(async move {
            match api::post::<_, PairingCode>(&path, None, &serde_json::json!({})).await {
                Ok(c) => code.set(Some(c)),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let revoke = move |lane_id: String| {
        let load = load.clone();
        leptos::task::spawn_local(async move {
            let path = format!(
                "/api/v1/lanes/{}/revoke",
                js_sys::encode_uri_component(&lane_id)
            );
            match api::post::<_, serde_json::Value>(&path, None, &serde_json::json!({})).await {
                Ok(_) => load(),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="store-lanes">
            <h3>"Tills"</h3>
            <ul class="lanes">
                <For each=move || lanes.get() key=|l| (l.id.clone(), l.revoked_ms.is_some()) children=move |l| {
                    let revoke = revoke.clone();
                    let lane_id = l.id.clone();
                    let revoked = l.revoked_ms.is_some();
                    view! {
                        <li class="lane-row" data-lane=l.code.clone()>
                            <span>{format!("Lane {}", l.code)}{revoked.then_some(" — removed")}</span>
                            <span class="lane-seen">{l.seen()}</span>
                            <Show when=move || !revoked>
                                <button class="revoke" on:click={ let revoke = revoke.clone(); let lane_id = lane_id.clone(); move |_| revoke(lane_id.clone()) }>"Remove"</button>
                            </Show>
                        </li>
                    }
                }/>
            </ul>
            <button id="add-till" on:click=add>"Add a till"</button>
            {move || code.get().map(|c| view! {
                <p>"On the new till, open this site and type: "
                    <strong class="pairing-code-shown">{c.code}</strong>
                    {format!(" (works once, until {})", String::from(
                        // The owner's own clock and language, on the owner's own device.
                        js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(c.expires_ms as f64))
                            .to_locale_time_string("default"),
                    ))}
                </p>
            })}
            <p class="error" role="alert">{move || error.get()}</p>
        </section>
    }
}
