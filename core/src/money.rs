//! Money: a `Decimal` amount in a named `Currency`. Never f32/f64.
//!
//! Arithmetic across currencies is an error value (`MoneyError::CurrencyMismatch`), never a panic,
//! and every rounding names its rule (`Rounding`), because `Decimal::round_dp` alone is banker's
//! rounding and Japanese stores usually truncate tax while others round half-up.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency with its number of minor units (JPY 0, USD 2, KWD 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency {
    code: [u8; 3],
    minor_units: u8,
}

/// Currencies till knows the minor units of. Unknown codes are refused rather than guessed.
const KNOWN: &[(&str, u8)] = &[
    ("JPY", 0),
    ("KRW", 0),
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("CHF", 2),
    ("AUD", 2),
    ("CAD", 2),
    ("NZD", 2),
    ("SGD", 2),
    ("HKD", 2),
    ("TWD", 2),
    ("KWD", 3),
    ("BHD", 3),
    ("OMR", 3),
];

impl Currency {
    pub const JPY: Currency = Currency {
        code: *b"JPY",
        minor_units: 0,
    };
    pub const USD: Currency = Currency {
        code: *b"USD",
        minor_units: 2,
    };
    pub const EUR: Currency = Currency {
        code: *b"EUR",
        minor_units: 2,
    };
    pub const KWD: Currency = Currency {
        code: *b"KWD",
        minor_units: 3,
    };

    pub fn from_code(code: &str) -> Result<Currency, MoneyError> {
        KNOWN
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code))
            .map(|(c, minor)| {
                let b = c.as_bytes();
                Currency {
                    code: [b[0], b[1], b[2]],
                    minor_units: *minor,
                }
            })
            .ok_or_else(|| MoneyError::UnknownCurrency(code.chars().take(8).collect()))
    }

    pub fn code(&self) -> &str {
        // The code bytes always come from KNOWN, which is ASCII.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    pub fn minor_units(&self) -> u32 {
        u32::from(self.minor_units)
    }

    /// The symbol a receipt or screen shows before the amount.
    pub fn symbol(&self) -> &'static str {
        match &self.code {
            b"JPY" => "¥",
            b"USD" | b"AUD" | b"CAD" | b"NZD" | b"SGD" | b"HKD" => "$",
            b"EUR" => "€",
            b"GBP" => "£",
            b"KRW" => "₩",
            _ => "",
        }
    }

    /// Notes a cashier is most often handed, smallest first: the pay screen's quick amounts.
    pub fn quick_notes(&self) -> Vec<Decimal> {
        let n: &[i64] = match &self.code {
            b"JPY" => &[1000, 5000, 10000],
            b"USD" | b"CAD" | b"AUD" | b"NZD" => &[5, 10, 20, 50, 100],
            b"EUR" | b"GBP" | b"CHF" => &[5, 10, 20, 50],
            _ => &[],
        };
        n.iter().map(|v| Decimal::from(*v)).collect()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::from_code(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_string()
    }
}

/// How an amount is rounded. Every rounding in till names one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// 0.5 goes away from zero (四捨五入).
    HalfUp,
    /// 0.5 goes to the even neighbour (banker's rounding).
    HalfEven,
    /// Toward zero: truncate (切り捨て).
    Down,
    /// Away from zero (切り上げ).
    Up,
}

impl Rounding {
    pub fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::Down => RoundingStrategy::ToZero,
            Rounding::Up => RoundingStrategy::AwayFromZero,
        }
    }

    /// Round `value` to `dp` decimal places by this rule.
    pub fn apply(self, value: Decimal, dp: u32) -> Decimal {
        value.round_dp_with_strategy(dp, self.strategy())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {0} with {1}: amounts are in different currencies")]
    CurrencyMismatch(Currency, Currency),
    #[error("unknown currency code {0:?}")]
    UnknownCurrency(String),
    #[error("the amount is too large")]
    Overflow,
    #[error("{0} has more decimal places than its currency allows")]
    SubMinorUnit(String),
}

/// The largest integer JavaScript (and so wasm-bindgen, D1 and Durable Object storage) holds
/// exactly: 2^53 − 1.
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// An amount of money in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Travels as a string in JSON ("1234.50"), so no JSON number ever carries money.
    pub amount: Decimal,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    pub fn zero(currency: Currency) -> Money {
        Money {
            amount: Decimal::ZERO,
            currency,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    fn same(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch(self.currency, other.currency))
        }
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same(&other)?;
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money { amount, ..self })
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same(&other)?;
        let amount = self
            .amount
            .checked_sub(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money { amount, ..self })
    }

    pub fn checked_mul(self, factor: Decimal) -> Result<Money, MoneyError> {
        let amount = self
            .amount
            .checked_mul(factor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money { amount, ..self })
    }

    /// Round to the currency's minor units by the named rule.
    pub fn round(self, rule: Rounding) -> Money {
        Money {
            amount: rule.apply(self.amount, self.currency.minor_units()),
            ..self
        }
    }

    /// The amount in minor units (cents, yen) as a JS-safe integer, for integer storage and sums.
    /// Refuses amounts finer than the minor unit or beyond ±(2^53 − 1) rather than rounding.
    pub fn to_minor(&self) -> Result<i64, MoneyError> {
        let scaled = self
            .amount
            .checked_mul(Decimal::from(10i64.pow(self.currency.minor_units())))
            .ok_or(MoneyError::Overflow)?;
        if !scaled.fract().is_zero() {
            return Err(MoneyError::SubMinorUnit(self.display()));
        }
        let v: i64 = scaled
            .trunc()
            .try_into()
            .map_err(|_| MoneyError::Overflow)?;
        if v.abs() > MAX_SAFE_INTEGER {
            return Err(MoneyError::Overflow);
        }
        Ok(v)
    }

    pub fn from_minor(minor: i64, currency: Currency) -> Money {
        Money {
            amount: Decimal::new(minor, currency.minor_units()),
            currency,
        }
    }

    /// Sum amounts that must all be in `currency`.
    pub fn sum<I: IntoIterator<Item = Money>>(
        currency: Currency,
        items: I,
    ) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    /// "¥1,234", "$12.30", "-¥50": grouping by thousands, exactly the currency's minor units.
    pub fn display(&self) -> String {
        let dp = self.currency.minor_units();
        let rounded = Rounding::HalfUp.apply(self.amount.abs(), dp);
        let text = format!("{:.*}", dp as usize, rounded);
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i.to_string(), Some(f.to_string())),
            None => (text.clone(), None),
        };
        let mut grouped = String::with_capacity(int.len() + int.len() / 3);
        for (i, ch) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        let sign = if self.amount.is_sign_negative() && !rounded.is_zero() {
            "-"
        } else {
            ""
        };
        let symbol = self.currency.symbol();
        let code = if symbol.is_empty() {
            format!("{} ", self.currency.code())
        } else {
            String::new()
        };
        match frac {
            Some(f) => format!("{sign}{symbol}{code}{grouped}.{f}"),
            None => format!("{sign}{symbol}{code}{grouped}"),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn mixed_currencies_are_an_error_not_a_panic() {
        let yen = Money::new(d("100"), Currency::JPY);
        let usd = Money::new(d("1.00"), Currency::USD);
        assert_eq!(
            yen.checked_add(usd),
            Err(MoneyError::CurrencyMismatch(Currency::JPY, Currency::USD))
        );
        assert!(yen.checked_sub(usd).is_err());
    }

    #[test]
    fn each_rounding_rule_does_what_its_name_says() {
        let cases = [
            ("2.5", Rounding::HalfUp, "3"),
            ("2.5", Rounding::HalfEven, "2"),
            ("3.5", Rounding::HalfEven, "4"),
            ("2.9", Rounding::Down, "2"),
            ("2.1", Rounding::Up, "3"),
            ("-2.5", Rounding::HalfUp, "-3"),
            ("-2.9", Rounding::Down, "-2"),
        ];
        for (v, rule, want) in cases {
            assert_eq!(rule.apply(d(v), 0), d(want), "{v} {rule:?}");
        }
    }

    #[test]
    fn rounds_to_the_currency_minor_units() {
        assert_eq!(
            Money::new(d("99.5"), Currency::JPY)
                .round(Rounding::Down)
                .amount,
            d("99")
        );
        assert_eq!(
            Money::new(d("1.005"), Currency::USD)
                .round(Rounding::HalfUp)
                .amount,
            d("1.01")
        );
        assert_eq!(
            Money::new(d("1.0005"), Currency::KWD)
                .round(Rounding::HalfUp)
                .amount,
            d("1.001")
        );
    }

    #[test]
    fn display_groups_thousands_and_shows_minor_units() {
        assert_eq!(
            Money::new(d("1234567"), Currency::JPY).display(),
            "¥1,234,567"
        );
        assert_eq!(Money::new(d("12.3"), Currency::USD).display(), "$12.30");
        assert_eq!(Money::new(d("-50"), Currency::JPY).display(), "-¥50");
        assert_eq!(Money::new(d("0"), Currency::JPY).display(), "¥0");
        assert_eq!(Money::new(d("1.5"), Currency::KWD).display(), "KWD 1.500");
    }

    #[test]
    fn minor_units_round_trip_and_stay_js_safe() {
        let m = Money::new(d("1234.56"), Currency::USD);
        assert_eq!(m.to_minor(), Ok(123456));
        assert_eq!(Money::from_minor(123456, Currency::USD), m);
        assert_eq!(Money::new(d("500"), Currency::JPY).to_minor(), Ok(500));
        assert!(matches!(
            Money::new(d("0.5"), Currency::JPY).to_minor(),
            Err(MoneyError::SubMinorUnit(_))
        ));
        assert_eq!(
            Money::new(d("9007199254740992"), Currency::JPY).to_minor(),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn money_travels_as_a_string_in_json() {
        let m = Money::new(d("1234.50"), Currency::USD);
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, r#"{"amount":"1234.50","currency":"USD"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), m);
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"XXX"}"#).is_err());
    }
}
