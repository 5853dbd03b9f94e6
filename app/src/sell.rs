//! The sell screen: one scan/search field always ready, the cart, and cash payment.

use crate::i18n::{tr, trf};
use crate::lane::{SyncStatus, Till};
use crate::pwa::ServiceWorker;
use leptos::ev::KeyboardEvent;
use leptos::html::Input;
use leptos::prelude::*;
use till_core::barcode::{classify_with, Measure, Scan, ScannerProfile};
use till_core::cart::Discount;
use till_core::catalogue::{Product, SoldBy};
use till_core::customer_display::DisplayState;
use till_core::money::Money;
use till_core::receipt::{self, ReceiptOptions};
use till_core::sale::{Sale, Tender};
use till_core::text::{Lang, Text};
use till_core::Decimal;

#[component]
pub fn TillPage() -> impl IntoView {
    let till = Till::new();
    provide_context(till);
    let receipts = crate::history::Receipts {
        open: RwSignal::new(None),
    };
    provide_context(receipts);
    let shift_panel = crate::shift::ShiftPanelOpen(RwSignal::new(false));
    provide_context(shift_panel);
    let gift_panel = crate::gift::GiftPanel(RwSignal::new(false));
    provide_context(gift_panel);
    leptos::task::spawn_local(till.start());
    let hub = crate::devices::DeviceHub::new();
    provide_context(hub);
    hub.start();

    let scan_ref = NodeRef::<Input>::new();
    let query = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let paid = RwSignal::new(None::<Sale>);
    // A payment is being committed: nothing may reload the page now.
    let busy = RwSignal::new(false);
    let sw = use_context::<ServiceWorker>();
    if let Some(sw) = sw {
        // A new version switches in only between sales: cart empty, nothing being paid, and the
        // last sale's change already dismissed. Every tab of the till obeys the same rule.
        Effect::new(move |_| {
            let idle = till.ready.get()
                && till
                    .open
                    .with(|o| o.cart.is_empty() && o.checkout_id.is_none())
                && paid.with(Option::is_none)
                && !busy.get();
            if !idle {
            } else if sw.switched.get() {
                sw.reload();
            } else if sw.update_ready.get() {
                sw.apply_update();
            }
        });
        // Connectivity is back (Background Sync or the `online` event): sync now.
        Effect::watch(
            move || sw.wake.get(),
            move |_, _, _| till.kick.update(|k| *k += 1),
            false,
        );
        // Unsynced sales and no network: ask the browser to wake us when it returns.
        Effect::watch(
            move || {
                till.status
                    .with(|s| !s.online && s.last_error.is_some() && s.unsynced > 0)
            },
            move |waiting, before, _| {
                if *waiting && before != Some(&true) {
                    sw.request_background_sync();
                }
            },
            false,
        );
    }
    // The customer display follows the cart, then the payment (it talks to another window).
    let display_state = move || {
        let store = till.lane.with(|l| l.as_ref().map(|l| l.store.clone()))?;
        Some(match paid.get() {
            Some(sale) => DisplayState::paid(&store, &sale),
            None => match till.totals() {
                Some(t) => till.open.with(|o| DisplayState::cart(&store, &o.cart, &t)),
                None => DisplayState::idle(&store),
            },
        })
    };
    Effect::new(move |_| {
        if let Some(state) = display_state() {
            crate::display::show(&state);
            hub.show_on_pole(&state);
        }
    });
    crate::display::answer_hellos(move || untrack(display_state));
    // The store's language, as the lane now knows it: a till that speaks another one (and has
    // no choice of its own) starts again in it, between sales.
    Effect::new(move |_| {
        let Some(locale) = till
            .lane
            .with(|l| l.as_ref().map(|l| l.store.locale.clone()))
        else {
            return;
        };
        let idle = till.open.with(|o| o.checkout_id.is_none())
            && paid.with(Option::is_none)
            && !busy.get();
        if crate::i18n::store_speaks(&locale) && idle {
            crate::i18n::reload();
        }
    });
    let focus_scan = move || {
        if let Some(el) = scan_ref.get_untracked() {
            let _ = el.focus();
        }
    };
    // Enter on an empty scan field pays the exact amount (the pay panel listens).
    let exact_requests = RwSignal::new(0u32);
    // The till's keyboard: every frequent action has a key, shown on its button.
    let on_key = move |ev: KeyboardEvent| {
        till.touch();
        if untrack(|| till.locked()) {
            return;
        }
        let handled = match ev.key().as_str() {
            "F2" => {
                focus_scan();
                true
            }
            "F3" => {
                receipts.open.set(Some(String::new()));
                true
            }
            "F4" => {
                leptos::task::spawn_local(async move {
                    if let Err(e) = till.park().await {
                        message.set(Some(e));
                    }
                });
                true
            }
            "F6" => {
                shift_panel.0.update(|o| *o = !*o);
                true
            }
            "Escape" => {
                if hub.panel.get_untracked() {
                    hub.panel.set(false);
                } else if shift_panel.0.get_untracked() {
                    shift_panel.0.set(false);
                } else if gift_panel.0.get_untracked() {
                    gift_panel.0.set(false);
                } else if receipts.open.with_untracked(Option::is_some) {
                    receipts.open.set(None);
                } else {
                    query.set(String::new());
                    message.set(None);
                }
                focus_scan();
                true
            }
            "l" | "L" if ev.ctrl_key() => {
                till.sign_out();
                true
            }
            _ => false,
        };
        if handled {
            ev.prevent_default();
        }
    };

    // Add a product: `qty` from a label (weight), else one piece or, until a scale is attached,
    // 100 g; `label_price` from a price-embedded label is what the package costs.
    let add_with = move |p: &Product, qty: Option<Decimal>, label_price: Option<Decimal>| {
        let qty = qty.unwrap_or(match p.sold_by {
            SoldBy::Each => Decimal::ONE,
            SoldBy::Kilogram => Decimal::new(100, 3),
        });
        let mut outcome = Ok(0);
        till.edit_cart(|c| {
            outcome = c.add_labelled(p, qty, label_price);
        });
        match outcome {
            Ok(_) => {
                paid.set(None);
                message.set(None);
                query.set(String::new());
            }
            Err(e) => message.set(Some(e.to_string())),
        }
        focus_scan();
    };
    let add = move |p: &Product| add_with(p, None, None);

    let results = Memo::new(move |_| {
        let q = query.get();
        if q.trim().is_empty() || q.trim().chars().all(|c| c.is_ascii_digit()) {
            return Vec::new();
        }
        till.catalogue
            .with(|c| c.search(&q, 12).into_iter().cloned().collect::<Vec<_>>())
    });

    // Every scan comes here, from the field, a keyboard wedge anywhere, a HID or serial scanner.
    let handle_scan = move |raw: String| {
        if untrack(|| till.locked()) {
            return;
        }
        crate::perf::start("till:scan");
        // A receipt's own barcode (for a return or a reprint) opens that receipt.
        if receipt::is_receipt_no(raw.trim()) {
            receipts.open.set(Some(raw.trim().to_string()));
            query.set(String::new());
            return;
        }
        let layouts = till
            .lane
            .with_untracked(|l| l.as_ref().map(|l| l.store.label_layouts.clone()))
            .unwrap_or_default();
        let by_gtin = |g: &till_core::barcode::Gtin| {
            till.catalogue
                .with_untracked(|c| c.by_gtin(g).cloned())
                .ok_or_else(|| trf(Text::SellNoProductCode, &[("code", &g.short())]))
        };
        // What the label adds to the product: a weight, or the package's price.
        let mut label: (Option<Decimal>, Option<Decimal>) = (None, None);
        let found = match classify_with(&raw, &ScannerProfile::default(), &layouts) {
            Ok(Scan::Gtin(g)) => by_gtin(&g),
            Ok(Scan::Gs1(g)) => match g.gtin.as_ref().or(g.contained.as_ref()) {
                Some(gtin) => {
                    label = (g.net_weight_kg, g.price);
                    by_gtin(gtin)
                }
                None => Err(tr(Text::SellLabelNoCode).into()),
            },
            Ok(Scan::Embedded(e)) => {
                label = match e.measure {
                    Measure::Weight => (Some(e.value), None),
                    Measure::Price => (None, Some(e.value)),
                };
                till.catalogue
                    .with_untracked(|c| c.by_sku(&e.item).cloned())
                    .ok_or_else(|| trf(Text::SellNoItemNumber, &[("item", &e.item)]))
            }
            Ok(Scan::Code(code, err)) => till
                .catalogue
                .with_untracked(|c| c.by_sku(&code).cloned())
                .ok_or_else(|| err.to_string()),
            Ok(Scan::Text(_)) => till
                .catalogue
                .with_untracked(|c| c.search(&raw, 1).into_iter().next().cloned())
                .ok_or_else(|| trf(Text::SellNothingMatches, &[("query", &raw.trim())])),
            Err(e) => Err(e.to_string()),
        };
        match found {
            Ok(p) => {
                add_with(&p, label.0, label.1);
                // Leptos updates the DOM synchronously on the signal change: the line is rendered.
                crate::perf::end("till:scan");
            }
            Err(m) => {
                crate::sound::error();
                message.set(Some(m));
            }
        }
    };
    let on_scan_key = move |ev: KeyboardEvent| {
        if ev.key() != "Enter" || untrack(|| till.locked()) {
            return;
        }
        ev.prevent_default();
        let raw = query.get_untracked();
        if raw.trim().is_empty() {
            exact_requests.update(|n| *n += 1);
            return;
        }
        handle_scan(raw);
    };
    Effect::watch(
        move || hub.scanned.get(),
        move |(_, scan), _, _| match scan {
            Ok(text) => handle_scan(text.clone()),
            Err(e) => {
                crate::sound::error();
                message.set(Some(trf(Text::SellScannerUnreadable, &[("error", &e)])));
            }
        },
        false,
    );

    // On the whole window, not the page's root: after a panel's button is gone the focus is on
    // the body, and Esc must still close the panel.
    let keys = window_event_listener(leptos::ev::keydown, on_key);
    on_cleanup(move || keys.remove());
    view! {
        <main class="till" data-ready=move || till.ready.get().to_string()
            on:pointerdown=move |_| till.touch()>
            <Show when=move || till.ready.get() && till.locked()>
                <crate::staff::SignIn/>
            </Show>
            <crate::history::ReceiptsPanel/>
            <crate::shift::ShiftPanel/>
            <Show when=move || hub.panel.get()><crate::devices::DevicesPanel/></Show>
            <Show when=move || gift_panel.0.get()><crate::gift::GiftCardsPanel/></Show>
            {move || till.open.with(|o| o.exchange.as_ref().map(|x| {
                let n: Decimal = x.lines.iter().map(|l| l.qty).sum();
                view! {
                    <p class="exchange-banner" role="status">
                        {trf(Text::SellExchangeBanner, &[("n", &n.normalize()), ("receipt", &x.sale.receipt_no), ("credit", &x.credit.display())])}
                        <button id="exchange-cancel" class="small" on:click=move |_| till.cancel_exchange()>{tr(Text::SellCancelExchange)}</button>
                    </p>
                }
            }))}
            <Show when=move || hub.printer.problem().is_some() && !hub.panel.get()>
                <p class="printer-banner" role="alert">{move || hub.printer.problem()}
                    <button class="small" on:click=move |_| hub.panel.set(true)>{tr(Text::SellPrinter)}</button>
                </p>
            </Show>
            <header class="bar">
                <h1>{move || till.lane.with(|l| l.as_ref().map(|l| l.store.name.clone()).unwrap_or_else(|| "till".into()))}</h1>
                <span class="lane">{move || till.lane.with(|l| l.as_ref().map(|l| trf(Text::SellLane, &[("code", &l.lane_code)])).unwrap_or_default())}</span>
                <crate::staff::CashierChip/>
                <button id="open-history" class="small" on:click=move |_| receipts.open.set(Some(String::new()))>{tr(Text::SellReceipts)} " " <kbd>"F3"</kbd></button>
                <button id="devices" class="small" on:click=move |_| hub.panel.set(true)>{tr(Text::SellDevices)}</button>
                <button id="gift-cards" class="small" on:click=move |_| gift_panel.0.set(true)>{tr(Text::SellGiftCards)}</button>
                <button id="shift" class="small" on:click=move |_| shift_panel.0.set(true)>
                    {move || if till.shift.with(Option::is_some) { tr(Text::SellShift) } else { tr(Text::SellOpenShift) }} " " <kbd>"F6"</kbd>
                </button>
                <Show when=move || till.ready.get()><LanePanel/></Show>
                <Show when=move || till.ready.get()><SyncBadge status=till.status.into() utc_offset_minutes=Signal::derive(move || till.lane.with(|l| l.as_ref().map(|l| l.store.utc_offset_minutes).unwrap_or(0)))/></Show>
            </header>
            <Show when=move || till.ready.get() && till.lane.with(|l| l.is_none())>
                <PairingPanel/>
            </Show>
            <Show when=move || till.status.with(|s| s.revoked)>
                <p class="revoked-banner" role="alert">{tr(Text::SellRevoked)}</p>
            </Show>
            <Show when=move || till.status.with(|s| !s.online && s.last_error.is_some())>
                <p class="offline-banner" role="status">{tr(Text::SellOffline)}</p>
            </Show>
            <Show when=move || sw.is_some_and(|sw| sw.update_ready.get())>
                <p class="update-banner" role="status">{tr(Text::SellUpdateReady)}</p>
            </Show>
            <section class="sell" aria-label=tr(Text::SellSection)>
                <input
                    id="scan"
                    node_ref=scan_ref
                    type="search"
                    autofocus
                    autocomplete="off"
                    aria-label=tr(Text::SellScanLabel)
                    placeholder=tr(Text::SellScanPlaceholder)
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                    on:keydown=on_scan_key
                />
                <p class="message" role="status">{move || message.get()}</p>
                <ul class="results" aria-label=tr(Text::SellResults)>
                    <For each=move || results.get() key=|p| (p.sku.clone(), p.version) children=move |p| {
                        let label = format!("{} {}", p.name, p.price);
                        let price = till.currency_zero().map(|z| Money::new(p.price, z.currency).display()).unwrap_or_default();
                        let name = p.name.clone();
                        view! {
                            <li><button class="result" aria-label=label on:click=move |_| add(&p)>
                                <span class="name">{name}</span><span class="price">{price}</span>
                            </button></li>
                        }
                    }/>
                </ul>
                <p class="catalogue-size">{move || trf(Text::SellProducts, &[("n", &till.catalogue.with(|c| c.len()))])}</p>
            </section>
            <CartView on_done=focus_scan/>
            <CartActions on_done=focus_scan/>
            <PayPanel paid=paid busy=busy exact_requests=exact_requests.read_only()/>
        </main>
    }
}

#[component]
fn SyncBadge(status: Signal<SyncStatus>, utc_offset_minutes: Signal<i32>) -> impl IntoView {
    let text = move || {
        status.with(|s| {
            let state = match (&s.last_error, s.online) {
                (None, _) => tr(Text::SellBadgeOnline),
                (Some(_), true) => tr(Text::SellBadgeProblem),
                (Some(_), false) => tr(Text::SellBadgeOffline),
            };
            let mut parts = vec![
                state.to_string(),
                trf(Text::SellBadgeUnsynced, &[("n", &s.unsynced)]),
            ];
            if let Some(ms) = s.last_sync_ms {
                let at = till_core::time::local_time(ms as i64, utc_offset_minutes.get());
                parts.push(trf(Text::SellBadgeSynced, &[("time", &at)]));
            }
            if let Some((done, total)) = s.loading {
                parts.push(trf(
                    Text::SellBadgeLoading,
                    &[("done", &done), ("total", &total)],
                ));
            }
            parts.join(" · ")
        })
    };
    let title = move || {
        status.with(|s| {
            s.last_error
                .clone()
                .unwrap_or_else(|| tr(Text::SellAllSynced).into())
        })
    };
    view! {
        <span class="sync-badge" role="status" title=title data-unsynced=move || status.with(|s| s.unsynced.to_string())>
            {text}
        </span>
    }
}

/// A new till: type the one-time code the owner made in the dashboard.
#[component]
fn PairingPanel() -> impl IntoView {
    let till = expect_context::<Till>();
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        leptos::task::spawn_local(async move {
            error.set(till.pair(&code.get_untracked()).await.err());
            busy.set(false);
        });
    };
    view! {
        <form class="pairing" on:submit=submit>
            <h2>{tr(Text::SellPairTitle)}</h2>
            <p>{tr(Text::SellPairHelp)}</p>
            <input id="pairing-code" autocomplete="off" autocapitalize="characters" placeholder="ABCD-EFGH" aria-label=tr(Text::SellPairCode)
                prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))/>
            <button id="pair" class="primary" type="submit" disabled=move || busy.get()>{tr(Text::SellPair)}</button>
            <p class="error" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// What this device holds: storage used and whether the browser keeps it, and the rescue export
/// that saves every unsynced sale to a file when the lane cannot sync.
#[component]
fn LanePanel() -> impl IntoView {
    let till = expect_context::<Till>();
    let outcome = RwSignal::new(None::<String>);
    let device_choice = crate::i18n::device_choice();
    let storage = move || {
        till.storage.with(|s| {
            let used = match (s.usage, s.quota) {
                (Some(u), Some(q)) => trf(
                    Text::SellStorageUsed,
                    &[
                        ("used", &crate::storage::human_bytes(u)),
                        ("quota", &crate::storage::human_bytes(q)),
                    ],
                ),
                _ => tr(Text::SellStorageUnknown).into(),
            };
            let kept = if s.persisted {
                tr(Text::SellStorageKept)
            } else {
                tr(Text::SellStorageMayClear)
            };
            trf(Text::SellStorage, &[("used", &used), ("kept", &kept)])
        })
    };
    let export = move |_| {
        leptos::task::spawn_local(async move {
            let result = match till.rescue_export().await {
                Ok((name, json)) => crate::files::download_text(&name, "application/json", &json)
                    .map(|_| trf(Text::SellRescueSaved, &[("name", &name)]))
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            outcome.set(Some(result.unwrap_or_else(|e| e)));
        });
    };
    view! {
        <details class="lane-panel">
            <summary>{tr(Text::SellThisTill)}</summary>
            <p class="storage">{storage}</p>
            <button id="rescue-export" on:click=export>
                {move || trf(Text::SellRescueExport, &[("n", &till.status.with(|s| s.unsynced))])}
            </button>
            <p class="rescue-outcome" role="status">{move || outcome.get()}</p>
            <label class="language">{tr(Text::SellLanguage)}
                <select id="language" disabled=move || till.open.with(|o| o.checkout_id.is_some())
                    on:change=move |ev| {
                        let choice = match event_target_value(&ev).as_str() {
                            "" => None,
                            tag => Some(Lang::from_tag(tag)),
                        };
                        if crate::i18n::choose_for_device(choice) {
                            crate::i18n::reload();
                        }
                    }>
                    <option value="" selected=device_choice.is_none()>{tr(Text::SellLanguageOfStore)}</option>
                    {Lang::ALL.map(|l| view! {
                        <option value=l.code() lang=l.code() selected=device_choice == Some(l)>{l.own_name()}</option>
                    })}
                </select>
            </label>
        </details>
    }
}

/// Park the cart, recall a parked one, or void the cart with a reason.
#[component]
fn CartActions(on_done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let till = expect_context::<Till>();
    let error = RwSignal::new(None::<String>);
    let voiding = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let run = move |f: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>>| {
        leptos::task::spawn_local(async move {
            error.set(f.await.err());
            on_done();
        });
    };
    let empty = move || till.open.with(|o| o.cart.is_empty());
    view! {
        <section class="cart-actions" aria-label=tr(Text::SellCartActions)>
            <div class="buttons">
                <button id="park" disabled=empty on:click=move |_| run(Box::pin(till.park()))>{tr(Text::SellPark)} " " <kbd>"F4"</kbd></button>
                <button id="void-cart" disabled=empty on:click=move |_| voiding.set(true)>{tr(Text::SellVoidCart)}</button>
            </div>
            <Show when=move || voiding.get() && !empty()>
                <form class="void-form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let why = reason.get_untracked();
                    voiding.set(false);
                    reason.set(String::new());
                    run(Box::pin(async move { till.void_cart(&why).await }));
                }>
                    <input id="void-reason" placeholder=tr(Text::SellVoidWhy) aria-label=tr(Text::SellVoidReason)
                        prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                    <button id="void-confirm" class="danger" type="submit">{tr(Text::SellVoid)}</button>
                </form>
            </Show>
            <ul class="parked" aria-label=tr(Text::SellParked)>
                <For each=move || till.parked.get().carts key=|c| c.id children=move |c| {
                    let id = c.id;
                    let at = till.lane.with_untracked(|l| l.as_ref().map(|l| l.store.utc_offset_minutes)).unwrap_or(0);
                    let label = format!("{} · {}", till_core::time::local_time(c.parked_at_ms, at).get(..5).unwrap_or_default(), c.label);
                    view! {
                        <li><button class="recall" on:click=move |_| run(Box::pin(till.recall(id)))>{label}</button></li>
                    }
                }/>
            </ul>
            <p class="error" role="alert">{move || error.get()}</p>
        </section>
    }
}

#[component]
fn CartView(on_done: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let till = expect_context::<Till>();
    let totals = Memo::new(move |_| till.totals());
    let lines = move || {
        till.open
            .with(|o| o.cart.lines.iter().cloned().enumerate().collect::<Vec<_>>())
    };
    // The line whose price is being changed, and the line (or, with `Some(None)`, the whole
    // cart) whose discount is.
    let editing = RwSignal::new(None::<usize>);
    let discounting = RwSignal::new(None::<Option<usize>>);
    view! {
        <section class="cart" aria-label=tr(Text::SellCart) tabindex="0">
            <ol class="lines">
                <For each=lines key=|(i, l)| (*i, l.sku.clone(), l.qty, l.promotions.clone(), l.price_override.as_ref().map(|o| (o.price, o.reason.clone())), l.discount) children=move |(i, line)| {
                    let amount = move || totals.with(|t| t.as_ref().and_then(|t| t.line_amounts.get(i).map(|m| m.display())).unwrap_or_default());
                    let qty = match line.sold_by { SoldBy::Each => format!("× {}", line.qty), SoldBy::Kilogram => format!("{} kg", line.qty) };
                    view! {
                        <li class="cart-line">
                            <span class="name">{line.name.clone()}</span>
                            <span class="qty">{qty}</span>
                            <span class="amount">{amount}</span>
                            {line.promotions.iter().map(|p| view! {
                                <span class="promo">{format!("{} −{}", p.name, till.currency_zero().map(|z| Money::new(p.amount, z.currency).display()).unwrap_or_default())}</span>
                            }).collect::<Vec<_>>()}
                            <span class="line-tools">
                                {(line.sold_by == SoldBy::Each).then(|| view! {
                                    <button class="qty-less small" aria-label=trf(Text::SellOneFewer, &[("name", &line.name)]) on:click=move |_| { till.edit_cart(|c| { if let Some(q) = c.lines.get(i).map(|l| l.qty - Decimal::ONE) { if q.is_zero() { let _ = c.remove(i); } else { let _ = c.set_qty(i, q); } } }); on_done(); }>"−"</button>
                                    <button class="qty-more small" aria-label=trf(Text::SellOneMore, &[("name", &line.name)]) on:click=move |_| { till.edit_cart(|c| { if let Some(q) = c.lines.get(i).map(|l| l.qty + Decimal::ONE) { let _ = c.set_qty(i, q); } }); on_done(); }>"+"</button>
                                })}
                                <button class="price-edit small" aria-label=trf(Text::SellChangePrice, &[("name", &line.name)]) on:click=move |_| editing.set(Some(i))>{tr(Text::SellPriceButton)}</button>
                                <button class="discount-edit small" aria-label=trf(Text::SellDiscountLine, &[("name", &line.name)]) on:click=move |_| discounting.set(Some(Some(i)))>"%"</button>
                            </span>
                            <button class="remove" aria-label=trf(Text::SellRemoveLine, &[("name", &line.name)]) on:click=move |_| { till.edit_cart(|c| { let _ = c.remove(i); }); on_done(); }>"×"</button>
                            {line.price_override.as_ref().map(|o| view! { <span class="override">{trf(Text::SellPriceChanged, &[("reason", &o.reason)])}</span> })}
                            {line.discount.map(|d| view! { <span class="line-discount">{match d { Discount::Percent(p) => trf(Text::SellLineDiscountPercent, &[("p", &p)]), Discount::Amount(a) => trf(Text::SellLineDiscountAmount, &[("amount", &a)]) }}</span> })}
                            <Show when=move || discounting.get() == Some(Some(i))>
                                <crate::discount::DiscountForm line=Some(i) on_close=move || { discounting.set(None); on_done(); }/>
                            </Show>
                            <Show when=move || editing.get() == Some(i)>
                                <crate::staff::PriceOverride index=i name=line.name.clone() on_close=move || { editing.set(None); on_done(); }/>
                            </Show>
                        </li>
                    }
                }/>
            </ol>
            <div class="totals">
                {move || totals.with(|t| t.as_ref().map(|t| t.tax.iter().map(|l| view! {
                    <p class="tax-line">{trf(Text::SellTaxLine, &[("rate", &(l.rate * Decimal::from(100)).normalize()), ("taxable", &l.taxable.display()), ("tax", &l.tax.display())])}</p>
                }).collect::<Vec<_>>()))}
                <p class="cart-discount">
                    {move || till.open.with(|o| o.cart.discount).map(|d| match d { Discount::Percent(p) => trf(Text::SellCartDiscountPercent, &[("p", &p)]), Discount::Amount(a) => trf(Text::SellCartDiscountAmount, &[("amount", &a)]) })}
                    <button id="cart-discount-open" class="small" disabled=move || till.open.with(|o| o.cart.is_empty()) on:click=move |_| discounting.set(Some(None))>{tr(Text::SellCartDiscount)}</button>
                </p>
                <Show when=move || discounting.get() == Some(None)>
                    <crate::discount::DiscountForm line=None on_close=move || { discounting.set(None); on_done(); }/>
                </Show>
                <p class="total">{tr(Text::Total)} " " <strong id="total">{move || totals.with(|t| t.as_ref().map(|t| t.total.display()).unwrap_or_default())}</strong></p>
            </div>
        </section>
    }
}

/// Payments a Japanese shop commonly takes on its own terminals besides cards (the name is what
/// the receipt, the shift report and the journal show).
const OTHER_TENDERS: [&str; 5] = ["PayPay", "交通系IC", "楽天ペイ", "d払い", "QR (other)"];

/// The receipt's view of an exchange's return.
fn returned_of(x: &Option<(till_core::refund::Refund, String)>) -> Option<receipt::Returned<'_>> {
    x.as_ref().map(|(refund, from)| receipt::Returned {
        refund,
        from_receipt: from,
    })
}

/// The customer's tip choice at payment.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TipChoice {
    None,
    /// One of the store's suggested percentages (its amount follows the cart).
    Percent(Decimal),
    Amount(Money),
}

#[component]
fn PayPanel(
    paid: RwSignal<Option<Sale>>,
    busy: RwSignal<bool>,
    exact_requests: ReadSignal<u32>,
) -> impl IntoView {
    let till = expect_context::<Till>();
    let hub = expect_context::<crate::devices::DeviceHub>();
    let tendered = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let notes = move || {
        till.currency_zero()
            .map(|z| {
                z.currency
                    .quick_notes()
                    .into_iter()
                    .map(|n| Money::new(n, z.currency))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let total = move || till.totals().map(|t| t.total);
    // The tip the customer chose, kept as the choice so a percentage follows cart changes.
    let tip_choice = RwSignal::new(TipChoice::None);
    let tip_settings = move || {
        till.lane
            .with(|l| l.as_ref().and_then(|l| l.store.tips.clone()))
    };
    let tip_options = move || -> Vec<(Decimal, Money)> {
        let (Some(s), Some(t)) = (tip_settings(), till.totals()) else {
            return Vec::new();
        };
        let tax = Money::sum(t.total.currency, t.tax.iter().map(|l| l.tax));
        tax.ok()
            .and_then(|tax| s.suggestions(t.total, tax).ok())
            .unwrap_or_default()
    };
    let tip = move || -> Option<Money> {
        match tip_choice.get() {
            TipChoice::None => None,
            TipChoice::Percent(p) => tip_options()
                .into_iter()
                .find(|(q, _)| *q == p)
                .map(|(_, m)| m),
            TipChoice::Amount(m) => Some(m),
        }
    };
    // What the customer pays: the total and the tip.
    let due_total = move || {
        let total = total()?;
        match tip() {
            Some(t) => total.checked_add(t).ok(),
            None => Some(total),
        }
    };
    let tip_custom = RwSignal::new(String::new());
    let set_custom_tip = move |text: String| {
        tip_custom.set(text.clone());
        let text = text.trim().replace(',', "");
        if text.is_empty() {
            tip_choice.set(TipChoice::None);
            return;
        }
        let Some(cur) = till.currency_zero().map(|z| z.currency) else {
            return;
        };
        match text.parse::<Decimal>() {
            Ok(v) => {
                let m = Money::new(v, cur);
                let settings = tip_settings();
                match total().map(|t| till_core::tip::check(settings.as_ref(), m, t)) {
                    Some(Err(e)) => error.set(Some(e.to_string())),
                    _ => {
                        error.set(None);
                        tip_choice.set(TipChoice::Amount(m));
                    }
                }
            }
            Err(_) => error.set(Some(tr(Text::SellTipAsAmount).into())),
        }
    };
    // Card and other non-cash payments taken so far for this cart (a split payment).
    let taken = RwSignal::new(Vec::<Tender>::new());
    // The return behind the sale just paid, if it was an exchange (for its one receipt).
    let exchanged = RwSignal::new(None::<(till_core::refund::Refund, String)>);
    // An exchange: the returned items' value pays first (more than the cart: the rest goes back).
    let credit = move || till.open.with(|o| o.exchange.as_ref().map(|x| x.credit));
    let remaining = move || {
        let total = due_total()?;
        let total = match credit() {
            Some(c) => total.checked_sub(c).ok()?,
            None => total,
        };
        let paid = Money::sum(
            total.currency,
            taken.with(|t| t.iter().map(Tender::amount).collect::<Vec<_>>()),
        )
        .ok()?;
        total.checked_sub(paid).ok()
    };
    let taken_list = move || {
        taken
            .get()
            .into_iter()
            .enumerate()
            .collect::<Vec<(usize, Tender)>>()
    };
    let card_brand = RwSignal::new("VISA".to_string());
    let card_last4 = RwSignal::new(String::new());
    let card_approval = RwSignal::new(String::new());
    let card_amount = RwSignal::new(String::new());
    // What a terminal took: empty means everything still due, else the amount typed.
    let taken_amount = move |typed: RwSignal<String>| -> Option<Money> {
        let rest = remaining()?;
        let typed = typed.get_untracked().trim().replace(',', "");
        if typed.is_empty() {
            return Some(rest);
        }
        match typed.parse::<Decimal>() {
            Ok(v) => Some(Money::new(v, rest.currency)),
            Err(_) => {
                error.set(Some(tr(Text::SellTerminalAmount).into()));
                None
            }
        }
    };
    let add_card = move |_| {
        let Some(amount) = taken_amount(card_amount) else {
            return;
        };
        let card = Tender::Card {
            amount,
            brand: card_brand.get_untracked(),
            last4: card_last4.get_untracked().trim().to_string(),
            approval: card_approval.get_untracked().trim().to_string(),
        };
        // Core refuses a full card number typed anywhere, before anything is kept.
        match card.validate() {
            Ok(()) => {
                taken.update(|t| t.push(card));
                card_last4.set(String::new());
                card_approval.set(String::new());
                card_amount.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    // A gift card: it pays up to what this lane knows is on it (less what this payment has
    // already taken from it).
    let gift_code = RwSignal::new(String::new());
    let gift_amount = RwSignal::new(String::new());
    let gift_balance = RwSignal::new(None::<String>);
    let add_gift = move |_| {
        let Some(amount) = taken_amount(gift_amount) else {
            return;
        };
        let code = gift_code.get_untracked();
        leptos::task::spawn_local(async move {
            let (code, balance) = match till.gift_card_balance(&code).await {
                Ok(b) => b,
                Err(e) => return error.set(Some(e)),
            };
            let used = Money::sum(
                balance.currency,
                taken.with_untracked(|t| {
                    t.iter()
                        .filter(
                            |t| matches!(t, Tender::GiftCard { card_id, .. } if *card_id == code),
                        )
                        .map(Tender::amount)
                        .collect::<Vec<_>>()
                }),
            );
            let left = used
                .ok()
                .and_then(|u| balance.checked_sub(u).ok())
                .unwrap_or(balance);
            if let Err(e) = till_core::gift_card::can_pay(left, amount) {
                gift_balance.set(Some(trf(
                    Text::SellGiftLeft,
                    &[("code", &code), ("balance", &left.display())],
                )));
                return error.set(Some(e.to_string()));
            }
            let tender = Tender::GiftCard {
                amount,
                card_id: code.clone(),
            };
            match tender.validate() {
                Ok(()) => {
                    taken.update(|t| t.push(tender));
                    gift_balance.set(Some(trf(
                        Text::SellGiftLeftAfter,
                        &[
                            ("code", &code),
                            (
                                "balance",
                                &left.checked_sub(amount).unwrap_or(left).display(),
                            ),
                        ],
                    )));
                    gift_code.set(String::new());
                    gift_amount.set(String::new());
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    // Other ways to pay on the store's own terminals: QR wallets and IC e-money.
    let other_name = RwSignal::new(OTHER_TENDERS[0].to_string());
    let other_amount = RwSignal::new(String::new());
    let add_other = move |_| {
        let Some(amount) = taken_amount(other_amount) else {
            return;
        };
        let other = Tender::Other {
            amount,
            name: other_name.get_untracked(),
        };
        match other.validate() {
            Ok(()) => {
                taken.update(|t| t.push(other));
                other_amount.set(String::new());
                error.set(None);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let finish = move |tenders: Vec<Tender>| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let from_receipt = till
                .open
                .with_untracked(|o| o.exchange.as_ref().map(|x| x.sale.receipt_no.clone()));
            let done = match from_receipt {
                Some(from) => till
                    .exchange(tenders)
                    .await
                    .map(|(refund, sale)| (sale, Some((refund, from)))),
                None => till.pay(tenders, untrack(tip)).await.map(|s| (s, None)),
            };
            match done {
                Ok((sale, returned)) => {
                    tip_choice.set(TipChoice::None);
                    tip_custom.set(String::new());
                    exchanged.set(returned);
                    if let Some(store) = till
                        .lane
                        .with_untracked(|l| l.as_ref().map(|l| l.store.clone()))
                    {
                        exchanged.with_untracked(|x| {
                            hub.print_receipt(&store, &sale, returned_of(x), false)
                        });
                    }
                    paid.set(Some(sale));
                    tendered.set(String::new());
                    taken.set(Vec::new());
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let pay = move |amount: Option<Money>| {
        // An exchange whose returned items cover the new ones: nothing to take.
        if untrack(credit).is_some()
            && untrack(remaining).is_some_and(|m| m.amount <= Decimal::ZERO)
        {
            finish(taken.get_untracked());
            return;
        }
        let Some(zero) = till
            .lane
            .with_untracked(|l| l.as_ref().map(|l| Money::zero(l.store.currency)))
        else {
            return;
        };
        let amount = match amount {
            Some(a) => a,
            None => match tendered
                .get_untracked()
                .trim()
                .replace(',', "")
                .parse::<Decimal>()
            {
                Ok(v) => Money::new(v, zero.currency),
                Err(_) => {
                    error.set(Some(tr(Text::SellCashAmount).into()));
                    return;
                }
            },
        };
        let mut tenders = taken.get_untracked();
        tenders.push(Tender::Cash { tendered: amount });
        finish(tenders);
    };
    // Enter on the empty scan field: after a sale, start the next one; otherwise pay exact.
    Effect::watch(
        move || exact_requests.get(),
        move |_, _, _| {
            if paid.with_untracked(Option::is_some) {
                paid.set(None);
            } else if !busy.get_untracked() && untrack(total).is_some() {
                pay(untrack(remaining));
            }
        },
        false,
    );
    view! {
        <section class="pay" aria-label=tr(Text::SellPayment)>
            <Show when=move || paid.with(|p| p.is_some()) fallback=move || view! {
                <label class="tendered">{tr(Text::SellCashTendered)}
                    <input id="tendered" inputmode="decimal" autocomplete="off" prop:value=move || tendered.get()
                        on:input=move |ev| tendered.set(event_target_value(&ev))
                        on:keydown=move |ev: KeyboardEvent| if ev.key() == "Enter" { pay(None) } />
                </label>
                <Show when=move || tip_settings().is_some() && credit().is_none()>
                    <div class="tips" role="group" aria-label=tr(Text::SellTip)>
                        <button class="tip-none small" aria-pressed=move || (tip_choice.get() == TipChoice::None).to_string()
                            on:click=move |_| { tip_choice.set(TipChoice::None); tip_custom.set(String::new()); }>{tr(Text::SellNoTip)}</button>
                        {move || tip_options().into_iter().map(|(p, m)| view! {
                            <button class="tip-option small" aria-pressed=move || (tip_choice.get() == TipChoice::Percent(p)).to_string()
                                on:click=move |_| { tip_choice.set(TipChoice::Percent(p)); tip_custom.set(String::new()); }>
                                {format!("{}% · {}", p.normalize(), m.display())}
                            </button>
                        }).collect::<Vec<_>>()}
                        <input id="tip-custom" inputmode="decimal" autocomplete="off" placeholder=tr(Text::SellOtherTip) aria-label=tr(Text::SellTipAmount)
                            prop:value=move || tip_custom.get() on:change=move |ev| set_custom_tip(event_target_value(&ev))/>
                        <span class="tip-amount" id="tip">{move || tip().map(|t| trf(Text::SellTipIs, &[("amount", &t.display())]))}</span>
                    </div>
                </Show>
                <p class="due">{move || if remaining().is_some_and(|m| m.amount < Decimal::ZERO) { tr(Text::SellBackToCustomer) } else { tr(Text::SellDue) }} " "
                    <strong id="due">{move || remaining().map(|m| Money::new(m.amount.abs(), m.currency).display())}</strong></p>
                <Show when=move || credit().is_some() && remaining().is_some_and(|m| m.amount <= Decimal::ZERO)>
                    <button id="complete-exchange" class="primary" disabled=move || busy.get() on:click=move |_| finish(taken.get_untracked())>{tr(Text::SellCompleteExchange)}</button>
                </Show>
                <ul class="tenders">
                    <For each=taken_list key=|(i, t)| (*i, format!("{t:?}")) children=move |(i, t)| {
                        let label = match &t {
                            Tender::Card { brand, last4, amount, .. } => format!("{brand} ****{last4} {}", amount.display()),
                            other => format!("{} {}", other.label(), other.amount().display()),
                        };
                        view! {
                            <li class="tender-line">{label}
                                <button class="remove" aria-label=tr(Text::SellRemovePayment) on:click=move |_| taken.update(|t| { t.remove(i); })>"×"</button>
                            </li>
                        }
                    }/>
                </ul>
                <details class="card-form">
                    <summary>{tr(Text::SellCardOnTerminal)}</summary>
                    <div class="card-fields">
                        <select id="card-brand" aria-label=tr(Text::SellCardBrand) on:change=move |ev| card_brand.set(event_target_value(&ev))>
                            {["VISA", "Mastercard", "JCB", "AMEX", "Diners", "UnionPay", "Other"].map(|b| view! { <option value=b>{b}</option> })}
                        </select>
                        <input id="card-last4" inputmode="numeric" maxlength="4" autocomplete="off" placeholder=tr(Text::SellLast4) aria-label=tr(Text::SellLast4Label)
                            prop:value=move || card_last4.get() on:input=move |ev| card_last4.set(event_target_value(&ev))/>
                        <input id="card-approval" autocomplete="off" placeholder=tr(Text::SellApproval) aria-label=tr(Text::SellApprovalLabel)
                            prop:value=move || card_approval.get() on:input=move |ev| card_approval.set(event_target_value(&ev))/>
                        <input id="card-amount" inputmode="decimal" autocomplete="off" aria-label=tr(Text::SellTerminalTook)
                            placeholder=move || remaining().map(|m| m.display()).unwrap_or_default()
                            prop:value=move || card_amount.get() on:input=move |ev| card_amount.set(event_target_value(&ev))/>
                        <button id="add-card" disabled=move || remaining().is_none_or(|m| m.amount <= Decimal::ZERO) on:click=add_card>
                            {tr(Text::SellAddCard)}
                        </button>
                    </div>
                </details>
                <details class="gift-form">
                    <summary>{tr(Text::GiftCard)}</summary>
                    <div class="card-fields">
                        <input id="gift-code" autocomplete="off" placeholder=tr(Text::SellCardNumber) aria-label=tr(Text::SellGiftNumber)
                            prop:value=move || gift_code.get() on:input=move |ev| gift_code.set(event_target_value(&ev))/>
                        <input id="gift-amount" inputmode="decimal" autocomplete="off" aria-label=tr(Text::SellGiftTake)
                            placeholder=move || remaining().map(|m| m.display()).unwrap_or_default()
                            prop:value=move || gift_amount.get() on:input=move |ev| gift_amount.set(event_target_value(&ev))/>
                        <button id="add-gift" disabled=move || remaining().is_none_or(|m| m.amount <= Decimal::ZERO) on:click=add_gift>
                            {tr(Text::SellPayWithGift)}
                        </button>
                        <span class="gift-balance" role="status">{move || gift_balance.get()}</span>
                    </div>
                </details>
                <details class="other-form">
                    <summary>{tr(Text::SellQrOnTerminal)}</summary>
                    <div class="card-fields">
                        <select id="other-name" aria-label=tr(Text::SellWhichPayment) on:change=move |ev| other_name.set(event_target_value(&ev))>
                            {OTHER_TENDERS.map(|n| view! { <option value=n>{n}</option> })}
                        </select>
                        <input id="other-amount" inputmode="decimal" autocomplete="off" aria-label=tr(Text::SellTerminalTook)
                            placeholder=move || remaining().map(|m| m.display()).unwrap_or_default()
                            prop:value=move || other_amount.get() on:input=move |ev| other_amount.set(event_target_value(&ev))/>
                        <button id="add-other" disabled=move || remaining().is_none_or(|m| m.amount <= Decimal::ZERO) on:click=add_other>
                            {tr(Text::SellAddPayment)}
                        </button>
                    </div>
                </details>
                <Show when=move || !taken.with(Vec::is_empty) && remaining().is_some_and(|m| m.amount <= Decimal::ZERO)>
                    <button id="complete" class="primary" disabled=move || busy.get() on:click=move |_| finish(taken.get_untracked())>{tr(Text::SellCompleteSale)}</button>
                </Show>
                <div class="quick">
                    <button class="exact" disabled=move || total().is_none() on:click=move |_| pay(remaining())>{tr(Text::SellExact)} " " <kbd>"Enter"</kbd></button>
                    {move || notes().into_iter().map(|n| view! { <button class="note" on:click=move |_| pay(Some(n))>{n.display()}</button> }).collect::<Vec<_>>()}
                </div>
                <button id="pay" class="primary" disabled=move || busy.get() || total().is_none() on:click=move |_| pay(None)>{tr(Text::SellPayCash)}</button>
                <p class="error" role="alert">{move || error.get()}</p>
            }>
                <div class="paid" role="alert">
                    <p>{tr(Text::SellPaidReceipt)} " " <span class="receipt-no">{move || paid.with(|p| p.as_ref().map(|s| s.receipt_no.clone()))}</span></p>
                    <p class="change">{tr(Text::SellChange)} " " <strong id="change">{move || paid.with(|p| p.as_ref().map(|s| s.change.display()))}</strong></p>
                    <div class="paid-actions">
                        <button id="print-receipt" on:click=move |_| {
                            let store = till.lane.with_untracked(|l| l.as_ref().map(|l| l.store.clone()));
                            let printed = paid.with_untracked(|p| match (p, store) {
                                (Some(sale), Some(store)) => exchanged.with_untracked(|x| hub.print_receipt(&store, sale, returned_of(x), true)),
                                _ => false,
                            });
                            if !printed {
                                crate::print::browser_print();
                            }
                        }>{move || if hub.printer.connected.with(Option::is_some) { tr(Text::SellPrintCopy) } else { tr(Text::SellPrintReceipt) }}</button>
                        <button id="new-sale" class="primary" on:click=move |_| paid.set(None)>{tr(Text::SellNewSale)}</button>
                    </div>
                    <div class="receipt-preview" inner_html=move || {
                        let store = till.lane.with(|l| l.as_ref().map(|l| l.store.clone()));
                        paid.with(|p| match (p, store) {
                            (Some(sale), Some(store)) => {
                                let opts = ReceiptOptions::for_store(&store);
                                exchanged.with(|x| match returned_of(x) {
                                    Some(r) => receipt::to_html(&receipt::exchange_layout(r, sale, &store, &opts)),
                                    None => receipt::to_html(&receipt::layout(sale, &store, &opts)),
                                })
                            }
                            _ => String::new(),
                        })
                    }></div>
                </div>
            </Show>
        </section>
    }
}
