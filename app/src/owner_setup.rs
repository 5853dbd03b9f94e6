//! The owner's set-up screens: create an account, open a store, manage a store's staff.

use crate::api;
use leptos::prelude::*;
use serde::Deserialize;
use serde_json::json;

/// Sign up: email, password and the business's name; signed in straight after.
#[component]
pub fn SignUp(on_done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let business = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = json!({
            "email": email.get_untracked(),
            "password": password.get_untracked(),
            "business": business.get_untracked(),
        });
        leptos::task::spawn_local(async move {
            match api::post::<_, serde_json::Value>("/api/v1/auth/signup", None, &body).await {
                Ok(_) => {
                    password.set(String::new());
                    on_done();
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="signup" on:submit=submit>
            <h2>"Create an account"</h2>
            <label>"Business name" <input id="signup-business" autocomplete="organization"
                prop:value=move || business.get() on:input=move |ev| business.set(event_target_value(&ev))/></label>
            <label>"Email" <input id="signup-email" type="email" autocomplete="username"
                prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/></label>
            <label>"Password (at least 10 characters)" <input id="signup-password" type="password" autocomplete="new-password"
                prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/></label>
            <button id="signup" class="primary" type="submit">"Create account"</button>
            <p class="error" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// Open a store: name, country (which decides currency, tax and language), and for Japan the
/// invoice registration number, for the US the sales tax rate.
#[component]
pub fn NewStoreForm(on_done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let country = RwSignal::new("JP".to_string());
    let registration = RwSignal::new(String::new());
    let tax = RwSignal::new(String::new());
    let tips = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let tax_text = tax.get_untracked();
        let body = json!({
            "name": name.get_untracked(),
            "country": country.get_untracked(),
            "registration_no": registration.get_untracked(),
            // Decimal travels as a string.
            "sales_tax_percent": (!tax_text.trim().is_empty()).then(|| tax_text.trim().to_string()),
            "tip_percents": tips.get_untracked(),
        });
        leptos::task::spawn_local(async move {
            match api::post::<_, serde_json::Value>("/api/v1/stores", None, &body).await {
                Ok(_) => {
                    name.set(String::new());
                    error.set(None);
                    on_done();
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <form class="new-store" on:submit=submit>
            <h2>"Open a store"</h2>
            <label>"Store name" <input id="store-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <label>"Country"
                <select id="store-country" on:change=move |ev| country.set(event_target_value(&ev))>
                    <option value="JP" selected=move || country.get() == "JP">"Japan (¥, tax included)"</option>
                    <option value="US" selected=move || country.get() == "US">"United States ($, sales tax added)"</option>
                </select>
            </label>
            <Show when=move || country.get() == "JP">
                <label>"Invoice registration number (T + 13 digits, optional)" <input id="store-registration"
                    prop:value=move || registration.get() on:input=move |ev| registration.set(event_target_value(&ev))/></label>
            </Show>
            <Show when=move || country.get() == "US">
                <label>"Sales tax rate, percent" <input id="store-tax" inputmode="decimal"
                    prop:value=move || tax.get() on:input=move |ev| tax.set(event_target_value(&ev))/></label>
            </Show>
            <label>"Suggested tips, percent (optional, e.g. 15, 18, 20; leave empty for no tips)" <input id="store-tips"
                prop:value=move || tips.get() on:input=move |ev| tips.set(event_target_value(&ev))/></label>
            <button id="create-store" class="primary" type="submit">"Open store"</button>
            <p class="error" role="alert">{move || error.get()}</p>
        </form>
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct StaffRow {
    id: String,
    name: String,
    role: String,
    active: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct StaffList {
    staff: Vec<StaffRow>,
}

/// A store's staff: add someone with a role and PIN (it reaches the tills by sync and works
/// offline), change a PIN, deactivate.
#[component]
pub fn StoreStaff(store_id: String) -> impl IntoView {
    let staff = RwSignal::new(Vec::<StaffRow>::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new("cashier".to_string());
    let pin = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let path = format!(
        "/api/v1/stores/{}/staff",
        js_sys::encode_uri_component(&store_id)
            .as_string()
            .unwrap_or_default()
    );
    let path = StoredValue::new(path);
    let load = move || {
        leptos::task::spawn_local(async move {
            match api::get::<StaffList>(&path.get_value(), None).await {
                Ok(l) => staff.set(l.staff),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    load();
    let save = move |body: serde_json::Value| {
        leptos::task::spawn_local(async move {
            match api::post::<_, serde_json::Value>(&path.get_value(), None, &body).await {
                Ok(_) => {
                    error.set(None);
                    load();
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = json!({ "name": name.get_untracked(), "role": role.get_untracked(), "pin": pin.get_untracked() });
        name.set(String::new());
        pin.set(String::new());
        save(body);
    };
    view! {
        <section class="store-staff">
            <h3>"Staff"</h3>
            <ul class="staff">
                <For each=move || staff.get() key=|m| (m.id.clone(), m.active, m.role.clone()) children=move |m| {
                    let body = json!({ "id": m.id, "name": m.name, "role": m.role, "active": false });
                    view! {
                        <li class="staff-row" data-staff=m.name.clone() data-active=m.active.to_string()>
                            <span>{format!("{} — {}", m.name, m.role)}{(!m.active).then_some(" (inactive)")}</span>
                            <Show when=move || m.active>
                                <button class="deactivate small" on:click={ let body = body.clone(); move |_| save(body.clone()) }>"Deactivate"</button>
                            </Show>
                        </li>
                    }
                }/>
            </ul>
            <form class="add-staff" on:submit=add>
                <input id="staff-name" placeholder="Name" aria-label="Staff name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <select id="staff-role" aria-label="Role" on:change=move |ev| role.set(event_target_value(&ev))>
                    <option value="cashier">"Cashier"</option>
                    <option value="manager">"Manager"</option>
                </select>
                <input id="staff-pin" type="password" inputmode="numeric" autocomplete="new-password" placeholder="PIN (4–8 digits)"
                    aria-label="Staff PIN" prop:value=move || pin.get() on:input=move |ev| pin.set(event_target_value(&ev))/>
                <button id="add-staff" type="submit">"Add"</button>
            </form>
            <p class="error" role="alert">{move || error.get()}</p>
        </section>
    }
}
