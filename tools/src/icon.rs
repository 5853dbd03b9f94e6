//! till's app icon, drawn from geometry and written as PNG, so the icons in `assets/icons/` are
//! reproducible (`till-tools icon 512 maskable > …`) and a test proves the committed files are
//! exactly what this code draws.
//!
//! The picture: a white receipt with printed rows and an amber total line on till's teal. The
//! "any" icon is a rounded square with transparent corners; the maskable one fills the whole
//! square and keeps the receipt inside the central 80 % circle that launchers never crop.

const TEAL: [u8; 3] = [0x0f, 0x3d, 0x3e];
const PAPER: [u8; 3] = [0xff, 0xff, 0xff];
const INK: [u8; 3] = [0x5b, 0x6b, 0x6a];
const AMBER: [u8; 3] = [0xf0, 0xa5, 0x00];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Any,
    Maskable,
}

/// What colour the point (x, y) of the unit square is, or None where the icon is transparent.
fn paint(x: f32, y: f32, purpose: Purpose) -> Option<[u8; 3]> {
    // Geometry only (pixel positions); no money is involved.
    let inside_tile = match purpose {
        Purpose::Maskable => true,
        Purpose::Any => rounded_rect(x, y, 0.0, 0.0, 1.0, 1.0, 0.2),
    };
    if !inside_tile {
        return None;
    }
    // The maskable safe zone is a circle of 40 % radius: shrink the drawing to fit in it.
    let (x, y) = match purpose {
        Purpose::Any => (x, y),
        Purpose::Maskable => (0.5 + (x - 0.5) / 0.78, 0.5 + (y - 0.5) / 0.78),
    };
    let (left, right, top, bottom) = (0.3, 0.7, 0.17, 0.8);
    if x >= left && x <= right && y >= top && y <= bottom + 0.05 {
        // The tear-off edge: a zigzag of six teeth along the bottom.
        let tooth = (right - left) / 6.0;
        let phase = ((x - left) / tooth).fract();
        let edge = bottom + 0.05 * (1.0 - (2.0 * phase - 1.0).abs());
        if y <= edge {
            let row = |from: f32, to: f32, y0: f32, h: f32| {
                x >= from && x <= to && y >= y0 && y <= y0 + h
            };
            if row(0.36, 0.64, 0.27, 0.035)
                || row(0.36, 0.56, 0.36, 0.035)
                || row(0.36, 0.6, 0.45, 0.035)
            {
                return Some(INK);
            }
            if row(0.36, 0.64, 0.6, 0.07) {
                return Some(AMBER);
            }
            return Some(PAPER);
        }
    }
    Some(TEAL)
}

fn rounded_rect(x: f32, y: f32, x0: f32, y0: f32, x1: f32, y1: f32, r: f32) -> bool {
    if x < x0 || x > x1 || y < y0 || y > y1 {
        return false;
    }
    let cx = x.clamp(x0 + r, x1 - r);
    let cy = y.clamp(y0 + r, y1 - r);
    (x - cx).powi(2) + (y - cy).powi(2) <= r * r
}

/// RGBA pixels, 4×4 supersampled so edges are smooth at every size.
pub fn draw(size: u32, purpose: Purpose) -> Vec<u8> {
    const SS: u32 = 4;
    let mut out = Vec::with_capacity((size * size * 4) as usize);
    for py in 0..size {
        for px in 0..size {
            let (mut rgb, mut covered) = ([0u32; 3], 0u32);
            for sy in 0..SS {
                for sx in 0..SS {
                    let x = (px * SS + sx) as f32 / (size * SS) as f32 + 0.5 / (size * SS) as f32;
                    let y = (py * SS + sy) as f32 / (size * SS) as f32 + 0.5 / (size * SS) as f32;
                    if let Some(c) = paint(x, y, purpose) {
                        covered += 1;
                        for i in 0..3 {
                            rgb[i] += u32::from(c[i]);
                        }
                    }
                }
            }
            let n = covered.max(1);
            out.extend(rgb.map(|c| (c / n) as u8));
            out.push((covered * 255 / (SS * SS)) as u8);
        }
    }
    out
}

/// A PNG file (8-bit RGBA, no interlace) of `rgba` pixels.
pub fn png(size: u32, rgba: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(rgba.len() + size as usize);
    for row in rgba.chunks(size as usize * 4) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut ihdr = Vec::new();
    ihdr.extend(size.to_be_bytes());
    ihdr.extend(size.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]); // depth 8, RGBA, deflate, adaptive filters, no interlace
    let mut file = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (b"IHDR", ihdr),
        (b"IDAT", miniz_oxide::deflate::compress_to_vec_zlib(&raw, 9)),
        (b"IEND", Vec::new()),
    ] {
        file.extend((data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(&data);
        file.extend_from_slice(kind);
        file.extend_from_slice(&data);
        file.extend(crc.finalize().to_be_bytes());
    }
    file
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The icons the app ships are exactly what this code draws (nobody edits them by hand).
    #[test]
    fn committed_icons_are_drawn_by_this_code() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/icons");
        for (name, size, purpose) in [
            ("icon-192.png", 192, Purpose::Any),
            ("icon-512.png", 512, Purpose::Any),
            ("maskable-512.png", 512, Purpose::Maskable),
        ] {
            let committed = std::fs::read(dir.join(name)).unwrap_or_default();
            assert!(
                committed == png(size, &draw(size, purpose)),
                "assets/icons/{name} differs from the drawing: run `till-tools icon {size} {}`",
                if purpose == Purpose::Maskable {
                    "maskable"
                } else {
                    "any"
                }
            );
        }
    }

    #[test]
    fn any_icon_has_transparent_corners_and_maskable_is_full_bleed() {
        let any = draw(64, Purpose::Any);
        assert_eq!(any[3], 0, "top-left corner is transparent");
        let mask = draw(64, Purpose::Maskable);
        assert!(mask.chunks(4).all(|p| p[3] == 255));
        // The receipt is white in the middle of both.
        let centre = (32 * 64 + 32) * 4;
        assert_eq!(&mask[centre..centre + 3], &PAPER);
    }
}
