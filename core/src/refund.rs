//! Refunds and returns: against an original sale, any subset of its lines and quantities, never
//! more than sold minus already returned. Amounts are proportional to what was actually paid for
//! the line (its share of any cart discount included), and the tax refunded is the tax actually
//! charged; the last return of a line, or of a tax rate, takes the exact remainder, so returning
//! everything refunds exactly the sale's total and tax.

use crate::catalogue::Product;
use crate::money::{Money, MoneyError, Rounding};
use crate::sale::{Checkout, Sale};
use crate::store::StoreSettings;
use crate::tax::{TaxClass, TaxLine};
use crate::tender::Tender;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    #[error("the receipt has no line {0}")]
    NoSuchLine(usize),
    #[error("only {remaining} of {name} can still be returned")]
    TooMany { name: String, remaining: Decimal },
    #[error("a returned quantity must be more than zero")]
    NonPositive,
    #[error("choose at least one item to return")]
    Nothing,
    #[error("give a reason for the refund")]
    NeedsReason,
    #[error("a return without a receipt needs a manager's approval")]
    NeedsApproval,
    #[error("that refund belongs to another sale")]
    OtherSale,
    #[error("an exchange cannot apply more than the returned items are worth ({0})")]
    ExchangeTooMuch(String),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// One line of the original sale and how much of it comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLine {
    /// Index of the line on the original sale.
    pub line: usize,
    pub qty: Decimal,
}

/// Where the money goes back to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RefundTo {
    /// Back the way it was paid: non-cash tenders first (each up to what it paid and was not
    /// already refunded), the rest in cash.
    OriginalTenders,
    StoreCredit {
        customer_id: String,
    },
    /// Part of an exchange: `applied` of the returned value pays for the new sale `sale_id`;
    /// anything above it goes back the way it was paid (see `exchange`).
    Exchange {
        sale_id: Uuid,
        applied: Money,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLine {
    pub line: usize,
    pub sku: String,
    pub name: String,
    pub qty: Decimal,
    pub amount: Money,
    pub tax_class: TaxClass,
}

/// What the cashier asked for: which lines, where the money goes, why, and who approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnOrder {
    pub lines: Vec<ReturnLine>,
    pub to: RefundTo,
    pub reason: String,
    pub approved_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub id: Uuid,
    pub store_id: String,
    pub lane_id: String,
    /// The refund's own receipt number (same lane counter as sales).
    pub receipt_no: String,
    pub at_ms: i64,
    /// The business day the refund is booked to (the day it happened, not the sale's day).
    pub business_day: String,
    /// The original sale; `None` for a return without a receipt.
    pub sale_id: Option<Uuid>,
    /// What was asked for, kept so the edge can recompute the refund exactly.
    pub order: ReturnOrder,
    pub lines: Vec<RefundLine>,
    /// Tax given back, per rate.
    pub tax: Vec<TaxLine>,
    pub total: Money,
    /// Money going back to the customer, by tender.
    pub tenders: Vec<Tender>,
}

impl Refund {
    /// Return `order.lines` from `sale`, given the refunds already made against it.
    pub fn against(
        ck: Checkout<'_>,
        store: &StoreSettings,
        sale: &Sale,
        previous: &[Refund],
        order: ReturnOrder,
    ) -> Result<Refund, RefundError> {
        if previous.iter().any(|r| r.sale_id != Some(sale.id)) {
            return Err(RefundError::OtherSale);
        }
        if order.lines.is_empty() {
            return Err(RefundError::Nothing);
        }
        if order.reason.trim().is_empty() {
            return Err(RefundError::NeedsReason);
        }
        let request = &order.lines;
        let cur = sale.total.currency;
        let dp = cur.minor_units();
        let earlier = |line: usize| {
            previous
                .iter()
                .flat_map(|r| &r.lines)
                .filter(move |l| l.line == line)
        };
        let mut lines = Vec::with_capacity(request.len());
        for req in request {
            let sold = sale
                .lines
                .get(req.line)
                .ok_or(RefundError::NoSuchLine(req.line))?;
            if req.qty <= Decimal::ZERO {
                return Err(RefundError::NonPositive);
            }
            let returned: Decimal = earlier(req.line).map(|l| l.qty).sum::<Decimal>()
                + lines
                    .iter()
                    .filter(|l: &&RefundLine| l.line == req.line)
                    .map(|l| l.qty)
                    .sum::<Decimal>();
            let remaining = sold.qty - returned;
            if req.qty > remaining {
                return Err(RefundError::TooMany {
                    name: sold.name.clone(),
                    remaining,
                });
            }
            let refunded = Money::sum(cur, earlier(req.line).map(|l| l.amount))?;
            let amount = if req.qty == remaining {
                // The last units take whatever of the line is left, so rounding never strands a yen.
                sold.amount.checked_sub(refunded)?
            } else {
                // Rounded down: a partial return never gives back more than its share.
                Money::new(
                    Rounding::Down.apply(sold.amount.amount * req.qty / sold.qty, dp),
                    cur,
                )
            };
            lines.push(RefundLine {
                line: req.line,
                sku: sold.sku.clone(),
                name: sold.name.clone(),
                qty: req.qty,
                amount,
                tax_class: sold.tax_class,
            });
        }
        let total = Money::sum(cur, lines.iter().map(|l| l.amount))?;
        let tax = refund_tax(sale, previous, &lines)?;
        let tenders = refund_tenders(sale, previous, total, &order.to)?;
        Ok(Refund::header(
            ck,
            store,
            Some(sale.id),
            order,
            lines,
            tax,
            total,
            tenders,
        ))
    }

    /// A return without a receipt: at the current price, to cash or store credit, and only with
    /// a manager's approval.
    pub fn without_receipt(
        ck: Checkout<'_>,
        store: &StoreSettings,
        items: &[(Product, Decimal)],
        order: ReturnOrder,
    ) -> Result<Refund, RefundError> {
        if order.approved_by.is_none() {
            return Err(RefundError::NeedsApproval);
        }
        if items.is_empty() {
            return Err(RefundError::Nothing);
        }
        if order.reason.trim().is_empty() {
            return Err(RefundError::NeedsReason);
        }
        let cur = store.currency;
        let mut lines = Vec::with_capacity(items.len());
        for (i, (p, qty)) in items.iter().enumerate() {
            if *qty <= Decimal::ZERO {
                return Err(RefundError::NonPositive);
            }
            let amount = Money::new(p.price, cur)
                .checked_mul(*qty)?
                .round(store.line_rounding);
            lines.push(RefundLine {
                line: i,
                sku: p.sku.clone(),
                name: p.name.clone(),
                qty: *qty,
                amount,
                tax_class: p.tax_class,
            });
        }
        let total = Money::sum(cur, lines.iter().map(|l| l.amount))?;
        let tax = store
            .tax
            .summarise(cur, lines.iter().map(|l| (l.tax_class, l.amount)))?;
        let tenders = match &order.to {
            RefundTo::StoreCredit { customer_id } => vec![Tender::StoreCredit {
                amount: total,
                customer_id: customer_id.clone(),
            }],
            RefundTo::OriginalTenders => vec![Tender::Cash { tendered: total }],
            RefundTo::Exchange { sale_id, applied } => {
                let (mut out, rest) = exchange_part(total, *sale_id, *applied)?;
                if !rest.is_zero() {
                    out.push(Tender::Cash { tendered: rest });
                }
                out
            }
        };
        Ok(Refund::header(
            ck, store, None, order, lines, tax, total, tenders,
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn header(
        ck: Checkout<'_>,
        store: &StoreSettings,
        sale_id: Option<Uuid>,
        order: ReturnOrder,
        lines: Vec<RefundLine>,
        tax: Vec<TaxLine>,
        total: Money,
        tenders: Vec<Tender>,
    ) -> Refund {
        Refund {
            id: ck.id,
            store_id: store.store_id.clone(),
            lane_id: ck.lane_id.to_string(),
            receipt_no: ck.receipt_no,
            at_ms: ck.at_ms,
            business_day: crate::time::business_day(ck.at_ms, store.utc_offset_minutes),
            sale_id,
            order,
            lines,
            tax,
            total,
            tenders,
        }
    }

    /// Recompute this refund from its order with core's rules — against the original sale and
    /// the refunds the store already holds — and require every figure to match. A refund made
    /// offline on two lanes for the same items fails here on the second: it is reported, not booked.
    pub fn verify(
        &self,
        store: &StoreSettings,
        sale: Option<&Sale>,
        previous: &[Refund],
    ) -> Result<(), String> {
        let ck = Checkout {
            id: self.id,
            lane_id: &self.lane_id,
            receipt_no: self.receipt_no.clone(),
            at_ms: self.at_ms,
        };
        let again = match (self.sale_id, sale) {
            (Some(id), Some(sale)) if sale.id == id => {
                Refund::against(ck, store, sale, previous, self.order.clone())
            }
            (Some(id), _) => {
                return Err(format!("the original sale {id} is not known to this store"))
            }
            (None, _) => {
                // Without a receipt the price came from the catalogue at the time; check the
                // arithmetic and the approval rather than the price itself.
                let items: Vec<(Product, Decimal)> = self
                    .lines
                    .iter()
                    .map(|l| {
                        let unit = if l.qty.is_zero() {
                            Decimal::ZERO
                        } else {
                            l.amount.amount / l.qty
                        };
                        (
                            Product {
                                sku: l.sku.clone(),
                                gtin: None,
                                name: l.name.clone(),
                                alt_name: String::new(),
                                category: String::new(),
                                price: unit,
                                tax_class: l.tax_class,
                                sold_by: crate::catalogue::SoldBy::Kilogram,
                                active: true,
                                version: 0,
                                reorder_level: None,
                            },
                            l.qty,
                        )
                    })
                    .collect();
                Refund::without_receipt(ck, store, &items, self.order.clone())
            }
        }
        .map_err(|e| e.to_string())?;
        if &again != self {
            return Err(format!(
                "the refund of {} does not match the store's rules (expected {})",
                self.total, again.total
            ));
        }
        Ok(())
    }

    /// Stock coming back: (sku, +quantity) per line.
    pub fn stock_deltas(&self) -> Vec<(String, Decimal)> {
        self.lines.iter().map(|l| (l.sku.clone(), l.qty)).collect()
    }
}

/// Per rate: the share of the tax charged that matches the share of the rate's amount refunded;
/// the refund that brings a rate's refunded amount to its full taxable amount takes the rest.
fn refund_tax(
    sale: &Sale,
    previous: &[Refund],
    lines: &[RefundLine],
) -> Result<Vec<TaxLine>, RefundError> {
    let cur = sale.total.currency;
    let mut out = Vec::new();
    for charged in &sale.tax {
        let now = Money::sum(
            cur,
            lines
                .iter()
                .filter(|l| l.tax_class == charged.class)
                .map(|l| l.amount),
        )?;
        if now.is_zero() {
            continue;
        }
        let before = previous
            .iter()
            .flat_map(|r| &r.tax)
            .filter(|t| t.class == charged.class);
        let taxable_before = Money::sum(cur, before.clone().map(|t| t.taxable))?;
        let tax_before = Money::sum(cur, before.map(|t| t.tax))?;
        let taxable_after = taxable_before.checked_add(now)?;
        let tax = if taxable_after == charged.taxable || charged.taxable.is_zero() {
            charged.tax.checked_sub(tax_before)?
        } else {
            Money::new(
                Rounding::Down.apply(
                    charged.tax.amount * now.amount / charged.taxable.amount,
                    cur.minor_units(),
                ),
                cur,
            )
        };
        out.push(TaxLine {
            class: charged.class,
            rate: charged.rate,
            taxable: now,
            tax,
        });
    }
    Ok(out)
}

fn refund_tenders(
    sale: &Sale,
    previous: &[Refund],
    total: Money,
    to: &RefundTo,
) -> Result<Vec<Tender>, RefundError> {
    let cur = total.currency;
    match to {
        RefundTo::StoreCredit { customer_id } => {
            return Ok(vec![Tender::StoreCredit {
                amount: total,
                customer_id: customer_id.clone(),
            }])
        }
        RefundTo::Exchange { sale_id, applied } => {
            let (mut out, rest) = exchange_part(total, *sale_id, *applied)?;
            if !rest.is_zero() {
                out.extend(refund_tenders(
                    sale,
                    previous,
                    rest,
                    &RefundTo::OriginalTenders,
                )?);
            }
            return Ok(out);
        }
        RefundTo::OriginalTenders => {}
    }
    let mut left = total;
    let mut out = Vec::new();
    // Non-cash first, each up to what it paid minus what was already returned to the same kind
    // and reference; then cash for the rest. What an exchange credit paid came from goods, not
    // money: it goes back in cash.
    for t in sale
        .tenders
        .iter()
        .filter(|t| !t.is_cash() && !matches!(t, Tender::Exchange { .. }))
    {
        if left.is_zero() {
            break;
        }
        let returned = Money::sum(
            cur,
            previous
                .iter()
                .flat_map(|r| &r.tenders)
                .filter(|p| same_instrument(p, t))
                .map(Tender::amount),
        )?;
        let room = t.amount().checked_sub(returned)?;
        let give = if room.amount < left.amount {
            room
        } else {
            left
        };
        if give.amount > Decimal::ZERO {
            out.push(with_amount(t, give));
            left = left.checked_sub(give)?;
        }
    }
    if left.amount > Decimal::ZERO {
        out.push(Tender::Cash { tendered: left });
    }
    Ok(out)
}

/// The exchange credit of a refund worth `total` of which `applied` pays for sale `sale_id`,
/// and what is left to give back.
fn exchange_part(
    total: Money,
    sale_id: Uuid,
    applied: Money,
) -> Result<(Vec<Tender>, Money), RefundError> {
    if applied.amount < Decimal::ZERO || applied.amount > total.amount {
        return Err(RefundError::ExchangeTooMuch(total.display()));
    }
    let rest = total.checked_sub(applied)?;
    let out = if applied.is_zero() {
        Vec::new()
    } else {
        vec![Tender::Exchange {
            amount: applied,
            with: sale_id,
        }]
    };
    Ok((out, rest))
}

fn same_instrument(a: &Tender, b: &Tender) -> bool {
    match (a, b) {
        (
            Tender::Card {
                last4: x,
                approval: ax,
                ..
            },
            Tender::Card {
                last4: y,
                approval: ay,
                ..
            },
        ) => x == y && ax == ay,
        (Tender::GiftCard { card_id: x, .. }, Tender::GiftCard { card_id: y, .. }) => x == y,
        (
            Tender::StoreCredit { customer_id: x, .. },
            Tender::StoreCredit { customer_id: y, .. },
        ) => x == y,
        (Tender::Other { name: x, .. }, Tender::Other { name: y, .. }) => x == y,
        (Tender::Exchange { with: x, .. }, Tender::Exchange { with: y, .. }) => x == y,
        _ => false,
    }
}

fn with_amount(t: &Tender, amount: Money) -> Tender {
    match t.clone() {
        Tender::Cash { .. } => Tender::Cash { tendered: amount },
        Tender::Card {
            brand,
            last4,
            approval,
            ..
        } => Tender::Card {
            amount,
            brand,
            last4,
            approval,
        },
        Tender::GiftCard { card_id, .. } => Tender::GiftCard { amount, card_id },
        Tender::StoreCredit { customer_id, .. } => Tender::StoreCredit {
            amount,
            customer_id,
        },
        Tender::Other { name, .. } => Tender::Other { amount, name },
        Tender::Exchange { with, .. } => Tender::Exchange { amount, with },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::tests::product;
    use crate::cart::{Cart, Discount};
    use crate::catalogue::SoldBy;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn yen(v: i64) -> Money {
        Money::new(Decimal::from(v), Currency::JPY)
    }

    fn sale_of(items: &[(i64, i64, bool)], cart_discount: i64, tenders: Vec<Tender>) -> Sale {
        let store = StoreSettings::japan("s", "S");
        let mut cart = Cart::default();
        for (i, (price, qty, reduced)) in items.iter().enumerate() {
            let class = if *reduced {
                TaxClass::Reduced
            } else {
                TaxClass::Standard
            };
            cart.add(
                &product(&format!("p{i}"), *price, class, SoldBy::Each),
                Decimal::from(*qty),
            )
            .unwrap();
        }
        if cart_discount > 0 {
            cart.discount = Some(Discount::Amount(Decimal::from(cart_discount)));
        }
        let total = cart.totals(&store).unwrap().total;
        let tenders = if tenders.is_empty() {
            vec![Tender::Cash { tendered: total }]
        } else {
            tenders
        };
        Sale::complete(
            &cart,
            &store,
            tenders,
            Checkout {
                id: Uuid::from_u128(1),
                lane_id: "l",
                receipt_no: "R1".into(),
                at_ms: 0,
            },
        )
        .unwrap()
    }

    fn ret(line: usize, qty: i64) -> ReturnLine {
        ReturnLine {
            line,
            qty: Decimal::from(qty),
        }
    }

    fn order(lines: Vec<ReturnLine>, to: RefundTo, reason: &str) -> ReturnOrder {
        ReturnOrder {
            lines,
            to,
            reason: reason.into(),
            approved_by: None,
        }
    }

    fn ck(n: u128) -> Checkout<'static> {
        Checkout {
            id: Uuid::from_u128(n),
            lane_id: "l",
            receipt_no: format!("R{n}"),
            at_ms: 86_400_000,
        }
    }

    fn refund(
        n: u128,
        sale: &Sale,
        previous: &[Refund],
        lines: Vec<ReturnLine>,
        to: RefundTo,
        reason: &str,
    ) -> Result<Refund, RefundError> {
        Refund::against(
            ck(n),
            &StoreSettings::japan("s", "S"),
            sale,
            previous,
            order(lines, to, reason),
        )
    }

    #[test]
    fn partial_returns_are_proportional_and_the_last_takes_the_remainder() {
        // 3 × ¥100 with a ¥50 cart discount over one line: the line cost ¥250.
        let sale = sale_of(&[(100, 3, true)], 50, vec![]);
        assert_eq!(sale.total, yen(250));
        let r1 = refund(
            2,
            &sale,
            &[],
            vec![ret(0, 1)],
            RefundTo::OriginalTenders,
            "faulty",
        )
        .unwrap();
        assert_eq!(r1.total, yen(83)); // 250 / 3 = 83.33, rounded down
        let r2 = refund(
            3,
            &sale,
            std::slice::from_ref(&r1),
            vec![ret(0, 2)],
            RefundTo::OriginalTenders,
            "faulty",
        )
        .unwrap();
        assert_eq!(r2.total, yen(167));
        let tax = Money::sum(
            Currency::JPY,
            [&r1, &r2].iter().flat_map(|r| &r.tax).map(|t| t.tax),
        )
        .unwrap();
        assert_eq!(
            tax, sale.tax[0].tax,
            "all the tax charged comes back, no more"
        );
        let err = refund(
            4,
            &sale,
            &[r1.clone(), r2.clone()],
            vec![ret(0, 1)],
            RefundTo::OriginalTenders,
            "x",
        )
        .unwrap_err();
        assert!(matches!(err, RefundError::TooMany { .. }));
        // The edge's check: each refund recomputes exactly against what came before it …
        let store = StoreSettings::japan("s", "S");
        assert_eq!(r1.verify(&store, Some(&sale), &[]), Ok(()));
        assert_eq!(
            r2.verify(&store, Some(&sale), std::slice::from_ref(&r1)),
            Ok(())
        );
        // … and the same refund made offline on a second lane, after both, is refused.
        assert!(r2
            .verify(&store, Some(&sale), &[r1.clone(), r2.clone()])
            .is_err());
        let mut forged = r1.clone();
        forged.total = yen(200);
        assert!(forged.verify(&store, Some(&sale), &[]).is_err());
        assert!(r1.verify(&store, None, &[]).is_err());
    }

    #[test]
    fn money_goes_back_to_the_card_first_then_cash_or_to_store_credit() {
        let card = Tender::Card {
            amount: yen(300),
            brand: "JCB".into(),
            last4: "1234".into(),
            approval: "OK1".into(),
        };
        let sale = sale_of(
            &[(500, 2, false)],
            0,
            vec![
                card.clone(),
                Tender::Cash {
                    tendered: yen(1000),
                },
            ],
        );
        let r = refund(
            2,
            &sale,
            &[],
            vec![ret(0, 2)],
            RefundTo::OriginalTenders,
            "changed mind",
        )
        .unwrap();
        assert_eq!(
            r.tenders,
            vec![
                with_amount(&card, yen(300)),
                Tender::Cash { tendered: yen(700) }
            ]
        );
        let credit = refund(
            3,
            &sale,
            &[],
            vec![ret(0, 1)],
            RefundTo::StoreCredit {
                customer_id: "c1".into(),
            },
            "x",
        )
        .unwrap();
        assert_eq!(
            credit.tenders,
            vec![Tender::StoreCredit {
                amount: yen(500),
                customer_id: "c1".into()
            }]
        );
        assert_eq!(
            refund(4, &sale, &[], vec![], RefundTo::OriginalTenders, "x"),
            Err(RefundError::Nothing)
        );
        assert_eq!(
            refund(
                4,
                &sale,
                &[],
                vec![ret(0, 1)],
                RefundTo::OriginalTenders,
                " "
            ),
            Err(RefundError::NeedsReason)
        );
    }

    #[test]
    fn a_return_without_a_receipt_needs_approval() {
        let store = StoreSettings::japan("s", "S");
        let items = [(
            product("p", 300, TaxClass::Standard, SoldBy::Each),
            Decimal::from(2),
        )];
        let mut o = order(vec![], RefundTo::OriginalTenders, "no receipt");
        assert_eq!(
            Refund::without_receipt(ck(5), &store, &items, o.clone()),
            Err(RefundError::NeedsApproval)
        );
        o.approved_by = Some("mgr-1".into());
        let r = Refund::without_receipt(ck(5), &store, &items, o).unwrap();
        assert_eq!(
            (r.total, r.tenders.clone()),
            (yen(600), vec![Tender::Cash { tendered: yen(600) }])
        );
        assert_eq!(r.verify(&store, None, &[]), Ok(()));
    }

    proptest! {
        #[test]
        fn refunds_never_exceed_what_was_paid(
            items in proptest::collection::vec((1i64..5_000, 1i64..6, any::<bool>()), 1..6),
            discount_pct in 0i64..50,
            picks in proptest::collection::vec((0usize..6, 1i64..6), 1..30),
        ) {
            let gross: i64 = items.iter().map(|(p, q, _)| p * q).sum();
            let sale = sale_of(&items, gross * discount_pct / 100, vec![]);
            let mut done: Vec<Refund> = Vec::new();
            for (n, (line, qty)) in picks.into_iter().enumerate() {
                let line = line % sale.lines.len();
                match refund(n as u128 + 10, &sale, &done, vec![ret(line, qty)], RefundTo::OriginalTenders, "r") {
                    Ok(r) => {
                        prop_assert!(r.total.amount >= Decimal::ZERO);
                        done.push(r);
                    }
                    Err(RefundError::TooMany { .. }) => {}
                    Err(e) => prop_assert!(false, "{e}"),
                }
                let refunded: Decimal = done.iter().map(|r| r.total.amount).sum();
                prop_assert!(refunded <= sale.total.amount);
                let given_back: Decimal = done.iter().flat_map(|r| &r.tenders).map(|t| t.amount().amount).sum();
                prop_assert_eq!(given_back, refunded);
            }
            // Return whatever is left: then exactly the total and every rate's tax have come back.
            let left: Vec<ReturnLine> = sale.lines.iter().enumerate().filter_map(|(i, l)| {
                let back: Decimal = done.iter().flat_map(|r| &r.lines).filter(|x| x.line == i).map(|x| x.qty).sum();
                (l.qty > back).then(|| ReturnLine { line: i, qty: l.qty - back })
            }).collect();
            if !left.is_empty() {
                done.push(refund(99, &sale, &done, left, RefundTo::OriginalTenders, "r").unwrap());
            }
            let refunded: Decimal = done.iter().map(|r| r.total.amount).sum();
            prop_assert_eq!(refunded, sale.total.amount);
            for charged in &sale.tax {
                let back: Decimal = done.iter().flat_map(|r| &r.tax).filter(|t| t.class == charged.class).map(|t| t.tax.amount).sum();
                prop_assert_eq!(back, charged.tax.amount);
            }
        }
    }
}
