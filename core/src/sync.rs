//! The sync protocol: wire messages and the edge's ingest rules, with no I/O.
//!
//! In the spirit of Replicache's push contract: a lane numbers its events 1, 2, 3… without gaps;
//! the store records the lane's last applied number together with the event's effects; numbers
//! at or below it are acknowledged and ignored; a gap is refused until filled; an event that is
//! permanently invalid is recorded as rejected and still advances the lane, so one bad event never
//! blocks a lane forever. Storage is behind the `Ledger` trait: the Durable Object implements it
//! with SQLite, the simulation tests with maps — both run this same code.

use crate::catalogue::Product;
use crate::event::{Event, EventBody};
use crate::refund::Refund;
use crate::sale::Sale;
use crate::store::StoreSettings;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Version of the push/pull messages. The edge answers older versions it still supports.
/// 2: pulls carry staff (`Change::Staff`); a lane that says nothing, or 1, is not sent them.
/// 3: pulls carry gift card balances (`Change::GiftCard`).
pub const PROTOCOL_VERSION: u16 = 3;
/// Most events a lane sends in one push.
pub const MAX_PUSH_EVENTS: usize = 500;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub protocol: u16,
    pub lane_id: String,
    /// Raw JSON, decoded one by one, so a malformed event is rejected without blocking the rest.
    pub events: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PushStatus {
    /// Appended now.
    Applied,
    /// Seen before (a retry): acknowledged, no effect.
    Duplicate,
    /// Permanently invalid: recorded with the reason, and the lane moves past it.
    Rejected { reason: String },
    /// Not applied because an earlier number is missing; send from `expected` again.
    Gap { expected: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResult {
    pub lane_seq: u64,
    #[serde(flatten)]
    pub status: PushStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Every event of this lane numbered at or below this is durably at the edge: trim the outbox.
    pub acked_through: u64,
    pub results: Vec<PushResult>,
}

/// What a pull brings to a lane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Change {
    Product(Product),
    Settings(StoreSettings),
    /// The store's stock of a SKU as the edge knows it (every lane's applied sales and refunds).
    /// The lane shows this plus its own movements still in the outbox.
    Stock {
        sku: String,
        qty: Decimal,
    },
    /// A customer made on any lane of the store.
    Customer(crate::customer::Customer),
    /// A member of staff added or changed by the owner (protocol 2 and later).
    Staff(crate::staff::StaffMember),
    /// A gift card's balance as the edge knows it (every lane's booked loads and payments). The
    /// lane shows this plus its own movements still in the outbox.
    GiftCard {
        code: String,
        balance: Decimal,
    },
    /// A kind of change this lane's version does not know: skipped, so an old lane keeps
    /// syncing with a newer edge while a roll-out is half done (see `lenient_changes`).
    #[serde(skip)]
    Unknown,
}

/// Decode a page's changes, turning kinds this version does not know into `Change::Unknown`; a
/// known kind that does not decode is still an error (that is a bug, not a newer edge). Each
/// change's data is decoded straight into its type: a first sync has 100k of them.
fn lenient_changes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Change>, D::Error> {
    use serde::de::Error;
    use serde_json::value::RawValue;
    // Owned (not borrowed) so it decodes from any source, not only from a string buffer.
    #[derive(Deserialize)]
    struct Raw {
        kind: String,
        data: Option<Box<RawValue>>,
    }
    #[derive(Deserialize)]
    struct StockData {
        sku: String,
        qty: Decimal,
    }
    #[derive(Deserialize)]
    struct CardData {
        code: String,
        balance: Decimal,
    }
    fn data<T: serde::de::DeserializeOwned>(raw: Option<Box<RawValue>>) -> serde_json::Result<T> {
        serde_json::from_str(raw.as_deref().map_or("null", RawValue::get))
    }
    let raw = Vec::<Raw>::deserialize(d)?;
    raw.into_iter()
        .map(|r| {
            Ok(match r.kind.as_str() {
                "product" => Change::Product(data(r.data).map_err(D::Error::custom)?),
                "settings" => Change::Settings(data(r.data).map_err(D::Error::custom)?),
                "customer" => Change::Customer(data(r.data).map_err(D::Error::custom)?),
                "staff" => Change::Staff(data(r.data).map_err(D::Error::custom)?),
                "stock" => {
                    let s: StockData = data(r.data).map_err(D::Error::custom)?;
                    Change::Stock {
                        sku: s.sku,
                        qty: s.qty,
                    }
                }
                "gift_card" => {
                    let g: CardData = data(r.data).map_err(D::Error::custom)?;
                    Change::GiftCard {
                        code: g.code,
                        balance: g.balance,
                    }
                }
                _ => Change::Unknown,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    #[serde(deserialize_with = "lenient_changes")]
    pub changes: Vec<Change>,
    /// Pass back as `cursor` on the next pull.
    pub cursor: u64,
    /// More changes are waiting: pull again straight away.
    pub more: bool,
    /// Changes in all, for the lane's progress display on a first sync.
    #[serde(default)]
    pub total: u64,
}

/// The store's durable record of events, as the ingest rules need it.
pub trait Ledger {
    type Error;
    /// The highest lane number applied (or rejected) for `lane`; 0 if none.
    fn last_applied(&mut self, lane: &str) -> Result<u64, Self::Error>;
    /// Whether an event with this id is already recorded (from any lane).
    fn contains(&mut self, id: Uuid) -> Result<bool, Self::Error>;
    /// A sale the store holds, by id (to check a refund against it).
    fn sale(&mut self, id: Uuid) -> Result<Option<Sale>, Self::Error>;
    /// The refunds the store holds against a sale, in the order they were applied.
    fn refunds_of(&mut self, sale_id: Uuid) -> Result<Vec<Refund>, Self::Error>;
    /// A booked refund by its id (an exchange's return, which its sale names).
    fn refund(&mut self, id: Uuid) -> Result<Option<Refund>, Self::Error>;
    /// Whether the store holds a void of this sale.
    fn voided(&mut self, sale_id: Uuid) -> Result<bool, Self::Error>;
    /// Record the event, apply its effects and set the lane's last applied number to its
    /// `lane_seq` — all in one storage transaction.
    fn append(&mut self, event: &Event) -> Result<(), Self::Error>;
    /// Record a permanently invalid event with its reason and advance the lane past `lane_seq`,
    /// in one storage transaction.
    fn reject(
        &mut self,
        lane: &str,
        lane_seq: u64,
        raw: &serde_json::Value,
        reason: &str,
    ) -> Result<(), Self::Error>;
}

/// Core's checks on an event before the store books it: the body belongs to this event and this
/// store, and its figures are what core computes (a sale re-priced; a refund recomputed against
/// the original sale and the refunds already booked). `Ok(Err(reason))` is a permanent rejection.
pub fn check<L: Ledger>(
    ledger: &mut L,
    ev: &Event,
    store: &StoreSettings,
) -> Result<Result<(), String>, L::Error> {
    if ev.body_id().is_some_and(|id| id != ev.id) {
        return Ok(Err(
            "the event's id differs from the id of what it records".into()
        ));
    }
    Ok(match &ev.body {
        EventBody::SaleCompleted(sale) if sale.store_id != store.store_id => Err(format!(
            "the sale is for store {:?}, not this store",
            sale.store_id
        )),
        EventBody::SaleCompleted(sale) => {
            let mut ok = sale
                .verify(store)
                .and_then(|()| sale.total.to_minor().map(|_| ()).map_err(|e| e.to_string()));
            for t in &sale.tenders {
                if let (Ok(()), crate::tender::Tender::Exchange { with, .. }) = (&ok, t) {
                    let refund = ledger.refund(*with)?;
                    ok = crate::exchange::check_credit(sale, t, refund.as_ref());
                }
            }
            ok
        }
        EventBody::RefundIssued(r) if r.store_id != store.store_id => Err(format!(
            "the refund is for store {:?}, not this store",
            r.store_id
        )),
        EventBody::RefundIssued(r) => {
            let (sale, previous, voided) = match r.sale_id {
                Some(id) => (ledger.sale(id)?, ledger.refunds_of(id)?, ledger.voided(id)?),
                None => (None, Vec::new(), false),
            };
            if voided {
                Err("the sale was voided: there is nothing left to refund".into())
            } else {
                r.verify(store, sale.as_ref(), &previous)
            }
        }
        EventBody::SaleVoided(v) if v.store_id != store.store_id => Err(format!(
            "the void is for store {:?}, not this store",
            v.store_id
        )),
        EventBody::SaleVoided(v) => {
            let sale = ledger.sale(v.sale_id)?;
            let refunded = !ledger.refunds_of(v.sale_id)?.is_empty();
            let voided = ledger.voided(v.sale_id)?;
            v.verify(sale.as_ref(), refunded, voided)
        }
        EventBody::CartVoided(c) if c.amount.currency != store.currency => Err(format!(
            "the voided cart is in {}, not the store's currency",
            c.amount.currency
        )),
        EventBody::CartVoided(_) => Ok(()),
        EventBody::StockAdjusted(a) => a.validate().map_err(|e| e.to_string()),
        EventBody::CustomerCreated(c) => c.validate().map_err(|e| e.to_string()),
        EventBody::Approved(a) => a.validate(),
        EventBody::GiftCardLoaded(l) if l.amount.currency != store.currency => Err(format!(
            "the gift card was loaded in {}, not the store's currency",
            l.amount.currency
        )),
        EventBody::GiftCardLoaded(l)
            if l.business_day != crate::time::business_day(ev.at_ms, store.utc_offset_minutes) =>
        {
            Err("the gift card load's business day does not match its time".into())
        }
        EventBody::GiftCardLoaded(l) => l.verify(),
        EventBody::CashMoved(m) if m.amount.currency != store.currency => Err(format!(
            "cash moved in {}, not the store's currency",
            m.amount.currency
        )),
        EventBody::CashMoved(m) => m.validate().map_err(|e| e.to_string()),
        EventBody::ShiftOpened(o) if o.currency != store.currency => Err(format!(
            "the shift counts {}, not the store's currency",
            o.currency
        )),
        EventBody::ShiftOpened(_) | EventBody::ShiftClosed(_) => Ok(()),
    })
}

/// Apply one push from `lane` to the ledger, checking each event with `check` against the
/// store's settings. Storage errors abort the push: nothing after the failing event is applied,
/// and what was applied before it stays (each event is atomic on its own).
pub fn ingest<L: Ledger>(
    ledger: &mut L,
    lane: &str,
    events: &[serde_json::Value],
    store: &StoreSettings,
) -> Result<PushResponse, L::Error> {
    let mut last = ledger.last_applied(lane)?;
    // Lanes send in order, but a proxy may not keep it: take them by number.
    let mut numbered: Vec<(Option<u64>, &serde_json::Value)> = events
        .iter()
        .map(|raw| (raw.get("lane_seq").and_then(serde_json::Value::as_u64), raw))
        .collect();
    numbered.sort_by_key(|(seq, _)| *seq);
    let mut results = Vec::with_capacity(events.len());
    for (seq, raw) in numbered {
        let Some(seq) = seq.filter(|s| *s > 0) else {
            // Without a number the event cannot be placed in the lane's order; nothing advances.
            results.push(PushResult {
                lane_seq: 0,
                status: PushStatus::Rejected {
                    reason: "the event has no lane_seq".into(),
                },
            });
            continue;
        };
        if seq <= last {
            results.push(PushResult {
                lane_seq: seq,
                status: PushStatus::Duplicate,
            });
            continue;
        }
        if seq > last + 1 {
            results.push(PushResult {
                lane_seq: seq,
                status: PushStatus::Gap { expected: last + 1 },
            });
            continue;
        }
        let verdict = match serde_json::from_value::<Event>(raw.clone()) {
            Err(e) => Err(format!("the event could not be read: {e}")),
            Ok(ev) if ev.lane_id != lane => Err(format!(
                "the event belongs to lane {:?}, not this lane",
                ev.lane_id
            )),
            Ok(ev) => match ledger.contains(ev.id)? {
                true => Err(format!(
                    "event id {} was already used by another event",
                    ev.id
                )),
                false => check(ledger, &ev, store)?.map(|()| ev),
            },
        };
        let status = match verdict {
            Ok(ev) => {
                ledger.append(&ev)?;
                PushStatus::Applied
            }
            Err(reason) => {
                ledger.reject(lane, seq, raw, &reason)?;
                PushStatus::Rejected { reason }
            }
        };
        last = seq;
        results.push(PushResult {
            lane_seq: seq,
            status,
        });
    }
    Ok(PushResponse {
        acked_through: last,
        results,
    })
}

/// What a lane does with the edge's answer to a push of events numbered up to `sent_through`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AfterPush {
    /// Delete outbox events numbered at or below this: the edge holds them durably.
    pub trim_through: u64,
    /// The edge holds fewer than were sent (a gap, or a cut batch): stop and retry later
    /// instead of sending the same batch in a tight loop.
    pub retry_later: bool,
}

pub fn after_push(sent_through: u64, response: &PushResponse) -> AfterPush {
    AfterPush {
        trim_through: response.acked_through,
        retry_later: response.acked_through < sent_through,
    }
}

/// Delay before the next sync attempt after `failures` consecutive failures: exponential from
/// 1 s, capped at 60 s, with "equal jitter" (half fixed, half random from `random`) so lanes that
/// lost the network together do not return in step.
pub fn backoff_ms(failures: u32, random: u32) -> u32 {
    if failures == 0 {
        return 0;
    }
    let ceiling = 1_000u32
        .saturating_mul(1 << failures.min(7).saturating_sub(1))
        .min(60_000);
    ceiling / 2 + random % (ceiling / 2 + 1)
}

/// The ledger contract kept in memory: what the simulation tests and benchmarks run the real
/// ingest rules against (the Durable Object keeps the same contract in SQLite).
pub mod memory {
    use super::Ledger;
    use crate::event::{Event, EventBody};
    use crate::refund::Refund;
    use crate::sale::Sale;
    use rust_decimal::Decimal;
    use std::collections::{BTreeMap, HashMap, HashSet};
    use uuid::Uuid;

    #[derive(Debug, Default, Clone)]
    pub struct MemoryLedger {
        pub last: HashMap<String, u64>,
        pub ids: HashSet<Uuid>,
        /// Applied events in store order (the store sequence is the position + 1).
        pub applied: Vec<Event>,
        /// (lane, lane_seq, reason)
        pub rejected: Vec<(String, u64, String)>,
        /// Stock movements summed per SKU.
        pub stock: BTreeMap<String, Decimal>,
    }

    impl Ledger for MemoryLedger {
        type Error = std::convert::Infallible;
        fn last_applied(&mut self, lane: &str) -> Result<u64, Self::Error> {
            Ok(self.last.get(lane).copied().unwrap_or(0))
        }
        fn contains(&mut self, id: Uuid) -> Result<bool, Self::Error> {
            Ok(self.ids.contains(&id))
        }
        fn sale(&mut self, id: Uuid) -> Result<Option<Sale>, Self::Error> {
            Ok(self.applied.iter().find_map(|e| match &e.body {
                EventBody::SaleCompleted(s) if s.id == id => Some(s.clone()),
                _ => None,
            }))
        }
        fn refunds_of(&mut self, sale_id: Uuid) -> Result<Vec<Refund>, Self::Error> {
            Ok(self
                .applied
                .iter()
                .filter_map(|e| match &e.body {
                    EventBody::RefundIssued(r) if r.sale_id == Some(sale_id) => Some(r.clone()),
                    _ => None,
                })
                .collect())
        }
        fn refund(&mut self, id: Uuid) -> Result<Option<Refund>, Self::Error> {
            Ok(self.applied.iter().find_map(|e| match &e.body {
                EventBody::RefundIssued(r) if r.id == id => Some(r.clone()),
                _ => None,
            }))
        }
        fn voided(&mut self, sale_id: Uuid) -> Result<bool, Self::Error> {
            Ok(self
                .applied
                .iter()
                .any(|e| matches!(&e.body, EventBody::SaleVoided(v) if v.sale_id == sale_id)))
        }
        fn append(&mut self, e: &Event) -> Result<(), Self::Error> {
            for (sku, delta) in e.stock_deltas() {
                *self.stock.entry(sku).or_default() += delta;
            }
            self.ids.insert(e.id);
            self.last.insert(e.lane_id.clone(), e.lane_seq);
            self.applied.push(e.clone());
            Ok(())
        }
        fn reject(
            &mut self,
            lane: &str,
            seq: u64,
            _raw: &serde_json::Value,
            reason: &str,
        ) -> Result<(), Self::Error> {
            self.last.insert(lane.into(), seq);
            self.rejected.push((lane.into(), seq, reason.into()));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventBody;
    use memory::MemoryLedger as MemLedger;

    #[test]
    fn a_lane_skips_kinds_of_change_it_does_not_know() {
        let page: PullResponse = serde_json::from_str(
            r#"{"changes":[{"kind":"loyalty_points","data":{"id":"g1"}},{"kind":"stock","data":{"sku":"a","qty":"3"}}],"cursor":9,"more":false}"#,
        )
        .unwrap();
        assert_eq!(page.changes[0], Change::Unknown);
        assert_eq!(
            page.changes[1],
            Change::Stock {
                sku: "a".into(),
                qty: rust_decimal::Decimal::from(3)
            }
        );
    }

    fn sale_event(lane: &str, seq: u64) -> serde_json::Value {
        use crate::cart::{tests::product, Cart};
        use crate::catalogue::SoldBy;
        use crate::money::{Currency, Money};
        use crate::sale::{Checkout, Sale, Tender};
        use crate::tax::TaxClass;
        let store = StoreSettings::japan("s", "S");
        let mut cart = Cart::default();
        cart.add(
            &product("a", 100, TaxClass::Reduced, SoldBy::Each),
            rust_decimal::Decimal::ONE,
        )
        .unwrap();
        let id = crate::event::new_id(seq, [seq as u8; 10]);
        let tender = Tender::Cash {
            tendered: Money::new(100.into(), Currency::JPY),
        };
        let sale = Sale::complete(
            &cart,
            &store,
            vec![tender],
            Checkout {
                id,
                lane_id: lane,
                receipt_no: format!("{seq}"),
                at_ms: 0,
            },
        )
        .unwrap();
        serde_json::to_value(Event {
            id,
            lane_id: lane.into(),
            lane_seq: seq,
            at_ms: 0,
            v: 1,
            body: EventBody::SaleCompleted(sale),
        })
        .unwrap()
    }

    fn store() -> StoreSettings {
        StoreSettings::japan("s", "S")
    }

    #[test]
    fn retries_are_acknowledged_once_and_gaps_wait() {
        let mut l = MemLedger::default();
        let r = ingest(
            &mut l,
            "A",
            &[sale_event("A", 1), sale_event("A", 2)],
            &store(),
        )
        .unwrap();
        assert_eq!(r.acked_through, 2);
        let r = ingest(
            &mut l,
            "A",
            &[sale_event("A", 2), sale_event("A", 4)],
            &store(),
        )
        .unwrap();
        assert_eq!(r.acked_through, 2);
        assert_eq!(r.results[0].status, PushStatus::Duplicate);
        assert_eq!(r.results[1].status, PushStatus::Gap { expected: 3 });
        let r = ingest(
            &mut l,
            "A",
            &[sale_event("A", 4), sale_event("A", 3)],
            &store(),
        )
        .unwrap();
        assert_eq!(r.acked_through, 4);
        assert_eq!(
            l.applied.iter().map(|e| e.lane_seq).collect::<Vec<_>>(),
            vec![1, 2, 3, 4]
        );
    }

    #[test]
    fn a_bad_event_is_rejected_and_does_not_block_the_lane() {
        let mut l = MemLedger::default();
        let mut bad = sale_event("A", 2);
        bad["data"]["total"] = serde_json::json!("garbage");
        let foreign = sale_event("B", 3);
        let r = ingest(
            &mut l,
            "A",
            &[
                sale_event("A", 1),
                bad,
                foreign,
                sale_event("A", 4),
                serde_json::json!({"x": 1}),
            ],
            &store(),
        )
        .unwrap();
        assert_eq!(r.acked_through, 4);
        assert_eq!(l.applied.len(), 2);
        assert_eq!(l.rejected.len(), 2);
        assert!(
            matches!(&r.results[0].status, PushStatus::Rejected { reason } if reason.contains("lane_seq"))
        );
        let mut forged = sale_event("A", 5);
        forged["data"]["total"]["amount"] = serde_json::json!("1");
        let r = ingest(&mut l, "A", &[forged], &store()).unwrap();
        assert_eq!(r.acked_through, 5);
        assert!(l.rejected.last().unwrap().2.contains("does not match"));
    }

    #[test]
    fn a_void_reverses_its_sale_once_and_a_voided_sale_cannot_be_refunded() {
        use crate::refund::{RefundTo, ReturnLine, ReturnOrder};
        use crate::void::SaleVoid;
        let mut l = MemLedger::default();
        let sale_json = sale_event("A", 1);
        let sale: Event = serde_json::from_value(sale_json.clone()).unwrap();
        let EventBody::SaleCompleted(s) = &sale.body else {
            unreachable!()
        };
        let event = |seq: u64, body: EventBody| {
            serde_json::to_value(Event {
                id: crate::event::new_id(1000 + seq, [seq as u8; 10]),
                lane_id: "A".into(),
                lane_seq: seq,
                at_ms: 0,
                v: 1,
                body,
            })
            .unwrap()
        };
        let void = SaleVoid::of(s, "customer changed mind", Some("m1"), None).unwrap();
        let refund = crate::refund::Refund::against(
            crate::sale::Checkout {
                id: crate::event::new_id(1004, [4; 10]),
                lane_id: "A",
                receipt_no: "r".into(),
                at_ms: 0,
            },
            &store(),
            s,
            &[],
            ReturnOrder {
                lines: vec![ReturnLine {
                    line: 0,
                    qty: rust_decimal::Decimal::ONE,
                }],
                to: RefundTo::OriginalTenders,
                reason: "broken".into(),
                approved_by: None,
            },
        );
        let r = ingest(
            &mut l,
            "A",
            &[
                sale_json,
                event(2, EventBody::SaleVoided(void.clone())),
                event(3, EventBody::SaleVoided(void)),
            ],
            &store(),
        )
        .unwrap();
        let statuses: Vec<_> = r.results.iter().map(|x| &x.status).collect();
        assert_eq!(statuses[0], &PushStatus::Applied);
        assert_eq!(statuses[1], &PushStatus::Applied);
        assert!(
            matches!(statuses[2], PushStatus::Rejected { reason } if reason.contains("already voided"))
        );
        // Stock back to where it was; the day nets to zero sales.
        assert_eq!(
            l.stock.get("a").copied().unwrap_or_default(),
            rust_decimal::Decimal::ZERO
        );
        let count: i64 = l.applied.iter().map(Event::sales_count_effect).sum();
        assert_eq!(count, 0);
        // A refund made on a lane that had not heard of the void is refused at the edge.
        let refund = refund.unwrap();
        let r = ingest(
            &mut l,
            "A",
            &[event(4, EventBody::RefundIssued(refund))],
            &store(),
        )
        .unwrap();
        assert!(
            matches!(&r.results[0].status, PushStatus::Rejected { reason } if reason.contains("voided"))
        );
    }

    #[test]
    fn an_exchange_books_its_return_then_the_sale_that_spends_it() {
        use crate::exchange::{Exchange, ExchangeOrder};
        use crate::refund::ReturnLine;
        let mut l = MemLedger::default();
        let sale_json = sale_event("A", 1);
        let sale: Event = serde_json::from_value(sale_json.clone()).unwrap();
        let EventBody::SaleCompleted(s) = &sale.body else {
            unreachable!()
        };
        let ck = |seq: u64| crate::sale::Checkout {
            id: crate::event::new_id(2000 + seq, [seq as u8; 10]),
            lane_id: "A",
            receipt_no: format!("x{seq}"),
            at_ms: 0,
        };
        let mut cart = crate::cart::Cart::default();
        cart.add(
            &crate::cart::tests::product(
                "b",
                100,
                crate::tax::TaxClass::Reduced,
                crate::catalogue::SoldBy::Each,
            ),
            rust_decimal::Decimal::ONE,
        )
        .unwrap();
        let x = Exchange::against(
            &store(),
            s,
            &[],
            ExchangeOrder {
                returned: vec![ReturnLine {
                    line: 0,
                    qty: rust_decimal::Decimal::ONE,
                }],
                reason: "flavour".into(),
                approved_by: None,
            },
            &cart,
            vec![],
            ck(2),
            ck(3),
        )
        .unwrap();
        let event = |seq: u64, id: Uuid, body: EventBody| {
            serde_json::to_value(Event {
                id,
                lane_id: "A".into(),
                lane_seq: seq,
                at_ms: 0,
                v: 1,
                body,
            })
            .unwrap()
        };
        // The sale alone (its return not booked): its credit is made up, and refused.
        let mut other = MemLedger::default();
        let r = ingest(
            &mut other,
            "A",
            &[
                sale_json.clone(),
                event(2, x.sale.id, EventBody::SaleCompleted(x.sale.clone())),
            ],
            &store(),
        )
        .unwrap();
        assert!(
            matches!(&r.results[1].status, PushStatus::Rejected { reason } if reason.contains("does not have"))
        );
        // In lane order, the return then the sale: both booked; stock nets out.
        let r = ingest(
            &mut l,
            "A",
            &[
                sale_json,
                event(2, x.refund.id, EventBody::RefundIssued(x.refund.clone())),
                event(3, x.sale.id, EventBody::SaleCompleted(x.sale.clone())),
            ],
            &store(),
        )
        .unwrap();
        assert!(
            r.results.iter().all(|x| x.status == PushStatus::Applied),
            "{:?}",
            r.results
        );
        assert_eq!(
            l.stock.get("a").copied().unwrap_or_default(),
            rust_decimal::Decimal::ZERO
        );
        assert_eq!(
            l.stock.get("b").copied().unwrap_or_default(),
            -rust_decimal::Decimal::ONE
        );
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        assert_eq!(backoff_ms(0, 123), 0);
        assert!((500..=1000).contains(&backoff_ms(1, u32::MAX)));
        assert!((30_000..=60_000).contains(&backoff_ms(30, 7)));
        assert_ne!(backoff_ms(3, 0), backoff_ms(3, 1_000));
    }
}
