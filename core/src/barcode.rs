//! Barcodes: scanner input normalisation and GTIN (EAN-13/JAN, EAN-8, UPC-A, ITF-14) validation.
//!
//! Every scan passes through here before the catalogue is asked, so a misread code is refused
//! with a reason instead of adding the wrong item.

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

/// What a line of scanner or keyboard input means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scan {
    /// A product code with a valid check digit.
    Gtin(Gtin),
    /// Digits that are not a valid GTIN: could be a SKU or PLU typed by hand.
    Code(String, BarcodeError),
    /// Text: search the catalogue by name.
    Text(String),
}

/// Normalise one line of input: trim whitespace and control characters that scanners add as
/// prefixes or suffixes, then classify it.
pub fn classify(raw: &str) -> Result<Scan, BarcodeError> {
    let s: String = raw.chars().filter(|c| !c.is_control()).collect();
    let s = s.trim();
    if s.is_empty() {
        return Err(BarcodeError::Empty);
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return Ok(match Gtin::parse(s) {
            Ok(g) => Scan::Gtin(g),
            Err(e) => Scan::Code(s.to_string(), e),
        });
    }
    Ok(Scan::Text(s.to_string()))
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
}
