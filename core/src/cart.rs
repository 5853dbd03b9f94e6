//! The cart: lines being rung up, and their totals by the store's rules.
//!
//! A cart is plain data (serializable), saved on every change so it survives a reload.

use crate::catalogue::{Product, SoldBy};
use crate::money::{Money, MoneyError};
use crate::promo::{PromoError, PromoSaving, Promotion};
use crate::store::StoreSettings;
use crate::tax::{TaxClass, TaxLine, TaxMode, TaxPolicy};
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
    #[error("a discount must be between 0 and 100% or between zero and the amount it applies to")]
    BadDiscount,
    #[error("give a reason for the price change")]
    OverrideNeedsReason,
    #[error("a price change of more than {0}% needs a manager's approval")]
    OverrideNeedsApproval(Decimal),
    #[error("a price must not be negative")]
    NegativePrice,
    #[error("a discount of more than {0}% needs a manager's approval")]
    DiscountNeedsApproval(Decimal),
    #[error("type a discount as a percentage (10%) or an amount (100)")]
    DiscountFormat,
    #[error("the cart is empty: there is nothing to park")]
    NothingToPark,
    #[error("{0} carts are parked already: recall or void one first")]
    TooManyParked(usize),
    #[error("tax exemption needs the customer's certificate number")]
    ExemptionNeedsCertificate,
    #[error("this store's prices include tax: a tax-exempt sale is not possible here")]
    ExemptionNeedsExclusivePrices,
    #[error("the promotion on {0} takes off more than the line costs")]
    BadPromotion(String),
    #[error(transparent)]
    Promotion(#[from] PromoError),
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
    /// A cashier's price change, with why and who approved it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_override: Option<PriceOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// What promotions take off this line (set by `Cart::apply_promotions`, before any manual
    /// discount).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotions: Vec<PromoSaving>,
}

impl Line {
    /// The unit price charged: the override if there is one.
    pub fn price(&self) -> Decimal {
        self.price_override
            .as_ref()
            .map(|o| o.price)
            .unwrap_or(self.unit_price)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceOverride {
    pub price: Decimal,
    pub reason: String,
    /// The approving manager's staff id, when the change is above the store's threshold.
    pub approved_by: Option<String>,
}

/// A discount on a line or on the whole cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Discount {
    /// 10 means 10% off.
    Percent(Decimal),
    /// An amount off, in the store's currency.
    Amount(Decimal),
}

impl Discount {
    /// What the cashier typed: "10%" is ten percent off, "100" is 100 off; empty is none.
    pub fn parse(text: &str) -> Result<Option<Discount>, CartError> {
        let t = text.trim().replace(',', "");
        if t.is_empty() {
            return Ok(None);
        }
        let (number, percent) = match t.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (t.as_str(), false),
        };
        let v: Decimal = number.parse().map_err(|_| CartError::DiscountFormat)?;
        if v < Decimal::ZERO {
            return Err(CartError::DiscountFormat);
        }
        Ok(Some(if percent {
            Discount::Percent(v)
        } else {
            Discount::Amount(v)
        }))
    }

    /// How much of `base` this takes off, in percent (an amount off compared with the base).
    pub fn percent_of(&self, base: Decimal) -> Decimal {
        match *self {
            Discount::Percent(p) => p,
            Discount::Amount(_) if base <= Decimal::ZERO => Decimal::ONE_HUNDRED,
            Discount::Amount(a) => a / base * Decimal::ONE_HUNDRED,
        }
    }

    /// The amount this discount takes off `base`, rounded to minor units by `rule`, never more
    /// than `base`.
    pub fn amount_off(
        &self,
        base: Money,
        rule: crate::money::Rounding,
    ) -> Result<Money, CartError> {
        let off = match *self {
            Discount::Percent(p) if (Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&p) => {
                base.checked_mul(p / Decimal::ONE_HUNDRED)?.round(rule)
            }
            Discount::Amount(a) if a >= Decimal::ZERO && a <= base.amount => {
                Money::new(a, base.currency)
            }
            _ => return Err(CartError::BadDiscount),
        };
        Ok(off)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub lines: Vec<Line>,
    /// A discount on the whole cart, spread over the lines in proportion to their amounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    /// The customer does not pay sales tax (US resale or non-profit certificate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_exempt: Option<TaxExemption>,
}

/// Why a sale carries no tax: the certificate the cashier recorded, and for whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxExemption {
    pub certificate: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<uuid::Uuid>,
}

/// A cart put aside so the cashier can serve someone else (the customer went back for milk),
/// recalled later exactly as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedCart {
    pub id: uuid::Uuid,
    /// What the cashier sees in the list: the first items and how many lines.
    pub label: String,
    pub parked_at_ms: i64,
    pub cart: Cart,
}

impl ParkedCart {
    pub fn new(id: uuid::Uuid, cart: Cart, parked_at_ms: i64) -> Result<ParkedCart, CartError> {
        if cart.is_empty() {
            return Err(CartError::NothingToPark);
        }
        let names: Vec<&str> = cart.lines.iter().take(2).map(|l| l.name.as_str()).collect();
        let more = cart.lines.len().saturating_sub(2);
        let label = if more > 0 {
            format!("{} +{more}", names.join(", "))
        } else {
            names.join(", ")
        };
        Ok(ParkedCart {
            id,
            label,
            parked_at_ms,
            cart,
        })
    }
}

/// The carts parked on a lane, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parked {
    pub carts: Vec<ParkedCart>,
}

impl Parked {
    /// Most carts a lane keeps parked: beyond this, old ones are forgotten by people anyway.
    pub const MAX: usize = 20;

    pub fn park(&mut self, cart: ParkedCart) -> Result<(), CartError> {
        if self.carts.len() >= Self::MAX {
            return Err(CartError::TooManyParked(Self::MAX));
        }
        self.carts.push(cart);
        Ok(())
    }

    /// Take a parked cart back out (it is no longer parked).
    pub fn recall(&mut self, id: uuid::Uuid) -> Option<ParkedCart> {
        let i = self.carts.iter().position(|c| c.id == id)?;
        Some(self.carts.remove(i))
    }
}

/// What a cart adds up to under a store's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Per line, in line order: quantity × price, rounded by the store's line rule.
    pub line_gross: Vec<Money>,
    /// Per line: its own discount plus its share of the cart discount.
    pub line_discounts: Vec<Money>,
    /// Per line: what the line finally costs (gross − discounts). Tax and refunds work from this.
    pub line_amounts: Vec<Money>,
    /// The cart discount, as taken off in total (the shares in `line_discounts` sum to it).
    pub cart_discount: Money,
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
            price_override: None,
            discount: None,
            note: String::new(),
            promotions: Vec::new(),
        });
        Ok(self.lines.len() - 1)
    }

    /// Add what a label says: `qty` (a weighed package's weight) and, for a price-embedded
    /// label, the package's price. A priced package is one line of one package at the printed
    /// price (the scale priced it; recorded as a price change "price on the label"), so the
    /// money is exactly what the label says; its weight, when the label has one, goes in the
    /// note. A labelled package never merges with other lines.
    pub fn add_labelled(
        &mut self,
        product: &Product,
        qty: Decimal,
        label_price: Option<Decimal>,
    ) -> Result<usize, CartError> {
        let Some(price) = label_price else {
            return self.add(product, qty);
        };
        if price < Decimal::ZERO {
            return Err(CartError::NegativePrice);
        }
        let note = match product.sold_by {
            SoldBy::Kilogram if qty > Decimal::ZERO => format!("{qty} kg"),
            _ => String::new(),
        };
        self.lines.push(Line {
            sku: product.sku.clone(),
            name: product.name.clone(),
            qty: Decimal::ONE,
            unit_price: product.price,
            tax_class: product.tax_class,
            sold_by: SoldBy::Each,
            price_override: Some(PriceOverride {
                price,
                reason: "price on the label".into(),
                approved_by: None,
            }),
            discount: None,
            note,
            promotions: Vec::new(),
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

    /// Set (or clear) a line's discount (`Some(index)`) or the cart's (`None`). One of more than
    /// `limit_percent` of what it applies to needs an approver, as a price override does.
    pub fn discount_with_limit(
        &mut self,
        line: Option<usize>,
        discount: Option<Discount>,
        approved_by: Option<&str>,
        limit_percent: Decimal,
    ) -> Result<(), CartError> {
        let gross = |l: &Line| l.price() * l.qty;
        let base = match line {
            Some(i) => gross(self.lines.get(i).ok_or(CartError::NoSuchLine(i))?),
            None => self.lines.iter().map(gross).sum(),
        };
        if let Some(d) = &discount {
            if d.percent_of(base) > limit_percent && approved_by.is_none() {
                return Err(CartError::DiscountNeedsApproval(limit_percent));
            }
        }
        match line {
            Some(i) => self.set_discount(i, discount),
            None => {
                self.discount = discount;
                Ok(())
            }
        }
    }

    pub fn set_discount(
        &mut self,
        index: usize,
        discount: Option<Discount>,
    ) -> Result<(), CartError> {
        self.lines
            .get_mut(index)
            .ok_or(CartError::NoSuchLine(index))?
            .discount = discount;
        Ok(())
    }

    /// Change a line's unit price. A reason is always needed; a change of more than the store's
    /// threshold (percent of the catalogue price, either way) also needs an approver.
    pub fn override_price(
        &mut self,
        index: usize,
        price: Decimal,
        reason: &str,
        approved_by: Option<&str>,
        threshold_percent: Decimal,
    ) -> Result<(), CartError> {
        let line = self
            .lines
            .get_mut(index)
            .ok_or(CartError::NoSuchLine(index))?;
        if price < Decimal::ZERO {
            return Err(CartError::NegativePrice);
        }
        if reason.trim().is_empty() {
            return Err(CartError::OverrideNeedsReason);
        }
        let change_pct = if line.unit_price.is_zero() {
            Decimal::ONE_HUNDRED
        } else {
            ((price - line.unit_price) / line.unit_price * Decimal::ONE_HUNDRED).abs()
        };
        if change_pct > threshold_percent && approved_by.is_none() {
            return Err(CartError::OverrideNeedsApproval(threshold_percent));
        }
        line.price_override = Some(PriceOverride {
            price,
            reason: reason.trim().to_string(),
            approved_by: approved_by.map(str::to_string),
        });
        Ok(())
    }

    /// Work out which of `promotions` apply at `at_ms` and record each line's savings. Called
    /// on every change of the cart, so the savings shown are always the ones that will be paid.
    pub fn apply_promotions(
        &mut self,
        promotions: &[Promotion],
        store: &StoreSettings,
        at_ms: i64,
    ) -> Result<(), CartError> {
        let savings = crate::promo::evaluate(
            &self.lines,
            promotions,
            store.currency,
            store.line_rounding,
            at_ms,
            store.utc_offset_minutes,
        )?;
        for (line, s) in self.lines.iter_mut().zip(savings) {
            line.promotions = s;
        }
        Ok(())
    }

    /// Totals with the tax rates in force on business day `day` (checkout uses the sale's day).
    pub fn totals_on(&self, store: &StoreSettings, day: &str) -> Result<Totals, CartError> {
        self.totals_with(store, &store.tax.on(day))
    }

    /// Totals with the store's latest tax rates (undated policies: the only ones).
    pub fn totals(&self, store: &StoreSettings) -> Result<Totals, CartError> {
        self.totals_with(store, &store.tax)
    }

    fn totals_with(&self, store: &StoreSettings, policy: &TaxPolicy) -> Result<Totals, CartError> {
        let exempt;
        let policy = match &self.tax_exempt {
            None => policy,
            // Tax-inclusive shelf prices have the tax inside them; taking it out is a tax-free
            // (export) sale with its own rules, which this is not.
            Some(_) if policy.mode == TaxMode::Inclusive => {
                return Err(CartError::ExemptionNeedsExclusivePrices)
            }
            Some(e) if e.certificate.trim().is_empty() => {
                return Err(CartError::ExemptionNeedsCertificate)
            }
            Some(_) => {
                exempt = TaxPolicy {
                    rates: Vec::new(),
                    ..policy.clone()
                };
                &exempt
            }
        };
        let cur = store.currency;
        let rule = store.line_rounding;
        let mut line_gross = Vec::with_capacity(self.lines.len());
        let mut after_line = Vec::with_capacity(self.lines.len());
        let mut own_discounts = Vec::with_capacity(self.lines.len());
        for l in &self.lines {
            let gross = Money::new(l.price(), cur).checked_mul(l.qty)?.round(rule);
            let promo = Money::sum(cur, l.promotions.iter().map(|p| Money::new(p.amount, cur)))?;
            if promo.amount < Decimal::ZERO || promo.amount > gross.amount {
                return Err(CartError::BadPromotion(l.name.clone()));
            }
            let after_promo = gross.checked_sub(promo)?;
            let off = match &l.discount {
                Some(d) => d.amount_off(after_promo, rule)?,
                None => Money::zero(cur),
            };
            line_gross.push(gross);
            own_discounts.push(promo.checked_add(off)?);
            after_line.push(after_promo.checked_sub(off)?);
        }
        let base = Money::sum(cur, after_line.iter().copied())?;
        let cart_discount = match &self.discount {
            Some(d) => d.amount_off(base, rule)?,
            None => Money::zero(cur),
        };
        let shares = allocate(cart_discount, &after_line)?;
        let mut line_discounts = Vec::with_capacity(self.lines.len());
        let mut line_amounts = Vec::with_capacity(self.lines.len());
        for ((own, share), after) in own_discounts.iter().zip(&shares).zip(&after_line) {
            line_discounts.push(own.checked_add(*share)?);
            line_amounts.push(after.checked_sub(*share)?);
        }
        let subtotal = Money::sum(cur, line_amounts.iter().copied())?;
        let tax = policy.summarise(
            cur,
            self.lines
                .iter()
                .map(|l| l.tax_class)
                .zip(line_amounts.iter().copied()),
        )?;
        let tax_total = Money::sum(cur, tax.iter().map(|t| t.tax))?;
        let total = match policy.mode {
            TaxMode::Inclusive => subtotal,
            TaxMode::Exclusive => subtotal.checked_add(tax_total)?,
        };
        Ok(Totals {
            line_gross,
            line_discounts,
            line_amounts,
            cart_discount,
            subtotal,
            tax,
            tax_total,
            total,
        })
    }
}

/// Split `amount` over `weights` in proportion, in whole minor units, so the parts sum to exactly
/// `amount`: each part is rounded down, then the leftover minor units go one each to the parts
/// with the largest remainders (earlier lines first on ties) — the largest-remainder method, so
/// the result is deterministic and every tax base and refund adds up.
pub fn allocate(amount: Money, weights: &[Money]) -> Result<Vec<Money>, MoneyError> {
    let cur = amount.currency;
    let unit = Decimal::new(1, cur.minor_units());
    let total_weight = Money::sum(cur, weights.iter().copied())?.amount;
    if weights.is_empty() {
        return Ok(Vec::new());
    }
    if total_weight <= Decimal::ZERO {
        // Nothing to weigh by: the first line takes it all (a zero total has no discount anyway).
        let mut parts = vec![Money::zero(cur); weights.len()];
        parts[0] = amount;
        return Ok(parts);
    }
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, w) in weights.iter().enumerate() {
        let exact = amount
            .amount
            .checked_mul(w.amount)
            .and_then(|x| x.checked_div(total_weight))
            .ok_or(MoneyError::Overflow)?;
        let floor = crate::money::Rounding::Down.apply(exact, cur.minor_units());
        parts.push(floor);
        remainders.push((exact - floor, i));
    }
    let allocated: Decimal = parts.iter().sum();
    let mut left = ((amount.amount - allocated) / unit).trunc();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left <= Decimal::ZERO {
            break;
        }
        parts[i] += unit;
        left -= Decimal::ONE;
    }
    Ok(parts.into_iter().map(|p| Money::new(p, cur)).collect())
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
            reorder_level: None,
        }
    }

    /// A US store (New York City, combined state and local sales tax 8.875%, added at the till,
    /// rounded half-up to the cent): a taxable basket, then the same basket for a customer with a
    /// resale certificate.
    #[test]
    fn us_exclusive_tax_and_a_tax_exempt_customer() {
        use crate::money::{Currency, Rounding};
        use crate::tax::{TaxPolicy, TaxRate};
        let mut store = StoreSettings::japan("nyc", "NYC");
        store.currency = Currency::USD;
        store.line_rounding = Rounding::HalfUp;
        store.tax = TaxPolicy {
            mode: TaxMode::Exclusive,
            rounding: Rounding::HalfUp,
            rates: vec![TaxRate {
                class: TaxClass::Standard,
                rate: Decimal::new(8875, 5),
                from_day: None,
            }],
        };
        let mut cart = Cart::default();
        let mut p = product("shirt", 0, TaxClass::Standard, SoldBy::Each);
        p.price = Decimal::new(1000, 2);
        cart.add(&p, Decimal::ONE).unwrap();
        let mut q = product("socks", 0, TaxClass::Standard, SoldBy::Each);
        q.price = Decimal::new(599, 2);
        cart.add(&q, Decimal::ONE).unwrap();
        // $15.99 × 8.875% = $1.4191… → $1.42; total $17.41.
        let t = cart.totals(&store).unwrap();
        assert_eq!(t.tax_total.amount, Decimal::new(142, 2));
        assert_eq!(t.total.amount, Decimal::new(1741, 2));

        cart.tax_exempt = Some(TaxExemption {
            certificate: "ST-120 4471".into(),
            customer_id: None,
        });
        let t = cart.totals(&store).unwrap();
        assert_eq!(t.tax_total.amount, Decimal::ZERO);
        assert_eq!(t.total.amount, Decimal::new(1599, 2));

        cart.tax_exempt = Some(TaxExemption {
            certificate: " ".into(),
            customer_id: None,
        });
        assert_eq!(
            cart.totals(&store),
            Err(CartError::ExemptionNeedsCertificate)
        );
        cart.tax_exempt = Some(TaxExemption {
            certificate: "x".into(),
            customer_id: None,
        });
        assert_eq!(
            cart.totals(&StoreSettings::japan("jp", "JP")),
            Err(CartError::ExemptionNeedsExclusivePrices)
        );
    }

    #[test]
    fn a_labelled_package_is_charged_exactly_its_printed_price() {
        let store = StoreSettings::japan("s", "S");
        let mut cart = Cart::default();
        let meat = product("meat", 1980, TaxClass::Reduced, SoldBy::Kilogram);
        cart.add_labelled(&meat, Decimal::new(337, 3), Some(Decimal::from(667)))
            .unwrap();
        cart.add_labelled(&meat, Decimal::new(412, 3), None)
            .unwrap();
        let t = cart.totals(&store).unwrap();
        assert_eq!(t.line_amounts[0].amount, Decimal::from(667));
        assert_eq!(cart.lines[0].note, "0.337 kg");
        // Without a price the weight is the quantity: 0.412 kg × ¥1,980 = ¥815.76 → ¥815.
        assert_eq!(cart.lines[1].qty, Decimal::new(412, 3));
        assert_eq!(t.line_amounts[1].amount, Decimal::from(815));
    }

    #[test]
    fn discounts_above_the_limit_need_an_approver() {
        let mut cart = Cart::default();
        cart.add(
            &product("a", 1000, TaxClass::Standard, SoldBy::Each),
            Decimal::from(2),
        )
        .unwrap();
        let limit = Decimal::from(20);
        assert_eq!(
            Discount::parse(" 10% "),
            Ok(Some(Discount::Percent(Decimal::TEN)))
        );
        assert_eq!(
            Discount::parse("1,000"),
            Ok(Some(Discount::Amount(Decimal::from(1000))))
        );
        assert_eq!(Discount::parse(""), Ok(None));
        assert_eq!(Discount::parse("-5"), Err(CartError::DiscountFormat));
        assert_eq!(Discount::parse("ten"), Err(CartError::DiscountFormat));
        // 400 off a 2,000 line is 20%: allowed; 401 is not, without an approver.
        assert!(cart
            .discount_with_limit(
                Some(0),
                Some(Discount::Amount(Decimal::from(400))),
                None,
                limit
            )
            .is_ok());
        assert_eq!(
            cart.discount_with_limit(
                Some(0),
                Some(Discount::Amount(Decimal::from(401))),
                None,
                limit
            ),
            Err(CartError::DiscountNeedsApproval(limit))
        );
        assert_eq!(
            cart.discount_with_limit(
                None,
                Some(Discount::Percent(Decimal::from(30))),
                None,
                limit
            ),
            Err(CartError::DiscountNeedsApproval(limit))
        );
        cart.discount_with_limit(
            None,
            Some(Discount::Percent(Decimal::from(30))),
            Some("m1"),
            limit,
        )
        .unwrap();
        assert_eq!(cart.discount, Some(Discount::Percent(Decimal::from(30))));
        cart.discount_with_limit(None, None, None, limit).unwrap();
        assert_eq!(cart.discount, None);
    }

    #[test]
    fn a_parked_cart_comes_back_exactly_and_only_once() {
        let mut cart = Cart::default();
        for sku in ["a", "b", "c"] {
            cart.add(
                &product(sku, 100, TaxClass::Standard, SoldBy::Each),
                Decimal::ONE,
            )
            .unwrap();
        }
        let id = uuid::Uuid::from_u128(5);
        let mut parked = Parked::default();
        parked
            .park(ParkedCart::new(id, cart.clone(), 1).unwrap())
            .unwrap();
        assert_eq!(parked.carts[0].label, "item a, item b +1");
        // Through storage (it is saved as JSON) and back.
        let json = serde_json::to_string(&parked).unwrap();
        let mut parked: Parked = serde_json::from_str(&json).unwrap();
        assert_eq!(parked.recall(id).unwrap().cart, cart);
        assert!(parked.recall(id).is_none());
        assert_eq!(
            ParkedCart::new(id, Cart::default(), 1),
            Err(CartError::NothingToPark)
        );
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

    #[test]
    fn line_and_cart_discounts_reach_the_tax_base() {
        let store = StoreSettings::japan("s", "S");
        let mut cart = Cart::default();
        cart.add(
            &product("a", 1000, TaxClass::Standard, SoldBy::Each),
            Decimal::ONE,
        )
        .unwrap();
        cart.add(
            &product("b", 500, TaxClass::Reduced, SoldBy::Each),
            Decimal::from(2),
        )
        .unwrap();
        cart.set_discount(0, Some(Discount::Percent(Decimal::from(10))))
            .unwrap();
        cart.discount = Some(Discount::Amount(Decimal::from(100)));
        let t = cart.totals(&store).unwrap();
        // Line a: 1000 − 10% = 900; line b: 1000. Cart ¥100 split 900:1000 → 47.37 / 52.63 → 47 / 53.
        assert_eq!(
            t.line_amounts.iter().map(|m| m.amount).collect::<Vec<_>>(),
            vec![Decimal::from(853), Decimal::from(947)]
        );
        assert_eq!(t.line_discounts[0].amount, Decimal::from(147));
        assert_eq!(t.total.amount, Decimal::from(1800));
        assert_eq!(t.tax[0].taxable.amount, Decimal::from(853));
        assert!(cart.set_discount(5, None).is_err());
        cart.discount = Some(Discount::Percent(Decimal::from(101)));
        assert_eq!(cart.totals(&store), Err(CartError::BadDiscount));
    }

    #[test]
    fn price_overrides_need_a_reason_and_above_the_threshold_an_approver() {
        let mut cart = Cart::default();
        cart.add(
            &product("a", 1000, TaxClass::Standard, SoldBy::Each),
            Decimal::ONE,
        )
        .unwrap();
        let pct = Decimal::from(20);
        assert_eq!(
            cart.override_price(0, Decimal::from(900), " ", None, pct),
            Err(CartError::OverrideNeedsReason)
        );
        assert_eq!(
            cart.override_price(0, Decimal::from(900), "dented box", None, pct),
            Ok(())
        );
        assert_eq!(
            cart.override_price(0, Decimal::from(500), "dented box", None, pct),
            Err(CartError::OverrideNeedsApproval(pct))
        );
        assert_eq!(
            cart.override_price(0, Decimal::from(500), "dented box", Some("mgr-1"), pct),
            Ok(())
        );
        let store = StoreSettings::japan("s", "S");
        assert_eq!(
            cart.totals(&store).unwrap().total.amount,
            Decimal::from(500)
        );
    }

    proptest! {
        #[test]
        fn discount_allocations_sum_exactly(
            amount in 0i64..100_000, weights in proptest::collection::vec(0i64..50_000, 1..20), dp in 0u32..4
        ) {
            let cur = match dp { 0 => crate::money::Currency::JPY, 3 => crate::money::Currency::KWD, _ => crate::money::Currency::USD };
            let amount = Money::new(Decimal::new(amount, cur.minor_units()), cur);
            let weights: Vec<Money> = weights.iter().map(|w| Money::new(Decimal::new(*w, cur.minor_units()), cur)).collect();
            let parts = allocate(amount, &weights).unwrap();
            let sum: Decimal = parts.iter().map(|p| p.amount).sum();
            prop_assert_eq!(sum, amount.amount);
            prop_assert!(parts.iter().all(|p| p.amount >= Decimal::ZERO && p.to_minor().is_ok()));
            prop_assert_eq!(parts.clone(), allocate(amount, &weights).unwrap(), "deterministic");
        }

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
