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
    /// A discount (line or cart) of more than this percent needs a manager's approval.
    #[serde(default = "default_override_threshold")]
    pub discount_approval_percent: Decimal,
    /// Language of the till's screens ("ja" or "en").
    #[serde(default = "default_locale")]
    pub locale: String,
    /// How this store's scales print price- or weight-embedded labels (see `barcode`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub label_layouts: Vec<crate::barcode::EmbeddedLayout>,
    /// Promotions in the order they apply (see `promo`); they reach lanes with the settings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotions: Vec<crate::promo::Promotion>,
    /// A till with nobody touching it locks after this many seconds (0: never); the cart stays.
    #[serde(default = "default_idle_lock")]
    pub idle_lock_seconds: u32,
    /// Tips the customer may add when paying; none: the store takes no tips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tips: Option<crate::tip::TipSettings>,
}

fn default_idle_lock() -> u32 {
    300
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
            discount_approval_percent: default_override_threshold(),
            locale: "ja".into(),
            label_layouts: vec![crate::barcode::EmbeddedLayout::japan_price()],
            promotions: Vec::new(),
            idle_lock_seconds: default_idle_lock(),
            tips: None,
        }
    }
}

impl StoreSettings {
    /// A US store: dollars, one combined sales tax rate added at the till, rounded half-up to
    /// the cent (`rate` is a fraction: 0.08875 for 8.875%), English screens.
    pub fn us(store_id: &str, name: &str, rate: Decimal, utc_offset_minutes: i32) -> StoreSettings {
        use crate::tax::{TaxClass, TaxMode, TaxRate};
        StoreSettings {
            store_id: store_id.into(),
            name: name.into(),
            currency: Currency::USD,
            tax: TaxPolicy {
                mode: TaxMode::Exclusive,
                rounding: Rounding::HalfUp,
                rates: vec![TaxRate {
                    class: TaxClass::Standard,
                    rate,
                    from_day: None,
                }],
            },
            line_rounding: Rounding::HalfUp,
            utc_offset_minutes,
            registration_no: None,
            cash_rounding: None,
            override_approval_percent: default_override_threshold(),
            discount_approval_percent: default_override_threshold(),
            locale: "en".into(),
            label_layouts: Vec::new(),
            promotions: Vec::new(),
            idle_lock_seconds: default_idle_lock(),
            tips: None,
        }
    }
}

/// What the owner fills in to open a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStore {
    pub name: String,
    /// "JP" or "US": decides currency, tax rules and language.
    pub country: String,
    /// Minutes east of UTC; Tokyo (540) for JP and New York (−300) for US when left out.
    #[serde(default)]
    pub utc_offset_minutes: Option<i32>,
    /// JP: the qualified-invoice registration number, if the store has one.
    #[serde(default)]
    pub registration_no: Option<String>,
    /// US: the combined sales tax rate in percent ("8.875").
    #[serde(default)]
    pub sales_tax_percent: Option<Decimal>,
    /// Tips suggested at payment, in percent, as the owner typed them ("15, 18, 20"); empty or
    /// none: the store takes no tips.
    #[serde(default)]
    pub tip_percents: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NewStoreError {
    #[error("give the store a name (at most 80 characters)")]
    Name,
    #[error("till supports stores in Japan (JP) and the United States (US) so far")]
    Country,
    #[error("a time zone offset is between −12:00 and +14:00")]
    Offset,
    #[error("a US store needs its sales tax rate, between 0 and 20 percent")]
    SalesTax,
    #[error(transparent)]
    RegistrationNo(#[from] RegistrationNoError),
    #[error("suggested tips are one to five percentages between 1 and 100, e.g. 15, 18, 20")]
    Tips,
}

impl NewStore {
    /// The store's settings, every field checked.
    pub fn settings(&self, store_id: &str) -> Result<StoreSettings, NewStoreError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(NewStoreError::Name);
        }
        if let Some(o) = self.utc_offset_minutes {
            if !(-720..=840).contains(&o) {
                return Err(NewStoreError::Offset);
            }
        }
        let tips = self.tips()?;
        let mut settings = self.settings_for_country(store_id, name)?;
        settings.tips = tips;
        Ok(settings)
    }

    /// The suggested tips the owner typed, checked.
    fn tips(&self) -> Result<Option<crate::tip::TipSettings>, NewStoreError> {
        let text = self.tip_percents.as_deref().unwrap_or("").trim();
        if text.is_empty() {
            return Ok(None);
        }
        let percents = text
            .split([',', '、', ' '])
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.trim().trim_end_matches('%').parse::<Decimal>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| NewStoreError::Tips)?;
        crate::tip::TipSettings::new(percents, crate::tip::TipBase::BeforeTax)
            .map(Some)
            .map_err(|_| NewStoreError::Tips)
    }

    fn settings_for_country(
        &self,
        store_id: &str,
        name: &str,
    ) -> Result<StoreSettings, NewStoreError> {
        match self.country.trim().to_ascii_uppercase().as_str() {
            "JP" => {
                let mut s = StoreSettings::japan(store_id, name);
                s.utc_offset_minutes = self.utc_offset_minutes.unwrap_or(540);
                s.registration_no = match self.registration_no.as_deref().map(str::trim) {
                    Some(r) if !r.is_empty() => Some(registration_no(r)?),
                    _ => None,
                };
                Ok(s)
            }
            "US" => {
                let pct = self.sales_tax_percent.ok_or(NewStoreError::SalesTax)?;
                if pct < Decimal::ZERO || pct > Decimal::from(20) || pct.scale() > 4 {
                    return Err(NewStoreError::SalesTax);
                }
                Ok(StoreSettings::us(
                    store_id,
                    name,
                    pct / Decimal::from(100),
                    self.utc_offset_minutes.unwrap_or(-300),
                ))
            }
            _ => Err(NewStoreError::Country),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_store_is_checked_and_gets_its_country_rules() {
        let jp = NewStore {
            name: " 渋谷店 ".into(),
            country: "jp".into(),
            utc_offset_minutes: None,
            registration_no: Some("t7000012050002".into()),
            sales_tax_percent: None,
            tip_percents: None,
        };
        let s = jp.settings("s1").unwrap();
        assert_eq!((s.name.as_str(), s.currency), ("渋谷店", Currency::JPY));
        assert_eq!(s.registration_no.as_deref(), Some("T7000012050002"));
        assert_eq!(s.utc_offset_minutes, 540);
        let bad_no = NewStore {
            registration_no: Some("T8000012050002".into()),
            ..jp.clone()
        };
        assert_eq!(
            bad_no.settings("s1"),
            Err(NewStoreError::RegistrationNo(
                RegistrationNoError::CheckDigit
            ))
        );
        let us = NewStore {
            name: "Brooklyn".into(),
            country: "US".into(),
            utc_offset_minutes: None,
            registration_no: None,
            sales_tax_percent: Some(Decimal::new(8875, 3)),
            tip_percents: Some("15, 18%, 20".into()),
        };
        let s = us.settings("s2").unwrap();
        assert_eq!(
            s.tips.as_ref().map(|t| t.percents.clone()),
            Some(vec![
                Decimal::from(15),
                Decimal::from(18),
                Decimal::from(20)
            ])
        );
        assert_eq!(jp.settings("s1").unwrap().tips, None);
        for bad in ["15, x", "0", "1,2,3,4,5,6", "150"] {
            assert_eq!(
                NewStore {
                    tip_percents: Some(bad.into()),
                    ..us.clone()
                }
                .settings("s2"),
                Err(NewStoreError::Tips),
                "{bad}"
            );
        }
        assert_eq!(s.currency, Currency::USD);
        assert_eq!(s.tax.rates[0].rate, Decimal::new(8875, 5));
        assert_eq!(s.utc_offset_minutes, -300);
        assert_eq!(
            NewStore {
                sales_tax_percent: None,
                ..us.clone()
            }
            .settings("s2"),
            Err(NewStoreError::SalesTax)
        );
        assert_eq!(
            NewStore {
                country: "FR".into(),
                ..us.clone()
            }
            .settings("s2"),
            Err(NewStoreError::Country)
        );
        assert_eq!(
            NewStore {
                name: "  ".into(),
                ..us
            }
            .settings("s2"),
            Err(NewStoreError::Name)
        );
    }

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
