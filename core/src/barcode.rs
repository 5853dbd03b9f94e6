//! Barcodes: scanner input normalisation, GTINs (EAN-13/JAN, EAN-8, UPC-A, UPC-E, ITF-14), GS1
//! element strings, and price- or weight-embedded in-store labels.
//!
//! Every scan passes through here before the catalogue is asked, so a misread code is refused
//! with a reason instead of adding the wrong item. Nothing here panics on any input: the lane
//! reads whatever a scanner or a cashier's keyboard sends.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    #[error("nothing was scanned")]
    Empty,
    #[error(
        "a barcode of {0} digits is not a product code (expected 8, 12, 13 or 14): scan it again \
         or key the item in"
    )]
    WrongLength(usize),
    #[error(
        "the barcode's check digit is wrong (read {found}, expected {expected}): scan it again"
    )]
    BadCheckDigit { found: u8, expected: u8 },
    #[error("the barcode contains {0:?}, which is not a digit: scan it again or key the item in")]
    NotDigits(char),
    #[error("this is not a valid UPC-E code: scan it again or key the item in")]
    NotUpcE,
    #[error("the price on this label does not match its check digit: scan it again or key it in")]
    BadPriceCheck,
    #[error("the store's label layout does not fit a 13-digit code: fix it in the settings")]
    BadLayout,
    #[error("the {0} does not fit the store's label layout")]
    DoesNotFit(&'static str),
    #[error("this barcode is not a product code: key the item in")]
    NotProductCode,
    #[error(transparent)]
    Gs1(Box<Gs1Error>),
}

impl From<Gs1Error> for BarcodeError {
    fn from(e: Gs1Error) -> Self {
        BarcodeError::Gs1(Box::new(e))
    }
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

    /// The 8-digit UPC-E that expands to this GTIN, if the zero-suppression rules allow one
    /// (a UPC-A with number system 0 or 1 and enough zeros in the right places).
    pub fn upc_e(&self) -> Option<String> {
        let upc_a = self.0.strip_prefix("00")?;
        let x = upc_a.as_bytes();
        if x[0] != b'0' && x[0] != b'1' {
            return None;
        }
        let zeros = |r: std::ops::Range<usize>| x[r].iter().all(|&b| b == b'0');
        let c = |i: usize| x[i] as char;
        let six: String = if matches!(x[3], b'0'..=b'2') && zeros(4..8) {
            [c(1), c(2), c(8), c(9), c(10), c(3)].iter().collect()
        } else if zeros(4..9) {
            [c(1), c(2), c(3), c(9), c(10), '3'].iter().collect()
        } else if zeros(5..10) {
            [c(1), c(2), c(3), c(4), c(10), '4'].iter().collect()
        } else if zeros(6..10) && matches!(x[10], b'5'..=b'9') {
            [c(1), c(2), c(3), c(4), c(5), c(10)].iter().collect()
        } else {
            return None;
        };
        Some(format!("{}{six}{}", c(0), c(11)))
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
        // Wrapping, so a non-digit gives a wrong check digit rather than a panic.
        .map(|(i, b)| u32::from(b.wrapping_sub(b'0') % 10) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Expand a UPC-E code to its UPC-A form by the GS1 zero-suppression rules. Takes 8 digits
/// (number system 0 or 1, six digits, check digit), 7 (without the check digit) or the bare six
/// (number system 0). The check digit is the UPC-A's and is checked. A UPC-E that GS1's rules
/// would have printed differently (e.g. ending in 3 with a third digit of 0–2) is refused: no
/// honest printer makes one, so it is a misread.
pub fn expand_upc_e(code: &str) -> Result<Gtin, BarcodeError> {
    if let Some(bad) = code.chars().find(|c| !c.is_ascii_digit()) {
        return Err(BarcodeError::NotDigits(bad));
    }
    let owned;
    let code = match code.len() {
        6 => {
            owned = format!("0{code}");
            owned.as_str()
        }
        7 | 8 => code,
        n => return Err(BarcodeError::WrongLength(n)),
    };
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
    let gtin = Gtin::parse(&format!("{body}{expected}"))?;
    // Compressing back is the one statement of the rules; a mismatch means a non-canonical code.
    match gtin.upc_e() {
        Some(e) if e.as_bytes()[..7] == b[..7] => Ok(gtin),
        _ => Err(BarcodeError::NotUpcE),
    }
}

/// The symbology an AIM identifier (`]` + code letter + modifier) says the scanner read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbology {
    /// ]E0: EAN-13, UPC-A or UPC-E.
    Ean13OrUpc,
    /// ]E4: EAN-8.
    Ean8,
    /// ]E3: EAN-13 or UPC-A followed by its 2- or 5-digit add-on (periodicals, books).
    EanWithAddOn,
    /// ]C1: GS1-128; ]e0: GS1 DataBar; ]d2: GS1 DataMatrix; ]Q3: GS1 QR; ]J1: GS1 DotCode — all
    /// carry element strings.
    Gs1,
    /// ]I1 / ]I0: ITF (ITF-14 carries a GTIN-14).
    Itf,
    /// Any other identifier (Code 128 without FNC1, Code 39 ]A0, plain QR …): the text is taken
    /// as it is.
    Other,
}

/// Split an AIM symbology identifier off the front of scanner output, if there is one.
pub fn strip_aim(raw: &str) -> (Option<Symbology>, &str) {
    let b = raw.as_bytes();
    if b.len() >= 3 && b[0] == b']' && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphanumeric() {
        // Case matters: ]e0 is DataBar, ]E0 is EAN/UPC.
        let sym = match &raw[1..3] {
            "E0" => Symbology::Ean13OrUpc,
            "E4" => Symbology::Ean8,
            "E3" => Symbology::EanWithAddOn,
            "C1" | "e0" | "d2" | "Q3" | "J1" => Symbology::Gs1,
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

impl Gs1Date {
    /// Six digits YYMMDD naming a day that exists (29 February only in years divisible by 4,
    /// which is right for every year a label printed now can mean).
    pub fn parse(s: &str) -> Option<Gs1Date> {
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = |i: usize| (s.as_bytes()[i] - b'0') * 10 + (s.as_bytes()[i + 1] - b'0');
        let (yy, mm, dd) = (n(0), n(2), n(4));
        let days = match mm {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if yy % 4 == 0 => 29,
            2 => 28,
            _ => return None,
        };
        (dd <= days).then_some(Gs1Date { yy, mm, dd })
    }

    /// The four-digit year by GS1's sliding window: a year more than 50 ahead of `this_year`
    /// belongs to the last century, one more than 49 behind to the next.
    pub fn full_year(self, this_year: i32) -> i32 {
        let century = this_year - this_year.rem_euclid(100);
        let diff = i32::from(self.yy) - this_year.rem_euclid(100);
        if diff >= 51 {
            century - 100 + i32::from(self.yy)
        } else if diff <= -50 {
            century + 100 + i32::from(self.yy)
        } else {
            century + i32::from(self.yy)
        }
    }
}

impl std::fmt::Display for Gs1Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}{:02}{:02}", self.yy, self.mm, self.dd)
    }
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
    /// AI 392n: the price to pay, in the local currency's units (or 393n's amount).
    pub price: Option<Decimal>,
    /// AI 393n: the price's ISO 4217 numeric currency code.
    pub price_currency: Option<u16>,
    /// AI 11.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub production_date: Option<Gs1Date>,
    /// AI 13.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging_date: Option<Gs1Date>,
    /// AI 15.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_before: Option<Gs1Date>,
    /// AI 16.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sell_by: Option<Gs1Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    #[error("the label's data is empty")]
    Empty,
    #[error("this barcode does not carry GS1 data: key the item in")]
    NotGs1,
    #[error(
        "the label has an application identifier this till does not read ({0}): key the item in"
    )]
    UnknownAi(String),
    #[error("the label's {0} is cut short: scan it again or key it in")]
    Truncated(&'static str),
    #[error("the label's {0} is longer than a label allows: scan it again or key it in")]
    TooLong(&'static str),
    #[error("the label's {0} is unreadable: scan it again or key it in")]
    Invalid(&'static str),
    #[error("the label gives two different values for its {0}: key the item in")]
    Conflict(&'static str),
    #[error("the label's {what}: {source}")]
    Gtin {
        what: &'static str,
        source: BarcodeError,
    },
}

/// How an AI's data is delimited.
#[derive(Clone, Copy)]
enum AiLen {
    Fixed(usize),
    /// Up to this many characters, ended by GS or the end of the string.
    Var(usize),
}

/// The AIs understood: what to call the field in a message, and its data length.
fn ai_spec(ai: &str) -> Option<(&'static str, AiLen)> {
    let family = |p: &str, last: u8| {
        ai.len() == 4 && ai.starts_with(p) && (b'0'..=last).contains(&ai.as_bytes()[3])
    };
    Some(match ai {
        "01" => ("GTIN", AiLen::Fixed(14)),
        "02" => ("contained GTIN", AiLen::Fixed(14)),
        "10" => ("batch number", AiLen::Var(20)),
        "11" => ("production date", AiLen::Fixed(6)),
        "13" => ("packaging date", AiLen::Fixed(6)),
        "15" => ("best-before date", AiLen::Fixed(6)),
        "16" => ("sell-by date", AiLen::Fixed(6)),
        "17" => ("expiry date", AiLen::Fixed(6)),
        "21" => ("serial number", AiLen::Var(20)),
        // 310n: n decimals, 0–5 (GS1 defines no 3106–3109).
        _ if family("310", b'5') => ("net weight", AiLen::Fixed(6)),
        _ if family("392", b'9') => ("price", AiLen::Var(15)),
        _ if family("393", b'9') => ("price with currency", AiLen::Var(18)),
        _ => return None,
    })
}

/// How many digits the AI at the start of a raw element string has, by its first two digits
/// (the GS1 table), so an unknown AI is reported whole.
fn ai_len(s: &str) -> usize {
    match s.get(..2).and_then(|p| p.parse::<u8>().ok()) {
        Some(23..=25 | 40..=42) => 3,
        Some(31..=36 | 39 | 70..=89) => 4,
        _ => 2,
    }
}

/// GS1's "AI encodable character set 82", the only characters batch and serial numbers may hold.
fn is_cset82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

fn decimal_with(digits: &str, decimals: u32) -> Option<Decimal> {
    let n: i64 = digits.parse().ok()?;
    (decimals <= 28).then(|| Decimal::new(n, decimals))
}

/// Fill a field once; GS1 allows an AI to repeat only with the same data.
fn set_once<T: PartialEq>(
    slot: &mut Option<T>,
    value: T,
    what: &'static str,
) -> Result<(), Gs1Error> {
    match slot {
        Some(old) if *old != value => Err(Gs1Error::Conflict(what)),
        _ => {
            *slot = Some(value);
            Ok(())
        }
    }
}

/// Parse a GS1 element string: raw (AIs back to back, variable fields ended by GS), or the
/// human-readable form with AIs in parentheses, "(01)04912345678904(17)271231(10)A12". A GS1
/// AIM identifier in front (]C1, ]e0, ]d2, ]Q3, ]J1) is allowed; any other is refused.
pub fn parse_gs1(input: &str) -> Result<Gs1, Gs1Error> {
    let s = match strip_aim(input) {
        (None | Some(Symbology::Gs1), s) => s,
        (Some(_), _) => return Err(Gs1Error::NotGs1),
    };
    let s = s.trim_matches(GS);
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
        apply(&mut out, &ai, &data)?;
    }
    Ok(out)
}

fn apply(out: &mut Gs1, ai: &str, data: &str) -> Result<(), Gs1Error> {
    let (what, len) = ai_spec(ai).ok_or_else(|| Gs1Error::UnknownAi(ai.to_string()))?;
    let count = data.chars().count();
    match len {
        AiLen::Fixed(n) if count < n => return Err(Gs1Error::Truncated(what)),
        AiLen::Fixed(n) if count > n => return Err(Gs1Error::TooLong(what)),
        AiLen::Var(_) if count == 0 => return Err(Gs1Error::Truncated(what)),
        AiLen::Var(max) if count > max => return Err(Gs1Error::TooLong(what)),
        _ => {}
    }
    let readable = if matches!(ai, "10" | "21") {
        data.chars().all(is_cset82)
    } else {
        data.bytes().all(|b| b.is_ascii_digit())
    };
    if !readable {
        return Err(Gs1Error::Invalid(what));
    }
    // Past this point numeric data is ASCII digits, so byte indexing is safe.
    let decimals = || u32::from(ai.as_bytes()[3] - b'0');
    let date = || Gs1Date::parse(data).ok_or(Gs1Error::Invalid(what));
    match ai {
        "01" | "02" => {
            let g = Gtin::parse(data).map_err(|source| Gs1Error::Gtin { what, source })?;
            let slot = if ai == "01" {
                &mut out.gtin
            } else {
                &mut out.contained
            };
            set_once(slot, g, what)
        }
        "10" => set_once(&mut out.batch, data.to_string(), what),
        "21" => set_once(&mut out.serial, data.to_string(), what),
        "11" => set_once(&mut out.production_date, date()?, what),
        "13" => set_once(&mut out.packaging_date, date()?, what),
        "15" => set_once(&mut out.best_before, date()?, what),
        "16" => set_once(&mut out.sell_by, date()?, what),
        "17" => set_once(&mut out.expiry, date()?, what),
        a if a.starts_with("310") => {
            let kg = decimal_with(data, decimals()).ok_or(Gs1Error::Invalid(what))?;
            set_once(&mut out.net_weight_kg, kg, what)
        }
        a if a.starts_with("392") => {
            let price = decimal_with(data, decimals()).ok_or(Gs1Error::Invalid(what))?;
            set_once(&mut out.price, price, "price")
        }
        _ => {
            // 393n: ISO 4217 numeric code, then the amount.
            if data.len() < 4 {
                return Err(Gs1Error::Truncated(what));
            }
            let (cur, amount) = data.split_at(3);
            let code: u16 = cur.parse().map_err(|_| Gs1Error::Invalid(what))?;
            let price = decimal_with(amount, decimals()).ok_or(Gs1Error::Invalid(what))?;
            set_once(&mut out.price, price, "price")?;
            set_once(&mut out.price_currency, code, "price's currency")
        }
    }
}

fn raw_pairs(mut s: &str) -> Result<Vec<(String, String)>, Gs1Error> {
    let mut pairs = Vec::new();
    loop {
        s = s.trim_start_matches(GS);
        if s.is_empty() {
            return Ok(pairs);
        }
        let ai = s
            .get(..ai_len(s))
            .filter(|ai| ai.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| Gs1Error::UnknownAi(s.chars().take(4).collect()))?;
        let (what, len) = ai_spec(ai).ok_or_else(|| Gs1Error::UnknownAi(ai.to_string()))?;
        let rest = &s[ai.len()..];
        let end = match len {
            // A fixed field ends by count; a GS inside it means the field was cut short.
            AiLen::Fixed(n) => {
                let end = rest.char_indices().nth(n).map_or(rest.len(), |(i, _)| i);
                if rest[..end].contains(GS) || rest[..end].chars().count() < n {
                    return Err(Gs1Error::Truncated(what));
                }
                end
            }
            AiLen::Var(_) => rest.find(GS).unwrap_or(rest.len()),
        };
        pairs.push((ai.to_string(), rest[..end].to_string()));
        s = &rest[end..];
    }
}

/// "(ai)" at the start of `s`, with what follows it.
fn ai_token(s: &str) -> Option<(&str, &str)> {
    let inner = s.strip_prefix('(')?;
    let close = inner.find(')')?;
    let ai = &inner[..close];
    ((2..=4).contains(&ai.len()) && ai.bytes().all(|b| b.is_ascii_digit()))
        .then(|| (ai, &inner[close + 1..]))
}

/// The human-readable form. A '(' starts the next AI only when digits and ')' follow, because
/// batch and serial numbers may themselves contain parentheses.
fn bracketed(s: &str) -> Result<Vec<(String, String)>, Gs1Error> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        if let Some((ai, after)) = ai_token(rest) {
            pairs.push((ai.to_string(), String::new()));
            rest = after;
            continue;
        }
        let Some((_, data)) = pairs.last_mut() else {
            return Err(Gs1Error::Invalid("application identifier"));
        };
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            data.push(c);
        }
        rest = chars.as_str();
    }
    // Printed labels space the text out; a space is never GS1 data.
    for (_, data) in &mut pairs {
        *data = data.trim_matches(|c| c == ' ' || c == GS).to_string();
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

/// Encode element strings in the human-readable form printed under a GS1 barcode,
/// "(01)…(10)…", which `parse_gs1` also reads (a cashier can key it in).
pub fn encode_gs1_hri(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(ai, data)| format!("({ai}){data}"))
        .collect()
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
/// prefix + item number + [price check digit] + value + EAN check digit = 13 digits. A 12-digit
/// UPC-A label (number system 2) is read as its EAN-13 form, prefix "02".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbeddedLayout {
    /// Prefixes this layout applies to ("02", "20"…"29" are GS1's in-store ranges). All of one
    /// layout's prefixes have the same length, usually 2.
    pub prefixes: Vec<String>,
    pub item_digits: u8,
    /// A GS1 price check digit sits between item and value (the 4-digit algorithm for a
    /// 4-digit value, the 5-digit one for 5).
    pub price_check: bool,
    pub measure: Measure,
    pub value_digits: u8,
    /// Implied decimals of the value: the currency's minor units for a price (0 for yen, 2 for
    /// cents or pence, see `with_minor_units`), 3 for grams → kg.
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

    /// The common UK/European price layout: "02", 5-digit item, price check digit, 4-digit
    /// price in cents/pence.
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

    /// The variant for prices up to 999.99: "02", 4-digit item, price check digit (5-digit
    /// algorithm), 5-digit price in cents.
    pub fn price5_with_check() -> EmbeddedLayout {
        EmbeddedLayout {
            prefixes: vec!["02".into()],
            item_digits: 4,
            price_check: true,
            measure: Measure::Price,
            value_digits: 5,
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

    /// The same layout with a price in a currency of `minor_units` decimals
    /// (`Currency::minor_units()`): a preset made for yen, used in a store that sells in euros.
    /// A weight layout is left as it is.
    pub fn with_minor_units(mut self, minor_units: u32) -> EmbeddedLayout {
        if self.measure == Measure::Price {
            self.decimals = u8::try_from(minor_units).unwrap_or(u8::MAX);
        }
        self
    }

    /// Whether the layout can be read at all: the settings page shows this before saving.
    pub fn validate(&self) -> Result<(), BarcodeError> {
        let body = usize::from(self.item_digits)
            + usize::from(self.price_check)
            + usize::from(self.value_digits)
            + 1;
        let prefixes_fit = !self.prefixes.is_empty()
            && self.prefixes.iter().all(|p| {
                !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.len() + body == 13
            });
        let ok = prefixes_fit
            && self.item_digits >= 1
            && (1..=10).contains(&self.value_digits)
            && (!self.price_check || matches!(self.value_digits, 4 | 5))
            && self.decimals <= 9;
        if ok {
            Ok(())
        } else {
            Err(BarcodeError::BadLayout)
        }
    }

    /// Read a 13-digit code (or a 12-digit UPC-A) with this layout, if its prefix is one of the
    /// layout's: `None` means "not this layout's label".
    pub fn decode(&self, code: &str) -> Option<Result<Embedded, BarcodeError>> {
        let padded;
        let code = match code.len() {
            12 => {
                padded = format!("0{code}");
                padded.as_str()
            }
            13 => code,
            _ => return None,
        };
        let prefix = self
            .prefixes
            .iter()
            .find(|p| !p.is_empty() && code.starts_with(p.as_str()))?;
        Some(self.decode_checked(prefix, code))
    }

    fn decode_checked(&self, prefix: &str, code: &str) -> Result<Embedded, BarcodeError> {
        self.validate()?;
        // From here the code is 13 ASCII digits and the layout adds up to 13.
        Gtin::parse(code)?;
        let item_end = prefix.len() + usize::from(self.item_digits);
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
            prefix: prefix.to_string(),
            item: code[prefix.len()..item_end].to_string(),
            measure: self.measure,
            value: Decimal::new(n, u32::from(self.decimals)),
        })
    }

    /// Make the label a scale would print for this item and price or weight, with the
    /// layout's first prefix. The value must be exact in the layout's decimals: a label is
    /// never rounded here (round the price by the store's rule first).
    pub fn encode(&self, item: &str, value: Decimal) -> Result<Gtin, BarcodeError> {
        self.validate()?;
        if item.len() != usize::from(self.item_digits) || !item.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(BarcodeError::DoesNotFit("item number"));
        }
        let what = match self.measure {
            Measure::Price => "price",
            Measure::Weight => "weight",
        };
        let scaled = value
            .checked_mul(Decimal::from(10u64.pow(u32::from(self.decimals))))
            .filter(|v| v.fract().is_zero() && !v.is_sign_negative())
            .and_then(|v| v.to_u64())
            .filter(|&v| v < 10u64.pow(u32::from(self.value_digits)))
            .ok_or(BarcodeError::DoesNotFit(what))?;
        let width = usize::from(self.value_digits);
        let digits = format!("{scaled:0width$}");
        let check = match self.price_check {
            true => price_check_digit(&digits)
                .ok_or(BarcodeError::BadLayout)?
                .to_string(),
            false => String::new(),
        };
        Gtin::with_check_digit(&format!("{}{item}{check}{digits}", self.prefixes[0]))
    }
}

/// An in-store label, read: which item, and its price or weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Embedded {
    /// The label's prefix, for stores whose item numbers differ by department prefix.
    #[serde(default)]
    pub prefix: String,
    /// The item number (the product's PLU / SKU in the store's scale).
    pub item: String,
    pub measure: Measure,
    /// The price in the store currency's units, or the weight in kilograms.
    pub value: Decimal,
}

// The GS1 weighting-factor tables for price check digits (General Specifications, "check digit
// calculation for price/weight fields"): each maps a digit to its weighted product.
/// 2-: double, then the units digit minus the tens digit.
const TWO_MINUS: [u8; 10] = [0, 2, 4, 6, 8, 9, 1, 3, 5, 7];
/// 3: triple, the units digit.
const THREE: [u8; 10] = [0, 3, 6, 9, 2, 5, 8, 1, 4, 7];
/// 5+: five times, then the units digit plus the tens digit.
const FIVE_PLUS: [u8; 10] = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9];
/// 5-: five times, then the units digit minus the tens digit.
const FIVE_MINUS: [u8; 10] = [0, 5, 9, 4, 8, 3, 7, 2, 6, 1];

/// GS1's price check digit for a 4- or 5-digit price field; `None` for anything else.
/// 4 digits: weights 2-, 2-, 3, 5-; the sum times 3; its units digit.
/// 5 digits: weights 5+, 2-, 5-, 5+, 2-; the sum taken from the next multiple of ten; the check
/// digit is the digit whose 5- product is that.
pub fn price_check_digit(price: &str) -> Option<u8> {
    if !price.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d: Vec<usize> = price.bytes().map(|b| usize::from(b - b'0')).collect();
    let weigh = |tables: &[&[u8; 10]]| -> u32 {
        tables
            .iter()
            .zip(&d)
            .map(|(t, &digit)| u32::from(t[digit]))
            .sum()
    };
    match d.len() {
        4 => {
            let sum = weigh(&[&TWO_MINUS, &TWO_MINUS, &THREE, &FIVE_MINUS]);
            Some(((sum * 3) % 10) as u8)
        }
        5 => {
            let sum = weigh(&[&FIVE_PLUS, &TWO_MINUS, &FIVE_MINUS, &FIVE_PLUS, &TWO_MINUS]);
            let target = ((10 - sum % 10) % 10) as u8;
            FIVE_MINUS
                .iter()
                .position(|&p| p == target)
                .map(|i| i as u8)
        }
        _ => None,
    }
}

/// How a lane's scanner sends codes (configured per device): characters it adds before and
/// after each code, what it types for FNC1 when it cannot send GS, and whether it types with
/// Caps Lock on. Case is otherwise kept as sent: batch and serial numbers are case-sensitive and
/// so are AIM identifiers (]e0 is DataBar, ]E0 is EAN).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScannerProfile {
    pub prefix: String,
    pub suffix: String,
    /// What the scanner sends in place of FNC1, e.g. "^" or "{GS}" (a keyboard wedge cannot
    /// type ASCII 29). Choose characters outside GS1's character set 82, such as ^ ~ { }.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub gs_substitute: String,
    /// The wedge types with Caps Lock on, so every letter arrives in the other case.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub swap_case: bool,
}

impl ScannerProfile {
    /// Strip the configured prefix/suffix, control characters (but not GS, which separates GS1
    /// fields, except a trailing one, which separates nothing) and surrounding whitespace; read
    /// full-width characters typed while a Japanese input method was on as ASCII.
    pub fn normalise(&self, raw: &str) -> String {
        // GS is Unicode whitespace too, so it is excluded by name.
        let junk = |c: char| c != GS && (c.is_whitespace() || c.is_control());
        let folded = fold_full_width(raw);
        let mut s = folded.trim_matches(junk);
        if !self.prefix.is_empty() {
            s = s.strip_prefix(self.prefix.as_str()).unwrap_or(s);
        }
        if !self.suffix.is_empty() {
            s = s.strip_suffix(self.suffix.as_str()).unwrap_or(s);
        }
        let mut out: String = s.chars().filter(|c| !c.is_control() || *c == GS).collect();
        if !self.gs_substitute.is_empty() {
            out = out.replace(self.gs_substitute.as_str(), "\u{1d}");
        }
        if self.swap_case {
            out = out
                .chars()
                .map(|c| {
                    if c.is_ascii_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    }
                })
                .collect();
        }
        out.trim_matches(junk)
            .trim_end_matches(|c: char| c == GS || junk(c))
            .to_string()
    }
}

/// Full-width ASCII (U+FF01–U+FF5E) and the ideographic space as ASCII, but only when the whole
/// input is ASCII-like: Japanese product names typed to search are left alone.
fn fold_full_width(raw: &str) -> std::borrow::Cow<'_, str> {
    let wide = |c: char| ('\u{ff01}'..='\u{ff5e}').contains(&c) || c == '\u{3000}';
    if !raw.chars().any(wide) || !raw.chars().all(|c| c.is_ascii() || wide(c)) {
        return raw.into();
    }
    raw.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            c if wide(c) => char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c),
            c => c,
        })
        .collect::<String>()
        .into()
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
    /// A code that is not a valid GTIN: could be a SKU or PLU typed by hand, or a misread —
    /// the error says what is wrong with it as a barcode.
    Code(String, BarcodeError),
    /// Text: search the catalogue by name.
    Text(String),
}

/// Normalise one line of input and classify it, with no scanner profile or in-store layouts.
pub fn classify(raw: &str) -> Result<Scan, BarcodeError> {
    classify_with(raw, &ScannerProfile::default(), &[])
}

/// Normalise one line of input by the scanner's profile and classify it, richest reading first:
/// GS1 element strings, the store's in-store label layouts (first layout whose prefix matches),
/// GTINs (UPC-E expanded, ITF-14, EAN add-ons dropped), then codes and text to search for.
///
/// `Err` only for empty input and for data that is certainly GS1 but unreadable; a code that
/// might still be a SKU comes back as `Scan::Code` with the reason it is not a barcode.
pub fn classify_with(
    raw: &str,
    profile: &ScannerProfile,
    layouts: &[EmbeddedLayout],
) -> Result<Scan, BarcodeError> {
    let normal = profile.normalise(raw);
    let (sym, s) = strip_aim(&normal);
    if s.trim_matches(GS).is_empty() {
        return Err(BarcodeError::Empty);
    }
    if sym == Some(Symbology::Gs1) || s.contains(GS) || ai_token(s).is_some() {
        return Ok(Scan::Gs1(Box::new(parse_gs1(s)?)));
    }
    // A code keyed from its printed form, "4 901777 018686".
    let compact;
    let s = if s.contains(' ') && s.bytes().all(|b| b.is_ascii_digit() || b == b' ') {
        compact = s.replace(' ', "");
        compact.as_str()
    } else {
        s
    };
    if let Some(bad) = s.chars().find(|c| !c.is_ascii_digit()) {
        return Ok(match sym {
            None => Scan::Text(s.to_string()),
            Some(Symbology::Other) => Scan::Code(s.to_string(), BarcodeError::NotProductCode),
            Some(_) => Scan::Code(s.to_string(), BarcodeError::NotDigits(bad)),
        });
    }
    // DataBar and GS1-128 read by a scanner that sends no AIM identifier: digits only, AI 01/02
    // first. Taken only if it parses whole (the GTIN's check digit included).
    let maybe_gs1 = matches!(sym, None | Some(Symbology::Other));
    if maybe_gs1 && s.len() > 14 && (s.starts_with("01") || s.starts_with("02")) {
        if let Ok(g) = parse_gs1(s) {
            return Ok(Scan::Gs1(Box::new(g)));
        }
    }
    // The add-on (issue number, book price) is not part of the product's code.
    let s = match (sym, s.len()) {
        (Some(Symbology::EanWithAddOn), 15 | 18) => &s[..13],
        _ => s,
    };
    let ean_or_upc = !matches!(sym, Some(Symbology::Ean8 | Symbology::Itf));
    if ean_or_upc && matches!(s.len(), 12 | 13) {
        if let Some(read) = layouts.iter().find_map(|l| l.decode(s)) {
            return Ok(match read {
                Ok(e) => Scan::Embedded(e),
                Err(e) => Scan::Code(s.to_string(), e),
            });
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

    fn gtin(code: &str) -> Gtin {
        Gtin::parse(code).unwrap()
    }

    fn gs1(raw: &str) -> Gs1 {
        match classify(raw) {
            Ok(Scan::Gs1(g)) => *g,
            other => panic!("{raw:?} is not GS1: {other:?}"),
        }
    }

    #[test]
    fn known_codes_validate() {
        // A real JAN (4901777 = Suntory), the EAN-8 and UPC-A examples everyone quotes, a
        // GTIN-14, and the ITF-14 and GS1 example GTINs (950 is GS1's prefix for examples).
        for code in [
            "4901777018686",
            "96385074",
            "036000291452",
            "00012345600012",
            "15400141288763",
            "09501101530003",
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
        assert_eq!(Gtin::parse(""), Err(BarcodeError::Empty));
    }

    #[test]
    fn upc_a_and_its_ean13_form_are_the_same_gtin() {
        assert_eq!(gtin("036000291452"), gtin("0036000291452"));
        assert_eq!(gtin("036000291452"), gtin("00036000291452"));
        assert_eq!(gtin("4901777018686").short(), "4901777018686");
        assert_eq!(gtin("96385074").short(), "96385074");
        assert_eq!(gtin("96385074").as_gtin14(), "00000096385074");
    }

    #[test]
    fn classify_reads_each_symbology_by_its_aim_identifier() {
        let jan = Scan::Gtin(gtin("4901777018686"));
        assert_eq!(classify("]E04901777018686").unwrap(), jan);
        // EAN-13 with a 2- or 5-digit add-on (]E3): the add-on is dropped.
        assert_eq!(classify("]E3490177701868612").unwrap(), jan);
        assert_eq!(classify("]E3490177701868612345").unwrap(), jan);
        // ITF-14 (]I1): a case of the item, its own GTIN-14.
        assert_eq!(
            classify("]I115400141288763").unwrap(),
            Scan::Gtin(gtin("15400141288763"))
        );
        // An ITF-14 is never an in-store label, whatever its digits.
        assert_eq!(
            classify_with(
                "]I115400141288763",
                &ScannerProfile::default(),
                &[EmbeddedLayout::japan_price()]
            )
            .unwrap(),
            Scan::Gtin(gtin("15400141288763"))
        );
        // Code 39 (]A0) or plain Code 128 (]C0): a code, not a name to search for.
        assert_eq!(
            classify("]A0SKU-123").unwrap(),
            Scan::Code("SKU-123".into(), BarcodeError::NotProductCode)
        );
        assert_eq!(
            classify("]E049017770186x6").unwrap(),
            Scan::Code("49017770186x6".into(), BarcodeError::NotDigits('x'))
        );
        // An AIM identifier alone is nothing scanned.
        assert_eq!(classify("]C1"), Err(BarcodeError::Empty));
    }

    #[test]
    fn classify_strips_scanner_noise() {
        assert_eq!(
            classify(" 4901777018686\r\n").unwrap(),
            Scan::Gtin(gtin("4901777018686"))
        );
        assert_eq!(
            classify("\u{2}4901777018686\u{3}").unwrap(),
            Scan::Gtin(gtin("4901777018686"))
        );
        assert!(matches!(
            classify("1234").unwrap(),
            Scan::Code(_, BarcodeError::WrongLength(4))
        ));
        assert_eq!(classify("おにぎり").unwrap(), Scan::Text("おにぎり".into()));
        assert_eq!(classify("  \n"), Err(BarcodeError::Empty));
        // Keyed from the printed digits, spaces and all.
        assert_eq!(
            classify("4 901777 018686").unwrap(),
            Scan::Gtin(gtin("4901777018686"))
        );
        // Typed with the Japanese input method on: full-width digits.
        assert_eq!(
            classify("４９０１７７７０１８６８６").unwrap(),
            Scan::Gtin(gtin("4901777018686"))
        );
        // A search in full-width letters mixed with kana stays as typed.
        assert_eq!(classify("ＰＥＴ茶").unwrap(), Scan::Text("ＰＥＴ茶".into()));
    }

    #[test]
    fn scanner_profiles_strip_their_prefix_and_suffix_but_keep_gs() {
        let p = ScannerProfile {
            prefix: "@@".into(),
            suffix: "#".into(),
            ..ScannerProfile::default()
        };
        assert_eq!(p.normalise("@@4901777018686#\r\n"), "4901777018686");
        assert_eq!(
            ScannerProfile::default().normalise(" 01\u{1d}10A\r"),
            "01\u{1d}10A"
        );
        // A leading GS is FNC1 in first position: it marks GS1 data, so it stays. A trailing one
        // separates nothing.
        assert_eq!(
            ScannerProfile::default().normalise("\u{1d}10A\u{1d}\r\n"),
            "\u{1d}10A"
        );
        // Case is kept: batch numbers are case-sensitive.
        assert_eq!(ScannerProfile::default().normalise("]C110abC"), "]C110abC");
    }

    #[test]
    fn a_wedge_that_cannot_send_gs_or_types_in_caps_lock_is_read_through_its_profile() {
        let wedge = ScannerProfile {
            gs_substitute: "^".into(),
            ..ScannerProfile::default()
        };
        let raw = "]C11012345^0104912345678904";
        let g = match classify_with(raw, &wedge, &[]).unwrap() {
            Scan::Gs1(g) => g,
            other => panic!("{other:?}"),
        };
        assert_eq!(g.batch.as_deref(), Some("12345"));
        assert_eq!(g.gtin, Some(gtin("04912345678904")));
        // Caps Lock on: "]e0" arrives as "]E0", a batch "Ab1" as "aB1".
        let caps = ScannerProfile {
            swap_case: true,
            ..ScannerProfile::default()
        };
        assert_eq!(
            caps.normalise("]E00104912345678904\u{1d}10aB1"),
            "]e00104912345678904\u{1d}10Ab1"
        );
        let Scan::Gs1(g) = classify_with("]E00104912345678904\u{1d}10aB1", &caps, &[]).unwrap()
        else {
            panic!("not GS1")
        };
        assert_eq!(g.batch.as_deref(), Some("Ab1"));
        // The profile is a setting: it round-trips through JSON and old settings still load.
        let json = serde_json::to_string(&wedge).unwrap();
        assert_eq!(
            serde_json::from_str::<ScannerProfile>(&json).unwrap(),
            wedge
        );
        assert_eq!(
            serde_json::from_str::<ScannerProfile>(r#"{"prefix":"","suffix":"\r"}"#).unwrap(),
            ScannerProfile {
                suffix: "\r".into(),
                ..ScannerProfile::default()
            }
        );
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
        assert_eq!(
            expand_upc_e("425261").unwrap(),
            expand_upc_e("04252614").unwrap()
        );
        assert!(matches!(
            expand_upc_e("04252615"),
            Err(BarcodeError::BadCheckDigit { .. })
        ));
        assert_eq!(expand_upc_e("24252614"), Err(BarcodeError::NotUpcE));
        assert_eq!(expand_upc_e("0425"), Err(BarcodeError::WrongLength(4)));
        // One example per rule, by the last of the six digits: 0–2, 3, 4, 5–9.
        for (upc_e, upc_a) in [
            ("1123450", "112000003450"),
            ("0123453", "012300000450"),
            ("0123454", "012340000050"),
            ("0123457", "012345000070"),
        ] {
            let expanded = expand_upc_e(upc_e).unwrap();
            assert_eq!(&expanded.as_gtin14()[2..13], &upc_a[..11], "{upc_e}");
            assert_eq!(expanded.upc_e().unwrap()[..7], *upc_e);
        }
        // Codes GS1's rules would have printed another way are misreads.
        for non_canonical in ["0120453", "0120044", "0123405"] {
            assert_eq!(
                expand_upc_e(non_canonical),
                Err(BarcodeError::NotUpcE),
                "{non_canonical}"
            );
        }
        // No UPC-E for a UPC-A without the zeros, or with number system 2+.
        assert_eq!(gtin("036000291452").upc_e(), None);
        assert_eq!(gtin("4901777018686").upc_e(), None);
        // With the AIM identifier for UPC the 8 digits are read as UPC-E, not EAN-8.
        assert_eq!(
            classify("]E001234565").unwrap(),
            Scan::Gtin(gtin("012345000065"))
        );
        assert_eq!(
            classify("]E496385074").unwrap(),
            Scan::Gtin(gtin("96385074"))
        );
        // No identifier: 04252614 fails as an EAN-8 but checks as a UPC-E, so it is one;
        // 01234565 checks both ways and stays an EAN-8 (send ]E0 to read it as UPC-E).
        assert_eq!(
            classify("04252614").unwrap(),
            Scan::Gtin(gtin("042100005264"))
        );
        assert_eq!(classify("01234565").unwrap(), Scan::Gtin(gtin("01234565")));
    }

    #[test]
    fn gs1_128_element_strings_with_fnc1_and_aim_identifier() {
        let raw = "]C1010491234567890417271231".to_string() + "10ABC123\u{1d}21S42";
        let g = gs1(&raw);
        assert_eq!(g.gtin, Some(gtin("04912345678904")));
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

    /// The example element strings of the GS1 General Specifications and GS1's barcode
    /// guides, each by every way a scanner or a cashier can send it.
    #[test]
    fn gs1_examples_read_the_same_by_every_route() {
        let hri = "(01)09501101530003(17)140704(10)AB-123";
        let expected = Gs1 {
            gtin: Some(gtin("09501101530003")),
            expiry: Some(Gs1Date {
                yy: 14,
                mm: 7,
                dd: 4,
            }),
            batch: Some("AB-123".into()),
            ..Gs1::default()
        };
        for raw in [
            hri.to_string(),
            "(01) 09501101530003 (17) 140704 (10) AB-123".to_string(),
            "]C1010950110153000317140704\u{1d}10AB-123".to_string(),
            "]C10109501101530003\u{1d}17140704\u{1d}10AB-123\u{1d}".to_string(),
            "]d2010950110153000317140704\u{1d}10AB-123".to_string(),
            "]Q301095011015300031714070410AB-123".to_string(),
            "\u{1d}01095011015300031714070410AB-123".to_string(),
        ] {
            assert_eq!(gs1(&raw), expected, "{raw:?}");
        }
        // Net weight 0.189 kg: AI 3103, three decimals.
        assert_eq!(
            gs1("]e001095011015300033103000189").net_weight_kg,
            Some(Decimal::new(189, 3))
        );
        // DataBar from a scanner with no AIM identifier: digits only, AI 01 first.
        assert_eq!(
            classify("0109501101530003").unwrap(),
            Scan::Gs1(Box::new(Gs1 {
                gtin: Some(gtin("09501101530003")),
                ..Gs1::default()
            }))
        );
        // …but 16 digits that are not a whole element string stay a code (a typed SKU).
        assert!(matches!(
            classify("0109501101530004").unwrap(),
            Scan::Code(_, BarcodeError::WrongLength(16))
        ));
        // Batch numbers may hold parentheses; only "(digits)" starts an AI.
        assert_eq!(
            parse_gs1("(10)A(B)C(21)7").unwrap(),
            Gs1 {
                batch: Some("A(B)C".into()),
                serial: Some("7".into()),
                ..Gs1::default()
            }
        );
    }

    #[test]
    fn gs1_weight_and_price_fields_carry_their_decimals() {
        let g = parse_gs1("0104912345678904\u{1d}3103001250").unwrap();
        assert_eq!(g.net_weight_kg, Some(Decimal::new(1250, 3)));
        let g = parse_gs1("(01)04912345678904(3922)00498").unwrap();
        assert_eq!(g.price, Some(Decimal::new(498, 2)));
        let g = parse_gs1("(3920)498").unwrap();
        assert_eq!(g.price, Some(Decimal::from(498)));
        let g = parse_gs1("(3929)123456789012345").unwrap();
        assert_eq!(g.price, Some(Decimal::new(123_456_789_012_345, 9)));
        let g = parse_gs1(&encode_gs1(&[
            ("3932", "97800498"),
            ("01", "04912345678904"),
        ]))
        .unwrap();
        assert_eq!(
            (g.price, g.price_currency),
            (Some(Decimal::new(498, 2)), Some(978))
        );
        assert_eq!(g.gtin, Some(gtin("04912345678904")));
        // Yen have no decimals: 392 0 / 393 0 with currency 392.
        let g = parse_gs1("(3930)392667").unwrap();
        assert_eq!(
            (g.price, g.price_currency),
            (Some(Decimal::from(667)), Some(392))
        );
        // Dates besides expiry, and day 00 ("end of the month").
        let g = parse_gs1("(11)250101(13)250102(15)250200(16)250228").unwrap();
        assert_eq!(g.production_date.unwrap().to_string(), "250101");
        assert_eq!(g.packaging_date.unwrap().to_string(), "250102");
        assert_eq!(g.best_before.unwrap().to_string(), "250200");
        assert_eq!(g.sell_by.unwrap().to_string(), "250228");
    }

    #[test]
    fn bad_element_strings_say_what_is_wrong() {
        assert_eq!(parse_gs1("0104912345"), Err(Gs1Error::Truncated("GTIN")));
        assert_eq!(
            parse_gs1("(01)049123456789041"),
            Err(Gs1Error::TooLong("GTIN"))
        );
        assert_eq!(
            parse_gs1("010491234\u{1d}5678904"),
            Err(Gs1Error::Truncated("GTIN"))
        );
        assert!(matches!(
            parse_gs1("0104912345678905"),
            Err(Gs1Error::Gtin {
                source: BarcodeError::BadCheckDigit { .. },
                ..
            })
        ));
        assert_eq!(parse_gs1("99ABC"), Err(Gs1Error::UnknownAi("99".into())));
        assert_eq!(parse_gs1("240ABC"), Err(Gs1Error::UnknownAi("240".into())));
        assert_eq!(
            parse_gs1("3106000100"),
            Err(Gs1Error::UnknownAi("3106".into()))
        );
        assert_eq!(parse_gs1("(00)123"), Err(Gs1Error::UnknownAi("00".into())));
        assert_eq!(parse_gs1("17271331"), Err(Gs1Error::Invalid("expiry date")));
        assert_eq!(parse_gs1("17270001"), Err(Gs1Error::Invalid("expiry date")));
        assert_eq!(parse_gs1("17270230"), Err(Gs1Error::Invalid("expiry date")));
        assert!(parse_gs1("17280229").is_ok());
        assert_eq!(parse_gs1("17270229"), Err(Gs1Error::Invalid("expiry date")));
        assert_eq!(parse_gs1("172712"), Err(Gs1Error::Truncated("expiry date")));
        assert_eq!(
            parse_gs1("3103001A50"),
            Err(Gs1Error::Invalid("net weight"))
        );
        assert_eq!(
            parse_gs1(&format!("10{}", "A".repeat(21))),
            Err(Gs1Error::TooLong("batch number"))
        );
        assert_eq!(parse_gs1("10AB C"), Err(Gs1Error::Invalid("batch number")));
        assert_eq!(
            parse_gs1("10\u{1d}21X"),
            Err(Gs1Error::Truncated("batch number"))
        );
        assert_eq!(parse_gs1("3922"), Err(Gs1Error::Truncated("price")));
        assert_eq!(
            parse_gs1("3932978"),
            Err(Gs1Error::Truncated("price with currency"))
        );
        assert_eq!(
            parse_gs1("(10)A(10)B"),
            Err(Gs1Error::Conflict("batch number"))
        );
        assert!(parse_gs1("(10)A(10)A").is_ok());
        assert_eq!(
            parse_gs1("(3922)100(3932)978200"),
            Err(Gs1Error::Conflict("price"))
        );
        assert_eq!(parse_gs1(""), Err(Gs1Error::Empty));
        assert_eq!(parse_gs1("]C1\u{1d}"), Err(Gs1Error::Empty));
        assert_eq!(parse_gs1("]E04901777018686"), Err(Gs1Error::NotGs1));
        assert_eq!(
            parse_gs1("x(01)09501101530003"),
            Err(Gs1Error::UnknownAi("x(01".into()))
        );
        assert_eq!(
            parse_gs1("(01"),
            Err(Gs1Error::Invalid("application identifier"))
        );
        assert!(matches!(classify("]C199ABC"), Err(BarcodeError::Gs1(_))));
        // Found by the fuzz target (core/fuzz): a non-ASCII character in a 393n field.
        assert_eq!(
            parse_gs1("393939\u{fffd}"),
            Err(Gs1Error::Invalid("price with currency"))
        );
        // The cashier reads the whole reason, and the check digit is named.
        let e = classify("]e00104912345678905").unwrap_err().to_string();
        assert!(e.contains("GTIN") && e.contains("check digit"), "{e}");
        let e = classify("]C10104912345678904\u{1d}3103A")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "the label's net weight is cut short: scan it again or key it in"
        );
    }

    #[test]
    fn gs1_years_follow_the_sliding_window() {
        let d = |yy| Gs1Date { yy, mm: 1, dd: 1 };
        assert_eq!(d(27).full_year(2025), 2027);
        assert_eq!(d(75).full_year(2025), 2075);
        assert_eq!(d(76).full_year(2025), 1976);
        assert_eq!(d(1).full_year(2099), 2101);
        assert_eq!(d(49).full_year(2099), 2149);
        assert_eq!(d(48).full_year(2099), 2148);
        assert_eq!(d(50).full_year(2099), 2050);
    }

    /// GS1 General Specifications, price check digits: the 4-digit price 2875 → 9 and the
    /// 5-digit price 14685 → 6.
    #[test]
    fn the_price_check_digits() {
        assert_eq!(price_check_digit("2875"), Some(9));
        assert_eq!(price_check_digit("14685"), Some(6));
        assert_eq!(price_check_digit("0000"), Some(0));
        assert_eq!(price_check_digit("00000"), Some(0));
        assert_eq!(price_check_digit("12a4"), None);
        assert_eq!(price_check_digit("123"), None);
        assert_eq!(price_check_digit("123456"), None);
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
                prefix: "20".into(),
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
        // The same label read as the 12-digit UPC-A a North American scanner sends.
        assert_eq!(eu.decode(&code[1..]).unwrap().unwrap(), read);
        // A misprinted price (check digit 8 instead of 9) is refused, not charged.
        let bad = Gtin::with_check_digit("021234582875").unwrap();
        assert_eq!(
            eu.decode(bad.short()).unwrap(),
            Err(BarcodeError::BadPriceCheck)
        );
        // classify hands it back as a code with the reason (it might still be a typed SKU).
        assert_eq!(
            classify_with(
                bad.short(),
                &ScannerProfile::default(),
                std::slice::from_ref(&eu)
            )
            .unwrap(),
            Scan::Code(bad.short().into(), BarcodeError::BadPriceCheck)
        );
        // The 5-digit price check: 02 1234 6 14685 → €146.85.
        let p5 = EmbeddedLayout::price5_with_check();
        let code = Gtin::with_check_digit("021234614685").unwrap();
        let read = p5.decode(code.short()).unwrap().unwrap();
        assert_eq!(
            (read.item.as_str(), read.value),
            ("1234", Decimal::new(14685, 2))
        );
        let w = EmbeddedLayout::weight_grams();
        let code = Gtin::with_check_digit("285432101250").unwrap();
        let read = w.decode(code.short()).unwrap().unwrap();
        assert_eq!(
            (read.measure, read.value),
            (Measure::Weight, Decimal::new(1250, 3))
        );
        // A normal JAN is not in-store, and a bad EAN check digit is caught first.
        assert!(jp.decode("4901777018686").is_none());
        assert!(matches!(
            jp.decode("2012345004981"),
            Some(Err(BarcodeError::BadCheckDigit { .. }))
        ));
        // Without layouts an in-store code is only a GTIN (the store may list it as one).
        assert_eq!(
            classify("2012345004986").unwrap(),
            Scan::Gtin(gtin("2012345004986"))
        );
    }

    #[test]
    fn label_layouts_are_store_settings() {
        for preset in [
            EmbeddedLayout::japan_price(),
            EmbeddedLayout::eu_price_with_check(),
            EmbeddedLayout::price5_with_check(),
            EmbeddedLayout::weight_grams(),
        ] {
            assert_eq!(preset.validate(), Ok(()));
            let json = serde_json::to_string(&preset).unwrap();
            assert_eq!(
                serde_json::from_str::<EmbeddedLayout>(&json).unwrap(),
                preset
            );
        }
        // The yen layout in a store selling in euros: the price has the currency's decimals.
        let eur = EmbeddedLayout::japan_price().with_minor_units(2);
        let code = Gtin::with_check_digit("201234500498").unwrap();
        assert_eq!(
            eur.decode(code.short()).unwrap().unwrap().value,
            Decimal::new(498, 2)
        );
        assert_eq!(
            EmbeddedLayout::weight_grams().with_minor_units(2).decimals,
            3
        );
        // Layouts that cannot be read are refused, not misread.
        let broken = [
            EmbeddedLayout {
                item_digits: 6,
                ..EmbeddedLayout::japan_price()
            },
            EmbeddedLayout {
                prefixes: vec![],
                ..EmbeddedLayout::japan_price()
            },
            EmbeddedLayout {
                prefixes: vec!["2".into()],
                ..EmbeddedLayout::japan_price()
            },
            EmbeddedLayout {
                price_check: true,
                item_digits: 2,
                value_digits: 7,
                ..EmbeddedLayout::japan_price()
            },
            EmbeddedLayout {
                decimals: 200,
                ..EmbeddedLayout::japan_price()
            },
        ];
        for layout in broken {
            assert_eq!(
                layout.validate(),
                Err(BarcodeError::BadLayout),
                "{layout:?}"
            );
            if !layout.prefixes.is_empty() {
                assert_eq!(
                    layout.decode("2012345004986"),
                    Some(Err(BarcodeError::BadLayout))
                );
            }
        }
        // Encoding refuses what the label cannot hold rather than rounding it.
        let eu = EmbeddedLayout::eu_price_with_check();
        assert_eq!(
            eu.encode("12345", Decimal::new(28755, 3)),
            Err(BarcodeError::DoesNotFit("price"))
        );
        assert_eq!(
            eu.encode("12345", Decimal::from(100)),
            Err(BarcodeError::DoesNotFit("price"))
        );
        assert_eq!(
            eu.encode("123", Decimal::ONE),
            Err(BarcodeError::DoesNotFit("item number"))
        );
        assert_eq!(
            eu.encode("12345", Decimal::new(2875, 2)).unwrap().short(),
            "0212345928752"
        );
    }

    /// Every 4- and 5-digit price string, paired with its check digit.
    fn price(digits: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(0u8..10, digits)
            .prop_map(|d| d.iter().map(|x| char::from(b'0' + x)).collect())
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

        #[test]
        fn upc_e_expansion_always_carries_a_valid_check_digit(ns in 0u8..2, body in "[0-9]{6}") {
            let seven = format!("{ns}{body}");
            match expand_upc_e(&seven) {
                Ok(expanded) => {
                    let check = expanded.as_gtin14().as_bytes()[13] - b'0';
                    prop_assert_eq!(check, check_digit(&expanded.as_gtin14()[..13]));
                    prop_assert_eq!(expand_upc_e(&format!("{seven}{check}")), Ok(expanded));
                    let wrong = format!("{seven}{}", (check + 1) % 10);
                    prop_assert!(expand_upc_e(&wrong).is_err());
                }
                Err(e) => prop_assert_eq!(e, BarcodeError::NotUpcE),
            }
        }

        #[test]
        fn a_upc_a_that_compresses_to_upc_e_expands_back_to_itself(
            ns in 0u8..2, manufacturer in "[0-9]{5}", item in 0u32..1000, zeros in 0usize..5
        ) {
            // Bias towards the zeros that make a UPC-A compressible.
            let mut m = manufacturer.into_bytes();
            for b in m.iter_mut().rev().take(zeros) {
                *b = b'0';
            }
            let m = String::from_utf8(m).unwrap();
            let upc_a = Gtin::with_check_digit(&format!("{ns}{m}{item:05}")).unwrap();
            if let Some(e) = upc_a.upc_e() {
                prop_assert_eq!(e.len(), 8);
                prop_assert_eq!(expand_upc_e(&e), Ok(upc_a));
            }
        }

        #[test]
        fn an_element_string_survives_encode_then_parse(
            gtin_body in "[0-9]{13}", batch in "[A-Za-z0-9!%&*+,./:;<=>?_-]{1,20}",
            serial in "[A-Z0-9]{1,20}", grams in 0u32..999_999, yy in 0u8..100, mm in 1u8..13,
            dd in 0u8..29, cents in 0u64..1_000_000_000_000_000, n in 0u8..10, currency in 0u16..1000,
            order in 0usize..1000,
        ) {
            let gtin = format!("{gtin_body}{}", check_digit(&gtin_body));
            let date = format!("{yy:02}{mm:02}{dd:02}");
            let weight = format!("{grams:06}");
            let price_ai = format!("393{n}");
            let price = format!("{currency:03}{cents}");
            let mut fields = vec![
                ("10", batch.as_str()), ("01", gtin.as_str()), ("3103", weight.as_str()),
                ("21", serial.as_str()), ("17", date.as_str()), (price_ai.as_str(), price.as_str()),
            ];
            fields.rotate_left(order % 6);
            let raw = parse_gs1(&encode_gs1(&fields)).unwrap();
            let g = raw.clone();
            prop_assert_eq!(g.gtin, Some(Gtin::parse(&gtin).unwrap()));
            prop_assert_eq!(g.batch, Some(batch.clone()));
            prop_assert_eq!(g.serial, Some(serial.clone()));
            prop_assert_eq!(g.net_weight_kg, Some(Decimal::new(i64::from(grams), 3)));
            prop_assert_eq!(g.expiry, Some(Gs1Date { yy, mm, dd }));
            prop_assert_eq!(g.price, Some(Decimal::new(cents as i64, u32::from(n))));
            prop_assert_eq!(g.price_currency, Some(currency));
            // The printed form and the scanned form say the same thing.
            prop_assert_eq!(parse_gs1(&encode_gs1_hri(&fields)), Ok(raw));
        }

        #[test]
        fn a_single_digit_change_in_a_price_always_changes_its_check_digit(
            four in price(4), five in price(5), pos in 0usize..5, delta in 1u8..10
        ) {
            for p in [four, five] {
                let mut changed = p.clone().into_bytes();
                let i = pos % changed.len();
                changed[i] = b'0' + (changed[i] - b'0' + delta) % 10;
                let changed = String::from_utf8(changed).unwrap();
                prop_assert_ne!(price_check_digit(&p), price_check_digit(&changed), "{} {}", p, changed);
            }
        }

        #[test]
        fn an_in_store_label_decodes_to_the_item_and_value_it_was_made_with(
            preset in 0usize..4, item in 0u32..100_000, value in 0u64..100_000
        ) {
            let layout = [
                EmbeddedLayout::japan_price(),
                EmbeddedLayout::eu_price_with_check(),
                EmbeddedLayout::price5_with_check(),
                EmbeddedLayout::weight_grams(),
            ][preset].clone();
            let item = format!("{item:05}")[5 - usize::from(layout.item_digits)..].to_string();
            let value = value % 10u64.pow(u32::from(layout.value_digits));
            let value = Decimal::new(value as i64, u32::from(layout.decimals));
            let code = layout.encode(&item, value).unwrap();
            let read = classify_with(code.short(), &ScannerProfile::default(), std::slice::from_ref(&layout)).unwrap();
            let Scan::Embedded(e) = read else { panic!("{read:?}") };
            prop_assert_eq!((e.item, e.measure, e.value), (item, layout.measure, value));
        }

        #[test]
        fn normalising_with_the_default_profile_is_idempotent_and_keeps_inner_gs(
            s in "[ \\t\\r\\n\u{2}\u{3}]{0,3}[A-Za-z0-9\u{1d}]{0,20}[ \\r\\n]{0,3}"
        ) {
            let p = ScannerProfile::default();
            let once = p.normalise(&s);
            prop_assert_eq!(p.normalise(&once), once.clone());
            let inner_gs = s.trim_end_matches(|c: char| c == GS || c.is_whitespace()).matches(GS).count();
            prop_assert_eq!(once.matches(GS).count(), inner_gs);
        }

        #[test]
        fn scanning_never_panics_on_any_input(s in "(\\]([A-Za-z][0-9])?)?[\\PC\u{1d}]{0,60}") {
            let layouts = [EmbeddedLayout::japan_price(), EmbeddedLayout::eu_price_with_check(), EmbeddedLayout::weight_grams()];
            let _ = classify_with(&s, &ScannerProfile { prefix: "]".into(), suffix: "\u{1d}".into(), ..ScannerProfile::default() }, &layouts);
            let _ = parse_gs1(&s);
        }

        #[test]
        fn scanning_never_panics_on_any_bytes(
            aim in prop::sample::select(vec!["", "]C1", "]e0", "]d2", "]Q3", "]E0", "]E3", "]E4", "]I1", "]A0", "(01)", "\u{1d}"]),
            bytes in proptest::collection::vec(prop_oneof![Just(0x1du8), b'0'..=b'9', any::<u8>()], 0..48),
            decimals in 0u8..=255, value_digits in 0u8..=12, item_digits in 0u8..=12, check in any::<bool>(),
        ) {
            let s = format!("{aim}{}", String::from_utf8_lossy(&bytes));
            let odd = EmbeddedLayout { prefixes: vec!["2".into(), "02".into(), "".into()], item_digits, value_digits, decimals, price_check: check, measure: Measure::Price };
            let layouts = [odd.clone(), EmbeddedLayout::price5_with_check(), EmbeddedLayout::japan_price()];
            let wedge = ScannerProfile { gs_substitute: "^".into(), swap_case: true, ..ScannerProfile::default() };
            let _ = classify(&s);
            let _ = classify_with(&s, &wedge, &layouts);
            let _ = parse_gs1(&s);
            let _ = expand_upc_e(&s);
            let _ = price_check_digit(&s);
            let _ = odd.decode(&s);
            let _ = odd.encode(&s, Decimal::new(i64::from(value_digits), u32::from(decimals % 29)));
        }
    }
}
