//! Finalising a cart into a `Sale`: tenders, change, receipt number, per-rate tax.
//!
//! A `Sale` is immutable once made; it carries everything a printed receipt needs and is what the
//! lane stores and the edge re-checks with the same code.

use crate::cart::{Cart, CartError, Discount, PriceOverride, TaxExemption};
use crate::catalogue::SoldBy;
use crate::money::{Money, MoneyError};
use crate::promo::PromoSaving;
use crate::store::StoreSettings;
use crate::tax::{TaxClass, TaxLine};
pub use crate::tender::Tender;
use crate::tender::{settle, TenderError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutError {
    #[error("the cart is empty")]
    EmptyCart,
    #[error(transparent)]
    Tender(#[from] TenderError),
    #[error(transparent)]
    Cart(#[from] CartError),
    #[error(transparent)]
    Money(#[from] MoneyError),
    #[error(transparent)]
    Tip(#[from] crate::tip::TipError),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    pub sku: String,
    pub name: String,
    pub qty: Decimal,
    /// The unit price charged (after any override).
    pub unit_price: Money,
    /// Quantity × unit price.
    pub gross: Money,
    /// The line's own discount plus its share of the cart discount.
    pub discount: Money,
    /// What the line cost: gross − discount. Tax and refunds are based on this.
    pub amount: Money,
    pub tax_class: TaxClass,
    pub sold_by: SoldBy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_override: Option<PriceOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_discount: Option<Discount>,
    /// Promotions that took part of `discount` off, with their names for the receipt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotions: Vec<PromoSaving>,
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
    /// The cart's own discount, if any (its shares are in the lines' `discount`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_discount: Option<Discount>,
    /// Cash rounding to the smallest coin (due − total), when the store uses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_rounding: Option<Money>,
    /// The sale carried no tax, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_exempt: Option<TaxExemption>,
    /// The cashier signed in on the lane (a store without staff set up has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
    /// What the customer added for the staff, paid on top of `total` (not a sale: no tax,
    /// not in net sales).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip: Option<Money>,
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
        Sale::complete_with_tip(cart, store, tenders, ck, None)
    }

    /// As `complete`, with a tip the tenders pay on top of the total (a zero tip is none).
    pub fn complete_with_tip(
        cart: &Cart,
        store: &StoreSettings,
        tenders: Vec<Tender>,
        ck: Checkout<'_>,
        tip: Option<Money>,
    ) -> Result<Sale, CheckoutError> {
        if cart.is_empty() {
            return Err(CheckoutError::EmptyCart);
        }
        let business_day = crate::time::business_day(ck.at_ms, store.utc_offset_minutes);
        let totals = cart.totals_on(store, &business_day)?;
        let tip = tip.filter(|t| !t.is_zero());
        if let Some(t) = tip {
            crate::tip::check(store.tips.as_ref(), t, totals.total)?;
        }
        let due = match tip {
            Some(t) => totals.total.checked_add(t)?,
            None => totals.total,
        };
        let settlement = settle(due, &tenders, store.cash_rounding)?;
        let lines = cart
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| SaleLine {
                sku: l.sku.clone(),
                name: l.name.clone(),
                qty: l.qty,
                unit_price: Money::new(l.price(), store.currency),
                gross: totals.line_gross[i],
                discount: totals.line_discounts[i],
                amount: totals.line_amounts[i],
                tax_class: l.tax_class,
                sold_by: l.sold_by,
                price_override: l.price_override.clone(),
                line_discount: l.discount,
                promotions: l.promotions.clone(),
            })
            .collect();
        Ok(Sale {
            id: ck.id,
            store_id: store.store_id.clone(),
            lane_id: ck.lane_id.to_string(),
            receipt_no: ck.receipt_no,
            at_ms: ck.at_ms,
            business_day,
            lines,
            subtotal: totals.subtotal,
            tax: totals.tax,
            total: totals.total,
            tenders,
            change: settlement.change,
            cart_discount: cart.discount,
            cash_rounding: (!settlement.rounding.is_zero()).then_some(settlement.rounding),
            tax_exempt: cart.tax_exempt.clone(),
            staff_id: None,
            tip,
        })
    }

    /// What the customer paid in all: the total and the tip.
    pub fn due(&self) -> Money {
        match self.tip {
            Some(t) => self.total.checked_add(t).unwrap_or(self.total),
            None => self.total,
        }
    }

    /// The cart this sale was priced from: the charged unit price (an override's price is what
    /// was charged, so it stands in for the catalogue price), the discounts, the quantities.
    fn to_cart(&self) -> Cart {
        Cart {
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
                    price_override: None,
                    discount: l.line_discount,
                    note: String::new(),
                    promotions: l.promotions.clone(),
                })
                .collect(),
            discount: self.cart_discount,
            tax_exempt: self.tax_exempt.clone(),
        }
    }

    /// Re-price the sale's lines with the store's rules and check every figure it carries.
    /// The edge calls this on what a lane sends, so a lane can never book a sale core would not make.
    pub fn verify(&self, store: &StoreSettings) -> Result<(), String> {
        if self.lines.is_empty() {
            return Err("the sale has no lines".into());
        }
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
        let totals = self
            .to_cart()
            .totals_on(store, &self.business_day)
            .map_err(|e| e.to_string())?;
        for (i, line) in self.lines.iter().enumerate() {
            let want = (
                totals.line_gross[i],
                totals.line_discounts[i],
                totals.line_amounts[i],
            );
            if (line.gross, line.discount, line.amount) != want {
                return Err(format!(
                    "line {} amount {} should be {}",
                    i + 1,
                    line.amount,
                    want.2
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
        let due = match self.tip {
            Some(t) => {
                if t.is_zero() {
                    return Err("a zero tip is recorded as none".into());
                }
                crate::tip::check(store.tips.as_ref(), t, totals.total)
                    .map_err(|e| e.to_string())?;
                totals.total.checked_add(t).map_err(|e| e.to_string())?
            }
            None => totals.total,
        };
        let settlement =
            settle(due, &self.tenders, store.cash_rounding).map_err(|e| e.to_string())?;
        if settlement.change != self.change {
            return Err(format!(
                "change {} should be {}",
                self.change, settlement.change
            ));
        }
        if (!settlement.rounding.is_zero()).then_some(settlement.rounding) != self.cash_rounding {
            return Err("the cash rounding does not match the store's rule".into());
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
    fn a_tip_is_paid_on_top_and_is_not_a_sale() {
        let mut store = StoreSettings::us("s", "Café", Decimal::new(8875, 5), -300);
        let mut cart = Cart::default();
        // $17.73 taxable at 8.875%: $1.57 tax, $19.30 total.
        let mut p = product("latte", 0, TaxClass::Standard, SoldBy::Each);
        p.price = Decimal::new(1773, 2);
        cart.add(&p, Decimal::ONE).unwrap();
        let usd = |c: i64| Money::new(Decimal::new(c, 2), Currency::USD);
        let card = |c: i64| Tender::Card {
            amount: usd(c),
            brand: "Visa".into(),
            last4: "4242".into(),
            approval: "A1".into(),
        };
        // A store without tips refuses one.
        assert!(matches!(
            Sale::complete_with_tip(
                &cart,
                &store,
                vec![card(2196)],
                ck("L1-000001"),
                Some(usd(266))
            ),
            Err(CheckoutError::Tip(crate::tip::TipError::NotTaken))
        ));
        store.tips = Some(crate::tip::TipSettings::default());
        let sale = Sale::complete_with_tip(
            &cart,
            &store,
            vec![card(2196)],
            ck("L1-000001"),
            Some(usd(266)),
        )
        .unwrap();
        assert_eq!(sale.total, usd(1930));
        assert_eq!(sale.tip, Some(usd(266)));
        assert_eq!(sale.due(), usd(2196));
        assert_eq!(sale.change, usd(0));
        assert_eq!(sale.verify(&store), Ok(()));
        // The card cannot pay only the total and keep the tip, nor the tip be forged upward.
        let mut forged = sale.clone();
        forged.tip = Some(usd(500));
        assert!(forged.verify(&store).is_err());
        // Cash: the tip comes out of what was handed over.
        let cash = Tender::Cash {
            tendered: usd(2500),
        };
        let sale =
            Sale::complete_with_tip(&cart, &store, vec![cash], ck("L1-000002"), Some(usd(300)))
                .unwrap();
        assert_eq!(sale.change, usd(270));
        assert_eq!(sale.verify(&store), Ok(()));
        // A zero tip is no tip.
        let sale = Sale::complete_with_tip(
            &cart,
            &store,
            vec![card(1930)],
            ck("L1-000003"),
            Some(usd(0)),
        )
        .unwrap();
        assert_eq!(sale.tip, None);
        // A sale from before tips decodes as tipless.
        let mut json = serde_json::to_value(&sale).unwrap();
        json.as_object_mut().unwrap().remove("tip");
        assert_eq!(serde_json::from_value::<Sale>(json).unwrap().tip, None);
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

    #[test]
    fn a_promotion_is_paid_shown_on_its_line_and_checked_by_the_edge() {
        use crate::promo::{PromoRule, Promotion};
        let store = StoreSettings::japan("s", "S");
        let three_for_500 = Promotion {
            id: "p1".into(),
            name: "3 for ¥500".into(),
            rule: PromoRule::MultiBuy {
                skus: vec!["a".into()],
                qty: 3,
                price: Decimal::from(500),
            },
            window: None,
        };
        let mut cart = Cart::default();
        cart.add(
            &product("a", 180, TaxClass::Reduced, SoldBy::Each),
            Decimal::from(3),
        )
        .unwrap();
        cart.apply_promotions(std::slice::from_ref(&three_for_500), &store, ck("x").at_ms)
            .unwrap();
        let cash = Tender::Cash {
            tendered: Money::new(Decimal::from(500), Currency::JPY),
        };
        let sale = Sale::complete(&cart, &store, vec![cash], ck("L1-000002")).unwrap();
        assert_eq!(sale.total.amount, Decimal::from(500));
        assert_eq!(sale.lines[0].discount.amount, Decimal::from(40));
        assert_eq!(sale.lines[0].promotions[0].name, "3 for ¥500");
        assert_eq!(sale.verify(&store), Ok(()));
        // A lane cannot claim a saving bigger than the line.
        let mut forged = sale.clone();
        forged.lines[0].promotions[0].amount = Decimal::from(600);
        assert!(forged.verify(&store).is_err());
    }
}
