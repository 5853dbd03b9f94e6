//! ESC/POS: the command language of receipt printers (Epson TM and the many printers that copy
//! it). A builder turns text, styles, barcodes, QR codes and images into the exact bytes a printer
//! takes; how the bytes reach the printer (WebUSB, WebSerial, a network socket) is the app's job.
//!
//! Every byte sequence here is taken from the Epson ESC/POS command reference and pinned by a
//! golden test. Bad input (a barcode that is not one, an image of the wrong size) is a typed error
//! before anything is written, so a half-built command never reaches the printer.

use serde::{Deserialize, Serialize};

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const FS: u8 = 0x1C;
const DLE: u8 = 0x10;
const EOT: u8 = 0x04;
const LF: u8 = 0x0A;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EscposError {
    #[error("an EAN-13 barcode has 12 or 13 digits, not {0}")]
    Ean13Length(usize),
    #[error("an EAN-13 barcode holds digits only")]
    Ean13NotDigits,
    #[error("the EAN-13 check digit is {found}, it should be {expected}")]
    Ean13CheckDigit { expected: u8, found: u8 },
    #[error("a CODE128 barcode needs at least one character")]
    Code128Empty,
    #[error("a CODE128 barcode here holds printable ASCII only, not {0:?}")]
    Code128Char(char),
    #[error("a CODE128 barcode holds at most {max} bytes ('{{' counts twice), not {len}")]
    Code128TooLong { len: usize, max: usize },
    #[error("the barcode is {needed} dots wide; the paper prints {available}")]
    BarcodeTooWide { needed: usize, available: usize },
    #[error("barcode height is 1–255 dots and module width 2–6 dots")]
    BarcodeStyle,
    #[error("a QR code needs some data")]
    QrEmpty,
    #[error("a QR code at this error correction level holds at most {max} bytes, not {len}")]
    QrTooLong { len: usize, max: usize },
    #[error("a QR module is 1–16 dots, not {0}")]
    QrModuleSize(u8),
    #[error("an image needs a width and a height")]
    ImageEmpty,
    #[error("a {width}×{height} image has {expected} pixels, not {got}")]
    ImageSize {
        width: usize,
        height: usize,
        expected: usize,
        got: usize,
    },
    #[error("the image is {width} dots wide; the paper prints {available}")]
    ImageTooWide { width: usize, available: usize },
    #[error("{0:#04x} is not a printer status byte")]
    NotAStatusByte(u8),
}

/// The paper and the printable width of the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperWidth {
    /// 58 mm roll, 384 dots (48 mm at 203 dpi): 32 columns in font A, 42 in font B.
    Mm58,
    /// 80 mm roll, 576 dots (72 mm at 203 dpi): 48 columns in font A, 64 in font B.
    #[default]
    Mm80,
    /// 80 mm roll on printers that print 512 dots (e.g. TM-T88 at 180 dpi): 42 columns in
    /// font A, 56 in font B.
    Mm80Narrow,
}

impl PaperWidth {
    /// Printable dots across the paper.
    pub fn dots(self) -> usize {
        match self {
            PaperWidth::Mm58 => 384,
            PaperWidth::Mm80 => 576,
            PaperWidth::Mm80Narrow => 512,
        }
    }

    /// Characters per line in `font` at normal width.
    pub fn columns(self, font: Font) -> usize {
        self.dots() / font.dots_wide()
    }
}

/// The printer's two built-in fonts (ESC M).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Font {
    /// 12 × 24 dots; a kanji is 24 dots, exactly two columns.
    #[default]
    A,
    /// 9 × 17 dots: more columns, smaller print.
    B,
}

impl Font {
    fn dots_wide(self) -> usize {
        match self {
            Font::A => 12,
            Font::B => 9,
        }
    }
}

/// How text is turned into bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodePage {
    /// PC437 (USA, standard Europe), ESC t 0: has ¥ and £ but no €.
    Cp437,
    /// PC858 (PC850 with €), ESC t 19: western Europe with the euro sign.
    Cp858,
    /// Japanese printers in Kanji mode with Shift_JIS: kanji and kana print as two-byte,
    /// double-width characters.
    ShiftJis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Underline {
    Off,
    /// One dot thick.
    Thin,
    /// Two dots thick.
    Thick,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    Full,
    /// Leaves a small tab so the receipt does not fall (the usual choice at a till).
    Partial,
}

/// Which pin of the drawer kick-out connector gets the pulse: a second drawer is usually wired
/// to pin 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DrawerPin {
    Pin2,
    Pin5,
}

/// Where the human-readable digits of a barcode go (GS H).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hri {
    None,
    Above,
    Below,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarcodeStyle {
    /// Bar height in dots (GS h), 1–255.
    pub height: u8,
    /// Narrowest bar in dots (GS w), 2–6.
    pub module_width: u8,
    pub hri: Hri,
}

impl Default for BarcodeStyle {
    fn default() -> Self {
        BarcodeStyle {
            height: 80,
            module_width: 2,
            hri: Hri::Below,
        }
    }
}

/// QR error correction: how much of the symbol may be damaged and still read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrLevel {
    L,
    M,
    Q,
    H,
}

impl QrLevel {
    /// Bytes a version-40 symbol holds in byte mode at this level (ISO/IEC 18004 capacity table):
    /// more cannot be encoded at all.
    fn max_bytes(self) -> usize {
        match self {
            QrLevel::L => 2953,
            QrLevel::M => 2331,
            QrLevel::Q => 1663,
            QrLevel::H => 1273,
        }
    }
}

/// A grayscale picture: one luminance byte per pixel (0 black, 255 white), rows top to bottom.
/// The browser decodes the logo's PNG; core only needs the pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrayImage {
    width: usize,
    height: usize,
    luma: Vec<u8>,
}

impl GrayImage {
    pub fn new(width: usize, height: usize, luma: Vec<u8>) -> Result<GrayImage, EscposError> {
        if width == 0 || height == 0 {
            return Err(EscposError::ImageEmpty);
        }
        let expected = width.saturating_mul(height);
        if luma.len() != expected {
            return Err(EscposError::ImageSize {
                width,
                height,
                expected,
                got: luma.len(),
            });
        }
        Ok(GrayImage {
            width,
            height,
            luma,
        })
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }
}

/// How gray becomes black or white dots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dither {
    /// Black below mid-gray: right for logos that are already black and white.
    Threshold,
    /// Error diffusion: the best look for photos and gradients.
    FloydSteinberg,
    /// 4×4 Bayer matrix: a regular pattern, and each dot depends only on its own pixel.
    Ordered,
}

/// A 1-bit image packed as the printer wants it: rows of `width_bytes` bytes, the leftmost dot
/// in the most significant bit, 1 = black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width_bytes: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

/// Turn a grayscale image into printer dots.
pub fn dither(img: &GrayImage, how: Dither) -> Bitmap {
    let (w, h) = (img.width, img.height);
    let width_bytes = w.div_ceil(8);
    let mut data = vec![0u8; width_bytes * h];
    let mut set = |x: usize, y: usize| data[y * width_bytes + x / 8] |= 0x80 >> (x % 8);
    match how {
        Dither::Threshold => {
            for (i, &v) in img.luma.iter().enumerate() {
                if v < 128 {
                    set(i % w, i / w);
                }
            }
        }
        Dither::Ordered => {
            const BAYER: [[u8; 4]; 4] =
                [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]];
            for (i, &v) in img.luma.iter().enumerate() {
                let (x, y) = (i % w, i / w);
                // Thresholds 8, 24, … 248 spread evenly over 0–255, so pure white never prints
                // and pure black always does.
                if u16::from(v) < u16::from(BAYER[y % 4][x % 4]) * 16 + 8 {
                    set(x, y);
                }
            }
        }
        Dither::FloydSteinberg => {
            // One spare cell at each end of the error rows, so the edge pixels need no bounds
            // checks; what is pushed there falls off the image.
            let mut cur = vec![0i32; w + 2];
            let mut next = vec![0i32; w + 2];
            for y in 0..h {
                for x in 0..w {
                    let v = i32::from(img.luma[y * w + x]) + cur[x + 1];
                    let black = v < 128;
                    if black {
                        set(x, y);
                    }
                    let e = v - if black { 0 } else { 255 };
                    let right = e * 7 / 16;
                    let down_left = e * 3 / 16;
                    let down = e * 5 / 16;
                    // The last share takes the remainder, so integer division loses no error.
                    let down_right = e - right - down_left - down;
                    cur[x + 2] += right;
                    next[x] += down_left;
                    next[x + 1] += down;
                    next[x + 2] += down_right;
                }
                std::mem::swap(&mut cur, &mut next);
                next.fill(0);
            }
        }
    }
    Bitmap {
        width_bytes,
        height: h,
        data,
    }
}

/// The four real-time status requests (DLE EOT n). The printer answers each with one byte even
/// while it is offline or busy, so the till can tell "no paper" from "no printer".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusRequest {
    Printer = 1,
    OfflineCause = 2,
    ErrorCause = 3,
    PaperSensor = 4,
}

/// The bytes that ask the printer for one status byte.
pub fn status_request(req: StatusRequest) -> [u8; 3] {
    [DLE, EOT, req as u8]
}

/// What the printer said about itself. Each answer fills in only its own fields; ask all four
/// and apply each answer for the whole picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PrinterStatus {
    /// Drawer kick-out connector pin 3 is high. Whether high means open depends on the drawer;
    /// see `drawer_open`.
    pub drawer_pin3_high: Option<bool>,
    pub offline: Option<bool>,
    pub waiting_for_online_recovery: Option<bool>,
    pub cover_open: Option<bool>,
    /// Paper is being fed by the FEED button.
    pub feed_button: Option<bool>,
    /// Printing stopped because the paper ran out.
    pub stopped_by_paper_end: Option<bool>,
    pub error: Option<bool>,
    pub autocutter_error: Option<bool>,
    pub unrecoverable_error: Option<bool>,
    /// E.g. the head is too hot; printing resumes by itself.
    pub auto_recoverable_error: Option<bool>,
    pub paper_near_end: Option<bool>,
    pub paper_out: Option<bool>,
}

impl PrinterStatus {
    /// Read the answer `byte` to `req` into this status.
    pub fn apply(&mut self, req: StatusRequest, byte: u8) -> Result<(), EscposError> {
        // Every DLE EOT answer has the fixed pattern 0xx1xx10; anything else is some other
        // byte on the line (e.g. an automatic status report) and must not be read as status.
        if byte & 0b1001_0011 != 0b0001_0010 {
            return Err(EscposError::NotAStatusByte(byte));
        }
        let bit = |n: u8| Some(byte & (1 << n) != 0);
        match req {
            StatusRequest::Printer => {
                self.drawer_pin3_high = bit(2);
                self.offline = bit(3);
                self.waiting_for_online_recovery = bit(5);
            }
            StatusRequest::OfflineCause => {
                self.cover_open = bit(2);
                self.feed_button = bit(3);
                self.stopped_by_paper_end = bit(5);
                self.error = bit(6);
            }
            StatusRequest::ErrorCause => {
                self.autocutter_error = bit(3);
                self.unrecoverable_error = bit(5);
                self.auto_recoverable_error = bit(6);
            }
            StatusRequest::PaperSensor => {
                // Bits 2–3 and 5–6 are pairs: printers with one sensor set both, printers with
                // two sensors set one each. Either means the condition.
                self.paper_near_end = Some(byte & 0b0000_1100 != 0);
                self.paper_out = Some(byte & 0b0110_0000 != 0);
            }
        }
        Ok(())
    }

    /// Parse one answer on its own.
    pub fn parse(req: StatusRequest, byte: u8) -> Result<PrinterStatus, EscposError> {
        let mut s = PrinterStatus::default();
        s.apply(req, byte)?;
        Ok(s)
    }

    /// Whether the drawer is open, for a drawer whose switch reads high when open
    /// (`open_when_high`) or low when open. Drawers differ, so the store's printer settings say.
    pub fn drawer_open(&self, open_when_high: bool) -> Option<bool> {
        self.drawer_pin3_high.map(|high| high == open_when_high)
    }
}

/// PC437's characters 0x80–0xFF.
const CP437_HIGH: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}', '\u{00E7}',
    '\u{00EA}', '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}', '\u{00C4}', '\u{00C5}',
    '\u{00C9}', '\u{00E6}', '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}', '\u{00F9}',
    '\u{00FF}', '\u{00D6}', '\u{00DC}', '\u{00A2}', '\u{00A3}', '\u{00A5}', '\u{20A7}', '\u{0192}',
    '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}', '\u{00F1}', '\u{00D1}', '\u{00AA}', '\u{00BA}',
    '\u{00BF}', '\u{2310}', '\u{00AC}', '\u{00BD}', '\u{00BC}', '\u{00A1}', '\u{00AB}', '\u{00BB}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{2561}', '\u{2562}', '\u{2556}',
    '\u{2555}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{255C}', '\u{255B}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{255E}', '\u{255F}',
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{2567}',
    '\u{2568}', '\u{2564}', '\u{2565}', '\u{2559}', '\u{2558}', '\u{2552}', '\u{2553}', '\u{256B}',
    '\u{256A}', '\u{2518}', '\u{250C}', '\u{2588}', '\u{2584}', '\u{258C}', '\u{2590}', '\u{2580}',
    '\u{03B1}', '\u{00DF}', '\u{0393}', '\u{03C0}', '\u{03A3}', '\u{03C3}', '\u{00B5}', '\u{03C4}',
    '\u{03A6}', '\u{0398}', '\u{03A9}', '\u{03B4}', '\u{221E}', '\u{03C6}', '\u{03B5}', '\u{2229}',
    '\u{2261}', '\u{00B1}', '\u{2265}', '\u{2264}', '\u{2320}', '\u{2321}', '\u{00F7}', '\u{2248}',
    '\u{00B0}', '\u{2219}', '\u{00B7}', '\u{221A}', '\u{207F}', '\u{00B2}', '\u{25A0}', '\u{00A0}',
];

/// PC858's characters 0x80–0xFF (PC850 with € at 0xD5 in place of the dotless i).
const CP858_HIGH: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}', '\u{00E7}',
    '\u{00EA}', '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}', '\u{00C4}', '\u{00C5}',
    '\u{00C9}', '\u{00E6}', '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}', '\u{00F9}',
    '\u{00FF}', '\u{00D6}', '\u{00DC}', '\u{00F8}', '\u{00A3}', '\u{00D8}', '\u{00D7}', '\u{0192}',
    '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}', '\u{00F1}', '\u{00D1}', '\u{00AA}', '\u{00BA}',
    '\u{00BF}', '\u{00AE}', '\u{00AC}', '\u{00BD}', '\u{00BC}', '\u{00A1}', '\u{00AB}', '\u{00BB}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{00C1}', '\u{00C2}', '\u{00C0}',
    '\u{00A9}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{00A2}', '\u{00A5}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{00E3}', '\u{00C3}',
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{00A4}',
    '\u{00F0}', '\u{00D0}', '\u{00CA}', '\u{00CB}', '\u{00C8}', '\u{20AC}', '\u{00CD}', '\u{00CE}',
    '\u{00CF}', '\u{2518}', '\u{250C}', '\u{2588}', '\u{2584}', '\u{00A6}', '\u{00CC}', '\u{2580}',
    '\u{00D3}', '\u{00DF}', '\u{00D4}', '\u{00D2}', '\u{00F5}', '\u{00D5}', '\u{00B5}', '\u{00FE}',
    '\u{00DE}', '\u{00DA}', '\u{00DB}', '\u{00D9}', '\u{00FD}', '\u{00DD}', '\u{00AF}', '\u{00B4}',
    '\u{00AD}', '\u{00B1}', '\u{2017}', '\u{00BE}', '\u{00B6}', '\u{00A7}', '\u{00F7}', '\u{00B8}',
    '\u{00B0}', '\u{00A8}', '\u{00B7}', '\u{00B9}', '\u{00B3}', '\u{00B2}', '\u{25A0}', '\u{00A0}',
];

/// The bytes of one character in `cp` (none for control characters). What cannot be printed
/// becomes '?', so a name in a script the printer lacks still prints as a placeholder.
fn encode_char(cp: CodePage, kanji: bool, c: char) -> ([u8; 2], usize) {
    if c.is_control() {
        return ([0; 2], 0);
    }
    if (' '..='~').contains(&c) {
        return ([c as u8, 0], 1);
    }
    let table = match cp {
        CodePage::Cp437 => &CP437_HIGH,
        CodePage::Cp858 => &CP858_HIGH,
        CodePage::ShiftJis => return encode_sjis(kanji, c),
    };
    match table.iter().position(|&t| t == c) {
        // position < 128, so the byte is 0x80–0xFF.
        Some(i) => ([0x80 | i as u8, 0], 1),
        None => ([b'?', 0], 1),
    }
}

fn encode_sjis(kanji: bool, c: char) -> ([u8; 2], usize) {
    let mut utf8 = [0u8; 4];
    let src: &str = c.encode_utf8(&mut utf8);
    let mut out = [0u8; 4];
    let mut enc = encoding_rs::SHIFT_JIS.new_encoder();
    let (result, _, written) = enc.encode_from_utf8_without_replacement(src, &mut out, true);
    match (result, written) {
        // ¥ (WHATWG maps U+00A5 to 0x5C; ESC R 8 prints 0x5C as ¥) and half-width kana.
        (encoding_rs::EncoderResult::InputEmpty, 1) => ([out[0], 0], 1),
        // Outside Kanji mode a lead byte would print as a stray katakana; '?' is honest.
        (encoding_rs::EncoderResult::InputEmpty, 2) if kanji => ([out[0], out[1]], 2),
        _ => ([b'?', 0], 1),
    }
}

/// Columns one character takes on paper: a two-byte (kanji) character is double width, every
/// single-byte one, including the '?' that stands for an unprintable one, is one column.
fn char_columns(cp: CodePage, c: char) -> usize {
    encode_char(cp, true, c).1
}

/// Columns `s` takes on paper in `cp` (kanji and full-width kana count two).
pub fn text_columns(cp: CodePage, s: &str) -> usize {
    s.chars().map(|c| char_columns(cp, c)).sum()
}

/// Control characters would be read by the printer as commands (a product name holding
/// ESC p would open the drawer); line layout has no use for them either.
fn printable(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().filter_map(|c| match c {
        '\n' | '\t' | '\r' => Some(' '),
        c if c.is_control() => None,
        c => Some(c),
    })
}

/// Break `s` into lines of at most `columns` columns: at spaces where a word fits, inside a
/// word where it does not (Japanese has no spaces), never inside a character.
pub fn wrap(cp: CodePage, s: &str, columns: usize) -> Vec<String> {
    // A double-width character must fit on a line of its own.
    let columns = columns.max(2);
    let mut lines = Vec::new();
    let mut cur = String::new();
    let mut cur_w = 0;
    // Byte offset in `cur` of its last space, where a break may go.
    let mut space: Option<usize> = None;
    for c in printable(s) {
        let w = char_columns(cp, c);
        if cur_w + w > columns {
            if c == ' ' {
                lines.push(cur.trim_end().to_string());
                cur.clear();
                cur_w = 0;
                space = None;
                continue;
            }
            match space.take() {
                Some(at) if !cur[..at].trim().is_empty() => {
                    let rest = cur[at + 1..].to_string();
                    cur.truncate(at);
                    lines.push(cur.trim_end().to_string());
                    cur_w = text_columns(cp, &rest);
                    cur = rest;
                    if cur_w + w > columns {
                        lines.push(std::mem::take(&mut cur));
                        cur_w = 0;
                    }
                }
                _ => {
                    lines.push(std::mem::take(&mut cur));
                    cur_w = 0;
                }
            }
        }
        if c == ' ' {
            space = Some(cur.len());
        }
        cur.push(c);
        cur_w += w;
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// A "left ..... right" line: the left text wraps over as many lines as it needs and the right
/// text (an amount) ends the last one, flush right; if the two do not fit together, the right
/// text gets a line of its own.
pub fn two_columns(cp: CodePage, left: &str, right: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(2);
    let right: String = printable(right).collect();
    let right_w = text_columns(cp, &right);
    let mut lines = wrap(cp, left, columns);
    let last = lines.pop().unwrap_or_default();
    let last_w = text_columns(cp, &last);
    if right.is_empty() {
        lines.push(last);
    } else if last_w + 1 + right_w <= columns {
        let gap = columns - last_w - right_w;
        lines.push(format!("{last}{}{right}", " ".repeat(gap)));
    } else {
        if !last.is_empty() {
            lines.push(last);
        }
        for piece in wrap(cp, &right, columns) {
            let pad = columns.saturating_sub(text_columns(cp, &piece));
            lines.push(format!("{}{piece}", " ".repeat(pad)));
        }
    }
    lines
}

/// Builds one print job. Text methods never fail; barcode, QR and image methods check their
/// input and write nothing when it is wrong.
#[derive(Debug, Clone)]
pub struct Escpos {
    buf: Vec<u8>,
    paper: PaperWidth,
    font: Font,
    code_page: CodePage,
    kanji: bool,
    width_mult: u8,
    barcode_module: u8,
}

/// Drawer pulse: 25 × 2 ms on, 250 × 2 ms off. Drawer solenoids want a pulse of tens of
/// milliseconds; the long off time keeps a second pulse from coming before the first has acted.
const DRAWER_ON: u8 = 25;
const DRAWER_OFF: u8 = 250;

/// Rows per GS v 0 command. Models accept 255 to 4095 rows in one command; 256 (yH ≤ 1) is
/// inside every range, and a tall logo simply becomes several commands.
const RASTER_BAND_ROWS: usize = 256;

/// GS w after ESC @ on Epson printers: what a barcode's width check assumes until
/// `barcode_style` says otherwise.
const DEFAULT_MODULE_WIDTH: u8 = 3;

impl Escpos {
    /// An empty job for `paper`, writing text in `code_page`. Call `init` first.
    pub fn new(paper: PaperWidth, code_page: CodePage) -> Escpos {
        Escpos {
            buf: Vec::new(),
            paper,
            font: Font::A,
            code_page,
            kanji: false,
            width_mult: 1,
            barcode_module: DEFAULT_MODULE_WIDTH,
        }
    }

    /// ESC @ (reset to power-on settings, so nothing left over from another job applies), then
    /// the code page: ESC t n; for Japanese also the international character set Japan (ESC R 8,
    /// so 0x5C prints ¥), the katakana table for half-width kana (ESC t 1), Shift_JIS as the
    /// kanji code (FS C 1) and Kanji mode on (FS &).
    pub fn init(&mut self) -> &mut Self {
        self.buf.extend_from_slice(&[ESC, b'@']);
        self.font = Font::A;
        self.kanji = false;
        self.width_mult = 1;
        self.barcode_module = DEFAULT_MODULE_WIDTH;
        match self.code_page {
            CodePage::Cp437 => self.buf.extend_from_slice(&[ESC, b't', 0]),
            CodePage::Cp858 => self.buf.extend_from_slice(&[ESC, b't', 19]),
            CodePage::ShiftJis => {
                self.buf
                    .extend_from_slice(&[ESC, b'R', 8, ESC, b't', 1, FS, b'C', 1]);
                self.kanji(true);
            }
        }
        self
    }

    /// Kanji mode on (FS &) or off (FS .). Only Shift_JIS jobs have it; off, two-byte
    /// characters print as '?'.
    pub fn kanji(&mut self, on: bool) -> &mut Self {
        if self.code_page == CodePage::ShiftJis {
            self.buf
                .extend_from_slice(if on { &[FS, b'&'] } else { &[FS, b'.'] });
            self.kanji = on;
        }
        self
    }

    /// ESC M n.
    pub fn font(&mut self, font: Font) -> &mut Self {
        let n = match font {
            Font::A => 0,
            Font::B => 1,
        };
        self.buf.extend_from_slice(&[ESC, b'M', n]);
        self.font = font;
        self
    }

    /// ESC E n: emphasised (bold).
    pub fn bold(&mut self, on: bool) -> &mut Self {
        self.buf.extend_from_slice(&[ESC, b'E', u8::from(on)]);
        self
    }

    /// ESC - n.
    pub fn underline(&mut self, u: Underline) -> &mut Self {
        let n = match u {
            Underline::Off => 0,
            Underline::Thin => 1,
            Underline::Thick => 2,
        };
        self.buf.extend_from_slice(&[ESC, b'-', n]);
        self
    }

    /// GS B n: white on black.
    pub fn invert(&mut self, on: bool) -> &mut Self {
        self.buf.extend_from_slice(&[GS, b'B', u8::from(on)]);
        self
    }

    /// ESC a n. Takes effect at the start of a line.
    pub fn align(&mut self, a: Align) -> &mut Self {
        let n = match a {
            Align::Left => 0,
            Align::Center => 1,
            Align::Right => 2,
        };
        self.buf.extend_from_slice(&[ESC, b'a', n]);
        self
    }

    /// GS ! n: character magnification, 1–8 times in each direction (clamped). Width
    /// magnification divides the columns a line holds.
    pub fn size(&mut self, width: u8, height: u8) -> &mut Self {
        let w = width.clamp(1, 8);
        let h = height.clamp(1, 8);
        self.buf
            .extend_from_slice(&[GS, b'!', ((w - 1) << 4) | (h - 1)]);
        self.width_mult = w;
        self
    }

    /// Double width and/or height (GS ! 0x10 / 0x01), or back to normal size.
    pub fn double(&mut self, width: bool, height: bool) -> &mut Self {
        self.size(1 + u8::from(width), 1 + u8::from(height))
    }

    /// Characters a line holds now, with the current font and width.
    pub fn columns(&self) -> usize {
        self.paper.columns(self.font) / usize::from(self.width_mult.max(1))
    }

    pub fn paper(&self) -> PaperWidth {
        self.paper
    }

    /// Text in the job's code page, without a line feed. Control characters are dropped (a
    /// newline becomes LF), so text can never smuggle a command to the printer.
    pub fn text(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            if c == '\n' {
                self.buf.push(LF);
                continue;
            }
            let (bytes, n) = encode_char(self.code_page, self.kanji, c);
            self.buf.extend_from_slice(&bytes[..n]);
        }
        self
    }

    /// Text and a line feed.
    pub fn line(&mut self, s: &str) -> &mut Self {
        self.text(s).lf()
    }

    /// LF: print the line and move to the next.
    pub fn lf(&mut self) -> &mut Self {
        self.buf.push(LF);
        self
    }

    /// ESC d n: print and feed `n` lines.
    pub fn feed(&mut self, n: u8) -> &mut Self {
        self.buf.extend_from_slice(&[ESC, b'd', n]);
        self
    }

    /// `text` wrapped to the current columns, each piece its own line.
    pub fn wrapped(&mut self, text: &str) -> &mut Self {
        for piece in wrap(self.code_page, text, self.columns()) {
            self.line(&piece);
        }
        self
    }

    /// A "left ..... right" pair on the current columns (see `two_columns`).
    pub fn pair(&mut self, left: &str, right: &str) -> &mut Self {
        for l in two_columns(self.code_page, left, right, self.columns()) {
            self.line(&l);
        }
        self
    }

    /// A full-width line of `c`.
    pub fn rule(&mut self, c: char) -> &mut Self {
        let w = char_columns(self.code_page, c).max(1);
        let s: String = std::iter::repeat_n(c, self.columns() / w).collect();
        self.line(&s)
    }

    /// GS V m n (function B): feed to the cutter plus `n` motion units, then cut.
    pub fn cut(&mut self, kind: Cut, n: u8) -> &mut Self {
        let m = match kind {
            Cut::Full => 65,
            Cut::Partial => 66,
        };
        self.buf.extend_from_slice(&[GS, b'V', m, n]);
        self
    }

    /// ESC p m t1 t2: pulse the drawer kick-out connector.
    pub fn open_drawer(&mut self, pin: DrawerPin) -> &mut Self {
        let m = match pin {
            DrawerPin::Pin2 => 0,
            DrawerPin::Pin5 => 1,
        };
        self.buf
            .extend_from_slice(&[ESC, b'p', m, DRAWER_ON, DRAWER_OFF]);
        self
    }

    /// GS h, GS w and GS H: bar height, module width and where the digits go.
    pub fn barcode_style(&mut self, style: BarcodeStyle) -> Result<&mut Self, EscposError> {
        if style.height == 0 || !(2..=6).contains(&style.module_width) {
            return Err(EscposError::BarcodeStyle);
        }
        let hri = match style.hri {
            Hri::None => 0,
            Hri::Above => 1,
            Hri::Below => 2,
            Hri::Both => 3,
        };
        self.buf.extend_from_slice(&[
            GS,
            b'h',
            style.height,
            GS,
            b'w',
            style.module_width,
            GS,
            b'H',
            hri,
        ]);
        self.barcode_module = style.module_width;
        Ok(self)
    }

    fn fits(&self, modules: usize) -> Result<(), EscposError> {
        let needed = modules.saturating_mul(usize::from(self.barcode_module));
        if needed > self.paper.dots() {
            return Err(EscposError::BarcodeTooWide {
                needed,
                available: self.paper.dots(),
            });
        }
        Ok(())
    }

    /// GS k 67 n d1…dn: an EAN-13 (JAN) barcode from 12 digits, or 13 with a correct check
    /// digit. Only the 12 are sent: printers differ in what they do with a 13th, but all add the
    /// check digit themselves to 12.
    pub fn ean13(&mut self, digits: &str) -> Result<&mut Self, EscposError> {
        let body = ean13_body(digits)?;
        // 95 modules: guards 3 + 5 + 3, and 12 digits of 7.
        self.fits(95)?;
        self.buf.extend_from_slice(&[GS, b'k', 67, 12]);
        self.buf.extend_from_slice(body);
        Ok(self)
    }

    /// GS k 73 n {B d1…: a CODE128 barcode in code set B (printable ASCII). '{' is the
    /// printer's escape character, so a literal one is sent as "{{".
    pub fn code128(&mut self, data: &str) -> Result<&mut Self, EscposError> {
        if data.is_empty() {
            return Err(EscposError::Code128Empty);
        }
        if let Some(c) = data.chars().find(|c| !(' '..='~').contains(c)) {
            return Err(EscposError::Code128Char(c));
        }
        let mut payload = vec![b'{', b'B'];
        for b in data.bytes() {
            if b == b'{' {
                payload.push(b'{');
            }
            payload.push(b);
        }
        // n is one byte, and counts the {B and the escapes.
        if payload.len() > 255 {
            return Err(EscposError::Code128TooLong {
                len: payload.len() - 2,
                max: 253,
            });
        }
        // Start, one symbol per character, check symbol (11 modules each), stop (13).
        self.fits(11 * (data.len() + 2) + 13)?;
        self.buf
            .extend_from_slice(&[GS, b'k', 73, payload.len() as u8]);
        self.buf.extend_from_slice(&payload);
        Ok(self)
    }

    /// A QR code (GS ( k, cn 49): model 2 (fn 65), module size (fn 67), error correction
    /// (fn 69), store the data (fn 80), print it (fn 81). The printer picks the version.
    pub fn qr(
        &mut self,
        data: &str,
        module_size: u8,
        level: QrLevel,
    ) -> Result<&mut Self, EscposError> {
        if data.is_empty() {
            return Err(EscposError::QrEmpty);
        }
        if !(1..=16).contains(&module_size) {
            return Err(EscposError::QrModuleSize(module_size));
        }
        let max = level.max_bytes();
        if data.len() > max {
            return Err(EscposError::QrTooLong {
                len: data.len(),
                max,
            });
        }
        let level = match level {
            QrLevel::L => 48,
            QrLevel::M => 49,
            QrLevel::Q => 50,
            QrLevel::H => 51,
        };
        // The parameter length counts cn, fn and m as well as the data.
        let plen = (data.len() + 3) as u16;
        let [pl, ph] = plen.to_le_bytes();
        self.buf
            .extend_from_slice(&[GS, b'(', b'k', 4, 0, 49, 65, 50, 0]);
        self.buf
            .extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 67, module_size]);
        self.buf
            .extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 69, level]);
        self.buf
            .extend_from_slice(&[GS, b'(', b'k', pl, ph, 49, 80, 48]);
        self.buf.extend_from_slice(data.as_bytes());
        self.buf
            .extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 81, 48]);
        Ok(self)
    }

    /// GS v 0: a raster image, dithered to dots, as one command per band of rows.
    pub fn image(&mut self, img: &GrayImage, how: Dither) -> Result<&mut Self, EscposError> {
        if img.width > self.paper.dots() {
            return Err(EscposError::ImageTooWide {
                width: img.width,
                available: self.paper.dots(),
            });
        }
        let bmp = dither(img, how);
        self.raster(&bmp);
        Ok(self)
    }

    fn raster(&mut self, bmp: &Bitmap) {
        // width_bytes ≤ 576 / 8 once the width is checked, so it fits xL xH.
        let [xl, xh] = (bmp.width_bytes as u16).to_le_bytes();
        let row = bmp.width_bytes;
        for band in bmp.data.chunks(row * RASTER_BAND_ROWS) {
            let rows = band.len() / row;
            let [yl, yh] = (rows as u16).to_le_bytes();
            self.buf
                .extend_from_slice(&[GS, b'v', b'0', 0, xl, xh, yl, yh]);
            self.buf.extend_from_slice(band);
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

fn ean13_body(digits: &str) -> Result<&[u8], EscposError> {
    let b = digits.as_bytes();
    if !b.iter().all(u8::is_ascii_digit) {
        return Err(EscposError::Ean13NotDigits);
    }
    if b.len() != 12 && b.len() != 13 {
        return Err(EscposError::Ean13Length(digits.chars().count()));
    }
    let body = &b[..12];
    // Weights 1, 3, 1, 3 … from the left over the first 12 digits (GS1 General Specifications).
    let sum: u32 = body
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(d - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    let expected = ((10 - sum % 10) % 10) as u8;
    if let Some(&d) = b.get(12) {
        if d - b'0' != expected {
            return Err(EscposError::Ean13CheckDigit {
                expected,
                found: d - b'0',
            });
        }
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn job(cp: CodePage) -> Escpos {
        Escpos::new(PaperWidth::Mm80, cp)
    }

    #[test]
    fn init_selects_the_code_page() {
        assert_eq!(
            job(CodePage::Cp437).init().as_bytes(),
            [0x1B, 0x40, 0x1B, 0x74, 0x00]
        );
        assert_eq!(
            job(CodePage::Cp858).init().as_bytes(),
            [0x1B, 0x40, 0x1B, 0x74, 0x13]
        );
        assert_eq!(
            job(CodePage::ShiftJis).init().as_bytes(),
            [
                0x1B, 0x40, // ESC @
                0x1B, 0x52, 0x08, // ESC R 8: Japan
                0x1B, 0x74, 0x01, // ESC t 1: katakana
                0x1C, 0x43, 0x01, // FS C 1: Shift_JIS
                0x1C, 0x26, // FS &: Kanji mode
            ]
        );
    }

    #[test]
    fn text_styles_are_the_reference_bytes() {
        let mut p = job(CodePage::Cp437);
        p.bold(true)
            .bold(false)
            .double(true, true)
            .double(true, false)
            .double(false, true)
            .double(false, false)
            .underline(Underline::Thin)
            .underline(Underline::Thick)
            .underline(Underline::Off)
            .invert(true)
            .invert(false)
            .align(Align::Left)
            .align(Align::Center)
            .align(Align::Right)
            .font(Font::B)
            .font(Font::A)
            .lf()
            .feed(3);
        assert_eq!(
            p.as_bytes(),
            [
                0x1B, 0x45, 1, 0x1B, 0x45, 0, // ESC E
                0x1D, 0x21, 0x11, 0x1D, 0x21, 0x10, 0x1D, 0x21, 0x01, 0x1D, 0x21,
                0x00, // GS !
                0x1B, 0x2D, 1, 0x1B, 0x2D, 2, 0x1B, 0x2D, 0, // ESC -
                0x1D, 0x42, 1, 0x1D, 0x42, 0, // GS B
                0x1B, 0x61, 0, 0x1B, 0x61, 1, 0x1B, 0x61, 2, // ESC a
                0x1B, 0x4D, 1, 0x1B, 0x4D, 0, // ESC M
                0x0A, 0x1B, 0x64, 3, // LF, ESC d 3
            ]
        );
    }

    #[test]
    fn cut_and_drawer() {
        let mut p = job(CodePage::Cp437);
        p.cut(Cut::Partial, 3)
            .cut(Cut::Full, 0)
            .open_drawer(DrawerPin::Pin2)
            .open_drawer(DrawerPin::Pin5);
        assert_eq!(
            p.as_bytes(),
            [
                0x1D, 0x56, 0x42, 3, 0x1D, 0x56, 0x41, 0, // GS V 66 3, GS V 65 0
                0x1B, 0x70, 0, 25, 250, 0x1B, 0x70, 1, 25, 250, // ESC p
            ]
        );
    }

    #[test]
    fn western_code_pages_map_their_own_characters() {
        let mut p = job(CodePage::Cp858);
        p.text("€1.10 £ é ¥ Ω");
        // € is 0xD5 in PC858; Ω is not in it.
        assert_eq!(
            p.as_bytes(),
            b"\xD51.10 \x9C \x82 \xBE ?".as_slice(),
            "{:x?}",
            p.as_bytes()
        );
        let mut p = job(CodePage::Cp437);
        p.text("€ ¥ Ω é");
        assert_eq!(p.as_bytes(), b"? \x9D \xEA \x82".as_slice());
    }

    #[test]
    fn japanese_text_is_shift_jis_and_unknowns_become_question_marks() {
        let mut p = job(CodePage::ShiftJis);
        p.init();
        let start = p.as_bytes().len();
        // あ 82A0, 漢 8ABF, ※ 81A6, ¥ 5C, half-width ｱ B1, € and 😀 are not in Shift_JIS.
        p.text("あ漢※¥1ｱ€😀");
        assert_eq!(
            &p.as_bytes()[start..],
            [0x82, 0xA0, 0x8A, 0xBF, 0x81, 0xA6, 0x5C, b'1', 0xB1, b'?', b'?']
        );
        p.kanji(false).text("漢");
        assert!(p.as_bytes().ends_with(&[0x1C, 0x2E, b'?']));
    }

    #[test]
    fn control_characters_never_reach_the_printer() {
        let mut p = job(CodePage::Cp437);
        p.text("a\u{1b}p\u{0}\u{19}\u{fa}b\u{7f}\u{9b}c\nd");
        // ú is 0xA3 in PC437.
        assert_eq!(p.as_bytes(), b"ap\xA3bc\nd".as_slice());
    }

    #[test]
    fn columns_follow_paper_font_and_width() {
        assert_eq!(PaperWidth::Mm58.columns(Font::A), 32);
        assert_eq!(PaperWidth::Mm58.columns(Font::B), 42);
        assert_eq!(PaperWidth::Mm80.columns(Font::A), 48);
        assert_eq!(PaperWidth::Mm80Narrow.columns(Font::A), 42);
        let mut p = Escpos::new(PaperWidth::Mm58, CodePage::Cp437);
        assert_eq!(p.columns(), 32);
        p.double(true, false);
        assert_eq!(p.columns(), 16);
    }

    #[test]
    fn two_columns_pads_and_wraps_counting_kanji_as_two() {
        let cp = CodePage::ShiftJis;
        assert_eq!(
            two_columns(cp, "Coffee", "$1.10", 20),
            ["Coffee         $1.10"]
        );
        // おにぎり is 8 columns, so 8 + 6 spaces + "¥1,100" (6) = 20.
        assert_eq!(
            two_columns(cp, "おにぎり", "¥1,100", 20),
            ["おにぎり      ¥1,100"]
        );
        // Long Japanese text breaks between characters, the amount ends the last line.
        let lines = two_columns(cp, "北海道産ゆめぴりか特別栽培米", "¥3,980", 20);
        assert_eq!(lines, ["北海道産ゆめぴりか特", "別栽培米      ¥3,980"]);
        // Words break at spaces; when the amount does not fit after the last word it gets its
        // own line.
        let lines = two_columns(CodePage::Cp437, "Organic whole milk 1l", "$12.99", 20);
        assert_eq!(lines, ["Organic whole milk", "1l            $12.99"]);
        let lines = two_columns(CodePage::Cp437, "Organic whole milkshake", "$12.99", 12);
        assert_eq!(lines, ["Organic", "whole", "milkshake", "      $12.99"]);
        for l in two_columns(cp, "ａｂｃｄｅｆｇｈｉｊ", "¥1", 7) {
            assert!(text_columns(cp, &l) <= 7, "{l}");
        }
    }

    #[test]
    fn ean13_validates_and_sends_twelve_digits() {
        let mut p = job(CodePage::Cp437);
        p.barcode_style(BarcodeStyle {
            height: 80,
            module_width: 2,
            hri: Hri::Below,
        })
        .unwrap()
        .ean13("4901234567894")
        .unwrap();
        let mut want = vec![0x1D, 0x68, 80, 0x1D, 0x77, 2, 0x1D, 0x48, 2];
        want.extend_from_slice(&[0x1D, 0x6B, 67, 12]);
        want.extend_from_slice(b"490123456789");
        assert_eq!(p.as_bytes(), want);
        assert_eq!(
            p.ean13("4901234567890").err(),
            Some(EscposError::Ean13CheckDigit {
                expected: 4,
                found: 0
            })
        );
        assert_eq!(
            p.ean13("49012345678").err(),
            Some(EscposError::Ean13Length(11))
        );
        assert_eq!(
            p.ean13("49012345678X").err(),
            Some(EscposError::Ean13NotDigits)
        );
        assert_eq!(p.ean13("４９").err(), Some(EscposError::Ean13NotDigits));
        assert_eq!(p.as_bytes(), want, "a refused barcode writes nothing");
    }

    #[test]
    fn code128_uses_code_set_b_and_escapes_braces() {
        let mut p = job(CodePage::Cp437);
        p.code128("L1-000042").unwrap();
        let mut want = vec![0x1D, 0x6B, 73, 11, b'{', b'B'];
        want.extend_from_slice(b"L1-000042");
        assert_eq!(p.as_bytes(), want);
        let mut p = job(CodePage::Cp437);
        p.code128("a{b").unwrap();
        assert_eq!(p.as_bytes(), b"\x1D\x6B\x49\x06{Ba{{b".as_slice());
        assert_eq!(p.code128("").err(), Some(EscposError::Code128Empty));
        assert_eq!(p.code128("é").err(), Some(EscposError::Code128Char('é')));
        assert_eq!(
            p.code128("a\nb").err(),
            Some(EscposError::Code128Char('\n'))
        );
        assert!(matches!(
            p.code128(&"x".repeat(254)),
            Err(EscposError::Code128TooLong { .. })
        ));
        // 40 characters at the default 3-dot module: 11 × 42 + 13 = 475 modules, 1425 dots.
        assert_eq!(
            p.code128(&"x".repeat(40)).err(),
            Some(EscposError::BarcodeTooWide {
                needed: 1425,
                available: 576
            })
        );
    }

    #[test]
    fn qr_is_five_gs_paren_k_functions() {
        let mut p = job(CodePage::Cp437);
        p.qr("https://t.example/r/1", 6, QrLevel::M).unwrap();
        let mut want = vec![
            0x1D, 0x28, 0x6B, 4, 0, 49, 65, 50, 0, // model 2
            0x1D, 0x28, 0x6B, 3, 0, 49, 67, 6, // module 6 dots
            0x1D, 0x28, 0x6B, 3, 0, 49, 69, 49, // level M
            0x1D, 0x28, 0x6B, 24, 0, 49, 80, 48, // store 21 bytes (+3)
        ];
        want.extend_from_slice(b"https://t.example/r/1");
        want.extend_from_slice(&[0x1D, 0x28, 0x6B, 3, 0, 49, 81, 48]);
        assert_eq!(p.as_bytes(), want);
        // A length over 255 spills into pH.
        let mut p = job(CodePage::Cp437);
        p.qr(&"a".repeat(300), 4, QrLevel::M).unwrap();
        assert_eq!(&p.as_bytes()[25..33], [0x1D, 0x28, 0x6B, 47, 1, 49, 80, 48]);
        assert_eq!(p.qr("", 4, QrLevel::M).err(), Some(EscposError::QrEmpty));
        assert_eq!(
            p.qr("a", 0, QrLevel::M).err(),
            Some(EscposError::QrModuleSize(0))
        );
        assert_eq!(
            p.qr(&"a".repeat(2332), 4, QrLevel::M).err(),
            Some(EscposError::QrTooLong {
                len: 2332,
                max: 2331
            })
        );
    }

    #[test]
    fn raster_pads_rows_to_bytes_msb_first() {
        // 10 × 2: row 0 black, white, black …; row 1 all white.
        let mut luma = vec![255u8; 20];
        for x in (0..10).step_by(2) {
            luma[x] = 0;
        }
        let img = GrayImage::new(10, 2, luma).unwrap();
        let mut p = job(CodePage::Cp437);
        p.image(&img, Dither::Threshold).unwrap();
        assert_eq!(
            p.as_bytes(),
            [
                0x1D,
                0x76,
                0x30,
                0,
                2,
                0,
                2,
                0,
                0b1010_1010,
                0b1000_0000,
                0,
                0
            ]
        );
    }

    #[test]
    fn tall_images_are_sent_in_bands() {
        let img = GrayImage::new(8, 300, vec![0; 2400]).unwrap();
        let mut p = job(CodePage::Cp437);
        p.image(&img, Dither::FloydSteinberg).unwrap();
        let b = p.as_bytes();
        assert_eq!(&b[..8], [0x1D, 0x76, 0x30, 0, 1, 0, 0, 1]);
        assert_eq!(&b[8 + 256..8 + 256 + 8], [0x1D, 0x76, 0x30, 0, 1, 0, 44, 0]);
        assert_eq!(b.len(), 16 + 300);
        assert!(b[8..8 + 256].iter().all(|&x| x == 0xFF));
    }

    #[test]
    fn bad_images_are_refused() {
        assert_eq!(
            GrayImage::new(0, 1, vec![]).err(),
            Some(EscposError::ImageEmpty)
        );
        assert_eq!(
            GrayImage::new(3, 3, vec![0; 8]).err(),
            Some(EscposError::ImageSize {
                width: 3,
                height: 3,
                expected: 9,
                got: 8
            })
        );
        assert!(GrayImage::new(usize::MAX, 2, vec![0; 4]).is_err());
        let wide = GrayImage::new(385, 1, vec![0; 385]).unwrap();
        let mut p = Escpos::new(PaperWidth::Mm58, CodePage::Cp437);
        assert_eq!(
            p.image(&wide, Dither::Ordered).err(),
            Some(EscposError::ImageTooWide {
                width: 385,
                available: 384
            })
        );
    }

    #[test]
    fn dithering_keeps_the_gray_level() {
        // Mid-gray (luminance 128 of 255) comes out close to half the dots black; black and
        // white stay solid.
        let n = 64;
        let count = |bmp: &Bitmap| bmp.data.iter().map(|b| b.count_ones()).sum::<u32>();
        for how in [Dither::FloydSteinberg, Dither::Ordered] {
            let gray = GrayImage::new(n, n, vec![128; n * n]).unwrap();
            let black = count(&dither(&gray, how));
            assert!((1900..=2200).contains(&black), "{how:?}: {black}");
            let white = GrayImage::new(n, n, vec![255; n * n]).unwrap();
            assert_eq!(count(&dither(&white, how)), 0);
            let dark = GrayImage::new(n, n, vec![0; n * n]).unwrap();
            assert_eq!(count(&dither(&dark, how)), (n * n) as u32);
        }
        // The top-left 2×2 of the Bayer matrix has thresholds 8, 136 / 200, 72: luminance 100
        // blacks the two dots whose threshold is above it.
        let img = GrayImage::new(2, 2, vec![100; 4]).unwrap();
        assert_eq!(
            dither(&img, Dither::Ordered).data,
            [0b0100_0000, 0b1000_0000]
        );
    }

    #[test]
    fn status_bytes_parse_per_the_reference() {
        assert_eq!(status_request(StatusRequest::Printer), [0x10, 0x04, 1]);
        assert_eq!(status_request(StatusRequest::PaperSensor), [0x10, 0x04, 4]);
        // 0x16: online, pin 3 high.
        let s = PrinterStatus::parse(StatusRequest::Printer, 0x16).unwrap();
        assert_eq!(
            (s.drawer_pin3_high, s.offline, s.drawer_open(false)),
            (Some(true), Some(false), Some(false))
        );
        assert_eq!(
            PrinterStatus::parse(StatusRequest::Printer, 0x1A)
                .unwrap()
                .offline,
            Some(true)
        );
        // 0x36 = cover open (bit 2) and stopped by paper end (bit 5).
        let mut s = PrinterStatus::default();
        s.apply(StatusRequest::OfflineCause, 0x36).unwrap();
        s.apply(StatusRequest::PaperSensor, 0x7E).unwrap();
        s.apply(StatusRequest::ErrorCause, 0x5A).unwrap();
        assert_eq!(s.cover_open, Some(true));
        assert_eq!(s.stopped_by_paper_end, Some(true));
        assert_eq!(s.feed_button, Some(false));
        assert_eq!(s.error, Some(false));
        assert_eq!((s.paper_near_end, s.paper_out), (Some(true), Some(true)));
        assert_eq!(s.autocutter_error, Some(true));
        assert_eq!(s.auto_recoverable_error, Some(true));
        assert_eq!(s.unrecoverable_error, Some(false));
        assert_eq!(s.offline, None);
        let ok = PrinterStatus::parse(StatusRequest::PaperSensor, 0x12).unwrap();
        assert_eq!(
            (ok.paper_near_end, ok.paper_out),
            (Some(false), Some(false))
        );
        for bad in [0x00, 0x13, 0x92, 0xFF, 0x02, 0x10] {
            assert_eq!(
                PrinterStatus::parse(StatusRequest::Printer, bad),
                Err(EscposError::NotAStatusByte(bad))
            );
        }
    }

    proptest! {
        #[test]
        fn nothing_panics_and_lines_fit(s in "\\PC{0,60}", r in "\\PC{0,12}", cols in 0usize..60) {
            for cp in [CodePage::Cp437, CodePage::Cp858, CodePage::ShiftJis] {
                for l in two_columns(cp, &s, &r, cols) {
                    prop_assert!(text_columns(cp, &l) <= cols.max(2), "{l:?}");
                }
                let mut p = Escpos::new(PaperWidth::Mm58, cp);
                p.init().text(&s).pair(&s, &r).wrapped(&s);
                let _ = p.code128(&s);
                let _ = p.ean13(&s);
                let _ = p.qr(&s, 4, QrLevel::M);
                // Text never emits a control byte other than LF (ESC/GS/FS start commands).
                let start = Escpos::new(PaperWidth::Mm58, cp).init().as_bytes().len();
                let mut t = Escpos::new(PaperWidth::Mm58, cp);
                t.init().text(&s);
                prop_assert!(t.as_bytes()[start..].iter().all(|&b| b >= 0x20 || b == LF));
            }
        }

        #[test]
        fn any_gray_image_dithers_to_the_padded_size(w in 1usize..40, h in 1usize..40, seed in any::<u64>()) {
            let luma: Vec<u8> = (0..w * h).map(|i| (seed.rotate_left(i as u32 % 64) as u8) ^ (i as u8)).collect();
            let img = GrayImage::new(w, h, luma).unwrap();
            for how in [Dither::Threshold, Dither::FloydSteinberg, Dither::Ordered] {
                let bmp = dither(&img, how);
                prop_assert_eq!(bmp.width_bytes, w.div_ceil(8));
                prop_assert_eq!(bmp.data.len(), w.div_ceil(8) * h);
                // Padding bits beyond the width stay white.
                if w % 8 != 0 {
                    let mask = 0xFFu8 >> (w % 8);
                    for row in bmp.data.chunks(bmp.width_bytes) {
                        prop_assert_eq!(row[bmp.width_bytes - 1] & mask, 0);
                    }
                }
            }
        }
    }
}
