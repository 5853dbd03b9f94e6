//! The lane: what this device is (its pairing with a store), the in-memory catalogue it sells
//! from, the open cart, checkout, and the sync client that pushes the outbox and pulls changes.
//! Selling never waits for the network; sync runs beside it.

use crate::api::{self, ApiError};
use crate::i18n::{tr, trf};
use crate::idb::{self, keys, Counters};
use crate::storage::{self, StorageState};
use crate::tabs::{self, Message};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::cell::Cell;
use std::rc::Rc;
use till_core::cart::{Cart, Parked, ParkedCart, Totals};
use till_core::catalogue::{Catalogue, Product};
use till_core::event::{new_id, Event, EventBody, EVENT_VERSION};
use till_core::exchange::{Exchange, ExchangeError, ExchangeOrder};
use till_core::money::Money;
use till_core::refund::{Refund, RefundError, RefundTo, ReturnLine, ReturnOrder};
use till_core::rescue::{self, RescueFile};
use till_core::sale::{Checkout, Sale, Tender};
use till_core::shift::{
    CashCount, CashMoved, Direction, ShiftClosed, ShiftOpened, ShiftRecord, ShiftReport,
};
use till_core::staff::{Action, Approval, PinGuard, Role, Roster, StaffMember};
use till_core::store::StoreSettings;
use till_core::sync::{
    after_push, backoff_ms, Change, PullResponse, PushResponse, MAX_PUSH_EVENTS, PROTOCOL_VERSION,
};
use till_core::text::Text;
use till_core::void::CartVoided;
use till_core::{Decimal, Uuid};

/// This device's pairing with a store, kept in IndexedDB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaneConfig {
    pub lane_id: String,
    pub lane_code: String,
    pub token: String,
    pub store: StoreSettings,
}

/// The open cart as saved on every change; the checkout id, once made, is reused on every retry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpenCart {
    pub cart: Cart,
    pub checkout_id: Option<Uuid>,
    /// Items coming back from an earlier receipt that pay for this cart (an exchange).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<PendingExchange>,
}

/// An exchange being rung up: what comes back from which sale, and what it is worth. Saved
/// with the cart, so a reload keeps it; booked only when the new items are paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingExchange {
    pub sale: Sale,
    pub lines: Vec<ReturnLine>,
    pub reason: String,
    pub approved_by: Option<String>,
    /// The returned items' value (what the new items can spend).
    pub credit: Money,
    /// The ids the return and the sale get, made once and reused on every retry.
    pub refund_id: Uuid,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncStatus {
    pub online: bool,
    pub unsynced: u32,
    pub last_sync_ms: Option<f64>,
    pub last_error: Option<String>,
    /// (received, total) while a catalogue download is under way.
    pub loading: Option<(u64, u64)>,
    /// The owner removed this lane: it no longer syncs; its unsynced sales wait for a rescue
    /// export.
    #[serde(default)]
    pub revoked: bool,
}

/// The till's shared state, provided as context. Every field is a Copy signal handle.
#[derive(Clone, Copy)]
pub struct Till {
    pub lane: RwSignal<Option<LaneConfig>>,
    pub catalogue: RwSignal<Catalogue>,
    pub open: RwSignal<OpenCart>,
    pub status: RwSignal<SyncStatus>,
    pub ready: RwSignal<bool>,
    /// Set to ask the sync loop to run now (after a sale).
    pub kick: RwSignal<u32>,
    /// This tab is the one that syncs the lane (see `tabs`).
    pub leader: RwSignal<bool>,
    /// Another tab of this lane is open, so pulled products are copied to it.
    pub followers: RwSignal<bool>,
    pub storage: RwSignal<StorageState>,
    /// Carts put aside on this lane.
    pub parked: RwSignal<Parked>,
    /// The store's staff (names, roles, PIN verifiers) as last pulled.
    pub roster: RwSignal<Roster>,
    /// Who is signed in on this tab; None locks the till while the store has staff set up.
    pub cashier: RwSignal<Option<Cashier>>,
    /// When someone last touched the till (for the idle lock); not a signal: nothing renders it.
    pub last_touch_ms: StoredValue<f64>,
    /// The shift open on this lane, if any.
    pub shift: RwSignal<Option<Uuid>>,
    /// The Z report of the shift closed last (shown and printable after closing).
    pub last_report: RwSignal<Option<ShiftReport>>,
}

/// The person signed in at the till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cashier {
    pub id: String,
    pub name: String,
    pub role: Role,
}

impl From<&StaffMember> for Cashier {
    fn from(m: &StaffMember) -> Cashier {
        Cashier {
            id: m.id.clone(),
            name: m.name.clone(),
            role: m.role,
        }
    }
}

impl Till {
    pub fn new() -> Till {
        Till {
            lane: RwSignal::new(None),
            catalogue: RwSignal::new(Catalogue::default()),
            open: RwSignal::new(OpenCart::default()),
            status: RwSignal::new(SyncStatus::default()),
            ready: RwSignal::new(false),
            kick: RwSignal::new(0),
            leader: RwSignal::new(false),
            followers: RwSignal::new(false),
            storage: RwSignal::new(StorageState::default()),
            parked: RwSignal::new(Parked::default()),
            roster: RwSignal::new(Roster::default()),
            cashier: RwSignal::new(None),
            last_touch_ms: StoredValue::new(now_ms()),
            shift: RwSignal::new(None),
            last_report: RwSignal::new(None),
        }
    }

    /// Load everything the lane needs from IndexedDB, then start syncing.
    pub async fn start(self) {
        // Announce this tab before reading the catalogue: every page the syncing tab stores after
        // this is copied to us, every page stored before is in IndexedDB when we read it.
        tabs::listen(move |m| self.on_tab_message(m));
        tabs::post(&Message::Hello);
        let lane: Option<LaneConfig> = idb::get(keys::LANE)
            .await
            .unwrap_or_else(|e| self.fail(e.to_string()));
        self.lane.set(lane);
        match idb::all_products().await {
            // Merge by version: products another tab copied to us meanwhile may be newer.
            Ok(products) => self
                .catalogue
                .update(|c| products.into_iter().for_each(|p| c.upsert(p))),
            Err(e) => self.fail(e.to_string()),
        }
        if let Ok(Some(open)) = idb::get::<OpenCart>(keys::CART).await {
            self.open.set(open);
        }
        if let Ok(Some(parked)) = idb::get::<Parked>(keys::PARKED).await {
            self.parked.set(parked);
        }
        if let Ok(Some(roster)) = idb::get::<Roster>(keys::STAFF).await {
            self.roster.set(roster);
        }
        self.load_shift().await;
        self.idle_lock_loop();
        let last: Option<f64> = idb::get(keys::LAST_SYNC).await.ok().flatten();
        self.status.update(|s| s.last_sync_ms = last);
        self.refresh_unsynced().await;
        self.ready.set(true);
        crate::perf::mark("till:ready");
        leptos::task::spawn_local(async move {
            self.storage.set(storage::persist_and_estimate().await);
        });
        tabs::when_leader(move || {
            self.leader.set(true);
            self.sync_loop();
        });
    }

    /// What another tab of this lane said.
    fn on_tab_message(self, message: Message) {
        match message {
            Message::Hello => self.followers.set(true),
            Message::Sold if self.leader.get_untracked() => self.kick.update(|k| *k += 1),
            Message::Sold => self.status.update(|s| s.unsynced += 1),
            Message::Status(status) if !self.leader.get_untracked() => self.status.set(status),
            Message::Paired(lane) => self.lane.set(Some(lane)),
            Message::Products(products) => self
                .catalogue
                .update(|c| products.into_iter().for_each(|p| c.upsert(p))),
            Message::Roster(roster) => self.set_roster(roster),
            Message::Status(_) => {}
        }
    }

    fn fail<T: Default>(&self, message: String) -> T {
        self.status.update(|s| s.last_error = Some(message));
        T::default()
    }

    /// Change the cart, re-apply the store's promotions (the savings shown are the ones that
    /// will be charged), and save it (with the checkout id) so a reload or crash keeps it.
    pub fn edit_cart(&self, f: impl FnOnce(&mut Cart)) {
        let store = self
            .lane
            .with_untracked(|l| l.as_ref().map(|l| l.store.clone()));
        self.open.update(|o| {
            f(&mut o.cart);
            if let Some(store) = &store {
                if let Err(e) = o
                    .cart
                    .apply_promotions(&store.promotions, store, now_ms() as i64)
                {
                    // A promotion the owner set up wrongly must not stop selling.
                    leptos::logging::warn!("promotions not applied: {e}");
                }
            }
        });
        self.save_cart();
    }

    pub fn save_cart(&self) {
        let open = self.open.get_untracked();
        leptos::task::spawn_local(async move {
            let saved =
                if open.cart.is_empty() && open.checkout_id.is_none() && open.exchange.is_none() {
                    idb::delete(keys::CART).await
                } else {
                    idb::put(keys::CART, &open).await
                };
            if let Err(e) = saved {
                leptos::logging::warn!("could not save the cart: {e}");
            }
        });
    }

    /// Pay the open cart with `tenders`. Returns the sale once it is durable on this device.
    /// Complete the open cart's sale with `tenders` paying its total and `tip` (if any).
    pub async fn pay(self, tenders: Vec<Tender>, tip: Option<Money>) -> Result<Sale, String> {
        let lane = self
            .lane
            .get_untracked()
            .ok_or(tr(Text::LaneNotPairedYet))?;
        let (open, id) = self.checkout_started().await?;
        // Check the tenders before touching storage, so a short payment is a message, not an error.
        let at_ms = now_ms() as i64;
        let staff_id = self
            .cashier
            .with_untracked(|c| c.as_ref().map(|c| c.id.clone()));
        let build = |c: Counters| -> Result<(Sale, Event), till_core::sale::CheckoutError> {
            let next = NextRecord {
                lane: &lane,
                id,
                at_ms,
                counters: c,
            };
            let mut sale = Sale::complete_with_tip(
                &open.cart,
                &lane.store,
                tenders.clone(),
                next.checkout(),
                tip,
            )?;
            sale.staff_id = staff_id.clone();
            let event = next.event(EventBody::SaleCompleted(sale.clone()));
            Ok((sale, event))
        };
        build(Counters::default()).map_err(|e| e.to_string())?;
        crate::perf::start("till:commit");
        let sale = idb::commit_sale(build, self.journal_mode() != idb::Journal::No)
            .await
            .map_err(|e| e.to_string())?;
        crate::perf::end("till:commit");
        self.open.set(OpenCart::default());
        self.status.update(|s| s.unsynced += 1);
        self.kick.update(|k| *k += 1);
        tabs::post(&Message::Sold);
        Ok(sale)
    }

    /// The open cart and its checkout id: made when checkout starts and saved with the cart
    /// before anything is sent, so every retry books the same sale.
    async fn checkout_started(&self) -> Result<(OpenCart, Uuid), String> {
        let mut open = self.open.get_untracked();
        if let Some(id) = open.checkout_id {
            return Ok((open, id));
        }
        let id = new_id(now_ms() as u64, random_bytes());
        open.checkout_id = Some(id);
        self.open.set(open.clone());
        idb::put(keys::CART, &open)
            .await
            .map_err(|e| e.to_string())?;
        Ok((open, id))
    }

    /// Start an exchange: `lines` of `sale` come back (checked now as a return would be) and
    /// their value pays for the cart the cashier rings up next.
    pub async fn start_exchange(
        self,
        sale: Sale,
        lines: Vec<ReturnLine>,
        reason: String,
        approved_by: Option<String>,
    ) -> Result<Money, String> {
        let lane = self.lane.get_untracked().ok_or(tr(Text::LaneNotPaired))?;
        if self.open.with_untracked(|o| o.checkout_id.is_some()) {
            return Err(tr(Text::LanePaymentStartedFirst).into());
        }
        let previous = idb::refunds_of(sale.id).await.map_err(|e| e.to_string())?;
        let at_ms = now_ms() as i64;
        let refund_id = new_id(at_ms as u64, random_bytes());
        let probe = Refund::against(
            Checkout {
                id: refund_id,
                lane_id: &lane.lane_id,
                receipt_no: String::new(),
                at_ms,
            },
            &lane.store,
            &sale,
            &previous,
            ReturnOrder {
                lines: lines.clone(),
                to: RefundTo::OriginalTenders,
                reason: reason.clone(),
                approved_by: approved_by.clone(),
            },
        )
        .map_err(|e| e.to_string())?;
        let credit = probe.total;
        self.open.update(|o| {
            o.exchange = Some(PendingExchange {
                sale,
                lines,
                reason,
                approved_by,
                credit,
                refund_id,
            })
        });
        self.save_cart();
        Ok(credit)
    }

    /// For a sale paid partly by returned items: that return and the number of the receipt the
    /// items came from (for its one receipt, when it is reprinted).
    pub async fn exchange_return(&self, sale: &Sale) -> Option<(Refund, String)> {
        let refund_id = sale.tenders.iter().find_map(|t| match t {
            Tender::Exchange { with, .. } => Some(*with),
            _ => None,
        })?;
        let refund = idb::refund_by_id(refund_id).await.ok().flatten()?;
        let original = idb::sale_by_id(refund.sale_id?).await.ok().flatten()?;
        Some((refund, original.receipt_no))
    }

    /// Drop the exchange being rung up (nothing was booked); the cart stays.
    pub fn cancel_exchange(&self) {
        self.open.update(|o| o.exchange = None);
        self.save_cart();
    }

    /// Book the exchange: the return and the sale of the open cart, `pay` covering any
    /// difference, in one transaction with their outbox events.
    pub async fn exchange(self, pay: Vec<Tender>) -> Result<(Refund, Sale), String> {
        let lane = self.lane.get_untracked().ok_or(tr(Text::LaneNotPaired))?;
        if self.open.with_untracked(|o| o.exchange.is_none()) {
            return Err(tr(Text::LaneNoExchange).into());
        }
        let (open, sale_id) = self.checkout_started().await?;
        let x = open.exchange.clone().ok_or(tr(Text::LaneNoExchange))?;
        let previous = idb::refunds_of(x.sale.id)
            .await
            .map_err(|e| e.to_string())?;
        let at_ms = now_ms() as i64;
        let staff_id = self
            .cashier
            .with_untracked(|c| c.as_ref().map(|c| c.id.clone()));
        let build = |c: Counters| -> Result<idb::ExchangeRecords, ExchangeError> {
            let first = NextRecord {
                lane: &lane,
                id: x.refund_id,
                at_ms,
                counters: c,
            };
            let second = NextRecord {
                lane: &lane,
                id: sale_id,
                at_ms,
                counters: Counters {
                    lane_seq: c.lane_seq + 1,
                    receipt: c.receipt + 1,
                },
            };
            let mut done = Exchange::against(
                &lane.store,
                &x.sale,
                &previous,
                ExchangeOrder {
                    returned: x.lines.clone(),
                    reason: x.reason.clone(),
                    approved_by: x.approved_by.clone(),
                },
                &open.cart,
                pay.clone(),
                first.checkout(),
                second.checkout(),
            )?;
            done.sale.staff_id = staff_id.clone();
            let refund_event = first.event(EventBody::RefundIssued(done.refund.clone()));
            let sale_event = second.event(EventBody::SaleCompleted(done.sale.clone()));
            Ok((done.refund, refund_event, done.sale, sale_event))
        };
        // Refused by core (short of money, already returned): a message, nothing stored.
        build(Counters::default()).map_err(|e| e.to_string())?;
        let (refund, sale) = idb::commit_exchange(build, self.journal_mode() != idb::Journal::No)
            .await
            .map_err(|e| e.to_string())?;
        self.open.set(OpenCart::default());
        self.status.update(|s| s.unsynced += 2);
        self.kick.update(|k| *k += 1);
        tabs::post(&Message::Sold);
        Ok((refund, sale))
    }

    /// A gift card's balance as this lane knows it (zero for a card it has never seen).
    pub async fn gift_card_balance(&self, code: &str) -> Result<(String, Money), String> {
        let code = till_core::gift_card::check_code(code).map_err(|e| e.to_string())?;
        let currency = self
            .currency_zero()
            .map(|z| z.currency)
            .ok_or(tr(Text::LaneNotPaired))?;
        let balance = idb::gift_card_balance(&code)
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
        Ok((code, Money::new(balance, currency)))
    }

    /// Put money on a gift card, paid with `tenders`: journalled (a cash load is in the drawer)
    /// with the card's new balance in the same transaction.
    pub async fn load_gift_card(
        self,
        code: &str,
        amount: Money,
        tenders: Vec<Tender>,
    ) -> Result<till_core::gift_card::GiftCardLoad, String> {
        let lane = self.lane.get_untracked().ok_or(tr(Text::LaneNotPaired))?;
        let day = till_core::time::business_day(now_ms() as i64, lane.store.utc_offset_minutes);
        let staff_id = self
            .cashier
            .with_untracked(|c| c.as_ref().map(|c| c.id.clone()));
        let load = till_core::gift_card::GiftCardLoad::new(&day, code, amount, tenders, staff_id)
            .map_err(|e| e.to_string())?;
        self.record_event(&lane, EventBody::GiftCardLoaded(load.clone()), false)
            .await?;
        Ok(load)
    }

    /// Put the open cart aside (saved before the cart is cleared, so a crash in between leaves
    /// it parked and open, never lost).
    pub async fn park(self) -> Result<(), String> {
        let open = self.open.get_untracked();
        if open.checkout_id.is_some() {
            return Err(tr(Text::LanePaymentStarted).into());
        }
        if open.exchange.is_some() {
            return Err(tr(Text::LaneExchangeBeforePark).into());
        }
        let id = new_id(now_ms() as u64, random_bytes());
        let cart = ParkedCart::new(id, open.cart, now_ms() as i64).map_err(|e| e.to_string())?;
        let mut parked = self.parked.get_untracked();
        parked.park(cart).map_err(|e| e.to_string())?;
        idb::put(keys::PARKED, &parked)
            .await
            .map_err(|e| e.to_string())?;
        self.parked.set(parked);
        self.open.set(OpenCart::default());
        self.save_cart();
        Ok(())
    }

    /// Bring a parked cart back as the open cart (only onto an empty one).
    pub async fn recall(self, id: Uuid) -> Result<(), String> {
        if !self.open.with_untracked(|o| o.cart.is_empty()) {
            return Err(tr(Text::LaneCartOnScreen).into());
        }
        if self.open.with_untracked(|o| o.exchange.is_some()) {
            return Err(tr(Text::LaneExchangeFirst).into());
        }
        let mut parked = self.parked.get_untracked();
        let cart = parked.recall(id).ok_or(tr(Text::LaneNoLongerParked))?.cart;
        // The recalled cart is saved as the open one before it leaves the parked list (a crash
        // in between leaves it in both places, never in neither); the screen changes once both
        // writes are done, in one step.
        let open = OpenCart {
            cart,
            checkout_id: None,
            exchange: None,
        };
        idb::put(keys::CART, &open)
            .await
            .map_err(|e| e.to_string())?;
        idb::put(keys::PARKED, &parked)
            .await
            .map_err(|e| e.to_string())?;
        self.parked.set(parked);
        self.open.set(open);
        self.edit_cart(|_| {});
        Ok(())
    }

    /// Give up the open cart: nothing is sold, and the audit trail records who dropped what and
    /// why (an event, synced like a sale).
    pub async fn void_cart(self, reason: &str) -> Result<(), String> {
        let lane = self.lane.get_untracked().ok_or(tr(Text::LaneNotPaired))?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(tr(Text::LaneVoidReason).into());
        }
        let open = self.open.get_untracked();
        if open.cart.is_empty() {
            return Err(tr(Text::LaneCartEmpty).into());
        }
        let amount = self
            .totals()
            .map(|t| t.total)
            .unwrap_or_else(|| Money::zero(lane.store.currency));
        let voided = CartVoided {
            lines: open.cart.lines.len() as u32,
            amount,
            reason: reason.to_string(),
            staff_id: self
                .cashier
                .with_untracked(|c| c.as_ref().map(|c| c.id.clone())),
        };
        self.record_event(&lane, EventBody::CartVoided(voided), true)
            .await?;
        self.open.set(OpenCart::default());
        Ok(())
    }

    /// Today's receipts of this lane, newest first, each with whether it has reached the store.
    pub async fn receipts_today(self) -> Result<Vec<(Sale, bool)>, String> {
        let offset = self
            .lane
            .with_untracked(|l| l.as_ref().map(|l| l.store.utc_offset_minutes))
            .unwrap_or(0);
        let day = till_core::time::business_day(now_ms() as i64, offset);
        let sales = idb::sales_of_day(&day).await.map_err(|e| e.to_string())?;
        let waiting = idb::unsynced_ids().await.map_err(|e| e.to_string())?;
        Ok(sales
            .into_iter()
            .map(|s| {
                let synced = !waiting.contains(&s.id.to_string());
                (s, synced)
            })
            .collect())
    }

    /// A sale of this lane by its receipt number (typed, or scanned from the receipt).
    pub async fn find_receipt(self, receipt_no: &str) -> Result<Option<Sale>, String> {
        idb::sale_by_receipt(receipt_no)
            .await
            .map_err(|e| e.to_string())
    }

    /// The refunds this lane made against a sale.
    pub async fn refunds_of(self, sale_id: Uuid) -> Result<Vec<Refund>, String> {
        idb::refunds_of(sale_id).await.map_err(|e| e.to_string())
    }

    /// Whether `action` needs a manager's PIN now: the store has staff set up and whoever is
    /// signed in may not do it alone. (A shop without staff is run by its owner.)
    pub fn needs_approval(&self, action: Action) -> bool {
        !self.roster.with(Roster::is_empty)
            && !self
                .cashier
                .with(|c| c.as_ref().is_some_and(|c| c.role.may(action)))
    }

    /// Give money back for `lines` of `sale` (a sale this lane made): core checks the quantities
    /// against what was sold and already returned, and works out the amounts and tax; the refund
    /// is committed with its outbox event and the stock coming back in one transaction.
    pub async fn refund(
        self,
        sale: Sale,
        lines: Vec<ReturnLine>,
        reason: String,
        approved_by: Option<String>,
    ) -> Result<Refund, String> {
        let previous = idb::refunds_of(sale.id).await.map_err(|e| e.to_string())?;
        let order = ReturnOrder {
            lines,
            to: RefundTo::OriginalTenders,
            reason,
            approved_by,
        };
        self.book_refund(|ck, store| Refund::against(ck, store, &sale, &previous, order.clone()))
            .await
    }

    /// The product a scanned or typed code names (a JAN/EAN/UPC, a SKU, or a name).
    pub fn product_for(&self, raw: &str) -> Result<Product, String> {
        use till_core::barcode::{classify_with, Scan, ScannerProfile};
        let raw = raw.trim();
        let layouts = self
            .lane
            .with_untracked(|l| l.as_ref().map(|l| l.store.label_layouts.clone()))
            .unwrap_or_default();
        let found = match classify_with(raw, &ScannerProfile::default(), &layouts)
            .map_err(|e| e.to_string())?
        {
            Scan::Gtin(g) => self.catalogue.with_untracked(|c| c.by_gtin(&g).cloned()),
            Scan::Gs1(g) => g
                .gtin
                .as_ref()
                .or(g.contained.as_ref())
                .and_then(|g| self.catalogue.with_untracked(|c| c.by_gtin(g).cloned())),
            Scan::Embedded(e) => self
                .catalogue
                .with_untracked(|c| c.by_sku(&e.item).cloned()),
            Scan::Code(code, _) => self.catalogue.with_untracked(|c| c.by_sku(&code).cloned()),
            Scan::Text(_) => self
                .catalogue
                .with_untracked(|c| c.search(raw, 1).into_iter().next().cloned()),
        };
        found.ok_or_else(|| trf(Text::LaneNoProductMatches, &[("code", &raw)]))
    }

    /// Take items back without a receipt, at today's price, in cash: core refuses it without
    /// an approver (`approved_by`), so the caller gets a manager's approval first.
    pub async fn refund_without_receipt(
        self,
        items: Vec<(Product, Decimal)>,
        reason: String,
        approved_by: Option<String>,
    ) -> Result<Refund, String> {
        let order = ReturnOrder {
            lines: Vec::new(),
            to: RefundTo::OriginalTenders,
            reason,
            approved_by,
        };
        self.book_refund(|ck, store| Refund::without_receipt(ck, store, &items, order.clone()))
            .await
    }

    /// Build a refund with the next numbers and commit it with its outbox event and the stock
    /// coming back, in one transaction.
    async fn book_refund(
        self,
        make: impl Fn(Checkout<'_>, &StoreSettings) -> Result<Refund, RefundError>,
    ) -> Result<Refund, String> {
        let lane = self.lane.get_untracked().ok_or(tr(Text::LaneNotPaired))?;
        let at_ms = now_ms() as i64;
        let id = new_id(at_ms as u64, random_bytes());
        let build = |c: Counters| -> Result<(Refund, Event), RefundError> {
            let next = NextRecord {
                lane: &lane,
                id,
                at_ms,
                counters: c,
            };
            let refund = make(next.checkout(), &lane.store)?;
            let event = next.event(EventBody::RefundIssued(refund.clone()));
            Ok((refund, event))
        };
        // A refund core refuses is a message for the cashier, before anything is stored.
        build(Counters::default()).map_err(|e| e.to_string())?;
        let refund = idb::commit_refund(build, self.journal_mode() != idb::Journal::No)
            .await
            .map_err(|e| e.to_string())?;
        self.status.update(|s| s.unsynced += 1);
        self.kick.update(|k| *k += 1);
        tabs::post(&Message::Sold);
        Ok(refund)
    }

    /// Journal an event that is not a sale (a voided cart, an approval): the next lane number,
    /// the outbox and (with `clear_cart`) the open cart's removal in one strict transaction;
    /// then sync soon.
    async fn record_event(
        &self,
        lane: &LaneConfig,
        body: EventBody,
        clear_cart: bool,
    ) -> Result<(), String> {
        self.append(lane, body, clear_cart, self.journal_mode())
            .await
    }

    async fn record_journalled(
        &self,
        lane: &LaneConfig,
        body: EventBody,
        journal: idb::Journal,
    ) -> Result<(), String> {
        self.append(lane, body, false, journal).await
    }

    async fn append(
        &self,
        lane: &LaneConfig,
        body: EventBody,
        clear_cart: bool,
        journal: idb::Journal,
    ) -> Result<(), String> {
        let at = now_ms();
        let id = new_id(at as u64, random_bytes());
        idb::append_event(
            |seq| Event {
                id,
                lane_id: lane.lane_id.clone(),
                lane_seq: seq,
                at_ms: at as i64,
                v: EVENT_VERSION,
                body,
            },
            clear_cart,
            journal,
        )
        .await
        .map_err(|e| e.to_string())?;
        self.status.update(|s| s.unsynced += 1);
        self.kick.update(|k| *k += 1);
        tabs::post(&Message::Sold);
        Ok(())
    }

    /// Whether this lane's events are kept for a shift's reports now.
    fn journal_mode(&self) -> idb::Journal {
        if self.shift.with_untracked(Option::is_some) {
            idb::Journal::Yes
        } else {
            idb::Journal::No
        }
    }

    /// Who is at the till, for the shift's records ("till" when the store has no staff set up).
    fn staff_id(&self) -> String {
        self.cashier
            .with_untracked(|c| c.as_ref().map(|c| c.id.clone()))
            .unwrap_or_else(|| "till".into())
    }

    /// Open a shift with the float counted by denomination. The journal starts again: the X and
    /// Z reports cover this shift from here.
    pub async fn open_shift(self, float: CashCount) -> Result<(), String> {
        if self.shift.with_untracked(Option::is_some) {
            return Err(tr(Text::LaneShiftAlreadyOpen).into());
        }
        let lane = self.lane.get_untracked().ok_or(tr(Text::LaneNotPaired))?;
        let opened = ShiftOpened {
            shift_id: new_id(now_ms() as u64, random_bytes()),
            staff_id: self.staff_id(),
            float,
            currency: lane.store.currency,
        };
        let shift_id = opened.shift_id;
        self.record_journalled(&lane, EventBody::ShiftOpened(opened), idb::Journal::Restart)
            .await?;
        self.shift.set(Some(shift_id));
        self.last_report.set(None);
        Ok(())
    }

    /// Cash put into or taken out of the drawer during the shift, with a reason.
    pub async fn move_cash(
        self,
        direction: Direction,
        amount: Decimal,
        reason: String,
    ) -> Result<(), String> {
        let shift_id = self
            .shift
            .get_untracked()
            .ok_or(tr(Text::LaneOpenShiftFirst))?;
        let lane = self.lane.get_untracked().ok_or(tr(Text::LaneNotPaired))?;
        let moved = CashMoved {
            shift_id,
            direction,
            amount: Money::new(amount, lane.store.currency),
            reason: reason.trim().to_string(),
            staff_id: self.staff_id(),
        };
        moved.validate().map_err(|e| e.to_string())?;
        self.record_journalled(&lane, EventBody::CashMoved(moved), idb::Journal::Yes)
            .await
    }

    /// The X report: the shift so far, from the journal.
    pub async fn shift_report(self) -> Result<ShiftReport, String> {
        let shift_id = self
            .shift
            .get_untracked()
            .ok_or(tr(Text::LaneNoShiftOpen))?;
        let events = idb::journal().await.map_err(|e| e.to_string())?;
        ShiftReport::from_records(shift_id, &events).map_err(|e| e.to_string())
    }

    /// Close the shift with a blind count (the expected amount is shown only after): the Z
    /// report, with over/short.
    pub async fn close_shift(self, counted: CashCount) -> Result<ShiftReport, String> {
        let shift_id = self
            .shift
            .get_untracked()
            .ok_or(tr(Text::LaneNoShiftOpen))?;
        let lane = self.lane.get_untracked().ok_or(tr(Text::LaneNotPaired))?;
        let closed = ShiftClosed {
            shift_id,
            staff_id: self.staff_id(),
            counted,
        };
        self.record_journalled(&lane, EventBody::ShiftClosed(closed), idb::Journal::Yes)
            .await?;
        self.shift.set(None);
        let events = idb::journal().await.map_err(|e| e.to_string())?;
        let report = ShiftReport::from_records(shift_id, &events).map_err(|e| e.to_string())?;
        self.last_report.set(Some(report.clone()));
        Ok(report)
    }

    /// The shift open on this lane, from the journal (the last shift opened and not closed).
    async fn load_shift(self) {
        let Ok(events) = idb::journal().await else {
            return;
        };
        let mut open = None;
        for record in &events {
            match record {
                ShiftRecord::Opened(o) => open = Some(o.shift_id),
                ShiftRecord::Closed(c) if Some(c.shift_id) == open => open = None,
                _ => {}
            }
        }
        self.shift.set(open);
    }

    /// Every unsynced event of this lane as a signed rescue file: (file name, JSON). Works
    /// offline; the owner uploads the file and the edge ingests it like a push.
    pub async fn rescue_export(self) -> Result<(String, String), String> {
        let lane = self
            .lane
            .get_untracked()
            .ok_or(tr(Text::LaneNothingToExport))?;
        let events = idb::outbox(usize::MAX).await.map_err(|e| e.to_string())?;
        let raw: Vec<&str> = events.iter().map(|(_, json)| json.as_str()).collect();
        let at_ms = now_ms() as i64;
        let payload = rescue::payload(
            &lane.store.store_id,
            &lane.lane_id,
            &lane.lane_code,
            at_ms,
            &raw,
        );
        let file = RescueFile::seal(payload, &rescue::key_from_token(&lane.token));
        let json = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
        let day = till_core::time::business_day(at_ms, lane.store.utc_offset_minutes);
        Ok((
            format!(
                "till-rescue-{}-{}-{day}-{}.json",
                lane.store.store_id,
                lane.lane_code,
                raw.len()
            ),
            json,
        ))
    }

    /// The open cart's totals with today's tax rates (tracked), or None before the lane is
    /// paired or when the cart cannot be priced.
    pub fn totals(&self) -> Option<Totals> {
        self.lane.with(|l| {
            let store = &l.as_ref()?.store;
            let today = till_core::time::business_day(now_ms() as i64, store.utc_offset_minutes);
            self.open.with(|o| o.cart.totals_on(store, &today).ok())
        })
    }

    /// Zero in the store's currency (tracked: views update when the lane is loaded).
    pub fn currency_zero(&self) -> Option<Money> {
        self.lane
            .with(|l| l.as_ref().map(|l| Money::zero(l.store.currency)))
    }

    async fn refresh_unsynced(&self) {
        if let Ok(n) = idb::outbox_len().await {
            self.status.update(|s| s.unsynced = n);
        }
    }

    /// Sync forever: every few seconds, at once after a sale, with backoff after failures.
    fn sync_loop(self) {
        let kicked = Rc::new(Cell::new(self.kick.get_untracked()));
        leptos::task::spawn_local(async move {
            let mut failures = 0u32;
            loop {
                match self.sync_once().await {
                    Ok(()) => {
                        failures = 0;
                        let now = now_ms();
                        self.status.update(|s| {
                            s.online = true;
                            s.last_error = None;
                            s.last_sync_ms = Some(now);
                        });
                        let _ = idb::put(keys::LAST_SYNC, &now).await;
                    }
                    Err(ApiError::Refused { code, message, .. }) if code == "lane_revoked" => {
                        self.status.update(|s| {
                            s.revoked = true;
                            s.last_error = Some(message);
                        });
                        tabs::post(&Message::Status(self.status.get_untracked()));
                        // Nothing this lane sends will be taken any more: stop trying.
                        return;
                    }
                    Err(e) => {
                        failures += 1;
                        self.status.update(|s| {
                            s.online = !matches!(e, ApiError::Offline);
                            s.last_error = Some(e.to_string());
                        });
                    }
                }
                self.refresh_unsynced().await;
                tabs::post(&Message::Status(self.status.get_untracked()));
                let wait = if failures == 0 {
                    5_000
                } else {
                    backoff_ms(failures, random_u32())
                };
                // Sleep in short steps so a sale's kick starts the next sync at once.
                let mut waited = 0;
                while waited < wait && kicked.get() == self.kick.get_untracked() {
                    sleep_ms(100).await;
                    waited += 100;
                }
                kicked.set(self.kick.get_untracked());
            }
        });
    }

    async fn sync_once(&self) -> Result<(), ApiError> {
        let lane = match self.lane.get_untracked() {
            Some(l) => l,
            None => self.enrol().await?,
        };
        let token = Some(lane.token.as_str());
        // Pull: page through catalogue changes since the cursor, storing each page before the next.
        let mut cursor: u64 = idb::get(keys::CURSOR).await.ok().flatten().unwrap_or(0);
        loop {
            let page: PullResponse = api::get(&self.pull_url(cursor), token).await?;
            let (mut products, mut stock, mut customers, mut settings) =
                (Vec::new(), Vec::new(), Vec::new(), None);
            let mut staff = Vec::new();
            let mut cards = Vec::new();
            for change in page.changes {
                match change {
                    Change::Product(p) => products.push(p),
                    Change::Stock { sku, qty } => stock.push((sku, qty)),
                    Change::Customer(c) => customers.push(c),
                    Change::Settings(s) => settings = Some(s),
                    Change::Staff(m) => staff.push(m),
                    Change::GiftCard { code, balance } => cards.push((code, balance)),
                    // A kind a newer edge sends that this version does not know.
                    Change::Unknown => {}
                }
            }
            if let Some(store) = settings {
                self.update_settings(store).await?;
            }
            // Stored before the cursor moves past them (a crash in between pulls them again).
            if !staff.is_empty() {
                let mut roster = self.roster.get_untracked();
                staff.into_iter().for_each(|m| roster.upsert(m));
                idb::put(keys::STAFF, &roster)
                    .await
                    .map_err(|e| ApiError::BadAnswer(e.to_string()))?;
                tabs::post(&Message::Roster(roster.clone()));
                self.set_roster(roster);
            }
            idb::store_changes(&products, &stock, &customers, &cards, page.cursor)
                .await
                .map_err(|e| ApiError::BadAnswer(e.to_string()))?;
            if !products.is_empty() {
                let received = products.len() as u64;
                if self.followers.get_untracked() {
                    tabs::post(&Message::Products(products.clone()));
                }
                self.catalogue
                    .update(|c| products.into_iter().for_each(|p| c.upsert(p)));
                self.status.update(|s| {
                    let done = s.loading.map(|(r, _)| r).unwrap_or(0) + received;
                    s.loading = page
                        .more
                        .then_some((done, done + page.total.saturating_sub(received)));
                });
            }
            cursor = page.cursor;
            if !page.more {
                break;
            }
        }
        self.status.update(|s| s.loading = None);
        // Push: the outbox in batches; trim only what the edge acknowledged.
        loop {
            let events = idb::outbox(MAX_PUSH_EVENTS)
                .await
                .map_err(|e| ApiError::BadAnswer(e.to_string()))?;
            if events.is_empty() {
                break;
            }
            let sent_through = events.last().map(|(seq, _)| *seq).unwrap_or(0);
            // PushRequest on the wire, with each event spliced in as stored.
            let body = format!(
                r#"{{"protocol":{PROTOCOL_VERSION},"lane_id":{},"events":[{}]}}"#,
                serde_json::to_string(&lane.lane_id).unwrap_or_default(),
                events
                    .iter()
                    .map(|(_, json)| json.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let resp: PushResponse = api::post_json("/api/v1/sync/push", token, body).await?;
            let next = after_push(sent_through, &resp);
            idb::trim_outbox(next.trim_through)
                .await
                .map_err(|e| ApiError::BadAnswer(e.to_string()))?;
            if next.retry_later {
                return Err(ApiError::BadAnswer(trf(
                    Text::LaneServerHoldsUpTo,
                    &[("number", &resp.acked_through)],
                )));
            }
        }
        Ok(())
    }

    /// The owner changed the store's settings (name, tax, rounding, ...): keep them with the
    /// lane's pairing and tell the other tabs. Sales already made keep the settings they had.
    async fn update_settings(&self, store: StoreSettings) -> Result<(), ApiError> {
        let Some(mut lane) = self.lane.get_untracked() else {
            return Ok(());
        };
        if lane.store == store {
            return Ok(());
        }
        lane.store = store;
        idb::put(keys::LANE, &lane)
            .await
            .map_err(|e| ApiError::BadAnswer(e.to_string()))?;
        self.lane.set(Some(lane.clone()));
        tabs::post(&Message::Paired(lane));
        Ok(())
    }

    /// The pull request: this lane's protocol (so the edge sends only what it can read) and
    /// what the owner's list of tills shows about it.
    fn pull_url(&self, cursor: u64) -> String {
        let unsynced = self.status.with_untracked(|s| s.unsynced);
        format!(
            "/api/v1/sync/pull?cursor={cursor}&protocol={PROTOCOL_VERSION}&unsynced={unsynced}&app={}",
            env!("CARGO_PKG_VERSION")
        )
    }

    /// A new staff list: whoever is signed in is signed out if they were deactivated.
    fn set_roster(&self, roster: Roster) {
        let still = self.cashier.with_untracked(|c| {
            c.as_ref()
                .is_none_or(|c| roster.get(&c.id).is_some_and(|m| m.active))
        });
        if !still {
            self.cashier.set(None);
        }
        self.roster.set(roster);
    }

    /// The till is locked: the store has staff set up and nobody is signed in.
    pub fn locked(&self) -> bool {
        !self.roster.with(Roster::is_empty) && self.cashier.with(Option::is_none)
    }

    /// Sign in by PIN, offline: the PIN is checked against the verifiers pulled from the edge.
    /// Wrong PINs in a row lock the pad for a while, and the count survives a reload.
    pub async fn sign_in(self, pin: &str) -> Result<Cashier, String> {
        let member = self.check_pin(pin).await?;
        let cashier = Cashier::from(&member);
        self.cashier.set(Some(cashier.clone()));
        self.touch();
        Ok(cashier)
    }

    /// Whoever is signed in steps away; the cart stays for the next person.
    pub fn sign_out(&self) {
        self.cashier.set(None);
    }

    /// Someone touched the till: the idle lock starts counting again.
    pub fn touch(&self) {
        self.last_touch_ms.set_value(now_ms());
    }

    /// Lock the till after the store's idle time (the cart stays).
    fn idle_lock_loop(self) {
        leptos::task::spawn_local(async move {
            loop {
                sleep_ms(1_000).await;
                let idle_s = self
                    .lane
                    .with_untracked(|l| l.as_ref().map(|l| l.store.idle_lock_seconds))
                    .unwrap_or(0);
                let signed_in = self.cashier.with_untracked(Option::is_some);
                let idle_ms = now_ms() - self.last_touch_ms.get_value();
                if signed_in && idle_s > 0 && idle_ms >= f64::from(idle_s) * 1_000.0 {
                    self.cashier.set(None);
                }
            }
        });
    }

    /// The member whose PIN this is, counting a miss against the lockout.
    async fn check_pin(self, pin: &str) -> Result<StaffMember, String> {
        let mut guard: PinGuard = idb::get(keys::PIN_GUARD)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let now = now_ms() as i64;
        guard.check(now).map_err(|e| e.to_string())?;
        let found = self.roster.with_untracked(|r| r.identify(pin).cloned());
        match found {
            Some(m) => {
                if guard.misses > 0 {
                    guard.succeeded();
                    let _ = idb::put(keys::PIN_GUARD, &guard).await;
                }
                Ok(m)
            }
            None => {
                guard.missed(now);
                let _ = idb::put(keys::PIN_GUARD, &guard).await;
                Err(guard
                    .check(now)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_else(|| tr(Text::LaneWrongPin).into()))
            }
        }
    }

    /// A manager approves `action` for whoever is signed in: their PIN must be a manager's (or
    /// the owner's), and the approval is journalled as an audit event, synced like a sale.
    pub async fn approve(
        self,
        pin: &str,
        action: Action,
        detail: String,
        ref_id: Option<Uuid>,
    ) -> Result<Cashier, String> {
        let member = self.check_pin(pin).await?;
        if !member.role.may(action) {
            return Err(trf(Text::LaneCannotApprove, &[("name", &member.name)]));
        }
        let lane = self.lane.get_untracked().ok_or(tr(Text::LaneNotPaired))?;
        let approval = Approval {
            action,
            approver_id: member.id.clone(),
            cashier_id: self
                .cashier
                .with_untracked(|c| c.as_ref().map(|c| c.id.clone())),
            ref_id,
            detail,
        };
        self.record_event(&lane, EventBody::Approved(approval), false)
            .await?;
        Ok(Cashier::from(&member))
    }

    /// "No sale": the drawer opens without a sale. Journalled as an approval either way — by the
    /// manager whose PIN was given, or by whoever is signed in when they may do it alone.
    pub async fn no_sale(self, pin: Option<&str>) -> Result<(), String> {
        let detail = "No sale: drawer opened".to_string();
        if self.needs_approval(Action::NoSale) {
            let pin = pin.ok_or(tr(Text::LaneNoSaleNeedsPin))?;
            self.approve(pin, Action::NoSale, detail, None).await?;
            return Ok(());
        }
        let lane = self.lane.get_untracked().ok_or(tr(Text::LaneNotPaired))?;
        let who = self
            .cashier
            .with_untracked(|c| c.as_ref().map(|c| c.id.clone()));
        let approval = Approval {
            action: Action::NoSale,
            approver_id: who.clone().unwrap_or_else(|| "owner".into()),
            cashier_id: who,
            ref_id: None,
            detail,
        };
        self.record_event(&lane, EventBody::Approved(approval), false)
            .await
    }

    /// Pair this browser with a store by the one-time code the owner made.
    pub async fn pair(self, code: &str) -> Result<(), String> {
        let lane: LaneConfig = api::post(
            "/api/v1/lanes/pair",
            None,
            &serde_json::json!({ "code": code }),
        )
        .await
        .map_err(|e| e.to_string())?;
        idb::put(keys::LANE, &lane)
            .await
            .map_err(|e| e.to_string())?;
        self.lane.set(Some(lane.clone()));
        tabs::post(&Message::Paired(lane));
        self.status.update(|s| s.last_error = None);
        self.kick.update(|k| *k += 1);
        Ok(())
    }

    /// Pair this browser with the demo store (local development: the edge is in demo mode).
    async fn enrol(&self) -> Result<LaneConfig, ApiError> {
        #[derive(Deserialize)]
        struct Health {
            demo: bool,
        }
        let health: Health = api::get("/api/health", None).await?;
        if !health.demo {
            return Err(ApiError::Refused {
                status: 401,
                code: "not_paired".into(),
                message: tr(Text::LaneTillNotPaired).into(),
            });
        }
        let lane: LaneConfig =
            api::post("/api/v1/lanes/demo", None, &serde_json::json!({})).await?;
        idb::put(keys::LANE, &lane)
            .await
            .map_err(|e| ApiError::BadAnswer(e.to_string()))?;
        self.lane.set(Some(lane.clone()));
        tabs::post(&Message::Paired(lane.clone()));
        Ok(lane)
    }
}

/// The lane's next receipt-bearing record (a sale or a refund), numbered from the counters read
/// inside the committing transaction: its checkout facts and its journal event.
struct NextRecord<'a> {
    lane: &'a LaneConfig,
    id: Uuid,
    at_ms: i64,
    counters: Counters,
}

impl<'a> NextRecord<'a> {
    fn checkout(&self) -> Checkout<'a> {
        Checkout {
            id: self.id,
            lane_id: &self.lane.lane_id,
            receipt_no: till_core::receipt::receipt_no(
                &self.lane.lane_code,
                self.counters.receipt + 1,
            ),
            at_ms: self.at_ms,
        }
    }

    fn event(&self, body: EventBody) -> Event {
        Event {
            id: self.id,
            lane_id: self.lane.lane_id.clone(),
            lane_seq: self.counters.lane_seq + 1,
            at_ms: self.at_ms,
            v: EVENT_VERSION,
            body,
        }
    }
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut buf);
    }
    buf
}

fn random_u32() -> u32 {
    u32::from_le_bytes(random_bytes::<4>())
}

pub async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
