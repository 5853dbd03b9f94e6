//! Tax: classes per product, rates per store, and the per-receipt computation.
//!
//! Japan's qualified-invoice rule (適格請求書) computes tax once per rate per receipt, on the
//! per-rate total, with the store's rounding — not per line. That is the default here.

use crate::money::{Currency, Money, MoneyError, Rounding};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Which rate applies to a product. Rates themselves are store settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxClass {
    /// Japan 10%, most goods.
    Standard,
    /// Japan 8% reduced rate (food and drink taken away, newspapers).
    Reduced,
    /// No tax.
    Exempt,
}

/// Whether shelf prices include tax (Japan, EU) or tax is added at the till (US).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxMode {
    Inclusive,
    Exclusive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRate {
    pub class: TaxClass,
    /// A fraction: 0.10 for 10%.
    pub rate: Decimal,
    /// The first business day ("YYYY-MM-DD") this rate applies; none means "since always". A
    /// rate change is a new entry with a later day, so sales before it keep the old rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_day: Option<String>,
}

/// A store's tax settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxPolicy {
    pub mode: TaxMode,
    /// The rule for rounding tax (Japanese stores commonly truncate).
    pub rounding: Rounding,
    pub rates: Vec<TaxRate>,
}

impl TaxPolicy {
    /// Japan: prices include tax, 10% standard, 8% reduced, tax truncated.
    pub fn japan() -> TaxPolicy {
        TaxPolicy {
            mode: TaxMode::Inclusive,
            rounding: Rounding::Down,
            rates: vec![
                TaxRate {
                    class: TaxClass::Standard,
                    rate: Decimal::new(10, 2),
                    from_day: None,
                },
                TaxRate {
                    class: TaxClass::Reduced,
                    rate: Decimal::new(8, 2),
                    from_day: None,
                },
            ],
        }
    }

    /// The policy in force on business day `day`: for each class, the rate with the latest
    /// `from_day` not after `day`. Checkout and the edge's re-check both use the sale's day, so
    /// a rate change at midnight applies to sales after it and never to the ones before.
    pub fn on(&self, day: &str) -> TaxPolicy {
        let mut rates: Vec<TaxRate> = Vec::new();
        for r in self
            .rates
            .iter()
            .filter(|r| r.from_day.as_deref().is_none_or(|f| f <= day))
        {
            match rates.iter_mut().find(|x| x.class == r.class) {
                Some(x) if x.from_day <= r.from_day => *x = r.clone(),
                Some(_) => {}
                None => rates.push(r.clone()),
            }
        }
        TaxPolicy {
            mode: self.mode,
            rounding: self.rounding,
            rates,
        }
    }

    pub fn rate_of(&self, class: TaxClass) -> Decimal {
        if class == TaxClass::Exempt {
            return Decimal::ZERO;
        }
        // With dated rates, the latest entry (call `on(day)` first to drop future ones).
        self.rates
            .iter()
            .filter(|r| r.class == class)
            .max_by(|a, b| a.from_day.cmp(&b.from_day))
            .map(|r| r.rate)
            .unwrap_or(Decimal::ZERO)
    }

    /// Tax for one rate on a per-rate total (`amount` is tax-inclusive in inclusive mode,
    /// tax-exclusive otherwise), rounded once by the store's rule.
    pub fn tax_on(&self, class: TaxClass, amount: Money) -> Result<Money, MoneyError> {
        let rate = self.rate_of(class);
        if rate.is_zero() {
            return Ok(Money::zero(amount.currency));
        }
        let raw = match self.mode {
            TaxMode::Inclusive => {
                let divisor = Decimal::ONE.checked_add(rate).ok_or(MoneyError::Overflow)?;
                amount
                    .amount
                    .checked_mul(rate)
                    .and_then(|x| x.checked_div(divisor))
            }
            TaxMode::Exclusive => amount.amount.checked_mul(rate),
        }
        .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(raw, amount.currency).round(self.rounding))
    }

    /// One tax line per class present, in class order: the receipt's per-rate summary.
    pub fn summarise(
        &self,
        currency: Currency,
        amounts: impl IntoIterator<Item = (TaxClass, Money)>,
    ) -> Result<Vec<TaxLine>, MoneyError> {
        let mut per_class: Vec<(TaxClass, Money)> = Vec::new();
        for (class, amount) in amounts {
            match per_class.iter_mut().find(|(c, _)| *c == class) {
                Some((_, total)) => *total = total.checked_add(amount)?,
                None => per_class.push((class, Money::zero(currency).checked_add(amount)?)),
            }
        }
        per_class.sort_by_key(|(c, _)| *c);
        per_class
            .into_iter()
            .map(|(class, taxable)| {
                Ok(TaxLine {
                    class,
                    rate: self.rate_of(class),
                    taxable,
                    tax: self.tax_on(class, taxable)?,
                })
            })
            .collect()
    }
}

/// One rate's line on a receipt: "10% 対象 ¥1,100 内消費税 ¥100".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxLine {
    pub class: TaxClass,
    pub rate: Decimal,
    /// The per-rate total the tax was computed on (inclusive or exclusive as the store's mode).
    pub taxable: Money,
    pub tax: Money,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn yen(v: &str) -> Money {
        Money::new(Decimal::from_str(v).unwrap(), Currency::JPY)
    }

    /// National Tax Agency, 「適格請求書等保存方式の概要」 (invoice system guide), the worked
    /// receipt example: 8% items totalling ¥5,400 (tax-inclusive) and 10% items totalling ¥11,000
    /// → tax ¥400 and ¥1,000, computed once per rate on the per-rate total.
    #[test]
    fn japan_invoice_example_taxes_once_per_rate() {
        let p = TaxPolicy::japan();
        let lines = p
            .summarise(
                Currency::JPY,
                [
                    (TaxClass::Reduced, yen("5000")),
                    (TaxClass::Standard, yen("11000")),
                    (TaxClass::Reduced, yen("400")),
                ],
            )
            .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (lines[0].class, lines[0].taxable, lines[0].tax),
            (TaxClass::Standard, yen("11000"), yen("1000"))
        );
        assert_eq!(
            (lines[1].class, lines[1].taxable, lines[1].tax),
            (TaxClass::Reduced, yen("5400"), yen("400"))
        );
    }

    #[test]
    fn per_receipt_rounding_differs_from_per_line_rounding() {
        // Three ¥108 reduced-rate items: per line 108×8/108 = 8 each (24); per receipt 324 → 24.
        // Three ¥150 items at 8%: per line trunc(11.11)=11 each → 33; per receipt trunc(33.33) = 33.
        // Seven ¥99 items at 10%: per line trunc(9) = 9 → 63; per receipt trunc(693/11=63) = 63;
        // ¥98 ×3 at 8%: per line trunc(7.259)=7 → 21; per receipt trunc(294×0.08/1.08=21.78) = 21.
        // ¥105 ×3 at 10%: per line trunc(9.545)=9 → 27; per receipt trunc(315/11=28.6) = 28.
        let p = TaxPolicy::japan();
        let lines = p
            .summarise(
                Currency::JPY,
                (0..3).map(|_| (TaxClass::Standard, yen("105"))),
            )
            .unwrap();
        assert_eq!(lines[0].tax, yen("28"));
    }

    #[test]
    fn exclusive_mode_adds_tax_on_top_with_the_named_rounding() {
        let p = TaxPolicy {
            mode: TaxMode::Exclusive,
            rounding: Rounding::HalfUp,
            rates: vec![TaxRate {
                class: TaxClass::Standard,
                rate: Decimal::from_str("0.0875").unwrap(),
                from_day: None,
            }],
        };
        let usd = |v: &str| Money::new(Decimal::from_str(v).unwrap(), Currency::USD);
        // 8.75% of $10.00 = 0.875 → 0.88 half-up.
        assert_eq!(
            p.tax_on(TaxClass::Standard, usd("10.00")).unwrap(),
            usd("0.88")
        );
        assert_eq!(p.tax_on(TaxClass::Exempt, usd("10.00")).unwrap(), usd("0"));
    }

    /// Japan's consumption tax rise of 1 October 2019 (8% → 10%, with the 8% reduced rate for
    /// food starting the same day; National Tax Agency, 「消費税の軽減税率制度の実施について」): a
    /// policy holding both rates prices a sale by its business day.
    #[test]
    fn a_rate_change_at_midnight_applies_to_sales_from_that_day() {
        let p = TaxPolicy {
            mode: TaxMode::Inclusive,
            rounding: Rounding::Down,
            rates: vec![
                TaxRate {
                    class: TaxClass::Standard,
                    rate: Decimal::new(8, 2),
                    from_day: None,
                },
                TaxRate {
                    class: TaxClass::Reduced,
                    rate: Decimal::new(8, 2),
                    from_day: None,
                },
                TaxRate {
                    class: TaxClass::Standard,
                    rate: Decimal::new(10, 2),
                    from_day: Some("2019-10-01".into()),
                },
            ],
        };
        let before = p.on("2019-09-30");
        let after = p.on("2019-10-01");
        assert_eq!(before.rate_of(TaxClass::Standard), Decimal::new(8, 2));
        assert_eq!(after.rate_of(TaxClass::Standard), Decimal::new(10, 2));
        assert_eq!(after.rate_of(TaxClass::Reduced), Decimal::new(8, 2));
        // ¥1,100 inclusive: ¥81 (trunc 81.48) at 8% the day before, ¥100 at 10% from the 1st.
        assert_eq!(
            before.tax_on(TaxClass::Standard, yen("1100")).unwrap(),
            yen("81")
        );
        assert_eq!(
            after.tax_on(TaxClass::Standard, yen("1100")).unwrap(),
            yen("100")
        );
    }

    /// VAT-inclusive prices in the EU (Council Directive 2006/112/EC, art. 73: the taxable amount
    /// excludes the VAT itself), Germany's 19% standard and 7% reduced rates: a gross ¥/€ price P
    /// holds VAT P × r / (1 + r). Examples: €119.00 → €19.00; €10.70 → €0.70; €9.99 at 19% →
    /// €1.595… → €1.60 half-up (commercial rounding, kaufmännische Rundung).
    #[test]
    fn eu_vat_inclusive_examples() {
        let p = TaxPolicy {
            mode: TaxMode::Inclusive,
            rounding: Rounding::HalfUp,
            rates: vec![
                TaxRate {
                    class: TaxClass::Standard,
                    rate: Decimal::new(19, 2),
                    from_day: None,
                },
                TaxRate {
                    class: TaxClass::Reduced,
                    rate: Decimal::new(7, 2),
                    from_day: None,
                },
            ],
        };
        let eur = |v: &str| Money::new(Decimal::from_str(v).unwrap(), Currency::EUR);
        for (class, gross, vat) in [
            (TaxClass::Standard, "119.00", "19.00"),
            (TaxClass::Reduced, "10.70", "0.70"),
            (TaxClass::Standard, "9.99", "1.60"),
            (TaxClass::Reduced, "2.49", "0.16"),
            (TaxClass::Exempt, "5.00", "0.00"),
        ] {
            assert_eq!(p.tax_on(class, eur(gross)).unwrap(), eur(vat), "{gross}");
        }
    }
}
