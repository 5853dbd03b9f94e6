//! The catalogue: products and the in-memory index the till sells from.
//!
//! The index is built once from storage at start and updated in place by pulls, so a scan is a
//! hash lookup, never a database read.

use crate::barcode::Gtin;
use crate::tax::TaxClass;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How a product is sold: by the piece, or by weight (price per kilogram).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SoldBy {
    Each,
    Kilogram,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Stable id made by the back office; also the SKU shown to staff.
    pub sku: String,
    pub gtin: Option<Gtin>,
    pub name: String,
    /// Reading or English name, searched as well as `name` (e.g. "onigiri salmon").
    #[serde(default)]
    pub alt_name: String,
    pub category: String,
    /// Unit price (or price per kg) in the store's currency; tax-inclusive or not as the store's mode.
    pub price: Decimal,
    pub tax_class: TaxClass,
    pub sold_by: SoldBy,
    #[serde(default = "yes")]
    pub active: bool,
    /// Server version of this row: catalogue changes are last-writer-wins by version.
    #[serde(default)]
    pub version: u64,
    /// Below this stock level the product is on the owner's low-stock list (none: not tracked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reorder_level: Option<Decimal>,
}

fn yes() -> bool {
    true
}

/// Products indexed by GTIN, SKU and name.
#[derive(Debug, Default, Clone)]
pub struct Catalogue {
    products: Vec<Product>,
    /// Lower-cased "name alt_name" per product, for search.
    haystack: Vec<String>,
    by_gtin: HashMap<Gtin, usize>,
    by_sku: HashMap<String, usize>,
    /// Highest version seen: the pull cursor for catalogue changes.
    version: u64,
}

impl Catalogue {
    pub fn new(products: impl IntoIterator<Item = Product>) -> Catalogue {
        let mut c = Catalogue::default();
        for p in products {
            c.upsert(p);
        }
        c
    }

    pub fn len(&self) -> usize {
        self.products.iter().filter(|p| p.active).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// Insert or replace by SKU. An older version never overwrites a newer one.
    pub fn upsert(&mut self, p: Product) {
        self.version = self.version.max(p.version);
        let hay = format!("{} {}", p.name, p.alt_name).to_lowercase();
        match self.by_sku.get(&p.sku) {
            Some(&i) => {
                if self.products[i].version > p.version {
                    return;
                }
                if let Some(old) = self.products[i].gtin.take() {
                    self.by_gtin.remove(&old);
                }
                if let Some(g) = &p.gtin {
                    self.by_gtin.insert(g.clone(), i);
                }
                self.products[i] = p;
                self.haystack[i] = hay;
            }
            None => {
                let i = self.products.len();
                self.by_sku.insert(p.sku.clone(), i);
                if let Some(g) = &p.gtin {
                    self.by_gtin.insert(g.clone(), i);
                }
                self.products.push(p);
                self.haystack.push(hay);
            }
        }
    }

    pub fn by_gtin(&self, gtin: &Gtin) -> Option<&Product> {
        self.by_gtin
            .get(gtin)
            .map(|&i| &self.products[i])
            .filter(|p| p.active)
    }

    pub fn by_sku(&self, sku: &str) -> Option<&Product> {
        self.by_sku
            .get(sku)
            .map(|&i| &self.products[i])
            .filter(|p| p.active)
    }

    /// Products whose name, reading or SKU contains every word of `query` (case-insensitive);
    /// names starting with the query come first. At most `limit` results.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Product> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        let words: Vec<&str> = q.split_whitespace().collect();
        let mut prefix = Vec::new();
        let mut other = Vec::new();
        for (i, hay) in self.haystack.iter().enumerate() {
            let p = &self.products[i];
            if !p.active {
                continue;
            }
            if words
                .iter()
                .all(|w| hay.contains(w) || p.sku.eq_ignore_ascii_case(w))
            {
                if hay.starts_with(&q) {
                    prefix.push(p);
                } else {
                    other.push(p);
                }
            }
            if prefix.len() >= limit {
                break;
            }
        }
        prefix.extend(other);
        prefix.truncate(limit);
        prefix
    }

    pub fn iter(&self) -> impl Iterator<Item = &Product> {
        self.products.iter().filter(|p| p.active)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(sku: &str, gtin: &str, name: &str, version: u64) -> Product {
        Product {
            sku: sku.into(),
            gtin: Some(Gtin::with_check_digit(gtin).unwrap()),
            name: name.into(),
            alt_name: String::new(),
            category: "food".into(),
            price: Decimal::from(100),
            tax_class: TaxClass::Reduced,
            sold_by: SoldBy::Each,
            active: true,
            version,
            reorder_level: None,
        }
    }

    #[test]
    fn lookup_by_gtin_sku_and_name() {
        let c = Catalogue::new([
            p("A1", "490000000001", "Salmon onigiri", 1),
            p("A2", "490000000002", "Green tea", 2),
        ]);
        let g = Gtin::with_check_digit("490000000002").unwrap();
        assert_eq!(c.by_gtin(&g).unwrap().sku, "A2");
        assert_eq!(c.by_sku("A1").unwrap().name, "Salmon onigiri");
        assert_eq!(c.search("ONIGIRI", 10).len(), 1);
        assert_eq!(c.search("tea green", 10)[0].sku, "A2");
        assert_eq!(c.version(), 2);
    }

    #[test]
    fn an_older_version_never_overwrites_a_newer_one() {
        let mut c = Catalogue::new([p("A1", "490000000001", "New name", 5)]);
        c.upsert(p("A1", "490000000001", "Old name", 3));
        assert_eq!(c.by_sku("A1").unwrap().name, "New name");
    }

    #[test]
    fn a_changed_barcode_moves_the_index() {
        let mut c = Catalogue::new([p("A1", "490000000001", "Tea", 1)]);
        c.upsert(p("A1", "490000000009", "Tea", 2));
        assert!(c
            .by_gtin(&Gtin::with_check_digit("490000000001").unwrap())
            .is_none());
        assert!(c
            .by_gtin(&Gtin::with_check_digit("490000000009").unwrap())
            .is_some());
    }
}
