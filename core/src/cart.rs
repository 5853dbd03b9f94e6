//! The cart: lines being rung up, and their totals by the store's rules.
//!
//! A cart is plain data (serializable), saved on every change so it survives a reload.

use crate::catalogue::{Product, SoldBy};
use crate::money::{Money, MoneyError};
use crate::store::StoreSettings;
use crate::tax::{TaxClass, TaxLine};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    #[error("quantity must be more than zero")]
    NonPositiveQuantity,
    #[error("{0} is sold by the piece: enter a whole number")]
    FractionalQuantity(String),
    #[error("there is no line {0} in the cart")]
    NoSuchLine(usize),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub sku: String,
    pub name: String,
    /// Pieces, or kilograms for products sold by weight.
    pub qty: Decimal,
    pub unit_price: Decimal,
    pub tax_class: TaxClass,
    pub sold_by: SoldBy,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub lines: Vec<Line>,
}

/// What a cart adds up to under a store's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// One amount per cart line, in line order (quantity × unit price, rounded by the store rule).
    pub line_amounts: Vec<Money>,
    pub subtotal: Money,
    /// Per-rate tax, computed once per rate on the per-rate total (Japan's invoice rule).
    pub tax: Vec<TaxLine>,
    pub tax_total: Money,
    /// What the customer pays.
    pub total: Money,
}

impl Cart {
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Add `qty` of a product. Pieces of the same product merge into one line; weighed items
    /// always get their own line (each weighing is its own package).
    pub fn add(&mut self, product: &Product, qty: Decimal) -> Result<usize, CartError> {
        check_qty(product.sold_by, &product.name, qty)?;
        if product.sold_by == SoldBy::Each {
            if let Some(i) = self
                .lines
                .iter()
                .position(|l| l.sku == product.sku && l.unit_price == product.price)
            {
                self.lines[i].qty += qty;
                return Ok(i);
            }
        }
        self.lines.push(Line {
            sku: product.sku.clone(),
            name: product.name.clone(),
            qty,
            unit_price: product.price,
            tax_class: product.tax_class,
            sold_by: product.sold_by,
        });
        Ok(self.lines.len() - 1)
    }

    pub fn set_qty(&mut self, index: usize, qty: Decimal) -> Result<(), CartError> {
        let line = self
            .lines
            .get_mut(index)
            .ok_or(CartError::NoSuchLine(index))?;
        check_qty(line.sold_by, &line.name, qty)?;
        line.qty = qty;
        Ok(())
    }

    pub fn remove(&mut self, index: usize) -> Result<Line, CartError> {
        if index >= self.lines.len() {
            return Err(CartError::NoSuchLine(index));
        }
        Ok(self.lines.remove(index))
    }

    pub fn totals(&self, store: &StoreSettings) -> Result<Totals, CartError> {
        let cur = store.currency;
        let line_amounts = self
            .lines
            .iter()
            .map(|l| {
                Ok(Money::new(l.unit_price, cur)
                    .checked_mul(l.qty)?
                    .round(store.line_rounding))
            })
            .collect::<Result<Vec<_>, MoneyError>>()?;
        let subtotal = Money::sum(cur, line_amounts.iter().copied())?;
        let tax = store.tax.summarise(
            cur,
            self.lines
                .iter()
                .map(|l| l.tax_class)
                .zip(line_amounts.iter().copied()),
        )?;
        let tax_total = Money::sum(cur, tax.iter().map(|t| t.tax))?;
        let total = match store.tax.mode {
            crate::tax::TaxMode::Inclusive => subtotal,
            crate::tax::TaxMode::Exclusive => subtotal.checked_add(tax_total)?,
        };
        Ok(Totals {
            line_amounts,
            subtotal,
            tax,
            tax_total,
            total,
        })
    }
}

fn check_qty(sold_by: SoldBy, name: &str, qty: Decimal) -> Result<(), CartError> {
    if qty <= Decimal::ZERO {
        return Err(CartError::NonPositiveQuantity);
    }
    if sold_by == SoldBy::Each && !qty.fract().is_zero() {
        return Err(CartError::FractionalQuantity(name.to_string()));
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::barcode::Gtin;
    use proptest::prelude::*;
    use std::str::FromStr;

    pub fn product(sku: &str, price: i64, class: TaxClass, sold_by: SoldBy) -> Product {
        Product {
            sku: sku.into(),
            gtin: Gtin::with_check_digit("490000000001").ok(),
            name: format!("item {sku}"),
            alt_name: String::new(),
            category: "c".into(),
            price: Decimal::from(price),
            tax_class: class,
            sold_by,
            active: true,
            version: 1,
        }
    }

    #[test]
    fn same_product_merges_weighed_does_not() {
        let store = StoreSettings::japan("s", "S");
        let mut cart = Cart::default();
        let tea = product("tea", 150, TaxClass::Reduced, SoldBy::Each);
        let beef = product("beef", 3980, TaxClass::Reduced, SoldBy::Kilogram);
        cart.add(&tea, Decimal::ONE).unwrap();
        cart.add(&tea, Decimal::ONE).unwrap();
        cart.add(&beef, Decimal::from_str("0.352").unwrap())
            .unwrap();
        cart.add(&beef, Decimal::from_str("0.2").unwrap()).unwrap();
        assert_eq!(cart.lines.len(), 3);
        let t = cart.totals(&store).unwrap();
        // 0.352 kg × ¥3,980 = ¥1,400.96 → truncated to ¥1,400 by the store's line rounding.
        assert_eq!(t.line_amounts[1].amount, Decimal::from(1400));
        assert_eq!(t.total.amount, Decimal::from(300 + 1400 + 796));
        assert!(cart.add(&tea, Decimal::from_str("0.5").unwrap()).is_err());
        assert!(cart.add(&tea, Decimal::ZERO).is_err());
    }

    proptest! {
        #[test]
        fn totals_equal_the_sum_of_their_parts(
            items in proptest::collection::vec((1i64..20_000, 1i64..5, any::<bool>()), 0..30)
        ) {
            let store = StoreSettings::japan("s", "S");
            let mut cart = Cart::default();
            for (i, (price, qty, reduced)) in items.iter().enumerate() {
                let class = if *reduced { TaxClass::Reduced } else { TaxClass::Standard };
                cart.add(&product(&i.to_string(), *price, class, SoldBy::Each), Decimal::from(*qty)).unwrap();
            }
            let t = cart.totals(&store).unwrap();
            let sum: Decimal = t.line_amounts.iter().map(|m| m.amount).sum();
            prop_assert_eq!(t.subtotal.amount, sum);
            prop_assert_eq!(t.total.amount, sum); // prices include tax in Japan
            let taxable: Decimal = t.tax.iter().map(|l| l.taxable.amount).sum();
            prop_assert_eq!(taxable, sum);
            for l in &t.tax {
                // Per-rate tax is the rule applied to the per-rate total.
                let want = crate::money::Rounding::Down.apply(l.taxable.amount * l.rate / (Decimal::ONE + l.rate), 0);
                prop_assert_eq!(l.tax.amount, want);
            }
        }
    }
}
