//! Gift cards: the store's own stored-value cards. A card is loaded (sold or topped up) at a
//! till for money taken in any tender; it pays for sales (`Tender::GiftCard`); a refund of such a
//! sale puts the money back on the card; a void gives it back too.
//!
//! A card's balance is a sum of movements, like stock: the edge adds up every lane's booked
//! events and hands the balance to lanes by pull; a lane shows that plus its own movements not
//! yet sent, so a card spent offline on this lane is not spent twice here. Loading a card is not
//! a sale (the store owes the money until the card is used): it is its own event, and the
//! journal books it to the gift card liability.

use crate::money::{Money, MoneyError};
use crate::tender::{settle, Tender, TenderError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GiftCardError {
    #[error("a gift card number is 8 to 20 letters and digits, as printed on the card")]
    BadCode,
    #[error("that looks like a bank card number, not one of the store's gift cards")]
    LooksLikeBankCard,
    #[error("load an amount more than zero")]
    NonPositive,
    #[error("a gift card holds at most {0}")]
    TooMuch(String),
    #[error(
        "a gift card is paid for with money (cash, card, QR), not another card or returned items"
    )]
    PaidWithStoredValue,
    #[error("the card has {balance} on it: it cannot pay {wanted}")]
    NotEnough { balance: String, wanted: String },
    #[error(transparent)]
    Tender(#[from] TenderError),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// The card number as the store keeps it: upper case, without spaces or dashes. Codes are the
/// store's (letters and digits); a run of 12 or more digits is refused, as everywhere in till,
/// so a bank card number can never be stored by mistake.
pub fn check_code(raw: &str) -> Result<String, GiftCardError> {
    let code: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if !(8..=20).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(GiftCardError::BadCode);
    }
    let mut run = 0;
    for c in code.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 12 {
            return Err(GiftCardError::LooksLikeBankCard);
        }
    }
    Ok(code)
}

/// The most one card may hold, in the currency's major units (a guard against a typo).
pub const MAX_BALANCE_UNITS: i64 = 100_000_000;

/// Money put on a card at a till.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftCardLoad {
    /// The store's business day it happened on (the journal books it there).
    pub business_day: String,
    pub code: String,
    pub amount: Money,
    /// How the customer paid for it (cash over-tendered gives change).
    pub tenders: Vec<Tender>,
    pub change: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
}

impl GiftCardLoad {
    /// A load of `amount` onto `code`, paid with `tenders`.
    pub fn new(
        business_day: &str,
        code: &str,
        amount: Money,
        tenders: Vec<Tender>,
        staff_id: Option<String>,
    ) -> Result<GiftCardLoad, GiftCardError> {
        let code = check_code(code)?;
        if amount.amount <= Decimal::ZERO {
            return Err(GiftCardError::NonPositive);
        }
        if amount.amount > Decimal::from(MAX_BALANCE_UNITS) {
            return Err(GiftCardError::TooMuch(
                Money::new(Decimal::from(MAX_BALANCE_UNITS), amount.currency).display(),
            ));
        }
        if tenders
            .iter()
            .any(|t| matches!(t, Tender::GiftCard { .. } | Tender::Exchange { .. }))
        {
            // A card bought with a card (or with returned goods) would turn credit into cash.
            return Err(GiftCardError::PaidWithStoredValue);
        }
        let settled = settle(amount, &tenders, None)?;
        Ok(GiftCardLoad {
            business_day: business_day.to_string(),
            code,
            amount,
            tenders,
            change: settled.change,
            staff_id,
        })
    }

    /// The edge's check: the load is what `new` would make of it.
    pub fn verify(&self) -> Result<(), String> {
        let again = GiftCardLoad::new(
            &self.business_day,
            &self.code,
            self.amount,
            self.tenders.clone(),
            self.staff_id.clone(),
        )
        .map_err(|e| e.to_string())?;
        if &again != self {
            return Err("the gift card load does not add up".into());
        }
        Ok(())
    }
}

/// Check that a card with `balance` (what the edge last said plus this lane's unsent
/// movements) can pay `wanted`.
pub fn can_pay(balance: Money, wanted: Money) -> Result<(), GiftCardError> {
    if wanted.amount > balance.amount {
        return Err(GiftCardError::NotEnough {
            balance: balance.display(),
            wanted: wanted.display(),
        });
    }
    Ok(())
}

/// Card movements of some tenders: what they take off the cards (`sign` −1 for a payment, +1
/// for money given back onto a card).
pub fn movements(tenders: &[Tender], sign: Decimal) -> Vec<(String, Decimal)> {
    tenders
        .iter()
        .filter_map(|t| match t {
            Tender::GiftCard { amount, card_id } => Some((card_id.clone(), amount.amount * sign)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn yen(n: i64) -> Money {
        Money::new(Decimal::from(n), Currency::JPY)
    }

    #[test]
    fn codes_are_normalised_and_bank_card_numbers_refused() {
        assert_eq!(check_code("gc-2k7q 9x4m"), Ok("GC2K7Q9X4M".into()));
        assert_eq!(check_code("short"), Err(GiftCardError::BadCode));
        assert_eq!(check_code("GC-ÄÖÜ-1234"), Err(GiftCardError::BadCode));
        assert_eq!(
            check_code("4111 1111 1111 1111"),
            Err(GiftCardError::LooksLikeBankCard)
        );
        assert_eq!(check_code("GC12345678901"), Ok("GC12345678901".into()));
    }

    #[test]
    fn a_load_is_paid_for_and_checked() {
        let cash = Tender::Cash {
            tendered: yen(10_000),
        };
        let load = GiftCardLoad::new(
            "2026-12-01",
            "gc-0001-0002",
            yen(5_000),
            vec![cash.clone()],
            None,
        )
        .unwrap();
        assert_eq!(load.code, "GC00010002");
        assert_eq!(load.change, yen(5_000));
        assert_eq!(load.verify(), Ok(()));
        let mut forged = load.clone();
        forged.amount = yen(50_000);
        assert!(forged.verify().is_err());
        assert!(matches!(
            GiftCardLoad::new("2026-12-01", "GC00010002", yen(0), vec![cash.clone()], None),
            Err(GiftCardError::NonPositive)
        ));
        assert!(matches!(
            GiftCardLoad::new("2026-12-01", "GC00010002", yen(20_000), vec![cash], None),
            Err(GiftCardError::Tender(TenderError::Underpaid { .. }))
        ));
        let with_card = Tender::GiftCard {
            amount: yen(1_000),
            card_id: "GC00010003".into(),
        };
        assert!(GiftCardLoad::new(
            "2026-12-01",
            "GC00010002",
            yen(1_000),
            vec![with_card],
            None
        )
        .is_err());
    }

    #[test]
    fn a_card_pays_only_what_it_holds() {
        assert_eq!(can_pay(yen(3_000), yen(3_000)), Ok(()));
        assert!(matches!(
            can_pay(yen(3_000), yen(3_001)),
            Err(GiftCardError::NotEnough { .. })
        ));
    }
}
