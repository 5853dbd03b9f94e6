//! Finalising a cart into a `Sale`: tenders, change, receipt number, per-rate tax.
//!
//! A `Sale` is immutable once made; it carries everything a printed receipt needs and is what the
//! lane stores and the edge re-checks with the same code.

use crate::cart::{Cart, CartError, Totals};
use crate::catalogue::SoldBy;
use crate::money::{Money, MoneyError};
use crate::store::StoreSettings;
use crate::tax::{TaxClass, TaxLine};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One way the customer paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tender {
    /// Cash handed over; change is given back from the cash tender only.
    Cash { tendered: Money },
}

impl Tender {
    pub fn amount(&self) -> Money {
        match self {
            Tender::Cash { tendered } => *tendered,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutError {
    #[error("the cart is empty")]
    EmptyCart,
    #[error("{paid} is less than the total {total}: {short} more is needed")]
    Underpaid {
        paid: String,
        total: String,
        short: String,
    },
    #[error("the amount tendered must not be negative")]
    NegativeTender,
    #[error(transparent)]
    Cart(#[from] CartError),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    pub sku: String,
    pub name: String,
    pub qty: Decimal,
    pub unit_price: Money,
    pub amount: Money,
    pub tax_class: TaxClass,
    pub sold_by: SoldBy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    /// Made on the device when checkout starts, reused on every retry.
    pub id: Uuid,
    pub store_id: String,
    pub lane_id: String,
    /// Gap-free per lane: lane code + counter, printed on the receipt.
    pub receipt_no: String,
    pub at_ms: i64,
    /// The store's business day ("YYYY-MM-DD") in its time zone.
    pub business_day: String,
    pub lines: Vec<SaleLine>,
    pub subtotal: Money,
    pub tax: Vec<TaxLine>,
    pub total: Money,
    pub tenders: Vec<Tender>,
    pub change: Money,
}

/// Who and when: the facts about a checkout that do not come from the cart.
#[derive(Debug, Clone)]
pub struct Checkout<'a> {
    pub id: Uuid,
    pub lane_id: &'a str,
    pub receipt_no: String,
    pub at_ms: i64,
}

impl Sale {
    /// Price the cart by the store's rules and settle it with the tenders.
    pub fn complete(
        cart: &Cart,
        store: &StoreSettings,
        tenders: Vec<Tender>,
        ck: Checkout<'_>,
    ) -> Result<Sale, CheckoutError> {
        if cart.is_empty() {
            return Err(CheckoutError::EmptyCart);
        }
        let totals = cart.totals(store)?;
        let change = settle(&totals, &tenders, store)?;
        let lines = cart
            .lines
            .iter()
            .zip(&totals.line_amounts)
            .map(|(l, amount)| SaleLine {
                sku: l.sku.clone(),
                name: l.name.clone(),
                qty: l.qty,
                unit_price: Money::new(l.unit_price, store.currency),
                amount: *amount,
                tax_class: l.tax_class,
                sold_by: l.sold_by,
            })
            .collect();
        Ok(Sale {
            id: ck.id,
            store_id: store.store_id.clone(),
            lane_id: ck.lane_id.to_string(),
            receipt_no: ck.receipt_no,
            at_ms: ck.at_ms,
            business_day: crate::time::business_day(ck.at_ms, store.utc_offset_minutes),
            lines,
            subtotal: totals.subtotal,
            tax: totals.tax,
            total: totals.total,
            tenders,
            change,
        })
    }

    /// Re-price the sale's lines with the store's rules and check every figure it carries.
    /// The edge calls this on what a lane sends, so a lane can never book a sale core would not make.
    pub fn verify(&self, store: &StoreSettings) -> Result<(), String> {
        let cart = Cart {
            lines: self
                .lines
                .iter()
                .map(|l| crate::cart::Line {
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    qty: l.qty,
                    unit_price: l.unit_price.amount,
                    tax_class: l.tax_class,
                    sold_by: l.sold_by,
                })
                .collect(),
        };
        if self
            .lines
            .iter()
            .any(|l| l.unit_price.currency != store.currency)
        {
            return Err(format!(
                "the sale is not in the store's currency {}",
                store.currency
            ));
        }
        let totals = cart.totals(store).map_err(|e| e.to_string())?;
        for (i, (line, want)) in self.lines.iter().zip(&totals.line_amounts).enumerate() {
            if line.amount != *want {
                return Err(format!(
                    "line {} amount {} should be {}",
                    i + 1,
                    line.amount,
                    want
                ));
            }
        }
        if self.total != totals.total || self.subtotal != totals.subtotal || self.tax != totals.tax
        {
            return Err(format!(
                "the total {} does not match its lines ({})",
                self.total, totals.total
            ));
        }
        let change = settle(&totals, &self.tenders, store).map_err(|e| e.to_string())?;
        if change != self.change {
            return Err(format!("change {} should be {}", self.change, change));
        }
        if self.business_day != crate::time::business_day(self.at_ms, store.utc_offset_minutes) {
            return Err("the business day does not match the sale's time".into());
        }
        Ok(())
    }

    /// Stock movements this sale causes: (sku, −quantity) per line.
    pub fn stock_deltas(&self) -> Vec<(String, Decimal)> {
        self.lines.iter().map(|l| (l.sku.clone(), -l.qty)).collect()
    }
}

/// Check the tenders cover the total; returns the change due (from cash only).
fn settle(
    totals: &Totals,
    tenders: &[Tender],
    store: &StoreSettings,
) -> Result<Money, CheckoutError> {
    if tenders.iter().any(|t| t.amount().amount < Decimal::ZERO) {
        return Err(CheckoutError::NegativeTender);
    }
    let paid = Money::sum(store.currency, tenders.iter().map(Tender::amount))?;
    let short = totals.total.checked_sub(paid)?;
    if short.amount > Decimal::ZERO {
        return Err(CheckoutError::Underpaid {
            paid: paid.display(),
            total: totals.total.display(),
            short: short.display(),
        });
    }
    Ok(paid.checked_sub(totals.total)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::tests::product;
    use crate::money::Currency;

    fn ck(receipt: &str) -> Checkout<'static> {
        Checkout {
            id: Uuid::from_u128(7),
            lane_id: "lane-1",
            receipt_no: receipt.into(),
            at_ms: 1_795_532_400_000,
        }
    }

    #[test]
    fn cash_sale_gives_change_and_verifies() {
        let store = StoreSettings::japan("s", "S");
        let mut cart = Cart::default();
        cart.add(
            &product("a", 140, TaxClass::Reduced, SoldBy::Each),
            Decimal::from(2),
        )
        .unwrap();
        cart.add(
            &product("b", 550, TaxClass::Standard, SoldBy::Each),
            Decimal::ONE,
        )
        .unwrap();
        let cash = Tender::Cash {
            tendered: Money::new(Decimal::from(1000), Currency::JPY),
        };
        let sale = Sale::complete(&cart, &store, vec![cash], ck("L1-000001")).unwrap();
        assert_eq!(sale.total.amount, Decimal::from(830));
        assert_eq!(sale.change.amount, Decimal::from(170));
        assert_eq!(sale.business_day, "2026-11-25");
        assert_eq!(sale.verify(&store), Ok(()));

        let mut forged = sale.clone();
        forged.total.amount = Decimal::from(1);
        assert!(forged.verify(&store).is_err());
    }

    #[test]
    fn underpaying_is_refused_with_the_amount_short() {
        let store = StoreSettings::japan("s", "S");
        let mut cart = Cart::default();
        cart.add(
            &product("a", 830, TaxClass::Reduced, SoldBy::Each),
            Decimal::ONE,
        )
        .unwrap();
        let cash = Tender::Cash {
            tendered: Money::new(Decimal::from(500), Currency::JPY),
        };
        let err = Sale::complete(&cart, &store, vec![cash], ck("x")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "¥500 is less than the total ¥830: ¥330 more is needed"
        );
        assert_eq!(
            Sale::complete(&Cart::default(), &store, vec![], ck("x")),
            Err(CheckoutError::EmptyCart)
        );
    }
}
