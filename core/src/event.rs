//! The journal: every change a lane makes is an immutable, versioned event.
//!
//! Events are never updated; a mistake is corrected by a new event with a reason. The id is made
//! on the device (UUIDv7) and persisted before the first send, so a retry is recognisably the same
//! event and the edge can apply it exactly once.

use crate::refund::Refund;
use crate::sale::Sale;
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
}

impl Event {
    pub fn kind(&self) -> &'static str {
        match self.body {
            EventBody::SaleCompleted(_) => "sale_completed",
            EventBody::RefundIssued(_) => "refund_issued",
        }
    }

    /// The id the body carries (a sale's or refund's own id), which must equal the event's.
    pub fn body_id(&self) -> Uuid {
        match &self.body {
            EventBody::SaleCompleted(s) => s.id,
            EventBody::RefundIssued(r) => r.id,
        }
    }

    /// The business day the event is booked to.
    pub fn business_day(&self) -> &str {
        match &self.body {
            EventBody::SaleCompleted(s) => &s.business_day,
            EventBody::RefundIssued(r) => &r.business_day,
        }
    }

    /// Stock movements: minus what was sold, plus what came back.
    pub fn stock_deltas(&self) -> Vec<(String, rust_decimal::Decimal)> {
        match &self.body {
            EventBody::SaleCompleted(s) => s.stock_deltas(),
            EventBody::RefundIssued(r) => r.stock_deltas(),
        }
    }

    /// What the event adds to the store's net sales (a refund subtracts).
    pub fn net_effect(&self) -> crate::money::Money {
        match &self.body {
            EventBody::SaleCompleted(s) => s.total,
            EventBody::RefundIssued(r) => {
                crate::money::Money::new(-r.total.amount, r.total.currency)
            }
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
