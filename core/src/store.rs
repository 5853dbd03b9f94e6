//! A store's settings: what every price, tax and receipt calculation of a lane depends on.

use crate::money::{Currency, Rounding};
use crate::tax::TaxPolicy;
use crate::tender::CashRounding;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSettings {
    pub store_id: String,
    pub name: String,
    pub currency: Currency,
    pub tax: TaxPolicy,
    /// How a line amount (quantity × unit price, e.g. a weighed item) is rounded to the minor unit.
    pub line_rounding: Rounding,
    /// Minutes east of UTC; decides the business day.
    pub utc_offset_minutes: i32,
    /// Japan qualified-invoice issuer number ("T" + 13 digits), printed on receipts.
    #[serde(default)]
    pub registration_no: Option<String>,
    /// Round all-cash totals to the smallest coin (e.g. CHF 0.05); none for yen.
    #[serde(default)]
    pub cash_rounding: Option<CashRounding>,
    /// A price change of more than this percent needs a manager's approval.
    #[serde(default = "default_override_threshold")]
    pub override_approval_percent: Decimal,
    /// Language of the till's screens ("ja" or "en").
    #[serde(default = "default_locale")]
    pub locale: String,
    /// How this store's scales print price- or weight-embedded labels (see `barcode`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub label_layouts: Vec<crate::barcode::EmbeddedLayout>,
    /// Promotions in the order they apply (see `promo`); they reach lanes with the settings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotions: Vec<crate::promo::Promotion>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationNoError {
    #[error("a registration number is T followed by 13 digits, e.g. T7000012050002")]
    Format,
    #[error(
        "the registration number's check digit is wrong: check it against the registration notice"
    )]
    CheckDigit,
}

/// Validate and normalise a Japanese qualified-invoice issuer registration number
/// (適格請求書発行事業者登録番号): "T" + 13 digits, where the first of the 13 is a check digit over the
/// other 12 as for corporate numbers (法人番号): 9 − (Σ digit × weight mod 9), weights 1, 2, 1, 2 …
/// from the rightmost digit. Spaces and hyphens are dropped; a lower-case "t" is accepted.
pub fn registration_no(input: &str) -> Result<String, RegistrationNoError> {
    let cleaned: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let digits = cleaned
        .strip_prefix(['T', 't'])
        .ok_or(RegistrationNoError::Format)?;
    if digits.len() != 13 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RegistrationNoError::Format);
    }
    let bytes = digits.as_bytes();
    let sum: u32 = bytes[1..]
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    if u32::from(bytes[0] - b'0') != 9 - sum % 9 {
        return Err(RegistrationNoError::CheckDigit);
    }
    Ok(format!("T{digits}"))
}

fn default_override_threshold() -> Decimal {
    Decimal::from(20)
}

fn default_locale() -> String {
    "ja".into()
}

impl StoreSettings {
    /// A Japanese store: yen, prices include tax, 10%/8%, tax truncated, Tokyo time.
    pub fn japan(store_id: &str, name: &str) -> StoreSettings {
        StoreSettings {
            store_id: store_id.into(),
            name: name.into(),
            currency: Currency::JPY,
            tax: TaxPolicy::japan(),
            line_rounding: Rounding::Down,
            utc_offset_minutes: 540,
            registration_no: None,
            cash_rounding: None,
            override_approval_percent: default_override_threshold(),
            locale: "ja".into(),
            label_layouts: vec![crate::barcode::EmbeddedLayout::japan_price()],
            promotions: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The National Tax Agency's own registration number, T7000012050002 (its corporate number
    /// 7000012050002, check digit 7), as published on its invoice-system site.
    #[test]
    fn registration_numbers_are_validated_and_normalised() {
        assert_eq!(
            registration_no("T7000012050002"),
            Ok("T7000012050002".into())
        );
        assert_eq!(
            registration_no(" t7-0000-1205-0002 "),
            Ok("T7000012050002".into())
        );
        assert_eq!(
            registration_no("T8000012050002"),
            Err(RegistrationNoError::CheckDigit)
        );
        assert_eq!(
            registration_no("7000012050002"),
            Err(RegistrationNoError::Format)
        );
        assert_eq!(
            registration_no("T700001205000"),
            Err(RegistrationNoError::Format)
        );
        assert_eq!(
            registration_no("T70000120500x2"),
            Err(RegistrationNoError::Format)
        );
        assert_eq!(
            registration_no("T７000012050002"),
            Err(RegistrationNoError::Format)
        );
    }
}
