//! Barcodes: scanner input normalisation, GTINs (EAN-13/JAN, EAN-8, UPC-A, UPC-E, ITF-14), GS1
//! element strings, and price- or weight-embedded in-store labels.
//!
//! Every scan passes through here before the catalogue is asked, so a misread code is refused
//! with a reason instead of adding the wrong item.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    #[error("nothing was scanned")]
    Empty,
    #[error("a barcode of {0} digits is not a product code (expected 8, 12, 13 or 14)")]
    WrongLength(usize),
    #[error(
        "the barcode's check digit is wrong (read {found}, expected {expected}): scan it again"
    )]
    BadCheckDigit { found: u8, expected: u8 },
    #[error("the barcode contains {0:?}, which is not a digit")]
    NotDigits(char),
    #[error("a UPC-E code starts with 0 or 1")]
    NotUpcE,
    #[error("the price on this label does not match its check digit: scan it again or key it in")]
    BadPriceCheck,
    #[error("the store's label layout does not add up to 13 digits: fix it in the settings")]
    BadLayout,
    #[error("{0}")]
    Gs1(String),
}

/// A validated GTIN, always held as 14 digits (GTIN-14) so an EAN-13 and the same UPC-A
/// padded with a zero are the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Gtin(String);

impl Gtin {
    /// Parse 8, 12, 13 or 14 digits with a valid GS1 check digit.
    pub fn parse(digits: &str) -> Result<Gtin, BarcodeError> {
        if digits.is_empty() {
            return Err(BarcodeError::Empty);
        }
        if let Some(bad) = digits.chars().find(|c| !c.is_ascii_digit()) {
            return Err(BarcodeError::NotDigits(bad));
        }
        if ![8, 12, 13, 14].contains(&digits.len()) {
            return Err(BarcodeError::WrongLength(digits.len()));
        }
        let (body, check) = digits.split_at(digits.len() - 1);
        let expected = check_digit(body);
        let found = check.as_bytes()[0] - b'0';
        if found != expected {
            return Err(BarcodeError::BadCheckDigit { found, expected });
        }
        Ok(Gtin(format!("{digits:0>14}")))
    }

    /// Build a GTIN from its digits without the check digit (the demo generator makes codes).
    pub fn with_check_digit(body: &str) -> Result<Gtin, BarcodeError> {
        if let Some(bad) = body.chars().find(|c| !c.is_ascii_digit()) {
            return Err(BarcodeError::NotDigits(bad));
        }
        Gtin::parse(&format!("{body}{}", check_digit(body)))
    }

    pub fn as_gtin14(&self) -> &str {
        &self.0
    }

    /// The shortest standard form: EAN-13 for 0-padded GTIN-14s, EAN-8 where it fits.
    pub fn short(&self) -> &str {
        let s = self.0.as_str();
        if let Some(rest) = s.strip_prefix("000000") {
            rest
        } else if let Some(rest) = s.strip_prefix('0') {
            rest
        } else {
            s
        }
    }
}

impl TryFrom<String> for Gtin {
    type Error = BarcodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Gtin::parse(&s)
    }
}

impl From<Gtin> for String {
    fn from(g: Gtin) -> String {
        g.0
    }
}

/// GS1 mod-10 check digit: weights 3,1,3,1… from the rightmost body digit.
/// `body` must be ASCII digits.
pub fn check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Expand a UPC-E code (8 digits: number system 0 or 1, six digits, check digit; or 7 without
/// the check digit) to its UPC-A form by the zero-suppression rules, checking the check digit,
/// which is the UPC-A's.
pub fn expand_upc_e(code: &str) -> Result<Gtin, BarcodeError> {
    if let Some(bad) = code.chars().find(|c| !c.is_ascii_digit()) {
        return Err(BarcodeError::NotDigits(bad));
    }
    if code.len() != 7 && code.len() != 8 {
        return Err(BarcodeError::WrongLength(code.len()));
    }
    let b = code.as_bytes();
    let ns = b[0];
    if ns != b'0' && ns != b'1' {
        return Err(BarcodeError::NotUpcE);
    }
    let d = |i: usize| b[i] as char;
    let (d1, d2, d3, d4, d5, d6) = (d(1), d(2), d(3), d(4), d(5), d(6));
    let body: String = match d6 {
        '0'..='2' => format!("{}{d1}{d2}{d6}0000{d3}{d4}{d5}", ns as char),
        '3' => format!("{}{d1}{d2}{d3}00000{d4}{d5}", ns as char),
        '4' => format!("{}{d1}{d2}{d3}{d4}00000{d5}", ns as char),
        _ => format!("{}{d1}{d2}{d3}{d4}{d5}0000{d6}", ns as char),
    };
    let expected = check_digit(&body);
    if code.len() == 8 {
        let found = b[7] - b'0';
        if found != expected {
            return Err(BarcodeError::BadCheckDigit { found, expected });
        }
    }
    Gtin::parse(&format!("{body}{expected}"))
}

/// The symbology an AIM identifier (`]` + code letter + modifier) says the scanner read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbology {
    /// ]E0: EAN-13, UPC-A or UPC-E.
    Ean13OrUpc,
    /// ]E4: EAN-8.
    Ean8,
    /// ]C1: GS1-128; ]e0: GS1 DataBar; ]d2: GS1 DataMatrix; ]Q3: GS1 QR — all carry element strings.
    Gs1,
    /// ]I1: ITF (ITF-14 carries a GTIN-14).
    Itf,
    /// Any other identifier (Code 128 without FNC1, Code 39, QR …): the text is taken as it is.
    Other,
}

/// Split an AIM symbology identifier off the front of scanner output, if there is one.
pub fn strip_aim(raw: &str) -> (Option<Symbology>, &str) {
    let b = raw.as_bytes();
    if b.len() >= 3 && b[0] == b']' && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphanumeric() {
        let sym = match &raw[1..3] {
            "E0" => Symbology::Ean13OrUpc,
            "E4" => Symbology::Ean8,
            "C1" | "e0" | "d2" | "Q3" => Symbology::Gs1,
            "I1" | "I0" => Symbology::Itf,
            _ => Symbology::Other,
        };
        (Some(sym), &raw[3..])
    } else {
        (None, raw)
    }
}

/// The GS1 group separator, which scanners send for FNC1 inside an element string.
pub const GS: char = '\u{1d}';

/// A date in an element string (YYMMDD). Day 00 means "the end of the month", as GS1 allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gs1Date {
    pub yy: u8,
    pub mm: u8,
    pub dd: u8,
}

/// What a GS1 element string says, for the AIs a shop's till uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gs1 {
    /// AI 01: the trade item.
    pub gtin: Option<Gtin>,
    /// AI 02: the trade item contained in a logistic unit.
    pub contained: Option<Gtin>,
    /// AI 10.
    pub batch: Option<String>,
    /// AI 17.
    pub expiry: Option<Gs1Date>,
    /// AI 21.
    pub serial: Option<String>,
    /// AI 310n: net weight in kilograms.
    pub net_weight_kg: Option<Decimal>,
    /// AI 392n: the price to pay, in the local currency's units.
    pub price: Option<Decimal>,
    /// AI 393n: the price with its ISO 4217 numeric currency code.
    pub price_currency: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    #[error("the label's data is empty")]
    Empty,
    #[error(
        "the label has an application identifier this till does not read ({0}): key the item in"
    )]
    UnknownAi(String),
    #[error("the label's {0} is cut short: scan it again or key it in")]
    Truncated(&'static str),
    #[error("the label's {0} is unreadable: scan it again or key it in")]
    Invalid(&'static str),
    #[error("the label's {what}: {source}")]
    Gtin {
        what: &'static str,
        source: BarcodeError,
    },
}

/// How an AI's data is delimited.
enum AiLen {
    Fixed(usize),
    /// Up to this many characters, ended by GS or the end of the string.
    Var(usize),
}

/// The AIs understood, with their data length. (n = the decimal-point digit of 310n/392n/393n.)
fn ai_spec(ai: &str) -> Option<(&'static str, AiLen)> {
    Some(match ai {
        "01" => ("GTIN", AiLen::Fixed(14)),
        "02" => ("contained GTIN", AiLen::Fixed(14)),
        "10" => ("batch number", AiLen::Var(20)),
        "17" => ("expiry date", AiLen::Fixed(6)),
        "21" => ("serial number", AiLen::Var(20)),
        a if a.len() == 4 && a.starts_with("310") => ("net weight", AiLen::Fixed(6)),
        a if a.len() == 4 && a.starts_with("392") => ("price", AiLen::Var(15)),
        a if a.len() == 4 && a.starts_with("393") => ("price with currency", AiLen::Var(18)),
        _ => return None,
    })
}

/// The AI at the start of `s`: 2 digits, or 4 for the 31nn/39nn families.
fn ai_at(s: &str) -> Option<&str> {
    let len = if s.starts_with("31") || s.starts_with("39") {
        4
    } else {
        2
    };
    let ai = s.get(..len)?;
    ai.bytes().all(|b| b.is_ascii_digit()).then_some(ai)
}

fn decimal_with(digits: &str, decimals: u32) -> Option<Decimal> {
    let n: i64 = digits.parse().ok()?;
    Some(Decimal::new(n, decimals))
}

/// Parse a GS1 element string: raw (AIs back to back, variable fields ended by GS), or the
/// human-readable form with AIs in parentheses, "(01)04912345678904(17)271231(10)A12".
pub fn parse_gs1(input: &str) -> Result<Gs1, Gs1Error> {
    let s = input.trim_start_matches(GS).trim_end_matches(GS);
    if s.is_empty() {
        return Err(Gs1Error::Empty);
    }
    let pairs = if s.starts_with('(') {
        bracketed(s)?
    } else {
        raw_pairs(s)?
    };
    let mut out = Gs1::default();
    for (ai, data) in pairs {
        let (what, len) = ai_spec(&ai).ok_or_else(|| Gs1Error::UnknownAi(ai.clone()))?;
        match len {
            AiLen::Fixed(n) if data.chars().count() != n => return Err(Gs1Error::Truncated(what)),
            AiLen::Var(max) if data.is_empty() || data.chars().count() > max => {
                return Err(Gs1Error::Invalid(what))
            }
            _ => {}
        }
        let digits = data.bytes().all(|b| b.is_ascii_digit());
        let decimals = || u32::from(ai.as_bytes()[3] - b'0');
        match ai.as_str() {
            "01" | "02" => {
                let g = Gtin::parse(&data).map_err(|source| Gs1Error::Gtin { what, source })?;
                if ai == "01" {
                    out.gtin = Some(g);
                } else {
                    out.contained = Some(g);
                }
            }
            "10" => out.batch = Some(data),
            "21" => out.serial = Some(data),
            "17" => {
                let n = |i: usize| data.get(i..i + 2).and_then(|x| x.parse::<u8>().ok());
                match (digits, n(0), n(2), n(4)) {
                    (true, Some(yy), Some(mm @ 1..=12), Some(dd @ 0..=31)) => {
                        out.expiry = Some(Gs1Date { yy, mm, dd })
                    }
                    _ => return Err(Gs1Error::Invalid(what)),
                }
            }
            a if a.starts_with("310") => {
                out.net_weight_kg = Some(
                    digits
                        .then(|| decimal_with(&data, decimals()))
                        .flatten()
                        .filter(|_| decimals() <= 6)
                        .ok_or(Gs1Error::Invalid(what))?,
                );
            }
            a if a.starts_with("392") => {
                out.price = Some(
                    digits
                        .then(|| decimal_with(&data, decimals()))
                        .flatten()
                        .ok_or(Gs1Error::Invalid(what))?,
                );
            }
            _ => {
                // 393n: ISO 4217 numeric code, then the amount. Digits only (checked before
                // splitting, so a byte index can never fall inside a character).
                if !digits || data.len() < 4 {
                    return Err(Gs1Error::Invalid(what));
                }
                let (cur, amount) = data.split_at(3);
                let code: u16 = cur.parse().map_err(|_| Gs1Error::Invalid(what))?;
                out.price = Some(decimal_with(amount, decimals()).ok_or(Gs1Error::Invalid(what))?);
                out.price_currency = Some(code);
            }
        }
    }
    Ok(out)
}

fn raw_pairs(mut s: &str) -> Result<Vec<(String, String)>, Gs1Error> {
    let mut pairs = Vec::new();
    while !s.is_empty() {
        s = s.trim_start_matches(GS);
        if s.is_empty() {
            break;
        }
        let ai = ai_at(s).ok_or_else(|| Gs1Error::UnknownAi(s.chars().take(4).collect()))?;
        let (what, len) = ai_spec(ai).ok_or_else(|| Gs1Error::UnknownAi(ai.to_string()))?;
        let rest = &s[ai.len()..];
        let (data, next) = match len {
            AiLen::Fixed(n) => {
                let end = rest
                    .char_indices()
                    .nth(n)
                    .map(|(i, _)| i)
                    .unwrap_or(rest.len());
                if rest[..end].chars().count() != n || rest[..end].contains(GS) {
                    return Err(Gs1Error::Truncated(what));
                }
                (&rest[..end], &rest[end..])
            }
            AiLen::Var(_) => match rest.find(GS) {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, ""),
            },
        };
        pairs.push((ai.to_string(), data.to_string()));
        s = next;
    }
    Ok(pairs)
}

fn bracketed(s: &str) -> Result<Vec<(String, String)>, Gs1Error> {
    let mut pairs = Vec::new();
    for part in s.split('(').skip(1) {
        let (ai, data) = part
            .split_once(')')
            .ok_or(Gs1Error::Invalid("application identifier"))?;
        if !(2..=4).contains(&ai.len()) || !ai.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Gs1Error::UnknownAi(ai.to_string()));
        }
        pairs.push((ai.to_string(), data.to_string()));
    }
    Ok(pairs)
}

/// Encode element strings in the raw form a scanner sends (GS after each variable-length field
/// that is not last): the inverse of `parse_gs1`, for printing labels and for tests.
pub fn encode_gs1(fields: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (ai, data)) in fields.iter().enumerate() {
        out.push_str(ai);
        out.push_str(data);
        let variable = matches!(ai_spec(ai), Some((_, AiLen::Var(_))) | None);
        if variable && i + 1 < fields.len() {
            out.push(GS);
        }
    }
    out
}

/// What an in-store (variable-measure) EAN-13 label carries after its item number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// The price to pay for this package.
    Price,
    /// The package's weight (kilograms once `decimals` are applied).
    Weight,
}

/// A store's layout for price- or weight-embedded EAN-13 labels printed by its own scales:
/// prefix (2 digits) + item number + [price check digit] + value + EAN check digit = 13.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedLayout {
    /// Two-digit prefixes this layout applies to ("02", "20"…"29" are reserved for in-store use).
    pub prefixes: Vec<String>,
    pub item_digits: u8,
    /// A GS1 price check digit (4-digit price algorithm) sits between item and value.
    pub price_check: bool,
    pub measure: Measure,
    pub value_digits: u8,
    /// Implied decimals of the value: 0 for yen, 2 for cents or pence, 3 for grams → kg.
    pub decimals: u8,
}

impl EmbeddedLayout {
    /// Japan: in-store prefixes 20–29 and 02, a 5-digit item and a 5-digit price in yen.
    pub fn japan_price() -> EmbeddedLayout {
        EmbeddedLayout {
            prefixes: [
                "02", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29",
            ]
            .map(String::from)
            .to_vec(),
            item_digits: 5,
            price_check: false,
            measure: Measure::Price,
            value_digits: 5,
            decimals: 0,
        }
    }

    /// The common European price layout: "02", 5-digit item, price check digit, 4-digit price
    /// in cents/pence.
    pub fn eu_price_with_check() -> EmbeddedLayout {
        EmbeddedLayout {
            prefixes: vec!["02".into()],
            item_digits: 5,
            price_check: true,
            measure: Measure::Price,
            value_digits: 4,
            decimals: 2,
        }
    }

    /// Weight labels: prefix 28, 5-digit item, weight in grams (5 digits).
    pub fn weight_grams() -> EmbeddedLayout {
        EmbeddedLayout {
            prefixes: vec!["28".into()],
            item_digits: 5,
            price_check: false,
            measure: Measure::Weight,
            value_digits: 5,
            decimals: 3,
        }
    }

    fn fits(&self) -> bool {
        2 + usize::from(self.item_digits)
            + usize::from(self.price_check)
            + usize::from(self.value_digits)
            + 1
            == 13
    }

    /// Read a 13-digit code with this layout, if its prefix is one of the layout's.
    pub fn decode(&self, code: &str) -> Option<Result<Embedded, BarcodeError>> {
        if code.len() != 13 || !self.prefixes.iter().any(|p| code.starts_with(p.as_str())) {
            return None;
        }
        Some(self.decode_checked(code))
    }

    fn decode_checked(&self, code: &str) -> Result<Embedded, BarcodeError> {
        if !self.fits() {
            return Err(BarcodeError::BadLayout);
        }
        Gtin::parse(code)?;
        let item_end = 2 + usize::from(self.item_digits);
        let value_start = item_end + usize::from(self.price_check);
        let value = &code[value_start..value_start + usize::from(self.value_digits)];
        if self.price_check {
            let found = code.as_bytes()[item_end] - b'0';
            let expected = price_check_digit(value).ok_or(BarcodeError::BadLayout)?;
            if found != expected {
                return Err(BarcodeError::BadPriceCheck);
            }
        }
        let n: i64 = value.parse().map_err(|_| BarcodeError::BadLayout)?;
        Ok(Embedded {
            item: code[2..item_end].to_string(),
            measure: self.measure,
            value: Decimal::new(n, u32::from(self.decimals)),
        })
    }
}

/// An in-store label, read: which item, and its price or weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Embedded {
    /// The item number (the product's PLU / SKU in the store's scale).
    pub item: String,
    pub measure: Measure,
    pub value: Decimal,
}

/// GS1's price check digit for a 4-digit price (General Specifications, "check digit
/// calculation for price/weight fields"): weights 2-, 2-, 3, 5- on the digits, the sum times 3,
/// the units digit of that.
pub fn price_check_digit(price: &str) -> Option<u8> {
    if price.len() != 4 || !price.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The weighted products, digit → value, of the GS1 tables.
    const TWO_MINUS: [u8; 10] = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7];
    const THREE: [u8; 10] = [0, 3, 6, 9, 2, 5, 8, 1, 4, 7];
    const FIVE_MINUS: [u8; 10] = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1];
    let d: Vec<usize> = price.bytes().map(|b| usize::from(b - b'0')).collect();
    let sum = u32::from(TWO_MINUS[d[0]])
        + u32::from(TWO_MINUS[d[1]])
        + u32::from(THREE[d[2]])
        + u32::from(FIVE_MINUS[d[3]]);
    Some(((sum * 3) % 10) as u8)
}

/// How a lane's scanner sends codes: characters it adds before and after each code (configured
/// per device), stripped before anything else looks at the input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannerProfile {
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub suffix: String,
}

impl ScannerProfile {
    /// Strip the configured prefix/suffix, control characters (but not GS, which separates GS1
    /// fields) and surrounding whitespace.
    pub fn normalise(&self, raw: &str) -> String {
        let mut s = raw.trim_matches(|c: char| c.is_whitespace() || (c.is_control() && c != GS));
        if !self.prefix.is_empty() {
            s = s.strip_prefix(self.prefix.as_str()).unwrap_or(s);
        }
        if !self.suffix.is_empty() {
            s = s.strip_suffix(self.suffix.as_str()).unwrap_or(s);
        }
        s.chars()
            .filter(|c| !c.is_control() || *c == GS)
            .collect::<String>()
            .trim()
            .to_string()
    }
}

/// What a line of scanner or keyboard input means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// A product code with a valid check digit.
    Gtin(Gtin),
    /// A GS1 element string (GS1-128, DataBar, DataMatrix): the item and what the label adds —
    /// weight, price, expiry, batch.
    Gs1(Box<Gs1>),
    /// An in-store label with the price or weight in it.
    Embedded(Embedded),
    /// Digits that are not a valid GTIN: could be a SKU or PLU typed by hand.
    Code(String, BarcodeError),
    /// Text: search the catalogue by name.
    Text(String),
}

/// Normalise one line of input and classify it, with no scanner profile or in-store layouts.
pub fn classify(raw: &str) -> Result<Scan, BarcodeError> {
    classify_with(raw, &ScannerProfile::default(), &[])
}

/// Normalise one line of input by the scanner's profile and classify it: GS1 element strings,
/// the store's in-store label layouts, GTINs (UPC-E expanded), or text to search for.
pub fn classify_with(
    raw: &str,
    profile: &ScannerProfile,
    layouts: &[EmbeddedLayout],
) -> Result<Scan, BarcodeError> {
    let s = profile.normalise(raw);
    let (sym, s) = strip_aim(&s);
    if s.is_empty() {
        return Err(BarcodeError::Empty);
    }
    if sym == Some(Symbology::Gs1) || s.contains(GS) || (s.starts_with("(0") && s.contains(')')) {
        return parse_gs1(s)
            .map(|g| Scan::Gs1(Box::new(g)))
            .map_err(|e| BarcodeError::Gs1(e.to_string()));
    }
    if !s.chars().all(|c| c.is_ascii_digit()) {
        return Ok(Scan::Text(s.to_string()));
    }
    if s.len() == 13 {
        if let Some(read) = layouts.iter().find_map(|l| l.decode(s)) {
            return read.map(Scan::Embedded);
        }
    }
    let as_gtin = match (sym, s.len()) {
        (Some(Symbology::Ean13OrUpc), 8) => expand_upc_e(s),
        // Without an identifier, 8 digits are an EAN-8 unless only the UPC-E reading checks.
        (None, 8) => Gtin::parse(s).or_else(|e| expand_upc_e(s).map_err(|_| e)),
        _ => Gtin::parse(s),
    };
    Ok(match as_gtin {
        Ok(g) => Scan::Gtin(g),
        Err(e) => Scan::Code(s.to_string(), e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_codes_validate() {
        // A real JAN (4901777 = Suntory) and an EAN-8 and UPC-A example.
        for code in [
            "4901777018686",
            "96385074",
            "036000291452",
            "00012345600012",
        ] {
            assert!(Gtin::parse(code).is_ok(), "{code}");
        }
        assert_eq!(
            Gtin::parse("4901777018687"),
            Err(BarcodeError::BadCheckDigit {
                found: 7,
                expected: 6
            })
        );
        assert_eq!(Gtin::parse("123"), Err(BarcodeError::WrongLength(3)));
        assert_eq!(
            Gtin::parse("49017770186a6"),
            Err(BarcodeError::NotDigits('a'))
        );
    }

    #[test]
    fn upc_a_and_its_ean13_form_are_the_same_gtin() {
        assert_eq!(
            Gtin::parse("036000291452").unwrap(),
            Gtin::parse("0036000291452").unwrap()
        );
        assert_eq!(
            Gtin::parse("4901777018686").unwrap().short(),
            "4901777018686"
        );
        assert_eq!(Gtin::parse("96385074").unwrap().short(), "96385074");
    }

    #[test]
    fn classify_strips_scanner_noise() {
        assert_eq!(
            classify(" 4901777018686\r\n").unwrap(),
            Scan::Gtin(Gtin::parse("4901777018686").unwrap())
        );
        assert_eq!(
            classify("\u{2}4901777018686\u{3}").unwrap(),
            Scan::Gtin(Gtin::parse("4901777018686").unwrap())
        );
        assert!(matches!(
            classify("1234").unwrap(),
            Scan::Code(_, BarcodeError::WrongLength(4))
        ));
        assert_eq!(classify("おにぎり").unwrap(), Scan::Text("おにぎり".into()));
        assert_eq!(classify("  \n"), Err(BarcodeError::Empty));
    }

    proptest! {
        #[test]
        fn a_valid_gtin_always_passes_and_any_single_digit_change_fails(
            body in "[0-9]{12}", pos in 0usize..13, delta in 1u8..10
        ) {
            let code = format!("{body}{}", check_digit(&body));
            prop_assert!(Gtin::parse(&code).is_ok());
            let mut bytes = code.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(Gtin::parse(&changed).is_err(), "{}", changed);
        }

        #[test]
        fn classify_never_panics(s in "\\PC*") {
            let _ = classify(&s);
        }
    }

    /// GS1 General Specifications' UPC-E examples: 0 123456 5 ↔ 0 12345 00006 5, and
    /// 0 425261 4 ↔ 0 42100 00526 4 (the d6 = 0–2 rule).
    #[test]
    fn upc_e_expands_by_the_zero_suppression_rules() {
        assert_eq!(expand_upc_e("01234565").unwrap().short(), "0012345000065");
        assert_eq!(expand_upc_e("04252614").unwrap().short(), "0042100005264");
        assert_eq!(
            expand_upc_e("0425261").unwrap(),
            expand_upc_e("04252614").unwrap()
        );
        assert!(matches!(
            expand_upc_e("04252615"),
            Err(BarcodeError::BadCheckDigit { .. })
        ));
        assert_eq!(expand_upc_e("24252614"), Err(BarcodeError::NotUpcE));
        // With the AIM identifier for UPC the 8 digits are read as UPC-E, not EAN-8.
        assert_eq!(
            classify("]E001234565").unwrap(),
            Scan::Gtin(Gtin::parse("012345000065").unwrap())
        );
        assert_eq!(
            classify("]E496385074").unwrap(),
            Scan::Gtin(Gtin::parse("96385074").unwrap())
        );
        // No identifier: 04252614 fails as an EAN-8 but checks as a UPC-E, so it is one;
        // 01234565 checks both ways and stays an EAN-8 (send ]E0 to read it as UPC-E).
        assert_eq!(
            classify("04252614").unwrap(),
            Scan::Gtin(Gtin::parse("042100005264").unwrap())
        );
        assert_eq!(
            classify("01234565").unwrap(),
            Scan::Gtin(Gtin::parse("01234565").unwrap())
        );
    }

    #[test]
    fn gs1_128_element_strings_with_fnc1_and_aim_identifier() {
        let raw = "]C1010491234567890417271231".to_string() + "10ABC123\u{1d}21S42";
        let Scan::Gs1(g) = classify(&raw).unwrap() else {
            panic!("not GS1")
        };
        assert_eq!(g.gtin, Some(Gtin::parse("04912345678904").unwrap()));
        assert_eq!(
            g.expiry,
            Some(Gs1Date {
                yy: 27,
                mm: 12,
                dd: 31
            })
        );
        assert_eq!(g.batch.as_deref(), Some("ABC123"));
        assert_eq!(g.serial.as_deref(), Some("S42"));
    }

    #[test]
    fn gs1_weight_and_price_fields_carry_their_decimals() {
        let g = parse_gs1("0104912345678904\u{1d}3103001250").unwrap();
        assert_eq!(g.net_weight_kg, Some(Decimal::new(1250, 3)));
        let g = parse_gs1("(01)04912345678904(3922)00498").unwrap();
        assert_eq!(g.price, Some(Decimal::new(498, 2)));
        let g = parse_gs1(&encode_gs1(&[
            ("3932", "97800498"),
            ("01", "04912345678904"),
        ]))
        .unwrap();
        assert_eq!(
            (g.price, g.price_currency),
            (Some(Decimal::new(498, 2)), Some(978))
        );
        assert_eq!(g.gtin, Some(Gtin::parse("04912345678904").unwrap()));
    }

    #[test]
    fn bad_element_strings_say_what_is_wrong() {
        assert_eq!(parse_gs1("0104912345"), Err(Gs1Error::Truncated("GTIN")));
        assert!(matches!(
            parse_gs1("0104912345678905"),
            Err(Gs1Error::Gtin { .. })
        ));
        assert_eq!(parse_gs1("99ABC"), Err(Gs1Error::UnknownAi("99".into())));
        assert_eq!(parse_gs1("17271331"), Err(Gs1Error::Invalid("expiry date")));
        assert_eq!(parse_gs1(""), Err(Gs1Error::Empty));
        assert!(matches!(classify("]C199ABC"), Err(BarcodeError::Gs1(_))));
        // Found by the fuzz target (core/fuzz): a non-ASCII character in a 393n field.
        assert_eq!(
            parse_gs1("393939\u{fffd}"),
            Err(Gs1Error::Invalid("price with currency"))
        );
    }

    /// GS1 General Specifications, price check digit for a 4-digit price: 2875 → 9.
    #[test]
    fn the_four_digit_price_check_digit() {
        assert_eq!(price_check_digit("2875"), Some(9));
        assert_eq!(price_check_digit("0000"), Some(0));
        assert_eq!(price_check_digit("12a4"), None);
    }

    #[test]
    fn in_store_labels_give_the_item_and_its_price_or_weight() {
        let jp = EmbeddedLayout::japan_price();
        let code = Gtin::with_check_digit("201234500498")
            .unwrap()
            .short()
            .to_string();
        assert_eq!(
            classify_with(&code, &ScannerProfile::default(), std::slice::from_ref(&jp)).unwrap(),
            Scan::Embedded(Embedded {
                item: "12345".into(),
                measure: Measure::Price,
                value: Decimal::from(498)
            })
        );
        let eu = EmbeddedLayout::eu_price_with_check();
        let body = format!("0212345{}2875", price_check_digit("2875").unwrap());
        let code = Gtin::with_check_digit(&body).unwrap().short().to_string();
        let read = eu.decode(&code).unwrap().unwrap();
        assert_eq!(
            (read.item.as_str(), read.value),
            ("12345", Decimal::new(2875, 2))
        );
        // A misprinted price (check digit 8 instead of 9) is refused, not charged.
        let bad = Gtin::with_check_digit("021234582875").unwrap();
        assert_eq!(
            eu.decode(bad.short()).unwrap(),
            Err(BarcodeError::BadPriceCheck)
        );
        let w = EmbeddedLayout::weight_grams();
        let code = Gtin::with_check_digit("285432101250").unwrap();
        let read = w.decode(code.short()).unwrap().unwrap();
        assert_eq!(
            (read.measure, read.value),
            (Measure::Weight, Decimal::new(1250, 3))
        );
        // A normal JAN is not in-store.
        assert!(jp.decode("4901777018686").is_none());
    }

    #[test]
    fn scanner_profiles_strip_their_prefix_and_suffix_but_keep_gs() {
        let p = ScannerProfile {
            prefix: "@@".into(),
            suffix: "#".into(),
        };
        assert_eq!(p.normalise("@@4901777018686#\r\n"), "4901777018686");
        assert_eq!(
            ScannerProfile::default().normalise(" 01\u{1d}10A\r"),
            "01\u{1d}10A"
        );
    }

    proptest! {
        #[test]
        fn an_element_string_survives_encode_then_parse(
            gtin_body in "[0-9]{13}", batch in "[A-Z0-9]{1,20}", serial in "[A-Z0-9]{1,20}",
            grams in 0u32..999_999, yy in 0u8..100, mm in 1u8..13, dd in 0u8..32
        ) {
            let gtin = format!("{gtin_body}{}", check_digit(&gtin_body));
            let date = format!("{yy:02}{mm:02}{dd:02}");
            let weight = format!("{grams:06}");
            let raw = encode_gs1(&[("10", &batch), ("01", &gtin), ("3103", &weight), ("21", &serial), ("17", &date)]);
            let g = parse_gs1(&raw).unwrap();
            prop_assert_eq!(g.gtin, Some(Gtin::parse(&gtin).unwrap()));
            prop_assert_eq!(g.batch, Some(batch));
            prop_assert_eq!(g.serial, Some(serial));
            prop_assert_eq!(g.net_weight_kg, Some(Decimal::new(i64::from(grams), 3)));
            prop_assert_eq!(g.expiry, Some(Gs1Date { yy, mm, dd }));
        }

        #[test]
        fn upc_e_expansion_always_carries_a_valid_check_digit(ns in 0u8..2, body in "[0-9]{6}") {
            let seven = format!("{ns}{body}");
            let expanded = expand_upc_e(&seven).unwrap();
            let check = expanded.as_gtin14().as_bytes()[13] - b'0';
            prop_assert_eq!(expand_upc_e(&format!("{seven}{check}")), Ok(expanded));
        }

        #[test]
        fn scanning_never_panics_on_any_input(s in "(\\]([A-Za-z][0-9])?)?[\\PC\u{1d}]{0,60}") {
            let layouts = [EmbeddedLayout::japan_price(), EmbeddedLayout::eu_price_with_check(), EmbeddedLayout::weight_grams()];
            let _ = classify_with(&s, &ScannerProfile { prefix: "]".into(), suffix: "\u{1d}".into() }, &layouts);
            let _ = parse_gs1(&s);
        }
    }
}
