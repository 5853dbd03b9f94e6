//! Promotions: multi-buy ("3 for ¥500"), mix-and-match groups (any 3 of these for ¥500), buy X
//! get Y, and percentage offers limited to a time window (happy hour).
//!
//! Order of application is the store's list order, and a unit of a line is used by at most one
//! promotion, so the result never depends on the order lines were scanned in more than the
//! documented tie-breaks below. Within a promotion:
//! - groups for a multi-buy are made from the dearest eligible units first (the customer gets the
//!   biggest saving the offer allows; this is what shoppers expect from "any 3 for ¥500");
//! - for buy X get Y, the free (or discounted) units are the cheapest eligible ones, and the
//!   paid-for units the dearest: the usual retail rule, so a cheap item never pays for a dear one;
//! - equal prices are taken in line order.
//!
//! Each group's saving is spread over the lines it used in proportion to what they contributed
//! (largest remainder, see `cart::allocate`), so line savings add up exactly.

use crate::cart::{allocate, Line};
use crate::catalogue::SoldBy;
use crate::money::{Currency, Money, MoneyError, Rounding};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    pub id: String,
    /// Shown on the line and the receipt, e.g. "3 for ¥500".
    pub name: String,
    pub rule: PromoRule,
    /// When it applies; always, if none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<TimeWindow>,
}

/// Externally tagged on the wire ({"multi_buy": {...}}): an internally tagged enum makes serde
/// buffer the whole object first, which costs the till's wasm several kilobytes per decoder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromoRule {
    /// `qty` units from `skus` (one SKU: a multi-buy; several: a mix-and-match group) for `price`.
    MultiBuy {
        skus: Vec<String>,
        qty: u32,
        price: Decimal,
    },
    /// Buy `buy_qty` of `buy_skus`, get `get_qty` of `get_skus` at `percent_off` (100 = free).
    /// The two lists may be the same ("buy 2 get 1 free").
    BuyGet {
        buy_skus: Vec<String>,
        buy_qty: u32,
        get_skus: Vec<String>,
        get_qty: u32,
        percent_off: Decimal,
    },
    /// `percent` off every unit (or weighed line) of `skus`; with a window, a happy hour.
    PercentOff { skus: Vec<String>, percent: Decimal },
}

/// A weekly window in the store's local time, optionally within a range of business days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeWindow {
    /// ISO weekdays 1 (Monday) … 7 (Sunday); empty means every day.
    #[serde(default)]
    pub weekdays: Vec<u8>,
    /// Minutes after local midnight: the window is [start, end). start > end spans midnight.
    pub start_minute: u16,
    pub end_minute: u16,
    /// First and last business day ("YYYY-MM-DD"), inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_day: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until_day: Option<String>,
}

impl TimeWindow {
    pub fn contains(&self, at_ms: i64, utc_offset_minutes: i32) -> bool {
        let local = at_ms + i64::from(utc_offset_minutes) * 60_000;
        let days = local.div_euclid(86_400_000);
        // 1970-01-01 was a Thursday (ISO weekday 4).
        let weekday = ((days + 3).rem_euclid(7) + 1) as u8;
        let minute = (local.rem_euclid(86_400_000) / 60_000) as u16;
        let day = crate::time::business_day(at_ms, utc_offset_minutes);
        let in_days = self.from_day.as_deref().is_none_or(|f| day.as_str() >= f)
            && self.until_day.as_deref().is_none_or(|u| day.as_str() <= u);
        let (start, end) = (self.start_minute, self.end_minute);
        let in_hours = if start <= end {
            (start..end).contains(&minute)
        } else {
            minute >= start || minute < end
        };
        // A window spanning midnight belongs to the weekday it started on.
        let start_weekday = if start > end && minute < end {
            (weekday + 5) % 7 + 1
        } else {
            weekday
        };
        let in_week = self.weekdays.is_empty() || self.weekdays.contains(&start_weekday);
        in_days && in_hours && in_week
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromoError {
    #[error("promotion {0}: a quantity must be at least 1")]
    ZeroQuantity(String),
    #[error("promotion {0}: a percentage must be between 0 and 100")]
    BadPercent(String),
    #[error("promotion {0}: a price must not be negative")]
    NegativePrice(String),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// What promotions took off one line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PromoSaving {
    pub id: String,
    pub name: String,
    pub amount: Decimal,
}

impl Promotion {
    fn check(&self) -> Result<(), PromoError> {
        let bad_pct = |p: Decimal| p < Decimal::ZERO || p > Decimal::ONE_HUNDRED;
        match &self.rule {
            PromoRule::MultiBuy { qty: 0, .. }
            | PromoRule::BuyGet { buy_qty: 0, .. }
            | PromoRule::BuyGet { get_qty: 0, .. } => {
                Err(PromoError::ZeroQuantity(self.id.clone()))
            }
            PromoRule::MultiBuy { price, .. } if *price < Decimal::ZERO => {
                Err(PromoError::NegativePrice(self.id.clone()))
            }
            PromoRule::BuyGet { percent_off: p, .. } | PromoRule::PercentOff { percent: p, .. }
                if bad_pct(*p) =>
            {
                Err(PromoError::BadPercent(self.id.clone()))
            }
            _ => Ok(()),
        }
    }
}

/// One unit of a line still free to take part in a promotion.
#[derive(Debug, Clone, Copy)]
struct Unit {
    line: usize,
    price: Decimal,
}

/// The savings each line gets from `promotions` active at `at_ms`, in line order. Pure: the
/// same lines, promotions and instant always give the same answer.
pub fn evaluate(
    lines: &[Line],
    promotions: &[Promotion],
    currency: Currency,
    rounding: Rounding,
    at_ms: i64,
    utc_offset_minutes: i32,
) -> Result<Vec<Vec<PromoSaving>>, PromoError> {
    let mut savings: Vec<Vec<PromoSaving>> = vec![Vec::new(); lines.len()];
    // Units not yet used by a promotion, per line (pieces only; weighed lines count as one).
    let mut free: Vec<Decimal> = lines.iter().map(|l| l.qty).collect();
    for promo in promotions {
        promo.check()?;
        if promo
            .window
            .as_ref()
            .is_some_and(|w| !w.contains(at_ms, utc_offset_minutes))
        {
            continue;
        }
        // (line, saving) pieces of this promotion, grouped by application.
        let mut groups: Vec<Vec<(usize, Decimal)>> = Vec::new();
        let mut group_savings: Vec<Decimal> = Vec::new();
        match &promo.rule {
            PromoRule::MultiBuy { skus, qty, price } => {
                let mut units = units_of(lines, &free, skus);
                units.sort_by(|a, b| b.price.cmp(&a.price).then(a.line.cmp(&b.line)));
                for chunk in units.chunks_exact(*qty as usize) {
                    let full: Decimal = chunk.iter().map(|u| u.price).sum();
                    if full <= *price {
                        // Buying them separately is already cheaper: no group, no units used.
                        continue;
                    }
                    take(&mut free, chunk);
                    groups.push(chunk.iter().map(|u| (u.line, u.price)).collect());
                    group_savings.push(full - price);
                }
            }
            PromoRule::BuyGet {
                buy_skus,
                buy_qty,
                get_skus,
                get_qty,
                percent_off,
            } => loop {
                // The dearest qualifying units pay; the cheapest rewarded units are discounted.
                let mut buy = units_of(lines, &free, buy_skus);
                buy.sort_by(|a, b| b.price.cmp(&a.price).then(a.line.cmp(&b.line)));
                if buy.len() < *buy_qty as usize {
                    break;
                }
                let paid: Vec<Unit> = buy[..*buy_qty as usize].to_vec();
                let mut left = free.clone();
                take(&mut left, &paid);
                let mut get = units_of(lines, &left, get_skus);
                get.sort_by(|a, b| a.price.cmp(&b.price).then(a.line.cmp(&b.line)));
                if get.len() < *get_qty as usize {
                    break;
                }
                let rewarded = &get[..*get_qty as usize];
                let off = Money::new(
                    rewarded.iter().map(|u| u.price).sum::<Decimal>() * *percent_off
                        / Decimal::ONE_HUNDRED,
                    currency,
                )
                .round(rounding)
                .amount;
                take(&mut free, &paid);
                take(&mut free, rewarded);
                // The saving belongs to the discounted units' lines.
                groups.push(rewarded.iter().map(|u| (u.line, u.price)).collect());
                group_savings.push(off);
            },
            PromoRule::PercentOff { skus, percent } => {
                for (i, l) in lines.iter().enumerate() {
                    if !skus.contains(&l.sku) || free[i] <= Decimal::ZERO {
                        continue;
                    }
                    let base = Money::new(l.price(), currency)
                        .checked_mul(free[i])?
                        .round(rounding);
                    let off = base
                        .checked_mul(*percent / Decimal::ONE_HUNDRED)?
                        .round(rounding);
                    free[i] = Decimal::ZERO;
                    groups.push(vec![(i, base.amount)]);
                    group_savings.push(off.amount);
                }
            }
        }
        // Spread each group's saving over its lines, then add this promotion's per-line totals.
        let mut per_line = vec![Decimal::ZERO; lines.len()];
        for (group, saving) in groups.iter().zip(group_savings) {
            let mut weights: Vec<(usize, Money)> = Vec::new();
            for (line, price) in group {
                match weights.iter_mut().find(|(l, _)| l == line) {
                    Some((_, w)) => *w = w.checked_add(Money::new(*price, currency))?,
                    None => weights.push((*line, Money::new(*price, currency))),
                }
            }
            let ws: Vec<Money> = weights.iter().map(|(_, w)| *w).collect();
            let parts = allocate(Money::new(saving, currency), &ws)?;
            for ((line, _), part) in weights.iter().zip(parts) {
                per_line[*line] += part.amount;
            }
        }
        for (i, amount) in per_line.into_iter().enumerate() {
            if amount > Decimal::ZERO {
                savings[i].push(PromoSaving {
                    id: promo.id.clone(),
                    name: promo.name.clone(),
                    amount,
                });
            }
        }
    }
    Ok(savings)
}

fn units_of(lines: &[Line], free: &[Decimal], skus: &[String]) -> Vec<Unit> {
    let mut units = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        // Unit offers count pieces; a weighed line is never "3 for".
        if l.sold_by != SoldBy::Each || !skus.contains(&l.sku) {
            continue;
        }
        let n = free[i].trunc().to_string().parse::<usize>().unwrap_or(0);
        // A cart line of absurd quantity must not allocate absurd memory.
        units.extend((0..n.min(10_000)).map(|_| Unit {
            line: i,
            price: l.price(),
        }));
    }
    units
}

fn take(free: &mut [Decimal], units: &[Unit]) {
    for u in units {
        free[u.line] -= Decimal::ONE;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tax::TaxClass;
    use proptest::prelude::*;

    const JPY: Currency = Currency::JPY;

    fn line(sku: &str, qty: i64, price: i64) -> Line {
        Line {
            sku: sku.into(),
            name: sku.into(),
            qty: Decimal::from(qty),
            unit_price: Decimal::from(price),
            tax_class: TaxClass::Reduced,
            sold_by: SoldBy::Each,
            price_override: None,
            discount: None,
            note: String::new(),
            promotions: Vec::new(),
        }
    }

    fn promo(id: &str, rule: PromoRule) -> Promotion {
        Promotion {
            id: id.into(),
            name: id.into(),
            rule,
            window: None,
        }
    }

    fn saved(lines: &[Line], promos: &[Promotion]) -> Vec<i64> {
        evaluate(lines, promos, JPY, Rounding::Down, 0, 540)
            .unwrap()
            .iter()
            .map(|s| {
                s.iter()
                    .map(|p| p.amount)
                    .sum::<Decimal>()
                    .try_into()
                    .unwrap()
            })
            .collect()
    }

    fn skus(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn three_for_500_applies_once_per_three_and_leaves_the_fourth_at_full_price() {
        let p = promo(
            "onigiri3",
            PromoRule::MultiBuy {
                skus: skus(&["onigiri"]),
                qty: 3,
                price: Decimal::from(500),
            },
        );
        // 4 × ¥180 = ¥720; one group of 3 (¥540) for ¥500 saves ¥40.
        assert_eq!(
            saved(&[line("onigiri", 4, 180)], std::slice::from_ref(&p)),
            vec![40]
        );
        assert_eq!(
            saved(&[line("onigiri", 6, 180)], std::slice::from_ref(&p)),
            vec![80]
        );
        assert_eq!(saved(&[line("onigiri", 2, 180)], &[p]), vec![0]);
    }

    #[test]
    fn mix_and_match_groups_the_dearest_units_and_splits_the_saving_by_contribution() {
        let p = promo(
            "any3",
            PromoRule::MultiBuy {
                skus: skus(&["a", "b"]),
                qty: 3,
                price: Decimal::from(400),
            },
        );
        // a ¥180 ×2, b ¥150 ×2: group a, a, b = ¥510 → saves ¥110, split 360:150 = 77.6 : 32.4;
        // floors 77 + 32, and the leftover yen goes to the larger remainder (a).
        let s = saved(&[line("a", 2, 180), line("b", 2, 150)], &[p]);
        assert_eq!(s.iter().sum::<i64>(), 110);
        assert_eq!(s, vec![78, 32]);
    }

    #[test]
    fn a_multibuy_dearer_than_buying_separately_is_not_applied() {
        let p = promo(
            "bad",
            PromoRule::MultiBuy {
                skus: skus(&["a"]),
                qty: 2,
                price: Decimal::from(500),
            },
        );
        assert_eq!(saved(&[line("a", 2, 100)], &[p]), vec![0]);
    }

    #[test]
    fn buy_two_get_one_free_gives_the_cheapest_unit() {
        let drinks = skus(&["tea", "coffee", "water"]);
        let p = promo(
            "b2g1",
            PromoRule::BuyGet {
                buy_skus: drinks.clone(),
                buy_qty: 2,
                get_skus: drinks,
                get_qty: 1,
                percent_off: Decimal::ONE_HUNDRED,
            },
        );
        let lines = [
            line("coffee", 1, 200),
            line("tea", 1, 150),
            line("water", 1, 100),
        ];
        assert_eq!(saved(&lines, std::slice::from_ref(&p)), vec![0, 0, 100]);
        // Six drinks: two rounds, the two cheapest free.
        let six = [line("coffee", 3, 200), line("water", 3, 100)];
        assert_eq!(saved(&six, &[p]), vec![0, 200]);
    }

    #[test]
    fn list_order_decides_and_a_unit_is_used_by_one_promotion_only() {
        let multi = promo(
            "2for300",
            PromoRule::MultiBuy {
                skus: skus(&["a"]),
                qty: 2,
                price: Decimal::from(300),
            },
        );
        let pct = promo(
            "10off",
            PromoRule::PercentOff {
                skus: skus(&["a"]),
                percent: Decimal::from(10),
            },
        );
        // 3 × ¥200: the multi-buy takes two (saves ¥100), 10% off the third (¥20).
        assert_eq!(
            saved(&[line("a", 3, 200)], &[multi.clone(), pct.clone()]),
            vec![120]
        );
        // The other way round the percentage takes all three first (¥60).
        assert_eq!(saved(&[line("a", 3, 200)], &[pct, multi]), vec![60]);
    }

    #[test]
    fn happy_hour_applies_only_inside_its_window() {
        let mut p = promo(
            "happy",
            PromoRule::PercentOff {
                skus: skus(&["beer"]),
                percent: Decimal::from(20),
            },
        );
        // Weekdays 17:00–19:00, Japan time.
        p.window = Some(TimeWindow {
            weekdays: vec![1, 2, 3, 4, 5],
            start_minute: 17 * 60,
            end_minute: 19 * 60,
            from_day: None,
            until_day: None,
        });
        let lines = [line("beer", 2, 500)];
        let at = |ms: i64| {
            evaluate(
                &lines,
                std::slice::from_ref(&p),
                JPY,
                Rounding::Down,
                ms,
                540,
            )
            .unwrap()[0]
                .iter()
                .map(|s| s.amount)
                .sum::<Decimal>()
        };
        // 2026-11-24 (a Tuesday) 18:00 JST = 09:00 UTC.
        let tue_18 = 1_795_510_800_000;
        assert_eq!(crate::time::business_day(tue_18, 540), "2026-11-24");
        assert_eq!(at(tue_18), Decimal::from(200));
        assert_eq!(at(tue_18 + 2 * 3_600_000), Decimal::ZERO, "20:00 is after");
        assert_eq!(at(tue_18 + 4 * 86_400_000), Decimal::ZERO, "Saturday");
    }

    #[test]
    fn a_window_across_midnight_belongs_to_the_day_it_started() {
        let w = TimeWindow {
            weekdays: vec![5], // Friday night
            start_minute: 22 * 60,
            end_minute: 2 * 60,
            from_day: None,
            until_day: None,
        };
        let fri_23 = 1_795_510_800_000 + 3 * 86_400_000 + 5 * 3_600_000; // Fri 2026-11-27 23:00 JST
        assert!(w.contains(fri_23, 540));
        assert!(
            w.contains(fri_23 + 2 * 3_600_000, 540),
            "Saturday 01:00 is still Friday night"
        );
        assert!(
            !w.contains(fri_23 + 4 * 3_600_000, 540),
            "Saturday 03:00 is over"
        );
    }

    #[test]
    fn invalid_promotions_are_errors_not_panics() {
        let zero = promo(
            "z",
            PromoRule::MultiBuy {
                skus: skus(&["a"]),
                qty: 0,
                price: Decimal::ONE,
            },
        );
        assert_eq!(
            evaluate(&[line("a", 1, 1)], &[zero], JPY, Rounding::Down, 0, 0),
            Err(PromoError::ZeroQuantity("z".into()))
        );
    }

    proptest! {
        #[test]
        fn savings_never_exceed_what_a_line_costs(
            qty_a in 0i64..12, qty_b in 0i64..12, price_a in 1i64..1000, price_b in 1i64..1000,
            deal in 0i64..2000, pct in 0i64..=100
        ) {
            let lines: Vec<Line> = [line("a", qty_a, price_a), line("b", qty_b, price_b)]
                .into_iter().filter(|l| l.qty > Decimal::ZERO).collect();
            let g = skus(&["a", "b"]);
            let promos = [
                promo("m", PromoRule::MultiBuy { skus: g.clone(), qty: 3, price: Decimal::from(deal) }),
                promo("bg", PromoRule::BuyGet { buy_skus: g.clone(), buy_qty: 2, get_skus: g.clone(), get_qty: 1, percent_off: Decimal::from(pct) }),
                promo("p", PromoRule::PercentOff { skus: g, percent: Decimal::from(pct) }),
            ];
            let s = evaluate(&lines, &promos, JPY, Rounding::Down, 0, 540).unwrap();
            for (l, saving) in lines.iter().zip(&s) {
                let total: Decimal = saving.iter().map(|p| p.amount).sum();
                prop_assert!(total >= Decimal::ZERO);
                prop_assert!(total <= l.qty * l.price(), "{} > {}", total, l.qty * l.price());
            }
        }
    }
}
