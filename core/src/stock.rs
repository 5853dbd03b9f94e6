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

#[cfg(test)]
mod tests {
    use super::*;

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
