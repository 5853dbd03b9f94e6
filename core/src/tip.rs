//! Tips, for stores that take them (cafés and salons in the US; Japanese shops do not): the
//! customer adds one when paying, from the store's suggested percentages or as an amount.
//!
//! A tip is not a sale: it carries no tax, is not in net sales, and is paid on top of the
//! total with the same tenders (on the card terminal, or in cash). It belongs to the staff, so
//! the shift report shows it apart.

use crate::money::{Money, MoneyError, Rounding};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What the suggested percentages are taken of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TipBase {
    /// The total before tax (the usual courtesy: no tip on tax).
    BeforeTax,
    /// The total the customer pays.
    Total,
}

/// A store's tip settings. A store without them takes no tips.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TipSettings {
    /// Suggested percentages, as shown on the pay screen (e.g. 15, 18, 20).
    pub percents: Vec<Decimal>,
    pub base: TipBase,
}

impl Default for TipSettings {
    fn default() -> Self {
        TipSettings {
            percents: vec![Decimal::from(15), Decimal::from(18), Decimal::from(20)],
            base: TipBase::BeforeTax,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TipError {
    #[error("this store does not take tips")]
    NotTaken,
    #[error("a tip cannot be negative")]
    Negative,
    #[error("a tip of {tip} is more than the sale's total {total}: check the amount")]
    TooLarge { tip: String, total: String },
    #[error("a suggested tip is between 1% and 100%")]
    BadPercent,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

impl TipSettings {
    /// Checked settings: one to five suggestions, each 1–100%.
    pub fn new(percents: Vec<Decimal>, base: TipBase) -> Result<TipSettings, TipError> {
        if percents.is_empty()
            || percents.len() > 5
            || percents
                .iter()
                .any(|p| *p < Decimal::ONE || *p > Decimal::ONE_HUNDRED)
        {
            return Err(TipError::BadPercent);
        }
        Ok(TipSettings { percents, base })
    }

    /// The suggested tips for a sale: each percentage of the base, rounded half-up to the
    /// currency's minor unit (a tip of $2.675 is $2.68, as a customer would work it out).
    pub fn suggestions(&self, total: Money, tax: Money) -> Result<Vec<(Decimal, Money)>, TipError> {
        let base = match self.base {
            TipBase::BeforeTax => total.checked_sub(tax)?,
            TipBase::Total => total,
        };
        Ok(self
            .percents
            .iter()
            .map(|p| {
                let amount = Rounding::HalfUp.apply(
                    base.amount * *p / Decimal::ONE_HUNDRED,
                    base.currency.minor_units(),
                );
                (*p, Money::new(amount, base.currency))
            })
            .collect())
    }
}

/// Check a tip for a sale of `total` in a store with `settings`. A tip above the total is
/// refused as a likely typo (¥ for $, or an extra zero).
pub fn check(settings: Option<&TipSettings>, tip: Money, total: Money) -> Result<(), TipError> {
    if settings.is_none() {
        return Err(TipError::NotTaken);
    }
    if tip.currency != total.currency {
        return Err(MoneyError::CurrencyMismatch(total.currency, tip.currency).into());
    }
    if tip.amount < Decimal::ZERO {
        return Err(TipError::Negative);
    }
    if tip.amount > total.amount {
        return Err(TipError::TooLarge {
            tip: tip.display(),
            total: total.display(),
        });
    }
    if tip.amount.normalize().scale() > tip.currency.minor_units() {
        return Err(MoneyError::SubMinorUnit(tip.display()).into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn usd(cents: i64) -> Money {
        Money::new(Decimal::new(cents, 2), Currency::USD)
    }

    #[test]
    fn suggestions_are_taken_before_tax_and_rounded_half_up() {
        let s = TipSettings::default();
        // $19.45 with $1.72 tax: 15% of $17.73 is $2.6595 → $2.66.
        let tips = s.suggestions(usd(1945), usd(172)).unwrap();
        assert_eq!(
            tips.iter().map(|(_, m)| *m).collect::<Vec<_>>(),
            vec![usd(266), usd(319), usd(355)]
        );
        let on_total = TipSettings::new(vec![Decimal::from(20)], TipBase::Total).unwrap();
        assert_eq!(
            on_total.suggestions(usd(1945), usd(172)).unwrap()[0].1,
            usd(389)
        );
        assert_eq!(
            TipSettings::new(vec![Decimal::ZERO], TipBase::Total),
            Err(TipError::BadPercent)
        );
        assert_eq!(
            TipSettings::new(vec![], TipBase::Total),
            Err(TipError::BadPercent)
        );
    }

    #[test]
    fn a_tip_is_checked_against_the_store_and_the_total() {
        let s = TipSettings::default();
        assert_eq!(check(None, usd(100), usd(1000)), Err(TipError::NotTaken));
        assert_eq!(check(Some(&s), usd(-1), usd(1000)), Err(TipError::Negative));
        assert!(matches!(
            check(Some(&s), usd(1001), usd(1000)),
            Err(TipError::TooLarge { .. })
        ));
        assert!(check(
            Some(&s),
            Money::new(Decimal::new(1001, 3), Currency::USD),
            usd(1000)
        )
        .is_err());
        assert!(check(
            Some(&s),
            Money::new(Decimal::from(1), Currency::JPY),
            usd(1000)
        )
        .is_err());
        assert_eq!(check(Some(&s), usd(1000), usd(1000)), Ok(()));
    }

    proptest! {
        /// Every suggestion is in the currency's minor unit and never more than the base.
        #[test]
        fn suggestions_are_whole_cents_within_the_base(cents in 1i64..10_000_000, tax in 0i64..1_000_000) {
            let total = usd(cents + tax);
            for (_, tip) in TipSettings::default().suggestions(total, usd(tax)).unwrap() {
                prop_assert!(tip.amount.normalize().scale() <= 2);
                prop_assert!(tip.amount <= Decimal::new(cents, 2));
                prop_assert!(check(Some(&TipSettings::default()), tip, total).is_ok());
            }
        }
    }
}
