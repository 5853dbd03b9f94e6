//! The receipt: one layout from a `Sale` to a list of blocks, and renderers of those blocks —
//! fixed-width text (what a thermal printer prints; the ESC/POS encoder takes the same blocks)
//! and an 80 mm HTML receipt for the browser's print dialog, reprints and email.
//!
//! A Japanese receipt follows the simplified qualified invoice (適格簡易請求書): the issuer and
//! registration number, the date, the items with reduced-rate items marked ※, the per-rate
//! totals and the tax in each, computed once per rate (core's `TaxLine`s).

use crate::escpos::{Align, BarcodeStyle, CodePage, Cut, Escpos, Font, Hri, PaperWidth, QrLevel};
use crate::money::Money;
use crate::sale::{Sale, Tender};
use crate::store::StoreSettings;
use crate::tax::TaxClass;
use serde::{Deserialize, Serialize};

/// The receipt's language is the till's (one catalogue of languages for both).
pub use crate::text::Lang;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptOptions {
    pub lang: Lang,
    /// Characters per line of the printer: 32 or 42 on 58 mm paper, 42 or 48 on 80 mm.
    pub columns: usize,
    #[serde(default)]
    pub header: Vec<String>,
    #[serde(default)]
    pub footer: Vec<String>,
    /// Where the customer can see this receipt online (printed as a QR code).
    #[serde(default)]
    pub digital_url: Option<String>,
    /// The receipt printer's paper, for `to_escpos`: it fixes the dots across, so the columns of
    /// the printed lines and whether a barcode fits.
    #[serde(default)]
    pub paper: PaperWidth,
}

impl ReceiptOptions {
    pub fn for_store(store: &StoreSettings) -> ReceiptOptions {
        ReceiptOptions {
            lang: if store.locale == "ja" {
                Lang::Ja
            } else {
                Lang::En
            },
            columns: 42,
            header: Vec::new(),
            footer: Vec::new(),
            digital_url: None,
            // 80 mm at 512 dots is the printer 42 columns describes.
            paper: PaperWidth::Mm80Narrow,
        }
    }
}

/// One piece of a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// Centred, large: the store's name.
    Title {
        text: String,
    },
    Center {
        text: String,
    },
    Text {
        text: String,
    },
    /// Left text and a right-aligned amount on one line (the left wraps if it is too long).
    Pair {
        left: String,
        right: String,
        #[serde(default)]
        strong: bool,
    },
    Rule,
    /// The receipt number as a CODE128 barcode, for returns.
    Barcode {
        data: String,
    },
    Qr {
        data: String,
    },
}

fn t(lang: Lang, ja: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

fn neg(m: Money) -> String {
    format!("-{}", m.display())
}

/// The receipt of `sale`, as blocks.
/// A lane's `n`th receipt number: the lane's code and a six-digit counter ("L1-000042"), so the
/// number alone says which till printed it and sorts in order.
pub fn receipt_no(lane_code: &str, n: u64) -> String {
    format!("{lane_code}-{n:06}")
}

/// Whether `text` is a receipt number as tills print them (and as the receipt's barcode scans
/// back), so the scan field can open that receipt instead of looking for a product.
pub fn is_receipt_no(text: &str) -> bool {
    let Some((lane, n)) = text.split_once('-') else {
        return false;
    };
    lane.len() >= 2
        && lane.starts_with('L')
        && lane[1..].bytes().all(|b| b.is_ascii_digit())
        && n.len() >= 6
        && n.bytes().all(|b| b.is_ascii_digit())
}

/// What came back in an exchange, for the sale's receipt: the return and the number of the
/// receipt it came from.
#[derive(Debug, Clone, Copy)]
pub struct Returned<'a> {
    pub refund: &'a crate::refund::Refund,
    pub from_receipt: &'a str,
}

/// An exchange on one receipt: the items that came back (and any money given back), then the
/// new sale paid partly by them.
pub fn exchange_layout(
    returned: Returned<'_>,
    sale: &Sale,
    store: &StoreSettings,
    opts: &ReceiptOptions,
) -> Vec<Block> {
    let lang = opts.lang;
    let r = returned.refund;
    let mut section = vec![Block::Text {
        text: format!(
            "{} ({} {})",
            t(lang, "返品", "Returned"),
            t(lang, "元レシート", "from receipt"),
            returned.from_receipt
        ),
    }];
    for l in &r.lines {
        let qty = if l.qty == rust_decimal::Decimal::ONE {
            String::new()
        } else {
            format!(" × {}", l.qty.normalize())
        };
        section.push(Block::Pair {
            left: format!("{}{qty}", l.name),
            right: neg(l.amount),
            strong: false,
        });
    }
    section.push(Block::Pair {
        left: format!("{} {}", t(lang, "返品合計", "Returned total"), r.receipt_no),
        right: neg(r.total),
        strong: true,
    });
    for tender in r
        .tenders
        .iter()
        .filter(|t| !matches!(t, Tender::Exchange { .. }))
    {
        section.push(Block::Pair {
            left: format!("{} ({})", t(lang, "返金", "Given back"), tender.label()),
            right: tender.amount().display(),
            strong: false,
        });
    }
    section.push(Block::Rule);
    let mut b = layout(sale, store, opts);
    // After the header (which ends with the first rule), before the new items.
    let at = b
        .iter()
        .position(|x| matches!(x, Block::Rule))
        .map_or(b.len(), |i| i + 1);
    b.splice(at..at, section);
    b
}

pub fn layout(sale: &Sale, store: &StoreSettings, opts: &ReceiptOptions) -> Vec<Block> {
    let lang = opts.lang;
    let mut b = vec![Block::Title {
        text: store.name.clone(),
    }];
    b.extend(
        opts.header
            .iter()
            .map(|h| Block::Center { text: h.clone() }),
    );
    if let Some(reg) = &store.registration_no {
        b.push(Block::Center {
            text: format!("{} {reg}", t(lang, "登録番号", "Registration No.")),
        });
    }
    let time = crate::time::local_time(sale.at_ms, store.utc_offset_minutes);
    b.push(Block::Pair {
        left: format!("{} {}", sale.business_day, &time[..5]),
        right: format!("{} {}", t(lang, "No.", "No."), sale.receipt_no),
        strong: false,
    });
    b.push(Block::Rule);
    let japan_marks = lang == Lang::Ja && sale.tax.iter().any(|l| l.class == TaxClass::Reduced);
    for line in &sale.lines {
        let mark = if japan_marks && line.tax_class == TaxClass::Reduced {
            "※"
        } else {
            ""
        };
        let qty = match line.sold_by {
            crate::catalogue::SoldBy::Each if line.qty == rust_decimal::Decimal::ONE => {
                String::new()
            }
            crate::catalogue::SoldBy::Each => {
                format!(" {} × {}", line.qty, line.unit_price.display())
            }
            crate::catalogue::SoldBy::Kilogram => {
                format!(" {} kg × {}/kg", line.qty, line.unit_price.display())
            }
        };
        b.push(Block::Pair {
            left: format!("{mark}{}{qty}", line.name),
            right: line.gross.display(),
            strong: false,
        });
        for p in &line.promotions {
            b.push(Block::Pair {
                left: format!("  {}", p.name),
                right: neg(Money::new(p.amount, line.gross.currency)),
                strong: false,
            });
        }
        let promo: rust_decimal::Decimal = line.promotions.iter().map(|p| p.amount).sum();
        let other = line.discount.amount - promo;
        if other > rust_decimal::Decimal::ZERO {
            b.push(Block::Pair {
                left: format!("  {}", t(lang, "値引", "Discount")),
                right: neg(Money::new(other, line.discount.currency)),
                strong: false,
            });
        }
    }
    b.push(Block::Rule);
    b.push(Block::Pair {
        left: t(lang, "小計", "Subtotal").into(),
        right: sale.subtotal.display(),
        strong: false,
    });
    for tax in &sale.tax {
        let pct = (tax.rate * rust_decimal::Decimal::ONE_HUNDRED).normalize();
        let (label, inner) = match (lang, store.tax.mode) {
            (Lang::Ja, crate::tax::TaxMode::Inclusive) => (format!("{pct}%対象"), "内消費税"),
            (Lang::Ja, crate::tax::TaxMode::Exclusive) => (format!("{pct}%対象"), "消費税"),
            (Lang::En, _) => (format!("Taxable at {pct}%"), "tax"),
        };
        if tax.class == TaxClass::Exempt {
            b.push(Block::Pair {
                left: t(lang, "非課税", "Tax exempt").into(),
                right: tax.taxable.display(),
                strong: false,
            });
            continue;
        }
        b.push(Block::Pair {
            left: label,
            right: format!("{} ({inner} {})", tax.taxable.display(), tax.tax.display()),
            strong: false,
        });
    }
    if let Some(ex) = &sale.tax_exempt {
        b.push(Block::Text {
            text: format!(
                "{} {}",
                t(lang, "免税証明書", "Exemption certificate"),
                ex.certificate
            ),
        });
    }
    b.push(Block::Pair {
        left: t(lang, "合計", "Total").into(),
        right: sale.total.display(),
        strong: true,
    });
    if let Some(tip) = sale.tip {
        b.push(Block::Pair {
            left: t(lang, "チップ", "Tip").into(),
            right: tip.display(),
            strong: false,
        });
        b.push(Block::Pair {
            left: t(lang, "お支払い合計", "Total with tip").into(),
            right: sale.due().display(),
            strong: true,
        });
    }
    if let Some(r) = sale.cash_rounding {
        b.push(Block::Pair {
            left: t(lang, "端数調整", "Cash rounding").into(),
            right: r.display(),
            strong: false,
        });
    }
    for tender in &sale.tenders {
        let (label, amount) = match tender {
            Tender::Cash { tendered } => (t(lang, "お預り(現金)", "Cash").to_string(), *tendered),
            Tender::Card {
                amount,
                brand,
                last4,
                approval,
            } => (
                format!(
                    "{brand} ****{last4} ({} {approval})",
                    t(lang, "承認", "appr.")
                ),
                *amount,
            ),
            Tender::GiftCard { amount, .. } => {
                (t(lang, "ギフトカード", "Gift card").into(), *amount)
            }
            Tender::StoreCredit { amount, .. } => {
                (t(lang, "ストアクレジット", "Store credit").into(), *amount)
            }
            Tender::Other { amount, name } => (name.clone(), *amount),
            Tender::Exchange { amount, .. } => (
                t(lang, "交換(返品分)", "Exchange (returned items)").into(),
                *amount,
            ),
        };
        b.push(Block::Pair {
            left: label,
            right: amount.display(),
            strong: false,
        });
    }
    b.push(Block::Pair {
        left: t(lang, "お釣り", "Change").into(),
        right: sale.change.display(),
        strong: true,
    });
    if japan_marks {
        b.push(Block::Text {
            text: "※は軽減税率(8%)対象商品".into(),
        });
    }
    b.push(Block::Rule);
    b.push(Block::Barcode {
        data: sale.receipt_no.clone(),
    });
    if let Some(url) = &opts.digital_url {
        b.push(Block::Qr { data: url.clone() });
    }
    b.extend(
        opts.footer
            .iter()
            .map(|f| Block::Center { text: f.clone() }),
    );
    b
}

/// Columns a character takes on a receipt printer: East Asian wide and fullwidth characters
/// (kanji, kana, fullwidth forms) take two.
pub fn char_width(c: char) -> usize {
    let u = c as u32;
    let wide = matches!(u,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
        || c == '※';
    if c.is_control() {
        0
    } else if wide {
        2
    } else {
        1
    }
}

pub fn text_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Split `s` into pieces of at most `width` columns, never inside a character.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w > width.max(2) {
            out.push(String::new());
            used = 0;
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
        used += w;
    }
    out
}

/// The receipt as fixed-width lines of `columns` columns.
pub fn to_text(blocks: &[Block], columns: usize) -> Vec<String> {
    let columns = columns.max(16);
    let center = |s: &str| {
        wrap(s, columns)
            .into_iter()
            .map(|piece| {
                let pad = (columns.saturating_sub(text_width(&piece))) / 2;
                format!("{}{piece}", " ".repeat(pad))
            })
            .collect::<Vec<_>>()
    };
    let mut out = Vec::new();
    for block in blocks {
        match block {
            Block::Title { text } | Block::Center { text } => out.extend(center(text)),
            Block::Text { text } => out.extend(wrap(text, columns)),
            Block::Pair { left, right, .. } if text_width(right) + 3 > columns => {
                // No room for both on one line: the label, then the amount right-aligned.
                out.extend(wrap(left, columns));
                for piece in wrap(right, columns) {
                    let pad = columns.saturating_sub(text_width(&piece));
                    out.push(format!("{}{piece}", " ".repeat(pad)));
                }
            }
            Block::Pair { left, right, .. } => {
                let right_w = text_width(right);
                let room = columns.saturating_sub(right_w + 1).max(1);
                let mut pieces = wrap(left, room);
                let last = pieces.pop().unwrap_or_default();
                out.extend(pieces);
                let gap = columns.saturating_sub(text_width(&last) + right_w).max(1);
                out.push(format!("{last}{}{right}", " ".repeat(gap)));
            }
            Block::Rule => out.push("-".repeat(columns)),
            Block::Barcode { data } => out.extend(center(&format!("||| {data} |||"))),
            Block::Qr { data } => out.extend(center(data)),
        }
    }
    out
}

/// Escape text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// The receipt as an HTML fragment for an 80 mm browser print (styled by the app's CSS
/// classes; every text is escaped, nothing executable).
pub fn to_html(blocks: &[Block]) -> String {
    let mut h = String::from(r#"<article class="receipt">"#);
    for block in blocks {
        match block {
            Block::Title { text } => {
                h += &format!(r#"<h2 class="r-title">{}</h2>"#, escape_html(text))
            }
            Block::Center { text } => {
                h += &format!(r#"<p class="r-center">{}</p>"#, escape_html(text))
            }
            Block::Text { text } => h += &format!(r#"<p class="r-text">{}</p>"#, escape_html(text)),
            Block::Pair {
                left,
                right,
                strong,
            } => {
                h += &format!(
                    r#"<p class="r-pair{}"><span>{}</span><span>{}</span></p>"#,
                    if *strong { " r-strong" } else { "" },
                    escape_html(left),
                    escape_html(right)
                )
            }
            Block::Rule => h += r#"<hr class="r-rule">"#,
            Block::Barcode { data } => {
                h += &format!(
                    r#"<p class="r-barcode" data-code128="{0}">{0}</p>"#,
                    escape_html(data)
                )
            }
            Block::Qr { data } => {
                h += &format!(
                    r#"<p class="r-qr" data-qr="{0}">{0}</p>"#,
                    escape_html(data)
                )
            }
        }
    }
    h += "</article>";
    h
}

/// The receipt as an ESC/POS print job: Japanese in Kanji mode (Shift_JIS), other languages in
/// PC858 (€, £ and ¥ all print). Lines are laid out again here rather than taken from `to_text`,
/// because the printer decides a character's width by its bytes: in Kanji mode "×" is a
/// two-byte, double-width character, which a Unicode width table calls narrow.
///
/// The columns come from the paper and the font: Japanese always prints in font A, whose kanji
/// are exactly two columns; otherwise font B is chosen when `columns` asks for more than font A
/// holds. The job ends with a partial cut; opening the drawer is the caller's choice
/// (`Escpos::open_drawer`), since only a cash sale needs it.
pub fn to_escpos(blocks: &[Block], opts: &ReceiptOptions) -> Vec<u8> {
    let code_page = match opts.lang {
        Lang::Ja => CodePage::ShiftJis,
        Lang::En => CodePage::Cp858,
    };
    let mut p = Escpos::new(opts.paper, code_page);
    p.init();
    if opts.lang == Lang::En && opts.columns > opts.paper.columns(Font::A) {
        p.font(Font::B);
    }
    for block in blocks {
        match block {
            Block::Title { text } => {
                p.align(Align::Center)
                    .bold(true)
                    .double(true, true)
                    .wrapped(text)
                    .double(false, false)
                    .bold(false)
                    .align(Align::Left);
            }
            Block::Center { text } => {
                p.align(Align::Center).wrapped(text).align(Align::Left);
            }
            Block::Text { text } => {
                p.wrapped(text);
            }
            Block::Pair {
                left,
                right,
                strong,
            } => {
                if *strong {
                    // Double height only: the line keeps all its columns.
                    p.bold(true)
                        .double(false, true)
                        .pair(left, right)
                        .double(false, false)
                        .bold(false);
                } else {
                    p.pair(left, right);
                }
            }
            Block::Rule => {
                p.rule('-');
            }
            Block::Barcode { data } => {
                p.align(Align::Center);
                let style = BarcodeStyle {
                    height: 60,
                    module_width: 2,
                    hri: Hri::Below,
                };
                // A receipt number the barcode cannot carry still prints, as text.
                if p.barcode_style(style)
                    .and_then(|p| p.code128(data))
                    .is_err()
                {
                    p.wrapped(data);
                }
                p.align(Align::Left);
            }
            Block::Qr { data } => {
                // About 25 mm across for a short URL on 80 mm paper, 17 mm on 58 mm: large
                // enough for a phone at arm's length.
                let module = if opts.paper == PaperWidth::Mm58 { 4 } else { 6 };
                p.align(Align::Center);
                if p.qr(data, module, QrLevel::M).is_err() {
                    p.wrapped(data);
                }
                p.align(Align::Left);
            }
        }
    }
    // Leave the printer in single-byte mode for whatever prints next.
    p.kanji(false).cut(Cut::Partial, 0);
    p.into_bytes()
}

#[cfg(test)]
mod tests {
    #[test]
    fn receipt_numbers_are_told_from_barcodes_and_names() {
        assert_eq!(receipt_no("L1", 42), "L1-000042");
        assert!(is_receipt_no(&receipt_no("L12", 1_234_567)));
        assert!(is_receipt_no("L1-000042"));
        assert!(!is_receipt_no("4901234567894"));
        assert!(!is_receipt_no("L1-42"));
        assert!(!is_receipt_no("LX-000042"));
        assert!(!is_receipt_no("L-000042"));
        assert!(!is_receipt_no("milk"));
    }

    use super::*;
    use crate::cart::tests::product;
    use crate::cart::Cart;
    use crate::catalogue::SoldBy;
    use crate::money::Currency;
    use crate::sale::Checkout;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use uuid::Uuid;

    fn sale_with(names: (&str, &str)) -> (Sale, StoreSettings) {
        let mut store = StoreSettings::japan("s", "till 渋谷");
        store.registration_no = Some("T7000012050002".into());
        let mut cart = Cart::default();
        let mut onigiri = product("a", 140, TaxClass::Reduced, SoldBy::Each);
        onigiri.name = names.0.into();
        cart.add(&onigiri, Decimal::from(2)).unwrap();
        let mut bag = product("b", 550, TaxClass::Standard, SoldBy::Each);
        bag.name = names.1.into();
        cart.add(&bag, Decimal::ONE).unwrap();
        let sale = Sale::complete(
            &cart,
            &store,
            vec![Tender::Cash {
                tendered: Money::new(Decimal::from(1000), Currency::JPY),
            }],
            Checkout {
                id: Uuid::from_u128(9),
                lane_id: "l1",
                receipt_no: "L1-000042".into(),
                at_ms: 1_795_532_400_000,
            },
        )
        .unwrap();
        (sale, store)
    }

    #[test]
    fn a_japanese_receipt_carries_what_a_simplified_qualified_invoice_needs() {
        let (sale, store) = sale_with(("おにぎり 鮭", "エコバッグ"));
        let lines = to_text(
            &layout(&sale, &store, &ReceiptOptions::for_store(&store)),
            42,
        );
        let text = lines.join("\n");
        for want in [
            "登録番号 T7000012050002",
            "2026-11-25",
            "No. L1-000042",
            "※おにぎり 鮭 2 × ¥140",
            "10%対象",
            "¥550 (内消費税 ¥50)",
            "8%対象",
            "¥280 (内消費税 ¥20)",
            "※は軽減税率(8%)対象商品",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
        // Every line fits the paper, counting kanji and kana as two columns.
        assert!(lines.iter().all(|l| text_width(l) <= 42), "{text}");
        let total = lines.iter().find(|l| l.starts_with("合計")).unwrap();
        assert!(total.ends_with("¥830"), "{total}");
        let change = lines.iter().find(|l| l.starts_with("お釣り")).unwrap();
        assert!(change.ends_with("¥170"), "{change}");
    }

    #[test]
    fn the_html_receipt_escapes_everything() {
        let (sale, store) = sale_with(("<script>alert(1)</script>", "\"quoted\" & <b>"));
        let html = to_html(&layout(&sale, &store, &ReceiptOptions::for_store(&store)));
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;quoted&quot; &amp; &lt;b&gt;"));
        assert!(html.contains(r#"data-code128="L1-000042""#));
    }

    /// Shift_JIS bytes of `s`, as a Kanji-mode job writes them.
    fn sjis(s: &str) -> Vec<u8> {
        let mut e = Escpos::new(PaperWidth::Mm80, CodePage::ShiftJis);
        e.kanji(true).text(s);
        e.as_bytes()[2..].to_vec()
    }

    fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
        hay.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn the_japanese_receipt_prints_in_kanji_mode() {
        let (sale, store) = sale_with(("おにぎり 鮭", "エコバッグ"));
        let opts = ReceiptOptions::for_store(&store);
        let bytes = to_escpos(&layout(&sale, &store, &opts), &opts);
        let mut want = vec![
            0x1B, 0x40, // ESC @
            0x1B, 0x52, 0x08, // ESC R 8: Japan, 0x5C prints ¥
            0x1B, 0x74, 0x01, // ESC t 1: katakana
            0x1C, 0x43, 0x01, // FS C 1: Shift_JIS
            0x1C, 0x26, // FS &: Kanji mode
            0x1B, 0x61, 0x01, // ESC a 1: centre
            0x1B, 0x45, 0x01, // ESC E 1: bold
            0x1D, 0x21, 0x11, // GS ! 0x11: double width and height
        ];
        want.extend_from_slice(b"till ");
        want.extend_from_slice(&[0x8F, 0x61, 0x92, 0x4A, 0x0A]); // 渋谷 LF
        want.extend_from_slice(&[0x1D, 0x21, 0x00, 0x1B, 0x45, 0x00, 0x1B, 0x61, 0x00]);
        assert_eq!(
            &bytes[..want.len()],
            want.as_slice(),
            "{:02x?}",
            &bytes[..40]
        );
        // 42 columns on 80 mm / 512 dots, kanji and × two columns each, ¥ one.
        for line in [
            "登録番号 T7000012050002",
            "※おにぎり 鮭 2 × ¥140               ¥280",
            "10%対象                ¥550 (内消費税 ¥50)",
            "8%対象                 ¥280 (内消費税 ¥20)",
            "お預り(現金)                        ¥1,000",
            "※は軽減税率(8%)対象商品",
        ] {
            let mut encoded = sjis(line);
            encoded.push(0x0A);
            assert!(find(&bytes, &encoded).is_some(), "missing {line:?}");
            assert!(text_columns(line) <= 42);
        }
        // Total and change: bold and double height.
        let mut total = vec![0x1B, 0x45, 0x01, 0x1D, 0x21, 0x01];
        total.extend(sjis("合計                                  ¥830"));
        assert!(find(&bytes, &total).is_some());
        assert!(find(&bytes, &sjis("お釣り                                ¥170")).is_some());
        // The receipt number as CODE128 {B, centred under HRI settings.
        let mut barcode = vec![
            0x1B, 0x61, 0x01, 0x1D, 0x68, 60, 0x1D, 0x77, 2, 0x1D, 0x48, 2,
        ];
        barcode.extend_from_slice(&[0x1D, 0x6B, 73, 11]);
        barcode.extend_from_slice(b"{BL1-000042");
        assert!(find(&bytes, &barcode).is_some());
        // Kanji mode off, partial cut.
        assert!(bytes.ends_with(&[0x1C, 0x2E, 0x1D, 0x56, 0x42, 0x00]));
    }

    fn text_columns(s: &str) -> usize {
        crate::escpos::text_columns(CodePage::ShiftJis, s)
    }

    /// The other two of the four receipts (ja and en, 58 mm and 80 mm): Japanese on 58 mm paper
    /// (32 columns) and English on 80 mm paper at 576 dots (48 columns), pair lines padded to
    /// exactly the paper's width, nothing wider.
    #[test]
    fn japanese_on_58_mm_and_english_on_80_mm() {
        let (sale, store) = sale_with(("おにぎり 鮭", "エコバッグ"));
        let mut opts = ReceiptOptions::for_store(&store);
        opts.paper = PaperWidth::Mm58;
        opts.columns = 32;
        let bytes = to_escpos(&layout(&sale, &store, &opts), &opts);
        for (left, right) in [
            ("※おにぎり 鮭 2 × ¥140", "¥280"),
            ("お預り(現金)", "¥1,000"),
            ("お釣り", "¥170"),
        ] {
            let pad = 32 - text_columns(left) - text_columns(right);
            let line = format!("{left}{}{right}", " ".repeat(pad));
            let line = line.as_str();
            let mut encoded = sjis(line);
            encoded.push(0x0A);
            assert!(find(&bytes, &encoded).is_some(), "missing {line:?}");
        }
        // The 58 mm barcode uses narrower modules (GS w 2 → fits 384 dots).
        assert!(find(&bytes, &[0x1D, 0x6B, 73, 11]).is_some());

        let (sale, mut store) = sale_with(("Onigiri salmon", "Eco bag"));
        store.locale = "en".into();
        let mut opts = ReceiptOptions::for_store(&store);
        opts.paper = PaperWidth::Mm80;
        opts.columns = 48;
        let bytes = to_escpos(&layout(&sale, &store, &opts), &opts);
        // ESC t 19: code page 858; no Kanji mode.
        assert_eq!(&bytes[..5], [0x1B, 0x40, 0x1B, 0x74, 19]);
        assert!(!bytes.windows(2).any(|w| w == [0x1C, 0x26]));
        // In code page 858 ¥ is 0xBE and × is 0x9E.
        let yen = 0xBE;
        for (left, right) in [
            (&b"Onigiri salmon 2 \x9E \xBE140"[..], "280"),
            (b"Cash", "1,000"),
            (b"Change", "170"),
        ] {
            let mut line = left.to_vec();
            let pad = 48 - line.len() - 1 - right.len();
            line.extend(std::iter::repeat_n(b' ', pad));
            line.push(yen);
            line.extend_from_slice(right.as_bytes());
            line.push(0x0A);
            assert!(
                find(&bytes, &line).is_some(),
                "missing {:?}",
                String::from_utf8_lossy(&line)
            );
        }
    }

    #[test]
    fn a_euro_receipt_prints_in_pc858_with_the_qr_link() {
        let (mut sale, mut store) = sale_with(("Croissant", "Café au lait"));
        store.locale = "en".into();
        store.currency = Currency::EUR;
        store.registration_no = None;
        for l in &mut sale.lines {
            l.gross.currency = Currency::EUR;
        }
        sale.total.currency = Currency::EUR;
        let mut opts = ReceiptOptions::for_store(&store);
        opts.digital_url = Some("https://r.example/L1-000042".into());
        opts.paper = PaperWidth::Mm58;
        opts.columns = 32;
        let bytes = to_escpos(&layout(&sale, &store, &opts), &opts);
        assert_eq!(&bytes[..5], [0x1B, 0x40, 0x1B, 0x74, 19]);
        // "Café" with é = 0x82; € = 0xD5; 32 columns.
        assert!(find(&bytes, b"Caf\x82 au lait             \xD5550.00\n").is_some());
        let mut qr = vec![
            0x1D, 0x28, 0x6B, 4, 0, 49, 65, 50, 0, 0x1D, 0x28, 0x6B, 3, 0, 49, 67, 4,
        ];
        qr.extend_from_slice(&[0x1D, 0x28, 0x6B, 3, 0, 49, 69, 49, 0x1D, 0x28, 0x6B, 30, 0]);
        qr.extend_from_slice(b"\x31\x50\x30https://r.example/L1-000042");
        assert!(find(&bytes, &qr).is_some());
        assert!(
            !bytes.windows(2).any(|w| w == [0x1C, 0x26]),
            "no Kanji mode"
        );
    }

    #[test]
    fn a_tip_shows_under_the_total_with_what_was_paid_in_all() {
        let (mut sale, mut store) = sale_with(("Latte", "Bagel"));
        store.locale = "en".into();
        sale.tip = Some(Money::new(Decimal::from(100), Currency::JPY));
        let blocks = layout(&sale, &store, &ReceiptOptions::for_store(&store));
        let pairs: Vec<(String, String)> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Pair { left, right, .. } => Some((left.clone(), right.clone())),
                _ => None,
            })
            .collect();
        let at = pairs.iter().position(|(l, _)| l == "Tip").unwrap();
        assert_eq!(pairs[at - 1], ("Total".into(), "¥830".into()));
        assert_eq!(pairs[at].1, "¥100");
        assert_eq!(pairs[at + 1], ("Total with tip".into(), "¥930".into()));
    }

    proptest! {
        #[test]
        fn printing_never_panics_and_names_cannot_send_commands(
            a in "\\PC{0,80}|[\\x00-\\x1f]{0,8}",
            b in "\\PC{0,80}",
            ja in any::<bool>(),
            paper in prop_oneof![Just(PaperWidth::Mm58), Just(PaperWidth::Mm80), Just(PaperWidth::Mm80Narrow)],
            cols in 0usize..80,
        ) {
            let (sale, store) = sale_with((&format!("{a}\u{1b}p\u{0}"), &b));
            let mut opts = ReceiptOptions::for_store(&store);
            opts.lang = if ja { Lang::Ja } else { Lang::En };
            opts.paper = paper;
            opts.columns = cols;
            opts.digital_url = Some(b.clone());
            let bytes = to_escpos(&layout(&sale, &store, &opts), &opts);
            // The renderer never opens the drawer, so ESC p in the output would have come from
            // a product name.
            prop_assert!(!bytes.windows(2).any(|w| w == [0x1B, b'p']));
            prop_assert!(bytes.ends_with(&[0x1D, 0x56, 0x42, 0x00]));
        }
    }

    proptest! {
        #[test]
        fn rendering_never_panics_and_never_lets_markup_through(a in "\\PC{0,80}", b in "\\PC{0,80}", cols in 0usize..80) {
            let (sale, store) = sale_with((&a, &b));
            let blocks = layout(&sale, &store, &ReceiptOptions::for_store(&store));
            let lines = to_text(&blocks, cols);
            prop_assert!(lines.iter().all(|l| text_width(l) <= cols.max(16)));
            let html = to_html(&blocks);
            let inner = html.trim_start_matches(r#"<article class="receipt">"#);
            // Every '<' left is one of the renderer's own tags.
            for (i, _) in inner.match_indices('<') {
                let tag = &inner[i..];
                prop_assert!(["<h2 ", "</h2>", "<p ", "</p>", "<span>", "</span>", "<hr ", "</article>"].iter().any(|t| tag.starts_with(t)), "{}", tag.chars().take(20).collect::<String>());
            }
        }
    }
}
