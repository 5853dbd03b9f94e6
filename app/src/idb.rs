//! The one IndexedDB adapter. Screens and the sync client never touch web-sys IndexedDB; they
//! call these functions. A sale is written with its outbox event and the lane's counters in ONE
//! readwrite transaction with strict durability, and `commit_sale` returns only after the
//! transaction's `complete` event — that is when the screen may say "paid".

use crate::i18n::{tr, trf};
use indexed_db_futures::database::Database;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{
    Transaction, TransactionDurability, TransactionMode, TransactionOptions,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use till_core::catalogue::Product;
use till_core::customer::Customer;
use till_core::event::Event;
use till_core::refund::Refund;
use till_core::sale::Sale;
use till_core::shift::ShiftRecord;
use till_core::text::Text;
use wasm_bindgen::JsValue;

const DB_NAME: &str = "till";
/// Bump with a new arm in `upgrade` — existing data is kept across versions.
const DB_VERSION: u32 = 5;

pub const CATALOGUE: &str = "catalogue";
pub const SALES: &str = "sales";
pub const OUTBOX: &str = "outbox";
pub const KV: &str = "kv";
/// Stock per SKU as this lane knows it: the last level from the edge plus this lane's own
/// unsynced movements.
pub const STOCK: &str = "stock";
/// This lane's stock movements still in the outbox, by lane_seq: kept beside each outbox event
/// so a pulled stock level can add them without decoding events.
pub const PENDING: &str = "pending_moves";
/// Customers, including those created on this lane (device-made ids never collide).
pub const CUSTOMERS: &str = "customers";
/// Refunds made on this lane (returns against its sales and without a receipt).
pub const REFUNDS: &str = "refunds";
/// This lane's events since its shift opened, by lane_seq (the outbox forgets what was sent;
/// the X and Z reports need the whole shift). Emptied when the next shift opens.
pub const JOURNAL: &str = "journal";

#[derive(Debug, Clone)]
pub enum IdbError {
    QuotaExceeded,
    Unavailable(String),
    Other(String),
}

impl std::fmt::Display for IdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdbError::QuotaExceeded => f.write_str(tr(Text::LaneStorageFull)),
            IdbError::Unavailable(_cause) => f.write_str(tr(Text::LaneStorageUnavailable)),
            IdbError::Other(why) => f.write_str(&trf(Text::LaneSavingFailed, &[("reason", why)])),
        }
    }
}

impl std::error::Error for IdbError {}

impl IdbError {
    fn from_any(e: impl std::fmt::Display) -> IdbError {
        let text = e.to_string();
        if text.contains("QuotaExceeded") {
            IdbError::QuotaExceeded
        } else {
            IdbError::Other(text)
        }
    }
}

type Result<T> = std::result::Result<T, IdbError>;

/// Commit `tx`. When the browser aborts it, the wrapper only reports "aborted"; the transaction's
/// own error says why, and a full disk must reach the cashier as QuotaExceeded.
async fn commit(tx: Transaction<'_>) -> Result<()> {
    use indexed_db_futures::internals::SystemRepr;
    use wasm_bindgen::JsCast;
    let raw: web_sys::IdbTransaction = tx.as_sys().clone().unchecked_into();
    match tx.commit().await {
        Ok(()) => Ok(()),
        Err(e) => Err(match raw.error() {
            Some(cause) if cause.name() == "QuotaExceededError" => IdbError::QuotaExceeded,
            Some(cause) => IdbError::Other(format!("{}: {}", cause.name(), cause.message())),
            None => IdbError::from_any(e),
        }),
    }
}

thread_local! {
    static DB: RefCell<Option<Rc<Database>>> = const { RefCell::new(None) };
}

/// The open database (opened on first use, then shared).
pub async fn db() -> Result<Rc<Database>> {
    if let Some(db) = DB.with(|d| d.borrow().clone()) {
        return Ok(db);
    }
    let db = Database::open(DB_NAME)
        .with_version(DB_VERSION)
        .with_on_upgrade_needed(|event, db| {
            // Each arm upgrades from one version to the next, so any old version reaches the latest.
            let old = event.old_version() as u32;
            if old < 1 {
                let catalogue = db
                    .create_object_store(CATALOGUE)
                    .with_key_path("sku".into())
                    .build()?;
                catalogue.create_index("gtin", "gtin".into()).build()?;
                catalogue.create_index("name", "name".into()).build()?;
                db.create_object_store(SALES)
                    .with_key_path("id".into())
                    .build()?;
                db.create_object_store(OUTBOX)
                    .with_key_path("lane_seq".into())
                    .build()?;
                db.create_object_store(KV).build()?;
            }
            if old < 2 {
                db.create_object_store(STOCK)
                    .with_key_path("sku".into())
                    .build()?;
                let customers = db
                    .create_object_store(CUSTOMERS)
                    .with_key_path("id".into())
                    .build()?;
                customers.create_index("name", "name".into()).build()?;
            }
            if old < 3 {
                // Lanes upgraded with events already in the outbox count those movements again
                // only once they are pushed and pulled back (a short-lived difference).
                db.create_object_store(PENDING)
                    .with_key_path("lane_seq".into())
                    .build()?;
            }
            if old < 4 {
                db.create_object_store(REFUNDS)
                    .with_key_path("id".into())
                    .build()?;
            }
            if old < 5 {
                db.create_object_store(JOURNAL)
                    .with_key_path("lane_seq".into())
                    .build()?;
            }
            Ok(())
        })
        .await
        .map_err(|e| IdbError::Unavailable(e.to_string()))?;
    let db = Rc::new(db);
    DB.with(|d| *d.borrow_mut() = Some(db.clone()));
    Ok(db)
}

/// Values are stored through JSON: the app keeps one serialisation stack (serde_json) instead
/// of a second one for JS values, and JSON.parse builds the object natively. Object keys and
/// indexes (sku, gtin, name, lane_seq) are plain properties either way.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue> {
    let text = serde_json::to_string(value).map_err(|e| IdbError::Other(e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| IdbError::Other(tr(Text::LaneRecordNotPrepared).into()))
}

fn from_js<T: DeserializeOwned>(value: &JsValue) -> Result<T> {
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| IdbError::Other(tr(Text::LaneRecordUnreadable).into()))?;
    serde_json::from_str(&text)
        .map_err(|e| IdbError::Other(trf(Text::LaneRecordDamaged, &[("reason", &e)])))
}

/// One record by key, decoded.
async fn read<T: DeserializeOwned>(store: &ObjectStore<'_>, key: &str) -> Result<Option<T>> {
    let value: Option<JsValue> = store
        .get(key)
        .primitive()
        .map_err(IdbError::from_any)?
        .await
        .map_err(IdbError::from_any)?;
    value.as_ref().map(from_js).transpose()
}

fn strict() -> TransactionOptions {
    TransactionOptions::new().with_durability(TransactionDurability::Strict)
}

/// Read a setting from the key-value store.
pub async fn get<T: DeserializeOwned>(key: &str) -> Result<Option<T>> {
    let db = db().await?;
    let tx = db.transaction(KV).build().map_err(IdbError::from_any)?;
    let store = tx.object_store(KV).map_err(IdbError::from_any)?;
    let value: Option<T> = read(&store, key).await?;
    Ok(value)
}

/// Write a setting durably.
pub async fn put<T: Serialize>(key: &str, value: &T) -> Result<()> {
    let db = db().await?;
    let tx = db
        .transaction(KV)
        .with_mode(TransactionMode::Readwrite)
        .with_options(strict())
        .build()
        .map_err(IdbError::from_any)?;
    let store = tx.object_store(KV).map_err(IdbError::from_any)?;
    store
        .put(to_js(value)?)
        .with_key(key.to_string())
        .primitive()
        .map_err(IdbError::from_any)?;
    commit(tx).await
}

pub async fn delete(key: &str) -> Result<()> {
    let db = db().await?;
    let tx = db
        .transaction(KV)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .map_err(IdbError::from_any)?;
    let store = tx.object_store(KV).map_err(IdbError::from_any)?;
    store.delete(key).primitive().map_err(IdbError::from_any)?;
    commit(tx).await
}

/// Every product stored on the lane: the in-memory index is built from this at start.
pub async fn all_products() -> Result<Vec<Product>> {
    let db = db().await?;
    let tx = db
        .transaction(CATALOGUE)
        .build()
        .map_err(IdbError::from_any)?;
    read_all(&tx, CATALOGUE).await
}

/// Every record of one object store, decoded.
async fn read_all<T: DeserializeOwned>(tx: &Transaction<'_>, name: &str) -> Result<Vec<T>> {
    let values: Vec<JsValue> = tx
        .object_store(name)
        .map_err(IdbError::from_any)?
        .get_all()
        .primitive()
        .map_err(IdbError::from_any)?
        .await
        .map_err(IdbError::from_any)?
        .collect::<std::result::Result<_, _>>()
        .map_err(IdbError::from_any)?;
    values.iter().map(from_js).collect()
}

/// Store a page of pulled changes and the new cursor together, so a crash mid-sync resumes
/// from the last page that was fully stored. A stock level from the edge is stored plus this
/// lane's own movements still in the outbox (the edge has not counted those yet).
pub async fn store_changes(
    products: &[Product],
    stock: &[(String, till_core::Decimal)],
    customers: &[Customer],
    cards: &[(String, till_core::Decimal)],
    cursor: u64,
) -> Result<()> {
    let db = db().await?;
    let tx = db
        .transaction([CATALOGUE, STOCK, CUSTOMERS, PENDING, KV, OUTBOX])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .map_err(IdbError::from_any)?;
    let store = tx.object_store(CATALOGUE).map_err(IdbError::from_any)?;
    for p in products {
        store
            .put(to_js(p)?)
            .primitive()
            .map_err(IdbError::from_any)?;
    }
    let people = tx.object_store(CUSTOMERS).map_err(IdbError::from_any)?;
    for c in customers {
        people
            .put(to_js(c)?)
            .primitive()
            .map_err(IdbError::from_any)?;
    }
    if !stock.is_empty() {
        let pending: Vec<PendingMoves> = read_all(&tx, PENDING).await?;
        let mut own = std::collections::HashMap::<String, till_core::Decimal>::new();
        for (sku, delta) in pending.into_iter().flat_map(|p| p.moves) {
            *own.entry(sku).or_default() += delta;
        }
        let levels = tx.object_store(STOCK).map_err(IdbError::from_any)?;
        for (sku, qty) in stock {
            let level = StockLevel {
                sku: sku.clone(),
                qty: *qty + own.get(sku).copied().unwrap_or_default(),
            };
            levels
                .put(to_js(&level)?)
                .primitive()
                .map_err(IdbError::from_any)?;
        }
    }
    if !cards.is_empty() {
        // The edge's balance plus this lane's own card movements it has not counted yet.
        let unsent: Vec<Event> = read_all(&tx, OUTBOX).await?;
        let mut own = CardBalances::new();
        for (code, delta) in unsent.iter().flat_map(Event::gift_card_deltas) {
            *own.entry(code).or_default() += delta;
        }
        let kv = tx.object_store(KV).map_err(IdbError::from_any)?;
        let mut known: CardBalances = read(&kv, keys::GIFT_CARDS).await?.unwrap_or_default();
        for (code, balance) in cards {
            known.insert(
                code.clone(),
                *balance + own.get(code).copied().unwrap_or_default(),
            );
        }
        kv.put(to_js(&known)?)
            .with_key(keys::GIFT_CARDS.to_string())
            .primitive()
            .map_err(IdbError::from_any)?;
    }
    tx.object_store(KV)
        .map_err(IdbError::from_any)?
        .put(to_js(&cursor)?)
        .with_key(keys::CURSOR.to_string())
        .primitive()
        .map_err(IdbError::from_any)?;
    commit(tx).await
}

/// One SKU's stock on this lane. A quantity may go below zero: selling what the count says is
/// not there is allowed offline and reported, never blocked or silently corrected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockLevel {
    pub sku: String,
    pub qty: till_core::Decimal,
}

/// The lane's gap-free counters, advanced only inside `commit_sale`'s transaction.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Counters {
    pub lane_seq: u64,
    pub receipt: u64,
}

pub mod keys {
    pub const LANE: &str = "lane";
    pub const CURSOR: &str = "cursor";
    pub const CART: &str = "cart";
    pub const COUNTERS: &str = "counters";
    pub const LAST_SYNC: &str = "last_sync";
    pub const PARKED: &str = "parked";
    pub const STAFF: &str = "staff";
    pub const PIN_GUARD: &str = "pin_guard";
    /// Gift card balances as this lane knows them: the edge's, plus this lane's movements the
    /// edge has not counted yet.
    pub const GIFT_CARDS: &str = "gift_cards";
}

/// Gift card balances by card number.
pub type CardBalances = std::collections::BTreeMap<String, till_core::Decimal>;

/// Move the lane's gift card balances by what `event` does to them, in its transaction.
async fn apply_card_moves(tx: &Transaction<'_>, event: &Event) -> Result<()> {
    let moves = event.gift_card_deltas();
    if moves.is_empty() {
        return Ok(());
    }
    let kv = tx.object_store(KV).map_err(IdbError::from_any)?;
    let mut cards: CardBalances = read(&kv, keys::GIFT_CARDS).await?.unwrap_or_default();
    for (code, delta) in moves {
        *cards.entry(code).or_default() += delta;
    }
    kv.put(to_js(&cards)?)
        .with_key(keys::GIFT_CARDS.to_string())
        .primitive()
        .map_err(IdbError::from_any)?;
    Ok(())
}

/// A gift card's balance on this lane (`None`: this lane has never heard of the card).
pub async fn gift_card_balance(code: &str) -> Result<Option<till_core::Decimal>> {
    let cards: CardBalances = get(keys::GIFT_CARDS).await?.unwrap_or_default();
    Ok(cards.get(code).copied())
}

/// Commit a sale: read the counters, let `make` build the sale and its event with the next
/// numbers, then write the sale, its stock movements, the outbox event, the counters and clear
/// the open cart — one strict transaction. Returns after the transaction completed (durable), or an error with
/// nothing written.
pub async fn commit_sale<E: std::fmt::Display>(
    make: impl FnOnce(Counters) -> std::result::Result<(Sale, Event), E>,
    journal: bool,
) -> Result<Sale> {
    commit_record(make, true, journal).await
}

/// Commit a refund the same way: refund, outbox event, stock coming back and counters (refunds
/// take receipt numbers from the sales counter) in one strict transaction. The open cart stays.
pub async fn commit_refund<E: std::fmt::Display>(
    make: impl FnOnce(Counters) -> std::result::Result<(Refund, Event), E>,
    journal: bool,
) -> Result<Refund> {
    commit_record(make, false, journal).await
}

/// What `commit_record` stores: a sale or a refund, with the stock it moves.
pub trait Record: Serialize {
    const STORE: &'static str;
    fn stock_deltas(&self) -> Vec<(String, till_core::Decimal)>;
}

impl Record for Sale {
    const STORE: &'static str = SALES;
    fn stock_deltas(&self) -> Vec<(String, till_core::Decimal)> {
        Sale::stock_deltas(self)
    }
}

impl Record for Refund {
    const STORE: &'static str = REFUNDS;
    fn stock_deltas(&self) -> Vec<(String, till_core::Decimal)> {
        Refund::stock_deltas(self)
    }
}

/// `journal`: a shift is open, so the event is also kept for the shift's reports (in the same
/// transaction, so a report never misses a sale that was paid).
async fn commit_record<R: Record, E: std::fmt::Display>(
    make: impl FnOnce(Counters) -> std::result::Result<(R, Event), E>,
    clear_cart: bool,
    journal: bool,
) -> Result<R> {
    let db = db().await?;
    let tx = db
        .transaction([R::STORE, OUTBOX, PENDING, KV, STOCK, JOURNAL])
        .with_mode(TransactionMode::Readwrite)
        .with_options(strict())
        .build()
        .map_err(IdbError::from_any)?;
    let kv = tx.object_store(KV).map_err(IdbError::from_any)?;
    let counters: Option<Counters> = read(&kv, keys::COUNTERS).await?;
    let (record, event) =
        make(counters.unwrap_or_default()).map_err(|e| IdbError::Other(e.to_string()))?;
    let next = Counters {
        lane_seq: event.lane_seq,
        receipt: counters.unwrap_or_default().receipt + 1,
    };
    write_record(&tx, &record, &event, journal).await?;
    finish(tx, next, clear_cart).await?;
    Ok(record)
}

/// The end of every commit: the new counters, the open cart gone (`clear_cart`), and the
/// transaction committed.
async fn finish(tx: Transaction<'_>, next: Counters, clear_cart: bool) -> Result<()> {
    {
        let kv = tx.object_store(KV).map_err(IdbError::from_any)?;
        kv.put(to_js(&next)?)
            .with_key(keys::COUNTERS.to_string())
            .primitive()
            .map_err(IdbError::from_any)?;
        if clear_cart {
            kv.delete(keys::CART)
                .primitive()
                .map_err(IdbError::from_any)?;
        }
    }
    commit(tx).await
}

/// One record in a commit: the record itself, its outbox event (and shift journal entry), its
/// pending stock movements and the stock levels they change.
async fn write_record<R: Record>(
    tx: &Transaction<'_>,
    record: &R,
    event: &Event,
    journal: bool,
) -> Result<()> {
    tx.object_store(R::STORE)
        .map_err(IdbError::from_any)?
        .put(to_js(record)?)
        .primitive()
        .map_err(IdbError::from_any)?;
    put_event(tx, event, journal)?;
    apply_card_moves(tx, event).await?;
    let moves = record.stock_deltas();
    tx.object_store(PENDING)
        .map_err(IdbError::from_any)?
        .put(to_js(&PendingMoves {
            lane_seq: event.lane_seq,
            moves: moves.clone(),
        })?)
        .primitive()
        .map_err(IdbError::from_any)?;
    let stock = tx.object_store(STOCK).map_err(IdbError::from_any)?;
    for (sku, delta) in moves {
        let level: Option<StockLevel> = read(&stock, sku.as_str()).await?;
        let qty = level.map(|l| l.qty).unwrap_or_default() + delta;
        stock
            .put(to_js(&StockLevel { sku, qty })?)
            .primitive()
            .map_err(IdbError::from_any)?;
    }
    Ok(())
}

/// The two halves of an exchange. `make` gets the counters and builds the return (the next
/// numbers) and the sale (the numbers after it).
pub type ExchangeRecords = (Refund, Event, Sale, Event);

/// Commit an exchange: the return, then the sale that spends it — both records, both outbox
/// events in lane order, their stock and the counters, and the open cart cleared, in one strict
/// transaction. Either all of it is durable or none.
pub async fn commit_exchange<E: std::fmt::Display>(
    make: impl FnOnce(Counters) -> std::result::Result<ExchangeRecords, E>,
    journal: bool,
) -> Result<(Refund, Sale)> {
    let db = db().await?;
    let tx = db
        .transaction([REFUNDS, SALES, OUTBOX, PENDING, KV, STOCK, JOURNAL])
        .with_mode(TransactionMode::Readwrite)
        .with_options(strict())
        .build()
        .map_err(IdbError::from_any)?;
    let kv = tx.object_store(KV).map_err(IdbError::from_any)?;
    let counters: Counters = read(&kv, keys::COUNTERS).await?.unwrap_or_default();
    let (refund, refund_event, sale, sale_event) =
        make(counters).map_err(|e| IdbError::Other(e.to_string()))?;
    write_record(&tx, &refund, &refund_event, journal).await?;
    write_record(&tx, &sale, &sale_event, journal).await?;
    let next = Counters {
        lane_seq: sale_event.lane_seq,
        receipt: counters.receipt + 2,
    };
    finish(tx, next, true).await?;
    Ok((refund, sale))
}

/// This lane's sales of a business day, newest first. (A scan of the lane's own sales: a lane
/// keeps thousands, not millions.)
pub async fn sales_of_day(day: &str) -> Result<Vec<Sale>> {
    let db = db().await?;
    let tx = db.transaction(SALES).build().map_err(IdbError::from_any)?;
    let mut sales: Vec<Sale> = read_all(&tx, SALES).await?;
    sales.retain(|s| s.business_day == day);
    sales.sort_by_key(|s| std::cmp::Reverse(s.at_ms));
    Ok(sales)
}

/// The sale with this receipt number, if this lane made it.
pub async fn sale_by_receipt(receipt_no: &str) -> Result<Option<Sale>> {
    let db = db().await?;
    let tx = db.transaction(SALES).build().map_err(IdbError::from_any)?;
    let sales: Vec<Sale> = read_all(&tx, SALES).await?;
    Ok(sales.into_iter().find(|s| s.receipt_no == receipt_no))
}

/// A sale and a refund this lane made, by id.
pub async fn sale_by_id(id: uuid::Uuid) -> Result<Option<Sale>> {
    get_record(SALES, id).await
}

pub async fn refund_by_id(id: uuid::Uuid) -> Result<Option<Refund>> {
    get_record(REFUNDS, id).await
}

async fn get_record<T: DeserializeOwned>(store: &str, id: uuid::Uuid) -> Result<Option<T>> {
    let db = db().await?;
    let tx = db.transaction(store).build().map_err(IdbError::from_any)?;
    let found = tx
        .object_store(store)
        .map_err(IdbError::from_any)?
        .get(id.to_string())
        .primitive()
        .map_err(IdbError::from_any)?
        .await
        .map_err(IdbError::from_any)?;
    found.as_ref().map(from_js).transpose()
}

/// Refunds this lane made against a sale.
pub async fn refunds_of(sale_id: uuid::Uuid) -> Result<Vec<Refund>> {
    let db = db().await?;
    let tx = db
        .transaction(REFUNDS)
        .build()
        .map_err(IdbError::from_any)?;
    let mut refunds: Vec<Refund> = read_all(&tx, REFUNDS).await?;
    refunds.retain(|r| r.sale_id == Some(sale_id));
    Ok(refunds)
}

/// Ids of the events still waiting in the outbox (what has not reached the edge yet).
pub async fn unsynced_ids() -> Result<std::collections::HashSet<String>> {
    Ok(outbox(u32::MAX as usize)
        .await?
        .into_iter()
        .filter_map(|(_, json)| {
            #[derive(Deserialize)]
            struct Id {
                id: String,
            }
            serde_json::from_str::<Id>(&json).ok().map(|i| i.id)
        })
        .collect())
}

/// Append an event that is not a sale (a voided cart, a cash movement): it takes the next
/// lane number and goes to the outbox (and the shift's journal, as `journal` says) with the
/// counters in one strict transaction; the open cart is cleared in the same transaction when
/// `clear_cart` is set.
pub async fn append_event(
    make: impl FnOnce(u64) -> Event,
    clear_cart: bool,
    journal: Journal,
) -> Result<Event> {
    let db = db().await?;
    let tx = db
        .transaction([OUTBOX, KV, JOURNAL])
        .with_mode(TransactionMode::Readwrite)
        .with_options(strict())
        .build()
        .map_err(IdbError::from_any)?;
    let kv = tx.object_store(KV).map_err(IdbError::from_any)?;
    let counters: Counters = read(&kv, keys::COUNTERS).await?.unwrap_or_default();
    let event = make(counters.lane_seq + 1);
    if journal == Journal::Restart {
        tx.object_store(JOURNAL)
            .map_err(IdbError::from_any)?
            .clear()
            .map_err(IdbError::from_any)?;
    }
    put_event(&tx, &event, journal != Journal::No)?;
    apply_card_moves(&tx, &event).await?;
    let next = Counters {
        lane_seq: event.lane_seq,
        ..counters
    };
    finish(tx, next, clear_cart).await?;
    Ok(event)
}

/// Whether an event is kept for the shift's reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Journal {
    /// No shift is open.
    No,
    Yes,
    /// A shift opens: the journal starts again with this event.
    Restart,
}

/// One record of the shift journal: what the event adds to the shift's reports.
#[derive(Serialize, Deserialize)]
struct JournalEntry {
    lane_seq: u64,
    record: ShiftRecord,
}

/// Put `event` in the outbox, and what it adds to the shift in the journal when a shift is open.
fn put_event(tx: &Transaction<'_>, event: &Event, journal: bool) -> Result<()> {
    tx.object_store(OUTBOX)
        .map_err(IdbError::from_any)?
        .put(to_js(event)?)
        .primitive()
        .map_err(IdbError::from_any)?;
    if let Some(record) = journal.then(|| ShiftRecord::of(event)).flatten() {
        let entry = JournalEntry {
            lane_seq: event.lane_seq,
            record,
        };
        tx.object_store(JOURNAL)
            .map_err(IdbError::from_any)?
            .put(to_js(&entry)?)
            .primitive()
            .map_err(IdbError::from_any)?;
    }
    Ok(())
}

/// The shift journal in lane order.
pub async fn journal() -> Result<Vec<ShiftRecord>> {
    let db = db().await?;
    let tx = db
        .transaction(JOURNAL)
        .build()
        .map_err(IdbError::from_any)?;
    let entries: Vec<JournalEntry> = read_all(&tx, JOURNAL).await?;
    Ok(entries.into_iter().map(|e| e.record).collect())
}

/// The oldest `limit` unsent events, in lane order, as (lane_seq, the event's JSON). The lane
/// never needs to decode its own events: they go to the edge exactly as they were stored.
pub async fn outbox(limit: usize) -> Result<Vec<(u64, String)>> {
    let db = db().await?;
    let tx = db.transaction(OUTBOX).build().map_err(IdbError::from_any)?;
    let store = tx.object_store(OUTBOX).map_err(IdbError::from_any)?;
    let values: Vec<wasm_bindgen::JsValue> = store
        .get_all()
        .with_limit(limit as u32)
        .primitive()
        .map_err(IdbError::from_any)?
        .await
        .map_err(IdbError::from_any)?
        .collect::<std::result::Result<_, _>>()
        .map_err(IdbError::from_any)?;
    values
        .iter()
        .map(|v| {
            let seq = js_sys::Reflect::get(v, &"lane_seq".into())
                .ok()
                .and_then(|s| s.as_f64())
                .ok_or_else(|| IdbError::Other(tr(Text::LaneOutboxNoSeq).into()))?;
            let json = js_sys::JSON::stringify(v)
                .ok()
                .and_then(|s| s.as_string())
                .ok_or_else(|| IdbError::Other(tr(Text::LaneOutboxUnreadable).into()))?;
            Ok((seq as u64, json))
        })
        .collect()
}

pub async fn outbox_len() -> Result<u32> {
    let db = db().await?;
    let tx = db.transaction(OUTBOX).build().map_err(IdbError::from_any)?;
    let store = tx.object_store(OUTBOX).map_err(IdbError::from_any)?;
    store.count().await.map_err(IdbError::from_any)
}

/// Drop every outbox event the edge acknowledged (lane_seq ≤ `acked_through`).
pub async fn trim_outbox(acked_through: u64) -> Result<()> {
    let db = db().await?;
    let tx = db
        .transaction([OUTBOX, PENDING])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .map_err(IdbError::from_any)?;
    // The edge has the events, so it counts their stock movements now: both go together.
    for name in [OUTBOX, PENDING] {
        tx.object_store(name)
            .map_err(IdbError::from_any)?
            .delete(0u32 as f64..=acked_through as f64)
            .primitive()
            .map_err(IdbError::from_any)?;
    }
    commit(tx).await
}

/// The stock movements of one outbox event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingMoves {
    pub lane_seq: u64,
    pub moves: Vec<(String, till_core::Decimal)>,
}
