//! Stock adjustments: goods received, a count that found a different number, breakage and loss.
//! Each is an event carrying a delta, so stock stays a sum of movements that commute (lanes may
//! adjust offline in any order and every store ends with the same level).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockReason {
    /// A delivery came in.
    Received,
    /// A count found more or fewer than the system said.
    Counted,
    Damaged,
    Lost,
    /// Taken for the shop's own use or as samples.
    Used,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    #[error("say which product")]
    NoSku,
    #[error("an adjustment of zero changes nothing")]
    Zero,
    #[error("{reason:?} can only {direction} stock")]
    WrongDirection {
        reason: StockReason,
        direction: &'static str,
    },
    #[error("a quantity has at most 3 decimals (grams) and at most 1,000,000 units")]
    OutOfRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockAdjustment {
    pub sku: String,
    /// Added to stock (negative takes away). Pieces, or kilograms for weighed products.
    pub delta: Decimal,
    pub reason: StockReason,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
}

impl StockAdjustment {
    pub fn validate(&self) -> Result<(), StockError> {
        if self.sku.trim().is_empty() {
            return Err(StockError::NoSku);
        }
        if self.delta.is_zero() {
            return Err(StockError::Zero);
        }
        if self.delta.scale() > 3 || self.delta.abs() > Decimal::from(1_000_000) {
            return Err(StockError::OutOfRange);
        }
        let wrong = match self.reason {
            StockReason::Received if self.delta < Decimal::ZERO => Some("add to"),
            StockReason::Damaged | StockReason::Lost | StockReason::Used
                if self.delta > Decimal::ZERO =>
            {
                Some("take from")
            }
            _ => None,
        };
        match wrong {
            Some(direction) => Err(StockError::WrongDirection {
                reason: self.reason,
                direction,
            }),
            None => Ok(()),
        }
    }
}

/// A product on the low-stock list: where it stands and how much to order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowStock {
    pub sku: String,
    pub name: String,
    pub level: Decimal,
    pub reorder_level: Decimal,
    /// Sold per day on average over the recent days looked at.
    pub per_day: Decimal,
    pub suggested: Decimal,
    /// Below zero: sold offline beyond what the store had (allowed, and reported here).
    pub oversold: bool,
}

/// How much to order so the shelf lasts the supplier's lead time and then `cover_days` more
/// above the reorder level, at the recent rate of sale: (per_day × (lead + cover) + reorder
/// level − level), never negative; pieces round up to whole units, weighed goods keep grams.
pub fn reorder_quantity(
    level: Decimal,
    reorder_level: Decimal,
    per_day: Decimal,
    lead_days: u32,
    cover_days: u32,
    sold_by: crate::catalogue::SoldBy,
) -> Decimal {
    let need = per_day * Decimal::from(lead_days + cover_days) + reorder_level - level;
    let need = need.max(Decimal::ZERO);
    match sold_by {
        crate::catalogue::SoldBy::Each => need.ceil(),
        crate::catalogue::SoldBy::Kilogram => {
            need.round_dp_with_strategy(3, rust_decimal::RoundingStrategy::AwayFromZero)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reorder_covers_lead_time_and_cover_above_the_level() {
        use crate::catalogue::SoldBy;
        let d = |n: i64, scale: u32| Decimal::new(n, scale);
        // 3 left, reorder at 5, selling 2.5 a day, 2 days' lead, a week's cover: 2.5 × 9 + 5 − 3.
        assert_eq!(
            reorder_quantity(d(3, 0), d(5, 0), d(25, 1), 2, 7, SoldBy::Each),
            d(25, 0)
        );
        // Oversold (−2) and not selling lately: back up to the level.
        assert_eq!(
            reorder_quantity(d(-2, 0), d(5, 0), Decimal::ZERO, 2, 7, SoldBy::Each),
            d(7, 0)
        );
        assert_eq!(
            reorder_quantity(d(10, 0), d(5, 0), Decimal::ZERO, 2, 7, SoldBy::Each),
            Decimal::ZERO
        );
        // Weighed: 0.1234 kg a day → grams, rounded up.
        assert_eq!(
            reorder_quantity(
                Decimal::ZERO,
                Decimal::ZERO,
                d(1234, 4),
                1,
                0,
                SoldBy::Kilogram
            ),
            d(124, 3)
        );
    }

    fn adj(delta: i64, reason: StockReason) -> StockAdjustment {
        StockAdjustment {
            sku: "a".into(),
            delta: Decimal::from(delta),
            reason,
            note: String::new(),
            staff_id: None,
        }
    }

    #[test]
    fn adjustments_go_the_way_their_reason_says() {
        assert_eq!(adj(12, StockReason::Received).validate(), Ok(()));
        assert_eq!(adj(-3, StockReason::Counted).validate(), Ok(()));
        assert_eq!(adj(4, StockReason::Counted).validate(), Ok(()));
        assert_eq!(adj(-1, StockReason::Damaged).validate(), Ok(()));
        assert!(adj(-12, StockReason::Received).validate().is_err());
        assert!(adj(1, StockReason::Lost).validate().is_err());
        assert_eq!(
            adj(0, StockReason::Counted).validate(),
            Err(StockError::Zero)
        );
        let mut grams = adj(0, StockReason::Counted);
        grams.delta = Decimal::new(-1234, 4);
        assert_eq!(grams.validate(), Err(StockError::OutOfRange));
    }
}
