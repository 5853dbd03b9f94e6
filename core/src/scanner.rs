//! Reading barcode scanners, whatever way they are plugged in. Three ways reach a browser:
//!
//! - **Keyboard wedge** (most USB scanners): the scanner types the code as keystrokes, faster than
//!   a person can, and ends with Enter or Tab. [`Wedge`] tells a scan from typing by timing alone.
//! - **HID POS** (usage page 0x8C, WebHID): the code arrives in input reports whose layout the
//!   device describes. [`HidLayout`] reads that description; [`HidScanner`] assembles reports.
//! - **Serial** (RS-232 and USB-CDC scanners, WebSerial): lines of text. [`LineFramer`].
//!
//! Each yields the raw text of one scan (with its AIM symbology identifier where the transport
//! carries it); `barcode::classify_with` reads it from there, the same for all three. No I/O:
//! the app's adapters feed bytes and keystrokes in with the time they arrived.

use crate::barcode::{strip_aim, Symbology};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScannerError {
    #[error("the scan was longer than {0} bytes: the scanner is sending something else")]
    TooLong(usize),
    #[error("this HID device has no barcode report (usage page 0x8C decoded data)")]
    NoBarcodeReport,
    #[error("{0}")]
    Affix(String),
    #[error("{0}")]
    Wedge(&'static str),
}

/// How a keyboard-wedge scanner types. Scanners type a character every few milliseconds; people
/// type one every 100 ms or more, so a gap limit between them separates the two with a wide
/// margin. A scanner set to a slow inter-character delay needs a larger limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WedgeSettings {
    /// The longest pause between two keystrokes of one scan, in milliseconds.
    pub max_gap_ms: u32,
    /// The fewest characters a scan has (shorter bursts are typing, e.g. a fast "12" + Enter).
    pub min_length: usize,
    /// Whether the scanner ends with Tab instead of (or as well as) Enter.
    pub tab_ends: bool,
    /// What the scanner is set to type before and after each code.
    #[serde(default)]
    pub affixes: Affixes,
}

impl Default for WedgeSettings {
    fn default() -> Self {
        WedgeSettings {
            max_gap_ms: 50,
            min_length: 4,
            tab_ends: true,
            affixes: Affixes::default(),
        }
    }
}

impl WedgeSettings {
    /// Checked settings for the setup screen: a gap a scanner can keep to (at least 10 ms)
    /// but a person cannot (at most 200 ms), and a minimum length of 1 to 64.
    pub fn new(
        max_gap_ms: u32,
        min_length: usize,
        tab_ends: bool,
        affixes: Affixes,
    ) -> Result<WedgeSettings, ScannerError> {
        if !(10..=200).contains(&max_gap_ms) {
            return Err(ScannerError::Wedge(
                "the gap between a scanner's keystrokes is set between 10 and 200 ms",
            ));
        }
        if !(1..=64).contains(&min_length) {
            return Err(ScannerError::Wedge(
                "the shortest scan is set between 1 and 64 characters",
            ));
        }
        Ok(WedgeSettings {
            max_gap_ms,
            min_length,
            tab_ends,
            affixes,
        })
    }
}

/// Text a scanner is configured to send around every code (a store prefix, a "*" suffix, an
/// AIM-style marker). It is taken off before the code is read; a scan without it is read as is,
/// so changing the scanner's setup never makes codes unreadable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affixes {
    #[serde(default)]
    pub prefix: String,
    #[serde(default)]
    pub suffix: String,
}

/// The longest prefix or suffix a scanner setup screen allows.
pub const MAX_AFFIX: usize = 16;

impl Affixes {
    /// Checked settings: short, and nothing a scan could not carry (control characters other
    /// than GS, which GS1 codes use, would never survive a keyboard wedge).
    pub fn new(prefix: &str, suffix: &str) -> Result<Affixes, ScannerError> {
        for a in [prefix, suffix] {
            if a.chars().count() > MAX_AFFIX {
                return Err(ScannerError::Affix(format!(
                    "a prefix or suffix is at most {MAX_AFFIX} characters"
                )));
            }
            if a.chars().any(|c| c.is_control() && c != '\u{1D}') {
                return Err(ScannerError::Affix(
                    "a prefix or suffix cannot hold control characters".into(),
                ));
            }
        }
        Ok(Affixes {
            prefix: prefix.to_string(),
            suffix: suffix.to_string(),
        })
    }

    /// The scan without the configured prefix and suffix (each taken off only if present).
    pub fn strip<'a>(&self, scan: &'a str) -> &'a str {
        let s = scan.strip_prefix(self.prefix.as_str()).unwrap_or(scan);
        let s = s.strip_suffix(self.suffix.as_str()).unwrap_or(s);
        if s.is_empty() {
            scan
        } else {
            s
        }
    }
}

/// One keystroke, as the browser names it (`KeyboardEvent.key`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A key that types this character.
    Char(char),
    Enter,
    Tab,
    /// Shift, Control, Alt, Meta, CapsLock: a scanner presses Shift for capitals, so these
    /// neither type nor interrupt a burst.
    Modifier,
    /// Anything else (arrows, Backspace, function keys): a person is at the keyboard.
    Other,
}

impl Key {
    pub fn from_dom(key: &str) -> Key {
        let mut chars = key.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Key::Char(c),
            _ => match key {
                "Enter" => Key::Enter,
                "Tab" => Key::Tab,
                "Shift" | "Control" | "Alt" | "AltGraph" | "Meta" | "CapsLock" => Key::Modifier,
                _ => Key::Other,
            },
        }
    }
}

/// A scan a wedge typed: its text, and how many characters it typed, so the app can take them
/// back out of whatever text field had the focus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WedgeScan {
    /// The code, without the scanner's configured prefix and suffix.
    pub text: String,
    /// Everything the scanner typed (to take back out of a text field).
    pub raw: String,
    pub typed: usize,
}

/// What the app does with a keystroke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WedgeOutcome {
    /// Let the browser have it as usual.
    Pass,
    /// A scan ended on this key (Enter or Tab): keep the key from the page and read the scan.
    Scan(WedgeScan),
}

/// The keyboard-wedge detector: a burst of characters, each within `max_gap_ms` of the one
/// before, ended by Enter (or Tab) within the same gap, at least `min_length` long.
#[derive(Debug, Clone, Default)]
pub struct Wedge {
    settings: WedgeSettings,
    burst: String,
    typed: usize,
    last_ms: Option<f64>,
}

/// A scan of more characters than this is not a barcode (GS1 element strings top out near 100;
/// 2D codes on a wedge rarely exceed a few hundred).
pub const MAX_SCAN: usize = 4096;

impl Wedge {
    pub fn new(settings: WedgeSettings) -> Wedge {
        Wedge {
            settings,
            ..Wedge::default()
        }
    }

    pub fn settings(&self) -> &WedgeSettings {
        &self.settings
    }

    /// Read one keystroke that happened at `at_ms` (a monotonic clock, e.g. `performance.now()`).
    pub fn key(&mut self, key: Key, at_ms: f64) -> WedgeOutcome {
        let quick = self
            .last_ms
            .is_some_and(|last| at_ms - last <= f64::from(self.settings.max_gap_ms));
        match key {
            Key::Modifier => WedgeOutcome::Pass,
            Key::Char(c) => {
                if !quick || self.typed >= MAX_SCAN {
                    self.burst.clear();
                    self.typed = 0;
                }
                self.burst.push(c);
                self.typed += 1;
                self.last_ms = Some(at_ms);
                WedgeOutcome::Pass
            }
            Key::Enter | Key::Tab => {
                let ends = key == Key::Enter || self.settings.tab_ends;
                let scan = ends && quick && self.typed >= self.settings.min_length.max(1);
                let out = if scan {
                    let raw = std::mem::take(&mut self.burst);
                    WedgeOutcome::Scan(WedgeScan {
                        text: self.settings.affixes.strip(&raw).to_string(),
                        raw,
                        typed: self.typed,
                    })
                } else {
                    WedgeOutcome::Pass
                };
                self.reset();
                out
            }
            Key::Other => {
                self.reset();
                WedgeOutcome::Pass
            }
        }
    }

    fn reset(&mut self) {
        self.burst.clear();
        self.typed = 0;
        self.last_ms = None;
    }
}

/// HID usages of the bar code scanner page (HID Point of Sale Usage Tables 1.02, page 0x8C).
pub const USAGE_PAGE_BARCODE: u16 = 0x8C;
const USAGE_SYMBOLOGY_ID: [u32; 3] = [0x008C_00FB, 0x008C_00FC, 0x008C_00FD];
const USAGE_DECODED_DATA: u32 = 0x008C_00FE;
const USAGE_DATA_CONTINUED: u32 = 0x008C_00FF;
/// The collection usage of a bar code scanner.
pub const USAGE_BARCODE_SCANNER: u16 = 0x02;

/// One field of an input report, as WebHID describes it (`HIDReportItem`): its usages (page in
/// the high 16 bits), and `report_count` values of `report_size` bits each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HidItem {
    #[serde(default)]
    pub usages: Vec<u32>,
    #[serde(default)]
    pub usage_minimum: Option<u32>,
    pub report_size: u32,
    pub report_count: u32,
}

impl HidItem {
    fn has(&self, usage: u32) -> bool {
        self.usages.contains(&usage) || self.usage_minimum == Some(usage)
    }
    fn bits(&self) -> usize {
        self.report_size as usize * self.report_count as usize
    }
}

/// Where the parts of a scan sit in a scanner's input report (offsets exclude the report id,
/// as WebHID's `inputreport` event gives the data without it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HidLayout {
    pub report_id: u8,
    /// A byte giving how many bytes of `data` are the code (scanners pad the rest with NULs).
    pub length: Option<usize>,
    /// The AIM symbology identifier ("]E0"), three bytes.
    pub symbology: Option<Range<usize>>,
    pub data: Range<usize>,
    /// The byte and bit set when the code continues in the next report.
    pub continued: Option<(usize, u8)>,
}

impl HidLayout {
    /// Read the layout from the report's items. Fields are byte-aligned in every HID POS
    /// scanner; one that is not makes the description unusable rather than misread.
    ///
    /// A one-byte field with no usage of this page just before the symbology identifier or the
    /// data is the length byte scanners put first (the usage is vendor-defined).
    pub fn from_items(report_id: u8, items: &[HidItem]) -> Result<HidLayout, ScannerError> {
        let mut bit = 0usize;
        let mut length = None;
        let mut unnamed_byte = None;
        let mut sym_start = None;
        let mut data = None;
        let mut continued = None;
        for item in items {
            let start = bit;
            bit += item.bits();
            if item.has(USAGE_DATA_CONTINUED) {
                continued = Some((start / 8, (start % 8) as u8));
                continue;
            }
            if !start.is_multiple_of(8) {
                continue;
            }
            let byte = start / 8;
            if USAGE_SYMBOLOGY_ID.iter().any(|u| item.has(*u)) {
                sym_start.get_or_insert(byte);
                if length.is_none() {
                    length = unnamed_byte.take();
                }
            } else if item.has(USAGE_DECODED_DATA) {
                data = Some(byte..byte + item.bits() / 8);
                if length.is_none() {
                    length = unnamed_byte.take();
                }
            } else if item.bits() == 8 && data.is_none() && sym_start.is_none() {
                unnamed_byte = Some(byte);
            }
        }
        let data = data.ok_or(ScannerError::NoBarcodeReport)?;
        Ok(HidLayout {
            report_id,
            length,
            symbology: sym_start.map(|s| s..s + 3),
            data,
            continued,
        })
    }
}

/// One scan read from a HID POS scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HidScan {
    /// The AIM identifier, if the scanner sent one.
    pub aim: Option<String>,
    pub symbology: Option<Symbology>,
    /// The decoded data (a GS1 element string keeps its GS separators).
    pub data: String,
}

impl HidScan {
    /// The text for `barcode::classify_with`: the AIM identifier in front, as a wedge configured
    /// to send it would type it, so GS1 codes are recognised by their symbology.
    pub fn text(&self) -> String {
        format!("{}{}", self.aim.as_deref().unwrap_or(""), self.data)
    }
}

/// Assembles a HID scanner's reports into scans (a long 2D code spans several reports).
#[derive(Debug, Clone)]
pub struct HidScanner {
    layout: HidLayout,
    aim: Option<String>,
    pending: Vec<u8>,
}

impl HidScanner {
    pub fn new(layout: HidLayout) -> HidScanner {
        HidScanner {
            layout,
            aim: None,
            pending: Vec::new(),
        }
    }

    pub fn layout(&self) -> &HidLayout {
        &self.layout
    }

    /// Read one input report. Reports of other ids (trigger, status) are not scans: `Ok(None)`,
    /// as is a report the scan continues after.
    pub fn report(&mut self, report_id: u8, bytes: &[u8]) -> Result<Option<HidScan>, ScannerError> {
        let l = &self.layout;
        if report_id != l.report_id {
            return Ok(None);
        }
        let get = |r: &Range<usize>| bytes.get(r.start.min(bytes.len())..r.end.min(bytes.len()));
        let mut data = get(&l.data).unwrap_or_default();
        if let Some(n) = l.length.and_then(|i| bytes.get(i)) {
            data = &data[..data.len().min(usize::from(*n))];
        }
        let data = match data.iter().rposition(|b| *b != 0) {
            Some(last) => &data[..=last],
            None => &[][..],
        };
        if self.aim.is_none() {
            self.aim = l
                .symbology
                .as_ref()
                .and_then(get)
                .filter(|s| s.len() == 3 && s[0] == b']')
                .map(|s| s.iter().map(|b| char::from(*b)).collect());
        }
        if self.pending.len() + data.len() > MAX_SCAN {
            self.pending.clear();
            self.aim = None;
            return Err(ScannerError::TooLong(MAX_SCAN));
        }
        self.pending.extend_from_slice(data);
        let more = l
            .continued
            .and_then(|(byte, bit)| bytes.get(byte).map(|b| b & (1 << bit) != 0))
            .unwrap_or(false);
        if more {
            return Ok(None);
        }
        let raw = std::mem::take(&mut self.pending);
        let aim = self.aim.take();
        if raw.is_empty() {
            return Ok(None);
        }
        let data = bytes_to_text(&raw);
        let symbology = aim.as_deref().and_then(|a| strip_aim(a).0);
        Ok(Some(HidScan {
            aim,
            symbology,
            data,
        }))
    }
}

/// Scanners send UTF-8 when set to, otherwise one byte per character (ISO 8859-1 is what the
/// byte values mean for the Latin codes that carry anything beyond ASCII).
fn bytes_to_text(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => raw.iter().map(|b| char::from(*b)).collect(),
    }
}

/// Splits a serial scanner's byte stream into lines (CR, LF or CR LF end a scan). Bytes arrive in
/// whatever pieces the port delivers them.
#[derive(Debug, Clone, Default)]
pub struct LineFramer {
    buf: Vec<u8>,
    overflowed: bool,
}

impl LineFramer {
    pub fn new() -> LineFramer {
        LineFramer::default()
    }

    /// Add bytes; returns the complete lines, and an error for a line that ran past `MAX_SCAN`
    /// (it is dropped up to its end, so the next scan reads cleanly).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<String, ScannerError>> {
        let mut out = Vec::new();
        for b in bytes {
            match b {
                b'\r' | b'\n' => {
                    if self.overflowed {
                        out.push(Err(ScannerError::TooLong(MAX_SCAN)));
                    } else if !self.buf.is_empty() {
                        out.push(Ok(bytes_to_text(&self.buf)));
                    }
                    self.buf.clear();
                    self.overflowed = false;
                }
                _ if self.buf.len() >= MAX_SCAN => self.overflowed = true,
                _ => self.buf.push(*b),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn typed(w: &mut Wedge, s: &str, start: f64, gap: f64) -> (Vec<WedgeOutcome>, f64) {
        let mut t = start;
        let mut out = Vec::new();
        for c in s.chars() {
            let k = match c {
                '\n' => Key::Enter,
                '\t' => Key::Tab,
                c => Key::Char(c),
            };
            out.push(w.key(k, t));
            t += gap;
        }
        (out, t)
    }

    fn scans(out: &[WedgeOutcome]) -> Vec<String> {
        out.iter()
            .filter_map(|o| match o {
                WedgeOutcome::Scan(s) => Some(s.text.clone()),
                WedgeOutcome::Pass => None,
            })
            .collect()
    }

    #[test]
    fn a_fast_burst_ending_in_enter_is_a_scan() {
        let mut w = Wedge::default();
        let (out, _) = typed(&mut w, "4901234567894\n", 1000.0, 4.0);
        assert_eq!(
            out.last(),
            Some(&WedgeOutcome::Scan(WedgeScan {
                text: "4901234567894".into(),
                raw: "4901234567894".into(),
                typed: 13
            }))
        );
    }

    #[test]
    fn a_configured_prefix_and_suffix_are_taken_off() {
        let affixes = Affixes::new("*S", "#").unwrap();
        let settings = WedgeSettings::new(50, 4, true, affixes.clone()).unwrap();
        let mut w = Wedge::new(settings);
        let (out, _) = typed(&mut w, "*S4901234567894#\n", 0.0, 3.0);
        match out.last() {
            Some(WedgeOutcome::Scan(s)) => {
                assert_eq!(s.text, "4901234567894");
                assert_eq!(
                    s.raw, "*S4901234567894#",
                    "the field gets back all that was typed"
                );
            }
            other => panic!("not a scan: {other:?}"),
        }
        // A scanner not (yet) set up to send them: the code is read as it is.
        assert_eq!(affixes.strip("4901234567894"), "4901234567894");
        // Nothing but the affixes: kept as typed rather than read as an empty code.
        assert_eq!(affixes.strip("*S#"), "*S#");
        assert!(Affixes::new(&"x".repeat(17), "").is_err());
        assert!(Affixes::new("\u{7}", "").is_err());
        assert!(Affixes::new("\u{1D}", "").is_ok());
        assert!(WedgeSettings::new(5, 4, true, Affixes::default()).is_err());
        assert!(WedgeSettings::new(50, 0, true, Affixes::default()).is_err());
    }

    #[test]
    fn slow_typing_is_never_a_scan() {
        let mut w = Wedge::default();
        let (out, _) = typed(&mut w, "4901234567894\n", 0.0, 120.0);
        assert!(scans(&out).is_empty());
    }

    #[test]
    fn a_pause_before_enter_is_a_person_pressing_it() {
        let mut w = Wedge::default();
        let (_, t) = typed(&mut w, "49012345", 0.0, 3.0);
        assert_eq!(w.key(Key::Enter, t + 400.0), WedgeOutcome::Pass);
    }

    #[test]
    fn typing_then_a_scan_reads_only_the_scan() {
        // A cashier typed "ab" into the search field, then scanned: the scan is its own burst.
        let mut w = Wedge::default();
        let (_, t) = typed(&mut w, "ab", 0.0, 150.0);
        let (out, _) = typed(&mut w, "12345678\n", t + 500.0, 5.0);
        assert_eq!(scans(&out), vec!["12345678"]);
    }

    #[test]
    fn shift_for_capitals_does_not_break_a_burst() {
        let mut w = Wedge::default();
        let mut t = 0.0;
        for c in "AB-12".chars() {
            if c.is_ascii_uppercase() {
                assert_eq!(w.key(Key::Modifier, t), WedgeOutcome::Pass);
                t += 2.0;
            }
            w.key(Key::Char(c), t);
            t += 2.0;
        }
        assert!(matches!(w.key(Key::Enter, t), WedgeOutcome::Scan(s) if s.text == "AB-12"));
    }

    #[test]
    fn short_bursts_and_tab_when_not_configured_are_typing() {
        let mut w = Wedge::default();
        let (out, _) = typed(&mut w, "12\n", 0.0, 5.0);
        assert!(scans(&out).is_empty());
        let mut w = Wedge::new(WedgeSettings {
            tab_ends: false,
            ..WedgeSettings::default()
        });
        let (out, _) = typed(&mut w, "12345678\t", 0.0, 5.0);
        assert!(scans(&out).is_empty());
        let mut w = Wedge::default();
        let (out, _) = typed(&mut w, "12345678\t", 0.0, 5.0);
        assert_eq!(scans(&out), vec!["12345678"]);
    }

    #[test]
    fn an_arrow_key_in_the_middle_is_a_person() {
        let mut w = Wedge::default();
        let (_, t) = typed(&mut w, "1234", 0.0, 5.0);
        w.key(Key::Other, t);
        assert_eq!(w.key(Key::Enter, t + 1.0), WedgeOutcome::Pass);
    }

    #[test]
    fn dom_key_names() {
        assert_eq!(Key::from_dom("a"), Key::Char('a'));
        assert_eq!(Key::from_dom("ア"), Key::Char('ア'));
        assert_eq!(Key::from_dom("Enter"), Key::Enter);
        assert_eq!(Key::from_dom("Shift"), Key::Modifier);
        assert_eq!(Key::from_dom("ArrowLeft"), Key::Other);
        assert_eq!(Key::from_dom("Dead"), Key::Other);
    }

    proptest! {
        /// Invariant: whatever a scanner types fast and ends with Enter comes out whole, even
        /// after arbitrary slow typing before it.
        #[test]
        fn a_scan_comes_out_exactly_as_typed(
            before in "[a-z0-9]{0,6}",
            code in "[A-Za-z0-9\\-]{4,40}",
            gap in 1u32..50,
        ) {
            let mut w = Wedge::default();
            let (_, t) = typed(&mut w, &before, 0.0, 200.0);
            let (out, _) = typed(&mut w, &format!("{code}\n"), t + 300.0, f64::from(gap));
            prop_assert_eq!(scans(&out), vec![code.clone()]);
        }

        /// Invariant: a person (every gap over the limit) never produces a scan.
        #[test]
        fn people_never_scan(text in "[a-z0-9\\n]{0,40}", gap in 51u32..400) {
            let mut w = Wedge::default();
            let (out, _) = typed(&mut w, &text, 0.0, f64::from(gap));
            prop_assert!(scans(&out).is_empty());
        }
    }

    /// The HID POS scanner report most scanners describe: a length byte (vendor usage), three
    /// symbology identifier bytes, 56 bytes of decoded data, two vendor bytes, then one bit saying
    /// the data continues.
    fn honeywell_like() -> Vec<HidItem> {
        let item = |usages: Vec<u32>, size, count| HidItem {
            usages,
            usage_minimum: None,
            report_size: size,
            report_count: count,
        };
        vec![
            item(vec![0xFF66_0001], 8, 1),
            item(vec![0x008C_00FB], 8, 1),
            item(vec![0x008C_00FC], 8, 1),
            item(vec![0x008C_00FD], 8, 1),
            item(vec![0x008C_00FE], 8, 56),
            item(vec![0xFF66_0002], 8, 2),
            item(vec![0x008C_00FF], 1, 1),
            item(vec![], 7, 1),
        ]
    }

    fn report(aim: &str, data: &[u8], more: bool) -> Vec<u8> {
        let mut r = vec![0u8; 63];
        r[0] = data.len() as u8;
        r[1..4].copy_from_slice(aim.as_bytes());
        r[4..4 + data.len()].copy_from_slice(data);
        r[62] = u8::from(more);
        r
    }

    #[test]
    fn the_layout_is_read_from_the_descriptor() {
        let l = HidLayout::from_items(2, &honeywell_like()).unwrap();
        assert_eq!(
            l,
            HidLayout {
                report_id: 2,
                length: Some(0),
                symbology: Some(1..4),
                data: 4..60,
                continued: Some((62, 0)),
            }
        );
        assert_eq!(
            HidLayout::from_items(2, &honeywell_like()[..4]),
            Err(ScannerError::NoBarcodeReport)
        );
    }

    #[test]
    fn a_report_reads_as_a_scan_with_its_symbology() {
        let mut s = HidScanner::new(HidLayout::from_items(2, &honeywell_like()).unwrap());
        let scan = s
            .report(2, &report("]E0", b"4901234567894", false))
            .unwrap()
            .unwrap();
        assert_eq!(scan.data, "4901234567894");
        assert_eq!(scan.symbology, Some(Symbology::Ean13OrUpc));
        assert_eq!(scan.text(), "]E04901234567894");
        // Another report id (a trigger or status report) is not a scan.
        assert_eq!(s.report(4, &[1, 2, 3]).unwrap(), None);
    }

    #[test]
    fn a_long_code_spans_reports() {
        let mut s = HidScanner::new(HidLayout::from_items(2, &honeywell_like()).unwrap());
        let long: Vec<u8> = (0..100).map(|i| b'A' + (i % 26) as u8).collect();
        assert_eq!(
            s.report(2, &report("]Q1", &long[..56], true)).unwrap(),
            None
        );
        let scan = s
            .report(2, &report("]Q1", &long[56..], false))
            .unwrap()
            .unwrap();
        assert_eq!(scan.data.as_bytes(), &long[..]);
        assert_eq!(scan.symbology, Some(Symbology::Other));
    }

    #[test]
    fn gs1_keeps_its_separators_and_short_reports_never_panic() {
        let mut s = HidScanner::new(HidLayout::from_items(2, &honeywell_like()).unwrap());
        let scan = s
            .report(2, &report("]C1", b"0104912345678904\x1d10ABC", false))
            .unwrap()
            .unwrap();
        assert_eq!(scan.symbology, Some(Symbology::Gs1));
        assert!(scan.data.contains('\u{1d}'));
        for n in 0..8 {
            let _ = s.report(2, &vec![0xFF; n]);
        }
        assert_eq!(s.report(2, &[]).unwrap(), None);
    }

    #[test]
    fn serial_lines_split_on_any_line_ending() {
        let mut f = LineFramer::new();
        assert!(f.push(b"4901234").is_empty());
        let lines: Vec<_> = f
            .push(b"567894\r\n12345670\r")
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(lines, vec!["4901234567894", "12345670"]);
        assert_eq!(
            f.push(b"\nABC\n")
                .into_iter()
                .map(Result::unwrap)
                .collect::<Vec<_>>(),
            vec!["ABC"]
        );
        let mut long = vec![b'9'; MAX_SCAN + 10];
        long.extend_from_slice(b"\r\n42\n");
        let out = f.push(&long);
        assert_eq!(
            out,
            vec![Err(ScannerError::TooLong(MAX_SCAN)), Ok("42".into())]
        );
    }
}
