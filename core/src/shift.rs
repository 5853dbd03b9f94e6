//! Shifts: a float counted by denomination, cash in and out with a reason, a blind count at
//! close, and the X (mid-shift) and Z (close) reports — pure functions over the lane's events.
//!
//! Expected cash = float + cash taken for sales − cash given back for refunds + cash in − cash
//! out. Over/short = counted − expected.

use crate::event::{Event, EventBody};
use crate::money::{Currency, Money, MoneyError};
use crate::tax::TaxLine;
use crate::tender::Tender;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Notes and coins of a currency, largest first: the rows of a count screen.
pub fn denominations(currency: Currency) -> Vec<Decimal> {
    let list: &[i64] = match currency.code() {
        "JPY" => &[10000, 5000, 2000, 1000, 500, 100, 50, 10, 5, 1],
        // In minor units for currencies with cents.
        "USD" => &[10000, 5000, 2000, 1000, 500, 100, 25, 10, 5, 1],
        "EUR" => &[
            50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1,
        ],
        _ => &[],
    };
    list.iter()
        .map(|v| Decimal::new(*v, currency.minor_units()))
        .collect()
}

/// A count of cash by denomination.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashCount {
    /// (denomination, how many)
    pub pieces: Vec<(Decimal, u32)>,
}

impl CashCount {
    pub fn total(&self, currency: Currency) -> Money {
        Money::new(
            self.pieces.iter().map(|(d, n)| d * Decimal::from(*n)).sum(),
            currency,
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftOpened {
    pub shift_id: Uuid,
    pub staff_id: String,
    pub float: CashCount,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashMoved {
    pub shift_id: Uuid,
    pub direction: Direction,
    pub amount: Money,
    pub reason: String,
    pub staff_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftClosed {
    pub shift_id: Uuid,
    pub staff_id: String,
    /// The blind count: entered before the expected amount is shown.
    pub counted: CashCount,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShiftError {
    #[error("no shift {0} was opened on this lane")]
    NotOpened(Uuid),
    #[error("give a reason for moving cash in or out")]
    NeedsReason,
    #[error("an amount must be more than zero")]
    NonPositive,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl CashMoved {
    pub fn validate(&self) -> Result<(), ShiftError> {
        if self.reason.trim().is_empty() {
            return Err(ShiftError::NeedsReason);
        }
        if self.amount.amount <= Decimal::ZERO {
            return Err(ShiftError::NonPositive);
        }
        Ok(())
    }
}

/// What a shift's reports are made from: the shift's own records and the sales and refunds in
/// it. A lane keeps these (not whole events) for its open shift: decoding them needs no event
/// envelope, so the till does not carry a decoder for every kind of event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShiftRecord {
    Opened(ShiftOpened),
    CashMoved(CashMoved),
    Closed(ShiftClosed),
    Sale(crate::sale::Sale),
    Refund(crate::refund::Refund),
    GiftCardLoaded(crate::gift_card::GiftCardLoad),
}

impl ShiftRecord {
    /// The record an event contributes to a shift, if any.
    pub fn of(event: &Event) -> Option<ShiftRecord> {
        Some(match &event.body {
            EventBody::ShiftOpened(o) => ShiftRecord::Opened(o.clone()),
            EventBody::CashMoved(m) => ShiftRecord::CashMoved(m.clone()),
            EventBody::ShiftClosed(c) => ShiftRecord::Closed(c.clone()),
            EventBody::SaleCompleted(s) => ShiftRecord::Sale(s.clone()),
            EventBody::RefundIssued(r) => ShiftRecord::Refund(r.clone()),
            EventBody::GiftCardLoaded(l) => ShiftRecord::GiftCardLoaded(l.clone()),
            _ => return None,
        })
    }
}

/// An X report (shift still open) or Z report (`counted` and `over_short` set).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftReport {
    pub shift_id: Uuid,
    pub float: Money,
    pub sales: u32,
    pub net_sales: Money,
    pub refunds: u32,
    pub refunded: Money,
    /// Cash kept from sales (cash tendered − change).
    pub cash_sales: Money,
    /// Cash given back for refunds.
    pub cash_refunds: Money,
    pub cash_in: Money,
    pub cash_out: Money,
    pub expected_cash: Money,
    /// Totals per tender kind ("Cash", "VISA ****4242" …), sales minus refunds.
    pub tenders: Vec<(String, Money)>,
    /// Tax per rate, sales minus refunds.
    pub tax: Vec<TaxLine>,
    pub counted: Option<Money>,
    pub over_short: Option<Money>,
    /// Tips the customers added (in the tenders above, not in net sales): owed to the staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tips: Option<Money>,
    /// Money put on gift cards (in the tenders above, not in net sales: the store owes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_cards_sold: Option<Money>,
    /// The cash part of that, which is in the drawer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_from_gift_cards: Option<Money>,
}

impl ShiftReport {
    /// The report for `shift_id` from the lane's events in lane order: everything after the
    /// shift opened and up to (and including) its close.
    pub fn from_events(shift_id: Uuid, events: &[Event]) -> Result<ShiftReport, ShiftError> {
        let records: Vec<ShiftRecord> = events.iter().filter_map(ShiftRecord::of).collect();
        ShiftReport::from_records(shift_id, &records)
    }

    /// The same from the shift's records in lane order (what a lane keeps for its open shift).
    pub fn from_records(
        shift_id: Uuid,
        records: &[ShiftRecord],
    ) -> Result<ShiftReport, ShiftError> {
        let start = records
            .iter()
            .position(|r| matches!(r, ShiftRecord::Opened(o) if o.shift_id == shift_id))
            .ok_or(ShiftError::NotOpened(shift_id))?;
        let ShiftRecord::Opened(opened) = &records[start] else {
            return Err(ShiftError::NotOpened(shift_id));
        };
        let cur = opened.currency;
        let zero = Money::zero(cur);
        let mut r = ShiftReport {
            shift_id,
            float: opened.float.total(cur),
            sales: 0,
            net_sales: zero,
            refunds: 0,
            refunded: zero,
            cash_sales: zero,
            cash_refunds: zero,
            cash_in: zero,
            cash_out: zero,
            expected_cash: zero,
            tenders: Vec::new(),
            tax: Vec::new(),
            counted: None,
            over_short: None,
            tips: None,
            gift_cards_sold: None,
            cash_from_gift_cards: None,
        };
        for record in &records[start + 1..] {
            match record {
                ShiftRecord::Sale(s) => {
                    r.sales += 1;
                    r.net_sales = r.net_sales.checked_add(s.total)?;
                    if let Some(tip) = s.tip {
                        r.tips = Some(r.tips.unwrap_or(zero).checked_add(tip)?);
                    }
                    let cash = Money::sum(
                        cur,
                        s.tenders.iter().filter(|t| t.is_cash()).map(Tender::amount),
                    )?;
                    r.cash_sales = r.cash_sales.checked_add(cash.checked_sub(s.change)?)?;
                    for t in &s.tenders {
                        let amount = if t.is_cash() {
                            t.amount().checked_sub(s.change)?
                        } else {
                            t.amount()
                        };
                        add_to(&mut r.tenders, &tender_kind(t), amount)?;
                    }
                    for t in &s.tax {
                        add_tax(&mut r.tax, t, false)?;
                    }
                }
                ShiftRecord::Refund(f) => {
                    r.refunds += 1;
                    r.refunded = r.refunded.checked_add(f.total)?;
                    for t in &f.tenders {
                        if t.is_cash() {
                            r.cash_refunds = r.cash_refunds.checked_add(t.amount())?;
                        }
                        add_to(
                            &mut r.tenders,
                            &tender_kind(t),
                            Money::new(-t.amount().amount, cur),
                        )?;
                    }
                    for t in &f.tax {
                        add_tax(&mut r.tax, t, true)?;
                    }
                }
                ShiftRecord::GiftCardLoaded(l) => {
                    r.gift_cards_sold =
                        Some(r.gift_cards_sold.unwrap_or(zero).checked_add(l.amount)?);
                    for t in &l.tenders {
                        let amount = if t.is_cash() {
                            let kept = t.amount().checked_sub(l.change)?;
                            r.cash_from_gift_cards =
                                Some(r.cash_from_gift_cards.unwrap_or(zero).checked_add(kept)?);
                            kept
                        } else {
                            t.amount()
                        };
                        add_to(&mut r.tenders, &tender_kind(t), amount)?;
                    }
                }
                ShiftRecord::CashMoved(m) if m.shift_id == shift_id => match m.direction {
                    Direction::In => r.cash_in = r.cash_in.checked_add(m.amount)?,
                    Direction::Out => r.cash_out = r.cash_out.checked_add(m.amount)?,
                },
                ShiftRecord::Closed(c) if c.shift_id == shift_id => {
                    r.counted = Some(c.counted.total(cur));
                    break;
                }
                _ => {}
            }
        }
        r.expected_cash = r
            .float
            .checked_add(r.cash_sales)?
            .checked_add(r.cash_from_gift_cards.unwrap_or(zero))?
            .checked_sub(r.cash_refunds)?
            .checked_add(r.cash_in)?
            .checked_sub(r.cash_out)?;
        if let Some(counted) = r.counted {
            r.over_short = Some(counted.checked_sub(r.expected_cash)?);
        }
        Ok(r)
    }

    pub fn is_z(&self) -> bool {
        self.counted.is_some()
    }
}

/// Cards are grouped by brand on the reports, not by card.
pub(crate) fn tender_kind(t: &Tender) -> String {
    match t {
        Tender::Card { brand, .. } => format!("Card {brand}"),
        other => other.label(),
    }
}

fn add_to(list: &mut Vec<(String, Money)>, key: &str, amount: Money) -> Result<(), MoneyError> {
    match list.iter_mut().find(|(k, _)| k == key) {
        Some((_, m)) => *m = m.checked_add(amount)?,
        None => list.push((key.to_string(), amount)),
    }
    Ok(())
}

fn add_tax(list: &mut Vec<TaxLine>, t: &TaxLine, refund: bool) -> Result<(), MoneyError> {
    let sign = |m: Money| {
        if refund {
            Money::new(-m.amount, m.currency)
        } else {
            m
        }
    };
    match list.iter_mut().find(|l| l.class == t.class) {
        Some(l) => {
            l.taxable = l.taxable.checked_add(sign(t.taxable))?;
            l.tax = l.tax.checked_add(sign(t.tax))?;
        }
        None => list.push(TaxLine {
            class: t.class,
            rate: t.rate,
            taxable: sign(t.taxable),
            tax: sign(t.tax),
        }),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::{tests::product, Cart};
    use crate::catalogue::SoldBy;
    use crate::sale::{Checkout, Sale};
    use crate::store::StoreSettings;
    use crate::tax::TaxClass;

    fn yen(v: i64) -> Money {
        Money::new(Decimal::from(v), Currency::JPY)
    }

    fn ev(seq: u64, body: EventBody) -> Event {
        Event {
            id: Uuid::from_u128(seq as u128),
            lane_id: "l".into(),
            lane_seq: seq,
            at_ms: 0,
            v: 1,
            body,
        }
    }

    fn count(pieces: &[(i64, u32)]) -> CashCount {
        CashCount {
            pieces: pieces
                .iter()
                .map(|(d, n)| (Decimal::from(*d), *n))
                .collect(),
        }
    }

    fn sale(seq: u64, price: i64, tenders: Vec<Tender>) -> Event {
        let store = StoreSettings::japan("s", "S");
        let mut cart = Cart::default();
        cart.add(
            &product("p", price, TaxClass::Reduced, SoldBy::Each),
            Decimal::ONE,
        )
        .unwrap();
        let ck = Checkout {
            id: Uuid::from_u128(seq as u128),
            lane_id: "l",
            receipt_no: format!("{seq}"),
            at_ms: 0,
        };
        ev(
            seq,
            EventBody::SaleCompleted(Sale::complete(&cart, &store, tenders, ck).unwrap()),
        )
    }

    #[test]
    fn a_count_100_yen_short_shows_100_yen_short_on_the_z_report() {
        let shift = Uuid::from_u128(900);
        let card = Tender::Card {
            amount: yen(540),
            brand: "VISA".into(),
            last4: "4242".into(),
            approval: "A1".into(),
        };
        let events = vec![
            ev(
                1,
                EventBody::ShiftOpened(ShiftOpened {
                    shift_id: shift,
                    staff_id: "s1".into(),
                    float: count(&[(1000, 10), (100, 20)]),
                    currency: Currency::JPY,
                }),
            ),
            sale(
                2,
                830,
                vec![Tender::Cash {
                    tendered: yen(1000),
                }],
            ),
            sale(3, 540, vec![card]),
            ev(
                4,
                EventBody::CashMoved(CashMoved {
                    shift_id: shift,
                    direction: Direction::Out,
                    amount: yen(5000),
                    reason: "bank deposit".into(),
                    staff_id: "s1".into(),
                }),
            ),
            ev(
                5,
                EventBody::ShiftClosed(ShiftClosed {
                    shift_id: shift,
                    staff_id: "s1".into(),
                    counted: count(&[(1000, 7), (100, 6)]),
                }),
            ),
        ];
        let x = ShiftReport::from_events(shift, &events[..4]).unwrap();
        assert!(!x.is_z());
        // 12,000 float + 830 cash kept − 5,000 out = 7,830 expected.
        assert_eq!(x.expected_cash, yen(7_830));
        let z = ShiftReport::from_events(shift, &events).unwrap();
        assert_eq!(
            (z.counted, z.over_short),
            (Some(yen(7_600)), Some(yen(-230)))
        );
        let mut short_by_100 = events.clone();
        short_by_100[4] = ev(
            5,
            EventBody::ShiftClosed(ShiftClosed {
                shift_id: shift,
                staff_id: "s1".into(),
                counted: count(&[(1000, 7), (500, 1), (100, 2), (10, 3)]),
            }),
        );
        assert_eq!(
            ShiftReport::from_events(shift, &short_by_100)
                .unwrap()
                .over_short,
            Some(yen(-100))
        );
        assert_eq!((z.sales, z.net_sales), (2, yen(1_370)));
        assert_eq!(
            z.tenders,
            vec![("Cash".into(), yen(830)), ("Card VISA".into(), yen(540))]
        );
        assert_eq!(
            ShiftReport::from_events(Uuid::from_u128(1), &events),
            Err(ShiftError::NotOpened(Uuid::from_u128(1)))
        );
        assert_eq!(z.tips, None);
    }

    #[test]
    fn tips_are_in_the_tenders_and_the_cash_but_not_in_net_sales() {
        let shift = Uuid::from_u128(901);
        let mut store = StoreSettings::japan("s", "S");
        store.tips = Some(crate::tip::TipSettings::default());
        let mut cart = Cart::default();
        cart.add(
            &product("p", 1000, TaxClass::Standard, SoldBy::Each),
            Decimal::ONE,
        )
        .unwrap();
        let tipped = |seq: u64, tender: Tender, tip: i64| {
            let ck = Checkout {
                id: Uuid::from_u128(u128::from(seq)),
                lane_id: "l",
                receipt_no: format!("{seq}"),
                at_ms: 0,
            };
            let sale =
                Sale::complete_with_tip(&cart, &store, vec![tender], ck, Some(yen(tip))).unwrap();
            ev(seq, EventBody::SaleCompleted(sale))
        };
        let events = vec![
            ev(
                1,
                EventBody::ShiftOpened(ShiftOpened {
                    shift_id: shift,
                    staff_id: "s1".into(),
                    float: count(&[(1000, 1)]),
                    currency: Currency::JPY,
                }),
            ),
            tipped(
                2,
                Tender::Cash {
                    tendered: yen(2000),
                },
                150,
            ),
            tipped(
                3,
                Tender::Card {
                    amount: yen(1200),
                    brand: "VISA".into(),
                    last4: "4242".into(),
                    approval: "A1".into(),
                },
                200,
            ),
        ];
        let x = ShiftReport::from_events(shift, &events).unwrap();
        assert_eq!(x.net_sales, yen(2000));
        assert_eq!(x.tips, Some(yen(350)));
        // The drawer holds the cash tip; the card batch includes the card tip.
        assert_eq!(x.expected_cash, yen(1000 + 1150));
        assert_eq!(
            x.tenders,
            vec![("Cash".into(), yen(1150)), ("Card VISA".into(), yen(1200))]
        );
        // A ¥3,000 gift card sold for cash (¥5,000 handed over): in the drawer, not in sales.
        let load = crate::gift_card::GiftCardLoad::new(
            "2026-12-01",
            "GC00010002",
            yen(3000),
            vec![Tender::Cash {
                tendered: yen(5000),
            }],
            None,
        )
        .unwrap();
        let mut with_card = events.clone();
        with_card.push(ev(4, EventBody::GiftCardLoaded(load)));
        let x = ShiftReport::from_events(shift, &with_card).unwrap();
        assert_eq!(x.net_sales, yen(2000));
        assert_eq!(x.gift_cards_sold, Some(yen(3000)));
        assert_eq!(x.expected_cash, yen(1000 + 1150 + 3000));
        assert_eq!(x.tenders[0], ("Cash".into(), yen(4150)));
    }

    #[test]
    fn denominations_sum_by_count() {
        let c = count(&[(10000, 1), (5000, 1), (1, 3)]);
        assert_eq!(c.total(Currency::JPY), yen(15_003));
        assert_eq!(denominations(Currency::JPY).len(), 10);
        assert_eq!(denominations(Currency::USD)[0], Decimal::new(10000, 2));
    }

    #[test]
    fn moving_cash_needs_a_reason_and_an_amount() {
        let m = CashMoved {
            shift_id: Uuid::nil(),
            direction: Direction::In,
            amount: yen(0),
            reason: "change".into(),
            staff_id: "s".into(),
        };
        assert_eq!(m.validate(), Err(ShiftError::NonPositive));
        let m = CashMoved {
            amount: yen(100),
            reason: " ".into(),
            ..m
        };
        assert_eq!(m.validate(), Err(ShiftError::NeedsReason));
    }
}
