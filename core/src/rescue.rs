//! The rescue file: every unsynced event of a lane, exported to a file when the lane cannot sync
//! (revoked, broken network, a device about to be replaced) and uploaded by the owner later.
//!
//! The file is signed with a key only this lane and the edge know (SHA-256 of the lane's device
//! token, which is what the edge stores), so an edited or forged file is refused; the events go
//! through the same ingest as a push, so uploading twice, or uploading and then syncing, records
//! each sale once.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The format written into every rescue payload; a later format gets a new number.
pub const RESCUE_FORMAT: &str = "till-rescue/1";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RescueError {
    #[error("this is not a till rescue file: {0}")]
    NotRescue(String),
    #[error("this rescue file was changed after it was exported (its signature does not match): it cannot be accepted")]
    BadSignature,
    #[error("this rescue file is format {0}, which this version of till does not read")]
    UnknownFormat(String),
    #[error("event {index} of the rescue file belongs to lane {found}, not {expected}")]
    ForeignEvent {
        index: usize,
        expected: String,
        found: String,
    },
}

/// What is inside a rescue file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rescue {
    pub format: String,
    pub store_id: String,
    pub lane_id: String,
    pub lane_code: String,
    pub exported_at_ms: i64,
    /// Raw, like a push's events: each is decoded and checked on its own at ingest, so one
    /// damaged event is rejected without losing the others.
    pub events: Vec<serde_json::Value>,
}

/// The file as written: the payload is kept as the exact string that was signed, so no JSON
/// re-encoding (key order, number formats) can break the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RescueFile {
    pub payload: String,
    /// "hmac-sha256:" + hex.
    pub signature: String,
}

/// The signing key of a lane, from its device token (the lane's side).
pub fn key_from_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The signing key of a lane, from the token hash the edge stores (hex SHA-256).
pub fn key_from_token_hash(hex_hash: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(hex_hash).ok()?;
    bytes.try_into().ok()
}

fn mac(key: &[u8; 32]) -> Hmac<Sha256> {
    // HMAC takes keys of any length; 32 bytes never fails.
    <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts a 32-byte key")
}

/// The payload of a rescue file, with the outbox's events spliced in exactly as stored (the lane
/// keeps them as JSON text; decoding and re-encoding them could only lose something).
pub fn payload(
    store_id: &str,
    lane_id: &str,
    lane_code: &str,
    exported_at_ms: i64,
    raw_events: &[&str],
) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    format!(
        r#"{{"format":{},"store_id":{},"lane_id":{},"lane_code":{},"exported_at_ms":{exported_at_ms},"events":[{}]}}"#,
        quote(RESCUE_FORMAT),
        quote(store_id),
        quote(lane_id),
        quote(lane_code),
        raw_events.join(",")
    )
}

impl RescueFile {
    pub fn seal(payload: String, key: &[u8; 32]) -> RescueFile {
        let mut m = mac(key);
        m.update(payload.as_bytes());
        let signature = format!("hmac-sha256:{}", hex::encode(m.finalize().into_bytes()));
        RescueFile { payload, signature }
    }

    /// Read the payload WITHOUT checking the signature: only to find which lane's key checks it.
    pub fn unverified(&self) -> Result<Rescue, RescueError> {
        let rescue: Rescue = serde_json::from_str(&self.payload)
            .map_err(|e| RescueError::NotRescue(e.to_string()))?;
        if rescue.format != RESCUE_FORMAT {
            return Err(RescueError::UnknownFormat(rescue.format));
        }
        Ok(rescue)
    }

    /// Check the signature with the lane's key (in constant time), then the contents: every
    /// event must be the lane's own.
    pub fn open(&self, key: &[u8; 32]) -> Result<Rescue, RescueError> {
        let sig = self
            .signature
            .strip_prefix("hmac-sha256:")
            .and_then(|h| hex::decode(h).ok())
            .ok_or(RescueError::BadSignature)?;
        let mut m = mac(key);
        m.update(self.payload.as_bytes());
        m.verify_slice(&sig)
            .map_err(|_| RescueError::BadSignature)?;
        let rescue = self.unverified()?;
        if let Some((index, e)) = rescue
            .events
            .iter()
            .enumerate()
            .find(|(_, e)| e.get("lane_id").and_then(|l| l.as_str()) != Some(&rescue.lane_id))
        {
            return Err(RescueError::ForeignEvent {
                index,
                expected: rescue.lane_id.clone(),
                found: e.get("lane_id").map(|l| l.to_string()).unwrap_or_default(),
            });
        }
        Ok(rescue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, EventBody, EVENT_VERSION};
    use crate::shift::CashMoved;
    use proptest::prelude::*;

    fn event(lane: &str, seq: u64) -> String {
        let e = Event {
            id: crate::event::new_id(1_700_000_000_000 + seq, [seq as u8; 10]),
            lane_id: lane.into(),
            lane_seq: seq,
            at_ms: 1_700_000_000_000,
            v: EVENT_VERSION,
            body: EventBody::CashMoved(CashMoved {
                shift_id: crate::Uuid::nil(),
                direction: crate::shift::Direction::In,
                amount: crate::money::Money::new(
                    crate::Decimal::from(500),
                    crate::money::Currency::JPY,
                ),
                reason: "float top-up".into(),
                staff_id: "s1".into(),
            }),
        };
        serde_json::to_string(&e).unwrap()
    }

    fn file(token: &str, lane: &str, events: &[String]) -> RescueFile {
        let raw: Vec<&str> = events.iter().map(String::as_str).collect();
        RescueFile::seal(
            payload("store-1", lane, "L1", 1_700_000_100_000, &raw),
            &key_from_token(token),
        )
    }

    #[test]
    fn the_edge_opens_a_file_with_the_token_hash_it_stores() {
        let f = file(
            "secret-token",
            "lane-1",
            &[event("lane-1", 1), event("lane-1", 2)],
        );
        let stored = hex::encode(Sha256::digest(b"secret-token"));
        let r = f.open(&key_from_token_hash(&stored).unwrap()).unwrap();
        assert_eq!(r.lane_id, "lane-1");
        assert_eq!(r.events.len(), 2);
        assert_eq!(r.events[1]["lane_seq"], 2);
        // The file survives a JSON round trip as written to disk.
        let text = serde_json::to_string(&f).unwrap();
        let back: RescueFile = serde_json::from_str(&text).unwrap();
        assert!(back.open(&key_from_token("secret-token")).is_ok());
    }

    #[test]
    fn another_lanes_key_or_a_foreign_event_is_refused() {
        let f = file("secret-token", "lane-1", &[event("lane-1", 1)]);
        assert_eq!(
            f.open(&key_from_token("other-token")),
            Err(RescueError::BadSignature)
        );
        let mixed = file("t", "lane-1", &[event("lane-1", 1), event("lane-2", 1)]);
        assert!(matches!(
            mixed.open(&key_from_token("t")),
            Err(RescueError::ForeignEvent { index: 1, .. })
        ));
        let junk = RescueFile {
            payload: "{}".into(),
            signature: "nope".into(),
        };
        assert_eq!(
            junk.open(&key_from_token("t")),
            Err(RescueError::BadSignature)
        );
        assert!(junk.unverified().is_err());
        assert!(key_from_token_hash("zz").is_none());
    }

    proptest! {
        #[test]
        fn any_change_to_a_signed_payload_is_refused(pos in 0usize..400, byte in 0x20u8..0x7f) {
            let f = file("secret-token", "lane-1", &[event("lane-1", 7)]);
            let mut bytes = f.payload.clone().into_bytes();
            let pos = pos % bytes.len();
            prop_assume!(bytes[pos] != byte);
            bytes[pos] = byte;
            let changed = RescueFile { payload: String::from_utf8(bytes).unwrap(), signature: f.signature.clone() };
            prop_assert_eq!(changed.open(&key_from_token("secret-token")), Err(RescueError::BadSignature));
        }
    }
}
