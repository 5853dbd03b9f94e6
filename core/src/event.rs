//! The journal: every change a lane makes is an immutable, versioned event.
//!
//! Events are never updated; a mistake is corrected by a new event with a reason. The id is made
//! on the device (UUIDv7) and persisted before the first send, so a retry is recognisably the same
//! event and the edge can apply it exactly once.

use crate::customer::Customer;
use crate::refund::Refund;
use crate::sale::Sale;
use crate::shift::{CashMoved, ShiftClosed, ShiftOpened};
use crate::staff::Approval;
use crate::stock::StockAdjustment;
use crate::void::{CartVoided, SaleVoid};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The wire format version of `Event`. Old versions keep decoding.
pub const EVENT_VERSION: u16 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: Uuid,
    pub lane_id: String,
    /// Per-lane number, 1, 2, 3… without gaps: the edge applies a lane's events in this order.
    pub lane_seq: u64,
    pub at_ms: i64,
    #[serde(default = "v1")]
    pub v: u16,
    #[serde(flatten)]
    pub body: EventBody,
}

fn v1() -> u16 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum EventBody {
    SaleCompleted(Sale),
    RefundIssued(Refund),
    ShiftOpened(ShiftOpened),
    CashMoved(CashMoved),
    ShiftClosed(ShiftClosed),
    SaleVoided(SaleVoid),
    CartVoided(CartVoided),
    StockAdjusted(StockAdjustment),
    CustomerCreated(Customer),
    /// A manager approved something a cashier may not do alone (audit trail).
    Approved(Approval),
    /// Money put on a gift card (not a sale: the store owes it until the card is used).
    GiftCardLoaded(crate::gift_card::GiftCardLoad),
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self.body {
            EventBody::SaleCompleted(_) => "sale_completed",
            EventBody::RefundIssued(_) => "refund_issued",
            EventBody::ShiftOpened(_) => "shift_opened",
            EventBody::CashMoved(_) => "cash_moved",
            EventBody::ShiftClosed(_) => "shift_closed",
            EventBody::SaleVoided(_) => "sale_voided",
            EventBody::CartVoided(_) => "cart_voided",
            EventBody::StockAdjusted(_) => "stock_adjusted",
            EventBody::CustomerCreated(_) => "customer_created",
            EventBody::Approved(_) => "approved",
            EventBody::GiftCardLoaded(_) => "gift_card_loaded",
        }
    }

    /// The sale a refund or a void refers to.
    pub fn ref_id(&self) -> Option<Uuid> {
        match &self.body {
            EventBody::RefundIssued(r) => r.sale_id,
            EventBody::SaleVoided(v) => Some(v.sale_id),
            EventBody::Approved(a) => a.ref_id,
            _ => None,
        }
    }

    /// How the event changes the day's count of transactions: a sale adds one, a void takes
    /// its sale back out.
    pub fn sales_count_effect(&self) -> i64 {
        match &self.body {
            EventBody::SaleCompleted(_) => 1,
            EventBody::SaleVoided(_) => -1,
            _ => 0,
        }
    }

    /// The id a sale or refund carries, which must equal the event's (other events have none).
    pub fn body_id(&self) -> Option<Uuid> {
        match &self.body {
            EventBody::SaleCompleted(s) => Some(s.id),
            EventBody::RefundIssued(r) => Some(r.id),
            _ => None,
        }
    }

    /// The business day of a sale or refund (other events do not change the day's sales).
    pub fn business_day(&self) -> Option<&str> {
        match &self.body {
            EventBody::SaleCompleted(s) => Some(&s.business_day),
            EventBody::RefundIssued(r) => Some(&r.business_day),
            EventBody::SaleVoided(v) => Some(&v.business_day),
            _ => None,
        }
    }

    /// Stock movements: minus what was sold, plus what came back.
    pub fn stock_deltas(&self) -> Vec<(String, rust_decimal::Decimal)> {
        match &self.body {
            EventBody::SaleCompleted(s) => s.stock_deltas(),
            EventBody::RefundIssued(r) => r.stock_deltas(),
            EventBody::SaleVoided(v) => v.stock_deltas(),
            EventBody::StockAdjusted(a) => vec![(a.sku.clone(), a.delta)],
            _ => Vec::new(),
        }
    }

    /// Gift card balance movements: a load adds, a payment by card takes off, a refund to a card
    /// or a void of a sale paid by card puts back.
    pub fn gift_card_deltas(&self) -> Vec<(String, rust_decimal::Decimal)> {
        use rust_decimal::Decimal;
        match &self.body {
            EventBody::GiftCardLoaded(l) => vec![(l.code.clone(), l.amount.amount)],
            EventBody::SaleCompleted(s) => crate::gift_card::movements(&s.tenders, -Decimal::ONE),
            EventBody::RefundIssued(r) => crate::gift_card::movements(&r.tenders, Decimal::ONE),
            EventBody::SaleVoided(v) => v
                .gift_cards
                .iter()
                .map(|(code, m)| (code.clone(), m.amount))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// What the event adds to the store's net sales (a refund subtracts; others add nothing).
    pub fn net_effect(&self) -> Option<crate::money::Money> {
        match &self.body {
            EventBody::SaleCompleted(s) => Some(s.total),
            EventBody::RefundIssued(r) => {
                Some(crate::money::Money::new(-r.total.amount, r.total.currency))
            }
            EventBody::SaleVoided(v) => {
                Some(crate::money::Money::new(-v.total.amount, v.total.currency))
            }
            _ => None,
        }
    }
}

/// Make a UUIDv7 from a Unix time in milliseconds and 10 random bytes. Core takes the randomness
/// as input (the lane uses crypto.getRandomValues) so it stays free of platform APIs and tests
/// are deterministic.
pub fn new_id(unix_ms: u64, random: [u8; 10]) -> Uuid {
    uuid::Builder::from_unix_timestamp_millis(unix_ms, &random).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_sort_by_time() {
        let a = new_id(1_000, [0xff; 10]);
        let b = new_id(1_001, [0; 10]);
        assert_eq!(a.get_version_num(), 7);
        assert!(a < b);
    }

    #[test]
    fn decoding_hostile_input_is_an_error_not_a_panic() {
        for s in [
            "",
            "{}",
            "[]",
            r#"{"id":"x"}"#,
            r#"{"id":"0190a6c4-0000-7000-8000-000000000000","lane_id":"l","lane_seq":-1,"at_ms":0,"type":"sale_completed","data":{}}"#,
        ] {
            assert!(serde_json::from_str::<Event>(s).is_err(), "{s}");
        }
    }
}
