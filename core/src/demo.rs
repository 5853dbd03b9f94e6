//! The demo store: a deterministic generator for a Japanese convenience store / café catalogue.
//!
//! The same `n` always yields the same products (names, JAN codes, prices), so the demo, the tests
//! and the benchmarks (100k SKUs) agree without shipping a data file.

use crate::barcode::Gtin;
use crate::catalogue::{Product, SoldBy};
use crate::store::StoreSettings;
use crate::tax::TaxClass;
use rust_decimal::Decimal;

/// Size of the embedded demo catalogue.
pub const DEMO_PRODUCTS: usize = 2_000;
pub const DEMO_STORE_ID: &str = "demo-shibuya";

pub fn store() -> StoreSettings {
    let mut store = StoreSettings::japan(DEMO_STORE_ID, "till デモ店 渋谷");
    // A made-up number with a valid check digit (no real business has it on the NTA register).
    store.registration_no = crate::store::registration_no("T7123456789012").ok();
    store
}

/// splitmix64: tiny, fast, good enough to make varied but repeatable data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Kind {
    category: (&'static str, &'static str),
    /// (Japanese, English) variant words put before the base name.
    variants: &'static [(&'static str, &'static str)],
    bases: &'static [(&'static str, &'static str)],
    sizes: &'static [(&'static str, &'static str)],
    /// Price range in yen (per kg for weighed goods).
    price: (i64, i64),
    tax: TaxClass,
    sold_by: SoldBy,
}

const BRANDS: &[(&str, &str)] = &[
    ("富士", "Fuji"),
    ("さくら", "Sakura"),
    ("青空", "Aozora"),
    ("山の恵み", "Yama"),
    ("海風", "Umikaze"),
    ("ひかり", "Hikari"),
    ("みどり", "Midori"),
    ("北国", "Kitaguni"),
];

const KINDS: &[Kind] = &[
    Kind {
        category: ("おにぎり", "Onigiri"),
        variants: &[
            ("鮭", "salmon"),
            ("梅", "plum"),
            ("ツナマヨ", "tuna mayo"),
            ("昆布", "kelp"),
            ("明太子", "mentaiko"),
            ("おかか", "bonito"),
            ("高菜", "takana"),
            ("五目", "gomoku"),
            ("いくら", "salmon roe"),
            ("焼きたらこ", "grilled cod roe"),
        ],
        bases: &[
            ("おにぎり", "onigiri"),
            ("手巻おにぎり", "hand-rolled onigiri"),
            ("大きなおにぎり", "big onigiri"),
        ],
        sizes: &[("", "")],
        price: (110, 260),
        tax: TaxClass::Reduced,
        sold_by: SoldBy::Each,
    },
    Kind {
        category: ("弁当", "Bento"),
        variants: &[
            ("幕の内", "makunouchi"),
            ("唐揚げ", "karaage"),
            ("のり", "nori"),
            ("生姜焼き", "ginger pork"),
            ("ハンバーグ", "hamburg"),
            ("鮭", "salmon"),
            ("チキン南蛮", "chicken nanban"),
            ("焼肉", "yakiniku"),
            ("とんかつ", "tonkatsu"),
            ("牛すき", "beef sukiyaki"),
        ],
        bases: &[("弁当", "bento"), ("丼", "rice bowl")],
        sizes: &[("", ""), ("大盛", "large")],
        price: (398, 798),
        tax: TaxClass::Reduced,
        sold_by: SoldBy::Each,
    },
    Kind {
        category: ("パン", "Bakery"),
        variants: &[
            ("メロン", "melon"),
            ("あん", "red bean"),
            ("カレー", "curry"),
            ("クリーム", "custard"),
            ("ジャム", "jam"),
            ("チョコ", "chocolate"),
            ("チーズ", "cheese"),
            ("ソーセージ", "sausage"),
        ],
        bases: &[
            ("パン", "bun"),
            ("デニッシュ", "danish"),
            ("ロール", "roll"),
        ],
        sizes: &[("", ""), ("2個入", "2 pack")],
        price: (120, 298),
        tax: TaxClass::Reduced,
        sold_by: SoldBy::Each,
    },
    Kind {
        category: ("飲料", "Drinks"),
        variants: &[
            ("緑", "green"),
            ("麦", "barley"),
            ("ほうじ", "roasted"),
            ("ジャスミン", "jasmine"),
            ("烏龍", "oolong"),
            ("レモン", "lemon"),
            ("紅", "black"),
        ],
        bases: &[("茶", "tea"), ("ティー", "tea drink")],
        sizes: &[("350ml", "350ml"), ("500ml", "500ml"), ("2L", "2L")],
        price: (98, 268),
        tax: TaxClass::Reduced,
        sold_by: SoldBy::Each,
    },
    Kind {
        category: ("ソフトドリンク", "Soft drinks"),
        variants: &[
            ("コーラ", "cola"),
            ("サイダー", "soda"),
            ("オレンジ", "orange"),
            ("りんご", "apple"),
            ("ぶどう", "grape"),
            ("スポーツ", "sports"),
            ("乳酸菌", "probiotic"),
            ("天然水", "mineral water"),
        ],
        bases: &[("ドリンク", "drink")],
        sizes: &[("280ml", "280ml"), ("500ml", "500ml"), ("1.5L", "1.5L")],
        price: (98, 248),
        tax: TaxClass::Reduced,
        sold_by: SoldBy::Each,
    },
    Kind {
        category: ("お酒", "Alcohol"),
        variants: &[
            ("生", "draft"),
            ("プレミアム", "premium"),
            ("レモン", "lemon"),
            ("グレープフルーツ", "grapefruit"),
            ("辛口", "dry"),
        ],
        bases: &[
            ("ビール", "beer"),
            ("チューハイ", "chuhai"),
            ("ハイボール", "highball"),
        ],
        sizes: &[("350ml", "350ml"), ("500ml", "500ml")],
        price: (158, 328),
        // Alcohol is excluded from Japan's reduced rate.
        tax: TaxClass::Standard,
        sold_by: SoldBy::Each,
    },
    Kind {
        category: ("お菓子", "Snacks"),
        variants: &[
            ("うすしお", "lightly salted"),
            ("コンソメ", "consommé"),
            ("のりしお", "nori salt"),
            ("チョコ", "chocolate"),
            ("いちご", "strawberry"),
            ("抹茶", "matcha"),
            ("しょうゆ", "soy sauce"),
            ("バター", "butter"),
        ],
        bases: &[
            ("ポテトチップス", "potato chips"),
            ("クッキー", "cookies"),
            ("せんべい", "rice crackers"),
            ("グミ", "gummies"),
        ],
        sizes: &[("", ""), ("ファミリーパック", "family pack")],
        price: (98, 398),
        tax: TaxClass::Reduced,
        sold_by: SoldBy::Each,
    },
    Kind {
        category: ("カップ麺", "Cup noodles"),
        variants: &[
            ("しょうゆ", "shoyu"),
            ("みそ", "miso"),
            ("しお", "shio"),
            ("とんこつ", "tonkotsu"),
            ("カレー", "curry"),
            ("シーフード", "seafood"),
        ],
        bases: &[
            ("ラーメン", "ramen"),
            ("うどん", "udon"),
            ("焼きそば", "yakisoba"),
        ],
        sizes: &[("", ""), ("ビッグ", "big")],
        price: (138, 298),
        tax: TaxClass::Reduced,
        sold_by: SoldBy::Each,
    },
    Kind {
        category: ("カフェ", "Café"),
        variants: &[("ホット", "hot"), ("アイス", "iced")],
        bases: &[
            ("コーヒー", "coffee"),
            ("カフェラテ", "caffè latte"),
            ("カフェモカ", "caffè mocha"),
            ("抹茶ラテ", "matcha latte"),
        ],
        sizes: &[("S", "S"), ("M", "M"), ("L", "L")],
        price: (110, 380),
        // Takeaway drinks are at the reduced rate.
        tax: TaxClass::Reduced,
        sold_by: SoldBy::Each,
    },
    Kind {
        category: ("日用品", "Household"),
        variants: &[
            ("やわらか", "soft"),
            ("しっかり", "strong"),
            ("無香料", "unscented"),
            ("さわやか", "fresh"),
            ("詰め替え", "refill"),
        ],
        bases: &[
            ("ティッシュ", "tissues"),
            ("歯ブラシ", "toothbrush"),
            ("歯みがき", "toothpaste"),
            ("シャンプー", "shampoo"),
            ("ボディソープ", "body soap"),
            ("洗剤", "detergent"),
            ("マスク", "face masks"),
        ],
        sizes: &[("", ""), ("徳用", "value size")],
        price: (148, 698),
        tax: TaxClass::Standard,
        sold_by: SoldBy::Each,
    },
    Kind {
        category: ("文具・電池", "Stationery"),
        variants: &[
            ("黒", "black"),
            ("赤", "red"),
            ("青", "blue"),
            ("単3", "AA"),
            ("単4", "AAA"),
        ],
        bases: &[
            ("ボールペン", "ballpoint pen"),
            ("ノート", "notebook"),
            ("電池", "batteries"),
        ],
        sizes: &[("", ""), ("4本入", "4 pack")],
        price: (110, 598),
        tax: TaxClass::Standard,
        sold_by: SoldBy::Each,
    },
    Kind {
        category: ("惣菜 量り売り", "Deli by weight"),
        variants: &[
            ("鶏の", "chicken"),
            ("豚の", "pork"),
            ("野菜の", "vegetable"),
            ("海老の", "prawn"),
        ],
        bases: &[
            ("唐揚げ", "karaage"),
            ("天ぷら", "tempura"),
            ("煮物", "simmered dish"),
        ],
        sizes: &[("", "")],
        price: (1_480, 3_980),
        tax: TaxClass::Reduced,
        sold_by: SoldBy::Kilogram,
    },
];

/// The GS1 Japan prefix (49) and a five-digit maker code per brand.
const MAKER_CODES: [&str; 8] = [
    "01234", "05678", "09012", "13456", "17890", "21234", "25678", "29012",
];

/// `n` products, the same every time. Weighed items carry no GTIN (they get in-store labels).
pub fn catalogue(n: usize) -> Vec<Product> {
    let mut rng = Rng(0x7111_5eed);
    let mut item_counters = [0u32; 8];
    // Enumerate every (kind, variant, base, size, brand) combination once, in a fixed shuffled
    // order, then add numbered multipacks when more products are asked for than combinations exist.
    let mut combos: Vec<(usize, usize, usize, usize, usize)> = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        let brands = if kind.sold_by == SoldBy::Kilogram {
            1
        } else {
            BRANDS.len()
        };
        for v in 0..kind.variants.len() {
            for b in 0..kind.bases.len() {
                for s in 0..kind.sizes.len() {
                    for br in 0..brands {
                        combos.push((k, v, b, s, br));
                    }
                }
            }
        }
    }
    for i in (1..combos.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        combos.swap(i, j);
    }
    (0..n)
        .map(|i| {
            let (k, v, b, s, br) = combos[i % combos.len()];
            let pack = i / combos.len(); // 0 for the first round of combinations
            let kind = &KINDS[k];
            let weighed = kind.sold_by == SoldBy::Kilogram;
            let (bj, be) = if weighed { ("", "") } else { BRANDS[br] };
            let (vj, ve) = kind.variants[v];
            let (nj, ne) = kind.bases[b];
            let (sj, se) = kind.sizes[s];
            let mut name = format!("{bj} {vj}{nj} {sj}")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let mut alt = format!("{be} {ve} {ne} {se}")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let (lo, hi) = kind.price;
            let mut price = lo + rng.below((hi - lo) as u64 + 1) as i64;
            // Shelf prices end in 8 or 0, as Japanese shops price them.
            price = price / 10 * 10 + if rng.below(3) == 0 { 0 } else { 8 };
            if pack > 0 {
                let count = pack + 1;
                name = format!("{name} {count}個パック");
                alt = format!("{alt} {count} pack");
                price = price * count as i64 * 9 / 10 / 10 * 10 + 8;
            }
            let gtin = if weighed {
                None
            } else {
                let maker = br % MAKER_CODES.len();
                item_counters[maker] += 1;
                Gtin::with_check_digit(&format!(
                    "49{}{:05}",
                    MAKER_CODES[maker],
                    item_counters[maker] % 100_000
                ))
                .ok()
            };
            Product {
                sku: format!("D{:06}", i + 1),
                gtin,
                name,
                alt_name: alt,
                category: kind.category.0.to_string(),
                price: Decimal::from(price),
                tax_class: kind.tax,
                sold_by: kind.sold_by,
                active: true,
                version: 0,
                // Every tenth product is tracked for the low-stock list.
                reorder_level: (i % 10 == 0 && !weighed).then(|| Decimal::from(5)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_store_has_a_valid_registration_number() {
        assert_eq!(
            super::store().registration_no.as_deref(),
            Some("T7123456789012")
        );
    }

    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_demo_catalogue_is_deterministic_and_realistic() {
        let a = catalogue(DEMO_PRODUCTS);
        assert_eq!(a, catalogue(DEMO_PRODUCTS));
        assert_eq!(a.len(), DEMO_PRODUCTS);
        let gtins: HashSet<_> = a.iter().filter_map(|p| p.gtin.clone()).collect();
        assert_eq!(
            gtins.len(),
            a.iter().filter(|p| p.gtin.is_some()).count(),
            "JAN codes are unique"
        );
        assert!(gtins
            .iter()
            .all(|g| g.short().len() == 13 && g.short().starts_with("49")));
        let names: HashSet<_> = a.iter().map(|p| &p.name).collect();
        assert_eq!(names.len(), a.len(), "names are unique");
        assert!(a.iter().any(|p| p.sold_by == SoldBy::Kilogram));
        assert!(a.iter().any(|p| p.tax_class == TaxClass::Standard));
        assert!(a.iter().any(|p| p.tax_class == TaxClass::Reduced));
        assert!(a.iter().all(|p| p.price > Decimal::ZERO));
    }

    #[test]
    fn large_catalogues_stay_unique() {
        let big = catalogue(100_000);
        let skus: HashSet<_> = big.iter().map(|p| &p.sku).collect();
        assert_eq!(skus.len(), 100_000);
        let gtins: HashSet<_> = big.iter().filter_map(|p| p.gtin.as_ref()).collect();
        assert_eq!(gtins.len(), big.iter().filter(|p| p.gtin.is_some()).count());
    }
}
