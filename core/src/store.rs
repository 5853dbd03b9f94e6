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
        }
    }
}
