//! What the owner's reports say about a business day, as the edge sends it and the dashboard
//! reads it (one type, so the two cannot drift apart).

use crate::money::Money;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayReport {
    /// "YYYY-MM-DD" in the store's time zone.
    pub business_day: String,
    /// Sales minus refunds booked to the day.
    pub net: Money,
    pub sales: i64,
    /// Events booked to this day after it had closed (a lane offline overnight)…
    pub late: i64,
    /// …and when the last of them arrived: the day's report changed then.
    pub revised_ms: Option<i64>,
}

impl DayReport {
    /// The day's figures changed after it closed: a report printed earlier is out of date.
    pub fn changed_after_close(&self) -> bool {
        self.late > 0
    }
}

/// What one event adds to a business day's roll-ups beyond its net and count (see
/// `Event::net_effect`): its local hour, its lane, the payment mix and the products. The store
/// object adds these to running sums as events arrive, so the owner's day never scans sales.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    pub business_day: String,
    /// Local hour (0–23) the money moved in.
    pub hour: u32,
    pub lane_id: String,
    pub net: Money,
    /// +1 for a sale, −1 for a voided sale, 0 for a refund.
    pub sales: i64,
    /// (tender kind, amount): cash net of change; refunds and voids negative. A void's tenders are
    /// not on the void, so it shows as one "Voided" row and the mix still sums to the net.
    pub tenders: Vec<(String, Money)>,
    /// (sku, name, quantity, amount); refunds negative.
    pub products: Vec<(String, String, rust_decimal::Decimal, Money)>,
}

use crate::shift::tender_kind;

impl Contribution {
    pub fn of(event: &crate::event::Event, utc_offset_minutes: i32) -> Option<Contribution> {
        use crate::event::EventBody;
        let neg = |m: Money| Money::new(-m.amount, m.currency);
        let (tenders, products) = match &event.body {
            EventBody::SaleCompleted(s) => (
                s.tenders
                    .iter()
                    .map(|t| {
                        let amount = if t.is_cash() {
                            t.amount().checked_sub(s.change).unwrap_or(t.amount())
                        } else {
                            t.amount()
                        };
                        (tender_kind(t), amount)
                    })
                    .collect(),
                s.lines
                    .iter()
                    .map(|l| (l.sku.clone(), l.name.clone(), l.qty, l.amount))
                    .collect(),
            ),
            EventBody::RefundIssued(r) => (
                r.tenders
                    .iter()
                    .map(|t| (tender_kind(t), neg(t.amount())))
                    .collect(),
                r.lines
                    .iter()
                    .map(|l| (l.sku.clone(), l.name.clone(), -l.qty, neg(l.amount)))
                    .collect(),
            ),
            EventBody::SaleVoided(v) => (vec![("Voided".to_string(), neg(v.total))], Vec::new()),
            _ => return None,
        };
        Some(Contribution {
            business_day: event.business_day()?.to_string(),
            hour: crate::time::local_hour(event.at_ms, utc_offset_minutes),
            lane_id: event.lane_id.clone(),
            net: event.net_effect()?,
            sales: event.sales_count_effect(),
            tenders,
            products,
        })
    }
}

/// A business day in detail, for the owner's dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayDetail {
    pub business_day: String,
    pub net: Money,
    pub sales: i64,
    /// Net per transaction, rounded half-up to the currency's minor unit; None with no sales.
    pub average_basket: Option<Money>,
    /// The same weekday a week earlier, for comparison.
    pub last_week: Option<Comparison>,
    /// 24 local hours: (hour, net, sales).
    pub hourly: Vec<(u32, Money, i64)>,
    pub tenders: Vec<(String, Money)>,
    /// (lane code, net, sales).
    pub lanes: Vec<(String, Money, i64)>,
    /// Best sellers by amount: (sku, name, quantity, amount).
    pub top: Vec<(String, String, rust_decimal::Decimal, Money)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub business_day: String,
    pub net: Money,
    pub sales: i64,
    /// Change of net sales in percent, half-up to one decimal; None when the earlier day had none.
    pub change_percent: Option<rust_decimal::Decimal>,
}

/// Net per transaction (half-up to the minor unit), or None without transactions.
pub fn average_basket(net: Money, sales: i64) -> Option<Money> {
    (sales > 0).then(|| {
        let avg = net.amount / rust_decimal::Decimal::from(sales);
        Money::new(
            crate::money::Rounding::HalfUp.apply(avg, net.currency.minor_units()),
            net.currency,
        )
    })
}

/// How much `now` differs from `before`, in percent (half-up, 1 decimal).
pub fn change_percent(now: Money, before: Money) -> Option<rust_decimal::Decimal> {
    if before.amount.is_zero() || now.currency != before.currency {
        return None;
    }
    let pct =
        (now.amount - before.amount) / before.amount.abs() * rust_decimal::Decimal::ONE_HUNDRED;
    Some(crate::money::Rounding::HalfUp.apply(pct, 1))
}

/// A bar chart's scale: the axis top (the next 1-2-5 step at or above the largest value) and
/// each bar's height in whole pixels out of `height`. Negative values (a day of refunds) draw
/// as empty bars; the numbers beside the chart say what they are.
pub fn bar_scale(
    values: &[rust_decimal::Decimal],
    height: u32,
) -> (rust_decimal::Decimal, Vec<u32>) {
    use rust_decimal::Decimal;
    let max = values.iter().copied().fold(Decimal::ZERO, Decimal::max);
    let top = nice_ceiling(max);
    let heights = values
        .iter()
        .map(|v| {
            if top.is_zero() || *v <= Decimal::ZERO {
                0
            } else {
                let h = (*v / top * Decimal::from(height)).round_dp_with_strategy(
                    0,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                );
                u32::try_from(h.mantissa()).unwrap_or(height).min(height)
            }
        })
        .collect();
    (top, heights)
}

/// The smallest of 1, 2, 5 × 10^k at or above `v` (0 for nothing to show).
fn nice_ceiling(v: rust_decimal::Decimal) -> rust_decimal::Decimal {
    use rust_decimal::Decimal;
    if v <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let mut step = Decimal::ONE;
    while step * Decimal::TEN <= v {
        step *= Decimal::TEN;
    }
    while step > v && step > Decimal::new(1, 2) {
        step /= Decimal::TEN;
    }
    [Decimal::ONE, Decimal::TWO, Decimal::from(5), Decimal::TEN]
        .iter()
        .map(|m| step * m)
        .find(|c| *c >= v)
        .unwrap_or(step * Decimal::TEN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal::Decimal;

    #[test]
    fn charts_scale_to_a_round_top_and_whole_pixels() {
        let d = |n: i64| Decimal::from(n);
        let (top, h) = bar_scale(&[d(0), d(1200), d(3400), d(-50)], 100);
        assert_eq!(top, d(5000));
        assert_eq!(h, vec![0, 24, 68, 0]);
        assert_eq!(bar_scale(&[d(100)], 40), (d(100), vec![40]));
        assert_eq!(bar_scale(&[d(101)], 40).0, d(200));
        assert_eq!(bar_scale(&[], 40), (Decimal::ZERO, vec![]));
        assert_eq!(bar_scale(&[Decimal::new(7, 1)], 10).0, Decimal::ONE);
    }

    #[test]
    fn average_basket_and_change_name_their_rounding() {
        let yen = |n: i64| Money::new(Decimal::from(n), Currency::JPY);
        assert_eq!(average_basket(yen(1000), 3), Some(yen(333)));
        assert_eq!(
            average_basket(yen(1001), 2),
            Some(yen(501)),
            "500.5 rounds half-up"
        );
        assert_eq!(average_basket(yen(0), 0), None);
        assert_eq!(
            change_percent(yen(1125), yen(1000)),
            Some(Decimal::new(125, 1))
        );
        assert_eq!(
            change_percent(yen(999), yen(1000)),
            Some(Decimal::new(-1, 1))
        );
        assert_eq!(change_percent(yen(5), yen(0)), None);
    }

    #[test]
    fn a_sale_and_its_refund_contribute_opposite_amounts() {
        use crate::cart::{tests::product, Cart};
        use crate::catalogue::SoldBy;
        use crate::event::{Event, EventBody};
        use crate::refund::{Refund, RefundTo, ReturnLine, ReturnOrder};
        use crate::sale::{Checkout, Sale};
        use crate::store::StoreSettings;
        use crate::tax::TaxClass;
        use crate::tender::Tender;
        let store = StoreSettings::japan("s", "S");
        let mut cart = Cart::default();
        cart.add(
            &product("a", 300, TaxClass::Reduced, SoldBy::Each),
            Decimal::from(2),
        )
        .unwrap();
        let yen = |n: i64| Money::new(Decimal::from(n), Currency::JPY);
        // 2026-11-25 01:30 UTC is 10:30 in Tokyo.
        let at = crate::time::days_from_civil(2026, 11, 25) * 86_400_000 + 90 * 60_000;
        let ck = |id: u128, no: &str| Checkout {
            id: uuid::Uuid::from_u128(id),
            lane_id: "l1",
            receipt_no: no.into(),
            at_ms: at,
        };
        let sale = Sale::complete(
            &cart,
            &store,
            vec![Tender::Cash {
                tendered: yen(1000),
            }],
            ck(1, "L1-000001"),
        )
        .unwrap();
        let event = |seq: u64, body: EventBody| Event {
            id: uuid::Uuid::from_u128(seq as u128),
            lane_id: "l1".into(),
            lane_seq: seq,
            at_ms: at,
            v: 1,
            body,
        };
        let c = Contribution::of(&event(1, EventBody::SaleCompleted(sale.clone())), 540).unwrap();
        assert_eq!(
            (c.business_day.as_str(), c.hour, c.sales),
            ("2026-11-25", 10, 1)
        );
        assert_eq!(
            c.tenders,
            vec![("Cash".to_string(), yen(600))],
            "cash net of change"
        );
        assert_eq!(c.products[0].2, Decimal::from(2));
        let order = ReturnOrder {
            lines: vec![ReturnLine {
                line: 0,
                qty: Decimal::ONE,
            }],
            to: RefundTo::OriginalTenders,
            reason: "r".into(),
            approved_by: None,
        };
        let refund = Refund::against(ck(2, "L1-000002"), &store, &sale, &[], order).unwrap();
        let r = Contribution::of(&event(2, EventBody::RefundIssued(refund)), 540).unwrap();
        assert_eq!(r.net, yen(-300));
        assert_eq!(r.sales, 0);
        assert_eq!(r.tenders, vec![("Cash".to_string(), yen(-300))]);
        assert_eq!(r.products[0].2, Decimal::from(-1));
    }
}
