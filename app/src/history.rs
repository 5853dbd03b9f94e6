//! Today's receipts on this lane: find one (by number, or by scanning the barcode printed on
//! it), see whether it has reached the store, reprint it, and take items back against it.

use crate::i18n::{tr, trf};
use crate::lane::Till;
use leptos::prelude::*;
use till_core::receipt::{self, ReceiptOptions};
use till_core::refund::{Refund, ReturnLine};
use till_core::sale::Sale;
use till_core::staff::Action;
use till_core::text::Text;
use till_core::Decimal;

/// Opens the receipts panel from anywhere on the till: `Some("")` for today's list,
/// `Some(receipt_no)` straight to one receipt.
#[derive(Clone, Copy)]
pub struct Receipts {
    pub open: RwSignal<Option<String>>,
}

#[component]
pub fn ReceiptsPanel() -> impl IntoView {
    let till = expect_context::<Till>();
    let receipts = expect_context::<Receipts>();
    let list = RwSignal::new(Vec::<(Sale, bool)>::new());
    let selected = RwSignal::new(None::<Sale>);
    let search = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);

    let find = move |no: String| {
        leptos::task::spawn_local(async move {
            match till.find_receipt(&no).await {
                Ok(Some(sale)) => {
                    error.set(None);
                    selected.set(Some(sale));
                }
                Ok(None) => error.set(Some(trf(Text::HistReceiptNotOnTill, &[("no", &no)]))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // Opened (or asked for a receipt): load today's list, or go straight to the receipt.
    Effect::new(move |_| {
        let Some(wanted) = receipts.open.get() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match till.receipts_today().await {
                Ok(l) => list.set(l),
                Err(e) => error.set(Some(e)),
            }
        });
        if wanted.is_empty() {
            selected.set(None);
        } else {
            find(wanted);
        }
    });
    let no_receipt = RwSignal::new(false);
    let close = move || {
        receipts.open.set(None);
        selected.set(None);
        no_receipt.set(false);
    };
    view! {
        <Show when=move || receipts.open.with(Option::is_some)>
            <section class="history" role="dialog" aria-modal="true" aria-label=tr(Text::HistReceipts)>
                <header class="history-bar">
                    <h2>{tr(Text::HistReceiptsToday)}</h2>
                    <form on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); find(search.get_untracked().trim().to_uppercase()); }>
                        <input id="receipt-search" placeholder=tr(Text::HistSearchPlaceholder) aria-label=tr(Text::HistSearchLabel)
                            prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
                    </form>
                    <button id="no-receipt" class="small" on:click=move |_| { selected.set(None); no_receipt.set(true); }>{tr(Text::HistReturnWithoutReceipt)}</button>
                    <button id="close-history" class="small" title=tr(Text::HistCloseEsc) on:click=move |_| close()>{tr(Text::Close)}</button>
                </header>
                <p class="error" role="alert">{move || error.get()}</p>
                <Show when=move || no_receipt.get()>
                    <NoReceiptReturn on_back=move || no_receipt.set(false)/>
                </Show>
                <Show when=move || selected.with(Option::is_none) && !no_receipt.get()>
                    <ul class="receipt-list">
                        <For each=move || list.get() key=|(s, synced)| (s.id, *synced) children=move |(sale, synced)| {
                            let offset = till.lane.with_untracked(|l| l.as_ref().map(|l| l.store.utc_offset_minutes)).unwrap_or(0);
                            let time = till_core::time::local_time(sale.at_ms, offset);
                            let label = format!("{} · {} · {}", sale.receipt_no, time.get(..5).unwrap_or_default(), sale.total.display());
                            let no = sale.receipt_no.clone();
                            view! {
                                <li><button class="receipt-row" data-receipt=no.clone() on:click=move |_| selected.set(Some(sale.clone()))>
                                    <span>{label}</span>
                                    <span class=if synced { "sync-state synced" } else { "sync-state waiting" }>{if synced { tr(Text::HistSent) } else { tr(Text::HistWaitingToSend) }}</span>
                                </button></li>
                            }
                        }/>
                    </ul>
                </Show>
                {move || selected.get().map(|sale| view! { <ReceiptDetail sale=sale on_back=move || selected.set(None)/> })}
            </section>
        </Show>
    }
}

/// A return without a receipt: the items are scanned, refunded at today's price in cash, and
/// only with a manager's approval (the manager signed in, or a manager's PIN).
#[component]
fn NoReceiptReturn(on_back: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let till = expect_context::<Till>();
    let items = RwSignal::new(Vec::<(till_core::catalogue::Product, String)>::new());
    let code = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let manager_pin = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<Refund>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match till.product_for(&code.get_untracked()) {
            Ok(p) => {
                items.update(|i| i.push((p, "1".into())));
                code.set(String::new());
                error.set(None);
            }
            Err(e) => {
                crate::sound::error();
                error.set(Some(e));
            }
        }
    };
    let refund = move |_| {
        let mut list = Vec::new();
        for (p, q) in items.get_untracked() {
            match q.trim().parse::<Decimal>() {
                Ok(q) => list.push((p, q)),
                Err(_) => {
                    error.set(Some(trf(Text::HistItemTypeQuantity, &[("name", &p.name)])));
                    return;
                }
            }
        }
        let why = reason.get_untracked();
        let pin = manager_pin.get_untracked();
        manager_pin.set(String::new());
        leptos::task::spawn_local(async move {
            let detail = format!("return without a receipt: {}", why.trim());
            let approved_by = if till.needs_approval(Action::Refund) {
                if pin.trim().is_empty() {
                    error.set(Some(tr(Text::HistNoReceiptNeedsPin).into()));
                    return;
                }
                match till.approve(&pin, Action::Refund, detail, None).await {
                    Ok(manager) => Some(manager.id),
                    Err(e) => {
                        error.set(Some(e));
                        return;
                    }
                }
            } else {
                // A manager signed in approves it; a shop without staff is run by its owner.
                Some(
                    till.cashier
                        .with_untracked(|c| c.as_ref().map(|c| c.id.clone()))
                        .unwrap_or_else(|| "owner".into()),
                )
            };
            match till.refund_without_receipt(list, why, approved_by).await {
                Ok(r) => {
                    items.set(Vec::new());
                    reason.set(String::new());
                    error.set(None);
                    done.set(Some(r));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="no-receipt-return">
            <button class="small" on:click=move |_| on_back()>{tr(Text::HistAllReceipts)}</button>
            <h3>{tr(Text::HistReturnWithoutAReceipt)}</h3>
            <form on:submit=add>
                <input id="nr-scan" placeholder=tr(Text::HistScanItemPlaceholder) aria-label=tr(Text::HistItemToTakeBack) autocomplete="off"
                    prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
            </form>
            <ul class="return-lines">
                {move || items.get().into_iter().enumerate().map(|(i, (p, q))| view! {
                    <li class="nr-line">
                        <span class="name">{p.name.clone()}</span>
                        <span class="price">{till.currency_zero().map(|z| till_core::money::Money::new(p.price, z.currency).display())}</span>
                        <input class="nr-qty" inputmode="decimal" aria-label=trf(Text::HistQtyToTakeBack, &[("name", &p.name)]) prop:value=q
                            on:change=move |ev| items.update(|l| l[i].1 = event_target_value(&ev))/>
                        <button class="remove small" aria-label=trf(Text::HistRemoveItem, &[("name", &p.name)]) on:click=move |_| items.update(|l| { l.remove(i); })>"×"</button>
                    </li>
                }).collect::<Vec<_>>()}
            </ul>
            <input id="nr-reason" placeholder=tr(Text::HistReturnReason) aria-label=tr(Text::HistReturnReason)
                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
            <Show when=move || till.needs_approval(Action::Refund)>
                <input id="nr-pin" type="password" inputmode="numeric" autocomplete="off" placeholder=tr(Text::ManagerPin)
                    aria-label=tr(Text::HistPinApproveReturn) prop:value=move || manager_pin.get()
                    on:input=move |ev| manager_pin.set(event_target_value(&ev))/>
            </Show>
            <button id="nr-submit" class="primary" disabled=move || items.with(Vec::is_empty) on:click=refund>{tr(Text::HistRefundInCash)}</button>
            <p class="error" role="alert">{move || error.get()}</p>
            {move || done.get().map(|r| view! {
                <p class="refund-done" role="status">{trf(Text::HistRefundDoneCash, &[("receipt_no", &r.receipt_no), ("total", &r.total.display())])}</p>
            })}
        </div>
    }
}

/// One receipt: reprint it, or take items back (core limits each line to what was sold minus
/// what came back already).
#[component]
fn ReceiptDetail(sale: Sale, on_back: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let till = expect_context::<Till>();
    let sale = StoredValue::new(sale);
    let previous = RwSignal::new(Vec::<Refund>::new());
    let qty = RwSignal::new(vec![String::new(); sale.with_value(|s| s.lines.len())]);
    let reason = RwSignal::new(String::new());
    let manager_pin = RwSignal::new(String::new());
    let needs_pin = move || till.needs_approval(Action::Refund);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<Refund>);
    let receipts = use_context::<Receipts>();
    // An exchange's sale: what came back, for its one receipt.
    let came_back = RwSignal::new(None::<(Refund, String)>);
    leptos::task::spawn_local(async move {
        let found = till.exchange_return(&sale.get_value()).await;
        came_back.set(found);
    });
    let load_previous = move || {
        leptos::task::spawn_local(async move {
            match till.refunds_of(sale.with_value(|s| s.id)).await {
                Ok(r) => previous.set(r),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    load_previous();
    let returned = move |line: usize| -> Decimal {
        previous.with(|rs| {
            rs.iter()
                .flat_map(|r| &r.lines)
                .filter(|l| l.line == line)
                .map(|l| l.qty)
                .sum()
        })
    };
    // Refund the chosen lines, or (`exchange`) let their value pay for new items.
    let act = move |exchange: bool| {
        let mut lines = Vec::new();
        for (i, text) in qty.get_untracked().iter().enumerate() {
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            match text.parse::<Decimal>() {
                Ok(q) => lines.push(ReturnLine { line: i, qty: q }),
                Err(_) => {
                    error.set(Some(trf(Text::HistLineTypeQuantity, &[("line", &(i + 1))])));
                    return;
                }
            }
        }
        let why = reason.get_untracked();
        let pin = manager_pin.get_untracked();
        manager_pin.set(String::new());
        let s = sale.get_value();
        leptos::task::spawn_local(async move {
            let approved_by = if till.needs_approval(Action::Refund) {
                let detail = format!("refund against {}: {}", s.receipt_no, why.trim());
                match till.approve(&pin, Action::Refund, detail, Some(s.id)).await {
                    Ok(manager) => Some(manager.id),
                    Err(e) => {
                        error.set(Some(e));
                        return;
                    }
                }
            } else {
                till.cashier
                    .with_untracked(|c| c.as_ref().map(|c| c.id.clone()))
            };
            if exchange {
                match till.start_exchange(s, lines, why, approved_by).await {
                    Ok(_) => {
                        error.set(None);
                        // Back to the sell screen to ring up the new items.
                        if let Some(r) = receipts {
                            r.open.set(None);
                        }
                    }
                    Err(e) => error.set(Some(e)),
                }
                return;
            }
            match till.refund(s, lines, why, approved_by).await {
                Ok(r) => {
                    error.set(None);
                    qty.update(|q| q.iter_mut().for_each(String::clear));
                    done.set(Some(r));
                    load_previous();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        act(false);
    };
    let receipt_html = move || {
        let store = till.lane.with(|l| l.as_ref().map(|l| l.store.clone()));
        match store {
            Some(store) => sale.with_value(|s| {
                let opts = ReceiptOptions::for_store(&store);
                came_back.with(|r| match r {
                    Some((refund, from)) => receipt::to_html(&receipt::exchange_layout(
                        receipt::Returned {
                            refund,
                            from_receipt: from,
                        },
                        s,
                        &store,
                        &opts,
                    )),
                    None => receipt::to_html(&receipt::layout(s, &store, &opts)),
                })
            }),
            None => String::new(),
        }
    };
    view! {
        <div class="receipt-detail" data-receipt=sale.with_value(|s| s.receipt_no.clone())>
            <div class="buttons">
                <button class="small" on:click=move |_| on_back()>{tr(Text::HistAllReceipts)}</button>
                <button id="reprint" on:click={
                    let s = sale;
                    move |_| {
                        let store = till.lane.with_untracked(|l| l.as_ref().map(|l| l.store.clone()));
                        let printed = use_context::<crate::devices::DeviceHub>()
                            .zip(store)
                            .is_some_and(|(hub, store)| s.with_value(|s| came_back.with_untracked(|r| {
                                let r = r.as_ref().map(|(refund, from)| receipt::Returned { refund, from_receipt: from });
                                hub.print_receipt(&store, s, r, true)
                            })));
                        if !printed {
                            crate::print::browser_print();
                        }
                    }
                }>{tr(Text::Reprint)}</button>
            </div>
            <form class="return-form" on:submit=submit>
                <h3>{tr(Text::HistReturnItems)}</h3>
                <ul class="return-lines">
                    {sale.with_value(|s| s.lines.iter().enumerate().map(|(i, l)| {
                        let name = l.name.clone();
                        let sold = l.qty;
                        view! {
                            <li class="return-line" data-line=i.to_string()>
                                <span class="name">{name.clone()}</span>
                                <span class="left">{move || trf(Text::HistCanComeBack, &[("left", &(sold - returned(i))), ("sold", &sold)])}</span>
                                <input class="return-qty" inputmode="decimal" aria-label=trf(Text::HistQtyToReturn, &[("name", &name)])
                                    prop:value=move || qty.with(|q| q[i].clone())
                                    on:input=move |ev| qty.update(|q| q[i] = event_target_value(&ev))/>
                            </li>
                        }
                    }).collect::<Vec<_>>())}
                </ul>
                <input id="return-reason" placeholder=tr(Text::HistReturnReason) aria-label=tr(Text::HistReturnReason)
                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                <Show when=needs_pin>
                    <input id="return-approver-pin" type="password" inputmode="numeric" autocomplete="off" placeholder=tr(Text::ManagerPin)
                        aria-label=tr(Text::HistPinApproveRefund) prop:value=move || manager_pin.get()
                        on:input=move |ev| manager_pin.set(event_target_value(&ev))/>
                </Show>
                <button id="return-submit" class="primary" type="submit">{tr(Text::HistRefundToOriginal)}</button>
                <button id="exchange-start" type="button" on:click=move |_| act(true)>{tr(Text::HistExchangeForOtherItems)}</button>
                <p class="error" role="alert">{move || error.get()}</p>
                {move || done.get().map(|r| view! {
                    <p class="refund-done" role="status">{trf(Text::HistRefundDone, &[("receipt_no", &r.receipt_no), ("total", &r.total.display()),
                        ("tenders", &r.tenders.iter().map(|t| format!("{} {}", t.label(), t.amount().display())).collect::<Vec<_>>().join(", "))])}</p>
                })}
            </form>
            <div class="receipt-preview" inner_html=receipt_html></div>
        </div>
    }
}
