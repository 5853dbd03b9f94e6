//! Staff at the till: the PIN pad that unlocks it, who is signed in, and a manager's approval
//! where a cashier may not act alone. PINs are checked on the device against verifiers pulled
//! from the edge, so all of this works offline.

use crate::i18n::{tr, trf};
use crate::lane::Till;
use leptos::prelude::*;
use till_core::cart::CartError;
use till_core::staff::Action;
use till_core::text::Text;
use till_core::Decimal;

/// The PIN pad shown while the till is locked. The cart stays underneath for whoever signs in.
#[component]
pub fn SignIn() -> impl IntoView {
    let till = expect_context::<Till>();
    let pin = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let checking = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = pin.get_untracked();
        pin.set(String::new());
        checking.set(true);
        leptos::task::spawn_local(async move {
            error.set(till.sign_in(&typed).await.err());
            checking.set(false);
        });
    };
    let waiting = move || till.open.with(|o| o.cart.lines.len());
    view! {
        <section class="lock" role="dialog" aria-modal="true" aria-labelledby="lock-title">
            <form class="pin-pad" on:submit=submit>
                <h2 id="lock-title">{tr(Text::StaffSignIn)}</h2>
                <p class="hint">{tr(Text::StaffTypePin)}</p>
                <input id="pin" type="password" inputmode="numeric" autocomplete="off" autofocus maxlength="8"
                    aria-label=tr(Text::StaffPin) prop:value=move || pin.get()
                    on:input=move |ev| pin.set(event_target_value(&ev))/>
                <button id="sign-in" type="submit" disabled=move || checking.get()>{tr(Text::StaffSignIn)}</button>
                <p class="pin-error" role="alert">{move || error.get()}</p>
                <Show when=move || { waiting() > 0 }>
                    <p class="hint">{move || trf(Text::StaffCartWaiting, &[("count", &waiting())])}</p>
                </Show>
            </form>
        </section>
    }
}

/// Who is signed in, and the button to lock the till or hand it to someone else.
#[component]
pub fn CashierChip() -> impl IntoView {
    let till = expect_context::<Till>();
    view! {
        <Show when=move || till.cashier.with(Option::is_some)>
            <span class="cashier">{move || till.cashier.with(|c| c.as_ref().map(|c| c.name.clone()).unwrap_or_default())}</span>
            <button id="lock" class="small" title=tr(Text::StaffLockTitle) on:click=move |_| till.sign_out()>{tr(Text::StaffLockSwitch)}</button>
        </Show>
    }
}

/// Change a line's price: a reason always, and above the store's threshold a manager's PIN,
/// which is journalled as an approval.
#[component]
pub fn PriceOverride(
    index: usize,
    name: String,
    on_close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let till = expect_context::<Till>();
    let price = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let manager_pin = RwSignal::new(String::new());
    let needs_approval = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let threshold = move || {
        till.lane
            .with_untracked(|l| l.as_ref().map(|l| l.store.override_approval_percent))
            .unwrap_or_default()
    };
    let apply = move |approved_by: Option<String>| -> Result<(), String> {
        let new_price: Decimal = price
            .get_untracked()
            .trim()
            .parse()
            .map_err(|_| tr(Text::StaffTypeNewPrice).to_string())?;
        let why = reason.get_untracked();
        let mut outcome = Ok(());
        till.edit_cart(|c| {
            outcome = c.override_price(index, new_price, &why, approved_by.as_deref(), threshold());
        });
        outcome.map_err(|e| match e {
            CartError::OverrideNeedsApproval(_) => {
                needs_approval.set(true);
                trf(Text::StaffManagerPinBelow, &[("error", &e)])
            }
            e => e.to_string(),
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !needs_approval.get_untracked() {
            match apply(None) {
                Ok(()) => on_close(),
                Err(e) => error.set(Some(e)),
            }
            return;
        }
        let pin = manager_pin.get_untracked();
        manager_pin.set(String::new());
        let detail = format!(
            "{}: price → {} ({})",
            name,
            price.get_untracked().trim(),
            reason.get_untracked().trim()
        );
        leptos::task::spawn_local(async move {
            let checkout = till.open.with_untracked(|o| o.checkout_id);
            match till
                .approve(&pin, Action::PriceOverride, detail, checkout)
                .await
            {
                Ok(manager) => match apply(Some(manager.id)) {
                    Ok(()) => on_close(),
                    Err(e) => error.set(Some(e)),
                },
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="override-form" on:submit=submit>
            <input id="override-price" inputmode="decimal" placeholder=tr(Text::StaffNewPrice) aria-label=tr(Text::StaffNewUnitPrice)
                prop:value=move || price.get() on:input=move |ev| price.set(event_target_value(&ev))/>
            <input id="override-reason" placeholder=tr(Text::Reason) aria-label=tr(Text::StaffOverrideReason)
                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
            <Show when=move || needs_approval.get()>
                <input id="approver-pin" type="password" inputmode="numeric" autocomplete="off" placeholder=tr(Text::ManagerPin)
                    aria-label=tr(Text::StaffManagerPinToApprove) prop:value=move || manager_pin.get()
                    on:input=move |ev| manager_pin.set(event_target_value(&ev))/>
            </Show>
            <button id="override-apply" type="submit">{move || if needs_approval.get() { tr(Text::StaffApprove) } else { tr(Text::StaffChangePrice) }}</button>
            <button type="button" class="small" on:click=move |_| on_close()>{tr(Text::Cancel)}</button>
            <p class="error" role="alert">{move || error.get()}</p>
        </form>
    }
}
