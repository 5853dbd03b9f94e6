//! The cashier's shift: open with the float counted by denomination, cash in and out with a
//! reason, the X report at any time, and close with a blind count — the Z report then shows
//! what the drawer should have held and how far over or short it is. Printable.

use crate::i18n::{tr, trf};
use crate::lane::Till;
use leptos::prelude::*;
use till_core::money::Money;
use till_core::shift::{denominations, CashCount, Direction, ShiftReport};
use till_core::text::Text;
use till_core::Decimal;

/// Opens the shift panel from the till's header.
#[derive(Clone, Copy)]
pub struct ShiftPanelOpen(pub RwSignal<bool>);

#[component]
pub fn ShiftPanel() -> impl IntoView {
    let till = expect_context::<Till>();
    let ShiftPanelOpen(open) = expect_context::<ShiftPanelOpen>();
    let error = RwSignal::new(None::<String>);
    let x_report = RwSignal::new(None::<ShiftReport>);
    let closing = RwSignal::new(false);
    let run = move |f: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>>>>| {
        leptos::task::spawn_local(async move { error.set(f.await.err()) });
    };
    let open_shift = move |count: CashCount| run(Box::pin(till.open_shift(count)));
    let close_shift = move |count: CashCount| {
        closing.set(false);
        x_report.set(None);
        run(Box::pin(async move {
            till.close_shift(count).await.map(|_| ())
        }));
    };
    let show_x = move |_| {
        leptos::task::spawn_local(async move {
            match till.shift_report().await {
                Ok(r) => x_report.set(Some(r)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let is_open = move || till.shift.with(Option::is_some);
    view! {
        <Show when=move || open.get()>
            <section class="shift-panel" role="dialog" aria-modal="true" aria-label=tr(Text::ShiftPanelLabel)>
                <header class="history-bar">
                    <h2>{move || if is_open() { tr(Text::ShiftOpen) } else { tr(Text::ShiftNoneOpen) }}</h2>
                    <button id="close-shift-panel" class="small" on:click=move |_| open.set(false)>{tr(Text::Close)}" " <kbd>"Esc"</kbd></button>
                </header>
                <p class="error" role="alert">{move || error.get()}</p>
                <Show when=move || !is_open()>
                    {move || till.last_report.get().map(|r| view! {
                        <ReportView report=r/>
                        <button id="print-z" on:click=move |_| crate::print::browser_print()>{tr(Text::ShiftPrintZReport)}</button>
                    })}
                    <h3>{tr(Text::ShiftOpenCountFloat)}</h3>
                    <CountForm id="open-shift" label=tr(Text::ShiftOpenShift) on_count=open_shift/>
                </Show>
                <Show when=is_open>
                    <div class="buttons">
                        <button id="x-report" on:click=show_x>{tr(Text::ShiftXReport)}</button>
                        <button id="start-close" class="danger" on:click=move |_| { x_report.set(None); closing.set(true); }>{tr(Text::ShiftCloseShift)}</button>
                    </div>
                    {move || x_report.get().map(|r| view! {
                        <ReportView report=r/>
                        <button id="print-x" on:click=move |_| crate::print::browser_print()>{tr(Text::ShiftPrintXReport)}</button>
                    })}
                    <Show when=move || closing.get() fallback=move || view! { <CashMove on_error=move |e| error.set(e)/> }>
                        <h3>{tr(Text::ShiftCountDrawer)}</h3>
                        <p class="hint">{tr(Text::ShiftBlindCountHint)}</p>
                        <CountForm id="close-shift" label=tr(Text::ShiftCloseShift) on_count=close_shift/>
                    </Show>
                </Show>
            </section>
        </Show>
    }
}

/// Cash in or out of the drawer, with a reason (change brought in, a supplier paid in cash).
#[component]
fn CashMove(on_error: impl Fn(Option<String>) + Copy + Send + Sync + 'static) -> impl IntoView {
    let till = expect_context::<Till>();
    let direction = RwSignal::new(Direction::Out);
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(value) = amount
            .get_untracked()
            .trim()
            .replace(',', "")
            .parse::<Decimal>()
        else {
            on_error(Some(tr(Text::ShiftTypeAmount).into()));
            return;
        };
        let why = reason.get_untracked();
        leptos::task::spawn_local(async move {
            match till.move_cash(direction.get_untracked(), value, why).await {
                Ok(()) => {
                    amount.set(String::new());
                    reason.set(String::new());
                    on_error(None);
                }
                Err(e) => on_error(Some(e)),
            }
        });
    };
    view! {
        <form class="cash-move" on:submit=submit>
            <h3>{tr(Text::ShiftCashInOut)}</h3>
            <select id="cash-direction" aria-label=tr(Text::ShiftInOrOut) on:change=move |ev| direction.set(if event_target_value(&ev) == "in" { Direction::In } else { Direction::Out })>
                <option value="out">{tr(Text::ShiftOutOfDrawer)}</option>
                <option value="in">{tr(Text::ShiftIntoDrawer)}</option>
            </select>
            <input id="cash-amount" inputmode="decimal" placeholder=tr(Text::Amount) aria-label=tr(Text::Amount)
                prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
            <input id="cash-reason" placeholder=tr(Text::Reason) aria-label=tr(Text::Reason)
                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
            <button id="move-cash" type="submit">{tr(Text::ShiftRecord)}</button>
        </form>
    }
}

/// A count of the drawer by denomination, for the float and for the blind count at close.
#[component]
fn CountForm(
    id: &'static str,
    label: &'static str,
    on_count: impl Fn(CashCount) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let till = expect_context::<Till>();
    let currency = till
        .lane
        .with_untracked(|l| l.as_ref().map(|l| l.store.currency));
    let rows: Vec<Decimal> = currency.map(denominations).unwrap_or_default();
    let counts = RwSignal::new(vec![String::new(); rows.len()]);
    let rows = StoredValue::new(rows);
    let count = move || -> Result<CashCount, String> {
        let mut pieces = Vec::new();
        for (d, text) in rows.get_value().iter().zip(counts.get()) {
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let n: u32 = text
                .parse()
                .map_err(|_| trf(Text::ShiftCountWholeNumber, &[("denomination", d)]))?;
            if n > 0 {
                pieces.push((*d, n));
            }
        }
        Ok(CashCount { pieces })
    };
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match untrack(count) {
            Ok(c) => {
                error.set(None);
                counts.update(|v| v.iter_mut().for_each(String::clear));
                on_count(c);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <form class="count-form" id=id on:submit=submit>
            <ul class="count-rows">
                {rows.get_value().into_iter().enumerate().map(|(i, d)| {
                    let shown = currency.map(|c| Money::new(d, c).display()).unwrap_or_default();
                    view! {
                        <li class="count-row">
                            <span>{shown.clone()}</span>
                            <input class="count-input" data-denomination=d.to_string() inputmode="numeric"
                                aria-label=trf(Text::ShiftHowMany, &[("denomination", &shown)]) prop:value=move || counts.with(|c| c[i].clone())
                                on:input=move |ev| counts.update(|c| c[i] = event_target_value(&ev))/>
                        </li>
                    }
                }).collect::<Vec<_>>()}
            </ul>
            <p class="count-total">{tr(Text::ShiftCountedTotal)}" " <strong>{move || match (count(), currency) {
                (Ok(c), Some(cur)) => c.total(cur).display(),
                _ => String::new(),
            }}</strong></p>
            <button class="primary" type="submit">{label}</button>
            <p class="error" role="alert">{move || error.get()}</p>
        </form>
    }
}

/// An X or Z report, laid out like a receipt so it prints on the same paper.
#[component]
fn ReportView(report: ShiftReport) -> impl IntoView {
    let title = if report.is_z() {
        tr(Text::ShiftZReport)
    } else {
        tr(Text::ShiftXReport)
    };
    let mut rows: Vec<(String, String)> = vec![
        (tr(Text::ShiftFloat).into(), report.float.display()),
        (
            trf(Text::ShiftSalesCount, &[("count", &report.sales)]),
            report.net_sales.display(),
        ),
        (
            trf(Text::ShiftRefundsCount, &[("count", &report.refunds)]),
            report.refunded.display(),
        ),
    ];
    if let Some(sold) = report.gift_cards_sold {
        // Money the store owes until the cards are used: in the tenders, not in sales.
        rows.push((tr(Text::ShiftGiftCardsSold).into(), sold.display()));
    }
    if let Some(tips) = report.tips {
        // In the tenders and the drawer below, but the staff's, not the store's.
        rows.push((tr(Text::ShiftTips).into(), tips.display()));
    }
    rows.extend([
        (
            tr(Text::ShiftCashFromSales).into(),
            report.cash_sales.display(),
        ),
        (
            tr(Text::ShiftCashRefunded).into(),
            report.cash_refunds.display(),
        ),
        (
            tr(Text::ShiftCashForGiftCards).into(),
            report
                .cash_from_gift_cards
                .map(|m| m.display())
                .unwrap_or_else(|| Money::zero(report.float.currency).display()),
        ),
        (tr(Text::ShiftCashIn).into(), report.cash_in.display()),
        (tr(Text::ShiftCashOut).into(), report.cash_out.display()),
        (
            tr(Text::ShiftExpectedInDrawer).into(),
            report.expected_cash.display(),
        ),
    ]);
    rows.extend(report.tenders.iter().map(|(k, m)| (k.clone(), m.display())));
    rows.extend(report.tax.iter().map(|t| {
        (
            trf(
                Text::ShiftTaxRate,
                &[("rate", &(t.rate * Decimal::from(100)))],
            ),
            trf(
                Text::ShiftTaxOnTaxable,
                &[("tax", &t.tax.display()), ("taxable", &t.taxable.display())],
            ),
        )
    }));
    if let Some(c) = report.counted {
        rows.push((tr(Text::ShiftReportCounted).into(), c.display()));
    }
    let over_short = report.over_short.map(|m| {
        let key = if m.amount.is_sign_negative() {
            Text::ShiftShort
        } else {
            Text::ShiftOver
        };
        trf(
            key,
            &[("amount", &Money::new(m.amount.abs(), m.currency).display())],
        )
    });
    view! {
        <div class="receipt shift-report" data-kind=if report.is_z() { "z" } else { "x" }>
            <h3>{title}</h3>
            <table>
                <tbody>
                    {rows.into_iter().map(|(k, v)| view! { <tr><th scope="row">{k}</th><td>{v}</td></tr> }).collect::<Vec<_>>()}
                </tbody>
            </table>
            {over_short.map(|t| view! { <p class="over-short">{t}</p> })}
        </div>
    }
}
