//! Discounts at the till: on a line or on the whole cart, as a percentage ("10%") or an amount
//! ("100"). Above the store's limit a manager's PIN approves it, journalled as an approval.

use crate::i18n::{tr, trf};
use crate::lane::Till;
use leptos::prelude::*;
use till_core::cart::{CartError, Discount};
use till_core::staff::Action;
use till_core::text::Text;

/// `line`: the line's index, or None for the whole cart.
#[component]
pub fn DiscountForm(
    line: Option<usize>,
    on_close: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let till = expect_context::<Till>();
    let value = RwSignal::new(String::new());
    let manager_pin = RwSignal::new(String::new());
    let needs_approval = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let limit = move || {
        till.lane
            .with_untracked(|l| l.as_ref().map(|l| l.store.discount_approval_percent))
            .unwrap_or_default()
    };
    let apply = move |discount: Option<Discount>, approved_by: Option<String>| {
        let mut outcome = Ok(());
        till.edit_cart(|c| {
            outcome = c.discount_with_limit(line, discount, approved_by.as_deref(), limit());
        });
        outcome.map_err(|e| match e {
            CartError::DiscountNeedsApproval(_) => {
                needs_approval.set(true);
                trf(Text::DiscManagerPinBelow, &[("error", &e)])
            }
            e => e.to_string(),
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let discount = match Discount::parse(&value.get_untracked()) {
            Ok(d) => d,
            Err(e) => {
                error.set(Some(e.to_string()));
                return;
            }
        };
        if !needs_approval.get_untracked() {
            match apply(discount, None) {
                Ok(()) => return on_close(),
                // Above the limit. A manager signed in approves their own; a shop without staff
                // set up is run by its owner, so there is nobody else to ask.
                Err(_) if !till.needs_approval(Action::Discount) => {
                    let by = till
                        .cashier
                        .with_untracked(|c| c.as_ref().map(|c| c.id.clone()))
                        .unwrap_or_else(|| "owner".into());
                    match apply(discount, Some(by)) {
                        Ok(()) => return on_close(),
                        Err(e) => error.set(Some(e)),
                    }
                }
                Err(e) => error.set(Some(e)),
            }
            return;
        }
        let pin = manager_pin.get_untracked();
        manager_pin.set(String::new());
        let what = match line {
            Some(i) => format!("line {} discount {}", i + 1, value.get_untracked().trim()),
            None => format!("cart discount {}", value.get_untracked().trim()),
        };
        leptos::task::spawn_local(async move {
            let checkout = till.open.with_untracked(|o| o.checkout_id);
            match till.approve(&pin, Action::Discount, what, checkout).await {
                Ok(manager) => match apply(discount, Some(manager.id)) {
                    Ok(()) => on_close(),
                    Err(e) => error.set(Some(e)),
                },
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let prefix = if line.is_some() { "line" } else { "cart" };
    view! {
        <form class="discount-form" on:submit=submit>
            <input id=format!("{prefix}-discount-value") placeholder=tr(Text::DiscValuePlaceholder) aria-label=tr(Text::DiscValueLabel)
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            <Show when=move || needs_approval.get() && till.needs_approval(Action::Discount)>
                <input id=format!("{prefix}-discount-pin") type="password" inputmode="numeric" autocomplete="off" placeholder=tr(Text::ManagerPin)
                    aria-label=tr(Text::DiscManagerPinToApprove) prop:value=move || manager_pin.get()
                    on:input=move |ev| manager_pin.set(event_target_value(&ev))/>
            </Show>
            <button id=format!("{prefix}-discount-apply") type="submit">{tr(Text::DiscApply)}</button>
            <button type="button" class="small" on:click=move |_| on_close()>{tr(Text::Cancel)}</button>
            <p class="error" role="alert">{move || error.get()}</p>
        </form>
    }
}
