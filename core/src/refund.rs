//! Refunds and returns: against an original sale, any subset of its lines and quantities, never
//! more than sold minus already returned. Amounts are proportional to what was actually paid for
//! the line (its share of any cart discount included), and the tax refunded is the tax actually
//! charged; the last return of a line, or of a tax rate, takes the exact remainder, so returning
//! everything refunds exactly the sale's total and tax.

use crate::money::{Money, MoneyError, Rounding};
use crate::sale::Sale;
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub id: Uuid,
    /// The original sale; `None` for a return without a receipt.
    pub sale_id: Option<Uuid>,
    pub lines: Vec<RefundLine>,
    /// Tax given back, per rate.
    pub tax: Vec<TaxLine>,
    pub total: Money,
    /// Money going back to the customer, by tender.
    pub tenders: Vec<Tender>,
    pub reason: String,
    pub approved_by: Option<String>,
}

impl Refund {
    /// Return `request` from `sale`, given the refunds already made against it.
    pub fn against(
        id: Uuid,
        sale: &Sale,
        previous: &[Refund],
        request: &[ReturnLine],
        to: RefundTo,
        reason: &str,
        approved_by: Option<&str>,
    ) -> Result<Refund, RefundError> {
        if previous.iter().any(|r| r.sale_id != Some(sale.id)) {
            return Err(RefundError::OtherSale);
        }
        if request.is_empty() {
            return Err(RefundError::Nothing);
        }
        if reason.trim().is_empty() {
            return Err(RefundError::NeedsReason);
        }
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
        let tenders = refund_tenders(sale, previous, total, &to)?;
        Ok(Refund {
            id,
            sale_id: Some(sale.id),
            lines,
            tax,
            total,
            tenders,
            reason: reason.trim().to_string(),
            approved_by: approved_by.map(str::to_string),
        })
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
    if let RefundTo::StoreCredit { customer_id } = to {
        return Ok(vec![Tender::StoreCredit {
            amount: total,
            customer_id: customer_id.clone(),
        }]);
    }
    let mut left = total;
    let mut out = Vec::new();
    // Non-cash first, each up to what it paid minus what was already returned to the same kind
    // and reference; then cash for the rest.
    for t in sale.tenders.iter().filter(|t| !t.is_cash()) {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::tests::product;
    use crate::cart::{Cart, Discount};
    use crate::catalogue::SoldBy;
    use crate::money::Currency;
    use crate::sale::Checkout;
    use crate::store::StoreSettings;
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

    #[test]
    fn partial_returns_are_proportional_and_the_last_takes_the_remainder() {
        // 3 × ¥100 with a ¥50 cart discount over one line: the line cost ¥250.
        let sale = sale_of(&[(100, 3, true)], 50, vec![]);
        assert_eq!(sale.total, yen(250));
        let r1 = Refund::against(
            Uuid::from_u128(2),
            &sale,
            &[],
            &[ret(0, 1)],
            RefundTo::OriginalTenders,
            "faulty",
            None,
        )
        .unwrap();
        assert_eq!(r1.total, yen(83)); // 250 / 3 = 83.33, rounded down
        let r2 = Refund::against(
            Uuid::from_u128(3),
            &sale,
            &[r1.clone()],
            &[ret(0, 2)],
            RefundTo::OriginalTenders,
            "faulty",
            None,
        )
        .unwrap();
        assert_eq!(r2.total, yen(167));
        let tax: Money = Money::sum(
            Currency::JPY,
            [&r1, &r2].iter().flat_map(|r| &r.tax).map(|t| t.tax),
        )
        .unwrap();
        assert_eq!(
            tax, sale.tax[0].tax,
            "all the tax charged comes back, no more"
        );
        let err = Refund::against(
            Uuid::from_u128(4),
            &sale,
            &[r1, r2],
            &[ret(0, 1)],
            RefundTo::OriginalTenders,
            "x",
            None,
        )
        .unwrap_err();
        assert!(matches!(err, RefundError::TooMany { .. }));
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
        let r = Refund::against(
            Uuid::from_u128(2),
            &sale,
            &[],
            &[ret(0, 2)],
            RefundTo::OriginalTenders,
            "changed mind",
            None,
        )
        .unwrap();
        assert_eq!(
            r.tenders,
            vec![
                with_amount(&card, yen(300)),
                Tender::Cash { tendered: yen(700) }
            ]
        );
        let credit = Refund::against(
            Uuid::from_u128(3),
            &sale,
            &[],
            &[ret(0, 1)],
            RefundTo::StoreCredit {
                customer_id: "c1".into(),
            },
            "x",
            None,
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
            Refund::against(
                Uuid::from_u128(4),
                &sale,
                &[],
                &[],
                RefundTo::OriginalTenders,
                "x",
                None
            ),
            Err(RefundError::Nothing)
        );
        assert_eq!(
            Refund::against(
                Uuid::from_u128(4),
                &sale,
                &[],
                &[ret(0, 1)],
                RefundTo::OriginalTenders,
                " ",
                None
            ),
            Err(RefundError::NeedsReason)
        );
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
                match Refund::against(Uuid::from_u128(n as u128 + 10), &sale, &done, &[ret(line, qty)], RefundTo::OriginalTenders, "r", None) {
                    Ok(r) => {
                        prop_assert!(r.total.amount >= Decimal::ZERO);
                        done.push(r);
                    }
                    Err(RefundError::TooMany { .. }) => {}
                    Err(e) => prop_assert!(false, "{e}"),
                }
                let refunded: Decimal = done.iter().map(|r| r.total.amount).sum();
                prop_assert!(refunded <= sale.total.amount);
                let cash_back: Decimal = done.iter().flat_map(|r| &r.tenders).map(|t| t.amount().amount).sum();
                prop_assert_eq!(cash_back, refunded);
            }
            // Return whatever is left: then exactly the total and every rate's tax have come back.
            let left: Vec<ReturnLine> = sale.lines.iter().enumerate().filter_map(|(i, l)| {
                let back: Decimal = done.iter().flat_map(|r| &r.lines).filter(|x| x.line == i).map(|x| x.qty).sum();
                (l.qty > back).then(|| ReturnLine { line: i, qty: l.qty - back })
            }).collect();
            if !left.is_empty() {
                done.push(Refund::against(Uuid::from_u128(99), &sale, &done, &left, RefundTo::OriginalTenders, "r", None).unwrap());
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
