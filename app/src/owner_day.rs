//! The owner's day for one store: average basket, the same weekday last week, hourly sales,
//! payment mix, lanes and best sellers — refreshed with the rest of the page — and the charts
//! (SVG drawn here, sized for a phone).

use crate::api;
use leptos::prelude::*;
use serde::Deserialize;
use till_core::report::{bar_scale, DayDetail, DayReport};
use till_core::Decimal;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct StoreDayAnswer {
    day: DayDetail,
}

/// Fetch `/api/v1/stores/{store}/{what}` now and whenever `tick` changes (the page's refresh),
/// handing the answer to `on_answer` and a failure to `error`.
fn fetch_on_tick<T: serde::de::DeserializeOwned + 'static>(
    store_id: &str,
    what: &'static str,
    tick: Signal<u32>,
    error: RwSignal<Option<String>>,
    on_answer: impl Fn(T) + Copy + 'static,
) {
    let path = format!(
        "/api/v1/stores/{}/{what}",
        js_sys::encode_uri_component(store_id)
            .as_string()
            .unwrap_or_default()
    );
    // An effect only to talk to the edge.
    Effect::new(move |_| {
        tick.track();
        let path = path.clone();
        leptos::task::spawn_local(async move {
            match api::get::<T>(&path, None).await {
                Ok(a) => {
                    on_answer(a);
                    error.set(None);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    });
}

/// `tick` changes whenever the page refreshes: the day is fetched again then.
#[component]
pub fn StoreDay(store_id: String, tick: Signal<u32>) -> impl IntoView {
    let detail = RwSignal::new(None::<DayDetail>);
    let error = RwSignal::new(None::<String>);
    fetch_on_tick(&store_id, "day", tick, error, move |a: StoreDayAnswer| {
        detail.set(Some(a.day))
    });
    view! {
        <p class="error" role="alert">{move || error.get()}</p>
        {move || detail.get().map(|d| {
            let basket = d.average_basket.map(|m| m.display()).unwrap_or_else(|| "—".into());
            let versus = d.last_week.as_ref().map(|w| match w.change_percent {
                Some(p) if p >= Decimal::ZERO => format!("+{p}% on {} ({})", w.business_day, w.net.display()),
                Some(p) => format!("{p}% on {} ({})", w.business_day, w.net.display()),
                None => format!("nothing on {} to compare with", w.business_day),
            });
            let hours: Vec<(String, Decimal)> = d.hourly.iter().map(|(h, m, _)| (format!("{h}"), m.amount)).collect();
            view! {
                <p class="basket">"Average basket " <strong class="average-basket">{basket}</strong></p>
                <p class="versus">"Same weekday last week: " <span class="week-change">{versus}</span></p>
                <BarChart title="Sales by hour" bars=hours label_every=3/>
                <h3>"Payment mix"</h3>
                <ul class="mix">
                    {d.tenders.iter().map(|(k, m)| view! { <li class="tender-mix" data-kind=k.clone()>{format!("{k}: {}", m.display())}</li> }).collect::<Vec<_>>()}
                </ul>
                <h3>"Tills today"</h3>
                <ul class="lane-days">
                    {d.lanes.iter().map(|(code, m, n)| view! { <li class="lane-day" data-lane=code.clone()>{format!("{code}: {} in {n} sale(s)", m.display())}</li> }).collect::<Vec<_>>()}
                </ul>
                <h3>"Best sellers"</h3>
                <ol class="top-products">
                    {d.top.iter().map(|(sku, name, qty, m)| view! { <li class="top-product" data-sku=sku.clone()>{format!("{name} × {qty} — {}", m.display())}</li> }).collect::<Vec<_>>()}
                </ol>
            }
        })}
    }
}

/// The 30 days up to `today` as bars, oldest first (a day without sales is an empty bar).
#[component]
pub fn DaysChart(today: String, days: Signal<Vec<DayReport>>) -> impl IntoView {
    move || {
        let bars: Vec<(String, Decimal)> = days.with(|list| {
            (0..30)
                .rev()
                .filter_map(|back| till_core::time::add_days(&today, -back))
                .map(|day| {
                    let net = list
                        .iter()
                        .find(|d| d.business_day == day)
                        .map_or(Decimal::ZERO, |d| d.net.amount);
                    (day.get(8..).unwrap_or_default().to_string(), net)
                })
                .collect()
        });
        view! { <BarChart title="Last 30 days" bars=bars label_every=5/> }
    }
}

/// A bar chart as SVG: 24 hours or 30 days fit a 390 px wide phone. Each bar carries its value
/// as a tooltip and the chart an accessible name.
#[component]
fn BarChart(
    title: &'static str,
    bars: Vec<(String, Decimal)>,
    label_every: usize,
) -> impl IntoView {
    const WIDTH: u32 = 360;
    const HEIGHT: u32 = 120;
    const AXIS: u32 = 16;
    let values: Vec<Decimal> = bars.iter().map(|(_, v)| *v).collect();
    let (top, heights) = bar_scale(&values, HEIGHT - AXIS);
    let n = bars.len().max(1) as u32;
    let slot = WIDTH / n;
    let bar_w = slot.saturating_sub(2).max(1);
    let rects = bars
        .iter()
        .zip(heights)
        .enumerate()
        .map(|(i, ((label, value), h))| {
            let x = i as u32 * slot;
            let y = HEIGHT - AXIS - h;
            let show = i % label_every.max(1) == 0;
            view! {
                <g class="bar">
                    <rect x=x y=y width=bar_w height=h><title>{format!("{label}: {value}")}</title></rect>
                    {show.then(|| view! { <text x=x y=HEIGHT - 2 class="axis">{label.clone()}</text> })}
                </g>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <figure class="chart">
            <figcaption>{format!("{title} (top of scale {top})")}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=title width="100%">
                {rects}
            </svg>
        </figure>
    }
}

/// Download a range of days as CSV: every sale and refund line, or the accounting journal
/// (debit/credit per account and tax rate) that accounting software imports.
#[component]
pub fn StoreExports(store_id: String, today: String) -> impl IntoView {
    let from = RwSignal::new(today.clone());
    let to = RwSignal::new(today);
    let id = js_sys::encode_uri_component(&store_id)
        .as_string()
        .unwrap_or_default();
    let id = StoredValue::new(id);
    let href = move |what: &str| {
        format!(
            "/api/v1/stores/{}/export/{what}.csv?from={}&to={}",
            id.get_value(),
            from.get(),
            to.get()
        )
    };
    view! {
        <section class="exports">
            <h3>"Export"</h3>
            <label>"From " <input type="date" class="export-from" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/></label>
            <label>"to " <input type="date" class="export-to" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/></label>
            <a class="export-sales" download href=move || href("sales")>"Sales lines (CSV)"</a>
            <a class="export-journal" download href=move || href("journal")>"Accounting journal (CSV)"</a>
        </section>
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct LowStockAnswer {
    items: Vec<till_core::stock::LowStock>,
}

/// What to reorder: tracked products below their level and anything sold below zero.
#[component]
pub fn LowStockList(store_id: String, tick: Signal<u32>) -> impl IntoView {
    let items = RwSignal::new(Vec::<till_core::stock::LowStock>::new());
    let error = RwSignal::new(None::<String>);
    fetch_on_tick(
        &store_id,
        "low-stock",
        tick,
        error,
        move |a: LowStockAnswer| items.set(a.items),
    );
    view! {
        <section class="low-stock">
            <h3>{move || format!("Low stock ({})", items.with(Vec::len))}</h3>
            <p class="error" role="alert">{move || error.get()}</p>
            <ul>
                {move || items.get().into_iter().take(20).map(|i| view! {
                    <li class="low-stock-row" data-sku=i.sku.clone() data-oversold=i.oversold.to_string()>
                        {format!("{} — {} left (reorder at {}), sells {}/day → order {}{}", i.name, i.level, i.reorder_level, i.per_day, i.suggested,
                            if i.oversold { " · oversold" } else { "" })}
                    </li>
                }).collect::<Vec<_>>()}
            </ul>
        </section>
    }
}
