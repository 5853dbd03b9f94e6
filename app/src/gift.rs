//! The gift card screen: check a card's balance, and sell or top up a card for cash or on the
//! card terminal. (Paying with a gift card is on the pay screen.)

use crate::i18n::{tr, trf};
use crate::lane::Till;
use leptos::prelude::*;
use till_core::money::Money;
use till_core::sale::Tender;
use till_core::text::Text;
use till_core::Decimal;

/// Opens the gift card screen from the sell screen's header.
#[derive(Clone, Copy)]
pub struct GiftPanel(pub RwSignal<bool>);

#[component]
pub fn GiftCardsPanel() -> impl IntoView {
    let till = expect_context::<Till>();
    let open = expect_context::<GiftPanel>().0;
    let code = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let tendered = RwSignal::new(String::new());
    // Paid in cash, or on the card terminal (brand, last 4 and approval code only).
    let by_card = RwSignal::new(false);
    let last4 = RwSignal::new(String::new());
    let approval = RwSignal::new(String::new());
    let said = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let money = move |text: &str, what: Text| -> Result<Money, String> {
        let zero = till.currency_zero().ok_or(tr(Text::GiftLaneNotPaired))?;
        text.trim()
            .replace(',', "")
            .parse::<Decimal>()
            .map(|v| Money::new(v, zero.currency))
            .map_err(|_| tr(what).to_string())
    };
    let check = move |_| {
        let c = code.get_untracked();
        leptos::task::spawn_local(async move {
            match till.gift_card_balance(&c).await {
                Ok((c, balance)) => {
                    error.set(None);
                    said.set(Some(trf(
                        Text::GiftCardHas,
                        &[("code", &c), ("balance", &balance.display())],
                    )));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let load = move |_| {
        let value = match money(&amount.get_untracked(), Text::GiftTypeAmountToLoad) {
            Ok(m) => m,
            Err(e) => return error.set(Some(e)),
        };
        let tender = if by_card.get_untracked() {
            Tender::Card {
                amount: value,
                brand: "Card".into(),
                last4: last4.get_untracked().trim().to_string(),
                approval: approval.get_untracked().trim().to_string(),
            }
        } else {
            // Nothing typed: the customer handed over exactly the amount.
            match tendered.get_untracked().trim() {
                "" => Tender::Cash { tendered: value },
                t => match money(t, Text::GiftTypeCashHandedOver) {
                    Ok(m) => Tender::Cash { tendered: m },
                    Err(e) => return error.set(Some(e)),
                },
            }
        };
        let c = code.get_untracked();
        leptos::task::spawn_local(async move {
            let tenders = vec![tender];
            match till.load_gift_card(&c, value, tenders).await {
                Ok(load) => {
                    let balance = till
                        .gift_card_balance(&load.code)
                        .await
                        .map(|(_, b)| b.display())
                        .unwrap_or_default();
                    error.set(None);
                    said.set(Some(trf(
                        Text::GiftLoaded,
                        &[
                            ("amount", &load.amount.display()),
                            ("code", &load.code),
                            ("balance", &balance),
                            ("change", &load.change.display()),
                        ],
                    )));
                    amount.set(String::new());
                    tendered.set(String::new());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="gift-panel panel" role="dialog" aria-modal="true" aria-label=tr(Text::GiftCards)>
            <h2>{tr(Text::GiftCards)}</h2>
            <input id="card-code" placeholder=tr(Text::GiftCardNumberPlaceholder) aria-label=tr(Text::GiftCardNumber) autocomplete="off"
                prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
            <button id="card-check" on:click=check>{tr(Text::GiftCheckBalance)}</button>
            <h3>{tr(Text::GiftSellOrTopUp)}</h3>
            <input id="load-amount" inputmode="decimal" placeholder=tr(Text::GiftAmountToLoad) aria-label=tr(Text::GiftAmountToLoadLabel)
                prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
            <select id="load-by" aria-label=tr(Text::GiftPaidBy) on:change=move |ev| by_card.set(event_target_value(&ev) == "card")>
                <option value="cash">{tr(Text::Cash)}</option>
                <option value="card">{tr(Text::GiftCardOnTerminal)}</option>
            </select>
            <Show when=move || !by_card.get()>
                <input id="load-tendered" inputmode="decimal" placeholder=tr(Text::GiftCashHandedOver) aria-label=tr(Text::GiftCashHandedOver)
                    prop:value=move || tendered.get() on:input=move |ev| tendered.set(event_target_value(&ev))/>
            </Show>
            <Show when=move || by_card.get()>
                <input id="load-last4" inputmode="numeric" maxlength="4" autocomplete="off" placeholder=tr(Text::GiftLast4) aria-label=tr(Text::GiftLast4Label)
                    prop:value=move || last4.get() on:input=move |ev| last4.set(event_target_value(&ev))/>
                <input id="load-approval" autocomplete="off" placeholder=tr(Text::GiftApprovalCode) aria-label=tr(Text::GiftApprovalCodeLabel)
                    prop:value=move || approval.get() on:input=move |ev| approval.set(event_target_value(&ev))/>
            </Show>
            <button id="load-cash" class="primary" on:click=load>{tr(Text::GiftTakePaymentAndLoad)}</button>
            <p class="card-said" role="status">{move || said.get()}</p>
            <p class="error" role="alert">{move || error.get()}</p>
            <button id="close-gift" class="small" on:click=move |_| open.set(false)>{tr(Text::Close)}" "<kbd>"Esc"</kbd></button>
        </section>
    }
}
