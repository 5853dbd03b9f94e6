//! One Durable Object per store: the only place that orders a store's events. It keeps the
//! event journal, lane cursors, rejected events, stock (a sum of deltas), the catalogue with
//! server versions, and the daily roll-ups, in its SQLite storage.
//!
//! Atomicity: the Workers runtime commits all storage writes made without an intervening `await`
//! as one atomic unit (automatic write coalescing). `ingest` runs synchronously from first read to
//! last write, so a push's effects land together or not at all.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use till_core::catalogue::Product;
use till_core::event::{Event, EventBody};
use till_core::money::{Currency, Money};
use till_core::refund::Refund;
use till_core::report::Contribution;
use till_core::sale::Sale;
use till_core::staff::{self as staff_rules, Role, StaffMember, Verifier, PIN_ITERATIONS};
use till_core::store::StoreSettings;
use till_core::sync::{self, Change, Ledger, PullResponse, PushResponse};
use till_core::{Decimal, Uuid};
use worker::*;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
  store_seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE, lane_id TEXT NOT NULL, lane_seq INTEGER NOT NULL,
  kind TEXT NOT NULL, at_ms INTEGER NOT NULL, business_day TEXT, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rejected (
  lane_id TEXT NOT NULL, lane_seq INTEGER NOT NULL, reason TEXT NOT NULL, body TEXT NOT NULL,
  received_ms INTEGER NOT NULL, PRIMARY KEY (lane_id, lane_seq));
CREATE TABLE IF NOT EXISTS lanes (lane_id TEXT PRIMARY KEY, last_applied INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS stock (sku TEXT PRIMARY KEY, qty TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS products (sku TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS products_by_version ON products(version);
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS daily (business_day TEXT PRIMARY KEY, net_minor INTEGER NOT NULL, sales INTEGER NOT NULL);
";

/// Changes to the store's SQLite after its first version, applied once each, in order; the
/// number reached is kept in `meta` ('schema_version'). Existing data is kept.
const MIGRATIONS: &[&str] = &[
    // 2: refunds point at their sale, so a refund is checked against the ones before it.
    "ALTER TABLE events ADD COLUMN ref_id TEXT; CREATE INDEX IF NOT EXISTS events_by_ref ON events(ref_id);",
    // 3: one change version for everything a lane pulls (products, stock, settings), so a single
    // cursor pages through all of it; the catalogue's counter becomes that counter.
    "UPDATE meta SET k = 'change_version' WHERE k = 'catalogue_version';
     ALTER TABLE stock ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
     CREATE INDEX IF NOT EXISTS stock_by_version ON stock(version);
     CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL, version INTEGER NOT NULL);",
    // 4: a day's report remembers that events arrived after the day had closed (a lane offline
    // overnight), how many, and when it last changed that way.
    "ALTER TABLE daily ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE daily ADD COLUMN revised_ms INTEGER;",
    // 5: customers made on lanes, passed on to every lane by pull.
    "CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL);
     CREATE INDEX IF NOT EXISTS customers_by_version ON customers(version);",
    // 6: the store's staff (names, roles, PIN verifiers), passed on to lanes by pull.
    "CREATE TABLE IF NOT EXISTS staff (id TEXT PRIMARY KEY, version INTEGER NOT NULL, body TEXT NOT NULL);
     CREATE INDEX IF NOT EXISTS staff_by_version ON staff(version);",
    // 7: a day's detail for the owner's dashboard, summed as events arrive: by local hour, by
    // tender kind, by lane and by product (quantities in thousandths, exact for grams).
    "CREATE TABLE IF NOT EXISTS day_hours (business_day TEXT NOT NULL, hour INTEGER NOT NULL, net_minor INTEGER NOT NULL, sales INTEGER NOT NULL, PRIMARY KEY (business_day, hour));
     CREATE TABLE IF NOT EXISTS day_tenders (business_day TEXT NOT NULL, kind TEXT NOT NULL, net_minor INTEGER NOT NULL, PRIMARY KEY (business_day, kind));
     CREATE TABLE IF NOT EXISTS day_lanes (business_day TEXT NOT NULL, lane_id TEXT NOT NULL, net_minor INTEGER NOT NULL, sales INTEGER NOT NULL, PRIMARY KEY (business_day, lane_id));
     CREATE TABLE IF NOT EXISTS day_products (business_day TEXT NOT NULL, sku TEXT NOT NULL, name TEXT NOT NULL, qty_milli INTEGER NOT NULL, net_minor INTEGER NOT NULL, PRIMARY KEY (business_day, sku));
     CREATE INDEX IF NOT EXISTS day_products_by_net ON day_products(business_day, net_minor);",
    // 8: exports read a range of business days.
    "CREATE INDEX IF NOT EXISTS events_by_day ON events(business_day, store_seq);",
    // 9: gift card balances (a sum of loads, payments and refunds, like stock), passed on to
    // lanes by pull.
    "CREATE TABLE IF NOT EXISTS gift_cards (code TEXT PRIMARY KEY, balance TEXT NOT NULL, version INTEGER NOT NULL);
     CREATE INDEX IF NOT EXISTS gift_cards_by_version ON gift_cards(version);",
];

fn migrate(sql: &SqlStorage) -> Result<()> {
    sql.exec(SCHEMA, None)?;
    let done = meta(sql, "schema_version")?.max(1) as usize;
    for (i, step) in MIGRATIONS.iter().enumerate().skip(done - 1) {
        sql.exec(step, None)?;
        sql.exec(
            "INSERT INTO meta (k, v) VALUES ('schema_version', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
            vec![SqlStorageValue::Integer(i as i64 + 2)],
        )?;
    }
    Ok(())
}

/// Most changes one pull returns.
pub const PULL_PAGE: usize = 5_000;

/// What the Worker asks the store object to do.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum StoreRequest {
    Push {
        lane_id: String,
        settings: StoreSettings,
        events: Vec<serde_json::Value>,
    },
    Pull {
        cursor: u64,
        limit: usize,
        /// The lane's protocol: changes it could not read are left out.
        #[serde(default = "protocol_1")]
        protocol: u16,
        /// The store's settings as the directory (D1) has them now; a change is versioned here.
        settings: StoreSettings,
    },
    ImportCatalogue {
        products: Vec<Product>,
    },
    /// The most recent events refused for good, newest first.
    Rejected {
        limit: usize,
    },
    /// Add or change a member of staff (the Worker has checked the owner and the fields).
    PutStaff(StaffEdit),
    /// The store's staff, without their PIN verifiers.
    ListStaff,
    /// The sales, refunds and voids of business days `from`..=`to` in store order, for an
    /// export; at most `limit` of them (more is refused, not cut short).
    Export {
        from: String,
        to: String,
        limit: usize,
    },
    /// Products below their reorder level, and any sold below zero, with a suggested order from
    /// the last `days` days' sales (`today` is the store's business day now).
    LowStock {
        today: String,
        days: u32,
        lead_days: u32,
        cover_days: u32,
    },
    /// A business day's hourly, tender, lane and product sums.
    DayDetail {
        business_day: String,
        currency: Currency,
        top: usize,
    },
}

/// The records of an export, and the sales the voids among them reverse.
#[derive(Debug, Serialize, Deserialize)]
pub struct ExportRecords {
    pub events: Vec<Event>,
    pub voided_sales: Vec<Sale>,
    /// More than the limit: nothing was returned.
    pub too_many: bool,
}

/// What the store object knows of a day beyond its totals (the Worker adds the comparison).
#[derive(Debug, Serialize, Deserialize)]
pub struct DaySums {
    pub hourly: Vec<(u32, Money, i64)>,
    pub tenders: Vec<(String, Money)>,
    /// (lane id, net, sales).
    pub lanes: Vec<(String, Money, i64)>,
    pub top: Vec<(String, String, Decimal, Money)>,
}

fn protocol_1() -> u16 {
    1
}

/// An owner's change to a member of staff. `pin` is the new PIN in clear, only on its way to
/// becoming a verifier here; it is never stored.
#[derive(Debug, Serialize, Deserialize)]
pub struct StaffEdit {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    #[serde(default)]
    pub pin: Option<String>,
    /// Random salt for the new verifier, from the Worker (the object has no RNG of its own).
    pub salt: [u8; 16],
}

/// What the owner sees of a member of staff.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StaffRow {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
}

/// The object's answer to `PutStaff`: the member, or why not (a sentence for the owner).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffOutcome {
    Saved(StaffRow),
    Refused(String),
}

/// One business day's totals, as the store object knows them after a push.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DayTotals {
    pub business_day: String,
    pub net_minor: i64,
    pub sales: i64,
    /// Events booked to this day after it had closed.
    pub late: i64,
    /// When the last of those arrived: the day's report changed then.
    pub revised_ms: Option<i64>,
}

/// An event the store refused for good, as the owner sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RejectedEvent {
    pub lane_id: String,
    pub lane_seq: i64,
    pub reason: String,
    pub received_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PushOutcome {
    #[serde(flatten)]
    pub response: PushResponse,
    /// Absolute totals of every day this push touched (idempotent to copy into D1).
    pub days: Vec<DayTotals>,
}

#[durable_object]
pub struct StoreObject {
    state: State,
}

impl DurableObject for StoreObject {
    fn new(state: State, _env: Env) -> Self {
        if let Err(e) = migrate(&state.storage().sql()) {
            console_error!("store schema: {e}");
        }
        StoreObject { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let request: StoreRequest = req.json().await?;
        let sql = self.state.storage().sql();
        match request {
            StoreRequest::Push {
                lane_id,
                settings,
                events,
            } => {
                let now = Date::now().as_millis() as i64;
                let mut ledger = SqlLedger {
                    sql: &sql,
                    days: BTreeSet::new(),
                    version: meta(&sql, CHANGE_VERSION)?,
                    now,
                    today: till_core::time::business_day(now, settings.utc_offset_minutes),
                    utc_offset_minutes: settings.utc_offset_minutes,
                };
                let response = sync::ingest(&mut ledger, &lane_id, &events, &settings)?;
                set_meta(&sql, CHANGE_VERSION, ledger.version)?;
                let days = ledger.day_totals()?;
                Response::from_json(&PushOutcome { response, days })
            }
            StoreRequest::Pull {
                cursor,
                limit,
                protocol,
                settings,
            } => {
                record_settings(&sql, &settings)?;
                Response::from_json(&pull(&sql, cursor, limit.clamp(1, PULL_PAGE), protocol)?)
            }
            StoreRequest::PutStaff(edit) => Response::from_json(&put_staff(&sql, edit)?),
            StoreRequest::LowStock {
                today,
                days,
                lead_days,
                cover_days,
            } => Response::from_json(&low_stock(
                &sql,
                &today,
                days.clamp(1, 90),
                lead_days,
                cover_days,
            )?),
            StoreRequest::Export { from, to, limit } => {
                Response::from_json(&export(&sql, &from, &to, limit)?)
            }
            StoreRequest::DayDetail {
                business_day,
                currency,
                top,
            } => Response::from_json(&day_sums(&sql, &business_day, currency, top.min(100))?),
            StoreRequest::ListStaff => {
                let members = staff(&sql)?;
                let rows: Vec<StaffRow> = members
                    .into_iter()
                    .map(|m| StaffRow {
                        id: m.id,
                        name: m.name,
                        role: m.role,
                        active: m.active,
                    })
                    .collect();
                Response::from_json(&rows)
            }
            StoreRequest::ImportCatalogue { products } => {
                Response::from_json(&import(&sql, products)?)
            }
            StoreRequest::Rejected { limit } => {
                let rows: Vec<RejectedEvent> = sql
                    .exec(
                        "SELECT lane_id, lane_seq, reason, received_ms FROM rejected ORDER BY received_ms DESC, lane_id, lane_seq LIMIT ?",
                        vec![SqlStorageValue::Integer(limit.min(1_000) as i64)],
                    )?
                    .to_array()?;
                Response::from_json(&rows)
            }
        }
    }
}

#[derive(Deserialize)]
struct LastRow {
    last_applied: i64,
}
#[derive(Deserialize)]
struct CountRow {
    n: i64,
}
#[derive(Deserialize)]
struct QtyRow {
    qty: String,
}
/// Any row read for its `body` column (an event, a product, the settings).
#[derive(Deserialize)]
struct BodyRow {
    body: String,
}
#[derive(Deserialize)]
struct MetaRow {
    v: i64,
}

struct SqlLedger<'a> {
    sql: &'a SqlStorage,
    /// Business days this push added sales to.
    days: BTreeSet<String>,
    /// The store's change version: each stock row this push moves gets the next one (written
    /// back to `meta` once, at the end of the push).
    version: i64,
    now: i64,
    /// The store's business day now: an event of an earlier day arrives late.
    today: String,
    /// The store's offset from UTC: the hour an event counts in.
    utc_offset_minutes: i32,
}

impl SqlLedger<'_> {
    fn set_last(&self, lane: &str, seq: u64) -> Result<()> {
        self.sql.exec(
            "INSERT INTO lanes (lane_id, last_applied) VALUES (?, ?) ON CONFLICT(lane_id) DO UPDATE SET last_applied = excluded.last_applied",
            vec![lane.into(), SqlStorageValue::try_from_i64(seq as i64)?],
        )?;
        Ok(())
    }

    /// A booked event's body by id, if it is of `kind`.
    fn event_of_kind(&self, id: Uuid, kind: &str) -> Result<Option<EventBody>> {
        let rows: Vec<BodyRow> = self
            .sql
            .exec(
                "SELECT body FROM events WHERE id = ? AND kind = ?",
                vec![id.to_string().into(), kind.into()],
            )?
            .to_array()?;
        rows.first()
            .map(|r| serde_json::from_str::<Event>(&r.body).map(|e| e.body))
            .transpose()
            .map_err(|e| Error::from(format!("stored event {id}: {e}")))
    }

    fn add_stock(&mut self, sku: &str, delta: Decimal) -> Result<()> {
        self.add_to_sum(
            "SELECT qty FROM stock WHERE sku = ?",
            "INSERT INTO stock (sku, qty, version) VALUES (?, ?, ?) ON CONFLICT(sku) DO UPDATE SET qty = excluded.qty, version = excluded.version",
            sku,
            delta,
        )
    }

    fn add_gift_card(&mut self, code: &str, delta: Decimal) -> Result<()> {
        self.add_to_sum(
            "SELECT balance AS qty FROM gift_cards WHERE code = ?",
            "INSERT INTO gift_cards (code, balance, version) VALUES (?, ?, ?) ON CONFLICT(code) DO UPDATE SET balance = excluded.balance, version = excluded.version",
            code,
            delta,
        )
    }

    /// Add `delta` to a running sum kept as exact decimal text (a stock level, a card balance);
    /// the row gets the next change version so lanes pull it.
    fn add_to_sum(&mut self, read: &str, write: &str, key: &str, delta: Decimal) -> Result<()> {
        let rows: Vec<QtyRow> = self.sql.exec(read, vec![key.into()])?.to_array()?;
        let current = rows
            .first()
            .and_then(|r| r.qty.parse::<Decimal>().ok())
            .unwrap_or(Decimal::ZERO);
        let next = current
            .checked_add(delta)
            .ok_or_else(|| Error::from("a running total overflowed"))?;
        self.version += 1;
        self.sql.exec(
            write,
            vec![
                key.into(),
                next.to_string().into(),
                SqlStorageValue::try_from_i64(self.version)?,
            ],
        )?;
        Ok(())
    }

    /// Add an event's contribution to its day's hourly, tender, lane and product sums.
    fn add_day_sums(&self, c: &Contribution) -> Result<()> {
        let minor = |m: &Money| -> Result<SqlStorageValue> {
            SqlStorageValue::try_from_i64(m.to_minor().map_err(|e| Error::from(e.to_string()))?)
        };
        let day = || SqlStorageValue::from(c.business_day.as_str());
        self.sql.exec(
            "INSERT INTO day_hours (business_day, hour, net_minor, sales) VALUES (?, ?, ?, ?)
             ON CONFLICT(business_day, hour) DO UPDATE SET net_minor = net_minor + excluded.net_minor, sales = sales + excluded.sales",
            vec![day(), SqlStorageValue::Integer(i64::from(c.hour)), minor(&c.net)?, SqlStorageValue::Integer(c.sales)],
        )?;
        self.sql.exec(
            "INSERT INTO day_lanes (business_day, lane_id, net_minor, sales) VALUES (?, ?, ?, ?)
             ON CONFLICT(business_day, lane_id) DO UPDATE SET net_minor = net_minor + excluded.net_minor, sales = sales + excluded.sales",
            vec![day(), c.lane_id.as_str().into(), minor(&c.net)?, SqlStorageValue::Integer(c.sales)],
        )?;
        for (kind, amount) in &c.tenders {
            self.sql.exec(
                "INSERT INTO day_tenders (business_day, kind, net_minor) VALUES (?, ?, ?)
                 ON CONFLICT(business_day, kind) DO UPDATE SET net_minor = net_minor + excluded.net_minor",
                vec![day(), kind.as_str().into(), minor(amount)?],
            )?;
        }
        for (sku, name, qty, amount) in &c.products {
            // Thousandths are exact for every quantity a till sells (pieces, grams).
            let milli = (*qty * Decimal::from(1000)).trunc();
            let milli: i64 = milli
                .try_into()
                .map_err(|_| Error::from("quantity out of range"))?;
            self.sql.exec(
                "INSERT INTO day_products (business_day, sku, name, qty_milli, net_minor) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT(business_day, sku) DO UPDATE SET qty_milli = qty_milli + excluded.qty_milli, net_minor = net_minor + excluded.net_minor",
                vec![day(), sku.as_str().into(), name.as_str().into(), SqlStorageValue::try_from_i64(milli)?, minor(amount)?],
            )?;
        }
        Ok(())
    }

    fn day_totals(&self) -> Result<Vec<DayTotals>> {
        self.days
            .iter()
            .map(|day| {
                let rows: Vec<DayTotals> = self
                    .sql
                    .exec(
                        "SELECT business_day, net_minor, sales, late, revised_ms FROM daily WHERE business_day = ?",
                        vec![day.as_str().into()],
                    )?
                    .to_array()?;
                rows.into_iter()
                    .next()
                    .ok_or_else(|| Error::from("missing daily row"))
            })
            .collect()
    }
}

impl Ledger for SqlLedger<'_> {
    type Error = Error;

    fn last_applied(&mut self, lane: &str) -> Result<u64> {
        let rows: Vec<LastRow> = self
            .sql
            .exec(
                "SELECT last_applied FROM lanes WHERE lane_id = ?",
                vec![lane.into()],
            )?
            .to_array()?;
        Ok(rows
            .first()
            .map(|r| r.last_applied.max(0) as u64)
            .unwrap_or(0))
    }

    fn contains(&mut self, id: Uuid) -> Result<bool> {
        let row: CountRow = self
            .sql
            .exec(
                "SELECT COUNT(*) AS n FROM events WHERE id = ?",
                vec![id.to_string().into()],
            )?
            .one()?;
        Ok(row.n > 0)
    }

    fn sale(&mut self, id: Uuid) -> Result<Option<Sale>> {
        Ok(match self.event_of_kind(id, "sale_completed")? {
            Some(EventBody::SaleCompleted(s)) => Some(s),
            _ => None,
        })
    }

    fn refunds_of(&mut self, sale_id: Uuid) -> Result<Vec<Refund>> {
        let rows: Vec<BodyRow> = self
            .sql
            .exec(
                "SELECT body FROM events WHERE ref_id = ? AND kind = 'refund_issued' ORDER BY store_seq",
                vec![sale_id.to_string().into()],
            )?
            .to_array()?;
        rows.iter()
            .map(|r| match serde_json::from_str::<Event>(&r.body) {
                Ok(Event {
                    body: EventBody::RefundIssued(refund),
                    ..
                }) => Ok(refund),
                Ok(_) => Err(Error::from("a stored refund is not a refund")),
                Err(e) => Err(Error::from(format!("stored refund: {e}"))),
            })
            .collect()
    }

    fn refund(&mut self, id: Uuid) -> Result<Option<Refund>> {
        Ok(match self.event_of_kind(id, "refund_issued")? {
            Some(EventBody::RefundIssued(r)) => Some(r),
            _ => None,
        })
    }

    fn voided(&mut self, sale_id: Uuid) -> Result<bool> {
        let row: CountRow = self
            .sql
            .exec(
                "SELECT COUNT(*) AS n FROM events WHERE ref_id = ? AND kind = 'sale_voided'",
                vec![sale_id.to_string().into()],
            )?
            .one()?;
        Ok(row.n > 0)
    }

    fn append(&mut self, ev: &Event) -> Result<()> {
        let body = serde_json::to_string(ev).map_err(|e| Error::from(e.to_string()))?;
        let ref_id = ev.ref_id().map(|id| SqlStorageValue::from(id.to_string()));
        let day = ev.business_day();
        self.sql.exec(
            "INSERT INTO events (id, lane_id, lane_seq, kind, at_ms, business_day, body, ref_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                ev.id.to_string().into(),
                ev.lane_id.as_str().into(),
                SqlStorageValue::try_from_i64(ev.lane_seq as i64)?,
                ev.kind().into(),
                SqlStorageValue::try_from_i64(ev.at_ms)?,
                day.map(SqlStorageValue::from).unwrap_or(SqlStorageValue::Null),
                body.into(),
                ref_id.unwrap_or(SqlStorageValue::Null),
            ],
        )?;
        for (sku, delta) in ev.stock_deltas() {
            self.add_stock(&sku, delta)?;
        }
        for (code, delta) in ev.gift_card_deltas() {
            self.add_gift_card(&code, delta)?;
        }
        if let EventBody::CustomerCreated(c) = &ev.body {
            self.version += 1;
            let body = serde_json::to_string(c).map_err(|e| Error::from(e.to_string()))?;
            self.sql.exec(
                "INSERT INTO customers (id, version, body) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET version = excluded.version, body = excluded.body",
                vec![c.id.to_string().into(), SqlStorageValue::try_from_i64(self.version)?, body.into()],
            )?;
        }
        if let (Some(day), Some(net)) = (day, ev.net_effect()) {
            // core's check already refused amounts in another currency or beyond the JS-safe range.
            let net = net.to_minor().map_err(|e| Error::from(e.to_string()))?;
            let sales = ev.sales_count_effect();
            // Booked to its own day however late it comes; the day's report says it changed.
            let late = day < self.today.as_str();
            let (late_n, revised) = if late {
                (1, SqlStorageValue::try_from_i64(self.now)?)
            } else {
                (0, SqlStorageValue::Null)
            };
            self.sql.exec(
                "INSERT INTO daily (business_day, net_minor, sales, late, revised_ms) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT(business_day) DO UPDATE SET net_minor = net_minor + excluded.net_minor, sales = sales + excluded.sales,
                   late = late + excluded.late, revised_ms = COALESCE(excluded.revised_ms, revised_ms)",
                vec![day.into(), SqlStorageValue::try_from_i64(net)?, SqlStorageValue::Integer(sales), SqlStorageValue::Integer(late_n), revised],
            )?;
            self.days.insert(day.to_string());
        }
        if let Some(c) = Contribution::of(ev, self.utc_offset_minutes) {
            self.add_day_sums(&c)?;
        }
        self.set_last(&ev.lane_id, ev.lane_seq)
    }

    fn reject(
        &mut self,
        lane: &str,
        seq: u64,
        raw: &serde_json::Value,
        reason: &str,
    ) -> Result<()> {
        self.sql.exec(
            "INSERT OR REPLACE INTO rejected (lane_id, lane_seq, reason, body, received_ms) VALUES (?, ?, ?, ?, ?)",
            vec![
                lane.into(),
                SqlStorageValue::try_from_i64(seq as i64)?,
                reason.into(),
                raw.to_string().into(),
                SqlStorageValue::try_from_i64(Date::now().as_millis() as i64)?,
            ],
        )?;
        self.set_last(lane, seq)
    }
}

fn meta(sql: &SqlStorage, key: &str) -> Result<i64> {
    let rows: Vec<MetaRow> = sql
        .exec("SELECT v FROM meta WHERE k = ?", vec![key.into()])?
        .to_array()?;
    Ok(rows.first().map(|r| r.v).unwrap_or(0))
}

/// The store-wide counter every change a lane pulls is numbered by.
const CHANGE_VERSION: &str = "change_version";

fn set_meta(sql: &SqlStorage, key: &str, value: i64) -> Result<()> {
    sql.exec(
        "INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v",
        vec![key.into(), SqlStorageValue::try_from_i64(value)?],
    )?;
    Ok(())
}

/// Version the store's settings when they differ from the last ones lanes were sent.
fn record_settings(sql: &SqlStorage, settings: &StoreSettings) -> Result<()> {
    let body = serde_json::to_string(settings).map_err(|e| Error::from(e.to_string()))?;
    let rows: Vec<BodyRow> = sql
        .exec("SELECT body FROM settings WHERE id = 1", None)?
        .to_array()?;
    if rows.first().is_some_and(|r| r.body == body) {
        return Ok(());
    }
    let version = meta(sql, CHANGE_VERSION)? + 1;
    sql.exec(
        "INSERT INTO settings (id, body, version) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET body = excluded.body, version = excluded.version",
        vec![body.into(), SqlStorageValue::try_from_i64(version)?],
    )?;
    set_meta(sql, CHANGE_VERSION, version)
}

#[derive(Deserialize)]
struct ChangeRow {
    kind: String,
    key: String,
    version: i64,
    body: String,
}

/// Everything changed after `cursor` (a change version), oldest first: products, stock levels,
/// customers, settings and (protocol 2 on) staff, numbered by one counter so one cursor pages
/// through all of them. A lane of an older protocol skips what it could not read.
fn pull(sql: &SqlStorage, cursor: u64, limit: usize, protocol: u16) -> Result<PullResponse> {
    let cursor = SqlStorageValue::try_from_i64(cursor as i64)?;
    let staff = if protocol >= 2 {
        " UNION ALL SELECT 'staff', id, version, body FROM staff WHERE version > ?1"
    } else {
        ""
    };
    // Gift card balances go to lanes that read them (protocol 3 on).
    let cards = if protocol >= 3 {
        " UNION ALL SELECT 'gift_card', code, version, balance FROM gift_cards WHERE version > ?1"
    } else {
        ""
    };
    // The store object's SQLite allows at most five terms in one compound SELECT: the kinds
    // are two compounds, each in its own subquery.
    let changed = format!(
        "SELECT * FROM (SELECT 'product' AS kind, sku AS key, version, body FROM products WHERE version > ?1
         UNION ALL SELECT 'stock', sku, version, qty FROM stock WHERE version > ?1
         UNION ALL SELECT 'settings', '', version, body FROM settings WHERE version > ?1)
         UNION ALL SELECT * FROM (SELECT 'customer' AS kind, id AS key, version, body FROM customers WHERE version > ?1{staff}{cards})"
    );
    let rows: Vec<ChangeRow> = sql
        .exec(
            &format!("{changed} ORDER BY version LIMIT ?2"),
            vec![cursor.clone(), SqlStorageValue::Integer(limit as i64 + 1)],
        )?
        .to_array()?;
    let total: CountRow = sql
        .exec(
            &format!("SELECT COUNT(*) AS n FROM ({changed})"),
            vec![cursor],
        )?
        .one()?;
    let more = rows.len() > limit;
    let mut changes = Vec::with_capacity(limit.min(rows.len()));
    let mut last = None;
    let bad = |e: &dyn std::fmt::Display| Error::from(e.to_string());
    for row in rows.into_iter().take(limit) {
        last = Some(row.version as u64);
        changes.push(match row.kind.as_str() {
            "product" => {
                let mut p: Product = serde_json::from_str(&row.body).map_err(|e| bad(&e))?;
                p.version = row.version as u64;
                Change::Product(p)
            }
            "stock" => Change::Stock {
                sku: row.key,
                qty: row.body.parse().map_err(|e| bad(&e))?,
            },
            "customer" => Change::Customer(serde_json::from_str(&row.body).map_err(|e| bad(&e))?),
            "staff" => Change::Staff(serde_json::from_str(&row.body).map_err(|e| bad(&e))?),
            "gift_card" => Change::GiftCard {
                code: row.key,
                balance: row.body.parse().map_err(|e| bad(&e))?,
            },
            _ => Change::Settings(serde_json::from_str(&row.body).map_err(|e| bad(&e))?),
        });
    }
    let cursor = last.unwrap_or(meta(sql, CHANGE_VERSION)? as u64);
    Ok(PullResponse {
        changes,
        cursor,
        more,
        total: total.n as u64,
    })
}

#[derive(Serialize)]
struct ImportOutcome {
    changed: usize,
    unchanged: usize,
    version: i64,
}

/// Upsert products by SKU. Only a product whose content changed gets a new version, so
/// re-importing the same catalogue sends nothing new to lanes.
fn import(sql: &SqlStorage, products: Vec<Product>) -> Result<ImportOutcome> {
    let mut version = meta(sql, CHANGE_VERSION)?;
    let (mut changed, mut unchanged) = (0, 0);
    for mut p in products {
        p.version = 0;
        let body = serde_json::to_string(&p).map_err(|e| Error::from(e.to_string()))?;
        let existing: Vec<BodyRow> = sql
            .exec(
                "SELECT body FROM products WHERE sku = ?",
                vec![p.sku.as_str().into()],
            )?
            .to_array()?;
        if existing.first().is_some_and(|r| r.body == body) {
            unchanged += 1;
            continue;
        }
        version += 1;
        sql.exec(
            "INSERT INTO products (sku, version, body) VALUES (?, ?, ?) ON CONFLICT(sku) DO UPDATE SET version = excluded.version, body = excluded.body",
            vec![p.sku.as_str().into(), SqlStorageValue::try_from_i64(version)?, body.into()],
        )?;
        changed += 1;
    }
    set_meta(sql, CHANGE_VERSION, version)?;
    Ok(ImportOutcome {
        changed,
        unchanged,
        version,
    })
}

/// Every member of the store's staff, verifiers included.
fn staff(sql: &SqlStorage) -> Result<Vec<StaffMember>> {
    let rows: Vec<BodyRow> = sql
        .exec("SELECT body FROM staff ORDER BY id", None)?
        .to_array()?;
    rows.iter()
        .map(|r| serde_json::from_str(&r.body).map_err(|e| Error::from(e.to_string())))
        .collect()
}

/// Add or change a member of staff. A new PIN must be a good PIN and no other active member's
/// (the PIN alone tells the till who is signing in); only its verifier is kept. The change gets
/// the store's next change version, so lanes receive it on their next pull.
fn put_staff(sql: &SqlStorage, edit: StaffEdit) -> Result<StaffOutcome> {
    let refuse = |e: staff_rules::StaffError| Ok(StaffOutcome::Refused(e.to_string()));
    let name = match staff_rules::validate_name(&edit.name) {
        Ok(n) => n,
        Err(e) => return refuse(e),
    };
    let members = staff(sql)?;
    let existing = members.iter().find(|m| m.id == edit.id);
    let pin = match (&edit.pin, existing) {
        (Some(pin), _) => {
            if let Err(e) = staff_rules::validate_pin(pin) {
                return refuse(e);
            }
            let taken = members
                .iter()
                .filter(|m| m.active && m.id != edit.id)
                .any(|m| m.pin_matches(pin));
            if taken {
                return Ok(StaffOutcome::Refused(
                    "another member of staff has that PIN: choose a different one".into(),
                ));
            }
            Verifier::derive(pin, edit.salt, PIN_ITERATIONS).to_string()
        }
        (None, Some(m)) => m.pin.clone(),
        (None, None) => {
            return Ok(StaffOutcome::Refused(
                "a new member of staff needs a PIN".into(),
            ))
        }
    };
    let member = StaffMember {
        id: edit.id,
        name,
        role: edit.role,
        pin,
        active: edit.active,
    };
    let version = meta(sql, CHANGE_VERSION)? + 1;
    let body = serde_json::to_string(&member).map_err(|e| Error::from(e.to_string()))?;
    sql.exec(
        "INSERT INTO staff (id, version, body) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET version = excluded.version, body = excluded.body",
        vec![member.id.as_str().into(), SqlStorageValue::try_from_i64(version)?, body.into()],
    )?;
    set_meta(sql, CHANGE_VERSION, version)?;
    Ok(StaffOutcome::Saved(StaffRow {
        id: member.id,
        name: member.name,
        role: member.role,
        active: member.active,
    }))
}

/// A day's detail from the running sums: every hour (zeros included, so a chart has 24 bars),
/// the payment mix, the lanes and the best sellers by amount.
fn day_sums(sql: &SqlStorage, day: &str, currency: Currency, top: usize) -> Result<DaySums> {
    #[derive(Deserialize)]
    struct Hour {
        hour: i64,
        net_minor: i64,
        sales: i64,
    }
    #[derive(Deserialize)]
    struct Kind {
        kind: String,
        net_minor: i64,
    }
    #[derive(Deserialize)]
    struct LaneSum {
        lane_id: String,
        net_minor: i64,
        sales: i64,
    }
    #[derive(Deserialize)]
    struct Product {
        sku: String,
        name: String,
        qty_milli: i64,
        net_minor: i64,
    }
    let money = |minor: i64| Money::from_minor(minor, currency);
    let hours: Vec<Hour> = sql
        .exec(
            "SELECT hour, net_minor, sales FROM day_hours WHERE business_day = ?",
            vec![day.into()],
        )?
        .to_array()?;
    let hourly = (0..24u32)
        .map(|h| {
            let row = hours.iter().find(|r| r.hour == i64::from(h));
            (
                h,
                money(row.map_or(0, |r| r.net_minor)),
                row.map_or(0, |r| r.sales),
            )
        })
        .collect();
    let tenders: Vec<Kind> = sql
        .exec(
            "SELECT kind, net_minor FROM day_tenders WHERE business_day = ? ORDER BY net_minor DESC",
            vec![day.into()],
        )?
        .to_array()?;
    let lanes: Vec<LaneSum> = sql
        .exec(
            "SELECT lane_id, net_minor, sales FROM day_lanes WHERE business_day = ? ORDER BY lane_id",
            vec![day.into()],
        )?
        .to_array()?;
    let products: Vec<Product> = sql
        .exec(
            "SELECT sku, name, qty_milli, net_minor FROM day_products WHERE business_day = ? ORDER BY net_minor DESC LIMIT ?",
            vec![day.into(), SqlStorageValue::Integer(top as i64)],
        )?
        .to_array()?;
    Ok(DaySums {
        hourly,
        tenders: tenders
            .into_iter()
            .map(|t| (t.kind, money(t.net_minor)))
            .collect(),
        lanes: lanes
            .into_iter()
            .map(|l| (l.lane_id, money(l.net_minor), l.sales))
            .collect(),
        top: products
            .into_iter()
            .map(|p| {
                (
                    p.sku,
                    p.name,
                    Decimal::new(p.qty_milli, 3).normalize(),
                    money(p.net_minor),
                )
            })
            .collect(),
    })
}

/// The sale, refund and void events of a range of business days, and the sales the voids reverse.
fn export(sql: &SqlStorage, from: &str, to: &str, limit: usize) -> Result<ExportRecords> {
    let kinds = "kind IN ('sale_completed', 'refund_issued', 'sale_voided')";
    let n: CountRow = sql
        .exec(
            &format!("SELECT COUNT(*) AS n FROM events WHERE business_day >= ? AND business_day <= ? AND {kinds}"),
            vec![from.into(), to.into()],
        )?
        .one()?;
    if n.n as usize > limit {
        return Ok(ExportRecords {
            events: Vec::new(),
            voided_sales: Vec::new(),
            too_many: true,
        });
    }
    let rows: Vec<BodyRow> = sql
        .exec(
            &format!("SELECT body FROM events WHERE business_day >= ? AND business_day <= ? AND {kinds} ORDER BY business_day, store_seq"),
            vec![from.into(), to.into()],
        )?
        .to_array()?;
    let bad = |e: serde_json::Error| Error::from(e.to_string());
    let events = rows
        .iter()
        .map(|r| serde_json::from_str::<Event>(&r.body).map_err(bad))
        .collect::<Result<Vec<_>>>()?;
    let mut voided_sales = Vec::new();
    for e in &events {
        if let EventBody::SaleVoided(v) = &e.body {
            let rows: Vec<BodyRow> = sql
                .exec(
                    "SELECT body FROM events WHERE id = ? AND kind = 'sale_completed'",
                    vec![v.sale_id.to_string().into()],
                )?
                .to_array()?;
            for r in rows {
                if let EventBody::SaleCompleted(s) =
                    serde_json::from_str::<Event>(&r.body).map_err(bad)?.body
                {
                    voided_sales.push(s);
                }
            }
        }
    }
    Ok(ExportRecords {
        events,
        voided_sales,
        too_many: false,
    })
}

/// The owner's low-stock list: tracked products below their reorder level and anything sold
/// below zero (offline overselling is allowed and shown here), oversold first, each with how
/// much to order at the recent rate of sale.
fn low_stock(
    sql: &SqlStorage,
    today: &str,
    days: u32,
    lead_days: u32,
    cover_days: u32,
) -> Result<Vec<till_core::stock::LowStock>> {
    #[derive(Deserialize)]
    struct Row {
        body: String,
        qty: String,
        sold_milli: Option<i64>,
    }
    let since = till_core::time::add_days(today, -(i64::from(days) - 1))
        .ok_or_else(|| Error::from("today is not a date"))?;
    let rows: Vec<Row> = sql
        .exec(
            "SELECT p.body, COALESCE(s.qty, '0') AS qty,
                    (SELECT SUM(d.qty_milli) FROM day_products d WHERE d.sku = p.sku AND d.business_day >= ?) AS sold_milli
             FROM products p LEFT JOIN stock s ON s.sku = p.sku
             WHERE json_extract(p.body, '$.reorder_level') IS NOT NULL OR s.qty LIKE '-%'",
            vec![since.into()],
        )?
        .to_array()?;
    let mut out = Vec::new();
    for r in rows {
        let p: Product = serde_json::from_str(&r.body).map_err(|e| Error::from(e.to_string()))?;
        let level: Decimal = r
            .qty
            .parse()
            .map_err(|_| Error::from("a stock level is not a number"))?;
        let reorder_level = p.reorder_level.unwrap_or(Decimal::ZERO);
        let oversold = level < Decimal::ZERO;
        if level >= reorder_level && !oversold {
            continue;
        }
        let per_day = (Decimal::new(r.sold_milli.unwrap_or(0), 3) / Decimal::from(days))
            .round_dp_with_strategy(3, rust_decimal::RoundingStrategy::AwayFromZero);
        out.push(till_core::stock::LowStock {
            suggested: till_core::stock::reorder_quantity(
                level,
                reorder_level,
                per_day,
                lead_days,
                cover_days,
                p.sold_by,
            ),
            sku: p.sku,
            name: p.name,
            level,
            reorder_level,
            per_day,
            oversold,
        });
    }
    out.sort_by(|a, b| {
        b.oversold
            .cmp(&a.oversold)
            .then((a.level - a.reorder_level).cmp(&(b.level - b.reorder_level)))
            .then(a.sku.cmp(&b.sku))
    });
    Ok(out)
}
