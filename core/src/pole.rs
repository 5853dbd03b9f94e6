//! The 2×20 VFD pole display: two lines of twenty single-byte characters on a pole by the
//! counter, driven over serial with the ESC/POS customer-display commands (Epson DM-D and the
//! many displays that copy them). It follows the same `DisplayState` as the customer screen:
//! the last item and its price, the total; then paid and change; then thank you.
//!
//! Such displays have no kanji. Japanese models have JIS X 0201 (ASCII with ¥, plus half-width
//! katakana), so kana in a name is shown as half-width katakana and anything else is left out;
//! elsewhere the display has code page 437.

use crate::customer_display::{DisplayState, Phase};
use crate::money::Money;

/// Columns on each of the two lines.
pub const COLUMNS: usize = 20;

const ESC: u8 = 0x1B;
const US: u8 = 0x1F;
/// Move the cursor to the top left.
const HOME: u8 = 0x0B;

/// The display's character set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoleCharset {
    /// Code page 437 (US / Europe models).
    Cp437,
    /// JIS X 0201: ASCII with ¥ at 0x5C, half-width katakana at 0xA1–0xDF (Japanese models).
    Katakana,
}

impl PoleCharset {
    /// The display a store of this locale buys.
    pub fn for_locale(locale: &str) -> PoleCharset {
        if locale == "ja" {
            PoleCharset::Katakana
        } else {
            PoleCharset::Cp437
        }
    }

    /// The bytes for one character, or nothing when the display cannot show it. Kana with a
    /// voicing mark become two half-width characters (ガ → ｶﾞ).
    fn encode(self, c: char, out: &mut Vec<u8>) {
        match self {
            PoleCharset::Cp437 => match c {
                ' '..='~' => out.push(c as u8),
                '£' => out.push(0x9C),
                '¥' => out.push(0x9D),
                '€' => out.extend_from_slice(b"EUR"),
                'é' => out.push(0x82),
                'ü' => out.push(0x81),
                'ä' => out.push(0x84),
                'ö' => out.push(0x94),
                'ñ' => out.push(0xA4),
                _ => {}
            },
            PoleCharset::Katakana => match c {
                '¥' => out.push(0x5C),
                // 0x5C and 0x7E are ¥ and ‾ in JIS X 0201.
                '\\' | '~' => {}
                ' '..='}' => out.push(c as u8),
                // Full-width ASCII.
                '\u{FF01}'..='\u{FF5E}' => {
                    Self::Katakana.encode(char::from_u32(c as u32 - 0xFEE0).unwrap_or(' '), out)
                }
                '\u{3000}' => out.push(b' '),
                '\u{FF61}'..='\u{FF9F}' => out.push((c as u32 - 0xFF61 + 0xA1) as u8),
                // Hiragana reads as katakana on a display that has only katakana.
                '\u{3041}'..='\u{3096}' => {
                    Self::Katakana.encode(char::from_u32(c as u32 + 0x60).unwrap_or(' '), out)
                }
                _ => {
                    if let Some(half) = half_width_katakana(c) {
                        for h in half.chars() {
                            out.push((h as u32 - 0xFF61 + 0xA1) as u8);
                        }
                    }
                }
            },
        }
    }

    /// `text` in this character set, cut to `columns` (one byte is one column).
    fn fit(self, text: &str, columns: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for c in text.chars() {
            let before = out.len();
            self.encode(c, &mut out);
            if out.len() > columns {
                // Never split a voiced kana from its mark.
                out.truncate(before);
                break;
            }
        }
        out
    }
}

/// Full-width katakana and punctuation as half-width katakana.
fn half_width_katakana(c: char) -> Option<&'static str> {
    const PLAIN: &[(char, &str)] = &[
        ('。', "｡"),
        ('「', "｢"),
        ('」', "｣"),
        ('、', "､"),
        ('・', "･"),
        ('ー', "ｰ"),
        ('ァ', "ｧ"),
        ('ィ', "ｨ"),
        ('ゥ', "ｩ"),
        ('ェ', "ｪ"),
        ('ォ', "ｫ"),
        ('ャ', "ｬ"),
        ('ュ', "ｭ"),
        ('ョ', "ｮ"),
        ('ッ', "ｯ"),
        ('ア', "ｱ"),
        ('イ', "ｲ"),
        ('ウ', "ｳ"),
        ('エ', "ｴ"),
        ('オ', "ｵ"),
        ('カ', "ｶ"),
        ('キ', "ｷ"),
        ('ク', "ｸ"),
        ('ケ', "ｹ"),
        ('コ', "ｺ"),
        ('サ', "ｻ"),
        ('シ', "ｼ"),
        ('ス', "ｽ"),
        ('セ', "ｾ"),
        ('ソ', "ｿ"),
        ('タ', "ﾀ"),
        ('チ', "ﾁ"),
        ('ツ', "ﾂ"),
        ('テ', "ﾃ"),
        ('ト', "ﾄ"),
        ('ナ', "ﾅ"),
        ('ニ', "ﾆ"),
        ('ヌ', "ﾇ"),
        ('ネ', "ﾈ"),
        ('ノ', "ﾉ"),
        ('ハ', "ﾊ"),
        ('ヒ', "ﾋ"),
        ('フ', "ﾌ"),
        ('ヘ', "ﾍ"),
        ('ホ', "ﾎ"),
        ('マ', "ﾏ"),
        ('ミ', "ﾐ"),
        ('ム', "ﾑ"),
        ('メ', "ﾒ"),
        ('モ', "ﾓ"),
        ('ヤ', "ﾔ"),
        ('ユ', "ﾕ"),
        ('ヨ', "ﾖ"),
        ('ラ', "ﾗ"),
        ('リ', "ﾘ"),
        ('ル', "ﾙ"),
        ('レ', "ﾚ"),
        ('ロ', "ﾛ"),
        ('ワ', "ﾜ"),
        ('ヲ', "ｦ"),
        ('ン', "ﾝ"),
        ('ヮ', "ﾜ"),
        ('ヰ', "ｲ"),
        ('ヱ', "ｴ"),
        ('ヵ', "ｶ"),
        ('ヶ', "ｹ"),
    ];
    const VOICED: &[(char, &str)] = &[
        ('ガ', "ｶﾞ"),
        ('ギ', "ｷﾞ"),
        ('グ', "ｸﾞ"),
        ('ゲ', "ｹﾞ"),
        ('ゴ', "ｺﾞ"),
        ('ザ', "ｻﾞ"),
        ('ジ', "ｼﾞ"),
        ('ズ', "ｽﾞ"),
        ('ゼ', "ｾﾞ"),
        ('ゾ', "ｿﾞ"),
        ('ダ', "ﾀﾞ"),
        ('ヂ', "ﾁﾞ"),
        ('ヅ', "ﾂﾞ"),
        ('デ', "ﾃﾞ"),
        ('ド', "ﾄﾞ"),
        ('バ', "ﾊﾞ"),
        ('ビ', "ﾋﾞ"),
        ('ブ', "ﾌﾞ"),
        ('ベ', "ﾍﾞ"),
        ('ボ', "ﾎﾞ"),
        ('パ', "ﾊﾟ"),
        ('ピ', "ﾋﾟ"),
        ('プ', "ﾌﾟ"),
        ('ペ', "ﾍﾟ"),
        ('ポ', "ﾎﾟ"),
        ('ヴ', "ｳﾞ"),
        ('ヷ', "ﾜﾞ"),
        ('ヺ', "ｦﾞ"),
    ];
    PLAIN
        .iter()
        .chain(VOICED)
        .find(|(k, _)| *k == c)
        .map(|(_, h)| *h)
}

/// One screen: two lines of exactly `COLUMNS` bytes in the display's character set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoleFrame {
    pub lines: [Vec<u8>; 2],
}

/// The words the display shows, by character set (the Japanese model shows katakana).
fn words(cs: PoleCharset) -> [&'static str; 6] {
    match cs {
        PoleCharset::Katakana => ["ｲﾗｯｼｬｲﾏｾ", "ｺﾞｳｹｲ", "ｵｱｽﾞｶﾘ", "ｵﾂﾘ", "ｱﾘｶﾞﾄｳｺﾞｻﾞｲﾏｼﾀ", "ｼｮｳﾋﾝ"],
        PoleCharset::Cp437 => ["Welcome", "TOTAL", "PAID", "CHANGE", "Thank you", "Item"],
    }
}

impl PoleFrame {
    /// What the pole shows for the display's state.
    pub fn from_state(state: &DisplayState, cs: PoleCharset) -> PoleFrame {
        let [welcome, total, paid, change, thanks, item] = words(cs);
        let money = |m: &Option<Money>| m.map(|m| m.display()).unwrap_or_default();
        let lines = match state.phase {
            Phase::Idle => [centred(cs, &state.store_name), centred(cs, welcome)],
            Phase::Cart => {
                let first = match state.lines.last() {
                    Some(l) => {
                        let name = cs.fit(&l.name, COLUMNS);
                        // A name with nothing this display can show still says something.
                        let name = if name.iter().all(|b| *b == b' ') {
                            item.to_string()
                        } else {
                            l.name.clone()
                        };
                        pair(cs, &name, &l.amount.display())
                    }
                    None => centred(cs, welcome),
                };
                [first, pair(cs, total, &money(&state.total))]
            }
            Phase::Paid => match state.change {
                Some(c) if !c.is_zero() => [
                    pair(cs, paid, &money(&state.paid)),
                    pair(cs, change, &c.display()),
                ],
                _ => [pair(cs, total, &money(&state.total)), centred(cs, thanks)],
            },
        };
        PoleFrame { lines }
    }

    /// The bytes that put this frame on the display, over whatever it showed before (no
    /// clear: clearing makes the display flicker on every scan).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![HOME];
        out.extend_from_slice(&self.lines[0]);
        // US $ x y: cursor to column 1 of line 2.
        out.extend_from_slice(&[US, b'$', 1, 2]);
        out.extend_from_slice(&self.lines[1]);
        out
    }
}

/// Set the display up once when it connects: reset, its character set, overwrite mode.
pub fn init(cs: PoleCharset) -> Vec<u8> {
    let table = match cs {
        PoleCharset::Cp437 => 0,
        PoleCharset::Katakana => 1,
    };
    vec![ESC, b'@', ESC, b't', table, US, 0x01]
}

/// `left` and `right` on one line, `right` flush right; the left side is cut to make room.
fn pair(cs: PoleCharset, left: &str, right: &str) -> Vec<u8> {
    let right = cs.fit(right, COLUMNS);
    let room = COLUMNS.saturating_sub(right.len() + 1);
    let mut line = cs.fit(left, room);
    line.resize(COLUMNS - right.len(), b' ');
    line.extend_from_slice(&right);
    line
}

fn centred(cs: PoleCharset, text: &str) -> Vec<u8> {
    let text = cs.fit(text.trim(), COLUMNS);
    let pad = (COLUMNS - text.len()) / 2;
    let mut line = vec![b' '; pad];
    line.extend_from_slice(&text);
    line.resize(COLUMNS, b' ');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer_display::DisplayLine;
    use crate::money::Currency;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn yen(n: i64) -> Money {
        Money::new(Decimal::from(n), Currency::JPY)
    }

    fn state(phase: Phase, names: &[&str]) -> DisplayState {
        DisplayState {
            store_name: "Shibuya".into(),
            locale: "ja".into(),
            phase,
            lines: names
                .iter()
                .map(|n| DisplayLine {
                    name: n.to_string(),
                    qty: "× 1".into(),
                    amount: yen(198),
                    saving: None,
                })
                .collect(),
            total: Some(yen(1_234)),
            paid: Some(yen(2_000)),
            change: Some(yen(766)),
        }
    }

    /// The frame as the display shows it (JIS X 0201 read back).
    fn shown(f: &PoleFrame) -> [String; 2] {
        f.lines.clone().map(|l| {
            l.iter()
                .map(|b| match b {
                    0x5C => '¥',
                    0xA1..=0xDF => char::from_u32(u32::from(*b) - 0xA1 + 0xFF61).unwrap(),
                    b => char::from(*b),
                })
                .collect()
        })
    }

    #[test]
    fn the_last_item_and_the_total_in_katakana() {
        let f = PoleFrame::from_state(
            &state(Phase::Cart, &["緑茶", "カップヌードル しょうゆ"]),
            PoleCharset::Katakana,
        );
        assert_eq!(shown(&f), ["ｶｯﾌﾟﾇｰﾄﾞﾙ ｼｮｳﾕ  ¥198", "ｺﾞｳｹｲ         ¥1,234"]);
        // A name of kanji only: the display says "item" rather than nothing.
        let f = PoleFrame::from_state(&state(Phase::Cart, &["緑茶"]), PoleCharset::Katakana);
        assert_eq!(shown(&f)[0], "ｼｮｳﾋﾝ           ¥198");
    }

    #[test]
    fn paid_then_change_and_the_bytes_that_show_them() {
        let f = PoleFrame::from_state(&state(Phase::Paid, &[]), PoleCharset::Katakana);
        assert_eq!(shown(&f), ["ｵｱｽﾞｶﾘ        ¥2,000", "ｵﾂﾘ             ¥766"]);
        let bytes = f.to_bytes();
        assert_eq!(bytes[0], HOME);
        assert_eq!(&bytes[21..25], &[US, b'$', 1, 2]);
        assert_eq!(bytes.len(), 1 + 20 + 4 + 20);
        assert_eq!(
            init(PoleCharset::Katakana),
            vec![0x1B, 0x40, 0x1B, 0x74, 1, 0x1F, 0x01]
        );
    }

    #[test]
    fn english_displays_use_code_page_437() {
        let mut s = state(Phase::Idle, &[]);
        s.locale = "en".into();
        s.store_name = "Café Nord".into();
        let f = PoleFrame::from_state(&s, PoleCharset::for_locale("en"));
        assert_eq!(f.lines[0], b"     Caf\x82 Nord      ".to_vec());
        assert_eq!(f.lines[1], b"      Welcome       ".to_vec());
        let gbp = Money::new(Decimal::new(1250, 2), Currency::from_code("GBP").unwrap());
        assert_eq!(
            pair(PoleCharset::Cp437, "TOTAL", &gbp.display()),
            b"TOTAL         \x9c12.50".to_vec()
        );
    }

    proptest! {
        /// Whatever the names and amounts, both lines are exactly 20 columns and a voiced kana
        /// is never cut from its mark.
        #[test]
        fn every_line_is_twenty_columns(name in "[a-zア-ンガ-ポ緑茶ー ]{0,40}", amount in 0i64..10_000_000_000) {
            let mut s = state(Phase::Cart, &[&name]);
            s.lines[0].amount = yen(amount);
            s.total = Some(yen(amount));
            for cs in [PoleCharset::Katakana, PoleCharset::Cp437] {
                let f = PoleFrame::from_state(&s, cs);
                prop_assert!(f.lines.iter().all(|l| l.len() == COLUMNS));
                if cs == PoleCharset::Katakana {
                    // 0xDE/0xDF (voicing marks) never start a line.
                    prop_assert!(f.lines[0][0] != 0xDE && f.lines[0][0] != 0xDF);
                }
            }
        }
    }
}
