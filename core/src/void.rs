//! Voids: taking back a finished sale as if it had not happened (the customer changed their mind
//! at the counter), and the audit record of a cart abandoned before payment.
//!
//! A void is its own event, never an edit of the sale: it reverses the whole sale — its total
//! and its stock — on the sale's own business day, and needs a manager. A sale with a refund
//! against it cannot be voided (refund the rest instead), and a voided sale cannot be refunded.

use crate::money::Money;
use crate::sale::Sale;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoidError {
    #[error("give a reason for the void")]
    NeedsReason,
    #[error("voiding a paid sale needs a manager's approval")]
    NeedsApproval,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidedLine {
    pub sku: String,
    pub qty: Decimal,
}

/// A paid sale taken back in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleVoid {
    pub sale_id: Uuid,
    pub store_id: String,
    pub receipt_no: String,
    /// The sale's business day: the void is booked there, so the day nets to what really sold.
    pub business_day: String,
    /// The sale's total, reversed.
    pub total: Money,
    /// The sale's quantities, back into stock.
    pub lines: Vec<VoidedLine>,
    pub reason: String,
    /// The manager's staff id.
    pub approved_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
    /// Gift card payments of the sale, put back on their cards.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gift_cards: Vec<(String, crate::money::Money)>,
}

impl SaleVoid {
    pub fn of(
        sale: &Sale,
        reason: &str,
        approved_by: Option<&str>,
        staff_id: Option<&str>,
    ) -> Result<SaleVoid, VoidError> {
        if reason.trim().is_empty() {
            return Err(VoidError::NeedsReason);
        }
        let approved_by = approved_by
            .filter(|a| !a.trim().is_empty())
            .ok_or(VoidError::NeedsApproval)?;
        Ok(SaleVoid {
            sale_id: sale.id,
            store_id: sale.store_id.clone(),
            receipt_no: sale.receipt_no.clone(),
            business_day: sale.business_day.clone(),
            total: sale.total,
            lines: sale
                .lines
                .iter()
                .map(|l| VoidedLine {
                    sku: l.sku.clone(),
                    qty: l.qty,
                })
                .collect(),
            reason: reason.trim().to_string(),
            approved_by: approved_by.to_string(),
            staff_id: staff_id.map(str::to_string),
            gift_cards: sale
                .tenders
                .iter()
                .filter_map(|t| match t {
                    crate::tender::Tender::GiftCard { amount, card_id } => {
                        Some((card_id.clone(), *amount))
                    }
                    _ => None,
                })
                .collect(),
        })
    }

    /// The edge's check against what it holds: the sale, whether it was refunded or voided.
    pub fn verify(&self, sale: Option<&Sale>, refunded: bool, voided: bool) -> Result<(), String> {
        let sale = sale.ok_or("the voided sale is not known to the store")?;
        if voided {
            return Err(format!("sale {} was already voided", sale.receipt_no));
        }
        if refunded {
            return Err(format!(
                "sale {} has a refund against it: refund the rest instead of voiding",
                sale.receipt_no
            ));
        }
        if self.reason.trim().is_empty() || self.approved_by.trim().is_empty() {
            return Err("a void needs a reason and a manager's approval".into());
        }
        let expected = SaleVoid::of(
            sale,
            &self.reason,
            Some(&self.approved_by),
            self.staff_id.as_deref(),
        )
        .map_err(|e| e.to_string())?;
        if *self != expected {
            return Err(format!(
                "the void does not match sale {} (its total, lines or day differ)",
                sale.receipt_no
            ));
        }
        Ok(())
    }

    pub fn stock_deltas(&self) -> Vec<(String, Decimal)> {
        self.lines.iter().map(|l| (l.sku.clone(), l.qty)).collect()
    }
}

/// A cart given up before payment: nothing was sold, but the audit trail shows who dropped how
/// much and why (a common way to hide a cash sale).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartVoided {
    pub lines: u32,
    pub amount: Money,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::tests::product;
    use crate::cart::Cart;
    use crate::catalogue::SoldBy;
    use crate::money::Currency;
    use crate::sale::{Checkout, Tender};
    use crate::store::StoreSettings;
    use crate::tax::TaxClass;

    fn sale() -> Sale {
        let store = StoreSettings::japan("s", "S");
        let mut cart = Cart::default();
        cart.add(
            &product("a", 300, TaxClass::Reduced, SoldBy::Each),
            Decimal::from(2),
        )
        .unwrap();
        Sale::complete(
            &cart,
            &store,
            vec![Tender::Cash {
                tendered: Money::new(Decimal::from(1000), Currency::JPY),
            }],
            Checkout {
                id: Uuid::from_u128(1),
                lane_id: "l",
                receipt_no: "L1-000001".into(),
                at_ms: 1_795_532_400_000,
            },
        )
        .unwrap()
    }

    #[test]
    fn a_void_reverses_the_whole_sale_on_its_own_day_and_needs_a_manager() {
        let s = sale();
        assert_eq!(
            SaleVoid::of(&s, "wrong item", None, Some("c1")),
            Err(VoidError::NeedsApproval)
        );
        assert_eq!(
            SaleVoid::of(&s, " ", Some("m1"), None),
            Err(VoidError::NeedsReason)
        );
        let v = SaleVoid::of(&s, "customer changed mind", Some("m1"), Some("c1")).unwrap();
        assert_eq!(v.total, s.total);
        assert_eq!(v.business_day, s.business_day);
        assert_eq!(v.stock_deltas(), vec![("a".to_string(), Decimal::from(2))]);
        assert_eq!(v.verify(Some(&s), false, false), Ok(()));
    }

    #[test]
    fn the_edge_refuses_a_second_void_a_void_after_a_refund_or_a_forged_total() {
        let s = sale();
        let v = SaleVoid::of(&s, "r", Some("m1"), None).unwrap();
        assert!(v.verify(None, false, false).is_err());
        assert!(v
            .verify(Some(&s), false, true)
            .unwrap_err()
            .contains("already voided"));
        assert!(v
            .verify(Some(&s), true, false)
            .unwrap_err()
            .contains("refund"));
        let mut forged = v.clone();
        forged.total.amount = Decimal::from(5000);
        assert!(forged.verify(Some(&s), false, false).is_err());
    }
}
